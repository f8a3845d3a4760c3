"""The team database: access by team enforced by PostgreSQL itself, many writers at once,
no lost update, setup and migration, moving a local store over, and what users see when the
database is away. Needs a server (see conftest: `pg_server`)."""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PgServer, scratch_database
from escalate_cli.cli import app
from escalate_cli.errors import EscalateError, StoreError
from escalate_cli.store import Store
from escalate_cli.store.postgres import MIGRATIONS, PostgresStore
from escalate_cli.store.sqlite import MIGRATIONS as SQLITE_MIGRATIONS


@pytest.fixture
def as_login(pg: PgServer) -> Iterator[Callable[..., PostgresStore]]:
    """Opens the team store as one of the test logins; closes them all at the end."""
    opened: list[PostgresStore] = []

    def open_as(name: str, team: str | None = None) -> PostgresStore:
        store = PostgresStore.open(pg.dsn(name), team)
        opened.append(store)
        return store

    yield open_as
    for store in opened:
        store.close()


def cli(runner: Any, dsn: str | None, *args: str) -> Any:
    """Runs escalate with --database given on the command line, as a user would."""
    return runner.invoke(app, [*(["--database", dsn] if dsn else []), *args])


def sql(pg: PgServer, name: str, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """A plain psycopg connection under a login: what that person could do with psql."""
    import psycopg

    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# -- who sees what ----------------------------------------------------------------------------


def test_two_logins_in_two_teams_see_only_their_own_through_the_tool(runner, pg) -> None:
    alice, bob = pg.dsn("alice"), pg.dsn("bob")
    assert (
        cli(runner, alice, "notes", "add", "Acme", "-k", "trigger", "per our policy").exit_code == 0
    )
    assert cli(runner, bob, "notes", "add", "Globex", "-k", "note", "quiet account").exit_code == 0

    seen_by_alice = json.loads(cli(runner, alice, "partners", "-f", "json").stdout)
    seen_by_bob = json.loads(cli(runner, bob, "partners", "-f", "json").stdout)
    assert [p["name"] for p in seen_by_alice] == ["Acme"]
    assert [p["name"] for p in seen_by_bob] == ["Globex"]
    assert json.loads(cli(runner, bob, "notes", "search", "policy", "-f", "json").stdout) == []
    refused = cli(runner, bob, "notes", "list", "Acme")
    assert refused.exit_code == 2 and "no partner named 'Acme'" in refused.stderr
    assert "Acme" not in refused.stderr.split("hint:")[1]  # not even suggested
    for command in (["notes", "remove", "1"], ["notes", "edit", "1", "--text", "x"]):
        result = cli(runner, bob, *command)
        assert result.exit_code == 2 and "no note #1" in result.stderr
    assert cli(runner, bob, "handover", "Acme").exit_code == 2
    # bob may even start his own "Acme": a different partner, in his team
    assert cli(runner, bob, "notes", "add", "Acme", "-k", "note", "theirs").exit_code == 0
    listed = json.loads(cli(runner, alice, "notes", "list", "acme", "-f", "json").stdout)
    assert [n["text"] for n in listed] == ["per our policy"]


def test_plain_sql_under_each_login_sees_and_changes_only_its_team(pg, as_login) -> None:
    as_login("alice").add_note("Acme", "trigger", "per our policy")
    as_login("bob").add_note("Globex", "note", "quiet account")

    for login, partner, text in (
        ("alice", "Acme", "per our policy"),
        ("bob", "Globex", "quiet account"),
    ):
        assert sql(pg, login, "SELECT name FROM escalate.partners") == [(partner,)]
        assert sql(pg, login, "SELECT text FROM escalate.notes") == [(text,)]
    assert sql(pg, "boss", "SELECT count(*) FROM escalate.notes") == [(0,)]  # admin: teams only

    acme = sql(pg, "alice", "SELECT id FROM escalate.partners")[0][0]
    update = "UPDATE escalate.notes SET text = 'gone' WHERE partner_id = %s RETURNING id"
    assert sql(pg, "bob", update, (acme,)) == []
    assert sql(pg, "bob", "DELETE FROM escalate.partners WHERE id = %s RETURNING id", (acme,)) == []
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        sql(
            pg,
            "bob",
            "INSERT INTO escalate.notes (partner_id, kind, text, created) VALUES (%s, 'note', "
            "'planted', 'now')",
            (acme,),
        )
    red = sql(pg, "alice", "SELECT id FROM escalate.teams")[0][0]
    # the session's team setting only ever narrows what a login sees, never widens it
    widen = "SELECT set_config('escalate.team', %s, false), (SELECT count(*) FROM escalate.notes)"
    assert sql(pg, "bob", widen, (str(red),)) == [(str(red), 0)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql(
            pg,
            "bob",
            "INSERT INTO escalate.team_members (team_id, login) VALUES (%s, %s)",
            (red, pg.login("bob")),
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql(pg, "bob", "UPDATE escalate.partners SET team_id = %s", (red,))
    assert sql(pg, "alice", "SELECT text FROM escalate.notes") == [("per our policy",)]


def test_every_record_carries_its_login_and_time_from_the_database(pg, as_login) -> None:
    note, _ = as_login("alice").add_note("Acme", "note", "first")
    forged = sql(
        pg,
        "carol",
        "INSERT INTO escalate.notes (partner_id, kind, text, created, recorded_by, changed_by)"
        " SELECT id, 'note', 'second', 'now', 'mallory', 'mallory' FROM escalate.partners"
        " RETURNING recorded_by, changed_by, recorded_at <= now()",
    )
    assert forged == [(pg.login("carol"), pg.login("carol"), True)]
    as_login("carol").edit_note(note.id, text="first, edited")
    assert sql(
        pg, "alice", "SELECT recorded_by, changed_by FROM escalate.notes WHERE id = %s", (note.id,)
    ) == [(pg.login("alice"), pg.login("carol"))]


def test_a_login_in_two_teams_says_which_team_a_new_partner_joins(runner, pg) -> None:
    dave = pg.dsn("dave")
    ambiguous = cli(runner, dave, "notes", "add", "Initech", "-k", "note", "x")
    assert ambiguous.exit_code == 2 and "--team" in ambiguous.stderr
    assert "Blue, Red" in ambiguous.stderr
    added = cli(runner, dave, "--team", "red", "notes", "add", "Initech", "-k", "note", "x")
    assert added.exit_code == 0, added.output
    assert [
        p["name"] for p in json.loads(cli(runner, pg.dsn("alice"), "partners", "-f", "json").stdout)
    ] == ["Initech"]
    assert json.loads(cli(runner, pg.dsn("bob"), "partners", "-f", "json").stdout) == []
    unknown = cli(runner, dave, "--team", "Green", "notes", "add", "Initech", "-k", "note", "y")
    assert unknown.exit_code == 2 and "no team named 'Green'" in unknown.stderr
    # with --team, only that team's partners are in view; without it, all of dave's teams'
    assert names(runner, dave, "--team", "Blue") == []
    assert names(runner, dave, "--team", "Red") == names(runner, dave) == ["Initech"]
    not_mine = cli(runner, pg.dsn("alice"), "--team", "Blue", "partners")
    assert not_mine.exit_code == 2 and "no team named 'Blue' that you can see" in not_mine.stderr


def names(runner: Any, dsn: str, *options: str) -> list[str]:
    listed = cli(runner, dsn, *options, "partners", "-f", "json")
    assert listed.exit_code == 0, listed.output
    return [p["name"] for p in json.loads(listed.stdout)]


def test_a_login_in_no_team_cannot_record(runner, pg) -> None:
    result = cli(runner, pg.dsn("boss"), "notes", "add", "Acme", "-k", "note", "x")
    assert result.exit_code == 2 and "in no team" in result.stderr and "team grant" in result.stderr


# -- the admin's team commands ----------------------------------------------------------------


def test_team_commands_for_the_admin_role_only(runner, pg) -> None:
    boss, alice = pg.dsn("boss"), pg.dsn("alice")
    refused = cli(runner, alice, "team", "add", "Green")
    assert refused.exit_code == 2 and "escalate_admin" in refused.stderr
    assert cli(runner, alice, "team", "grant", "Red", pg.login("bob")).exit_code == 2

    assert cli(runner, boss, "team", "add", "Green").exit_code == 0
    again = cli(runner, boss, "team", "add", "green")
    assert again.exit_code == 0 and "already exists" in again.stderr
    assert cli(runner, boss, "team", "grant", "Green", pg.login("bob")).exit_code == 0
    members = cli(runner, boss, "team", "members", "Green")
    assert members.stdout.split() == [pg.login("bob")]
    listed = cli(runner, boss, "team", "list").stdout
    assert f"Green: {pg.login('bob')}" in listed and "Red: " in listed
    missing = cli(runner, boss, "team", "grant", "Green", "nobody_here")
    assert missing.exit_code == 2 and "CREATE ROLE" in missing.stderr

    bob = pg.dsn("bob")
    added = cli(runner, bob, "--team", "Green", "notes", "add", "Hooli", "-k", "note", "green's")
    assert added.exit_code == 0, added.output
    assert cli(runner, boss, "team", "revoke", "Green", pg.login("bob")).exit_code == 0
    assert json.loads(cli(runner, bob, "partners", "-f", "json").stdout) == []
    assert sql(pg, "bob", "SELECT count(*) FROM escalate.notes") == [(0,)]


# -- many writers, no lost update -------------------------------------------------------------


def test_twenty_writers_on_four_partners_with_a_merge_in_the_middle_lose_nothing(pg) -> None:
    partners = ("Acme", "Globex", "Initech", "Umbrella")
    per_writer = 10
    errors: list[BaseException] = []
    start, halfway = threading.Barrier(21), threading.Barrier(21)

    def write(i: int) -> None:
        try:
            with PostgresStore.open(pg.dsn("alice" if i % 2 else "carol")) as store:
                start.wait()
                for n in range(per_writer):
                    if n == per_writer // 2:
                        halfway.wait()  # the merge starts when every writer is half done
                    store.add_note(partners[(i + n) % 4], "note", f"writer {i} note {n}")
                store.add_commitment(partners[i % 4], f"promise {i}")
        except BaseException as exc:
            errors.append(exc)

    with PostgresStore.open(pg.dsn("alice")) as store:
        for name in partners:
            store.ensure_partner(name)
        threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        start.wait()
        halfway.wait()
        moved = store.merge_partners("Umbrella", "Initech")  # while the writers go on
        for thread in threads:
            thread.join()
        assert errors == []
        summaries = store.partners()
        assert [s.name for s in summaries] == ["Acme", "Globex", "Initech"]
        assert sum(s.notes for s in summaries) == 20 * per_writer
        assert moved["notes"].added > 0  # Umbrella had notes when it merged
        assert summaries[2].aliases == ("Umbrella",)
        assert len(store.commitments()) == 20
        texts = {n.text for p in summaries for n in store.notes(p.name)}
    assert texts == {f"writer {i} note {n}" for i in range(20) for n in range(per_writer)}


def test_an_import_reads_its_file_outside_the_database_wait(pg) -> None:
    """psycopg answers a Ctrl-C that lands while it waits on the server by cancelling and
    then finishing the statement; if the statement read the import's rows itself, it would
    read on to the end of the file, or forever from a pipe nobody writes to (a CI run hung
    so). Every row must be read by our code, between statements: no psycopg wait below."""
    waiting: list[int] = []

    def records() -> Iterator[tuple[str, str, Any]]:
        for i in range(1_200):  # more than two batches
            stack = traceback.extract_stack()
            if any(f.name == "wait" and "psycopg" in f.filename for f in stack):
                waiting.append(i)
            yield "notes", f"notes[{i}]", {"kind": "note", "text": f"fact {i}"}

    with PostgresStore.open(pg.dsn("alice")) as store:
        staged = store.stage_import(records())
        counts = store.import_staged("Acme", staged, new=True)
    assert waiting == []
    assert counts["notes"].added == 1_200


def test_two_edits_of_the_same_note_one_is_refused_with_what_changed(runner, pg, as_login) -> None:
    note, _ = as_login("alice").add_note("Acme", "note", "renewal at risk")
    alice, carol = as_login("alice"), as_login("carol")
    seen_by_alice, seen_by_carol = alice.get_note(note.id), carol.get_note(note.id)
    carol.edit_note(note.id, text="renewal signed", seen=seen_by_carol)
    with pytest.raises(EscalateError, match=r"changed by someone else.*\(text changed\)") as caught:
        alice.edit_note(note.id, date="2026-11-01", seen=seen_by_alice)
    assert caught.value.exit_code == 2
    assert alice.get_note(note.id).text == "renewal signed"
    assert alice.get_note(note.id).date is None  # alice's edit saved nothing


def test_two_edits_at_the_same_moment_one_wins_the_other_is_refused(pg, as_login) -> None:
    note, _ = as_login("alice").add_note("Acme", "note", "v0")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def edit(login: str) -> None:
        with PostgresStore.open(pg.dsn(login)) as store:
            seen = store.get_note(note.id)
            start.wait()
            try:
                store.edit_note(note.id, text=f"by {login}", seen=seen)
                outcomes.append("saved")
            except EscalateError:
                outcomes.append("refused")

    threads = [threading.Thread(target=edit, args=(who,)) for who in ("alice", "carol")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]


# -- setting up, moving over, being away ------------------------------------------------------


def test_db_init_by_two_people_at_once_and_again(pg_server) -> None:
    import psycopg

    with scratch_database(pg_server, "_init") as dsn:
        errors: list[BaseException] = []

        def init() -> None:
            try:
                PostgresStore.open(dsn, migrate=True).close()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=init) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with PostgresStore.open(dsn, migrate=True) as store:
            assert store.schema_version() == len(MIGRATIONS)
        with psycopg.connect(dsn) as conn:
            rows = conn.execute("SELECT version FROM escalate.migrations ORDER BY 1").fetchall()
        assert [row[0] for row in rows] == list(range(1, len(MIGRATIONS) + 1))


def test_db_init_migrates_a_version_1_team_database_keeping_records_and_authors(
    pg_server,
) -> None:
    import psycopg

    rows = """INSERT INTO teams (name, key) VALUES ('Red', 'red');
        INSERT INTO partners (team_id, name, key, created) VALUES (1, 'Acme', 'acme', 'x');
        INSERT INTO escalations (partner_id, date, kind, verdict, reasons, outcome)
            VALUES (1, '2024-01-05', 'assessment', 'escalate', '["old"]', 'done')"""
    with scratch_database(pg_server, "_v1", schema=1, rows=rows) as dsn:
        with PostgresStore.open(dsn, migrate=True) as store:
            assert store.schema_version() == len(MIGRATIONS)
            (old,) = store.escalations("Acme")
            assert (old.verdict, old.reasons, old.outcome, old.signals) == (
                "escalate", ["old"], "done", [],
            )  # fmt: skip
            store.record_escalation("Acme", date="2024-01-06", kind="brief", signals=["x"])
            assert [e.signals for e in store.escalations("Acme")] == [[], ["x"]]
        with psycopg.connect(dsn) as conn:
            me = conn.execute("SELECT current_user").fetchall()[0][0]
            authors = conn.execute("SELECT recorded_by FROM escalate.history ORDER BY id")
            assert [row[0] for row in authors] == [me, me]  # kept through the migration


def test_db_init_folds_accents_in_names_and_keeps_partners_that_now_share_one(
    pg_server,
) -> None:
    import psycopg

    rows = """INSERT INTO teams (name, key) VALUES ('Red', 'red'), ('Blue', 'blue');
        INSERT INTO partners (team_id, name, key, created) VALUES
            (1, 'Café Müller GmbH', 'cafémüllergmbh', 'x'),
            (1, 'Cafe Muller GmbH', 'cafemullergmbh', 'x'),
            (2, 'Café Müller GmbH', 'cafémüllergmbh', 'x');
        INSERT INTO aliases (partner_id, name, key, created) VALUES
            (1, 'Müller', 'müller', 'x'), (1, 'Muller', 'muller', 'x');
        INSERT INTO notes (partner_id, kind, text, created) VALUES (2, 'note', 'a', 'x')"""
    with scratch_database(pg_server, "_v4", schema=4, rows=rows) as dsn:
        with PostgresStore.open(dsn, migrate=True) as store:
            assert store.schema_version() == len(MIGRATIONS)
            assert [n.text for n in store.notes("cafe muller gmbh")] == ["a"]
            # the same name in another team is not a partner to merge
            assert store.namesakes() == [("Cafe Muller GmbH", "Café Müller GmbH")]
            with pytest.raises(EscalateError, match="could mean 3 partners"):
                store.find_partner("CAFE MÜLLER GMBH")
        with psycopg.connect(dsn) as conn:
            keys = conn.execute("SELECT name, key FROM escalate.aliases ORDER BY id").fetchall()
        assert keys == [("Müller", "muller"), ("Muller", "muller")]


def test_a_database_without_the_schema_says_who_sets_it_up(runner, pg_server) -> None:
    result = cli(runner, pg_server.dsn(dbname="postgres"), "partners")
    assert result.exit_code == 2
    assert "no escalate schema" in result.stderr and "db init" in result.stderr


def test_db_status_names_engine_schema_login_and_teams(runner, pg, isolated_home) -> None:
    shown = cli(runner, pg.dsn("dave"), "db", "status", "--json")
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.stdout)
    assert status["engine"] == "postgresql" and status["login"] == pg.login("dave")
    assert status["schema_version"] == len(MIGRATIONS) and status["teams"] == ["Blue", "Red"]
    assert status["admin"] is False
    local = json.loads(cli(runner, None, "db", "status", "--json").stdout)
    assert local == {
        "engine": "sqlite",
        "database": str(isolated_home / "escalate.db"),
        "schema_version": len(SQLITE_MIGRATIONS),
    }
    assert "login: " in cli(runner, pg.dsn("dave"), "db", "status").stdout


def test_db_push_copies_the_local_store_once(runner, pg, isolated_home) -> None:
    isolated_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    with Store.open(isolated_home) as local:
        local.add_note("Acme", "trigger", "per our policy", "2026-01-02")
        local.add_note("Acme", "note", "second", by="Dana")
        local.record_escalation("Acme", date="2026-02-01", kind="brief", verdict="now")
        local.add_commitment("Globex", "send the plan", "Dana", "2026-12-01")
        local.add_alias("Acme", "ACM")
    alice = pg.dsn("alice")
    first = cli(runner, alice, "db", "push")
    assert first.exit_code == 0, first.output
    assert "Acme: 2 notes, 1 escalations, 0 commitments, 1 aliases new" in first.stderr
    assert "pushed 2 partners; 5 records were new" in first.stderr
    again = cli(runner, alice, "db", "push")
    assert "pushed 2 partners; 0 records were new" in again.stderr
    notes = json.loads(cli(runner, alice, "notes", "list", "ACM", "-f", "json").stdout)
    assert [(n["text"], n["by"]) for n in notes] == [("second", "Dana"), ("per our policy", "")]
    assert json.loads(cli(runner, pg.dsn("bob"), "partners", "-f", "json").stdout) == []


def test_db_commands_need_a_database_and_team_needs_one_too(runner) -> None:
    for args in (["db", "init"], ["db", "push"], ["team", "list"]):
        result = cli(runner, None, *args)
        assert result.exit_code == 2 and "--database" in result.stderr
    result = cli(runner, None, "--team", "Red", "partners")
    assert result.exit_code == 2 and "--team needs a team database" in result.stderr


def test_a_password_in_the_url_is_refused(runner) -> None:
    for url in (
        "postgresql://alice:s3cret@db.example/escalate",
        "host=db.example user=alice password=s3cret",
        "postgresql://alice@db.example/escalate?password=s3cret",
    ):
        result = cli(runner, url, "partners")
        assert result.exit_code == 2
        assert "contains a password" in result.stderr and ".pgpass" in result.stderr
        assert "s3cret" not in result.output


def test_an_unreachable_database_is_exit_2_within_seconds_naming_it(runner, tmp_path) -> None:
    for url in (
        f"host={tmp_path} port=5999 dbname=team",  # no server on that socket
        "postgresql://alice@10.255.255.1:5432/team?connect_timeout=2",  # nothing answers
    ):
        started = time.monotonic()
        result = cli(runner, url, "notes", "list", "Acme")
        assert time.monotonic() - started < 10
        assert result.exit_code == 2, result.output
        assert "cannot reach the team database (database 'team' on" in result.stderr
        assert "hint:" in result.stderr and "Traceback" not in result.output


def test_an_unreadable_url_is_exit_2() -> None:
    with pytest.raises(EscalateError, match="cannot be read"):
        PostgresStore.open("postgresql://[::1")
    with pytest.raises(StoreError, match="service 'no-such-service'"):
        PostgresStore.open("no-such-service")


def test_local_store_data_survive_a_database_outage(runner, pg, tmp_path: Path) -> None:
    """Nothing about the team database touches the local store."""
    assert cli(runner, None, "notes", "add", "Acme", "-k", "note", "local").exit_code == 0
    away = cli(runner, f"host={tmp_path} port=5999 dbname=team", "partners")
    assert away.exit_code == 2
    listed = json.loads(cli(runner, None, "notes", "list", "Acme", "-f", "json").stdout)
    assert [n["text"] for n in listed] == ["local"]


def test_editing_in_the_editor_while_a_colleague_saves_is_refused_in_a_terminal(
    pg, as_login, tmp_path
) -> None:
    """The journey as a user lives it: `notes edit` opens $EDITOR in a real terminal; while
    it is open a colleague saves the same note; saving ours is refused, theirs is kept."""
    import os
    import shlex
    import shutil
    import sys

    import pexpect

    escalate = shutil.which("escalate", path=str(Path(sys.executable).parent))
    assert escalate is not None
    note, _ = as_login("alice").add_note("Acme", "note", "renewal at risk")
    editor = tmp_path / "editor.sh"
    colleague = shlex.join([escalate, "notes", "edit", str(note.id), "--text", "signed"])
    editor.write_text(
        "#!/bin/sh\n"
        f"ESCALATE_DATABASE_URL={shlex.quote(pg.dsn('carol'))} {colleague} >/dev/null 2>&1\n"
        'echo "renewal lost" > "$1"\n'
    )
    editor.chmod(0o700)
    env = {
        **os.environ,
        "ESCALATE_DATABASE_URL": pg.dsn("alice"),
        "EDITOR": str(editor),
        "VISUAL": str(editor),
        "TERM": "xterm",
    }
    child = pexpect.spawn(
        escalate, ["notes", "edit", str(note.id)], env=env, encoding="utf-8", timeout=60
    )
    child.expect_exact("changed by someone else since you read it (text changed)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert as_login("alice").get_note(note.id).text == "signed"
