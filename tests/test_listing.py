"""Long lists: streamed JSON is the same document, plain rows past a screenful, a pager
in a terminal, --limit and --since, and the indexes that keep summaries linear."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pexpect
import pytest

from escalate_cli import listing, report
from escalate_cli.cli import app
from escalate_cli.store import Store, open_store
from escalate_cli.store.sqlite import MIGRATIONS
from test_terminal_journeys import ESCALATE, spawn

MANY = listing.TABLE_ROWS + 50


def fill(home: Path, partner: str, count: int, **extra: str) -> None:
    notes = [
        {
            "kind": "note",
            "text": f"call {i} went fine",
            "date": f"2026-{i % 12 + 1:02d}-01",
            **extra,
        }
        for i in range(count)
    ]
    home.mkdir(exist_ok=True)
    with open_store(home, os.environ.get("ESCALATE_DATABASE_URL")) as store:  # either engine
        store.import_records(partner, notes, [], [])


@pytest.mark.parametrize(
    "items",
    [[], [{"a": 1}], [{"text": 'één\nzwei "drei"', "n": [1, {"x": None}]}, {"b": True}] * 3],
)
def test_streamed_json_is_byte_for_byte_the_whole_document(items, capsys) -> None:
    listing.write_json(iter(items))
    assert capsys.readouterr().out == report.to_json(items)


def test_a_long_list_is_plain_rows_oldest_first(runner, isolated_home: Path) -> None:
    fill(isolated_home, "Big", MANY)
    result = runner.invoke(app, ["notes", "list", "Big"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["#", "date", "kind", "partner", "note"]
    assert lines[1].startswith("      1  2026-01-01  note           Big  ")  # ids right-aligned
    assert len(lines) == MANY + 1
    dates = [line.split()[1] for line in lines[1:]]
    assert dates == sorted(dates)
    assert "┃" not in result.stdout and "│" not in result.stdout  # no table


def test_a_short_list_is_still_a_table(runner, isolated_home: Path) -> None:
    fill(isolated_home, "Small", 3)
    result = runner.invoke(app, ["notes", "list", "Small"])
    assert result.exit_code == 0 and "Notes for Small" in result.stdout


def test_plain_rows_show_control_characters_never_obey_them(runner, isolated_home: Path) -> None:
    fill(isolated_home, "Big", MANY)
    fill(isolated_home, "Big", 1, text="\x1b[2Jwiped")
    result = runner.invoke(app, ["notes", "list", "Big"])
    assert result.exit_code == 0
    assert "\\x1b[2Jwiped" in result.stdout and "\x1b" not in result.stdout


def test_json_list_streams_every_note(runner, isolated_home: Path) -> None:
    fill(isolated_home, "Big", MANY)
    result = runner.invoke(app, ["notes", "list", "Big", "--format", "json"])
    assert result.exit_code == 0
    assert [n["text"] for n in json.loads(result.stdout)][:2] == [
        "call 0 went fine",
        "call 12 went fine",
    ]
    assert len(json.loads(result.stdout)) == MANY


@pytest.mark.usefixtures("engine")
def test_limit_keeps_the_most_recent_still_oldest_first(runner, isolated_home: Path) -> None:
    fill(isolated_home, "Acme", 24)
    result = runner.invoke(app, ["notes", "list", "Acme", "--limit", "3", "-f", "json"])
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    # 24 notes, two a month: the latest three are November's second and both of December's
    assert [(n["date"], n["text"]) for n in got] == [
        ("2026-11-01", "call 22 went fine"),
        ("2026-12-01", "call 11 went fine"),
        ("2026-12-01", "call 23 went fine"),
    ]


@pytest.mark.usefixtures("engine")
def test_since_and_limit_on_search(runner, isolated_home: Path) -> None:
    fill(isolated_home, "Acme", 24)
    since = runner.invoke(app, ["notes", "search", "fine", "--since", "2026-11-01", "-f", "json"])
    assert since.exit_code == 0
    assert {n["date"] for n in json.loads(since.stdout)} == {"2026-11-01", "2026-12-01"}
    limited = runner.invoke(app, ["notes", "search", "fine", "--limit", "5", "-f", "json"])
    assert len(json.loads(limited.stdout)) == 5
    bad = runner.invoke(app, ["notes", "list", "Acme", "--since", "someday"])
    assert bad.exit_code == 2
    none = runner.invoke(app, ["notes", "list", "Acme", "--limit", "0"])
    assert none.exit_code == 2 and "at least 1" in none.stderr


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("fmt", ["terminal", "json", "markdown"])
def test_a_limit_that_leaves_rows_out_says_so_on_stderr(runner, isolated_home, fmt) -> None:
    """--limit cut lists silently: a list that looks whole but is not."""
    fill(isolated_home, "Acme", 5)
    for what, due in [("a", "2030-01-01"), ("b", "2030-01-02"), ("c", ""), ("d", "")]:
        args = ["follow-up", "add", "Acme", what] + (["--due", due] if due else [])
        assert runner.invoke(app, args).exit_code == 0
    cut = {
        ("follow-up", "--limit", "1"): "showing 1 of 4 open commitments",
        ("notes", "list", "Acme", "-n", "2"): "showing 2 of 5 notes",
        ("notes", "search", "fine", "-n", "3", "--since", "2026-02-01"): (
            "showing 3 of 4 matching notes"
        ),
    }
    for args, said in cut.items():
        result = runner.invoke(app, [*args, "-f", fmt])
        assert result.exit_code == 0, result.output
        assert result.stderr == f"escalate: {said}; leave out --limit to see all\n"
        assert "showing" not in result.stdout
        if fmt == "json":
            assert len(json.loads(result.stdout)) == int(said.split()[1])
    whole = [
        ("follow-up", "--limit", "4"),
        ("notes", "list", "Acme", "-n", "9"),
        ("notes", "search", "fine", "-n", "5"),
    ]
    for args in whole:
        result = runner.invoke(app, [*args, "-f", fmt])
        assert result.exit_code == 0 and result.stderr == ""


def test_follow_up_limit_counts_only_overdue_ones_with_overdue(runner, isolated_home) -> None:
    isolated_home.mkdir()
    with Store.open(isolated_home) as store:
        for what, due in [("a", "2020-01-01"), ("b", "2020-01-02"), ("c", "2030-01-01")]:
            store.add_commitment("Acme", what, "Dana", due)
    result = runner.invoke(app, ["follow-up", "--overdue", "-n", "1", "-f", "json"])
    assert [c["what"] for c in json.loads(result.stdout)] == ["a"]
    assert "showing 1 of 2 overdue commitments" in result.stderr


def test_partners_and_follow_up_stream_past_a_screenful(runner, isolated_home: Path) -> None:
    isolated_home.mkdir()
    with Store.open(isolated_home) as store:
        for i in range(MANY):
            store.add_commitment(f"Partner {i:03d}", "send the plan", "Dana", "2026-12-01")
    partners = runner.invoke(app, ["partners"])
    assert partners.exit_code == 0
    assert len(partners.stdout.splitlines()) == MANY + 1
    assert partners.stdout.splitlines()[1].split() == ["Partner", "000", "0", "0", "-", "1"]
    follow = runner.invoke(app, ["follow-up", "--limit", "7", "-f", "json"])
    assert len(json.loads(follow.stdout)) == 7
    listed = runner.invoke(app, ["follow-up"])
    assert len(listed.stdout.splitlines()) == MANY + 1


def test_an_old_store_gets_the_partner_indexes(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "escalate.db")
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("PRAGMA application_id = 1163084609")
    db.commit()
    db.close()
    with Store.open(tmp_path) as store:
        store.add_commitment("Acme", "send the plan")
        assert [s.open_commitments for s in store.partners()] == [1]
    db = sqlite3.connect(tmp_path / "escalate.db")
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    query = "SELECT count(*) FROM commitments WHERE partner_id = 1 AND done_on = ''"
    plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + query))
    # escalations became the history (schema 4), indexed the same way
    assert {"commitments_by_partner", "history_by_partner"} <= names
    assert "commitments_by_partner" in plan
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


@pytest.mark.skipif(ESCALATE is None, reason="the escalate command is not installed")
def test_a_long_list_in_a_terminal_goes_through_the_pager(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fill(home, "Big", MANY)
    pager = tmp_path / "pager.sh"
    pager.write_text("#!/bin/sh\nsed 's/^/paged: /'\n")
    os.chmod(pager, 0o755)
    child = spawn(home, "notes", "list", "Big", PAGER=str(pager))
    child.expect_exact("paged: ")
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0
    assert child.before.count("paged: ") >= MANY - 1


@pytest.mark.skipif(ESCALATE is None, reason="the escalate command is not installed")
def test_a_short_list_in_a_terminal_skips_the_pager(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fill(home, "Small", 3)
    pager = tmp_path / "pager.sh"
    pager.write_text("#!/bin/sh\nsed 's/^/paged: /'\n")
    os.chmod(pager, 0o755)
    child = spawn(home, "notes", "list", "Small", PAGER=str(pager))
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0
    assert "Notes for Small" in child.before and "paged: " not in child.before
