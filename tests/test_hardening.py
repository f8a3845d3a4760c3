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

from test_brief import ORDINARY

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


def test_parse_checks_nesting_before_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Older libyaml has no nesting cap: the composer must never see a deep document."""
    import yaml

    from escalate_cli import safe_yaml

    def composer(*_: object, **__: object) -> None:
        raise AssertionError("composed a document deeper than the limit")

    monkeypatch.setattr(yaml, "compose", composer)
    for text in DEEP.values():
        with pytest.raises(safe_yaml.DocumentError, match="nest"):
            safe_yaml.parse(text, "deep.yaml")


# -- 2: thirty processes on a new store at once ----------------------------------------------


def _at_once(commands: list[list[str]], home: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "ESCALATE_HOME": str(home)}
    return [
        subprocess.Popen(
            [installed(), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_limits,
        )
        for args in commands
    ]


def _all_succeed(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        _, err = worker.communicate(timeout=WALL_SECONDS)
        assert worker.returncode == 0, err.decode()


@pytest.mark.parametrize("round_", range(3))
def test_thirty_first_uses_at_once_all_land(tmp_path: Path, round_: int) -> None:
    home = tmp_path / "home"
    workers = _at_once(
        [["notes", "add", "Acme", "--kind", "note", f"note {n}"] for n in range(30)], home
    )
    _all_succeed(workers)
    done = run("notes", "list", "Acme", "--format", "json", home=home)
    assert sorted(note["text"] for note in json.loads(done.stdout)) == sorted(
        f"note {n}" for n in range(30)
    )


def test_thirty_imports_at_once_all_land(tmp_path: Path) -> None:
    files = []
    for n in range(30):
        path = tmp_path / f"p{n}.json"
        path.write_text(json.dumps(handover_file(f"Partner {n}", notes=[note(f"fact {n}")])))
        files.append(path)
    home = tmp_path / "home"
    _all_succeed(_at_once([["import", str(path)] for path in files], home))
    done = run("partners", "--format", "json", home=home)
    assert len(json.loads(done.stdout)) == 30


def test_a_migration_between_two_reads_is_not_blamed_on_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the 30 processes hit now and then, made certain: another process finishes
    the migration right after this one's first look at the file."""
    from escalate_cli.store import sqlite

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    read = sqlite.Store._read
    raced: list[str] = []

    def read_then_race(self: sqlite.Store, sql: str, params: tuple[object, ...] = ()) -> object:
        rows = read(self, sql, params)
        if not raced:
            raced.append(sql)
            with sqlite.Store.open(home):  # the other process, migrating to the end
                pass
        return rows

    monkeypatch.setattr(sqlite.Store, "_read", read_then_race)
    with sqlite.Store.open(home) as store:
        store.add_note("Acme", "note", "kept")
        assert [n.text for n in store.notes("Acme")] == ["kept"]
    assert raced


def handover_file(partner: str, **groups: list[dict[str, object]]) -> dict[str, object]:
    return {
        "format": "escalate-handover",
        "version": 1,
        "partner": partner,
        "notes": [],
        "escalations": [],
        "commitments": [],
        **groups,
    }


def note(text: str, **fields: object) -> dict[str, object]:
    return {"kind": "note", "text": text, **fields}


# -- 3: --force never replaces a device or a named pipe ---------------------------------------


