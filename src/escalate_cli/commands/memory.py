"""Partner memory: `escalate partners`, `notes` and `outcome`."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from escalate_cli.commands import common
from escalate_cli.commands.common import (
    confirm_removal,
    open_store,
    resolve_partner,
    say,
    say_left_out,
    show_list,
    terminal_prompter,
)
from escalate_cli.errors import EscalateError
from escalate_cli.kinds import NOTE_KINDS
from escalate_cli.options import (
    MAX_ID,
    BriefFormat,
    ForceOpt,
    Format,
    HomeOpt,
    LimitOpt,
    ListFormatOpt,
    NewOpt,
    NoInputOpt,
    OutputOpt,
    SinceOpt,
    YesOpt,
)
from escalate_cli.textsafe import first_words, plural

if TYPE_CHECKING:
    from escalate_cli.store import Note, PartnerSummary

partners_app = typer.Typer(
    help="The partners you have history with: list, rename, merge, remove, alias.",
    rich_markup_mode=None,
)
PartnerArg = Annotated[str, typer.Argument(metavar="PARTNER", help="A partner or an alias.")]


@partners_app.callback(invoke_without_command=True)
def partners(
    ctx: typer.Context, fmt: ListFormatOpt = Format.terminal, home: HomeOpt = None
) -> None:
    """List partners with their aliases, note counts, past escalations (counted as the
    handover counts them), last assessment or brief, and open commitments.

    Examples:

    \b
      escalate partners
      escalate partners --format json
      escalate partners merge "Nortwind" "Northwind Logistics"
    """
    if ctx.invoked_subcommand:
        return
    from escalate_cli import report
    from escalate_cli.identity import merge_command

    def table(items: list[PartnerSummary]) -> Any:
        from escalate_cli import present

        return present.partners_view(items)

    def row(item: PartnerSummary) -> tuple[str, ...]:
        last = item.last_escalation
        when = f"{last.date} {last.verdict or last.kind}" if last else "-"
        return (
            item.name,
            str(item.notes),
            str(item.past_escalations),
            when,
            str(item.open_commitments),
        )

    with open_store(home) as store:
        show_list(
            store.each_partner(),
            fmt,
            data=report.partner_data,
            markdown=report.partners_markdown,
            table=table,
            columns=(report.PARTNER_COLUMNS, (24, -7, -16, 24), row),
        )
        for names in store.namesakes():
            say(
                f"{' and '.join(repr(name) for name in names)} now share one name; "
                f"if they are one partner: {merge_command(names)}"
            )


@partners_app.command("rename")
def partners_rename(
    old: PartnerArg,
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new name.")],
    home: HomeOpt = None,
) -> None:
    """Give a partner a new name; every note, escalation and commitment stays with it.

    Examples:

    \b
      escalate partners rename "Nortwind Logistics" "Northwind Logistics"
    """
    with open_store(home) as store:
        before = store.find_partner(old)
        after = store.rename_partner(old, new)
    say(f"renamed {before.name} to {after.name}")


@partners_app.command("merge")
def partners_merge(
    source: Annotated[str, typer.Argument(metavar="FROM", help="The partner to merge away.")],
    into: Annotated[str, typer.Argument(metavar="INTO", help="The partner that stays.")],
    home: HomeOpt = None,
) -> None:
    """Make two partners one: every record of FROM moves to INTO, in one transaction, and
    FROM's name becomes an alias of INTO. Identical notes or commitments are kept once.

    Examples:

    \b
      escalate partners merge northwind "Northwind Logistics"
    """
    with open_store(home) as store:
        gone, kept = store.find_partner(source), store.find_partner(into)
        moved = store.merge_partners(source, into)
    counts = ", ".join(plural(c.added, *RECORDS[table]) for table, c in moved.items())
    same = sum(c.unchanged for c in moved.values())
    also = f" ({same} identical to what {kept.name} had, kept once)" if same else ""
    say(f"merged {gone.name} into {kept.name}: moved {counts}{also}")
    say(f"{gone.name!r} is now an alias of {kept.name}")


@partners_app.command("remove")
def partners_remove(
    partner: PartnerArg, yes: YesOpt = False, no_input: NoInputOpt = False, home: HomeOpt = None
) -> None:
    """Delete a partner and everything recorded about it (asks first, unless --yes).

    Examples:

    \b
      escalate partners remove "Test Customer"
      escalate partners remove "Test Customer" --yes
    """
    with open_store(home) as store:
        found = store.find_partner(partner)
        if not yes:
            prompter = terminal_prompter(no_input, False)
            if prompter is None:
                raise EscalateError(
                    f"removing {found.name} deletes all of its records; nothing was removed",
                    "add --yes to remove it without being asked",
                )
            from escalate_cli.interview import ask_once

            question = f"Remove {found.name} and every note, escalation and commitment of it?"
            if not ask_once(prompter, question, "nothing was removed"):
                say("nothing was removed")
                return
        removed = store.remove_partner(found.name)
    counts = ", ".join(plural(count, *RECORDS[table]) for table, count in removed.items())
    say(f"removed {found.name}: {counts}")


RECORDS = {  # each table's records in words: one, many
    "notes": ("note", "notes"),
    "commitments": ("commitment", "commitments"),
    "history": ("history entry", "history entries"),
    "aliases": ("alias", "aliases"),
}


@partners_app.command("alias")
def partners_alias(
    partner: PartnerArg,
    alias: Annotated[str, typer.Argument(metavar="ALIAS", help="Another name for it.")],
    remove: Annotated[
        bool,
        typer.Option("--remove", help="Take ALIAS away from PARTNER (never its own name)."),
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Let another name mean this partner, in every command; --remove takes it away.

    Examples:

    \b
      escalate partners alias "Northwind Logistics" NWL
      escalate partners alias "Northwind Logistics" NWL --remove
    """
    with open_store(home) as store:
        if remove:
            found, removed = store.remove_alias(partner, alias)
            say(f"removed the alias {removed!r} of {found.name}")
            return
        found = store.add_alias(partner, alias)
    say(f"{alias.strip()!r} now means {found.name}")


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
            help="When it happened (today or earlier; default today). E.g. 2026-11-20, "
            "yesterday, last monday, 3 days ago, Dec 1, 12/01/2026 (month/day/year).",
        ),
    ] = None,
    link: Annotated[
        str | None, typer.Option("--link", metavar="URL", help="A recording or document.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", metavar="NAME", help="Who recorded it.")] = None,
    new: NewOpt = False,
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
    from escalate_cli.dates import parse_happened

    # checked before asking; a note is about the past, so `monday` is the latest Monday
    when = (
        parse_happened(date, common.today(), "--date", "a note", "leave --date out for today")
        if date
        else None
    )
    if kind is not None and kind.strip().lower() not in NOTE_KINDS:
        raise EscalateError(
            f"unknown note kind {kind!r}", "choose one of: " + ", ".join(NOTE_KINDS)
        )
    if text is None:
        prompter = terminal_prompter(no_input, False)
        with open_store(home) as store:  # a typo in the name is caught before the asking
            partner = resolve_partner(store, partner, new, prompter) or partner
            new = True
        if prompter is None:
            raise EscalateError(
                "no note text given", 'give it as an argument: escalate notes add PARTNER "text"'
            )
        from escalate_cli.interview import ask_note

        given = {"--date": when and when.isoformat(), "--link": link, "--by": by}
        options = [part for option, value in given.items() if value for part in (option, value)]
        kind, text, when = ask_note(prompter, partner, kind, when, common.today(), options)
    if kind is None:
        raise EscalateError("which kind of note is this?", f"add --kind: {KINDS_HELP}")
    with open_store(home) as store:
        name = resolve_partner(store, partner, new, terminal_prompter(no_input, False))
        assert name is not None  # no way to decline was offered
        day = when or common.today()
        note, added = store.add_note(name, kind, text, day.isoformat(), link, by, new=True)
    verb = "added" if added else "already recorded as"
    # the day it was filed under, so a date typed in words ("last monday") shows which it became
    say(f"{verb} note #{note.id} ({note.kind}) for {note.partner}, dated {day:%a %Y-%m-%d}")
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
        say_left_out(limit, lambda: store.count_notes(partner, kind, since_day), "note")


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
        query = " ".join(words)
        found = store.each_match(query, since_day, limit)
        show_notes(found, fmt, f"Notes matching {query!r}")
        say_left_out(limit, lambda: store.count_matches(query, since_day), "matching note")


