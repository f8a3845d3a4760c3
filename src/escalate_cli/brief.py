"""Drafting the escalation: answers -> manager brief, customer message, agenda, follow-up.

Pure: the playbook's templates rendered with the answers as plain data, every draft run
through the message coach, and the gotchas that apply named before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from escalate_cli.lint import Finding, lint
from escalate_cli.playbook import TEMPLATES, Gotcha, Playbook
from escalate_cli.render import context, render

MIN_ASK_WORDS = 3
BLAME_SOURCES = ("issue", "tried", "why_unresolved")


@dataclass(frozen=True)
class Brief:
    manager_brief: str
    customer_message: str
    agenda: str
    follow_up: str
    warnings: tuple[Gotcha, ...]
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)

    def drafts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEMPLATES}


def warnings(book: Playbook, answers: dict[str, Any]) -> tuple[Gotcha, ...]:
    """The playbook's gotchas that these answers run into, worded as the playbook words them.

    no_plan: no specific ask; blame: blame in what was tried; manager_not_briefed: the
    manager does not know yet."""
    ask = str(answers.get("ask") or "")
    said = "\n".join(str(answers.get(key) or "") for key in BLAME_SOURCES)
    applies = {
        "no_plan": len(ask.split()) < MIN_ASK_WORDS or answers.get("clear_ask") is False,
        "blame": bool(lint(said, book.lint, only={"blame"})),
        "manager_not_briefed": answers.get("manager_briefed") is False,
    }
    found = (book.gotcha(gotcha_id) for gotcha_id, hit in applies.items() if hit)
    return tuple(gotcha for gotcha in found if gotcha is not None)


def draft(
    book: Playbook,
    answers: dict[str, Any],
    triggers: tuple[str, ...] = (),
    partner: str = "",
) -> Brief:
    """Render every template and lint every draft (with the partner's trigger words)."""
    values = context(list(book.all_questions()), answers)
    texts = {name: render(book, name, values) for name in TEMPLATES}
    findings = {name: lint(text, book.lint, triggers, partner) for name, text in texts.items()}
    return Brief(
        **texts,
        warnings=warnings(book, answers),
        findings={name: found for name, found in findings.items() if found},
        answers=dict(answers),
    )
