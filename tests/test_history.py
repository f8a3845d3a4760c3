"""Pure parts of the history: which records are one escalation, and a brief kept and
printed again."""

from __future__ import annotations

import dataclasses

from escalate_cli import report
from escalate_cli.brief import draft
from escalate_cli.episodes import episodes, past_escalations
from escalate_cli.playbook import bundled_path, load
from escalate_cli.store import Escalation, Outcome
from test_brief import ORDINARY


def record(id: int, date: str, kind: str, *outcomes: str) -> Escalation:
    return Escalation(
        id, "Acme", date, kind, "", [], "", "", "",
        tuple(Outcome(i, date, text) for i, text in enumerate(outcomes)),
    )  # fmt: skip


def test_an_assessment_and_the_brief_after_it_are_one_escalation() -> None:
    a1, b1 = record(1, "2026-11-02", "assessment"), record(2, "2026-11-05", "brief")
    a2, a3 = record(3, "2026-11-10", "assessment"), record(4, "2026-11-11", "assessment")
    b2 = record(5, "2026-11-11", "brief")
    late_a, late_b = record(6, "2026-12-01", "assessment"), record(7, "2026-12-20", "brief")
    lone = record(8, "2026-12-28", "brief")
    grouped = episodes([lone, late_b, late_a, b2, a3, a2, b1, a1])
    assert grouped == [(a1, b1), (a2,), (a3, b2), (late_a,), (late_b,), (lone,)]


def test_past_escalations_are_what_happened_and_the_escalation_notes() -> None:
    advice, brief = record(1, "2026-11-02", "assessment"), record(2, "2026-11-05", "brief")
    acted = dataclasses.replace(record(3, "2026-11-20", "assessment", "held"), verdict="escalate")
    unacted = dataclasses.replace(record(4, "2026-12-20", "assessment"), verdict="escalate_now")
    assert past_escalations([], 0) == 0
    assert past_escalations([advice, unacted], 0) == 0  # advice, however strong
    assert past_escalations([unacted, acted, brief, advice], 0) == 2  # advice + brief: one
    assert past_escalations([unacted, acted, brief, advice], 3) == 5


def test_a_kept_brief_prints_again_exactly() -> None:
    book = load(bundled_path(), check_templates=True)
    result = draft(book, {**ORDINARY, "tried": "per our policy, no"}, ("per our policy",), "Acme")
    assert result.findings  # the round trip carries findings too
    data = report.brief_data(result)
    again = report.brief_from_data(data)
    assert report.brief_data(again) == data
    assert report.brief_markdown(again) == report.brief_markdown(result)
    assert report.brief_text(again) == report.brief_text(result)


def test_history_markdown_says_what_is_not_recorded() -> None:
    kept = Escalation(
        3, "", "2026-12-01", "assessment", "escalate_now", [], "", "", "",
        signals=["They are threatening to cancel"], customer="Acme Crop",
    )  # fmt: skip
    text = report.history_markdown([kept, record(1, "2026-11-02", "brief", "renewal")], "History")
    assert "- #3 2026-12-01 assessment, Acme Crop (not filed): verdict escalate\\_now; " in text
    assert "signals: They are threatening to cancel; outcome: not recorded" in text
    assert "- #1 2026-11-02 brief, Acme: verdict -; signals: none recorded; " in text
    assert "outcome: 2026-11-02: renewal" in text
    assert report.history_markdown([], "History").endswith("Nothing recorded yet.\n")
