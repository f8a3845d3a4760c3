"""Plain-text forms of results: JSON documents and Markdown for pasting. Pure.

The terminal view (rich) is in `present`; these are the forms scripts and documents take.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from escalate_cli.files import resume_command
from escalate_cli.textsafe import code_fence, json_escaped, one_line
from escalate_cli.textsafe import markdown as md

if TYPE_CHECKING:  # types only: each command imports just the layers it uses
    from escalate_cli.assess import Assessment
    from escalate_cli.brief import Brief
    from escalate_cli.files import Draft
    from escalate_cli.lint import Finding
    from escalate_cli.playbook import Playbook
    from escalate_cli.store import Commitment, Escalation, Note, PartnerSummary


def assessment_data(result: Assessment, playbook_name: str) -> dict[str, Any]:
    """The JSON contract of `escalate assess --format json` (see README)."""
    return {
        "verdict": result.verdict,
        "title": result.title,
        "advice": result.advice,
        "reasons": [{"rule": r.rule, "text": r.text} for r in result.reasons],
        "first": list(result.first),
        "missing": [todo.id for todo in result.missing],
        "todo": [{"id": todo.id, "text": todo.text} for todo in result.todo],
        "scenario": None
        if result.scenario is None
        else {
            "id": result.scenario.id,
            "title": result.scenario.title,
            "steps": list(result.steps),
        },
        "gotchas": [{"id": g.id, "text": g.text, "advice": g.advice} for g in result.gotchas],
        "conflicts": [{"for": c.for_id, "against": c.against_id} for c in result.conflicts],
        "triggers": [
            {"id": c.value, "label": c.label, "remedy": c.remedy} for c in result.triggers
        ],
        "answers": result.answers,
        "playbook": playbook_name,
    }


CONFLICT_INTRO = (
    "Both sides can be true at once; what to settle before the call is which of them "
    "should decide what you do."
)


def settling(result: Assessment) -> list[str]:
    """What settling the conflict either way would change: only a verdict that differs
    from this one is worth naming."""
    ways = (
        ("If you decide the points for escalating weigh more", result.if_for),
        ("If you decide it is yours to handle", result.if_against),
    )
    return [f"{way}: {title}." for way, title in ways if title and title != result.title]


def why(result: Assessment) -> tuple[str, list[str]]:
    """The one reason for the verdict, and the signs in the answers that it cites."""
    reason, *signs = [r.text for r in result.reasons]
    return reason, signs


SIGNS_HEADING = "From your answers:"


CHECKLIST_TITLE = "Pre-escalation checklist"
CHECKLIST_DONE = "The pre-escalation checklist is complete."


def disagreeing(result: Assessment) -> list[tuple[str, list[tuple[str, str]]]]:
    """The conflicting answers grouped by side, each answer once: easier to weigh than pairs."""
    sides = (
        ("Pointing to escalating", [(c.for_id, c.for_text) for c in result.conflicts]),
        (
            "Pointing to handling it yourself",
            [(c.against_id, c.against_text) for c in result.conflicts],
        ),
    )
    return [(title, list(dict.fromkeys(answers))) for title, answers in sides]


def to_json(data: Any) -> str:
    return json_escaped(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def assessment_markdown(result: Assessment) -> str:
    """The assessment as Markdown, ready to paste into a ticket or a chat."""
    reason, signs = why(result)
    lines = [f"# Verdict: {result.title}", "", result.advice, "", "## Why", "", reason]
    if signs:
        lines += ["", SIGNS_HEADING, ""] + [f"- {sign}" for sign in signs]
    if result.conflicts:
        lines += ["", "## Answers that disagree", "", CONFLICT_INTRO, ""]
        for side, answers in disagreeing(result):
            lines += [f"{side}:", ""] + [f"- {text}" for _, text in answers] + [""]
        lines += [f"- {line}" for line in settling(result)]
    if result.first:
        lines += ["", "## Do first", ""]
        lines += [f"1. {step}" for step in result.first]
    if result.todo:
        lines += ["", f"## {result.todo_title}", ""]
        lines += [f"- [ ] {todo.text}" for todo in result.todo]
    elif not result.missing:
        lines += ["", f"## {CHECKLIST_TITLE}", "", CHECKLIST_DONE]
    if result.scenario:
        lines += ["", f"## Scenario: {result.scenario.title}", ""]
        lines += [f"{i}. {step}" for i, step in enumerate(result.steps, 1)]
    if result.gotchas:
        lines += ["", "## Watch out for", ""]
        lines += [f"- **{g.text}**: {g.advice}" for g in result.gotchas]
    if result.triggers:
        lines += ["", "## Triggers and what to do", ""]
        lines += [f"- **{c.label}**: {c.remedy or ''}".rstrip(": ") for c in result.triggers]
    return "\n".join(lines) + "\n"


def playbook_data(book: Playbook, source: str) -> dict[str, Any]:
    """The questions of a playbook, for `escalate playbook show --format json`."""
    from escalate_cli.playbook import INTERVIEWS

    return {
        "source": source,
        "name": book.name,
        "interviews": {
            interview: [
                {
                    "section": section.id,
                    "title": section.title,
                    "questions": [
                        {
                            "id": q.id,
                            "type": q.type,
                            "text": q.text,
                            "hint": q.hint,
                            "required": q.required,
                            "choices": [c.value for c in q.choices],
                        }
                        for q in section.questions
                    ],
                }
                for section in getattr(book, interview)
            ]
            for interview in INTERVIEWS
        },
        "rules": [{"id": r.id, "verdict": r.verdict, "reason": r.reason} for r in book.rules],
    }


def playbook_markdown(book: Playbook, source: str) -> str:
    """The questions of a playbook as Markdown: the ids answers files use, with hints."""
    from escalate_cli.playbook import INTERVIEWS
    from escalate_cli.rules import describe

    lines = [f"# {book.name}", "", f"From `{source}`.", ""]
    for interview in INTERVIEWS:
        lines += [f"## escalate {interview}", ""]
        for section in getattr(book, interview):
            lines += [f"### {section.title}", ""]
            for q in section.questions:
                kind = q.type + ("" if q.required else ", optional")
                if q.when is not None:
                    kind += f", asked only when {describe(q.when)}"
                lines.append(f"- `{q.id}` ({kind}): {q.text}")
                lines.append(f"  - why: {q.hint}")
                if q.choices:
                    lines.append("  - choices: " + ", ".join(f"`{c.value}`" for c in q.choices))
            lines.append("")
    lines += ["## Rules, first match wins", ""]
    lines += [f"{i}. `{r.id}` -> {r.verdict}: {r.reason}" for i, r in enumerate(book.rules, 1)]
    return "\n".join(lines) + "\n"


DRAFT_TITLES = {
    "manager_brief": "Manager brief",
    "customer_message": "Customer message",
    "customer_chat": "Customer message, short (chat)",
    "agenda": "Leadership call agenda",
    "follow_up": "Follow-up plan",
}


def brief_data(result: Brief) -> dict[str, Any]:
    """The JSON contract of `escalate brief --format json` (see README)."""
    return {
        **result.drafts(),
        "steps": list(result.steps),
        "warnings": [{"id": g.id, "text": g.text, "advice": g.advice} for g in result.warnings],
        "findings": {
            name: [finding.as_dict() for finding in found]
            for name, found in result.findings.items()
        },
        "answers": result.answers,
    }


def brief_from_data(data: dict[str, Any]) -> Brief:
    """A brief as `brief_data` gave it, back: how `escalate history show` reprints it."""
    from escalate_cli.brief import Brief
    from escalate_cli.lint import Finding
    from escalate_cli.playbook import Gotcha

    return Brief(
        texts={name: str(text) for name, text in data.items() if name in DRAFT_TITLES},
        warnings=tuple(
            Gotcha(id=g["id"], text=g["text"], advice=g["advice"])
            for g in data.get("warnings") or []
        ),
        steps=tuple(str(step) for step in data.get("steps") or []),
        findings={
            name: [Finding(**finding) for finding in found]
            for name, found in (data.get("findings") or {}).items()
        },
        answers=dict(data.get("answers") or {}),
    )


def brief_markdown(result: Brief) -> str:
    """The drafts as Markdown; each draft is fenced so it pastes exactly as written."""
    lines = ["# Escalation brief", ""]
    if result.steps:
        lines += ["## Do first", ""]
        lines += [f"1. {step}" for step in result.steps]
        lines.append("")
    if result.warnings:
        lines += ["## Before you send", ""]
        lines += [f"- **{g.text}**: {g.advice}" for g in result.warnings]
        lines.append("")
    for name, text in result.drafts().items():
        fence = code_fence(text)
        lines += [f"## {DRAFT_TITLES[name]}", "", f"{fence}text", text.rstrip("\n"), fence, ""]
        for finding in result.findings.get(name, []):
            lines.append(
                f"- line {finding.line}, column {finding.column} "
                f"[`{finding.rule}`{_looked(finding)}]: "
                f"{md(finding.message)} {md(finding.suggestion)}"
            )
        if name in result.findings:
            lines.append("")
    return "\n".join(lines)


def brief_text(result: Brief) -> str:
    """The drafts as plain text, separated by their titles, each followed by what the
    message coach found in it (as `--format markdown` and `json` show it too)."""
    parts = [f"> {step}\n" for step in result.steps]
    for gotcha in result.warnings:
        parts.append(f"! {gotcha.text}: {gotcha.advice}\n")
    for name, text in result.drafts().items():
        title = DRAFT_TITLES[name]
        found = "".join(
            f"! line {f.line}, column {f.column} [{f.rule}{_looked(f)}]: "
            f"{f.message} {f.suggestion}\n"
            for f in result.findings.get(name, [])
        )
        parts.append(f"{title}\n{'=' * len(title)}\n\n{text}" + (f"\n{found}" if found else ""))
    return "\n".join(parts)


def note_data(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "partner": note.partner,
        "kind": note.kind,
        "text": note.text,
        "date": note.date or "",
        "link": note.link or "",
        "by": note.by or "",
        "created": note.created,
    }


def notes_markdown(notes: Iterable[Note], title: str) -> str:
    lines = [f"# {md(one_line(title))}", ""]
    for note in notes:
        date = f"{note.date} " if note.date else ""
        lines.append(
            f"- #{note.id} {date}({note.kind}, {md(one_line(note.partner))}): "
            f"{md(one_line(note.text))}"
        )
    return "\n".join(lines or ["none"]) + "\n"


def partner_data(summary: PartnerSummary) -> dict[str, Any]:
    last = summary.last_escalation
    return {
        "name": summary.name,
        "aliases": list(summary.aliases),
        "notes": summary.notes,
        "past_escalations": summary.past_escalations,
        "last_escalation": None
        if last is None
        else {"date": last.date, "kind": last.kind, "verdict": last.verdict},
        "open_commitments": summary.open_commitments,
    }


# `partners` in every format: the count is the handover's, the last record may be advice
PARTNER_COLUMNS = (
    "partner",
    "notes",
    "past escalations",
    "last assessed or briefed",
    "open commitments",
)


def partners_markdown(summaries: Iterable[PartnerSummary]) -> str:
    lines = [
        "| " + " | ".join(PARTNER_COLUMNS) + " |",
        "|" + " --- |" * len(PARTNER_COLUMNS),
    ]
    for s in summaries:
        last = s.last_escalation
        when = f"{last.date} {last.verdict or last.kind}" if last else "-"
        name = md(one_line(s.name)) + (
            f" (also: {md(one_line(', '.join(s.aliases)))})" if s.aliases else ""
        )
        lines.append(
            f"| {name} | {s.notes} | {s.past_escalations} | {when} | {s.open_commitments} |"
        )
    return "\n".join(lines) + "\n"


def draft_data(draft: Draft) -> dict[str, Any]:
    return {
        "command": draft.command,
        "name": draft.name,
        "answers": len(draft.answers),
        "saved": draft.saved,
        "resume": resume_command(draft.command, draft.name),
    }


def drafts_markdown(drafts: list[Draft]) -> str:
    lines = [
        "| command | about | answers | saved | continue with |",
        "| --- | --- | --- | --- | --- |",
    ]
    for d in drafts:
        about = md(one_line(d.name)) if d.name else "(not named yet)"
        again = md(one_line(resume_command(d.command, d.name)))
        lines.append(f"| {d.command} | {about} | {len(d.answers)} | {d.saved} | {again} |")
    return "\n".join(lines) + "\n"


def is_overdue(item: Commitment, today: dt.date) -> bool:
    return bool(item.due) and not item.done_on and dt.date.fromisoformat(item.due) < today


def commitment_data(item: Commitment, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.id,
        "partner": item.partner,
        "what": item.what,
        "owner": item.owner,
        "due": item.due,
        "state": item.state,
        "done_on": item.done_on,
        "overdue": is_overdue(item, today),
        "source": item.source,
    }


PENDING = "pending: not agreed by its owner yet"


def commitments_markdown(items: Iterable[Commitment], today: dt.date, title: str) -> str:
    lines = [f"# {title}", ""]
    for c in items:
        mark = " **OVERDUE**" if is_overdue(c, today) else ""
        mark += f" ({PENDING})" if c.pending else ""
        mark += f" (done {c.done_on})" if c.done_on else ""
        lines.append(
            f"- #{c.id} {c.due or 'no due date'}{mark}: {md(one_line(c.what))} "
            f"({md(one_line(c.partner)) or 'no partner'}, "
            f"owner {md(one_line(c.owner)) or 'unassigned'})"
        )
    return "\n".join(lines) + "\n"


def escalation_words(item: Escalation) -> str:
    """Who an entry of the history is about: the partner, else the customer it named."""
    if item.partner:
        return item.partner
    return f"{item.customer} (not filed)" if item.customer else "(no partner)"


def history_data(item: Escalation) -> dict[str, Any]:
    """One entry of `escalate history --format json` (see README)."""
    return {
        "id": item.id,
        "date": item.date,
        "kind": item.kind,
        "partner": item.partner,
        "customer": item.customer,
        "verdict": item.verdict,
        "signals": list(item.signals),
        "reasons": list(item.reasons),
        "issue": item.issue,
        "ask": item.ask,
        "outcomes": [{"date": o.date, "text": o.text} for o in item.outcomes],
        "has_drafts": bool(item.drafts),
    }


def history_markdown(items: list[Escalation], title: str) -> str:
    return _history(items, f"# {md(one_line(title))}", lambda text: md(one_line(text)))


def history_text(items: list[Escalation], title: str) -> str:
    """`history_markdown`'s lines as plain text: read as typed, with no Markdown escapes."""
    heading = one_line(title)
    return _history(items, f"{heading}\n{'=' * len(heading)}", one_line)


