"""The store against real SQLite files: round trips, hostile input, concurrent and killed
writers, files that are not ours, permissions."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from escalate_cli.errors import EscalateError, NotFoundError, StoreError
from escalate_cli.store import (
    NOTE_KINDS,
    Commitment,
    Escalation,
    MemoryStore,
    Note,
    Partner,
    Store,
    open_store,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def store(engine: str, home: Path) -> Iterator[MemoryStore]:
    """A store on each engine (see conftest: `engine`)."""
    with open_store(home, os.environ.get("ESCALATE_DATABASE_URL")) as opened:
        yield opened


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- partners -----------------------------------------------------------------------------


def test_partner_names_match_ignoring_case_and_keep_first_spelling(store: MemoryStore) -> None:
    first = store.ensure_partner("  Acme   Corp ")
    assert first == Partner(first.id, "Acme Corp")
    assert store.ensure_partner("ACME corp") == first
    assert store.find_partner("acme CORP") == first


def test_a_partner_needs_a_name(store: MemoryStore) -> None:
    with pytest.raises(EscalateError) as caught:
        store.ensure_partner("   ")
    assert caught.value.exit_code == 2


def test_unknown_partner_suggests_a_close_match(store: MemoryStore) -> None:
    store.ensure_partner("Acme Corp")
    store.ensure_partner("Globex")
    with pytest.raises(NotFoundError) as caught:
        store.find_partner("Acme Crop")
    assert caught.value.exit_code == 2
    assert "Acme Crop" in str(caught.value)
    assert "Acme Corp" in str(caught.value)
    assert "Globex" not in str(caught.value)


def test_unknown_partner_in_an_empty_store_says_so(store: MemoryStore) -> None:
    with pytest.raises(NotFoundError, match="no partners are recorded yet"):
        store.notes("Acme")


def test_partners_summarise_notes_escalations_and_open_commitments(store: MemoryStore) -> None:
    store.add_note("globex", "note", "quiet account")
    store.add_note("Acme", "trigger", "never say 'policy'")
    store.add_note("Acme", "lesson", "loop in legal early")
    store.record_escalation("Acme", date="2024-01-05", kind="assessment", verdict="later")
    store.record_escalation("Acme", date="2024-03-01", kind="brief", verdict="now")
    store.add_commitment("Acme", "send the RCA")
    done, _ = store.add_commitment("Acme", "call back")
    store.close_commitment(done.id, "2024-03-02")

    acme, globex = store.partners()
    assert (acme.name, acme.notes, acme.open_commitments) == ("Acme", 2, 1)
    assert acme.last_escalation is not None
    assert (acme.last_escalation.date, acme.last_escalation.verdict) == ("2024-03-01", "now")
    assert (globex.name, globex.notes, globex.last_escalation, globex.open_commitments) == (
        "globex",
        1,
        None,
        0,
    )


# -- notes --------------------------------------------------------------------------------


def test_note_round_trip(store: MemoryStore) -> None:
    note, created = store.add_note(
        "Acme", "agreement", " 10% credit ", date="2024-02-01", link="https://x/1", by="me"
    )
    assert created
    assert note == Note(
        note.id, "Acme", "agreement", "10% credit", "2024-02-01", "https://x/1", "me",
        note.created,
    )  # fmt: skip
    assert note.created.startswith("20")
    assert store.get_note(note.id) == note
    assert store.notes("acme") == [note]


def test_identical_note_returns_the_existing_one(store: MemoryStore) -> None:
    first, created = store.add_note("Acme", "trigger", "hates surprises")
    again, created_again = store.add_note("ACME", "trigger", "hates surprises ")
    assert created and not created_again
    assert again == first
    undated, _ = store.add_note("Acme", "note", "no date")
    assert store.add_note("Acme", "note", "no date") == (undated, False)
    assert len(store.notes("Acme")) == 2


def test_notes_are_listed_by_date_then_id_and_filter_by_kind(store: MemoryStore) -> None:
    late, _ = store.add_note("Acme", "decision", "late", date="2024-05-01")
    early, _ = store.add_note("Acme", "lesson", "early", date="2024-01-01")
    undated, _ = store.add_note("Acme", "lesson", "undated")
    also_early, _ = store.add_note("Acme", "lesson", "also early", date="2024-01-01")
    assert store.notes("Acme") == [undated, early, also_early, late]
    assert store.notes("Acme", kind="lesson") == [undated, early, also_early]


def test_unknown_kind_lists_the_kinds(store: MemoryStore) -> None:
    with pytest.raises(EscalateError) as caught:
        store.add_note("Acme", "gossip", "text")
    for kind in NOTE_KINDS:
        assert kind in str(caught.value)
    with pytest.raises(EscalateError, match="gossip"):
        store.notes("Acme", kind="gossip")


def test_a_note_needs_text(store: MemoryStore) -> None:
    with pytest.raises(EscalateError, match="text"):
        store.add_note("Acme", "note", "  ")


def test_edit_note_changes_only_what_is_given(store: MemoryStore) -> None:
    note, _ = store.add_note("Acme", "note", "old words", date="2024-01-01", link="l", by="me")
    edited = store.edit_note(note.id, text="new words", kind="decision", link="")
    assert edited == dataclasses.replace(note, text="new words", kind="decision", link=None)
    assert store.get_note(note.id) == edited
    assert store.search("new") == [edited]
    assert store.search("old") == []


def test_edit_into_a_duplicate_is_refused(store: MemoryStore) -> None:
    store.add_note("Acme", "note", "one")
    two, _ = store.add_note("Acme", "note", "two")
    with pytest.raises(EscalateError, match="identical"):
        store.edit_note(two.id, text="one")
    assert store.get_note(two.id) == two


def test_remove_note(store: MemoryStore) -> None:
    note, _ = store.add_note("Acme", "note", "to forget")
    store.remove_note(note.id)
    assert store.notes("Acme") == []
    assert store.search("forget") == []
    with pytest.raises(NotFoundError):
        store.remove_note(note.id)
    with pytest.raises(NotFoundError):
        store.get_note(note.id)
    with pytest.raises(NotFoundError):
        store.edit_note(note.id, text="x")


# -- search -------------------------------------------------------------------------------


def test_search_finds_notes_with_every_word(store: MemoryStore) -> None:
    hit, _ = store.add_note("Acme", "trigger", "The CFO hates surprise invoices")
    store.add_note("Globex", "note", "surprise party")
    assert store.search("surprise cfo") == [hit]
    assert store.search("  ") == []


@pytest.mark.parametrize(
    "hostile",
    ['"', "*", "NEAR(", "a:b", "-x", 'say "hi', "x*", "AND", "OR NOT", "^start", "{col}", "(("],
)
def test_search_with_hostile_input_never_raises(store: MemoryStore, hostile: str) -> None:
    note, _ = store.add_note("Acme", "note", f"renewal {hostile} risk")
    store.search(hostile)
    assert store.search(f"renewal {hostile}") == [note]


def test_search_finds_punctuated_words(store: MemoryStore) -> None:
    note, _ = store.add_note("Acme", "note", "ticket a:b and -x flag NEAR( the end")
    for words in ("a:b", "-x", "NEAR(", "a:b -x"):
        assert store.search(words) == [note]


# -- escalations and commitments ------------------------------------------------------------


def test_escalation_round_trip_and_repeat(store: MemoryStore) -> None:
    recorded = store.record_escalation(
        "Acme",
        date="2024-03-01",
        kind="brief",
        verdict="now",
        reasons=["cancel threat", "deal at risk"],
        issue="outage",
        root_cause="bad deploy",
        ask="exec call",
        outcome="credit",
    )
    assert recorded == Escalation(
        recorded.id, "Acme", "2024-03-01", "brief", "now", ["cancel threat", "deal at risk"],
        "outage", "bad deploy", "exec call", "credit", [], [],
    )  # fmt: skip
    earlier = store.record_escalation("acme", date="2024-01-01", kind="assessment")
    again = store.record_escalation(
        "Acme",
        date="2024-03-01",
        kind="brief",
        verdict="now",
        reasons=("cancel threat", "deal at risk"),
        issue="outage",
        root_cause="bad deploy",
        ask="exec call",
        outcome="credit",
    )
    assert again == recorded
    assert store.escalations("Acme") == [earlier, recorded]


def test_signs_and_triggers_are_kept_in_words_and_tell_records_apart(store: Store) -> None:
    """Two assessments on one day with the same verdict and reasons but different signs
    are two records, each with its own signs."""
    common = {"date": "2024-03-01", "kind": "assessment", "verdict": "escalate"}
    deal = store.record_escalation("Acme", **common, signals=["Revenue is at stake."])
    trust = store.record_escalation(
        "Acme", **common, signals=["Trust has slipped."], triggers=["We promised more"]
    )
    assert deal.id != trust.id
    assert (deal.signals, deal.triggers) == (["Revenue is at stake."], [])
    assert store.escalations("Acme") == [deal, trust]
    assert trust.triggers == ["We promised more"]


@pytest.mark.parametrize(
    ("kind", "verdict", "outcome", "took_place"),
    [
        ("brief", "", "", True),
        ("assessment", "escalate_now", "", False),  # advice, not yet acted on
        ("assessment", "escalate", "VP call held", True),  # outcome recorded: it happened
        ("assessment", "not_yet", "handled it myself", False),
        ("assessment", "dont_escalate", "fine", False),
    ],
)
def test_what_counts_as_an_escalation(store, kind, verdict, outcome, took_place) -> None:
    item = store.record_escalation(
        "Acme", date="2024-03-01", kind=kind, verdict=verdict, outcome=outcome
    )
    assert item.took_place is took_place


def test_a_version_1_store_migrates_keeping_its_escalations(home: Path) -> None:
    from escalate_cli.store.sqlite import APPLICATION_ID, MIGRATIONS

    db = sqlite3.connect(home / "escalate.db")
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("INSERT INTO partners (name, key, created) VALUES ('Acme', 'acme', 'x')")
    db.execute(
        "INSERT INTO escalations (partner_id, date, kind, verdict, reasons, outcome)"
        " VALUES (1, '2024-01-05', 'assessment', 'escalate', '[\"old reason\"]', 'done')"
    )
    db.execute("PRAGMA user_version = 1")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.commit()
    db.close()
    with Store.open(home) as store:
        (old,) = store.escalations("Acme")
        assert (old.date, old.verdict, old.reasons, old.outcome) == (
            "2024-01-05", "escalate", ["old reason"], "done",
        )  # fmt: skip
        assert (old.signals, old.triggers, old.took_place) == ([], [], True)
        store.record_escalation("Acme", date="2024-01-06", kind="brief", signals=["x"])
        assert store._pragma("user_version") == len(MIGRATIONS)


def test_unknown_escalation_kind(store: MemoryStore) -> None:
    with pytest.raises(EscalateError, match="assessment, brief"):
        store.record_escalation("Acme", date="2024-01-01", kind="rant")


def test_commitments_soonest_first_undated_last(store: MemoryStore) -> None:
    later, created = store.add_commitment("Acme", "ship fix", owner="eng", due="2024-06-01")
    assert created
    assert later == Commitment(later.id, "Acme", "ship fix", "eng", "2024-06-01", "", "")
    undated, _ = store.add_commitment("Acme", "weekly update", source="call 2024-01-01")
    soon, _ = store.add_commitment("Globex", "send RCA", due="2024-02-01")
    assert store.add_commitment("acme", "ship fix", owner="eng", due="2024-06-01") == (
        later,
        False,
    )
    assert store.commitments() == [soon, later, undated]
    assert store.commitments("ACME") == [later, undated]

    closed = store.close_commitment(later.id, "2024-05-30")
    assert closed == dataclasses.replace(later, done_on="2024-05-30")
    assert store.commitments("Acme") == [undated]
    assert store.commitments("Acme", open_only=False) == [closed, undated]


def test_close_unknown_commitment(store: MemoryStore) -> None:
    with pytest.raises(NotFoundError):
        store.close_commitment(99, "2024-01-01")
    with pytest.raises(NotFoundError):
        store.commitments("Nobody")


# -- import -------------------------------------------------------------------------------

NOTES = [
    {"kind": "trigger", "text": "never say policy", "date": "2024-01-01", "by": "ana"},
    {"kind": "lesson", "text": "bring numbers"},
]
ESCALATIONS = [{"date": "2024-02-01", "kind": "brief", "verdict": "now", "reasons": ["churn"]}]
COMMITMENTS = [{"what": "quarterly review", "owner": "ana", "due": "2024-04-01"}]


def test_import_is_idempotent(store: MemoryStore) -> None:
    added = store.import_records("Acme", NOTES, ESCALATIONS, COMMITMENTS)
    assert added == {"notes": 2, "escalations": 1, "commitments": 1}
    again = store.import_records("ACME", NOTES, ESCALATIONS, COMMITMENTS)
    assert again == {"notes": 0, "escalations": 0, "commitments": 0}
    assert [n.text for n in store.notes("Acme")] == ["bring numbers", "never say policy"]
    assert store.escalations("Acme")[0].reasons == ["churn"]
    assert store.commitments("Acme")[0].what == "quarterly review"


def test_import_takes_back_what_was_exported(store: MemoryStore, tmp_path: Path) -> None:
    """Records as exported (dataclasses as dicts, with id and partner) import elsewhere."""
    store.import_records("Acme", NOTES, ESCALATIONS, COMMITMENTS)
    exported = (
        [dataclasses.asdict(n) for n in store.notes("Acme")],
        [dataclasses.asdict(e) for e in store.escalations("Acme")],
        [dataclasses.asdict(c) for c in store.commitments("Acme", open_only=False)],
    )
    other_home = tmp_path / "other"
    other_home.mkdir(mode=0o700)
    with Store.open(other_home) as other:
        assert other.import_records("Acme", *exported) == {
            "notes": 2,
            "escalations": 1,
            "commitments": 1,
        }
        theirs, ours = store.notes("Acme"), other.notes("Acme")
        assert ours == [dataclasses.replace(n, id=m.id) for n, m in zip(theirs, ours, strict=True)]


@pytest.mark.parametrize(
    ("notes", "escalations", "commitments", "message"),
    [
        ([*NOTES, {"kind": "note"}], [], [], r"notes\[2\]: 'text' is missing"),
        ([*NOTES, {"kind": "gossip", "text": "x"}], [], [], "unknown note kind"),
        ([*NOTES, {"kind": "note", "text": "x", "colour": "red"}], [], [], "colour"),
        ([*NOTES, {"kind": "note", "text": 5}], [], [], "must be text"),
        ([*NOTES, "just text"], [], [], "expected a mapping"),
        (NOTES, [{"date": "2024-01-01", "kind": "brief", "reasons": "churn"}], [], "reasons"),
        (NOTES, [{"date": "2024-01-01", "kind": "memo"}], [], "escalation kind"),
        (NOTES, ESCALATIONS, [{"owner": "ana"}], "'what' is missing"),
        (NOTES, ESCALATIONS, {"what": "x"}, "expected a list"),
    ],
)
def test_malformed_import_writes_nothing(
    store: MemoryStore, notes: object, escalations: object, commitments: object, message: str
) -> None:
    with pytest.raises(EscalateError, match=message):
        store.import_records("Acme", notes, escalations, commitments)  # type: ignore[arg-type]
    assert store.partners() == []


# -- files, processes, damage -----------------------------------------------------------------


@pytest.mark.sqlite_only
def test_files_are_private(home: Path, store: MemoryStore) -> None:
    store.add_note("Acme", "note", "secret")
    db = home / "escalate.db"
    assert mode(db) == 0o600
    for suffix in ("-wal", "-shm"):
        side = home / f"escalate.db{suffix}"
        if side.exists():
            assert mode(side) == 0o600


def test_writers_in_parallel_lose_nothing(home: Path) -> None:
    """Four processes open a new store at the same moment and write 50 notes each."""
    go = home.parent / "go"
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from escalate_cli.store import Store
        home, go, worker = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
        while not go.exists():
            time.sleep(0.005)
        with Store.open(home) as store:
            for i in range(50):
                store.add_note("Acme", "note", f"worker {worker} note {i}")
        """
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(home), str(go), str(n)], stderr=subprocess.PIPE
        )
        for n in range(4)
    ]
    time.sleep(0.5)  # let all four start up and wait at the gate
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
    with Store.open(home) as store:
        texts = {note.text for note in store.notes("Acme")}
    assert texts == {f"worker {w} note {i}" for w in range(4) for i in range(50)}


