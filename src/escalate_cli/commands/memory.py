"""Partner memory: `escalate partners`, `notes` and `outcome`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalate_cli.commands import common
from escalate_cli.commands.common import open_store, say, show_list, terminal_prompter
from escalate_cli.errors import EscalateError
from escalate_cli.kinds import NOTE_KINDS
from escalate_cli.options import (
    MAX_ID,
    Format,
    HomeOpt,
    LimitOpt,
    ListFormatOpt,
    NoInputOpt,
    SinceOpt,
)

if TYPE_CHECKING:
    from escalate_cli.store import Note, PartnerSummary


def partners(fmt: ListFormatOpt = Format.terminal, home: HomeOpt = None) -> None:
    """List partners with their note counts, last escalation and open commitments.

    Examples:

    \b
      escalate partners
      escalate partners --format json
    """
    from escalate_cli import report

    def table(items: list[PartnerSummary]) -> Any:
        from escalate_cli import present

        return present.partners_view(items)

    def row(item: PartnerSummary) -> tuple[str, ...]:
        last = item.last_escalation
        when = f"{last.date} {last.verdict or last.kind}" if last else "-"
        return (item.name, str(item.notes), when, str(item.open_commitments))

    header = ("partner", "notes", "last assessed or briefed", "open commitments")
    with open_store(home) as store:
        show_list(
            store.each_partner(),
            fmt,
            data=report.partner_data,
            markdown=report.partners_markdown,
            table=table,
            columns=(header, (24, -7, 24), row),
        )


notes_app = typer.Typer(
    help="Partner memory: trigger words, past escalations, expectations, agreements.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


KINDS_HELP = " | ".join(NOTE_KINDS)


@notes_app.command("add")
def notes_add(
    partner: Annotated[
        str, typer.Argument(metavar="PARTNER", help="The partner (matched case-insensitively).")
    ],
    text: Annotated[
        str | None,
        typer.Argument(metavar="TEXT", help="The note. Omit it in a terminal to be asked."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", metavar="KIND", help=KINDS_HELP)
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="When it happened; default today. E.g. 2026-11-20, yesterday, last monday, "
            "3 days ago, Dec 1, 12/01/2026 (month/day/year).",
        ),
    ] = None,
    link: Annotated[
        str | None, typer.Option("--link", metavar="URL", help="A recording or document.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", metavar="NAME", help="Who recorded it.")] = None,
    no_input: NoInputOpt = False,
    home: HomeOpt = None,
) -> None:
    """Record a note about a partner.

    Examples:

    \b
      escalate notes add Acme --kind trigger "being told 'per our policy'"
      escalate notes add Acme --kind escalation "Q3 outage: no update for 5 days" --date 2026-09-14
      escalate notes add Acme --kind communication "Slack for daily, weekly call Tue 10:00"
      escalate notes add Acme        (in a terminal: asks for the kind, text and date)
    """
    from escalate_cli.dates import parse_date

    # checked before asking; a note is about the past, so `monday` is the latest Monday
    when = parse_date(date, common.today(), "past").isoformat() if date else None
    if kind is not None and kind.strip().lower() not in NOTE_KINDS:
        raise EscalateError(
            f"unknown note kind {kind!r}", "choose one of: " + ", ".join(NOTE_KINDS)
        )
    if text is None:
        prompter = terminal_prompter(no_input, False)
        if prompter is None:
            raise EscalateError(
                "no note text given", 'give it as an argument: escalate notes add PARTNER "text"'
            )
        from escalate_cli.interview import ask_note

        kind, text, when = ask_note(prompter, kind, when)
    if kind is None:
        raise EscalateError("which kind of note is this?", f"add --kind: {KINDS_HELP}")
    with open_store(home) as store:
        note, added = store.add_note(
            partner, kind, text, when or common.today().isoformat(), link, by
        )
    verb = "added" if added else "already recorded as"
    say(f"{verb} note #{note.id} ({note.kind}) for {note.partner}")
    if note.kind == "trigger":
        from escalate_cli.triggers import watch_hint

        say(watch_hint(note.text))


@notes_app.command("list")
def notes_list(
    partner: Annotated[str, typer.Argument(metavar="PARTNER", help="The partner.")],
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", metavar="KIND", help=KINDS_HELP)
    ] = None,
    since: SinceOpt = None,
    limit: LimitOpt = None,
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """List a partner's notes, oldest first.

    A long list is printed as plain rows as it is read, through your PAGER when the
    output is a terminal.

    Examples:

    \b
      escalate notes list Acme
      escalate notes list acme --kind trigger --format json
      escalate notes list Acme --since 2026-11-01 --limit 50
    """
    since_day = _since(since)
    with open_store(home) as store:
        found = store.each_note(partner, kind, since_day, limit)
        show_notes(found, fmt, f"Notes for {partner}")


@notes_app.command("search")
def notes_search(
    words: Annotated[
        list[str], typer.Argument(metavar="WORDS...", help="Words that must all appear.")
    ],
    since: SinceOpt = None,
    limit: LimitOpt = None,
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """Full-text search across every partner's notes.

    Examples:

    \b
      escalate notes search outage
      escalate notes search per our policy --format json
      escalate notes search outage --since 2026-01-01 --limit 20
    """
    since_day = _since(since)
    with open_store(home) as store:
        found = store.each_match(" ".join(words), since_day, limit)
        show_notes(found, fmt, f"Notes matching {' '.join(words)!r}")


def _since(since: str | None) -> str | None:
    """--since as the ISO date notes are stored with."""
    if since is None:
        return None
    from escalate_cli.dates import parse_date

    return parse_date(since, common.today()).isoformat()


def show_notes(found: Iterable[Note], fmt: Format, title: str) -> None:
    from escalate_cli import report

    def table(notes: list[Note]) -> Any:
        from escalate_cli import present

        return present.notes_view(notes, title)

    def row(note: Note) -> tuple[str, ...]:
        text = f"{note.text}  {note.link}" if note.link else note.text
        return (str(note.id), note.date or "", note.kind, note.partner, text)

    show_list(
        found,
        fmt,
        data=report.note_data,
        markdown=lambda notes: report.notes_markdown(notes, title),
        table=table,
        columns=(("#", "date", "kind", "partner", "note"), (-7, 10, 13, 16), row),
    )


@notes_app.command("edit")
def notes_edit(
    note_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The note's number.")
    ],
    text: Annotated[str | None, typer.Option("--text", metavar="TEXT", help="New text.")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", metavar="KIND", help=KINDS_HELP)
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="DATE", help="New date (read as for `notes add`)."),
    ] = None,
    link: Annotated[
        str | None, typer.Option("--link", metavar="URL", help="New link ('' clears).")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="New author ('' clears).")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Change a note. With no option, in a terminal, edit its text in $EDITOR.

    Examples:

    \b
      escalate notes edit 12 --text "no update for five days"
      escalate notes edit 12 --kind escalation --date 2026-09-14
      escalate notes edit 12        (in a terminal: opens the text in $EDITOR)
    """
    from escalate_cli.dates import parse_date

    with open_store(home) as store:
        note = store.get_note(note_id)
        if (text, kind, date, link, by) == (None,) * 5:
            if terminal_prompter(False, False) is None:
                raise EscalateError(
                    "nothing to change", "give --text, --kind, --date, --link or --by"
                )
            from escalate_cli.prompts import edit_in_editor

            text = edit_in_editor(note.text)
        when = parse_date(date, common.today(), "past").isoformat() if date else date
        note = store.edit_note(
            note_id, text=text, kind=kind, date=when, link=link, by=by, seen=note
        )
    say(f"note #{note.id} saved")


