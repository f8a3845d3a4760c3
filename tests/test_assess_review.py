"""What a customer success manager found running `assess` on seven real situations.

Each test names the situation it comes from; the verdicts stay as the decision table in the
README says, the advice around them has to fit the answers given."""

from __future__ import annotations

import pytest

from conftest import CHECKLIST, answers
from escalate_cli.assess import assess
from escalate_cli.playbook import Playbook
from escalate_cli.report import CONFLICT_INTRO, assessment_markdown, settling

DONE = dict.fromkeys(CHECKLIST, True)
LEADERSHIP_TODOS = {"clear_ask", "manager_briefed", "right_time"}


def text_of(result) -> str:
    """Everything a user reads in the assessment, as one lower-case string."""
    return assessment_markdown(result).lower()


# --- 1. a VP will not renew unless the sync bug is fixed ----------------------------------


def test_1_cancel_steps_follow_what_is_known_and_what_it_takes(book: Playbook) -> None:
    given = {**DONE, "manager_briefed": False}
    bug = assess(book, answers(**given, cancel_threat=True, beyond_your_ability=True))
    steps = " ".join(bug.steps)
    assert "behind the threat" not in steps  # knows_root_cause: yes
    assert "engineering leadership" in steps  # a lasting fix is beyond you
    unknown = assess(book, answers(**{**given, "knows_root_cause": False}, cancel_threat=True))
    assert "behind the threat" in " ".join(unknown.steps)
    assert "engineering leadership" not in " ".join(unknown.steps)
    close = assess(book, {**answers(**given, cancel_threat=True), "renewal_soon": True})
    assert "renewal date" in " ".join(close.steps)


@pytest.mark.parametrize("verdict_answers", [{"cancel_threat": True}, {"asked_for_manager": True}])
def test_1_box_and_lists_agree_on_what_comes_first(book: Playbook, verdict_answers) -> None:
    """The box said "brief your manager first", the list "do these alongside"."""
    result = assess(book, answers(**{**DONE, "manager_briefed": False}, **verdict_answers))
    assert result.escalating
    assert "first" not in result.advice.replace('"Do first"', "")
    assert any(step.startswith("Brief your manager") for step in result.first)
    assert "manager_briefed" not in {todo.id for todo in result.todo}
    assert "manager_briefed" in {todo.id for todo in result.missing}  # JSON still says so


# --- 2. letting off steam about a UI change -----------------------------------------------


def venting(book: Playbook):
    given = {**DONE, "clear_ask": False, "right_time": False, "manager_briefed": False}
    return assess(
        book,
        answers(
            **given,
            timing_off="too_early",
            just_venting=True,
            your_level=True,
            triggers=["expectations_unset"],
        ),
    )


def test_2_venting_gets_its_own_scenario_and_no_leadership_todos(book: Playbook) -> None:
    result = venting(book)
    assert result.verdict == "dont_escalate"
    assert result.scenario and result.scenario.id == "letting_off_steam"
    assert not LEADERSHIP_TODOS & {todo.id for todo in result.todo}
    shown = text_of(result)
    assert "ask leadership to help" not in shown
    assert "act today" not in shown and "slipping away" not in shown
    assert "feedback" in " ".join(result.first).lower()


# --- 3. a partner asked for my boss; I have not tried yet ---------------------------------


def test_3_first_reply_to_them_today_then_brief_the_manager(book: Playbook) -> None:
    given = {**DONE, "tried_to_resolve": False, "manager_briefed": False}
    result = assess(book, answers(**given, asked_for_manager=True, relationship_at_risk=True))
    assert result.verdict == "escalate"
    assert result.first[0].startswith("Reply to them today")
    assert result.first[1].startswith("Brief your manager")
    assert "sales" in " ".join(result.steps)  # who follows up what we missed together


def test_3_words_fit_a_customer_and_a_partner_alike(book: Playbook) -> None:
    """A partner was called "customer" throughout; a customer was told of "the partner"."""
    sections = [s for s in book.assess if s.id != "checklist"]
    words = [s.intro or "" for s in sections]
    for question in book.questions("assess"):
        words += [question.text, question.hint, question.if_yes or "", question.if_no or ""]
        words += [f"{c.label} {c.remedy or ''}" for c in question.choices]
    for rule in book.rules:
        words.append(rule.reason)
    for scenario in book.scenarios:
        words += [scenario.title, *(s if isinstance(s, str) else s.text for s in scenario.steps)]
    words += [f"{g.text} {g.advice}" for g in book.gotchas]
    words += [v.advice for v in book.verdicts.values()]
    said = " ".join(words).lower()
    assert "partner" not in said
    assert "the customer" not in said
    assert "segment" not in said


