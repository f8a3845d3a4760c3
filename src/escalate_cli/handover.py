"""Handing a relationship over: store records -> HandoverDoc -> Markdown or JSON, and back.

Assembly and the exporters are pure. The JSON form is also the import format, so an
export imported into another person's store and exported again says the same thing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from escalate_cli import jsonstream, safe_yaml
from escalate_cli.dates import EARLIEST_YEAR, LATEST_YEAR, check_year
from escalate_cli.episodes import episodes, past_escalations, took_place
from escalate_cli.errors import EXPORT_AGAIN, EscalateError
from escalate_cli.playbook import VERDICT_WORDS
from escalate_cli.store import Commitment, Escalation, Note
from escalate_cli.textsafe import code_fence, first_hidden, json_escaped, one_line
from escalate_cli.textsafe import markdown as md

FORMAT = "escalate-handover"
# 2: stable ids (`uid`), dated outcome lists, pending commitments, `from`. `aliases` came
# later within 2: it is optional, and a reader that predates it skips it.
VERSION = 2
READS = (1, 2)

# Sections of the document: (title, note kinds, what to do when nothing is recorded)
SECTIONS = (
    (
        "Trigger words and actions",
        ("trigger",),
        "Ask the previous owner which words, actions or delays set this partner off.",
    ),
    (
        "Communication expectations",
        ("communication",),
        "Ask which platform, cadence and contacts the partner expects, and confirm them in your "
        "introduction.",
    ),
    (
        "Roles and mutual expectations",
        ("expectation",),
        "Agree roles, responsibilities and expected outcomes with the partner early.",
    ),
    (
        "Agreements and decisions",
        ("agreement", "decision"),
        "Ask where agreements and decisions were recorded (and whether meetings were recorded).",
    ),
    ("Lessons learned", ("lesson",), "Ask the previous owner what they would do differently."),
    ("Other notes", ("note",), None),
)
ESSENTIALS = {
    "trigger": "No trigger words or actions are recorded for this partner.",
    "communication": "No communication expectations are recorded for this partner.",
}


@dataclass(frozen=True)
class HandoverDoc:
    partner: str
    to: str
    exported: str
    notes: tuple[Note, ...]
    escalations: tuple[Escalation, ...]
    commitments: tuple[Commitment, ...]
    guidance: tuple[tuple[str, str], ...] = ()  # (title, advice) on working with a partner
    by: str = ""  # who hands over
    aliases: tuple[str, ...] = ()  # other names the partner is known by

    def of_kind(self, *kinds: str) -> list[Note]:
        return [note for note in self.notes if note.kind in kinds]

    @property
    def missing_essentials(self) -> list[str]:
        return [text for kind, text in ESSENTIALS.items() if not self.of_kind(kind)]


def assemble(
    partner: str,
    notes: list[Note],
    escalations: list[Escalation],
    commitments: list[Commitment],
    to: str,
    now: dt.datetime,
    guidance: tuple[tuple[str, str], ...] = (),
    by: str = "",
    aliases: Sequence[str] = (),
) -> HandoverDoc:
    return HandoverDoc(
        partner=partner,
        to=to,
        exported=now.isoformat(timespec="seconds"),
        notes=tuple(notes),
        escalations=tuple(escalations),
        commitments=tuple(commitments),
        guidance=guidance,
        by=by,
        aliases=tuple(aliases),
    )


def to_data(doc: HandoverDoc) -> dict[str, Any]:
    """The JSON document: what `escalate import` reads back. Every record carries its
    stable id, so importing a later export updates what an earlier one brought."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "partner": doc.partner,
        "aliases": list(doc.aliases),
        "from": doc.by,
        "to": doc.to,
        "exported": doc.exported,
        "missing_essentials": doc.missing_essentials,
        "notes": [
            {
                "uid": n.uid,
                "kind": n.kind,
                "text": n.text,
                "date": n.date or "",
                "link": n.link or "",
                "by": n.by or "",
                "updated": n.updated,
            }
            for n in doc.notes
        ],
        "escalations": [
            {
                "uid": e.uid,
                "date": e.date,
                "kind": e.kind,
                "verdict": e.verdict,
                "reasons": list(e.reasons),
                "signals": list(e.signals),
                "triggers": list(e.triggers),
                "issue": e.issue,
                "root_cause": e.root_cause,
                "ask": e.ask,
                "outcomes": [{"uid": o.uid, "date": o.date, "text": o.text} for o in e.outcomes],
            }
            for e in doc.escalations
        ],
        "commitments": [
            {
                "uid": c.uid,
                "what": c.what,
                "owner": c.owner,
                "due": c.due,
                "done_on": c.done_on,
                "pending": c.pending,
                "source": c.source,
                "updated": c.updated,
            }
            for c in doc.commitments
        ],
    }


