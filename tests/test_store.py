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
from typing import Any

import pytest

from escalate_cli.errors import CloseMatchError, EscalateError, NotFoundError, StoreError
from escalate_cli.identity import name_key
from escalate_cli.store import (
    NOTE_KINDS,
    Commitment,
    Counts,
    Escalation,
    MemoryStore,
    Note,
    Partner,
    Store,
    open_store,
)
from escalate_cli.store.sqlite import APPLICATION_ID, MIGRATIONS


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


def test_accents_do_not_split_a_partner(store: MemoryStore) -> None:
    first = store.ensure_partner("Café Müller GmbH")
    assert store.ensure_partner("Cafe Muller GmbH") == first
    assert store.find_partner("CAFE MULLER gmbh") == first
    store.add_alias("Café Müller GmbH", "Łódź Depot")
    assert store.find_partner("Lodz depot") == first
    with pytest.raises(CloseMatchError) as caught:
        store.ensure_partner("Cafe Mulller GmbH")
    assert caught.value.close == ("Café Müller GmbH",)


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
    assert store.remove_note(note.id) == note
    assert store.notes("Acme") == []
    assert store.search("forget") == []
    with pytest.raises(NotFoundError):
        store.remove_note(note.id)
    with pytest.raises(NotFoundError):
        store.get_note(note.id)
    with pytest.raises(NotFoundError):
        store.edit_note(note.id, text="x")


def test_removed_ids_are_never_given_again(store: MemoryStore) -> None:
    """Someone holding "#15" must never find another record under it."""
    store.add_note("Acme", "note", "first")
    last, _ = store.add_note("Acme", "note", "second")
    store.remove_note(last.id)
    assert store.add_note("Acme", "note", "third")[0].id > last.id
    store.add_commitment("Acme", "call back")
    promise, _ = store.add_commitment("Acme", "send the RCA")
    store.remove_commitment(promise.id)
    assert store.add_commitment("Acme", "send the plan")[0].id > promise.id
    gone = store.record_escalation("Globex", date="2024-01-05", kind="brief", issue="x")
    store.remove_partner("Globex")
    assert store.record_escalation("Acme", date="2024-01-06", kind="brief").id > gone.id


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
        signals=["they threatened to cancel"],
        issue="outage",
        root_cause="bad deploy",
        ask="exec call",
        drafts={"manager_brief": "Hi"},
    )
    assert recorded == Escalation(
        recorded.id, "Acme", "2024-03-01", "brief", "now", ["cancel threat", "deal at risk"],
        "outage", "bad deploy", "exec call", (), ["they threatened to cancel"], [],
    )  # fmt: skip
    assert recorded.drafts == {"manager_brief": "Hi"} and len(recorded.uid) == 32
    earlier = store.record_escalation("acme", date="2024-01-01", kind="assessment")
    again = store.record_escalation(
        "Acme",
        date="2024-03-01",
        kind="brief",
        verdict="now",
        reasons=("cancel threat", "deal at risk"),
        signals=["they threatened to cancel"],
        issue="outage",
        root_cause="bad deploy",
        ask="exec call",
    )
    assert again == recorded
    assert store.escalations("Acme") == [earlier, recorded]
    assert store.history("ACME") == [recorded, earlier]


def test_a_brief_run_again_with_other_drafts_is_a_record_of_its_own(store: MemoryStore) -> None:
    """Review: a brief run again the same day with a corrected date was filed as the first
    one, whose drafts `history show` then printed: the new drafts were kept nowhere."""
    first = store.record_escalation(
        "Acme", date="2024-03-01", kind="brief", ask="exec call", drafts={"manager_brief": "A"}
    )
    same = store.record_escalation(
        "Acme", date="2024-03-01", kind="brief", ask="exec call", drafts={"manager_brief": "A"}
    )
    other = store.record_escalation(
        "Acme", date="2024-03-01", kind="brief", ask="exec call", drafts={"manager_brief": "B"}
    )
    assert same.id == first.id and other.id != first.id
    assert [e.drafts for e in store.escalations("Acme")] == [
        {"manager_brief": "A"},
        {"manager_brief": "B"},
    ]


