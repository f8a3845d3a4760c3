"""Start-up and throughput benchmarks for the `escalate` command-line tool.

Run from a checkout (standard library only, POSIX only because of the terminal test)::

    python benchmarks/bench.py                      # 15 timed runs after 2 warm-ups
    python benchmarks/bench.py --runs 7 --only help --only assess-tty
    python benchmarks/bench.py --escalate .venv/bin/escalate --json
    python benchmarks/bench.py --check              # exit 1 if a target is missed or a
                                                    # command fails (default: always 0)

`--escalate` defaults to the `escalate` next to this Python (so run it with the venv's
`python`), else the one on PATH.

What is measured is whole-process wall time, start to exit, because that is what a person
waits for minutes before a tough call. Absolute seconds depend on the machine, so every
figure is also given as a ratio to a floor: `python -c pass` with this Python, i.e. the
cost of starting an interpreter at all. Floor and command runs are interleaved (floor,
command, floor, command, ...) and the ratio is the median of the per-pair ratios, so a
machine that speeds up or slows down during the run moves both sides of each ratio.

Measurements and their targets (ratio to the floor):

- `help`: `escalate --help`, at most 10x. `--help` must not import the heavy libraries.
- `assess-tty`: launch to the first question of `escalate assess` drawn in a
  pseudo-terminal, at most 22x. That is the wait before an interactive user can type.
- `assess-json`: `escalate assess --answers FILE --no-input --format json`, at most 15x.
  The scripted path: load the playbook, decide, print JSON.
- `brief-json`: `escalate brief --answers FILE --no-input --format json`; no target, the
  ratio is reported to watch the template and message-coach cost.
- `lint`: `escalate lint DRAFT --format json` on a ten-line draft with findings, at most
  20x. The message coach's rules are compiled once per data folder, not once per run.
- `handover`: `escalate handover Big --format markdown` for a partner with 10,000 notes,
  at most 40x. A long relationship history must not make the handover slow.

Every measurement gets an environment of its own: ESCALATE_HOME and XDG_CONFIG_HOME point
at temporary folders (never your real data or your own playbook), ESCALATE_PLAYBOOK and
any other ESCALATE_* variable are removed. The home is kept across a measurement's runs, so
warm-ups create it and the timed runs see the steady state. A command that exits non-zero,
times out or prints something unexpected is reported as failed, never timed as if it were
fine. Other load on the machine adds noise that the ratio only partly cancels, so compare
figures taken on a quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import platform
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

COMMAND_TIMEOUT = 60.0
"""Seconds a non-interactive command may take before the run counts as failed."""

TTY_TIMEOUT = 20.0
"""Seconds to wait for the first question of `assess` in the pseudo-terminal."""

FIRST_QUESTION = b"Have you made a real attempt to fix this yourself?"
"""The default playbook's first question; prompt_toolkit draws it as one contiguous run."""

HANDOVER_NOTES = 10_000
NOTE_KINDS = (
    "trigger",
    "escalation",
    "communication",
    "expectation",
    "agreement",
    "decision",
    "lesson",
    "note",
)

ASSESS_ANSWERS: dict[str, object] = {
    "tried_to_resolve": "yes",
    "knows_root_cause": "yes",
    "communicated_transparently": "no",
    "clear_ask": "yes",
    "right_time": "yes",
    "manager_briefed": "no",
    "cancel_threat": "no",
    "relationship_at_risk": "yes",
    "needs_leadership_authority": "no",
    "asked_for_manager": "no",
    "beyond_your_ability": "no",
    "deal_at_risk": "yes",
    "routine_technical_issue": "no",
    "just_venting": "no",
    "your_level": "no",
    "customer_checked_out": "no",
    "triggers": ["overpromised"],
}

BRIEF_ANSWERS: dict[str, object] = {
    "customer": "Acme Corp",
    "issue": "a sync bug in the nightly export job",
    "sentiment": "frustrated",
    "customer_wants": "a date for the fix",
    "tried": "rolled back the release and opened a support case",
    "why_unresolved": "the fix needs a schema change",
    "business_impact": "month-end reports are late",
    "deal_status": "at risk",
    "ask": "a senior engineer for two days",
    "proposal": "patch this week\nschema change next sprint",
    "documents": "support case 4711, release notes",
    "manager_briefed": "yes",
    "manager_name": "Dana",
    "others_involved": "Sam from support",
    "customer_contact": "Sam",
    "leader_name": "Alex Kim",
    "leader_title": "VP Engineering",
    "meeting_when": "Thursday 10:00",
    "agenda_extra": "agree on a status update rhythm\nreview the rollout plan",
    "lessons": "test exports against month-end volumes",
    "commitments": [
        {"what": "send the hotfix plan", "owner": "Dana", "due": "2026-12-01"},
        {"what": "confirm the schema change date", "owner": "Alex Kim", "due": "2026-12-01"},
    ],
}


