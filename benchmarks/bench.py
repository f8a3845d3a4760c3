"""Start-up and throughput benchmarks for the `escalate` command-line tool.

Run from a checkout (standard library only, POSIX only because of the terminal test)::

    python benchmarks/bench.py                      # 15 timed runs after 2 warm-ups
    python benchmarks/bench.py --runs 7 --only help --only assess-tty
    python benchmarks/bench.py --escalate .venv/bin/escalate --json
    python benchmarks/bench.py --check              # exit 1 if a target is missed or a
                                                    # command fails (default: always 0)
    python benchmarks/bench.py --scale              # also the scale cases (1M notes)

`--escalate` defaults to the `escalate` next to this Python (so run it with the venv's
`python`), else the one on PATH.

What is measured is whole-process wall time, start to exit, because that is what a person
waits for minutes before a tough call. Absolute seconds depend on the machine, so every
figure is also given as a ratio to a floor: `python -c pass` with this Python, i.e. the
cost of starting an interpreter at all. Floor and command runs are interleaved (floor,
command, floor, command, ...) and the ratio is the median of the per-pair ratios, so a
machine that speeds up or slows down during the run moves both sides of each ratio.

Start-up measurements and their targets (ratio to the floor):

- `help`: `escalate --help`, at most 6x. `--help` must not import the heavy libraries.
- `assess-tty`: launch to the first question of `escalate assess` drawn in a
  pseudo-terminal, at most 14x. That is the wait before an interactive user can type.
- `assess-json`: `escalate assess --answers FILE --no-input --format json`, at most 8.5x.
  The scripted path: load the playbook, decide, print JSON.
- `brief-json`: `escalate brief --answers FILE --no-input --format json`, at most 10x.
- `lint`: `escalate lint DRAFT --format json` on a ten-line draft with findings, at most
  20x. The message coach's rules are compiled once per data folder, not once per run.
- `first-run`: `assess-json` in a data folder nobody used yet (a new one every run), so
  the playbook is validated in full, at most 14x.
- `lint-first-run`: `lint` in a data folder nobody used yet (a new one every run): the
  rules the draft needs are compiled then, at most 20x like `lint`.

Scale measurements (targets in seconds; `--scale` runs them, `--only` names them), on a
store of 1,000,000 notes over 3,000 partners. The store is built once, through the
public `escalate import` (one handover per partner), and kept outside the repository in
`$XDG_CACHE_HOME/escalate-bench` (default ~/.cache/escalate-bench; `--store DIR` moves
it): building it takes minutes. A newer escalate migrates it in place when it opens it.
Each run works on a copy-free read of that store: these commands only read it.

- `scale-partners`: `escalate partners` (3,000 rows), under 0.5 s.
- `scale-search`: `escalate notes search WORD` matching about 1,000 notes, under 0.5 s.
- `scale-handover`: `escalate handover Big --format markdown`, a 10,000-note partner,
  under 0.5 s.
- `scale-list`: `escalate notes list Huge` (100,000 notes) in a pseudo-terminal with
  PAGER=cat, launch to the last row, under 2 s; the child's peak memory is reported next
  to that of listing the 10,000-note partner, to show it stays flat.
- `scale-import`: `escalate import FILE` of a 100,000-note handover (format 2, with
  stable ids, as `escalate handover --format json` writes it) into an empty store, a new
  one each run (not the kept store); no target. Its peak memory is reported next to that
  of importing 10,000 notes, to show it stays flat.
- `lint-1mb`: `escalate lint DRAFT --format json` on 1 MB of a six-line paragraph in
  which every line has a finding (43,902 findings), under 1 s. Needs no store.
- `lint-1mb-varied`: the same on 1 MB of sentences that are all different (each names
  its own ticket number), so no sentence is met twice, under 1 s. Needs no store.

Every measurement gets an environment of its own: ESCALATE_HOME and XDG_CONFIG_HOME point
at temporary folders (never your real data or your own playbook), ESCALATE_PLAYBOOK and
any other ESCALATE_* variable are removed. So is PYTHONDONTWRITEBYTECODE: an installed
package has its bytecode, and an editable install writes it in the warm-ups, while with
that variable set every run compiles the project's source again (brief json 15.1x instead
of 10.8x on the machine of Dec 3). The home is kept across a measurement's runs, so
warm-ups create it and the timed runs see the steady state. A command that exits non-zero,
times out or prints something unexpected is reported as failed, never timed as if it were
fine. Other load on the machine adds noise that the ratio only partly cancels, so compare
figures taken on a quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import platform
import resource
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

COMMAND_TIMEOUT = 120.0
"""Seconds a non-interactive command may take before the run counts as failed."""

SCALE_RUNS = 5
"""Timed runs of a scale measurement at most (each can take seconds on a slow build)."""

SCALE_PARTNERS = 3_000
SCALE_NOTES = 1_000_000
HUGE_NOTES = 100_000
SCALE_BUILD = 1
"""Bump when the generated store changes, so an old kept store is not reused."""

SEARCH_WORD = "topic123"
"""One of 1,000 topic words spread evenly over the notes: about 1,000 matches."""

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

SOON = (dt.date.today() + dt.timedelta(days=7)).isoformat()
"""A due date a week from the day of the run: a date that has passed is promised nothing."""

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
        {"what": "send the hotfix plan", "owner": "Dana", "due": SOON},
        {"what": "confirm the schema change date", "owner": "Alex Kim", "due": SOON},
    ],
}


class BenchError(Exception):
    """A command failed, timed out or printed something unexpected: not a valid sample."""


@dataclass
class Context:
    """What every measurement needs: the executable under test and a scratch folder."""

    escalate: str
    scratch: Path
    store: Path = Path()
    notes: dict[str, str] = field(default_factory=dict)

    def env(self, home: Path) -> dict[str, str]:
        """An environment isolated from the user's data, config and playbook choice."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ESCALATE_") and k != "PYTHONDONTWRITEBYTECODE"
        }
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
    """A named command with an optional target, and how to prepare and time it.

    `target` is a ratio to the floor, or with `seconds` set, a median in seconds."""

    name: str
    description: str
    target: float | None
    prepare: Callable[[Context], Runner]
    seconds: bool = False
    scale: bool = False