def test_outcomes_are_a_dated_list_on_the_latest_escalation(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no escalation is recorded"):
        store.ensure_partner("Acme")
        store.add_outcome("Acme", "fine", "2024-01-02")
    first = store.record_escalation("Acme", date="2024-01-01", kind="assessment")
    latest = store.record_escalation("Acme", date="2024-02-01", kind="brief")
    store.add_outcome("acme", "VP call held", "2024-02-03")
    told = store.add_outcome("acme", "renewal signed", "2024-02-20")
    assert told.id == latest.id
    assert [(o.date, o.text) for o in told.outcomes] == [
        ("2024-02-03", "VP call held"),
        ("2024-02-20", "renewal signed"),
    ]
    assert told.outcome == "renewal signed"
    earlier = store.add_outcome("Acme", "closed quietly", "2024-01-05", first.id)
    assert [o.text for o in earlier.outcomes] == ["closed quietly"]
    with pytest.raises(EscalateError, match="empty"):
        store.add_outcome("Acme", "  ", "2024-02-03")


def test_local_history_keeps_what_has_no_partner(store: Store) -> None:
    kept = store.record_escalation(
        None,
        date="2024-03-01",
        kind="brief",
        customer="Someone",
        commitments=[{"what": "send the plan", "owner": "Dana", "due": "2024-03-05"}],
    )
    assert kept.partner == "" and kept.customer == "Someone"
    assert store.history() == [kept]
    (promise,) = store.commitments()
    assert (promise.partner, promise.what, promise.source) == ("", "send the plan", "brief")
    assert store.partners() == []


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
    item = store.record_escalation("Acme", date="2024-03-01", kind=kind, verdict=verdict)
    if outcome:
        item = store.add_outcome("Acme", outcome, "2024-03-02")
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

    closed, changed = store.close_commitment(later.id, "2024-05-30")
    assert changed and closed == dataclasses.replace(later, done_on="2024-05-30")
    assert closed.state == "done"
    assert store.commitments("Acme") == [undated]
    assert store.commitments("Acme", open_only=False) == [closed, undated]


def test_commitment_lifecycle(store: MemoryStore) -> None:
    item, _ = store.add_commitment("Acme", "ship fix", owner="eng", due="2024-06-01", pending=True)
    assert item.state == "pending"
    agreed = store.edit_commitment(item.id, pending=False, due="2024-06-03", owner="Dana")
    assert (agreed.state, agreed.due, agreed.owner, agreed.what) == (
        "open",
        "2024-06-03",
        "Dana",
        "ship fix",
    )
    closed, changed = store.close_commitment(item.id, "2024-06-02")
    again, changed_again = store.close_commitment(item.id, "2024-06-09")
    assert changed and not changed_again and again.done_on == "2024-06-02" == closed.done_on
    reopened, changed = store.reopen_commitment(item.id)
    assert changed and reopened.state == "open"
    assert store.reopen_commitment(item.id)[1] is False
    other, _ = store.add_commitment("Acme", "send notes")
    with pytest.raises(EscalateError, match="identical"):
        store.edit_commitment(other.id, what="ship fix", owner="Dana", due="2024-06-03")
    assert store.remove_commitment(item.id) == reopened
    assert store.commitments("Acme") == [other]


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
    added = store.import_records("Acme", NOTES, ESCALATIONS, COMMITMENTS, aliases=["Acme Inc"])
    assert added == {
        "notes": Counts(added=2),
        "escalations": Counts(added=1),
        "commitments": Counts(added=1),
        "aliases": Counts(added=1),
    }
    again = store.import_records("ACME", NOTES, ESCALATIONS, COMMITMENTS, aliases=["ACME inc."])
    assert again == {
        "notes": Counts(unchanged=2),
        "escalations": Counts(unchanged=1),
        "commitments": Counts(unchanged=1),
        "aliases": Counts(unchanged=1),
    }
    assert store.aliases("acme inc") == ["Acme Inc"]
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
            "notes": Counts(added=2),
            "escalations": Counts(added=1),
            "commitments": Counts(added=1),
            "aliases": Counts(),
        }
        theirs, ours = store.notes("Acme"), other.notes("Acme")
        assert ours == [dataclasses.replace(n, id=m.id) for n, m in zip(theirs, ours, strict=True)]
        assert [n.uid for n in ours] == [n.uid for n in theirs]


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


# -- partner identity ---------------------------------------------------------------------


