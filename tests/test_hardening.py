"""Attacks on the installed tool (issue 13): each reproduction runs as a real process
under a memory and time limit, so a crash, a runaway allocation or a hang fails the test.

Each asserts the exit code, that nothing stored changed, and that no traceback or user
content leaks into the error.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

MEMORY_LIMIT = 1 << 30  # bytes of address space per case
CPU_SECONDS = 30
WALL_SECONDS = 120


def installed() -> str:
    path = Path(sys.executable).parent / "escalate"
    return str(path) if path.exists() else "escalate"


def _limits() -> None:
    """Runs in the child before exec: a runaway case is killed, not waited for."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run(
    *args: str | bytes,
    home: Path,
    input: bytes | str = b"",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`escalate ARGS` as a user runs it, bounded in memory, CPU and wall time."""
    done = subprocess.run(
        [installed(), *args],
        input=input.encode() if isinstance(input, str) else input,
        capture_output=True,
        env={**os.environ, "ESCALATE_HOME": str(home), **(env or {})},
        cwd=cwd,
        timeout=WALL_SECONDS,
        preexec_fn=_limits,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def fails_cleanly(done: subprocess.CompletedProcess[str], code: int = 2) -> None:
    """The tool's own error: the exit code, a message and hint, no traceback."""
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    assert "escalate: error:" in done.stderr and "hint:" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "this is a bug" not in done.stderr


def snapshot(home: Path) -> dict[str, str]:
    """Every stored file (not caches or SQLite's side files) and its content hash."""
    if not home.exists():
        return {}
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and "cache" not in p.parts and not p.name.endswith(("-wal", "-shm"))
    }


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data home with one note in it, to show bad input changes nothing."""
    path = tmp_path / "home"
    done = run("notes", "add", "Acme", "--kind", "trigger", "per our policy", home=path)
    assert done.returncode == 0, done.stderr
    return path


# -- 1: deep nesting is refused before the C composer recurses -----------------------------

DEEP = {
    "flow": "[" * 60000,
    "flow_closed": "a: " + "[" * 2000 + "]" * 2000 + "\n",
    "block": "- " * 30000 + "x\n",
    "mapping": "a: " + "{a: " * 30000 + "}" * 30000 + "\n",
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deep_nesting_is_exit_2_every_way_in(home: Path, tmp_path: Path, shape: str) -> None:
    text = DEEP[shape]
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    before = snapshot(home)
    for args, env, stdin in (
        (("assess", "-a", "-", "--no-input"), {}, text),
        (("assess", "-a", str(path), "--no-input"), {}, ""),
        (("assess", "--playbook", str(path), "--no-input"), {}, ""),
        (("assess", "--no-input"), {"ESCALATE_PLAYBOOK": str(path)}, ""),
        (("playbook", "validate", str(path)), {}, ""),
    ):
        done = run(*args, home=home, env=env, input=stdin)
        fails_cleanly(done)
        assert "nesting" in done.stderr, done.stderr
    assert snapshot(home) == before
