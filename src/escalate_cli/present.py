"""Terminal views. The only module that imports rich.

Everything shown is built from `rich.text.Text` pieces, never from markup strings, so
text from playbooks, answers or notes cannot restyle the terminal; user text also goes
through `textsafe.visible` so control characters show as escapes.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from escalate_cli.files import resume_command
from escalate_cli.playbook import VERDICT_WORDS
from escalate_cli.report import (
    CHECKLIST_DONE,
    CHECKLIST_TITLE,
    CONFLICT_INTRO,
    DRAFT_TITLES,
    PARTNER_COLUMNS,
    PENDING,
    SIGNS_HEADING,
    disagreeing,
    escalation_words,
    is_overdue,
    settling,
    why,
)
from escalate_cli.textsafe import one_line, plural, visible

if TYPE_CHECKING:  # types only: each command imports just the layers it uses
    from escalate_cli.assess import Assessment
    from escalate_cli.brief import Brief
    from escalate_cli.files import Draft
    from escalate_cli.lint import Finding
    from escalate_cli.store import Commitment, Escalation, Note, PartnerSummary

VERDICT_STYLE = {
    "escalate_now": "bold white on red",
    "escalate": "bold black on yellow",
    "not_yet": "bold black on cyan",
    "dont_escalate": "bold black on green",
}


def console(file: IO[str] | None = None) -> Console:
    return Console(file=file or sys.stdout, highlight=False, markup=False, emoji=False)


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold")


def _bullets(items: list[Text], marker: str = "•") -> list[Table]:
    """A list with a hanging indent, so wrapped lines stay clear of the markers.

    `marker="1."` numbers the items."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right")
    grid.add_column(ratio=1)
    for number, item in enumerate(items, 1):
        grid.add_row(Text(f"{number}." if marker == "1." else marker), item)
    return [grid]


def render_to_text(renderable: RenderableType, width: int = 100) -> str:
    """Render a view to plain text (what `--output` writes for the terminal format)."""
    out = Console(width=width, record=True, file=io.StringIO(), color_system=None, highlight=False)
    out.print(renderable)
    return _trimmed(out.export_text())