def _note_line(note: Note) -> str:
    parts = [md(one_line(note.text))]
    if note.date:
        parts.insert(0, f"{note.date}:")
    if note.link:
        parts.append(f"(link: {md(one_line(note.link))})")
    if note.by:
        parts.append(f"(by {md(one_line(note.by))})")
    return "- " + " ".join(parts)


def to_markdown(doc: HandoverDoc) -> str:
    """The handover document for a person: what to know, what to ask, what to send."""
    partner = md(one_line(doc.partner))
    who = f" by {md(one_line(doc.by))}" if doc.by else ""
    who += f" for {md(one_line(doc.to))}" if doc.to else ""
    lines = [f"# Handover: {partner}", "", f"Prepared {doc.exported[:10]}{who}.", ""]
    for missing in doc.missing_essentials:
        lines += [f"> **Missing:** {missing} Ask the previous owner before your first call.", ""]
    open_items = [c for c in doc.commitments if not c.done_on]
    grouped = episodes(doc.escalations)
    happened = [group for group in grouped if took_place(group)]
    advice_only = [group for group in grouped if group not in happened]
    latest = grouped[-1] if grouped else None
    last = happened[-1][-1] if happened else None
    also = [f"- Also known as: {md(one_line(', '.join(doc.aliases)))}"] if doc.aliases else []
    lines += [
        "## Summary",
        "",
        *also,
        f"- Notes: {len(doc.notes)}",
        f"- Past escalations: {_past_escalations(doc)}"
        + (f" (last: {last.date}, {_what(last)})" if last else ""),
        f"- Assessments only (advice before a call, not escalations): {len(advice_only)}",
        f"- Open commitments: {len(open_items)}",
        "",
        "## Escalation history",
        "",
        "Briefs, assessments that were acted on, and escalations noted by hand.",
        "",
    ]
    history = sorted(
        [(group[0].date, _escalation_line(group, group is latest)) for group in happened]
        + [(note.date or "", _note_line(note)) for note in doc.of_kind("escalation")]
    )
    if history:
        lines += [line for _, line in history]
    else:
        lines.append("Nothing recorded. Ask whether this partner has escalated before, and why.")
    if advice_only:
        lines += [
            "",
            "## Assessments",
            "",
            "What the coach advised before a call. None of these is an escalation unless it was "
            "acted on: then record how it ended with `escalate outcome`.",
            "",
        ]
        lines += [_escalation_line(group, group is latest) for group in advice_only]
    for title, kinds, ask in SECTIONS:
        found = doc.of_kind(*kinds)
        if not found and ask is None:
            continue
        lines += ["", f"## {title}", ""]
        lines += [_note_line(n) for n in found] if found else [f"Nothing recorded. {ask}"]
    lines += ["", "## Open commitments", ""]
    if open_items:
        for c in open_items:
            owner = f", owner {md(one_line(c.owner))}" if c.owner else ""
            due = f", due {c.due}" if c.due else ", no due date"
            pending = " (pending: not yet agreed by its owner)" if c.pending else ""
            lines.append(f"- {md(one_line(c.what))}{owner}{due}{pending}")
    else:
        lines.append("Nothing recorded. Ask what was promised to the partner and is still open.")
    if doc.guidance:
        lines += ["", "## Working with this partner", ""]
        lines += [f"- **{md(title)}**: {md(text)}" for title, text in doc.guidance]
    intro = introduction(doc)
    fence = code_fence(intro)
    lines += ["", "## Draft introduction from the new owner", "", f"{fence}text", intro, fence, ""]
    return "\n".join(lines)