def _history(items: list[Escalation], heading: str, cell: Callable[[str], str]) -> str:
    """History entries under `heading`, their words put through `cell` for the format."""
    lines = [heading, ""]
    for e in items:
        told = "; ".join(f"{o.date}: {o.text}" for o in e.outcomes) or "not recorded"
        lines.append(
            f"- #{e.id} {e.date} {e.kind}, {cell(escalation_words(e))}: "
            f"verdict {cell(e.verdict) or '-'}; "
            f"signals: {cell('; '.join(e.signals)) or 'none recorded'}; "
            f"outcome: {cell(told)}"
        )
    if not items:
        lines.append("Nothing recorded yet.")
    return "\n".join(lines) + "\n"


_FINDING_TAIL = (
    ',\n    "rule": {},\n    "severity": {},\n    "message": {},\n    "suggestion": {},'
    '\n    "excerpt": {},\n    "second_look": {}\n  }}'
)


def findings_json(findings: Iterable[Finding]) -> Iterator[str]:
    """The findings as `to_json` writes their `as_dict` list, a batch at a time (see
    `listing.write_json`). All a finding says but its place is encoded once however often
    it recurs: a long draft repeats a few findings thousands of times (README "Performance")."""
    from escalate_cli.listing import BATCH

    tails: dict[tuple[str | bool, ...], str] = {}
    rest = iter(findings)
    opening = "[\n"
    while batch := list(islice(rest, BATCH)):
        parts = []
        for finding in batch:
            said = (
                finding.rule,
                finding.severity,
                finding.message,
                finding.suggestion,
                finding.excerpt,
                finding.second_look,
            )
            tail = tails.get(said)
            if tail is None:
                encoded = (json.dumps(value, ensure_ascii=False) for value in said)
                tail = tails[said] = json_escaped(_FINDING_TAIL.format(*encoded))
            parts.append(f'  {{\n    "line": {finding.line},\n    "column": {finding.column}{tail}')
        yield opening + ",\n".join(parts)
        opening = ",\n"
    yield "[]\n" if opening == "[\n" else "\n]\n"


def _looked(finding: Finding) -> str:
    """How a second-look finding is told apart in text and Markdown."""
    return ", second look" if finding.second_look else ""


def findings_markdown(findings: list[Finding]) -> str:
    if not findings:
        return "No findings.\n"
    return (
        "\n".join(
            f"- line {f.line}, column {f.column} [`{f.rule}`, {f.severity}{_looked(f)}]: "
            f"“{md(one_line(f.excerpt))}”: {md(f.message)} {md(f.suggestion)}"
            for f in findings
        )
        + "\n"
    )