@dataclass
class Result:
    """The figures of one measurement, or why it could not be measured."""

    name: str
    description: str
    target: float | None
    seconds: bool = False
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """CPU seconds (user + system) of each timed run's processes: less moved by other
    load on the machine than wall time."""
    floors: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    note: str = ""
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        figure = self.median if self.seconds else self.ratio
        if self.target is None or figure is None:
            return "-"
        return "ok" if figure <= self.target else "over"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "command": self.description,
            "median": self.median,
            "min": min(self.times, default=None),
            "max": max(self.times, default=None),
            "cpu_median": statistics.median(self.cpu) if self.cpu else None,
            "ratio": self.ratio,
            "target": self.target,
            "target_unit": "seconds" if self.seconds else "ratio",
            "status": self.status,
            "note": self.note,
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


def prepare_lint_first_run(ctx: Context) -> Runner:
    """`lint` in a new data folder every run: the patterns the draft needs compiled."""
    draft = ctx.home("lint-input") / "draft.txt"
    draft.write_text(LINT_DRAFT, encoding="utf-8")
    argv = [ctx.escalate, "lint", str(draft), "--format", "json"]

    def run() -> float:
        found = lambda out: '"eta_no_buffer"' in out  # noqa: E731
        return run_checked(argv, ctx.env(ctx.home("lint-first-run")), found, ok=(1,))[0]

    run()
    return run


LINT_DENSE = """Engineering will have it fixed by Friday.
I guarantee it won't happen again!!
Our devs messed up the release.
I'll update you soon.
This is URGENT, please reply ASAP.
The vendor will replace the hardware.
"""


def varied_draft(size: int) -> str:
    """`size` characters of sentences like LINT_DENSE's, each with its own number."""
    lines: list[str] = []
    number = length = 0
    while length < size:
        number += 1
        day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")[number % 5]
        for line in (
            f"Engineering will have ticket {number} fixed by {day}.",
            f"I guarantee invoice {number} won't be wrong again!!",
            f"Our devs messed up release {number}.",
            f"I'll update you soon about case {number}.",
            f"This is URGENT, please reply about order {number} ASAP.",
            f"The vendor will replace unit {number}.",
        ):
            lines.append(line + "\n")
            length += len(line) + 1
    return "".join(lines)[:size]


def prepare_lint_1mb(text: str) -> Callable[[Context], Runner]:
    """`escalate lint` on a 1 MB draft full of findings (exit 1 says it found them)."""

    def prepare(ctx: Context) -> Runner:
        draft = ctx.home("lint-1mb-input") / "draft.txt"
        draft.write_text(text, encoding="utf-8")
        argv = [ctx.escalate, "lint", str(draft), "--format", "json"]
        found = lambda out: '"inflated_urgency"' in out  # noqa: E731
        return command_runner(argv, ctx.env(ctx.home("lint-1mb")), found, ok=(1,))

    return prepare