def test_case_spacing_and_punctuation_are_one_partner(store: Store) -> None:
    first = store.ensure_partner("Northwind Logistics")
    for typed in ("northwind-logistics", "NORTHWIND  LOGISTICS.", "Northwind Logistics, "):
        assert store.ensure_partner(typed) == first
        assert store.find_partner(typed) == first


def test_a_new_name_close_to_a_known_one_is_refused_unless_new(store: Store) -> None:
    store.ensure_partner("Northwind Logistics")
    for typo in ("Nortwind Logistics", "Northwind Logistcs", "Northwind"):
        with pytest.raises(CloseMatchError) as caught:
            store.add_note(typo, "note", "x")
        assert caught.value.exit_code == 2
        assert caught.value.close == ("Northwind Logistics",)
        assert "did you mean 'Northwind Logistics'?" in caught.value.message
        assert "--new" in (caught.value.hint or "")
    assert [p.name for p in store.partners()] == ["Northwind Logistics"]
    store.add_note("Northwind", "note", "really another company", new=True)
    assert [p.name for p in store.partners()] == ["Northwind", "Northwind Logistics"]
    assert store.ensure_partner("Globex").name == "Globex"  # nothing close: just starts


def test_aliases_resolve_and_never_point_at_two_partners(store: Store) -> None:
    store.ensure_partner("Northwind Logistics")
    store.ensure_partner("Globex")
    store.add_alias("northwind logistics", "NWL")
    assert store.find_partner("nwl").name == "Northwind Logistics"
    store.add_note("NWL", "note", "filed under the alias")
    assert [n.partner for n in store.notes("Northwind Logistics")] == ["Northwind Logistics"]
    with pytest.raises(EscalateError, match="already means 'Northwind Logistics'"):
        store.add_alias("Globex", "nwl")
    with pytest.raises(EscalateError, match="already means 'Globex'"):
        store.add_alias("NWL", "globex")
    (summary, _) = sorted(store.partners(), key=lambda s: s.name != "Northwind Logistics")
    assert summary.aliases == ("NWL",)


def test_an_alias_is_removed_from_its_partner_only(store: Store) -> None:
    store.ensure_partner("Northwind Logistics")
    store.ensure_partner("Globex")
    store.add_alias("Northwind Logistics", "NWL")
    store.add_alias("Globex", "GBX")
    with pytest.raises(EscalateError, match="it means 'Globex'"):
        store.remove_alias("Northwind Logistics", "gbx")
    with pytest.raises(EscalateError, match="it is the name of 'Globex'; nothing was removed"):
        store.remove_alias("Northwind Logistics", "globex")
    with pytest.raises(EscalateError, match="is the name of 'Northwind Logistics'"):
        store.remove_alias("NWL", "NORTHWIND logistics")
    partner, removed = store.remove_alias("nwl", "nwl")
    assert (partner.name, removed) == ("Northwind Logistics", "NWL")
    with pytest.raises(EscalateError, match="not an alias of 'Northwind Logistics'"):
        store.remove_alias("Northwind Logistics", "NWL")
    assert store.aliases("Northwind Logistics") == [] and store.aliases("Globex") == ["GBX"]


def test_rename_keeps_every_record(store: Store) -> None:
    store.add_note("Nortwind", "note", "x")
    store.record_escalation("Nortwind", date="2024-01-01", kind="assessment")
    store.add_commitment("Nortwind", "call back")
    renamed = store.rename_partner("nortwind", "Northwind Logistics")
    assert renamed.name == "Northwind Logistics"
    assert len(store.notes("Northwind Logistics")) == 1
    assert len(store.escalations("northwind logistics")) == 1
    assert store.commitments("Northwind Logistics")[0].partner == "Northwind Logistics"
    with pytest.raises(NotFoundError):
        store.find_partner("Nortwind")
    store.ensure_partner("Globex")
    with pytest.raises(EscalateError, match="already the name of 'Globex'"):
        store.rename_partner("Northwind Logistics", "GLOBEX")
    assert store.rename_partner("northwind logistics", "NORTHWIND Logistics").name == (
        "NORTHWIND Logistics"
    )


