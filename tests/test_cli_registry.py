"""The lazy command registry: `escalate --help` lists every command with the help its
module gives, and a run builds only the command it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from escalate_cli import cli


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_each_entry_builds_with_the_line_the_listing_shows(name: str) -> None:
    command = cli.build_command(name)
    assert command.name == name
    assert command.get_short_help_str(limit=45) == cli.COMMANDS[name][1]
    assert command.callback is not None or command.list_commands(None)


def test_help_lists_every_command_in_registry_order() -> None:
    result = CliRunner().invoke(cli.app, ["--help"], prog_name="escalate")
    assert result.exit_code == 0
    listed = result.output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == list(cli.COMMANDS)


def test_a_typo_still_gets_a_suggestion() -> None:
    result = CliRunner().invoke(cli.app, ["asses"], prog_name="escalate")
    assert result.exit_code == 2
    assert "Did you mean 'assess'?" in result.output


def loaded_command_modules(args: list[str]) -> list[str]:
    """The escalate_cli.commands modules a run of `escalate ARGS` imported."""
    code = (
        "import sys, json, io, contextlib\n"
        "from escalate_cli.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        app({args!r}, prog_name='escalate')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "mods = [m for m in sys.modules if m.startswith('escalate_cli.commands.')]\n"
        "print(json.dumps(sorted(mods)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_help_imports_no_command_module() -> None:
    assert loaded_command_modules(["--help"]) == ["escalate_cli.commands.common"]


def test_a_command_imports_its_own_module_only() -> None:
    assert loaded_command_modules(["notes", "--help"]) == [
        "escalate_cli.commands.common",
        "escalate_cli.commands.memory",
    ]


def test_the_program_ends_early_only_with_all_output_written(tmp_path) -> None:
    """`run` skips interpreter shutdown after a success: the output must be complete."""
    from escalate_cli.store import Store

    home = tmp_path / "home"
    home.mkdir()
    notes = [{"kind": "note", "text": f"call {i} " + "x" * 200} for i in range(3000)]
    with Store.open(home) as store:
        store.import_records("Big", notes, [], [])
    env = {**os.environ, "ESCALATE_HOME": str(home)}
    program = [sys.executable, "-m", "escalate_cli"]
    done = subprocess.run(
        [*program, "notes", "list", "Big", "-f", "json"], capture_output=True, env=env
    )
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 3000
    failed = subprocess.run([*program, "notes", "list", "Nobody"], capture_output=True, env=env)
    assert failed.returncode == 2 and b"no partner named 'Nobody'" in failed.stderr
