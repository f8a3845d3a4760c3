"""The verdict rules of the default playbook, as the issue states them, and more."""

from __future__ import annotations

import itertools

import pytest

from conftest import ASSESS_IDS_NO, CHECKLIST, SIGNALS, answers
from escalate_cli.assess import assess
from escalate_cli.playbook import Playbook

ALL_CHECKLIST_YES = dict.fromkeys(CHECKLIST, True)


def rules_of(result) -> list[str]:
    return [reason.rule for reason in result.reasons]


def test_cancel_threat_is_escalate_now_whatever_else_holds(book: Playbook) -> None:
    result = assess(book, answers(cancel_threat=True, just_venting=True, your_level=True))
    assert result.verdict == "escalate_now"
    assert rules_of(result)[0] == "cancel_threat"
    assert result.scenario and result.scenario.id == "threatening_to_cancel"


def test_customer_checked_out_is_escalate_now(book: Playbook) -> None:
    result = assess(book, answers(customer_checked_out=True, **ALL_CHECKLIST_YES))
    assert result.verdict == "escalate_now"
    assert "checked_out" in rules_of(result)
    assert "too_late" in [g.id for g in result.gotchas]


@pytest.mark.parametrize("signal", ["relationship_at_risk", "beyond_your_ability", "deal_at_risk"])
@pytest.mark.parametrize("undone", ["tried_to_resolve", "communicated_transparently"])
def test_risk_without_groundwork_is_not_yet(book: Playbook, signal: str, undone: str) -> None:
    given = answers(**{**ALL_CHECKLIST_YES, signal: True, undone: False})
    result = assess(book, given)
    assert result.verdict == "not_yet"
    assert rules_of(result) == ["groundwork_first"]
    assert [todo.id for todo in result.missing] == [undone]
    assert result.first, "not_yet must say what to do first"


@pytest.mark.parametrize("signal", ["asked_for_manager", "needs_leadership_authority"])
def test_beyond_your_level_escalates_even_untried(book: Playbook, signal: str) -> None:
    result = assess(book, answers(**{signal: True, "relationship_at_risk": True}))
    assert result.verdict == "escalate"
    assert rules_of(result)[0] == "needs_leadership"
    assert "tried_to_resolve" in [todo.id for todo in result.missing]


@pytest.mark.parametrize("signal", ["relationship_at_risk", "beyond_your_ability", "deal_at_risk"])
def test_signal_with_groundwork_escalates(book: Playbook, signal: str) -> None:
    given = answers(tried_to_resolve=True, communicated_transparently=True, **{signal: True})
    result = assess(book, given)
    assert result.verdict == "escalate"
    assert rules_of(result) == ["signal_with_groundwork"]


def test_no_signal_is_dont_escalate_citing_what_applies(book: Playbook) -> None:
    result = assess(book, answers(routine_technical_issue=True, just_venting=True))
    assert result.verdict == "dont_escalate"
    texts = [reason.text for reason in result.reasons]
    assert any("routine technical issue" in text for text in texts)
    assert any("venting" in text for text in texts)
    assert not any("your level" in text for text in texts)


def test_missing_lists_checklist_answered_no_in_order(book: Playbook) -> None:
    given = answers(**{**ALL_CHECKLIST_YES, "clear_ask": False, "manager_briefed": False})
    result = assess(book, given)
    assert [todo.id for todo in result.missing] == ["clear_ask", "manager_briefed"]
    assert all(todo.text for todo in result.missing)


def test_triggers_chosen_come_back_with_their_remedy(book: Playbook) -> None:
    result = assess(book, answers(triggers=["eta_without_buffer", "inflated_urgency"]))
    assert [c.value for c in result.triggers] == ["eta_without_buffer", "inflated_urgency"]
    assert all(c.remedy for c in result.triggers)


def test_both_escalate_now_rules_give_their_reasons(book: Playbook) -> None:
    result = assess(book, answers(cancel_threat=True, customer_checked_out=True))
    assert rules_of(result) == ["cancel_threat", "checked_out"]


def test_gotchas_follow_the_verdict(book: Playbook) -> None:
    escalating = assess(book, answers(cancel_threat=True))
    assert {"too_early", "manager_not_briefed", "no_plan", "blame"} <= {
        g.id for g in escalating.gotchas
    }
    calm = assess(book, answers(**ALL_CHECKLIST_YES))
    assert calm.verdict == "dont_escalate"
    assert calm.gotchas == ()


OTHERS = ["routine_technical_issue", "just_venting", "your_level", "customer_checked_out"]


def test_every_combination_gets_a_consistent_verdict(book: Playbook) -> None:
    """All 2^16 yes/no combinations of the checklist, the signals and the rest."""
    ids = CHECKLIST + SIGNALS + OTHERS
    for values in itertools.product((False, True), repeat=len(ids)):
        given = {**ASSESS_IDS_NO, **dict(zip(ids, values, strict=True))}
        result = assess(book, given)
        assert result.reasons, "every verdict says why"
        assert [t.id for t in result.missing] == [k for k in CHECKLIST if not given[k]]
        signals = [given[k] for k in SIGNALS]
        if given["cancel_threat"] or given["customer_checked_out"]:
            expected = "escalate_now"
        elif given["asked_for_manager"] or given["needs_leadership_authority"]:
            expected = "escalate"
        elif not any(signals):
            expected = "dont_escalate"
        elif given["tried_to_resolve"] and given["communicated_transparently"]:
            expected = "escalate"
        else:
            expected = "not_yet"
        assert result.verdict == expected, given