def _since(since: str | None) -> str | None:
    """--since as the ISO date notes are stored with."""
    if since is None:
        return None
    from escalate_cli.dates import parse_date

    return parse_date(since, common.today(), "past").isoformat()


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
    from escalate_cli.dates import parse_happened

    with open_store(home) as store:
        note = store.get_note(note_id)
        if (text, kind, date, link, by) == (None,) * 5:
            if terminal_prompter(False, False) is None:
                raise EscalateError(
                    "nothing to change", "give --text, --kind, --date, --link or --by"
                )
            from escalate_cli.prompts import edit_in_editor

            text = edit_in_editor(note.text)
        when = (
            parse_happened(date, common.today(), "--date", "a note", "give today or an earlier day")
            if date
            else None
        )
        note = store.edit_note(
            note_id,
            text=text,
            kind=kind,
            date=when.isoformat() if when else date,
            link=link,
            by=by,
            seen=note,
        )
    say(f"note #{note.id} saved" + (f", dated {when:%a %Y-%m-%d}" if when else ""))


@notes_app.command("remove")
def notes_remove(
    note_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The note's number.")
    ],
    yes: YesOpt = False,
    no_input: NoInputOpt = False,
    home: HomeOpt = None,
) -> None:
    """Delete a note, saying which one went. In a terminal it shows the note and asks
    first, unless --yes; without one it does not ask.

    Examples:

    \b
      escalate notes remove 12
      escalate notes remove 12 --yes
    """
    with open_store(home) as store:
        if not confirm_removal(_note_words(store.get_note(note_id)), yes, no_input):
            return
        note = store.remove_note(note_id)
    say(f"removed {_note_words(note)}")