def test_merge_moves_every_record_and_keeps_the_name_as_an_alias(store: Store) -> None:
    store.add_note("Northwind Logistics", "trigger", "per our policy")
    store.add_note("Nortwind", "trigger", "per our policy", new=True)  # the same note twice
    store.add_note("Nortwind", "lesson", "answer within a day", new=True)
    store.record_escalation("Nortwind", date="2024-01-01", kind="assessment", new=True)
    store.add_outcome("Nortwind", "calmed down", "2024-01-03")
    store.add_commitment("Nortwind", "call back", new=True)
    store.add_alias("Nortwind", "NW")
    moved = store.merge_partners("nortwind", "northwind logistics")
    assert moved == {
        "notes": Counts(added=1, unchanged=1),
        "commitments": Counts(added=1),
        "history": Counts(added=1),
    }
    assert [n.text for n in store.notes("Northwind Logistics")] == [
        "per our policy",
        "answer within a day",
    ]
    (escalation,) = store.escalations("Northwind Logistics")
    assert escalation.outcome == "calmed down"
    assert store.commitments("Northwind Logistics")[0].what == "call back"
    assert store.find_partner("Nortwind").name == "Northwind Logistics"
    assert store.find_partner("NW").name == "Northwind Logistics"
    assert [p.name for p in store.partners()] == ["Northwind Logistics"]
    with pytest.raises(EscalateError, match="already one partner"):
        store.merge_partners("NW", "Northwind Logistics")


def test_the_aliases_taken_away_follow_a_merge_and_go_with_a_removed_partner(
    store: Store,
) -> None:
    """An alias taken away stays away from the partner it was taken from, also once that
    partner is merged into another (a later import of its export must not bring it back)."""
    store.add_note("Nortwind", "note", "x", new=True)
    store.add_alias("Nortwind", "NW Freight")
    store.remove_alias("Nortwind", "nw freight")
    assert list(store.removed_aliases("Nortwind")) == [name_key("NW Freight")]
    store.add_note("Northwind Logistics", "note", "y", new=True)
    store.merge_partners("Nortwind", "Northwind Logistics")
    assert list(store.removed_aliases("Northwind Logistics")) == [name_key("NW Freight")]
    store.add_alias("Northwind Logistics", "NW Freight")  # given back by hand
    assert store.removed_aliases("Northwind Logistics") == {}
    store.remove_alias("Northwind Logistics", "NW Freight")
    store.remove_partner("Northwind Logistics")
    store.add_note("Northwind Logistics", "note", "a new one", new=True)
    assert store.removed_aliases("Northwind Logistics") == {}


def test_remove_deletes_the_partner_and_all_of_its_records(store: Store) -> None:
    store.add_note("Acme", "note", "x")
    store.record_escalation("Acme", date="2024-01-01", kind="assessment")
    store.add_outcome("Acme", "done", "2024-01-02")
    store.add_commitment("Acme", "call back")
    store.add_alias("Acme", "ACME Inc")
    store.add_note("Globex", "note", "stays")
    assert store.remove_partner("acme") == {
        "notes": 1,
        "history": 1,
        "commitments": 1,
        "aliases": 1,
    }
    assert [p.name for p in store.partners()] == ["Globex"]
    assert store.commitments() == [] and store.history() == []
    assert store.search("x") == []


# -- import merges by stable ids --------------------------------------------------------------


def export(store: Store, partner: str) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        [dataclasses.asdict(n) for n in store.notes(partner)],
        [dataclasses.asdict(e) for e in store.escalations(partner)],
        [dataclasses.asdict(c) for c in store.commitments(partner, open_only=False)],
    )


def test_reimport_updates_outcomes_and_commitment_states_in_place(
    store: Store, tmp_path: Path
) -> None:
    store.add_note("Acme", "trigger", "per our policy")
    store.record_escalation("Acme", date="2024-01-01", kind="brief")
    promise, _ = store.add_commitment("Acme", "send the plan", due="2024-01-05")
    first = export(store, "Acme")
    other_home = tmp_path / "other"
    other_home.mkdir(mode=0o700)
    with Store.open(other_home) as other:
        other.import_records("Acme", *first)
        time.sleep(1.1)  # `updated` has one-second resolution
        store.add_outcome("Acme", "plan accepted", "2024-01-06")
        store.close_commitment(promise.id, "2024-01-04")
        store.add_commitment("Acme", "quarterly review")
        report = other.import_records("Acme", *export(store, "Acme"))
        assert report == {
            "notes": Counts(unchanged=1),
            "escalations": Counts(updated=1),
            "commitments": Counts(added=1, updated=1),
            "aliases": Counts(),
        }
        (escalation,) = other.escalations("Acme")
        assert [o.text for o in escalation.outcomes] == ["plan accepted"]
        states = {c.what: c.state for c in other.commitments("Acme", open_only=False)}
        assert states == {"send the plan": "done", "quarterly review": "open"}
        again = other.import_records("Acme", *export(store, "Acme"))
        assert all(counts.added == counts.updated == 0 for counts in again.values())
        # an older copy never undoes a newer change
        assert other.import_records("Acme", *first)["commitments"] == Counts(unchanged=1)
        assert other.commitments("Acme", open_only=False)[0].state == "done"


