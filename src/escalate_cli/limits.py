"""Time and memory bounds for work a playbook describes (rendering its templates).

A playbook is data from a colleague, but Jinja is a small language: a loop inside a
macro called in a loop, or a string doubled forty times, can run for minutes or ask for
gigabytes. The sandbox refuses what it can see coming; these bounds catch the rest, so a
hostile or mistaken playbook ends in an error, not a hung or swapping machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator

CPU_SECONDS = 5.0
EXTRA_MEMORY = 512 * 1024 * 1024  # bytes of address space beyond what is in use


class WorkTooLarge(Exception):
    """The bounded work ran past its time or memory."""


@contextlib.contextmanager
def bounded(cpu_seconds: float = CPU_SECONDS, extra_memory: int = EXTRA_MEMORY) -> Iterator[None]:
    """Run the body with at most `cpu_seconds` of CPU time and `extra_memory` more bytes.

    Where the platform cannot bound (another thread, no /proc, no setrlimit) the body
    runs unbounded: the sandbox's own checks still apply."""
    with _cpu_limit(cpu_seconds), _memory_limit(extra_memory):
        try:
            yield
        except MemoryError:
            raise WorkTooLarge(f"needed more than {extra_memory >> 20} MB of memory") from None


@contextlib.contextmanager
def _cpu_limit(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise WorkTooLarge(f"ran for more than {seconds:g} seconds")

    previous = signal.signal(signal.SIGPROF, expire)
    started = time.process_time()
    outer, _ = signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer:  # an enclosing bound keeps running, less what was used here
            signal.setitimer(
                signal.ITIMER_PROF, max(outer - (time.process_time() - started), 0.001)
            )


@contextlib.contextmanager
def _memory_limit(extra: int) -> Iterator[None]:
    try:
        import resource

        with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    limit = in_use + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