def test_force_writes_through_a_named_pipe(home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = run("handover", "Acme", "-o", str(fifo), "--force", home=home)
    out, _ = reader.communicate(timeout=WALL_SECONDS)
    assert done.returncode == 0, done.stderr
    assert b"per our policy" in out
    assert fifo.is_fifo()


def test_a_named_pipe_nobody_reads_is_exit_2_not_a_hang(home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    fails_cleanly(run("handover", "Acme", "-o", str(fifo), home=home))
    assert fifo.is_fifo()


def test_force_writes_through_a_link_to_a_device(home: Path, tmp_path: Path) -> None:
    run("follow-up", "add", "Acme", "send the plan", "--due", "2030-12-02", home=home)
    link = tmp_path / "out.ics"
    link.symlink_to(os.devnull)
    done = run("follow-up", "--ics", str(link), "--force", home=home)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.is_char_device()


# -- 4: template work is bounded; validate catches what it can -------------------------------


def playbook_with(default_text: str, template: str, tmp_path: Path) -> Path:
    """The bundled playbook with the manager brief template replaced."""
    start = default_text.index("  manager_brief: |\n")
    end = default_text.index("\n  customer_message:", start)
    body = "\n".join("    " + line for line in template.splitlines())
    path = tmp_path / "team.yaml"
    path.write_text(default_text[:start] + "  manager_brief: |\n" + body + default_text[end:])
    return path


WIDE = {
    "format_width": ("{{ '{0:>3000000000}'.format(customer) }}", "format: a width past"),
    "percent_width": ("{{ '%3000000000s'|format(customer) }}", "format: a width past"),
    "center": ("{{ customer.center(9**10) }}", "center: a width past"),
    "center_filter": ("{{ customer|center(9**10) }}", "center: a width past"),
    "macro_loops": (
        "{% macro m() %}{% for a in commitments %}{% for b in commitments %}{{ a.what }}"
        "{% endfor %}{% endfor %}{% endmacro %}{% for c in commitments %}{{ m() }}{% endfor %}",
        "loops nested more than 2 deep",
    ),
}


@pytest.mark.parametrize("kind", sorted(WIDE))
def test_validate_refuses_template_blowups(
    home: Path, tmp_path: Path, default_text: str, kind: str
) -> None:
    template, expected = WIDE[kind]
    path = playbook_with(default_text, template, tmp_path)
    done = run("playbook", "validate", str(path), home=home)
    fails_cleanly(done)
    assert expected in done.stderr


def test_a_render_that_grows_without_bound_is_stopped(
    home: Path, tmp_path: Path, default_text: str
) -> None:
    doubling = "{% set a = customer ~ customer %}" + "{% set a = a ~ a %}" * 40 + "{{ a|length }}"
    path = playbook_with(default_text, doubling, tmp_path)
    done = run(
        "brief",
        "--playbook",
        str(path),
        "--no-input",
        "-a",
        "-",
        home=home,
        input=json.dumps(ORDINARY),
    )
    fails_cleanly(done)
    assert "needed more than" in done.stderr


# -- 6: playbook text reaches the terminal only without control characters ------------------


def test_control_characters_in_playbook_text_are_refused(
    home: Path, tmp_path: Path, default_text: str
) -> None:
    hostile = default_text.replace(
        "    title: Escalate now", '    title: "Escalate now\\e]52;c;cHduZWQ=\\a\\e[2J"', 1
    )
    assert hostile != default_text
    path = tmp_path / "team.yaml"
    path.write_text(hostile)
    for args in (("playbook", "validate", str(path)), ("assess", "--playbook", str(path))):
        done = run(*args, home=home)
        fails_cleanly(done)
        assert "control character \\x1b" in done.stderr
        assert "\x1b" not in done.stderr + done.stdout


# -- 7: a data folder or cache others can change is refused ----------------------------------


def test_a_data_folder_others_can_write_is_refused(home: Path) -> None:
    before = snapshot(home)
    home.chmod(0o777)
    done = run("notes", "list", "Acme", home=home)
    fails_cleanly(done)
    assert "other users can write to it" in done.stderr and "chmod 700" in done.stderr
    home.chmod(0o700)
    assert snapshot(home) == before
    assert run("notes", "list", "Acme", home=home).returncode == 0


def test_a_cache_others_can_write_is_refused(home: Path) -> None:
    (home / "cache").mkdir(exist_ok=True)
    (home / "cache").chmod(0o757)
    fails_cleanly(run("assess", "--no-input", home=home))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_a_data_folder_of_another_user_is_refused(home: Path) -> None:
    os.chown(home, 65534, 65534)
    done = run("notes", "list", "Acme", home=home)
    fails_cleanly(done)
    assert "belongs to another user" in done.stderr


def test_a_planted_stamp_does_not_skip_validation(
    home: Path, tmp_path: Path, default_text: str
) -> None:
    from escalate_cli import __version__

    broken = default_text.replace("when: cancel_threat", "when: no_such_question", 1)
    assert broken != default_text
    path = tmp_path / "team.yaml"
    path.write_text(broken)
    digest = hashlib.sha256(f"{__version__}\0{broken}".encode()).hexdigest()
    stamps = home / "cache" / "validated"
    stamps.mkdir(parents=True, exist_ok=True)
    for name in (digest, f"{digest}.templates"):
        (stamps / name).touch()
    done = run("assess", "--playbook", str(path), "--no-input", "-a", "-", home=home, input="{}")
    fails_cleanly(done)
    assert "no_such_question" in done.stderr


# -- 8: a damaged store is refused before anything is written --------------------------------


def test_a_damaged_store_is_not_written_to(tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = tmp_path / "many.json"
    notes = [note(f"fact number {n} " * 4, date="2026-01-01") for n in range(2000)]
    source.write_text(json.dumps(handover_file("Acme", notes=notes)))
    assert run("import", str(source), home=home).returncode == 0
    db = home / "escalate.db"
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(bytes(range(256)) * 16)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    done = run("notes", "add", "Acme", "--kind", "note", "one more", home=home)
    fails_cleanly(done)
    assert "damaged" in done.stderr and "backup" in done.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_the_integrity_check_is_remembered_until_the_file_changes(tmp_path: Path) -> None:
    from escalate_cli.store import sqlite

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    with sqlite.Store.open(home) as store:
        store.add_note("Acme", "note", "first")
    stamp = home / "cache" / "store-checked"
    assert sqlite._read_stamp(stamp) == sqlite._file_state(home / "escalate.db")
    with (home / "escalate.db").open("ab") as handle:
        handle.write(b"\0")
    assert sqlite._read_stamp(stamp) != sqlite._file_state(home / "escalate.db")


# -- 10: one year range, however a date comes in --------------------------------------------


def test_a_far_future_date_is_refused_by_import(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(
        json.dumps(handover_file("Globex", commitments=[{"what": "x", "due": "9999-12-31"}]))
    )
    before = snapshot(home)
    done = run("import", str(path), home=home)
    fails_cleanly(done)
    assert "commitments[0].due: '9999-12-31' is outside the years 1900-2999" in done.stderr
    assert snapshot(home) == before


def test_a_far_future_yaml_date_in_answers_is_refused(home: Path) -> None:
    text = "\n".join(
        f"{key}: {json.dumps(value)}" for key, value in ORDINARY.items() if key != "commitments"
    )
    text += "\ncommitments:\n  - what: send the plan\n    due: 9999-12-31\n"
    done = run("brief", "--no-input", "-a", "-", home=home, input=text)
    fails_cleanly(done)
    assert "9999-12-31 is outside the years 1900-2999" in done.stderr


def test_a_stored_far_future_date_does_not_break_the_calendar(home: Path, tmp_path: Path) -> None:
    import sqlite3

    run("follow-up", "add", "Acme", "send the plan", "--due", "2030-12-02", home=home)
    run("follow-up", "add", "Acme", "someday", "--due", "2030-12-03", home=home)
    with sqlite3.connect(home / "escalate.db") as db:  # as an older version let it in
        db.execute("UPDATE commitments SET due = '9999-12-31' WHERE what = 'someday'")
    out = tmp_path / "c.ics"
    done = run("follow-up", "--ics", str(out), home=home)
    assert done.returncode == 0, done.stderr
    assert "left out of the calendar" in done.stderr
    from icalendar import Calendar

    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Acme: send the plan"]


# -- 11: input at fault is exit 2, never "this is a bug" -------------------------------------


def test_a_full_disk_is_exit_2(home: Path, tmp_path: Path) -> None:
    fails_cleanly(run("handover", "Acme", "-o", "/dev/full", home=home))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [installed(), "handover", "Acme"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "ESCALATE_HOME": str(home)},
            timeout=WALL_SECONDS,
        )
    fails_cleanly(subprocess.CompletedProcess(done.args, done.returncode, "", done.stderr))
    assert "No space left" in done.stderr


def test_a_file_too_big_for_the_disk_leaves_nothing_behind(home: Path, tmp_path: Path) -> None:
    """RLIMIT_FSIZE stands in for a full disk: the write fails part way."""
    import resource
    import signal

    run("notes", "add", "Acme", "--kind", "note", "long " * 2000, home=home)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = tmp_path / "exports" / "acme.md"
    out.parent.mkdir()
    done = subprocess.run(
        [installed(), "handover", "Acme", "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "ESCALATE_HOME": str(home)},
        preexec_fn=small_files,
        timeout=WALL_SECONDS,
    )
    fails_cleanly(subprocess.CompletedProcess(done.args, done.returncode, "", done.stderr))
    assert list(out.parent.iterdir()) == []


def test_an_argument_that_is_not_utf8_is_exit_2(home: Path) -> None:
    before = snapshot(home)
    done = run("notes", "add", "Acme", "--kind", "note", b"\xff", home=home)
    fails_cleanly(done)
    assert "not valid UTF-8" in done.stderr
    assert snapshot(home) == before


def test_a_lone_surrogate_is_exit_2(home: Path, tmp_path: Path) -> None:
    fails_cleanly(run("assess", "--no-input", "-a", "-", home=home, input='{"issue": "\\ud800"}'))
    path = tmp_path / "h.json"
    path.write_text('{"format": "escalate-handover", "version": 1, "partner": "\\ud800"}')
    before = snapshot(home)
    done = run("import", str(path), home=home)
    fails_cleanly(done)
    assert "lone surrogate" in done.stderr
    assert snapshot(home) == before


@pytest.mark.parametrize("group", ["notes", "escalations", "commitments"])
def test_an_import_group_that_is_not_a_list_is_exit_2(
    home: Path, tmp_path: Path, group: str
) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps({**handover_file("Acme"), group: 5}))
    done = run("import", str(path), home=home)
    fails_cleanly(done)
    assert f"`{group}` must be a list" in done.stderr


def test_a_partner_name_with_control_characters_is_not_imported(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps(handover_file("Acme\x1b[2J")))
    done = run("import", str(path), home=home)
    fails_cleanly(done)
    assert "control character \\x1b" in done.stderr


# -- 12: temporary files of killed writes are swept -----------------------------------------


def test_stale_temporary_files_of_ours_are_swept(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    stale, fresh = folder / ".acme.md.k3j9x0_a.tmp", folder / ".acme.md.q8w7e6r5.tmp"
    other = folder / ".someone-else.tmp"
    for path in (stale, fresh, other):
        path.write_text("partial notes")
    old = 1_000_000_000
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert run("handover", "Acme", "-o", str(folder / "acme.md"), home=home).returncode == 0
    assert not stale.exists() and fresh.exists() and other.exists()


# -- 13: JSON and calendars carry no raw control characters ----------------------------------


def test_json_escapes_bidi_and_c1_losslessly(home: Path) -> None:
    text = "refund \u202eevil\u202c \u009b2J done"
    assert run("notes", "add", "Acme", "--kind", "note", text, home=home).returncode == 0
    for args in (("notes", "list", "Acme", "--format", "json"), ("handover", "Acme", "-f", "json")):
        done = run(*args, home=home)
        assert done.returncode == 0, done.stderr
        assert "\u202e" not in done.stdout and "\u009b" not in done.stdout
        assert "\\u202e" in done.stdout and "\\u009b" in done.stdout
        assert text in json.dumps(json.loads(done.stdout), ensure_ascii=False)


def test_calendars_carry_no_escape_characters(home: Path, tmp_path: Path) -> None:
    run("follow-up", "add", "Acme", "plan \x1b[2J now", "--due", "2030-12-02", home=home)
    out = tmp_path / "c.ics"
    assert run("follow-up", "--ics", str(out), home=home).returncode == 0
    raw = out.read_bytes()
    assert b"\x1b" not in raw and b"plan \\\\x1b[2J now" in raw.replace(b"\r\n ", b"")


def test_calendars_are_imported_only_when_asked_for(home: Path) -> None:
    code = (
        "import sys; from escalate_cli.cli import main; sys.argv = ['escalate', 'follow-up']; "
        "import contextlib\n"
        "with contextlib.suppress(SystemExit): main()\n"
        "print('icalendar' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "ESCALATE_HOME": str(home)},
        timeout=WALL_SECONDS,
    )
    assert done.stdout.strip().endswith("False"), done.stderr


# -- 15: hints that fit the problem ----------------------------------------------------------


def test_hints_fit_the_problem(home: Path, tmp_path: Path, default_text: str) -> None:
    many = tmp_path / "many.yaml"
    many.write_text("a: [" + ", ".join(["x"] * 100_001) + "]\n")
    done = run("playbook", "validate", str(many), home=home)
    fails_cleanly(done)
    assert "split the file" in done.stderr
    bad_regex = tmp_path / "regex.yaml"
    start = default_text.index("      patterns:\n") + len("      patterns:\n")
    bad_regex.write_text(default_text[:start] + "        - '(unclosed'\n" + default_text[start:])
    done = run("playbook", "validate", str(bad_regex), home=home)
    fails_cleanly(done)
    assert "not a valid regular expression" in done.stderr
    assert "fix the ids" not in done.stderr


def test_raw_playbook_text_reaches_a_terminal_visibly(home: Path, tmp_path: Path) -> None:
    """`playbook show --raw` prints a file nobody validated: on a terminal, escapes show."""
    import pexpect

    path = tmp_path / "team.yaml"
    path.write_bytes(b"name: x\x1b]52;c;cHduZWQ=\x07\x1b[2J\xe2\x80\xae end\n")
    child = pexpect.spawn(
        installed(),
        ["playbook", "show", "--raw", "--playbook", str(path)],
        env={**os.environ, "ESCALATE_HOME": str(home)},
        timeout=WALL_SECONDS,
    )
    child.expect(pexpect.EOF)
    shown = child.before
    assert b"\x1b" not in shown and b"\x07" not in shown and "\u202e".encode() not in shown
    assert b"\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\u202e end" in shown
