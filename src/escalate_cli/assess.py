"""The verdict engine: answers + the playbook's rules -> an Assessment. Pure.

Rules are checked in playbook order and the first that holds sets the verdict; every
other rule that holds with the same verdict adds its reason, so a user sees all that
points the same way. `missing` is the checklist answered no: the to-do before the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from escalate_cli.playbook import Choice, Gotcha, Playbook, Scenario, Verdict
from escalate_cli.rules import holds


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class Todo:
    id: str
    text: str


@dataclass(frozen=True)
class Assessment:
    verdict: str
    title: str
    advice: str
    reasons: tuple[Reason, ...]
    first: tuple[str, ...]
    missing: tuple[Todo, ...]
    scenario: Scenario | None
    gotchas: tuple[Gotcha, ...]
    triggers: tuple[Choice, ...]
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def escalating(self) -> bool:
        return self.verdict in ("escalate_now", "escalate")


def assess(book: Playbook, answers: dict[str, Any]) -> Assessment:
    """Apply the playbook's rules to the answers."""
    fired = [rule for rule in book.rules if holds(rule.when, answers)]
    if not fired:
        # The bundled rules always decide; a team's own rules may leave a gap.
        verdict, reasons, first = "not_yet", [Reason("no_rule", _NO_RULE)], []
    else:
        verdict = fired[0].verdict
        same = [rule for rule in fired if rule.verdict == verdict]
        reasons = [Reason(rule.id, rule.reason) for rule in same]
        first = [rule.first for rule in same if rule.first]
        for rule in same:
            for cited in rule.cite:
                question = book.question(cited)
                if question and question.if_yes and answers.get(cited) is True:
                    reasons.append(Reason(rule.id, question.if_yes))
    missing = tuple(
        Todo(q.id, q.if_no or q.text) for q in book.checklist if answers.get(q.id) is False
    )
    chosen = [
        choice
        for question in book.questions("assess")
        if question.type == "multi"
        for choice in question.choices
        if choice.value in (answers.get(question.id) or ())
    ]
    gotchas = tuple(
        gotcha
        for gotcha in book.gotchas
        if (gotcha.when is None or holds(gotcha.when, answers))
        and (not gotcha.verdicts or verdict in gotcha.verdicts)
    )
    scenario = next((s for s in book.scenarios if holds(s.when, answers)), None)
    text = book.verdicts[cast(Verdict, verdict)]
    return Assessment(
        verdict=verdict,
        title=text.title,
        advice=text.advice,
        reasons=tuple(reasons),
        first=tuple(dict.fromkeys(first)),
        missing=missing,
        scenario=scenario,
        gotchas=gotchas,
        triggers=tuple(chosen),
        answers=dict(answers),
    )


_NO_RULE = "No rule in the playbook matched these answers; check the playbook's rules."
