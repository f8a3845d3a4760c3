"""Heavy libraries stay off the start-up path: `escalate --help` must not pay for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import answers
from escalate_cli.playbook import bundled_path
from test_brief import ORDINARY

HEAVY = [
    "questionary",
    "prompt_toolkit",
    "jinja2",
    "rich",
    "pydantic",
    "yaml",
    "sqlite3",
    "psycopg",
]


def imported_after(statement: str) -> set[str]:
    code = (
        f"import sys, json; {statement}; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    loaded = imported_after("import escalate_cli.cli")
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_help_imports_no_heavy_library() -> None:
    statement = (
        "from escalate_cli.cli import app\n"
        "try:\n    app(['--help'], prog_name='escalate')\nexcept SystemExit:\n    pass"
    )
    code = (
        "import sys, json, io, contextlib\n"
        "buf = io.StringIO()\n"
        f"with contextlib.redirect_stdout(buf):\n    exec({statement!r})\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_the_local_store_never_loads_the_postgresql_driver(tmp_path) -> None:
    loaded = imported_after(
        f"from escalate_cli.store import open_store; from pathlib import Path; "
        f"open_store(Path({str(tmp_path)!r})).close()"
    )
    assert "sqlite3" in loaded and "psycopg" not in loaded


def imported_by_run(args: list[str], env: dict[str, str]) -> set[str]:
    """The top-level modules a whole command imports, run in a fresh interpreter."""
    code = (
        "import sys, json\n"
        "from escalate_cli.cli import main\n"
        f"sys.argv = ['escalate', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "sys.stderr.write('\\n' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.splitlines()[-1]))


def test_steady_runs_leave_validation_and_template_compiling_out(tmp_path: Path) -> None:
    """Once a playbook validated, `assess` loads it without YAML or pydantic and renders
    no template; `brief` renders from the kept code (test_template_cache: it is used)."""
    playbook = tmp_path / "team.yaml"  # not the bundled one: validated on its first run
    playbook.write_text(bundled_path().read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "ESCALATE_PLAYBOOK": str(playbook)}
    for command, given in (("assess", answers()), ("brief", ORDINARY)):
        path = tmp_path / f"{command}.json"
        path.write_text(json.dumps(given))
        args = [command, "-a", str(path), "--no-input", "-f", "json"]
        first = imported_by_run(args, env)
        assert "pydantic" in first, "the first run validates"
        loaded = imported_by_run(args, env)
        assert loaded.isdisjoint(["yaml", "pydantic", "questionary", "rich"]), loaded
        assert ("jinja2" in loaded) == (command == "brief")


def test_the_prompts_load_without_tls_and_leave_it_importable() -> None:
    loaded = imported_after("import escalate_cli.prompts")
    assert {"questionary", "prompt_toolkit", "asyncio"} <= loaded
    assert "ssl" not in loaded
    assert "ssl" in imported_after("import escalate_cli.prompts, ssl; ssl.create_default_context()")