class BenchError(Exception):
    """A command failed, timed out or printed something unexpected: not a valid sample."""


@dataclass
class Context:
    """What every measurement needs: the executable under test and a scratch folder."""

    escalate: str
    scratch: Path

    def env(self, home: Path) -> dict[str, str]:
        """An environment isolated from the user's data, config and playbook choice."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
        config = self.scratch / "config"
        config.mkdir(exist_ok=True)
        env["ESCALATE_HOME"] = str(home)
        env["XDG_CONFIG_HOME"] = str(config)
        return env

    def home(self, name: str) -> Path:
        """A fresh ESCALATE_HOME per measurement, so one cannot see another's data."""
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.scratch))

    def write_json(self, name: str, data: object) -> Path:
        """Write an input file the commands read (answers, a handover)."""
        path = self.scratch / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path


Runner = Callable[[], float]
"""One timed run: returns wall seconds, raises BenchError if the run was not fine."""


@dataclass
class Measurement:
    """A named command with an optional target, and how to prepare and time it."""

    name: str
    description: str
    target: float | None
    prepare: Callable[[Context], Runner]


@dataclass
class Result:
    """The figures of one measurement, or why it could not be measured."""

    name: str
    description: str
    target: float | None
    times: list[float] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        if self.target is None or self.ratio is None:
            return "-"
        return "ok" if self.ratio <= self.target else "over"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "command": self.description,
            "median": statistics.median(self.times) if self.times else None,
            "min": min(self.times, default=None),
            "max": max(self.times, default=None),
            "ratio": self.ratio,
            "target": self.target,
            "status": self.status,
            "error": self.error,
            "times": self.times,
            "floors": self.floors,
        }


def run_checked(
    argv: list[str],
    env: dict[str, str],
    check: Callable[[str], bool] | None = None,
    ok: tuple[int, ...] = (0,),
) -> tuple[float, str]:
    """Run a command to completion and time it; any sign of failure raises BenchError.

    Output is captured (not discarded) so that the check can look at it and a failure can
    be explained; the floor is run the same way so both pay the same pipe costs.
    """
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"timed out after {COMMAND_TIMEOUT:g} s: {' '.join(argv)}") from exc
    elapsed = time.perf_counter() - start
    stdout = proc.stdout.decode("utf-8", "replace")
    if proc.returncode not in ok:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise BenchError(f"exit {proc.returncode}: {' '.join(argv)}\n{stderr[-2000:]}")
    if check is not None and not check(stdout):
        raise BenchError(f"unexpected output from {' '.join(argv)}:\n{stdout[:500]}")
    return elapsed, stdout


def json_with(key: str) -> Callable[[str], bool]:
    """A check that stdout is one JSON object holding `key`."""

    def check(stdout: str) -> bool:
        try:
            data = json.loads(stdout)
        except ValueError:
            return False
        return isinstance(data, dict) and key in data

    return check


def floor_runner(env: dict[str, str]) -> Runner:
    """`python -c pass`: the cost of starting this interpreter and nothing else."""
    argv = [sys.executable, "-c", "pass"]
    return lambda: run_checked(argv, env)[0]


