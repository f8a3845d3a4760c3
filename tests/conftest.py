"""Shared fixtures: every test runs with its own data home and the bundled playbook."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from escalate_cli import classify
from escalate_cli.playbook import Lint, Playbook, bundled_path, load

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


MODEL_RULES = ["blame", "over_promise", "eta_no_buffer", "others_work", "vague_commitment"]
"""The rules of the small lint models tests write (a model may leave a rule out)."""


def write_model(path: Path, table: dict[str, list[float]], **fields: object) -> Path:
    """A small lint model over MODEL_RULES (plus `fields` replacing or adding top-level fields)."""
    document = {
        "format": classify.FORMAT,
        "features": classify.FEATURES,
        "trained_on": {},
        "rules": MODEL_RULES,
        "bias": [-1.0] * len(MODEL_RULES),
        "threshold": [1.0] * len(MODEL_RULES),
        "names": list(table),
        "weights": classify.encode_weights(table.values()),
        **fields,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def toy_coach(coach: Lint, model: Path, **changes: Any) -> Lint:
    """`coach` (with `changes`) reading a small model of `write_model`, with every rule's
    `second_look` off: a toy model's scores are not on the shipped model's scale (a rule
    it gives no weight scores its bias, 2 below its threshold, in every sentence)."""
    rules = changes.pop("rules", coach.rules)
    rules = tuple(dataclasses.replace(rule, second_look=0.0) for rule in rules)
    return dataclasses.replace(coach, rules=rules, model=str(model), **changes)


def load_benchmark(name: str) -> ModuleType:
    """A script of benchmarks/ (standard library scripts, not a package) as a module."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


