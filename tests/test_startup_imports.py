"""Heavy libraries stay off the start-up path: `escalate --help` must not pay for them."""

from __future__ import annotations

import json
import subprocess
import sys

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
