"""Drafting the escalation: answers -> manager brief, customer message, agenda, follow-up.

Pure: the playbook's templates rendered with the answers as plain data, every draft run
through the message coach, and the gotchas that apply named before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import field
from typing import Any

from escalate_cli.dates import Cushion
from escalate_cli.identity import resolve_owner
from escalate_cli.lint import Finding, lint
from escalate_cli.playbook import Gotcha, Playbook
from escalate_cli.records import record
from escalate_cli.render import context, labels, labels_of, long_date, render, sentence

MIN_ASK_WORDS = 3
UPDATE_WITHIN = 2
"""Working days within which a customer hears from us again when no time was given (one
after a threat to leave): a customer at risk told to wait for the first promise date
waits weeks in silence, and "tomorrow" written on a Sunday is wrong by Monday."""
BLAME_SOURCES = ("issue", "tried", "why_unresolved")


@record
class Brief:
    """The drafts by template name (in the playbook's order), with what to do around them:
    `steps` come before sending (e.g. brief the manager first), `warnings` are gotchas."""

    texts: dict[str, str]
    warnings: tuple[Gotcha, ...]
    steps: tuple[str, ...] = ()
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)

    def drafts(self) -> dict[str, str]:
        return dict(self.texts)

    @property
    def manager_brief(self) -> str:
        return self.texts["manager_brief"]

    @property
    def customer_message(self) -> str:
        return self.texts["customer_message"]


def warnings(book: Playbook, answers: dict[str, Any]) -> tuple[Gotcha, ...]:
    """The playbook's gotchas that these answers run into, worded as the playbook words them.

    no_plan: no specific ask; blame: blame in what was tried; manager_not_briefed: the
    manager does not know yet."""
    ask = str(answers.get("ask") or "")
    # each answer its own paragraph: run together, answers without a full stop would be
    # read (and scored by the coach's model) as one long sentence
    said = "\n\n".join(str(answers.get(key) or "") for key in BLAME_SOURCES)
    applies = {
        "no_plan": len(ask.split()) < MIN_ASK_WORDS or answers.get("clear_ask") is False,
        "blame": bool(lint(said, book.lint, only={"blame"})),
        "manager_not_briefed": answers.get("manager_briefed") is False,
    }
    found = (book.gotcha(gotcha_id) for gotcha_id, hit in applies.items() if hit)
    return tuple(gotcha for gotcha in found if gotcha is not None)


PREFILLED_FROM_PROFILE = {"your_name": "name", "manager_name": "manager_name"}


def prefill(
    answers: dict[str, Any], profile: dict[str, str], partner: str | None = None
) -> dict[str, Any]:
    """Answers completed from who you are (your name, your manager's) and from `--partner`
    (the customer), so they are not asked again; what was answered explicitly wins."""
    known = {answer: profile.get(key) for answer, key in PREFILLED_FROM_PROFILE.items()}
    known["customer"] = partner
    return {**{k: v for k, v in known.items() if v}, **answers}


def with_promise_dates(
    commitments: Any, cushion: Cushion, today: dt.date | None = None
) -> list[dict[str, str]]:
    """Each commitment with `promise`: the date to give the customer (the due date plus the
    playbook's cushion), so drafts promise that date and the due date stays internal; in
    promise-date order (undated last), the order a reader holds us to them. A promise date
    before `today` is none: no draft may promise a day that has gone ("to be agreed")."""
    result = []
    for item in commitments if isinstance(commitments, list) else []:
        due = str(item.get("due") or "")
        try:
            promised = cushion.promise(dt.date.fromisoformat(due))
        except ValueError:
            promised = None
        promise = promised.isoformat() if promised and not (today and promised < today) else ""
        result.append({**item, "promise": promise})
    return sorted(result, key=lambda item: (not item["promise"], item["promise"]))


def update_by(
    commitments: list[dict[str, str]], today: dt.date, within: int, cushion: Cushion
) -> str:
    """When the customer hears from us next if no time was given: within `within` working
    days (the cushion's: its days off are none) of the day the message can go, or by the
    first promise date if that comes sooner (ISO). A draft written at the weekend or on a
    holiday goes on the next working day: counted from Sunday, "one working day" is the
    Monday it is sent, a same-day promise nobody planned."""
    sent = today if cushion.working(today) else cushion.add(today, 1)
    soon = cushion.add(sent, within).isoformat()
    first = commitments[0]["promise"] if commitments else ""
    return min(first, soon) if first else soon


def _already_cushioned(
    book: Playbook, commitments: list[dict[str, str]]
) -> Callable[[Finding, str], bool]:
    """Whether a finding is the cushion rule's, on a draft line that gives a commitment
    with the promise date the brief worked out itself (the due date plus the cushion):
    there it would ask for the buffer twice. A commitment whose own words name a date the
    rule flags ("ship the fix by Friday") does not count, nor does a line with the date but
    not a commitment's words (typed into an answer). Worked out once for all the drafts."""
    rules = {rule.id for rule in book.lint.rules if rule.rewrite == "cushion"}
    promised = [
        (long_date(item["promise"]), what)
        for item in commitments
        if item["promise"]
        and (what := sentence(item.get("what")).rstrip("."))
        and not lint(what, book.lint, only=rules)
    ]
    return lambda finding, line: (
        finding.rule in rules and any(date in line and what in line for date, what in promised)
    )


def draft(
    book: Playbook,
    answers: dict[str, Any],
    triggers: tuple[str, ...] = (),
    partner: str = "",
    profile: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> Brief:
    """Render every template and lint every draft (with the partner's trigger words); a
    commitment whose promise date is before `today` is promised no date, one owned by
    "me" is owned by the sender, by name, and one its owner has not agreed to (`agreed:
    false`) is `pending`: listed for the manager and in the follow-up plan, never promised
    to the customer."""
    values = context(list(book.all_questions()), answers, profile)
    cushion = book.lint.cushion()
    me = str(values.get("your_name") or values["profile"]["name"])
    owned = [
        {**item, "owner": resolve_owner(str(item.get("owner") or ""), me)}
        for item in values.get("commitments") or []
        if isinstance(item, dict)
    ]
    values["pending"] = [{"due": "", **item} for item in owned if item.get("agreed") is False]
    agreed = [item for item in owned if item.get("agreed") is not False]
    values["commitments"] = with_promise_dates(agreed, cushion, today)
    within = 1 if values.get("cancel_threat") else UPDATE_WITHIN
    values["update_by"] = update_by(
        values["commitments"], today or dt.date.today(), within, cushion
    )
    texts = {name: render(book, name, values) for name in book.drafts()}
    cushioned = _already_cushioned(book, values["commitments"])
    views = {question.id for question in book.all_questions() if question.reported}
    findings: dict[str, list[Finding]] = {}
    for name, text in texts.items():
        lines = text.split("\n")
        theirs = labels_of(book, name, views)
        found = lint(text, book.lint, triggers, partner, labels=labels(book, name), theirs=theirs)
        findings[name] = [f for f in found if not cushioned(f, lines[f.line - 1])]
    gotchas = warnings(book, answers)
    return Brief(
        texts=texts,
        warnings=tuple(g for g in gotchas if g.step is None),
        steps=tuple(g.step for g in gotchas if g.step is not None),
        findings={name: found for name, found in findings.items() if found},
        answers=dict(answers),
    )