def _note_words(note: Note) -> str:
    return f"note #{note.id} of {note.partner} ({note.kind}): {first_words(note.text)}"


def outcome(
    partner: PartnerArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="How it ended, or how it stands.")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="DATE", help="When it was so (today or earlier; default today)."
        ),
    ] = None,
    escalation_id: Annotated[
        int | None,
        typer.Option(
            "--id",
            metavar="ID",
            min=1,
            max=MAX_ID,
            help="The escalation (from `escalate history`); default: the latest.",
        ),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Record how a partner's latest escalation ended. Every outcome is kept with its date,
    so a story that changes over weeks is told in order; the handover and history show it.

    An assessment that said to escalate counts as a past escalation once its outcome is
    recorded: that is how you confirm you acted on it.

    Examples:

    \b
      escalate outcome Acme "VP call held; hotfix shipped"
      escalate outcome Acme "renewal signed" --date 2026-11-20
      escalate outcome Acme "credit agreed" --id 7
    """
    from escalate_cli.dates import parse_happened

    when = (
        parse_happened(date, common.today(), "--date", "an outcome", "leave --date out for today")
        if date
        else common.today()
    )
    with open_store(home) as store:
        item = store.add_outcome(partner, text, when.isoformat(), escalation_id)
    say(
        f"outcome recorded for the {item.kind} of {item.date} ({item.partner}); "
        f"it has {plural(len(item.outcomes), 'outcome')}"
    )
    if item.kind == "assessment" and item.took_place:
        say("that assessment now counts as a past escalation in the handover")
    elif not item.took_place:
        say(
            "that assessment did not say to escalate, so the handover lists it as advice, "
            "not as a past escalation"
        )


class HistoryGroup(TyperGroup):
    """`escalate history PARTNER` lists a partner's history; `history show ID` one entry."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


history_app = typer.Typer(
    cls=HistoryGroup,
    help="Past assessments and briefs, newest first, with verdict, signals and outcomes.\n\n"
    "\b\n"
    "  escalate history [PARTNER] [--format terminal|markdown|json]\n"
    "  escalate history show ID [--format terminal|markdown|text|json]  (a brief's drafts)",
    rich_markup_mode=None,
)


@history_app.command("list", hidden=True)
def history_list(
    partner: Annotated[
        str | None,
        typer.Argument(metavar="[PARTNER]", help="Only this partner's; default: everything."),
    ] = None,
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """Past assessments and briefs, newest first, with verdict, signals and outcomes;
    without PARTNER also those kept only in your local history.

    Examples:

    \b
      escalate history
      escalate history Acme --format json
    """
    from escalate_cli import report

    with open_store(home) as store:
        name = store.find_partner(partner).name if partner else None
        items = store.history(name)
    title = f"History of {name}" if name else "History"
    if fmt is Format.json:
        sys.stdout.write(report.to_json([report.history_data(e) for e in items]))
    elif fmt is Format.markdown:
        sys.stdout.write(report.history_markdown(items, title))
    else:
        from escalate_cli import present

        present.show(present.history_view(items, title))


@history_app.command("show")
def history_show(
    entry_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The entry's number.")
    ],
    fmt: Annotated[
        BriefFormat,
        typer.Option("--format", "-f", help="terminal (default), markdown, text, or json."),
    ] = BriefFormat.terminal,
    output: OutputOpt = None,
    force: ForceOpt = False,
    home: HomeOpt = None,
) -> None:
    """Print a past brief's drafts again, as `escalate brief` printed them; for an
    assessment, what was recorded of it.

    Examples:

    \b
      escalate history show 7
      escalate history show 7 --format markdown -o brief.md
    """
    from escalate_cli import report

    with open_store(home) as store:
        item = store.get_escalation(entry_id)
    if item.drafts:
        common.write_brief(report.brief_from_data(item.drafts), fmt, output, force)
        return
    if item.kind == "brief":
        say(f"no drafts are kept for #{item.id} (recorded before drafts were kept, or imported)")
    if fmt is BriefFormat.json:
        common.emit(report.to_json(report.history_data(item)), output, force)
    elif fmt is BriefFormat.terminal and output is None:
        from escalate_cli import present

        present.show(present.history_view([item], f"#{item.id}"))
    elif fmt is BriefFormat.text:
        common.emit(report.history_text([item], f"#{item.id}"), output, force)
    else:
        common.emit(report.history_markdown([item], f"#{item.id}"), output, force)