def prepare_first_run(ctx: Context) -> Runner:
    """assess-json in a new data folder every run: the playbook validated in full."""
    answers = ctx.write_json("assess-answers.json", ASSESS_ANSWERS)
    argv = [ctx.escalate, "assess", "--answers", str(answers), "--no-input", "--format", "json"]

    def run() -> float:
        return run_checked(argv, ctx.env(ctx.home("first-run")), json_with("verdict"))[0]

    run()
    return run


def handover_document(partner: str, notes: list[dict[str, str]], index: int) -> dict[str, object]:
    """A format-1 handover (what `escalate handover --format json` writes) to import."""
    return {
        "format": "escalate-handover",
        "version": 1,
        "partner": partner,
        "to": "",
        "exported": "2026-01-01T00:00:00+00:00",
        "missing_essentials": [],
        "notes": notes,
        "escalations": [
            {
                "date": f"2026-{month:02d}-{index % 28 + 1:02d}",
                "kind": "assessment",
                "verdict": "escalate",
                "reasons": ["the deal is at risk"],
            }
            for month in (3, 6, 9)
        ],
        "commitments": [
            {
                "what": f"send the plan, part {k}",
                "owner": "Dana",
                "due": f"2026-12-{k + 1:02d}",
                "done_on": "2026-11-30" if k < 3 else "",
            }
            for k in range(5)
        ],
    }


def scale_notes(start: int, count: int) -> list[dict[str, str]]:
    """`count` notes numbered from `start`: kinds, dates and topic words spread evenly."""
    return [
        {
            "kind": NOTE_KINDS[i % len(NOTE_KINDS)],
            "text": f"Note {i}: the partner expects a status update every {i % 7 + 1} days "
            f"about topic{i % 1000}",
            "date": f"{2016 + i % 10}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
        }
        for i in range(start, start + count)
    ]


IMPORT_LOOP = """
import sys
from escalate_cli.cli import app
for path in sys.argv[1:]:
    try:
        app(["import", path], prog_name="escalate")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
"""
"""Runs `escalate import FILE` for many files in one process: the command's own code
path, without paying an interpreter start-up 3,000 times."""