def _past_escalations(doc: HandoverDoc) -> int:
    """Counted as `escalate partners` counts them (see episodes.past_escalations)."""
    return past_escalations(doc.escalations, len(doc.of_kind("escalation")))


def _what(item: Escalation) -> str:
    """What a record is, in words: a brief, or an assessment and its verdict."""
    if item.kind == "brief":
        return "brief"
    verdict = VERDICT_WORDS.get(item.verdict, item.verdict.replace("_", " ") or "no verdict")
    return f"assessment that said {verdict}" + (", acted on" if item.took_place else "")


def _escalation_line(group: tuple[Escalation, ...], latest: bool) -> str:
    """One escalation (an assessment, a brief, or both): what it was, then the signs and
    triggers present, why, and every outcome told, in date order."""
    signals = list(dict.fromkeys(s for item in group for s in item.signals))
    triggers = list(dict.fromkeys(t for item in group for t in item.triggers))
    why = [r for item in group for r in item.reasons if r not in signals]  # signs listed once
    told = sorted((o for item in group for o in item.outcomes), key=lambda o: (o.date, o.id))
    detail = [
        ("signs present", _run_on(signals)),
        ("triggers", "; ".join(one_line(t) for t in triggers)),
        *((label, one_line(_first(group, field))) for label, field in _TEXTS),
        ("why", _run_on(dict.fromkeys(why))),
        *(("outcome", f"{o.date}: {one_line(o.text)}") for o in told),
    ]
    if latest and not told:  # `escalate outcome` records on the latest one
        detail.append(("outcome", "not recorded yet (escalate outcome PARTNER TEXT)"))
    dates = " to ".join(dict.fromkeys(item.date for item in group))
    lines = [f"- {dates}: " + ", then ".join(_what(item) for item in group)]
    lines += [f"  - {label}: {md(text)}" for label, text in detail if text]
    return "\n".join(lines)


_TEXTS = (("issue", "issue"), ("root cause", "root_cause"), ("ask", "ask"))


def _run_on(texts: Iterable[str]) -> str:
    """Texts on one line: a sentence is followed by a space, a fragment ("they wanted: a
    date for the fix", as a brief records it) by a semicolon, so two never read as one."""
    line = ""
    for text in map(one_line, texts):
        if line:
            line += " " if line.endswith((".", "!", "?", "…")) else "; "
        line += text
    return line


def _first(group: tuple[Escalation, ...], field: str) -> str:
    """The first non-empty value of a text field across an escalation's records."""
    return next((value for item in group if (value := getattr(item, field))), "")


def introduction(doc: HandoverDoc) -> str:
    """A first message from the new owner. When the partner's channel and cadence are
    recorded it confirms them; only when they are not does it ask."""
    me = one_line(doc.to) or "[your name]"
    after = f" from {one_line(doc.by)}" if doc.by else ""
    history = ", including the issues we have escalated," if _past_escalations(doc) else ""
    recorded = [one_line(note.text) for note in doc.of_kind("communication")]
    if recorded:
        agreed = "".join(f"- {text}\n" for text in recorded)
        ask = (
            "I have noted how we keep in touch today, and I will carry on the same way:\n"
            f"{agreed}\n"
            "If any of that has changed, tell me and I will adjust. Could we also set up a "
            "short call in the next two weeks to confirm who on each side to contact for what?"
        )
    else:
        ask = (
            "Could we set up a short call in the next two weeks to agree:\n"
            "- which channel you prefer for day-to-day questions and for urgent issues,\n"
            "- how often you would like a status update, and\n"
            "- who on each side to contact for what."
        )
    return (
        f"Hello {one_line(doc.partner)} team,\n\n"
        f"I'm {me}, and I am taking over{after} as your main contact. I have read the history "
        f"of our work together{history} and I would like you always to know how and when you "
        "will hear from us.\n\n"
        f"{ask}\n\n"
        "I will send a summary of what we agree after the call.\n\n"
        f"Best regards,\n{me}"
    )


# --- import ---------------------------------------------------------------------------