def command_runner(
    argv: list[str],
    env: dict[str, str],
    check: Callable[[str], bool] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Runner:
    """Time a non-interactive command, having checked once that it works at all."""
    run_checked(argv, env, check, ok)
    return lambda: run_checked(argv, env, check, ok)[0]


def prepare_help(ctx: Context) -> Runner:
    return command_runner(
        [ctx.escalate, "--help"], ctx.env(ctx.home("help")), lambda out: "assess" in out
    )


def prepare_assess_json(ctx: Context) -> Runner:
    answers = ctx.write_json("assess-answers.json", ASSESS_ANSWERS)
    argv = [ctx.escalate, "assess", "--answers", str(answers), "--no-input", "--format", "json"]
    return command_runner(argv, ctx.env(ctx.home("assess-json")), json_with("verdict"))


def prepare_brief_json(ctx: Context) -> Runner:
    answers = ctx.write_json("brief-answers.json", BRIEF_ANSWERS)
    argv = [ctx.escalate, "brief", "--answers", str(answers), "--no-input", "--format", "json"]
    return command_runner(argv, ctx.env(ctx.home("brief-json")), json_with("manager_brief"))


LINT_DRAFT = """Hi Sam,

Thank you for your patience while we worked through the export failures.
Engineering will have it fixed by Friday, and I promise it won't happen again.
Our devs messed up the last release, which is why the totals were wrong.
I'll update you soon with the root cause.
In the meantime, the workaround is to run the export with the date filter off.

Best regards,
Dana
"""


def prepare_lint(ctx: Context) -> Runner:
    """`escalate lint` on a ten-line draft with findings (exit 1 says it found them)."""
    draft = ctx.home("lint-input") / "draft.txt"
    draft.write_text(LINT_DRAFT, encoding="utf-8")
    argv = [ctx.escalate, "lint", str(draft), "--format", "json"]
    return command_runner(
        argv, ctx.env(ctx.home("lint")), lambda out: '"eta_no_buffer"' in out, ok=(1,)
    )


def prepare_handover(ctx: Context) -> Runner:
    """Import a 10,000-note partner once, check it is all there, then time the handover."""
    notes = [
        {
            "kind": NOTE_KINDS[i % len(NOTE_KINDS)],
            "text": f"Note {i}: the partner expects a status update every {i % 7 + 1} days",
            "date": "2026-01-05",
            "link": "",
            "by": "",
        }
        for i in range(HANDOVER_NOTES)
    ]
    handover = {
        "format": "escalate-handover",
        "version": 1,
        "partner": "Big",
        "to": "",
        "exported": "2026-01-01T00:00:00+00:00",
        "missing_essentials": [],
        "notes": notes,
        "escalations": [],
        "commitments": [],
    }
    env = ctx.env(ctx.home("handover"))
    path = ctx.write_json("big-handover.json", handover)
    run_checked([ctx.escalate, "import", str(path)], env)
    _, listed = run_checked([ctx.escalate, "notes", "list", "Big", "--format", "json"], env)
    count = len(json.loads(listed))
    if count != HANDOVER_NOTES:
        raise BenchError(f"import stored {count} notes for Big, expected {HANDOVER_NOTES}")
    argv = [ctx.escalate, "handover", "Big", "--format", "markdown"]
    return command_runner(argv, env, lambda out: "# Handover: Big" in out)


def time_first_question(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from launch until the first question is drawn in a pseudo-terminal.

    The child gets a fresh session (so one killpg ends it and anything it started) with
    the pty slave as stdin, stdout and stderr, sized 24x80 before it starts. Output is
    read until the question's bytes appear; the ANSI codes around it are left alone.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
    except OSError:
        os.close(master)
        raise
    finally:
        os.close(slave)
    seen = bytearray()
    try:
        deadline = start + TTY_TIMEOUT
        while FIRST_QUESTION not in seen:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise BenchError(
                    f"no first question within {TTY_TIMEOUT:g} s; the terminal showed:\n"
                    f"{bytes(seen[-500:])!r}"
                )
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every slave end is closed, the child has exited
                chunk = b""
            if not chunk:
                code = proc.wait()
                raise BenchError(
                    f"exited ({code}) before the first question; the terminal showed:\n"
                    f"{bytes(seen[-500:])!r}"
                )
            seen += chunk
        return time.perf_counter() - start
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)


def prepare_assess_tty(ctx: Context) -> Runner:
    env = ctx.env(ctx.home("assess-tty"))
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    for name in ("COLUMNS", "LINES"):
        env.pop(name, None)
    argv = [ctx.escalate, "assess"]
    time_first_question(argv, env)
    return lambda: time_first_question(argv, env)


MEASUREMENTS = [
    Measurement("help", "escalate --help", 10.0, prepare_help),
    Measurement(
        "assess-tty", "escalate assess: launch to first question in a pty", 22.0, prepare_assess_tty
    ),
    Measurement(
        "assess-json",
        "escalate assess --answers FILE --no-input --format json",
        15.0,
        prepare_assess_json,
    ),
    Measurement(
        "brief-json",
        "escalate brief --answers FILE --no-input --format json",
        None,
        prepare_brief_json,
    ),
    Measurement("lint", "escalate lint DRAFT (ten lines) --format json", 20.0, prepare_lint),
    Measurement(
        "handover",
        f"escalate handover Big --format markdown ({HANDOVER_NOTES:,} notes)",
        40.0,
        prepare_handover,
    ),
]


def measure(ctx: Context, spec: Measurement, runs: int, warmup: int) -> Result:
    """Warm up, then time floor and command in alternation; stop at the first failure."""
    result = Result(spec.name, spec.description, spec.target)
    floor = floor_runner(ctx.env(ctx.home(f"{spec.name}-floor")))
    try:
        command = spec.prepare(ctx)
        for _ in range(warmup):
            floor()
            command()
        for _ in range(runs):
            floor_time = floor()
            command_time = command()
            result.floors.append(floor_time)
            result.times.append(command_time)
            result.ratios.append(command_time / floor_time)
    except BenchError as exc:
        result.error = str(exc)
    return result


def fail(message: str) -> NoReturn:
    """Exit 2 like escalate does for bad input: nothing was measured."""
    print(f"bench: error: {message}", file=sys.stderr)
    sys.exit(2)


def find_escalate(given: str | None) -> str:
    """The executable to test: --escalate, else next to this Python, else on PATH."""
    if given is not None:
        path = shutil.which(given) or given
        if not os.access(path, os.X_OK):
            fail(f"{given} is not an executable")
        return str(Path(path).resolve())
    beside = Path(sys.executable).parent / "escalate"
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("escalate")
    if found is None:
        fail("no escalate next to this Python or on PATH; give --escalate PATH")
    return found


def machine() -> dict[str, object]:
    """Where the figures came from: they mean little without it."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
    }


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(results: list[Result], floors: list[float], info: dict[str, object]) -> None:
    """A plain table that reads well in a terminal and in a CI log."""
    header = ("name", "median s", "min s", "max s", "ratio", "target", "status")
    rows = [header]
    for r in results:
        rows.append(
            (
                r.name,
                seconds(statistics.median(r.times) if r.times else None),
                seconds(min(r.times, default=None)),
                seconds(max(r.times, default=None)),
                "-" if r.ratio is None else f"{r.ratio:.1f}x",
                "-" if r.target is None else f"<= {r.target:g}x",
                r.status,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        rest = zip(row[1:], widths[1:], strict=True)
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in rest]
        print("  ".join(cells).rstrip())
    print()
    if floors:
        print(
            f"floor (python -c pass): median {statistics.median(floors):.4f} s, "
            f"min {min(floors):.4f} s, max {max(floors):.4f} s over {len(floors)} runs"
        )
    print(f"machine: {info['cpus']} CPUs, {info['platform']}")
    print(f"python: {info['python']} ({info['python_executable']})")
    print(f"escalate: {info['escalate']}")
    for r in results:
        if r.error is not None:
            print(f"\n{r.name} failed: {r.error}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time escalate's start-up and large-data paths against `python -c pass`."
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs each (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[m.name for m in MEASUREMENTS],
        help="run only this measurement (repeatable)",
    )
    parser.add_argument("--escalate", metavar="PATH", help="the escalate executable to time")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a target is missed or a command fails"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = machine()
    info["escalate"] = find_escalate(args.escalate)
    chosen = [m for m in MEASUREMENTS if not args.only or m.name in args.only]
    with tempfile.TemporaryDirectory(prefix="escalate-bench-") as scratch:
        ctx = Context(str(info["escalate"]), Path(scratch))
        results = []
        for spec in chosen:
            if not args.json:
                print(f"measuring {spec.name} ...", file=sys.stderr, flush=True)
            results.append(measure(ctx, spec, args.runs, args.warmup))
    floors = [t for r in results for t in r.floors]
    if args.json:
        document = {
            "runs": args.runs,
            "warmup": args.warmup,
            "machine": info,
            "floor": {
                "median": statistics.median(floors) if floors else None,
                "min": min(floors, default=None),
                "max": max(floors, default=None),
            },
            "measurements": [r.as_dict() for r in results],
        }
        print(json.dumps(document, indent=2))
    else:
        print_table(results, floors, info)
    missed = any(r.status in ("over", "failed") for r in results)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