CHECKLIST = [
    "tried_to_resolve",
    "knows_root_cause",
    "communicated_transparently",
    "clear_ask",
    "right_time",
    "manager_briefed",
]
SIGNALS = [
    "cancel_threat",
    "relationship_at_risk",
    "needs_leadership_authority",
    "asked_for_manager",
    "beyond_your_ability",
    "deal_at_risk",
]
ASSESS_IDS_NO = {
    "tried_to_resolve": False,
    "knows_root_cause": False,
    "communicated_transparently": False,
    "clear_ask": False,
    "right_time": False,
    "manager_briefed": False,
    "cancel_threat": False,
    "relationship_at_risk": False,
    "needs_leadership_authority": False,
    "asked_for_manager": False,
    "beyond_your_ability": False,
    "deal_at_risk": False,
    "routine_technical_issue": False,
    "just_venting": False,
    "your_level": False,
    "customer_checked_out": False,
    "triggers": [],
}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ESCALATE_HOME", str(home))
    monkeypatch.delenv("ESCALATE_PLAYBOOK", raising=False)
    monkeypatch.delenv("ESCALATE_DATABASE_URL", raising=False)
    monkeypatch.delenv("ESCALATE_TEAM", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PAGER", "cat")  # a test that pages says which pager
    return home


@pytest.fixture(scope="session")
def book() -> Playbook:
    return load(bundled_path())


@pytest.fixture(scope="session")
def default_text() -> str:
    return bundled_path().read_text(encoding="utf-8")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def answers(**overrides: object) -> dict[str, object]:
    """A full set of assess answers: everything no, except what the test says."""
    return {**ASSESS_IDS_NO, **overrides}


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# -- engines: store and command tests run against SQLite and PostgreSQL ----------------------
# A test that asks for `engine` (directly or through `store`) runs once per engine, unless
# marked `sqlite_only` (files, permissions, corruption: things only a local file has).
# PostgreSQL needs a server: ESCALATE_TEST_PG_DSN names a superuser connection to one
# (`eval "$(.ci/postgres start /tmp/escalate-pg)"` starts a throwaway one). Without it those
# tests skip, unless ESCALATE_REQUIRE_POSTGRES=1 (CI), which makes the skip a failure.

# logins and their teams; `boss` holds escalate_admin and is in no team
LOGINS = {"alice": ("Red",), "bob": ("Blue",), "carol": ("Red",), "dave": ("Red", "Blue")}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs against the local store only")
    # a shell runs a background job (`pytest &`) with Ctrl-C ignored, and the commands the
    # tests start would inherit that: the tests of Ctrl-C would wait out their timeouts.
    # Python's own handler is reset to the default in a started command, as in a terminal
    # (and the run itself stops on Ctrl-C again)
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        engines = ["sqlite"] if only else ["sqlite", "postgres"]
        metafunc.parametrize("engine", engines, indirect=True)


class PgServer:
    """A test database on the server, with a login per team and an admin login."""

    def __init__(self, superuser_dsn: str, dbname: str, prefix: str) -> None:
        self.superuser_dsn = superuser_dsn
        self.dbname = dbname
        self.prefix = prefix

    def login(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def dsn(self, name: str | None = None, dbname: str | None = None) -> str:
        """libpq settings for a login (the superuser when None) on the test database."""
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        params = conninfo_to_dict(self.superuser_dsn)
        params["dbname"] = dbname or self.dbname
        if name is not None:
            params["user"] = self.login(name)
        return make_conninfo("", **params)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    dsn = os.environ.get("ESCALATE_TEST_PG_DSN")
    reason = "PostgreSQL tests need a server: set ESCALATE_TEST_PG_DSN (see .ci/postgres)"
    if not dsn:
        if os.environ.get("ESCALATE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (ESCALATE_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    import psycopg

    from escalate_cli.store.postgres import PostgresStore

    server = PgServer(dsn, f"escalate_test_{os.getpid()}", "escalate_test_")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {server.dbname}")
        admin.execute(f"CREATE DATABASE {server.dbname}")
        for name in (*LOGINS, "boss"):
            role = server.login(name)
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f"CREATE ROLE {role} LOGIN")
    PostgresStore.open(server.dsn(), migrate=True).close()
    with psycopg.connect(server.dsn(), autocommit=True) as owner:
        owner.execute(f"GRANT escalate_admin TO {server.login('boss')}")
    with PostgresStore.open(server.dsn("boss")) as boss:
        for name, teams in LOGINS.items():
            for team in teams:
                boss.add_team(team)
                boss.grant(team, server.login(name))
    yield server
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {server.dbname} WITH (FORCE)")


@contextlib.contextmanager
def scratch_database(
    pg_server: PgServer, suffix: str, schema: int = 0, rows: str = ""
) -> Iterator[str]:
    """A database of the test's own (its libpq settings), dropped afterwards; with
    `schema`, holding that version of the team schema as an older escalate left it, and
    `rows` (SQL) in it."""
    import psycopg

    from escalate_cli.store.postgres import MIGRATIONS

    dbname = pg_server.dbname + suffix
    with psycopg.connect(pg_server.superuser_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {dbname}")
        admin.execute(f"CREATE DATABASE {dbname}")
    try:
        dsn = pg_server.dsn(dbname=dbname)
        if schema:
            with psycopg.connect(dsn) as conn:
                conn.execute("CREATE SCHEMA escalate")
                conn.execute("SET search_path = escalate")
                conn.execute("CREATE TABLE migrations (version integer PRIMARY KEY)")
                for step in (step for steps in MIGRATIONS[:schema] for step in steps):
                    conn.execute(str(step))
                conn.execute("INSERT INTO migrations SELECT generate_series(1, %s)", (schema,))
                if rows:
                    conn.execute(rows)
        yield dsn
    finally:
        with psycopg.connect(pg_server.superuser_dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


@pytest.fixture
def pg(pg_server: PgServer) -> PgServer:
    """The test database with no partners (teams and members stay)."""
    import psycopg

    with psycopg.connect(pg_server.dsn(), autocommit=True) as owner:
        # the partners and everything that refers to them (notes, history, commitments...)
        owner.execute("TRUNCATE escalate.partners RESTART IDENTITY CASCADE")
    return pg_server


@pytest.fixture
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine under test; for PostgreSQL, commands use it as the login `alice`."""
    if request.param == "postgres":
        server = request.getfixturevalue("pg")
        monkeypatch.setenv("ESCALATE_DATABASE_URL", server.dsn("alice"))
    return str(request.param)


@pytest.fixture
def elsewhere(
    engine: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_home: Path,
) -> Callable[..., None]:
    """Switches commands to someone else's store (`back=True`: to the test's own again):
    another data home, or on PostgreSQL the login of another team (`bob`), who sees none
    of alice's partners."""

    def switch(back: bool = False) -> None:
        if engine == "postgres":
            server = request.getfixturevalue("pg")
            monkeypatch.setenv("ESCALATE_DATABASE_URL", server.dsn("alice" if back else "bob"))
        else:
            home = isolated_home if back else tmp_path / "elsewhere"
            monkeypatch.setenv("ESCALATE_HOME", str(home))

    return switch
