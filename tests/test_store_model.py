"""The store against a model of it: random sequences of writes, then both must agree.

A dictionary model says what each command should leave behind (notes not doubled, names
matched ignoring case, a failed edit changing nothing, an import all or nothing); after
every step the real SQLite store must hold exactly that, and pass `integrity_check`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from escalate_cli.errors import EscalateError
from escalate_cli.store import NOTE_KINDS, Store

PARTNERS = st.sampled_from(["Acme", "acme", " ACME ", "Globex", "Initech  Ltd"])
TEXTS = st.sampled_from(["per our policy", " per our policy ", "no update for 5 days", "Q3"])
DATES = st.sampled_from(["", "2026-01-05", "2026-11-30"])
OWNERS = st.sampled_from(["", "Dana", "Sam"])

NoteKey = tuple[str, str, str, str]  # partner key, kind, text, date


def key(partner: str) -> str:
    return " ".join(partner.split()).casefold()


class StoreAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.store = Store.open(self.folder)
        self.names: dict[str, str] = {}  # partner key -> name as first given
        self.notes: dict[int, NoteKey] = {}
        self.commitments: dict[int, tuple[str, str, str, str, str]] = {}
        self.escalations: dict[str, dict[str, list[str]]] = {}  # key -> {date: outcomes}

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _partner(self, partner: str) -> str:
        self.names.setdefault(key(partner), " ".join(partner.split()))
        return key(partner)

    @rule(partner=PARTNERS, kind=st.sampled_from(NOTE_KINDS), text=TEXTS, date=DATES)
    def add_note(self, partner: str, kind: str, text: str, date: str) -> None:
        wanted = (self._partner(partner), kind, text.strip(), date)
        existing = [id for id, note in self.notes.items() if note == wanted]
        note, is_new = self.store.add_note(partner, kind, text, date or None)
        assert is_new == (not existing)
        if existing:
            assert note.id == existing[0]
        self.notes[note.id] = wanted

    @precondition(lambda self: self.notes)
    @rule(data=st.data(), text=TEXTS)
    def edit_note(self, data: st.DataObject, text: str) -> None:
        id = data.draw(st.sampled_from(sorted(self.notes)))
        partner, kind, _, date = self.notes[id]
        wanted = (partner, kind, text.strip(), date)
        clash = any(note == wanted for other, note in self.notes.items() if other != id)
        try:
            self.store.edit_note(id, text=text)
        except EscalateError:
            assert clash
            return
        assert not clash
        self.notes[id] = wanted

    @precondition(lambda self: self.notes)
    @rule(data=st.data())
    def remove_note(self, data: st.DataObject) -> None:
        id = data.draw(st.sampled_from(sorted(self.notes)))
        self.store.remove_note(id)
        del self.notes[id]

    @rule(partner=PARTNERS, what=TEXTS, owner=OWNERS, due=DATES)
    def add_commitment(self, partner: str, what: str, owner: str, due: str) -> None:
        wanted = (self._partner(partner), what.strip(), owner, due)
        existing = [id for id, c in self.commitments.items() if c[:4] == wanted]
        item, added = self.store.add_commitment(partner, what, owner, due)
        assert added == (not existing)
        if not existing:
            self.commitments[item.id] = (*wanted, "")

    @precondition(lambda self: self.commitments)
    @rule(data=st.data(), day=st.sampled_from(["2026-12-01", "2026-12-02"]))
    def done(self, data: st.DataObject, day: str) -> None:
        id = data.draw(st.sampled_from(sorted(self.commitments)))
        _, changed = self.store.close_commitment(id, day)
        assert changed == (not self.commitments[id][4])  # closed once: the first day stays
        if changed:
            self.commitments[id] = (*self.commitments[id][:4], day)

    @rule(partner=PARTNERS, date=st.sampled_from(["2026-01-05", "2026-02-01"]))
    def escalate(self, partner: str, date: str) -> None:
        self.store.record_escalation(partner, date=date, kind="assessment", verdict="escalate")
        history = self.escalations.setdefault(self._partner(partner), {})
        history.setdefault(date, [])  # the same record again is not doubled

    @precondition(lambda self: self.escalations)
    @rule(data=st.data(), outcome=st.sampled_from(["resolved", "renewed"]))
    def outcome(self, data: st.DataObject, outcome: str) -> None:
        partner = data.draw(st.sampled_from(sorted(self.escalations)))
        history = self.escalations[partner]
        self.store.add_outcome(self.names[partner], outcome, "2026-12-01")
        history[max(history)].append(outcome)  # every outcome is kept, on the latest

    @rule(partner=PARTNERS, texts=st.lists(TEXTS, max_size=3), bad=st.booleans())
    def import_(self, partner: str, texts: list[str], bad: bool) -> None:
        notes = [{"kind": "note", "text": text} for text in texts]
        if bad:  # a malformed item: nothing of the import may land
            notes.append({"kind": "note", "text": 5})
        try:
            self.store.import_records(partner, notes, [], [])
        except EscalateError:
            assert bad
            return
        assert not bad
        pkey = self._partner(partner)
        for text in texts:
            wanted = (pkey, "note", text.strip(), "")
            if wanted not in self.notes.values():
                found = self.store.notes(partner, "note")
                (new,) = [n for n in found if n.text == text.strip() and not n.date]
                self.notes[new.id] = wanted

    @invariant()
    def store_matches_model(self) -> None:
        assert self.store._read("PRAGMA integrity_check")[0][0] == "ok"
        stored_names = {key(p.name): p.name for p in self.store.partners()}
        assert stored_names == self.names
        notes = {
            n.id: (key(n.partner), n.kind, n.text, n.date or "")
            for name in self.names.values()
            for n in self.store.notes(name)
        }
        assert notes == self.notes
        commitments = {
            c.id: (key(c.partner), c.what, c.owner, c.due, c.done_on)
            for c in self.store.commitments(open_only=False)
        }
        assert commitments == self.commitments
        for pkey, history in self.escalations.items():
            stored = {
                e.date: [o.text for o in e.outcomes]
                for e in self.store.escalations(self.names[pkey])
            }
            assert stored == history


StoreAgainstModel.TestCase.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None
)
test_store_against_model = StoreAgainstModel.TestCase