def test_a_writer_killed_mid_transaction_loses_only_its_own_work(home: Path) -> None:
    with Store.open(home) as store:
        kept, _ = store.add_note("Acme", "agreement", "committed before the crash")
    script = textwrap.dedent(
        """
        import sqlite3, sys, time
        db = sqlite3.connect(sys.argv[1], isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        for i in range(5000):  # a few MB: more than the page cache, so some reach the WAL
            db.execute(
                "INSERT INTO notes (partner_id, kind, text, created) VALUES (1, 'note', ?, '')",
                (f"uncommitted {i} " + "x" * 1000,),
            )
        print("ready", flush=True)
        time.sleep(120)
        """
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script, str(home / "escalate.db")], stdout=subprocess.PIPE
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"ready\n"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()

    with Store.open(home) as store:
        assert store.notes("Acme") == [kept]
        assert store.search("uncommitted") == []
        assert store.add_note("Acme", "note", "written after the crash")[1]
    db = sqlite3.connect(home / "escalate.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.execute("INSERT INTO notes_fts (notes_fts) VALUES ('integrity-check')")
    finally:
        db.close()


def test_a_file_that_is_not_a_database_is_reported_and_left_alone(home: Path) -> None:
    db = home / "escalate.db"
    db.write_bytes(os.urandom(8192))
    before = db.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(home)
    assert caught.value.exit_code == 2
    assert str(db) in str(caught.value)
    assert "--home" in str(caught.value)
    assert db.read_bytes() == before


def test_another_programs_database_is_reported_and_left_alone(home: Path) -> None:
    db = home / "escalate.db"
    foreign = sqlite3.connect(db)
    foreign.execute("CREATE TABLE recipes (name TEXT)")
    foreign.execute("INSERT INTO recipes VALUES ('soup')")
    foreign.commit()
    foreign.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not one of escalate's") as caught:
        Store.open(home)
    assert str(db) in str(caught.value)
    assert db.read_bytes() == before
    assert not (home / "escalate.db-wal").exists()


def test_a_damaged_store_is_reported_not_a_traceback(home: Path) -> None:
    with Store.open(home) as store:
        store.import_records(
            "Acme", [{"kind": "note", "text": f"{i} " * 100} for i in range(500)], [], []
        )
    db = sqlite3.connect(home / "escalate.db")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = (home / "escalate.db").read_bytes()
    page = 4096
    (home / "escalate.db").write_bytes(data[: 3 * page] + b"\xff" * (len(data) - 3 * page))
    with pytest.raises(StoreError, match="malformed"), Store.open(home) as store:
        store.notes("Acme")


def test_a_store_from_a_newer_escalate_is_refused(home: Path) -> None:
    Store.open(home).close()
    db = sqlite3.connect(home / "escalate.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = (home / "escalate.db").read_bytes()
    with pytest.raises(StoreError, match="newer escalate"):
        Store.open(home)
    assert (home / "escalate.db").read_bytes() == before


def test_reopening_keeps_data_and_schema(home: Path) -> None:
    with Store.open(home) as store:
        note, _ = store.add_note("Acme", "note", "persisted")
    with Store.open(home) as store:
        assert store.notes("Acme") == [note]


def test_ten_thousand_notes(store: MemoryStore) -> None:
    kinds = len(NOTE_KINDS)
    notes = [
        {"kind": NOTE_KINDS[i % kinds], "text": f"note {i}", "date": f"2024-01-{i % 28 + 1:02}"}
        for i in range(10_000)
    ]
    store.import_records("Big", notes, [], [])
    store.add_note("Small", "note", "alone")
    start = time.perf_counter()
    listed = store.notes("Big")
    elapsed = time.perf_counter() - start
    print(f"notes() for a partner with 10,000 notes: {elapsed * 1000:.1f} ms")
    assert len(listed) == 10_000
    assert [n.date for n in listed] == sorted(n.date for n in listed)