def test_legacy_outcome_field_imports_as_a_dated_outcome(store: Store) -> None:
    store.import_records(
        "Acme", [], [{"date": "2024-01-01", "kind": "brief", "outcome": "credit given"}], []
    )
    (escalation,) = store.escalations("Acme")
    assert [(o.date, o.text) for o in escalation.outcomes] == [("2024-01-01", "credit given")]


def test_schema_1_store_is_migrated_with_everything_kept(home: Path) -> None:
    db = sqlite3.connect(home / "escalate.db")
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.executescript(
        f"""
        PRAGMA user_version = 1; PRAGMA application_id = {APPLICATION_ID};
        INSERT INTO partners VALUES (1, 'Acme', 'acme', '2024-01-01');
        INSERT INTO notes (partner_id, kind, text, created) VALUES (1, 'note', 'old', 'x');
        INSERT INTO escalations (partner_id, date, kind, verdict, outcome)
            VALUES (1, '2024-01-02', 'brief', 'escalate', 'credit given');
        INSERT INTO commitments (partner_id, what, done_on, created)
            VALUES (1, 'call back', '2024-01-03', 'x');
        """
    )
    db.close()
    with Store.open(home) as store:
        (note,) = store.notes("acme")
        (escalation,) = store.escalations("Acme")
        (promise,) = store.commitments("Acme", open_only=False)
        assert note.text == "old" and len(note.uid) == 32
        assert (escalation.verdict, escalation.outcome) == ("escalate", "credit given")
        assert (promise.state, promise.done_on) == ("done", "2024-01-03")
        assert len({note.uid, escalation.uid, promise.uid}) == 3


def schema_5_store(home: Path, rows: str) -> None:
    """A store as escalate left it before ids were kept from reuse and names were folded
    across accents (schema 5), holding `rows` (SQL)."""
    db = sqlite3.connect(home / "escalate.db")
    for statement in (statement for version in MIGRATIONS[:5] for statement in version):
        db.execute(str(statement))
    db.executescript(f"PRAGMA user_version = 5; PRAGMA application_id = {APPLICATION_ID};{rows}")
    db.close()


def test_a_migrated_store_never_gives_a_removed_id_again(home: Path) -> None:
    schema_5_store(
        home,
        """INSERT INTO partners VALUES (1, 'Acme', 'acme', 'x');
        INSERT INTO notes (partner_id, kind, text, created, uid) VALUES
            (1, 'note', 'one', 'x', 'u1'), (1, 'note', 'two', 'x', 'u2');
        INSERT INTO history (uid, partner_id, date, kind, created)
            VALUES ('h1', 1, '2024-01-01', 'brief', 'x');
        INSERT INTO outcomes (uid, escalation_id, date, text, created)
            VALUES ('o1', 1, '2024-01-02', 'credit given', 'x');
        INSERT INTO commitments (uid, partner_id, what, created, updated)
            VALUES ('c1', 1, 'call back', 'x', 'x');""",
    )
    with Store.open(home) as store:
        assert [(n.id, n.text) for n in store.search("two")] == [(2, "two")]
        assert store.history("Acme")[0].outcome == "credit given"
        store.remove_note(2)
        assert store.add_note("Acme", "note", "three")[0].id == 3
        assert [n.text for n in store.search("three")] == ["three"]
        store.edit_note(3, text="four")
        assert store.search("three") == [] and [n.id for n in store.search("four")] == [3]
        store.remove_commitment(1)
        assert store.add_commitment("Acme", "send the plan")[0].id == 2
        gone = store.record_escalation("Globex", date="2024-01-05", kind="brief")
        store.remove_partner("Globex")
        assert store.record_escalation("Acme", date="2024-01-06", kind="brief").id > gone.id
        assert store._read("PRAGMA foreign_key_check") == []
        assert store._pragma("foreign_keys") == 1


