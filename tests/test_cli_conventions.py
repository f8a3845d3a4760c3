"""Command-line conventions: usage errors in the tool's words, help that lists each
command once, argument names as words, shell completion, dates in both directions and
drafts listed by name."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from escalate_cli.cli import app
from escalate_cli.files import Drafts, home_dir

MONDAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize(
    ("args", "message", "usage"),
    [
        (["notes", "add"], "missing argument 'PARTNER'", "escalate notes add [OPTIONS]"),
        (["assess", "--format", "xml"], "invalid value for '--format'", "escalate assess"),
        (["lint", "--bogus"], "no such option: --bogus", "escalate lint [OPTIONS] [FILE]"),
        (["nots"], "no such command 'nots'", "escalate [OPTIONS] COMMAND"),
        (["notes", "remove", "0"], "invalid value for 'ID'", "escalate notes remove"),
        (["drafts", "remove", "lint"], "invalid value for 'COMMAND'", "escalate drafts remove"),
    ],
)
def test_usage_errors_speak_in_the_tools_words(runner, args, message, usage) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("escalate: error: ") and message in lines[0]
    assert lines[1].startswith("  hint: usage: ") and usage in lines[1]
    assert "Usage:" not in result.stderr and "Error:" not in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


SOURCE = Path(__file__).resolve().parents[1] / "src" / "escalate_cli"


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of the classes that derive from EscalateError and take the hint as their
    second argument (one with an `__init__` of its own makes its hint itself).
    InterruptedByUser is left out: an interruption is said without "error:" or a hint."""
    found, plain = {"EscalateError"}, {"EscalateError"}
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                bases = {getattr(base, "id", "") for base in getattr(node, "bases", [])}
                if isinstance(node, ast.ClassDef) and node.name not in found and bases & found:
                    found.add(node.name)
                    grown = True
                    own_init = any(
                        isinstance(item, ast.FunctionDef) and item.name == "__init__"
                        for item in node.body
                    )
                    if not own_init and bases & plain:
                        plain.add(node.name)
    return plain - {"InterruptedByUser"}


def test_every_error_the_tool_raises_has_a_hint() -> None:
    """The README promises a `hint:` line under every error; an error made with only a
    message printed none."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCE.rglob("*.py")}
    errors = _error_classes(trees)
    assert {"EscalateError", "StoreError", "DocumentError"} <= errors
    hintless = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in errors:
                continue
            hint = node.args[1] if len(node.args) > 1 else None
            hint = next((k.value for k in node.keywords if k.arg == "hint"), hint)
            if hint is None or (isinstance(hint, ast.Constant) and not hint.value):
                hintless.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert hintless == []


def test_an_empty_commitment_is_refused_before_anything_else_is_said(runner) -> None:
    result = runner.invoke(app, ["follow-up", "add", "NWL", " ", "--due", "2999-01-01"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "escalate: error: a commitment needs to say what was promised",
        '  hint: say what was promised, e.g. "send the hotfix plan"',
    ]


def test_the_playbook_group_says_what_its_subcommands_do(runner) -> None:
    """Its help said "Check, show and choose" with no command to choose one."""
    result = runner.invoke(app, ["playbook", "--help"])
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())
    assert "choose the playbook" not in words
    assert "Check or show the playbook" in words and "--playbook PATH" in words


def installed(*args: str) -> subprocess.CompletedProcess[str]:
    """`escalate ARGS` as a shell runs it: click's usage errors, with the real argv."""
    return subprocess.run(
        [sys.executable, "-m", "escalate_cli", *args], capture_output=True, text=True, check=False
    )


def test_usage_errors_of_the_installed_command_exit_2() -> None:
    done = installed("follow-up", "add", "Acme")
    assert done.returncode == 2
    assert done.stderr.startswith("escalate: error: missing argument 'WHAT'")


def test_a_commands_option_given_before_it_says_where_it_goes() -> None:
    """A reviewer typed `escalate --playbook team.yaml brief`: the option is `brief`'s, and
    the hint says so, with the command typed; an option no command has keeps the usage."""
    done = installed("--playbook", "team.yaml", "brief")
    assert done.returncode == 2
    assert "no such option: --playbook" in done.stderr
    assert "an option of `assess`, `brief`" in done.stderr
    assert "e.g. `escalate brief --playbook …`" in done.stderr
    unknown = installed("--bogus", "brief")
    assert unknown.returncode == 2 and "`escalate --help` explains" in unknown.stderr