@notes_app.command("remove")
def notes_remove(
    note_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The note's number.")
    ],
    home: HomeOpt = None,
) -> None:
    """Delete a note.

    Examples:

    \b
      escalate notes remove 12
    """
    with open_store(home) as store:
        note = store.get_note(note_id)
        store.remove_note(note_id)
    say(f"removed note #{note.id} ({note.kind}) from {note.partner}")


def outcome(
    partner: Annotated[str, typer.Argument(metavar="PARTNER", help="The partner.")],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="How the latest escalation ended.")],
    home: HomeOpt = None,
) -> None:
    """Record how a partner's latest escalation ended; the handover shows it.

    An assessment that said to escalate counts as a past escalation once its outcome is
    recorded: that is how you confirm you acted on it.

    Examples:

    \b
      escalate outcome Acme "VP call held; hotfix shipped 2026-12-03; renewal signed"
    """
    with open_store(home) as store:
        item = store.set_outcome(partner, text)
    say(f"outcome recorded for the {item.kind} of {item.date} ({item.partner})")
    if item.kind == "assessment" and item.took_place:
        say("that assessment now counts as a past escalation in the handover")
    elif not item.took_place:
        say(
            "that assessment did not say to escalate, so the handover lists it as advice, "
            "not as a past escalation"
        )