# the lists a handover's records come in (`aliases`: the partner's other names)
GROUPS = ("aliases", "notes", "escalations", "commitments")
DATE_FIELDS = {
    "aliases": (),
    "notes": ("date",),
    "escalations": ("date",),
    "commitments": ("due", "done_on"),
}


class ImportFile:
    """A handover file (`escalate handover --format json`) read as it is imported: the
    records one at a time, as `records()` reaches them, so a file of a million notes
    never sits in memory whole; the envelope (format, version, partner) on the way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = str(path)
        self.envelope: dict[str, Any] = {}

    def records(self) -> Iterator[tuple[str, str, Any]]:
        """(group, where, item) for each record, its dates checked; `where` names the
        file, line and item for the store's complaints. The envelope is checked as soon
        as it is read, and again at the end (its members may come in any order)."""
        with safe_yaml.open_file(self.path, "handover file") as raw:
            stream = jsonstream.ObjectStream(
                io.TextIOWrapper(raw, encoding="utf-8-sig"), self.source
            )
            first = stream.peek()
            if first not in ("{", ""):  # empty: the reader says the file ends early
                looks = (
                    "this looks like the Markdown handover"
                    if first == "#"
                    else f"this is not a JSON handover (it starts with {first!r}, not '{{')"
                )
                raise EscalateError(
                    f"{self.source}: {looks}; import reads the JSON one",
                    "export that: escalate handover PARTNER --format json -o FILE",
                )
            for key, index, value in stream.members():
                if index is None:
                    if key in GROUPS and value is not None:
                        raise EscalateError(
                            f"{self.source}:{stream.line}: `{key}` must be a list, "
                            f"not {type(value).__name__}",
                            EXPORT_AGAIN,
                        )
                    self.envelope[key] = value
                    self._check_envelope(complete=False)
                elif key in GROUPS:
                    where = f"{self.source}:{stream.line}: {key}[{index}]"
                    _check_dates(key, item=value, where=where)
                    yield key, where, value
        self._check_envelope(complete=True)

    @property
    def partner(self) -> str:
        """The partner's name, once `records()` has been read to the end."""
        return str(self.envelope["partner"])

    def _check_envelope(self, complete: bool) -> None:
        """Refuse a file that is not a handover this version reads: as soon as a member
        shows it, or at the end for one that is missing."""
        data = self.envelope
        if (complete or "format" in data) and data.get("format") != FORMAT:
            raise EscalateError(
                f'{self.source}: not an escalate handover file (no "format": "{FORMAT}")',
                "export one with `escalate handover PARTNER --format json`",
            )
        if (complete or "version" in data) and data.get("version") not in READS:
            raise EscalateError(
                f"{self.source}: handover format version {data.get('version')!r} is not one "
                "of " + ", ".join(map(str, READS)),
                "export it again with this version of escalate",
            )
        if not (complete or "partner" in data):
            return
        partner = data.get("partner")
        if not isinstance(partner, str) or not partner.strip():
            raise EscalateError(
                f"{self.source}: `partner` must be the partner's name",
                EXPORT_AGAIN,
            )
        if first_hidden(partner):  # a name nobody could type to find the partner again
            raise EscalateError(
                f"{self.source}: `partner` contains the control character {first_hidden(partner)}",
                "nothing was imported; correct the name in the file, then import it",
            )


def _check_dates(group: str, item: Any, where: str) -> None:
    """An imported record's dates are YYYY-MM-DD in the years we keep."""
    if not isinstance(item, dict):
        return  # the store says what is wrong with it
    for name in DATE_FIELDS[group]:
        if item.get(name) and (problem := _date_problem(item[name])):
            raise EscalateError(
                f"{where}.{name}: {item[name]!r} {problem}",
                "nothing was imported; dates in a handover file are YYYY-MM-DD",
            )


def _date_problem(value: Any) -> str | None:
    """What is wrong with an imported date, or None: YYYY-MM-DD in the years we keep."""
    try:
        when = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        when = None
    if when is None:
        return "is not a date (YYYY-MM-DD)"
    try:
        check_year(when, "date")
    except EscalateError:
        return f"is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}"
    return None


def dumps(doc: HandoverDoc) -> str:
    return json_escaped(json.dumps(to_data(doc), indent=2, ensure_ascii=False)) + "\n"