# --- 4. a contract exception I cannot grant -----------------------------------------------


def test_4_an_exception_is_routed_to_who_can_grant_it(book: Playbook) -> None:
    result = assess(book, answers(**DONE, needs_leadership_authority=True))
    assert result.verdict == "escalate"
    assert [r.rule for r in result.reasons] == ["needs_leadership", "needs_leadership"]
    assert result.scenario and result.scenario.id == "authority_exception"
    assert "business case" in " ".join(result.steps)
    assert "blame" not in {g.id for g in result.gotchas}


# --- 5. I promised a feature date; it will slip; they do not know -------------------------


def promise(book: Playbook, **more: bool):
    given = {**DONE, "communicated_transparently": False, "manager_briefed": False}
    return assess(book, answers(**given, your_level=True, triggers=["overpromised"], **more))


def test_5_no_surprises_warn_the_manager_then_tell_them(book: Playbook) -> None:
    result = promise(book)
    assert result.verdict == "dont_escalate"
    assert result.first[0].startswith("Warn your manager today")
    assert result.first[1].startswith("Tell them now")
    # what "do first" covers is not listed again below it
    assert "communicated_transparently" not in {todo.id for todo in result.todo}
    assert "keep the customer informed" not in text_of(result)


def test_5_a_conflict_is_explained_without_either_or(book: Playbook) -> None:
    result = promise(book, deal_at_risk=True)
    assert result.verdict == "not_yet"
    assert "only one side" not in CONFLICT_INTRO.lower()
    assert "manager_not_briefed" not in {g.id for g in result.gotchas}  # first step already
    assert "pull different ways" in result.reasons[0].text
    lines = settling(result)
    assert lines == ["If you decide it is yours to handle: Don't escalate."]
    assert all(result.title not in line for line in lines)


def test_5_the_root_cause_question_fits_before_anyone_is_frustrated(book: Playbook) -> None:
    question = book.question("knows_root_cause")
    assert question is not None and "frustration" not in question.text


# --- 6. quiet for five weeks after an outage; the champion left ---------------------------


def test_6_a_new_contact_means_finding_them_first(book: Playbook) -> None:
    given = {**DONE, "clear_ask": False, "manager_briefed": False}
    quiet = answers(**given, customer_checked_out=True, relationship_at_risk=True)
    result = assess(book, {**quiet, "champion_changed": True})
    assert result.verdict == "escalate_now"
    assert "who holds the relationship" in result.first[0]
    assert "main contact has changed" in result.steps[0]
    usual = assess(book, quiet)
    assert "usual contact" in usual.first[0]


def test_6_warnings_fit_someone_who_has_already_checked_out(book: Playbook) -> None:
    given = {**DONE, "clear_ask": False, "manager_briefed": False}
    result = assess(book, answers(**given, customer_checked_out=True))
    shown = {g.id: g.advice for g in result.gotchas}
    assert "before the customer checks out" not in shown["too_late"]
    assert "no_plan" not in shown  # the ask is a to-do alongside, not a reason to wait
    assert len(result.gotchas) <= 3


# --- 7. a routine technical question ------------------------------------------------------


def test_7_a_routine_question_gets_no_leadership_noise(book: Playbook) -> None:
    given = {**DONE, "clear_ask": False, "right_time": False, "manager_briefed": False}
    result = assess(book, answers(**given, routine_technical_issue=True, your_level=True))
    assert result.verdict == "dont_escalate"
    assert result.todo == ()
    assert "what went wrong" not in " ".join(result.steps)
    assert [r.rule for r in result.reasons].count("no_signal") == len(result.reasons)
    assert "no_signal" not in assessment_markdown(result)


# --- the timing follow-up -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timing", "words"),
    [("too_early", "Hold off"), ("too_late", "Act today"), ("not_needed", "at your level")],
)
def test_the_timing_chosen_is_the_todo(book: Playbook, timing: str, words: str) -> None:
    given = {**DONE, "right_time": False}
    result = assess(book, answers(**given, deal_at_risk=True, timing_off=timing))
    (todo,) = result.todo
    assert todo.id == "right_time" and words in todo.text


def test_the_checklist_intro_counts_nothing(book: Playbook) -> None:
    """It said "Six things" and seven questions came."""
    intro = book.assess[0].intro or ""
    numbers = ("six", "seven", "five", "eight")
    assert not any(word in intro.lower().split() for word in numbers)