def escalate_python(escalate: str) -> str:
    """The interpreter of the `escalate` script (from its #! line)."""
    with open(escalate, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace").strip()
    if not first.startswith("#!") or not os.access(first[2:].split()[0], os.X_OK):
        raise BenchError(f"{escalate} is not a Python script with a #! line")
    return first[2:].split()[0]


def build_store(ctx: Context, home: Path) -> None:
    """Fill `home` with SCALE_NOTES notes over SCALE_PARTNERS partners: Big (10,000
    notes), Huge (100,000), and the rest shared by the others, each partner with three
    escalations and five commitments (two done)."""
    python = escalate_python(ctx.escalate)
    env = ctx.env(home)
    rest = SCALE_NOTES - HANDOVER_NOTES - HUGE_NOTES
    others = SCALE_PARTNERS - 2
    plan = [("Big", HANDOVER_NOTES), ("Huge", HUGE_NOTES)] + [
        (f"Partner {i:04d}", rest // others + (1 if i < rest % others else 0))
        for i in range(others)
    ]
    start, batch = 0, []
    folder = Path(tempfile.mkdtemp(prefix="import-", dir=ctx.scratch))
    for index, (partner, count) in enumerate(plan):
        path = folder / f"{index}.json"
        path.write_text(json.dumps(handover_document(partner, scale_notes(start, count), index)))
        start += count
        batch.append(str(path))
        if len(batch) == 100 or index == len(plan) - 1:
            print(
                f"  building the scale store: {index + 1:,}/{len(plan):,} partners",
                file=sys.stderr,
                flush=True,
            )
            proc = subprocess.run(
                [python, "-c", IMPORT_LOOP, *batch], env=env, capture_output=True, check=False
            )
            if proc.returncode != 0:
                raise BenchError(f"import failed:\n{proc.stderr.decode()[-2000:]}")
            for done in batch:
                os.unlink(done)
            batch = []


def scale_home(ctx: Context) -> Path:
    """The kept scale store, built on first use (a half-built one is rebuilt)."""
    home = ctx.store / f"store-{SCALE_BUILD}"
    done = home / "built"
    if not done.exists():
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True, mode=0o700)
        print(f"building the scale store in {home} (once; minutes)", file=sys.stderr)
        build_store(ctx, home)
        done.write_text(f"{SCALE_NOTES} notes over {SCALE_PARTNERS} partners\n")
    return home


def write_import_file(path: Path, count: int) -> None:
    """A format-2 handover of `count` notes with stable ids, as an export writes it.
    Written a thousand notes at a time: a child inherits this process's peak memory in
    its own (Linux keeps the high-water mark across exec), so this one stays small."""
    head = json.dumps({**handover_document("Imported", [], 0), "version": 2}, indent=2)
    before, _, after = head.partition('"notes": []')
    with path.open("w", encoding="utf-8") as out:
        out.write(before + '"notes": [\n')
        for start in range(0, count, 1000):
            notes = scale_notes(start, min(1000, count - start))
            for i, note in enumerate(notes, start):
                note.update(uid=f"{i:032x}", link="", by="", updated="2026-01-01T00:00:00+00:00")
            text = ",\n".join(json.dumps(note, indent=2) for note in notes)
            out.write(("" if start == 0 else ",\n") + text)
        out.write("\n]" + after)


def time_with_peak(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds a command takes (it must exit 0) and its peak memory in KiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise BenchError(f"exit {proc.returncode}: {' '.join(argv)}\n{stderr.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss


def prepare_scale_import(ctx: Context) -> Runner:
    """Import into a new, empty store each run: what is timed is the import itself."""
    files = {}
    for count in (HANDOVER_NOTES, HUGE_NOTES):
        files[count] = ctx.scratch / f"import-{count}.json"
        write_import_file(files[count], count)

    def run(count: int) -> tuple[float, int]:
        argv = [ctx.escalate, "import", str(files[count])]
        return time_with_peak(argv, ctx.env(ctx.home("scale-import")))

    _, small_peak = run(HANDOVER_NOTES)
    _, huge_peak = run(HUGE_NOTES)
    ctx.notes["scale-import"] = (
        f"peak memory {huge_peak / 1024:.0f} MiB for 100,000 notes, "
        f"{small_peak / 1024:.0f} MiB for 10,000"
    )
    return lambda: run(HUGE_NOTES)[0]


def prepare_scale(args: list[str], check: Callable[[str], bool]) -> Callable[[Context], Runner]:
    def prepare(ctx: Context) -> Runner:
        return command_runner([ctx.escalate, *args], ctx.env(scale_home(ctx)), check)

    return prepare


def time_in_terminal(argv: list[str], env: dict[str, str], until: bytes) -> tuple[float, int]:
    """Seconds from launch until the child has printed `until` and exited, in a
    pseudo-terminal (24x80, output read and dropped as it comes), and its peak memory
    in KiB."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
    finally:
        os.close(slave)
    tail = b""
    seen = False
    try:
        while True:
            if time.perf_counter() - start > COMMAND_TIMEOUT:
                raise BenchError(f"timed out after {COMMAND_TIMEOUT:g} s: {' '.join(argv)}")
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the child has closed the terminal
                chunk = b""
            if not chunk:
                break
            tail = (tail + chunk)[-4096:]
            seen = seen or until in tail
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            proc.wait()
        os.close(master)
    if os.waitstatus_to_exitcode(status) != 0 or not seen:
        raise BenchError(f"{' '.join(argv)} failed in the terminal; it ended with:\n{tail!r}")
    return elapsed, usage.ru_maxrss


def prepare_scale_list(ctx: Context) -> Runner:
    env = ctx.env(scale_home(ctx))
    env.update(TERM="xterm", PAGER="cat")
    last = f"Note {HANDOVER_NOTES + HUGE_NOTES - 1}:".encode()
    argv = [ctx.escalate, "notes", "list", "Huge"]
    _, small_peak = time_in_terminal([ctx.escalate, "notes", "list", "Big"], env, b"Note 9999:")
    _, huge_peak = time_in_terminal(argv, env, last)
    ctx.notes["scale-list"] = (
        f"peak memory {huge_peak / 1024:.0f} MiB for 100,000 notes, "
        f"{small_peak / 1024:.0f} MiB for 10,000"
    )
    return lambda: time_in_terminal(argv, env, last)[0]


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
    Measurement("help", "escalate --help", 6.0, prepare_help),
    Measurement(
        "assess-tty", "escalate assess: launch to first question in a pty", 14.0, prepare_assess_tty
    ),
    Measurement(
        "assess-json",
        "escalate assess --answers FILE --no-input --format json",
        8.5,
        prepare_assess_json,
    ),
    Measurement(
        "brief-json",
        "escalate brief --answers FILE --no-input --format json",
        10.0,
        prepare_brief_json,
    ),
    Measurement("lint", "escalate lint DRAFT (ten lines) --format json", 20.0, prepare_lint),
    Measurement(
        "first-run", "assess-json in a new data folder (full validation)", 14.0, prepare_first_run
    ),
    Measurement(
        "lint-first-run", "lint (ten lines) in a new data folder", 20.0, prepare_lint_first_run
    ),
    Measurement(
        "lint-1mb",
        "escalate lint DRAFT --format json, 1 MB full of findings",
        1.0,
        prepare_lint_1mb((LINT_DENSE * (1_000_000 // len(LINT_DENSE) + 1))[:1_000_000]),
        seconds=True,
        scale=True,
    ),
    Measurement(
        "lint-1mb-varied",
        "escalate lint DRAFT --format json, 1 MB of different sentences with findings",
        1.0,
        prepare_lint_1mb(varied_draft(1_000_000)),
        seconds=True,
        scale=True,
    ),
    Measurement(
        "scale-partners",
        f"escalate partners ({SCALE_PARTNERS:,} partners, {SCALE_NOTES:,} notes)",
        0.5,
        prepare_scale(["partners"], lambda out: "Partner 2997" in out),
        seconds=True,
        scale=True,
    ),
    Measurement(
        "scale-search",
        f"escalate notes search {SEARCH_WORD} (about 1,000 of {SCALE_NOTES:,} notes)",
        0.5,
        prepare_scale(["notes", "search", SEARCH_WORD], lambda out: SEARCH_WORD in out),
        seconds=True,
        scale=True,
    ),
    Measurement(
        "scale-handover",
        f"escalate handover Big --format markdown ({HANDOVER_NOTES:,} notes)",
        0.5,
        prepare_scale(
            ["handover", "Big", "--format", "markdown"], lambda out: "# Handover: Big" in out
        ),
        seconds=True,
        scale=True,
    ),
    Measurement(
        "scale-list",
        f"escalate notes list Huge in a pty, PAGER=cat ({HUGE_NOTES:,} notes)",
        2.0,
        prepare_scale_list,
        seconds=True,
        scale=True,
    ),
    Measurement(
        "scale-import",
        f"escalate import FILE ({HUGE_NOTES:,} notes) into an empty store",
        None,
        prepare_scale_import,
        seconds=True,
        scale=True,
    ),
]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(ctx: Context, spec: Measurement, runs: int, warmup: int) -> Result:
    """Warm up, then time floor and command in alternation; stop at the first failure."""
    result = Result(spec.name, spec.description, spec.target, spec.seconds)
    floor = floor_runner(ctx.env(ctx.home(f"{spec.name}-floor")))
    if spec.scale:
        runs, warmup = min(runs, SCALE_RUNS), min(warmup, 1)
    try:
        command = spec.prepare(ctx)
        for _ in range(warmup):
            floor()
            command()
        for _ in range(runs):
            floor_time = floor()
            before = children_cpu()
            command_time = command()
            result.cpu.append(children_cpu() - before)
            result.floors.append(floor_time)
            result.times.append(command_time)
            result.ratios.append(command_time / floor_time)
    except BenchError as exc:
        result.error = str(exc)
    result.note = ctx.notes.get(spec.name, "")
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
    header = ("name", "median s", "min s", "max s", "cpu s", "ratio", "target", "status")
    rows = [header]
    for r in results:
        rows.append(
            (
                r.name,
                seconds(statistics.median(r.times) if r.times else None),
                seconds(min(r.times, default=None)),
                seconds(max(r.times, default=None)),
                seconds(statistics.median(r.cpu) if r.cpu else None),
                "-" if r.ratio is None else f"{r.ratio:.1f}x",
                "-" if r.target is None else f"<= {r.target:g}{' s' if r.seconds else 'x'}",
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
        if r.note:
            print(f"{r.name}: {r.note}")
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
    parser.add_argument(
        "--scale", action="store_true", help="also run the scale measurements (builds a store)"
    )
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="where the scale store is kept (default $XDG_CACHE_HOME/escalate-bench)",
    )
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
    chosen = [
        m for m in MEASUREMENTS if (m.name in args.only if args.only else args.scale or not m.scale)
    ]
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    store = Path(args.store or Path(cache) / "escalate-bench").expanduser().resolve()
    with tempfile.TemporaryDirectory(prefix="escalate-bench-") as scratch:
        ctx = Context(str(info["escalate"]), Path(scratch), store)
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
