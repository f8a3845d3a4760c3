"""The verdict engine: answers + the playbook's rules -> an Assessment. Pure.

Rules are checked in playbook order and the first that holds decides: its reason, with
the words of the signs it cites that were answered yes, is the one reason a user reads.
`missing` is the checklist answered no; `todo` the part of it this verdict lists (the rest
is either done first or of no use on this verdict). `conflicts` pairs every yes for
escalating with every yes against it, so answers that disagree are named whatever the
rules make of them.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, cast

from escalate_cli.playbook import (
    Choice,
    Gotcha,
    Playbook,
    Question,
    Rule,
    Scenario,
    Step,
    Verdict,
    fitting,
)
from escalate_cli.records import record
from escalate_cli.rules import holds, leaves


@record
class Reason:
    """Why the verdict is what it is: the rule that decided, in the playbook's words."""

    rule: str
    text: str


@record
class Todo:
    """A checklist item answered no: something to do before (or alongside) escalating."""

    id: str
    text: str


@record
class Conflict:
    """Two yes answers that disagree: one points to escalating, the other against it."""

    for_id: str
    for_text: str
    against_id: str
    against_text: str


@record
class Assessment:
    """The verdict, the rule behind it, what to do first and what is still missing."""

    verdict: str
    title: str
    advice: str
    reasons: tuple[Reason, ...]
    first: tuple[str, ...]
    missing: tuple[Todo, ...]
    scenario: Scenario | None
    steps: tuple[str, ...]  # the scenario's steps that fit these answers
    gotchas: tuple[Gotcha, ...]
    triggers: tuple[Choice, ...]
    answers: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    signals: tuple[str, ...] = ()
    todo_title: str = "Before the call"
    todo: tuple[Todo, ...] = ()
    # with conflicts: the verdict title if the signs for escalating are right, and if the
    # signs against are right, so the user sees what settling the question decides
    if_for: str = ""
    if_against: str = ""

    @property
    def escalating(self) -> bool:
        return self.verdict in ("escalate_now", "escalate")


def assess(book: Playbook, given: dict[str, Any]) -> Assessment:
    """Apply the playbook's rules to the answers."""
    answers = applicable(book, given)
    verdict, same = decide(book, answers)
    text = book.verdicts[cast(Verdict, verdict)]
    if not same:
        # The bundled rules always decide; a team's own rules may leave a gap.
        reasons, first = [Reason("no_rule", _NO_RULE)], list[Step]()
    else:
        rule = same[0]
        reasons = [Reason(rule.id, rule.reason)] + [
            Reason(rule.id, _words(question))
            for question in map(book.question, rule.cite)
            if question and answers.get(question.id) is True
        ]
        first = fitting(rule.first, answers, verdict)
    missing = tuple(
        Todo(q.id, _todo_text(book, q, answers))
        for q in book.checklist
        if answers.get(q.id) is False
    )
    scenario = next((s for s in book.scenarios if holds(s.when, answers)), None)
    if scenario:
        first += fitting(scenario.first, answers, verdict)
    # a checklist item the verdict puts first, or a step takes care of, is not listed again
    first += [Step(todo.text, covers=(todo.id,)) for todo in missing if todo.id in text.first]
    done = {covered for step in first for covered in step.covers}
    listed = set(text.todo) if text.todo is not None else {todo.id for todo in missing}
    todo = tuple(t for t in missing if t.id in listed and t.id not in done)
    gotchas = tuple(
        gotcha
        for gotcha in book.gotchas
        if (gotcha.when is None or holds(gotcha.when, answers))
        and (not gotcha.verdicts or verdict in gotcha.verdicts)
    )
    leaning_for, leaning_against = signs(book, answers)
    settled = {}
    if leaning_for and leaning_against:
        for side, wrong in (("if_for", leaning_against), ("if_against", leaning_for)):
            other, _ = decide(book, {**answers, **dict.fromkeys((q.id for q in wrong), False)})
            settled[side] = book.verdicts[cast(Verdict, other)].title
    return Assessment(
        verdict=verdict,
        title=text.title,
        advice=text.advice,
        reasons=tuple(reasons),
        first=tuple(dict.fromkeys(step.text for step in first)),
        missing=missing,
        scenario=scenario,
        steps=tuple(s.text for s in fitting(scenario.steps, answers, verdict)) if scenario else (),
        gotchas=gotchas,
        triggers=tuple(chosen(book, answers)),
        answers=dict(answers),
        conflicts=tuple(
            Conflict(yes.id, _words(yes), no.id, _words(no))
            for yes in leaning_for
            for no in leaning_against
        ),
        signals=tuple(in_words(book, answers)["signals"]),
        todo_title=text.todo_title or "Before the call",
        todo=todo,
        **settled,
    )


def _todo_text(book: Playbook, item: Question, answers: dict[str, Any]) -> str:
    """A checklist item answered no, as a to-do: the remedy of the choice picked in its
    follow-up question (which way the timing is off), else its `if_no`."""
    for follow_up in book.questions("assess"):
        if follow_up.when is None or item.id not in {leaf.id for leaf in leaves(follow_up.when)}:
            continue
        picked = answers.get(follow_up.id)
        for choice in follow_up.choices:
            if choice.value == picked and choice.remedy:
                return choice.remedy
    return item.if_no or item.text


def decide(book: Playbook, answers: dict[str, Any]) -> tuple[str, list[Rule]]:
    """The verdict and the rules that hold with it, the deciding one first.
    No rule holding gives `not_yet` and no rules."""
    fired = [rule for rule in book.rules if holds(rule.when, answers)]
    if not fired:
        return "not_yet", []
    return fired[0].verdict, [rule for rule in fired if rule.verdict == fired[0].verdict]


def signs(book: Playbook, answers: dict[str, Any]) -> tuple[list[Question], list[Question]]:
    """The signs answered yes: those pointing to escalating, and those against it."""
    return (
        [q for q in book.leaning("escalate") if answers.get(q.id) is True],
        [q for q in book.leaning("dont_escalate") if answers.get(q.id) is True],
    )


def chosen(book: Playbook, answers: dict[str, Any]) -> list[Choice]:
    """The options picked in the assessment's multi-select questions (the triggers)."""
    return [
        choice
        for question in book.questions("assess")
        if question.type == "multi"
        for choice in question.choices
        if choice.value in (answers.get(question.id) or ())
    ]


def in_words(book: Playbook, answers: dict[str, Any]) -> dict[str, list[str]]:
    """The signs and triggers present, in words: what a history entry keeps."""
    leaning_for, leaning_against = signs(book, answers)
    return {
        "signals": [_words(q) for q in [*leaning_for, *leaning_against]],
        "triggers": [choice.label for choice in chosen(book, answers)],
    }


def applicable(book: Playbook, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers without those to follow-up questions whose condition does not hold
    (a `timing_off` given while `right_time` is yes would otherwise warn of nothing real)."""
    follow_ups = [q for q in book.questions("assess") if q.when is not None]
    return {
        key: value
        for key, value in answers.items()
        if all(q.id != key or q.applies(answers) for q in follow_ups)
    }


def _words(question: Question) -> str:
    """A yes answer as a sentence: the question's `if_yes`, else the question itself."""
    return question.if_yes or question.text


_NO_RULE = "No rule in the playbook matched these answers; check the playbook's rules."
