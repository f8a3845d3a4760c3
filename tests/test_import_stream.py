"""Issue 14, store side: `import` reads its file as it goes and merges notes in bulk, and
summaries read per-partner details a batch at a time. On both engines (conftest: `engine`)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import scratch_database
from escalate_cli import jsonstream
from escalate_cli.cli import app
from escalate_cli.safe_yaml import DocumentError
from escalate_cli.store import open_store, sqlite

NOTES = 1_200  # more than a staging batch (BATCH) and, with CHUNK made small, many chunks


def run(runner, *args: str):
    return runner.invoke(app, list(args))


def exported(runner, tmp_path: Path, name: str, partner: str = "Acme") -> dict:
    path = tmp_path / name
    done = run(runner, "handover", partner, "-f", "json", "-o", str(path))
    assert done.exit_code == 0, done.output
    return json.loads(path.read_text())


def write(tmp_path: Path, name: str, doc: dict) -> Path:
    """As `escalate handover -f json` writes it: indented, one member to a line."""
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def big_handover(count: int = NOTES) -> dict:
    return {
        "format": "escalate-handover",
        "version": 2,
        "partner": "Acme",
        "notes": [
            {
                "uid": f"{i:032x}",
                "kind": "note",
                "text": f"fact {i} about topic{i % 50}",
                "date": "2026-01-02",
                "updated": "2026-01-02T00:00:00+00:00",
            }
            for i in range(count)
        ],
        "escalations": [
            {
                "uid": "e" * 32,
                "date": "2026-01-05",
                "kind": "assessment",
                "verdict": "escalate",
                "outcomes": [{"uid": "o" * 32, "date": "2026-01-09", "text": "call held"}],
            }
        ],
        "commitments": [{"uid": "c" * 32, "what": "send the plan", "due": "2026-02-01"}],
    }


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line containing `needle`."""
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def item_line(path: Path, needle: str) -> int:
    """The line on which the item holding `needle` opens (its `{` on a line of its own)."""
    lines = path.read_text().splitlines()
    return next(n for n in range(line_of(path, needle), 0, -1) if lines[n - 1].strip() == "{")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read files 4 KB at a time, so a test file spans many chunks."""
    monkeypatch.setattr(jsonstream, "CHUNK", 4096)


# -- the reader ---------------------------------------------------------------------------


DOCS = [
    {},
    {"a": []},
    {"format": "x", "notes": [{"t": "é\u2028\U0001f600", "n": [1, 2.5e10, None]}, 7, [], "s"]},
    {"long": "word " * 3000, "list": list(range(2000)), "last": {"k": [True, False]}},
]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("chunk", [1, 5, 4096])
def test_the_reader_gives_what_json_load_gives(
    doc: dict, indent: int | None, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    rebuilt: dict = {}
    stream = jsonstream.ObjectStream(io.StringIO(text), "f.json")
    for key, index, value in stream.members():
        if index is None:
            rebuilt[key] = value
        else:
            rebuilt.setdefault(key, []).append(value)
            if indent:  # each item starts on the line the reader says
                assert (
                    json.dumps(value, indent=indent)[:40].split("\n")[0]
                    in (text.split("\n")[stream.line - 1])
                )
    assert {**{k: [] for k, v in doc.items() if v == []}, **rebuilt} == doc


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "looks like the Markdown handover"),  # what `handover -o h.md` wrote
        ("# Notes on Acme\n\n- hates tickets\n", "looks like the Markdown handover"),
        ("\ufeff\n  partner: Acme\n", "is not a JSON handover (it starts with 'p'"),
    ],
)
def test_a_file_that_is_not_json_is_named_for_what_it_is(runner, tmp_path, text, said) -> None:
    """A Markdown handover was refused with "Expecting an object", which says nothing to a
    person who exported the wrong format."""
    file = tmp_path / "h.md"
    if text is None:
        assert run(runner, "notes", "add", "Acme", "--kind", "note", "kept").exit_code == 0
        assert run(runner, "handover", "Acme", "-o", str(file)).exit_code == 0
    else:
        file.write_text(text, encoding="utf-8")
    result = run(runner, "import", str(file))
    assert result.exit_code == 2
    message, hint = result.stderr.splitlines()
    assert message.startswith(f"escalate: error: {file}: ") and said in message
    assert "import reads the JSON" in message
    assert hint == "  hint: export that: escalate handover PARTNER --format json -o FILE"


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ('{\n "a": [\n  1,\n  tru\n ]\n}', "f.json:4:3", "Expecting value"),
        ('{\n "a": [\n  1\n  2\n ]\n}', "f.json:4:3", "Expecting ',' delimiter"),
        ('{\n "a": [\n  {"x": 1, "x": 2}\n ]\n}', "f.json:3", "Duplicate key 'x'"),
        ('{\n "a": 1,\n "a": 2\n}', "f.json:3", "Duplicate key 'a'"),
        ('{\n "a": [\n  1,\n', "f.json:4:1", "the file ends early"),
        ('{"a": 1}\n[]', "f.json:2:1", "Extra data"),
        ("[1]", "f.json:1:1", "Expecting an object"),
    ],
)
def test_the_reader_names_the_line_of_what_is_wrong(text: str, where: str, problem: str) -> None:
    with pytest.raises(DocumentError) as caught:
        list(jsonstream.ObjectStream(io.StringIO(text), "f.json").members())
    assert str(caught.value).startswith(f"{where}: not valid JSON: ")
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ('{"t": "\\ud800"}', "lone surrogate"),
        ("[" * 70 + "]" * 70, "nesting is deeper than 64 levels"),
    ],
)
def test_the_reader_checks_each_item_as_a_whole_document_is_checked(
    item: str, problem: str
) -> None:
    text = f'{{\n "a": [\n  1,\n  {item}\n ]\n}}'
    with pytest.raises(DocumentError, match=problem) as caught:
        list(jsonstream.ObjectStream(io.StringIO(text), "f.json").members())
    assert str(caught.value).startswith("f.json:4: ")


# -- import: the same merge, read as it goes -----------------------------------------------


def test_a_large_import_merges_by_stable_id_and_is_searchable(
    engine: str, runner, tmp_path: Path, small_chunks: None, isolated_home: Path
) -> None:
    source = write(tmp_path, "big.json", big_handover())
    first = run(runner, "import", str(source))
    assert first.exit_code == 0, first.output
    assert f"notes: {NOTES} added, 0 updated, 0 unchanged" in first.stderr
    assert "escalations: 1 added" in first.stderr and "commitments: 1 added" in first.stderr
    back = exported(runner, tmp_path, "back.json")
    assert [n["uid"] for n in back["notes"]] == [f"{i:032x}" for i in range(NOTES)]
    assert [n["text"] for n in back["notes"]] == [
        f"fact {i} about topic{i % 50}" for i in range(NOTES)
    ]
    assert back["escalations"][0]["outcomes"][0]["text"] == "call held"
    found = json.loads(run(runner, "notes", "search", "topic7", "-f", "json").stdout)
    assert sorted(n["text"] for n in found) == sorted(
        f"fact {i} about topic7" for i in range(7, NOTES, 50)
    )

    again = run(runner, "import", str(source))
    assert f"notes: 0 added, 0 updated, {NOTES} unchanged" in again.stderr
    assert "escalations: 0 added, 0 updated, 1 unchanged" in again.stderr
    assert "commitments: 0 added, 0 updated, 1 unchanged" in again.stderr

    later = big_handover()
    for note in later["notes"][:600:100]:  # six changed since, in the other store
        note["text"] = note["text"].replace("fact", "revised fact")
        note["updated"] = "2026-03-01T00:00:00+00:00"
    later["notes"][700]["text"] = "an older copy, ignored"
    later["notes"][700]["updated"] = "2025-01-01T00:00:00+00:00"
    later["notes"].append({"kind": "lesson", "text": "new since", "date": "2026-03-02"})
    merged = run(runner, "import", str(write(tmp_path, "later.json", later)))
    assert merged.exit_code == 0, merged.output
    assert f"notes: 1 added, 6 updated, {NOTES - 6} unchanged" in merged.stderr
    texts = [n["text"] for n in exported(runner, tmp_path, "merged.json")["notes"]]
    assert len(texts) == NOTES + 1 and texts[100] == "revised fact 100 about topic0"
    assert texts[700] == "fact 700 about topic0" and texts[-1] == "new since"
    revised = json.loads(run(runner, "notes", "search", "revised", "-f", "json").stdout)
    assert len(revised) == 6  # the index follows the update, not the old text alone
    assert json.loads(run(runner, "notes", "search", "older", "-f", "json").stdout) == []
    if engine == "sqlite":  # the index filled in one statement is the one the trigger keeps
        with sqlite3.connect(isolated_home / "escalate.db") as db:
            db.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
            triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert {row[0] for row in triggers} == {
                "notes_fts_insert", "notes_fts_update", "notes_fts_delete",
            }  # fmt: skip


@pytest.mark.usefixtures("engine")
def test_an_import_into_a_store_with_notes_keeps_theirs_and_adds_once(
    runner, tmp_path: Path, small_chunks: None
) -> None:
    assert run(runner, "notes", "add", "Acme", "--kind", "note", "ours alone").exit_code == 0
    doc = big_handover(50)
    doc["notes"].append(dict(doc["notes"][3]))  # the same record twice in one file
    first = run(runner, "import", str(write(tmp_path, "a.json", doc)))
    assert "notes: 50 added, 0 updated, 1 unchanged" in first.stderr
    found = json.loads(run(runner, "notes", "search", "ours", "-f", "json").stdout)
    assert [n["text"] for n in found] == ["ours alone"]
    listed = json.loads(run(runner, "notes", "list", "Acme", "-f", "json").stdout)
    assert len(listed) == 51


@pytest.mark.usefixtures("engine")
def test_a_bad_record_mid_file_names_its_line_and_changes_nothing(
    runner, tmp_path: Path, small_chunks: None
) -> None:
    assert run(runner, "notes", "add", "Acme", "--kind", "note", "kept").exit_code == 0
    before = exported(runner, tmp_path, "before.json")
    doc = big_handover()
    doc["notes"][1000]["kind"] = "gossip"
    bad = write(tmp_path, "bad.json", doc)
    done = run(runner, "import", str(bad))
    assert done.exit_code == 2, done.output
    line = item_line(bad, '"gossip"')
    assert f"{bad}:{line}: notes[1000]: unknown note kind 'gossip'" in done.stderr
    assert "Traceback" not in done.output

    doc["notes"][1000]["kind"] = "note"
    text = json.dumps(doc, indent=2).replace('"fact 900 about', '"fact 900 about\\q', 1)
    broken = tmp_path / "broken.json"
    broken.write_text(text)
    done = run(runner, "import", str(broken))
    assert done.exit_code == 2, done.output
    assert f"{broken}:{line_of(broken, 'fact 900 about')}:" in done.stderr
    assert "not valid JSON: Invalid \\escape" in done.stderr

    doc["notes"][1100]["date"] = "2026-02-30"
    dated = write(tmp_path, "dated.json", doc)
    done = run(runner, "import", str(dated))
    assert done.exit_code == 2
    line = item_line(dated, "2026-02-30")
    assert f"{dated}:{line}: notes[1100].date: '2026-02-30'" in done.stderr
    after = exported(runner, tmp_path, "after.json")
    before.pop("exported"), after.pop("exported")
    assert after == before
    names = [p["name"] for p in json.loads(run(runner, "partners", "-f", "json").stdout)]
    assert names == ["Acme"]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize(
    ("aliases", "needle", "problem"),
    [
        (["NWL", 70707], "70707", "aliases[1]: an alias must be a name, not 70707"),
        (["NWL", " \t"], '" \\t"', "aliases[1]: an alias must be a name, not ' \\t'"),
        ("NWL", '"aliases": "NWL"', "`aliases` must be a list, not str"),
    ],
)
def test_a_bad_alias_names_its_line_and_changes_nothing(
    runner, tmp_path: Path, aliases: object, needle: str, problem: str
) -> None:
    doc = big_handover(3)
    bad = write(tmp_path, "bad.json", {"partner": doc.pop("partner"), "aliases": aliases, **doc})
    done = run(runner, "import", str(bad))
    assert done.exit_code == 2, done.output
    assert f"{bad}:{line_of(bad, needle)}: " in done.stderr
    assert problem in done.stderr
    assert json.loads(run(runner, "partners", "-f", "json").stdout) == []


@pytest.mark.usefixtures("engine")
def test_the_envelope_may_come_after_the_records(runner, tmp_path: Path) -> None:
    doc = big_handover(3)
    envelope = {key: doc.pop(key) for key in ("format", "version", "partner")}
    done = run(runner, "import", str(write(tmp_path, "late.json", {**doc, **envelope})))
    assert done.exit_code == 0, done.output
    assert "notes: 3 added" in done.stderr
    doc["format"] = "something else"
    done = run(runner, "import", str(write(tmp_path, "other.json", doc)))
    assert done.exit_code == 2 and "not an escalate handover file" in done.stderr


def installed() -> str:
    path = Path(sys.executable).parent / "escalate"
    return str(path) if path.exists() else "escalate"


@pytest.mark.usefixtures("engine")
def test_ctrl_c_mid_import_is_exit_130_and_changes_nothing(runner, tmp_path: Path) -> None:
    """The file is a named pipe: once a megabyte has gone through it the import is surely
    under way (the pipe holds 64 KB), and it waits for the rest when Ctrl-C comes."""
    assert run(runner, "notes", "add", "Acme", "--kind", "note", "kept").exit_code == 0
    before = exported(runner, tmp_path, "before.json")
    text = json.dumps(big_handover(20_000), indent=2).encode()
    fifo = tmp_path / "big.json"
    os.mkfifo(fifo)
    held = os.open(fifo, os.O_RDWR)  # a writer from the start: the reader waits for data
    child = subprocess.Popen(
        [installed(), "import", str(fifo)], stderr=subprocess.PIPE, env=dict(os.environ)
    )
    try:
        sent, deadline = 0, time.monotonic() + 120
        os.set_blocking(held, False)
        while sent < 1 << 20:  # the child reads all but the last 64 KB of it
            assert child.poll() is None and time.monotonic() < deadline, "the import stopped"
            select.select([], [held], [], 1.0)
            with contextlib.suppress(BlockingIOError):
                sent += os.write(held, text[sent : sent + 4096])
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
    finally:
        os.close(held)
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert b"Traceback" not in err
    after = exported(runner, tmp_path, "after.json")
    before.pop("exported"), after.pop("exported")
    assert after == before


# -- summaries and migrations ---------------------------------------------------------------


def test_partners_read_in_batches_say_what_each_partner_has(
    engine: str, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite, "BATCH", 3)  # 8 partners: three batches
    home = isolated_home
    home.mkdir(parents=True)
    with open_store(home, os.environ.get("ESCALATE_DATABASE_URL")) as store:
        for i in range(8):
            name = f"Partner {i}"
            store.ensure_partner(name, new=True)
            for k in range(i % 3):
                store.add_alias(name, f"{'xyz'[k]} alias of {i}")
            if i % 2:
                store.record_escalation(name, date=f"2026-01-0{i}", kind="assessment")
                store.record_escalation(name, date=f"2026-02-0{i}", kind="brief", verdict="now")
                store.add_outcome(name, f"ended {i}", "2026-03-01")
            store.add_commitment(name, f"promise {i}")
        summaries = store.partners()
        expected = [
            (
                s.name,
                tuple(sorted(a.name for a in store._known() if a.partner == s.name != a.name)),
                store.history(s.name)[0] if store.history(s.name) else None,
            )
            for s in summaries
        ]
    assert [s.name for s in summaries] == [f"Partner {i}" for i in range(8)]
    assert [(s.name, s.aliases, s.last_escalation) for s in summaries] == expected
    assert summaries[5].aliases == ("x alias of 5", "y alias of 5")
    last = summaries[5].last_escalation
    assert last is not None and (last.kind, last.outcome) == ("brief", "ended 5")
    assert [s.open_commitments for s in summaries] == [1] * 8


@pytest.mark.sqlite_only
def test_a_schema_4_store_gets_the_alias_index(isolated_home: Path) -> None:
    home = isolated_home
    home.mkdir(parents=True)
    db = sqlite3.connect(home / "escalate.db")
    for migration in sqlite.MIGRATIONS[:4]:
        for statement in migration:
            db.execute(statement)
    db.execute("PRAGMA user_version = 4")
    db.execute(f"PRAGMA application_id = {sqlite.APPLICATION_ID}")
    db.execute("INSERT INTO partners (name, key, created) VALUES ('Acme', 'acme', 'x')")
    db.execute("INSERT INTO aliases (partner_id, name, key, created) VALUES (1, 'ACM', 'acm', 'x')")
    db.commit()
    db.close()
    with sqlite.Store.open(home) as store:
        assert [s.aliases for s in store.partners()] == [("ACM",)]
        assert store.schema_version() == len(sqlite.MIGRATIONS) == 7
    db = sqlite3.connect(home / "escalate.db")

    def plan(query: str) -> str:
        return " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + query, ("x",)))

    assert "aliases_by_partner" in plan("SELECT name FROM aliases WHERE partner_id = ?")
    assert "partners_by_key" in plan("SELECT id FROM partners WHERE key = ?")
    assert "aliases_by_key" in plan("SELECT id FROM aliases WHERE key = ?")
    assert "notes_uid" in plan("SELECT id FROM notes WHERE uid = ? AND uid != ''")


@pytest.mark.sqlite_only
def test_a_partner_whose_key_was_kept_by_an_older_version_is_still_found(
    isolated_home: Path,
) -> None:
    isolated_home.mkdir(parents=True)
    with sqlite.Store.open(isolated_home) as store:
        store.ensure_partner("Northwind Logistics")
        store._db.execute("UPDATE partners SET key = 'made by an older version'")
        assert store.find_partner("northwind-logistics").name == "Northwind Logistics"
        assert store.match_partner("Nortwind Logistics").close[0].partner == ("Northwind Logistics")


def test_a_version_3_team_database_gets_the_lookup_indexes(pg_server) -> None:
    import psycopg

    from escalate_cli.store.postgres import MIGRATIONS, PostgresStore

    with scratch_database(pg_server, "_v3", schema=3) as dsn:
        with PostgresStore.open(dsn, migrate=True) as store:
            assert store.schema_version() == len(MIGRATIONS) == 6
        with psycopg.connect(dsn) as conn:
            rows = conn.execute(
                "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'escalate'"
            ).fetchall()
        defs = {table: [d for t, d in rows if t == table] for table, _ in rows}
        assert any("(partner_id" in d for d in defs["aliases"])  # partner_id leads
        for table in ("notes", "history", "commitments"):
            assert any(d.endswith("(uid)") or "(uid) WHERE" in d for d in defs[table]), table