def _trimmed(text: str) -> str:
    """`text` without the spaces rich pads each line with to the full width."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def assessment_view(result: Assessment) -> Group:
    """The verdict, why, what to do first and before the call, scenario, gotchas, triggers."""
    parts: list[RenderableType] = [
        Panel(
            Text(result.advice),
            title=Text(f" {result.title} ", style=VERDICT_STYLE.get(result.verdict, "bold")),
            title_align="left",
        ),
    ]
    reason, signs = why(result)
    parts += [_heading("Why"), Text(reason)]
    if signs:
        parts += [Text(SIGNS_HEADING, style="italic"), *_bullets([Text(s) for s in signs])]
    if result.conflicts:
        parts += [_heading("Answers that disagree"), Text(CONFLICT_INTRO)]
        for side, answers in disagreeing(result):
            parts.append(Text(f"{side}:", style="italic"))
            parts += _bullets([Text(text) for _, text in answers])
        parts += _bullets([Text(line) for line in settling(result)], "→")
    if result.first:
        parts += [_heading("Do first"), *_bullets([Text(s) for s in result.first], "→")]
    if result.todo:
        parts.append(_heading(result.todo_title))
        parts += _bullets([Text(t.text) for t in result.todo], "☐")
    elif not result.missing:
        parts.append(_heading(CHECKLIST_TITLE))
        parts += _bullets([Text(CHECKLIST_DONE, style="green")], "✓")
    if result.scenario:
        parts.append(_heading(f"Scenario: {result.scenario.title}"))
        parts += _bullets([Text(step) for step in result.steps], "1.")
    if result.gotchas:
        parts.append(_heading("Watch out for"))
        parts += _bullets(
            [Text.assemble((g.text, "yellow"), ": ", g.advice) for g in result.gotchas], "!"
        )
    if result.triggers:
        parts.append(_heading("Triggers and what to do"))
        parts += _bullets(
            [Text.assemble((c.label, "bold"), "\n", c.remedy or "") for c in result.triggers]
        )
    return Group(*parts)


def _print(out: Console, *renderables: RenderableType) -> None:
    """Print; into a file or a pipe, without the spaces rich pads each line with."""
    if out.is_terminal:
        out.print(*renderables)
        return
    with out.capture() as captured:
        out.print(*renderables)
    out.file.write(_trimmed(captured.get()))


def show(renderable: RenderableType, file: IO[str] | None = None) -> None:
    _print(console(file), renderable)


def user_text(text: str, style: str = "") -> Text:
    """User-typed text as a Text with control characters made visible."""
    return Text(visible(text), style=style)


def findings_view(findings: list[Finding]) -> list[Table]:
    """Message-coach findings: where, which rule, what is wrong, a better way to say it."""
    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    return _bullets(
        [
            Text.assemble(
                (f"line {f.line}:{f.column} ", "dim"),
                (f"{f.rule} ", style.get(f.severity, "")),
                ("(second look) " if f.second_look else "", "dim"),
                (f"“{one_line(f.excerpt)}” ", "italic"),
                visible(f.message),
                ("\n→ ", "dim"),
                f.suggestion,
            )
            for f in findings
        ],
        "!",
    )


def second_look_note(findings: Iterable[Finding]) -> list[Table]:
    """What "(second look)" means, said once under the findings when one says it."""
    if not any(f.second_look for f in findings):
        return []
    note = (
        "(second look) is less certain: the sentence scored under the rule's threshold but "
        "within its second-look margin, which the coach uses only in a draft where another "
        "rule found something."
    )
    return _bullets([Text(note, style="dim")], "")


def show_brief(result: Brief, file: IO[str] | None = None) -> None:
    """Warnings first, then each draft as plain text under a rule, ready to copy.

    Drafts are printed with soft wrapping: the terminal wraps long lines, so a copy gets
    the lines exactly as drafted and nothing is cropped (nor trimmed)."""
    out = console(file)
    if result.steps:
        _print(out, _heading("Do first"), *_bullets([Text(step) for step in result.steps], "1."))
    if result.warnings:
        warnings = [Text.assemble((g.text, "yellow"), ": ", g.advice) for g in result.warnings]
        _print(out, _heading("Before you send"), *_bullets(warnings, "!"))
    for name, text in result.drafts().items():
        _print(out, Text(""), Rule(Text(DRAFT_TITLES[name], style="bold"), align="left"))
        out.print(Text(visible(text).rstrip("\n")), soft_wrap=True)
        if name in result.findings:
            _print(
                out,
                Text("Message coach:", style="bold yellow"),
                *findings_view(result.findings[name]),
            )
    note = second_look_note(f for found in result.findings.values() for f in found)
    if note:
        _print(out, Text(""), *note)


def notes_view(notes: list[Note], title: str) -> Group:
    """Notes as a table; every user-typed field shown visibly and literally."""
    table = Table(title=user_text(title, "bold"), title_justify="left", expand=False)
    for column in ("#", "partner", "date", "kind", "note"):
        table.add_column(column, overflow="fold")
    for note in notes:
        text = user_text(note.text)
        if note.link:
            text.append_text(user_text(f"\n{note.link}", "dim"))
        table.add_row(str(note.id), user_text(note.partner), note.date or "", note.kind, text)
    if not notes:
        return Group(user_text(f"{title}: none", "dim"))
    return Group(table)


def partners_view(summaries: list[PartnerSummary]) -> Group:
    if not summaries:
        return Group(Text("No partners yet: escalate notes add PARTNER --kind KIND TEXT"))
    table = Table(title=Text("Partners", style="bold"), title_justify="left")
    for column in PARTNER_COLUMNS:
        table.add_column(column)
    for item in summaries:
        last = item.last_escalation
        name = user_text(item.name)
        if item.aliases:
            name.append_text(user_text(f"\nalso: {', '.join(item.aliases)}", "dim"))
        table.add_row(
            name,
            str(item.notes),
            str(item.past_escalations),
            f"{last.date} {last.verdict or last.kind}" if last else "-",
            str(item.open_commitments),
        )
    return Group(table)


def drafts_view(drafts: list[Draft]) -> Group:
    if not drafts:
        return Group(Text("No drafts kept: an interrupted `assess` or `brief` keeps one."))
    table = Table(title=Text("Drafts", style="bold"), title_justify="left")
    for column in ("command", "about", "answers", "saved", "continue with"):
        table.add_column(column)
    for draft in drafts:
        table.add_row(
            draft.command,
            user_text(draft.name) if draft.name else Text("(not named yet)", style="dim"),
            plural(len(draft.answers), "answer"),
            draft.saved_at,
            user_text(resume_command(draft.command, draft.name)),
        )
    return Group(table)


def before_you_talk_view(
    partner: str,
    triggers: list[Note],
    escalations: list[Escalation],
    escalation_notes: list[Note],
    communication: list[Note],
    commitments: list[Commitment],
    guidance: tuple[tuple[str, str], ...] = (),
    agreements: Sequence[Note] = (),
    lessons: Sequence[Note] = (),
    expectations: Sequence[Note] = (),
    other: Sequence[Note] = (),
) -> Panel:
    """The short view shown before `assess` or `brief` about a partner with history, with
    the playbook's advice for the call itself; expectations, agreements, lessons, other
    notes and outcomes most recent first (notes come oldest first), five of each with a
    count of the rest. What they expect of us decides what a draft may promise, so it is
    here, not only in the handover."""
    parts: list[RenderableType] = []

    def section(title: str, items: list[Text], empty: str) -> None:
        parts.append(Text(title, style="bold"))
        parts.extend(_bullets(items) if items else [Text(f"  {empty}", style="dim")])

    section(
        "Trigger words and actions",
        [user_text(n.text) for n in triggers],
        "none recorded - ask the previous owner",
    )
    history = [
        user_text(f"{e.date} {_record_words(e)}: " + " ".join(filter(None, [e.issue, *e.signals])))
        for e in escalations[-5:]
    ] + [user_text(f"{n.date or ''} escalation: {n.text}".strip()) for n in escalation_notes[-5:]]
    section("Past escalations and assessments", history, "none recorded")
    section(
        "Communication expectations", [user_text(n.text) for n in communication], "none recorded"
    )
    section(
        "Open commitments",
        [
            user_text(
                f"{c.what} ({c.owner or 'no owner'}, due {c.due or '?'})"
                + (f" [{PENDING}]" if c.pending else "")
            )
            for c in commitments
        ],
        "none",
    )
    told = sorted(
        ((o.date, f"{o.date}: {o.text}") for e in escalations for o in e.outcomes), reverse=True
    )
    for title, lines in (
        ("Roles and expectations", [n.text for n in expectations][::-1]),
        (
            "Agreements and decisions",
            [f"{n.date or 'undated'}: {n.text}" for n in agreements][::-1],
        ),
        ("Lessons learned", [n.text for n in lessons][::-1]),
        ("Other notes", [f"{n.date or 'undated'}: {n.text}" for n in other][::-1]),
        ("Outcomes of past escalations", [line for _, line in told]),
    ):
        if lines:
            section(title, _latest(lines), "")
    if guidance:
        section(
            "For the call",
            [Text.assemble((f"{title}: ", "bold"), text) for title, text in guidance],
            "",
        )
    return Panel(
        Group(*parts), title=Text(f" Before you talk to {visible(partner)} "), title_align="left"
    )


def _record_words(item: Escalation) -> str:
    """An assessment or brief in words: what it was and, for an assessment, its verdict."""
    if item.kind == "brief":
        return "brief (escalated)"
    verdict = VERDICT_WORDS.get(item.verdict, item.verdict)
    return f"assessment ({verdict}{', acted on' if item.took_place else ', advice only'})"


BEFORE_YOU_TALK_CAP = 5


def _latest(lines: list[str]) -> list[Text]:
    """The first few lines, then how many more there are."""
    shown = [user_text(line) for line in lines[:BEFORE_YOU_TALK_CAP]]
    if len(lines) > BEFORE_YOU_TALK_CAP:
        shown.append(Text(f"and {len(lines) - BEFORE_YOU_TALK_CAP} more", style="dim"))
    return shown


def history_view(items: list[Escalation], title: str) -> Group:
    """Past assessments and briefs, newest first: verdict, signals, outcomes."""
    if not items:
        return Group(user_text(f"{title}: nothing recorded yet", "dim"))
    table = Table(title=user_text(title, "bold"), title_justify="left")
    for column in ("#", "date", "what", "partner", "verdict", "signals", "outcome"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            str(item.id),
            item.date,
            item.kind + (" (drafts kept)" if item.drafts else ""),
            user_text(escalation_words(item)),
            VERDICT_WORDS.get(item.verdict, item.verdict) or "-",
            user_text("\n".join(item.signals) or "-"),
            user_text("\n".join(f"{o.date}: {o.text}" for o in item.outcomes) or "-"),
        )
    return Group(table)


def lint_view(findings: list[Finding]) -> Group:
    if not findings:
        return Group(
            Text(
                "✓ No findings: nothing in this draft is known to trigger an escalation.",
                style="green",
            )
        )
    return Group(
        Text(plural(len(findings), "finding"), style="bold"),
        *findings_view(findings),
        *second_look_note(findings),
    )


def commitments_view(items: list[Commitment], today: dt.date, title: str) -> Group:
    if not items:
        return Group(Text(f"No {title.lower()}.", style="dim"))
    table = Table(title=Text(title, style="bold"), title_justify="left")
    for column in ("#", "due", "partner", "what", "owner"):
        table.add_column(column, overflow="fold")
    for item in items:
        late = is_overdue(item, today)
        due = Text(item.due or "-", style="bold red" if late else "")
        if late:
            due.append(" overdue", style="bold red")
        if item.done_on:
            due.append(f"\ndone {item.done_on}", style="green")
        what = user_text(item.what)
        if item.pending:
            what.append(f"\n{PENDING}", style="yellow")
        table.add_row(
            str(item.id),
            due,
            user_text(item.partner or "-"),
            what,
            user_text(item.owner or "-"),
        )
    return Group(table)