def test_the_top_level_help_lists_each_command_once(runner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = [
        "assess", "brief", "handover", "import", "outcome", "partners", "lint",
        "notes", "drafts", "follow-up", "playbook",
    ]  # fmt: skip
    for name in commands:
        listed = re.findall(rf"^\s+(?:escalate )?{re.escape(name)}\s", result.stdout, re.M)
        assert len(listed) == 1, (name, result.stdout)
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["notes", "add"], "PARTNER} [TEXT]"),
        (["notes", "edit"], "ID}"),
        (["follow-up", "add"], "PARTNER} {WHAT}"),
        (["handover"], "PARTNER}"),
        (["import"], "FILE}"),
        (["notes", "search"], "WORDS...}"),
        (["drafts", "remove"], "COMMAND} [NAME]"),
    ],
)
def test_argument_names_read_as_words(runner, args, usage) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert usage in result.stdout.splitlines()[0]
    assert not re.search(r"<(str|path|int)>", result.stdout)  # no types where words belong


def test_show_completion_prints_a_script_for_the_shell(runner, monkeypatch) -> None:
    """typer finds the shell from the process tree (the word after the option is not
    read), so the test names it: run with no shell above it, detection fails."""
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    result = runner.invoke(app, ["--show-completion"])
    assert result.exit_code == 0
    assert "_ESCALATE_COMPLETE" in result.stdout and "complete " in result.stdout


def test_notes_look_back_and_due_dates_look_ahead(runner, monkeypatch) -> None:
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: MONDAY)
    for date, text in [("monday", "call today"), ("last friday", "slipped"), (None, "undated")]:
        extra = ["--date", date] if date else []
        result = runner.invoke(app, ["notes", "add", "Acme", "--kind", "note", text, *extra])
        assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["notes", "list", "acme", "-f", "json"]).stdout)
    assert {n["text"]: n["date"] for n in listed} == {
        "slipped": "2026-11-13",
        "call today": "2026-11-16",  # --date monday on a Monday: today
        "undated": "2026-11-16",  # no --date: today
    }
    added = runner.invoke(app, ["follow-up", "add", "Acme", "x", "--due", "monday"])
    assert added.exit_code == 0 and "due Mon 2026-11-23" in added.stderr  # ahead: next week
    bad = runner.invoke(app, ["notes", "add", "Acme", "--kind", "note", "y", "--date", "13/1"])
    assert bad.exit_code == 2 and "month/day/year" in bad.stderr


def save_draft(name: str, count: int, command: str = "brief") -> None:
    answers = dict(list({"customer": name, "issue": "x", "sentiment": "y"}.items())[:count])
    Drafts(home_dir()).save(command, name, answers, {})


def test_drafts_lists_and_removes_by_name(runner) -> None:
    save_draft("Acme Corp", 3)
    save_draft("Globex", 1)
    listed = runner.invoke(app, ["drafts", "--format", "json"])
    assert listed.exit_code == 0
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["Acme Corp"]["answers"] == 3
    assert rows["Acme Corp"]["resume"] == "escalate brief --resume --partner 'Acme Corp'"
    terminal = runner.invoke(app, ["drafts"])
    assert "3 answers" in terminal.stdout and "1 answer " in terminal.stdout
    removed = runner.invoke(app, ["drafts", "remove", "brief", "acme corp"])
    assert removed.exit_code == 0 and "removed the `brief` draft about acme corp" in removed.stderr
    assert [
        row["name"] for row in json.loads(runner.invoke(app, ["drafts", "-f", "json"]).stdout)
    ] == ["Globex"]
    again = runner.invoke(app, ["drafts", "remove", "brief", "Acme Corp"])
    assert again.exit_code == 2 and "no `brief` draft about Acme Corp" in again.stderr
    misplaced = runner.invoke(app, ["drafts", "--format", "json", "remove", "brief", "Globex"])
    assert misplaced.exit_code == 2 and "--format belongs to the list of drafts" in misplaced.stderr
    assert Drafts(home_dir()).find("brief", "Globex") is not None


def test_resume_without_a_terminal_needs_a_name_when_several_are_kept(runner) -> None:
    save_draft("Acme Corp", 3)
    save_draft("Globex", 1)
    several = runner.invoke(app, ["brief", "--resume", "--no-input"])
    assert several.exit_code == 2
    assert "2 drafts of `brief` are kept; which one?" in several.stderr
    assert "--resume --partner" in several.stderr
    named = runner.invoke(app, ["brief", "--resume", "--partner", "globex", "--no-input"])
    assert named.exit_code == 2  # the draft is found; what it lacks is named
    assert "missing answers for: issue" in named.stderr
    unknown = runner.invoke(app, ["brief", "--resume", "--partner", "Initech", "--no-input"])
    assert unknown.exit_code == 2 and "no saved draft for `brief` about Initech" in unknown.stderr