def test_migration_folds_accents_and_keeps_partners_that_now_share_a_name(home: Path) -> None:
    schema_5_store(
        home,
        """INSERT INTO partners VALUES (1, 'Café Müller GmbH', 'cafémüllergmbh', 'x'),
            (2, 'Cafe Muller GmbH', 'cafemullergmbh', 'x'), (3, 'Ærø Shipping', 'ærøshipping', 'x');
        INSERT INTO aliases (partner_id, name, key, created) VALUES (3, 'Fjord Ø', 'fjordø', 'x');
        INSERT INTO notes (partner_id, kind, text, created, uid) VALUES
            (1, 'note', 'accented', 'x', 'u1'), (2, 'note', 'plain', 'x', 'u2');""",
    )
    with Store.open(home) as store:
        assert (
            store.find_partner("Aero shipping")
            == store.find_partner("fjord o")
            == Partner(3, "Ærø Shipping")
        )
        # neither partner is lost, nor merged without being asked: each is its exact name
        assert [n.text for n in store.notes("Café Müller GmbH")] == ["accented"]
        assert [n.text for n in store.notes("cafe muller gmbh")] == ["plain"]
        assert store.namesakes() == [("Cafe Muller GmbH", "Café Müller GmbH")]
        for attempt in (
            lambda: store.find_partner("CAFÉ MULLER GMBH"),
            lambda: store.add_note("Cafe Müller GmbH", "note", "third", new=True),
            lambda: store.add_alias("Ærø Shipping", "Café Muller GmbH"),
        ):
            with pytest.raises(EscalateError) as caught:
                attempt()
            assert "could mean 2 partners: 'Cafe Muller GmbH' or 'Café Müller GmbH'" in str(
                caught.value
            )
            assert "escalate partners merge 'Cafe Muller GmbH' 'Café Müller GmbH'" in str(
                caught.value
            )
        assert len(store.partners()) == 3
        store.merge_partners("Cafe Muller GmbH", "Café Müller GmbH")
        assert sorted(n.text for n in store.notes("CAFE MÜLLER gmbh")) == ["accented", "plain"]
        assert store.namesakes() == []
        keys = store._read("SELECT name, key FROM partners UNION ALL SELECT name, key FROM aliases")
        assert {row["name"]: row["key"] for row in keys} == {
            "Café Müller GmbH": "cafemullergmbh",
            "Cafe Muller GmbH": "cafemullergmbh",
            "Ærø Shipping": "aeroshipping",
            "Fjord Ø": "fjordo",
        }


def test_merge_while_writers_add_notes_to_either_partner_loses_nothing(home: Path) -> None:
    """Two processes keep adding notes, one to each name, before, while and after the two
    partners merge; each writes 20 more once the merge is done, then says how many."""
    with Store.open(home) as store:
        store.add_note("Northwind Logistics", "note", "before the merge")
        store.add_note("Nortwind", "note", "typo partner's note", new=True)
    merged = home.parent / "merged"
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from escalate_cli.store import Store
        home, name, merged = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
        after = i = 0
        with Store.open(home) as store:
            while after < 20 and i < 20000:
                store.add_note(name, "note", f"{name} note {i}")
                i += 1
                after += merged.exists()
        print(i)
        """
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(home), name, str(merged)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in ("Nortwind", "Northwind Logistics")
    ]
    with Store.open(home) as store:
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline
            and min(len(store.notes(name)) for name in ("Nortwind", "Northwind Logistics")) < 20
        ):  # both writers are under way
            time.sleep(0.01)
        moved = store.merge_partners("Nortwind", "Northwind Logistics")
    merged.touch()
    written = {}
    for name, writer in zip(("Nortwind", "Northwind Logistics"), writers, strict=True):
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
        written[name] = int(out)
    assert moved["notes"].added >= 20  # its own note and the 19 or more its writer had added
    with Store.open(home) as store:
        texts = {note.text for note in store.notes("Northwind Logistics")}
        assert [p.name for p in store.partners()] == ["Northwind Logistics"]
    expected = {f"{name} note {i}" for name, count in written.items() for i in range(count)}
    assert texts == expected | {"before the merge", "typo partner's note"}
