"""The message coach and the promises kept: `escalate lint` and `escalate follow-up`."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalate_cli.commands import common
from escalate_cli.commands.common import (
    confirm_removal,
    load_playbook,
    open_store,
    refuse_list_options,
    resolve_partner,
    say,
    show_list,
    terminal_prompter,
)
from escalate_cli.errors import EscalateError
from escalate_cli.options import (
    MAX_ID,
    Format,
    HomeOpt,
    LimitOpt,
    ListFormatOpt,
    NewOpt,
    NoInputOpt,
    PlaybookOpt,
    YesOpt,
)
from escalate_cli.textsafe import first_words

if TYPE_CHECKING:
    from escalate_cli.store import Commitment


def lint_command(
    file: Annotated[
        str | None,
        typer.Argument(metavar="FILE", help="The draft to check; `-` or nothing reads stdin."),
    ] = None,
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner", "-p", metavar="NAME", help="Also flag this partner's trigger words."
        ),
    ] = None,
    fmt: ListFormatOpt = Format.terminal,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Check a draft message before you send it.

    Flags the partner's trigger words, blame, over-promising, dates with no buffer,
    promises of someone else's work, vague commitments and inflated urgency, each with
    line, column, rule and a better way to say it. Exit 0 when clean, 1 when there are
    findings, 2 for bad input.

    Examples:

    \b
      escalate lint draft.txt
      pbpaste | escalate lint --partner Acme
      escalate lint reply.md --format json
    """
    from escalate_cli import report
    from escalate_cli.lint import lint
    from escalate_cli.safe_yaml import MAX_BYTES, decode, read_text

    source = "standard input" if file in (None, "-") else file
    if file in (None, "-"):
        common.reading_stdin("the draft")
        text = decode(sys.stdin.buffer.read(MAX_BYTES + 1), "<stdin>", "draft")
    else:
        text = read_text(Path(file), "draft")
    if not text.strip():  # an empty clipboard or file is no clean draft
        raise EscalateError(
            f"the draft ({source}) is empty",
            "copy the draft again, or name the file that holds it",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # any line ending counts lines
    book = load_playbook(playbook, home)
    triggers: list[str] = []
    if partner:
        with open_store(home) as store:
            partner = store.find_partner(partner).name  # as recorded, not as typed
            triggers = [note.text for note in store.notes(partner, "trigger")]
    with common.message_coach(book, home):
        findings = lint(text, book.lint, triggers, partner or "", today=dt.date.today())
    if fmt is Format.json:
        sys.stdout.writelines(report.findings_json(findings))
    elif fmt is Format.markdown:
        sys.stdout.write(report.findings_markdown(findings))
    else:
        from escalate_cli import present

        present.show(present.lint_view(findings))
    if findings:
        raise typer.Exit(1)


follow_app = typer.Typer(rich_markup_mode=None)


@follow_app.callback(invoke_without_command=True)
def follow_up(
    ctx: typer.Context,
    partner: Annotated[
        str | None, typer.Option("--partner", "-p", metavar="NAME", help="Only this partner.")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue commitments.")] = False,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Closed commitments too, each with the day it was closed. A closed one is "
            "never overdue: with --overdue the list holds open ones only, and --ics writes "
            "open ones only.",
        ),
    ] = False,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", metavar="FILE", help="Also write them as calendar reminders (.ics)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let --ics replace an existing file.")
    ] = False,
    limit: LimitOpt = None,
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """Hold yourself to what was promised: open commitments, soonest first, overdue marked;
    those their owner has not agreed to yet are shown as pending. --all lists the closed
    ones too (to find the number `reopen` needs).

    Examples:

    \b
      escalate follow-up
      escalate follow-up --partner Acme --overdue
      escalate follow-up --all --partner Acme
      escalate follow-up --ics commitments.ics
      escalate follow-up add Acme "send the hotfix plan" --owner Dana --due friday
      escalate follow-up done 3
      escalate follow-up edit 3 --due "next friday"
    """
    if ctx.invoked_subcommand:
        refuse_list_options(ctx, "the list of commitments", "follow-up")
        return
    now = common.today()
    due_before = now.isoformat() if overdue else None
    open_only = overdue or not every  # a closed commitment is never overdue
    with open_store(home) as store:
        if partner:
            store.find_partner(partner)
        items: Iterable[Commitment] = store.each_commitment(
            partner, open_only, limit=limit, due_before=due_before
        )
        if ics:
            items = list(items)  # read twice: the calendar, then the list
            _write_calendar([item for item in items if not item.done_on], ics, force)
        show_commitments(items, fmt, now, "Open commitments" if open_only else "Commitments")
        what = "overdue commitment" if overdue else "open commitment" if open_only else "commitment"
        common.say_left_out(
            limit, lambda: store.count_commitments(partner, open_only, due_before), what
        )


def _write_calendar(items: list[Commitment], ics: Path, force: bool) -> None:
    if not any(item.due for item in items):
        say(f"{ics} not written: none of the open commitments listed has a due date")
        return
    from escalate_cli.dates import EARLIEST_YEAR, LATEST_YEAR
    from escalate_cli.files import write_atomic
    from escalate_cli.ics import calendar, due_date

    write_atomic(ics, calendar(items, dt.datetime.now(dt.timezone.utc)), force=force, mode=None)
    left_out = [f"#{c.id}" for c in items if c.due and due_date(c) is None]
    if left_out:
        years = f"{EARLIEST_YEAR}-{LATEST_YEAR}"
        say(f"left out of the calendar (due date not in {years}): {', '.join(left_out)}")
    say(f"wrote {ics}")


def show_commitments(items: Iterable[Commitment], fmt: Format, now: dt.date, title: str) -> None:
    """Commitments in `fmt` under `title`; a closed one is marked with the day it closed."""
    from escalate_cli import report

    def table(first: list[Commitment]) -> Any:
        from escalate_cli import present

        return present.commitments_view(first, now, title)

    def row(item: Commitment) -> tuple[str, ...]:
        due = (item.due or "-") + (" overdue" if report.is_overdue(item, now) else "")
        due += f" done {item.done_on}" if item.done_on else ""
        return (str(item.id), due, item.partner, item.what, item.owner or "-")

    show_list(
        items,
        fmt,
        data=lambda item: report.commitment_data(item, now),
        markdown=lambda items: report.commitments_markdown(items, now, title),
        table=table,
        columns=(("#", "due", "partner", "what", "owner"), (-7, 18, 16, 40), row),
    )


IdArg = Annotated[
    int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The commitment's number.")
]
AllowPastOpt = Annotated[
    bool, typer.Option("--allow-past", help="Accept a due date that has already passed.")
]


def due_date(text: str, allow_past: bool) -> dt.date:
    """A due date as typed; one already past is refused unless the user says so."""
    from escalate_cli.dates import parse_date

    now = common.today()
    when = parse_date(text, now, "future")
    if when < now and not allow_past:
        raise EscalateError(
            f"the due date {when:%a %Y-%m-%d} has already passed; nothing was recorded",
            "give a date from today on, or add --allow-past to record it anyway",
        )
    return when


@follow_app.command("add")
def follow_up_add(
    partner: Annotated[str, typer.Argument(metavar="PARTNER", help="Who the promise was made to.")],
    what: Annotated[str, typer.Argument(metavar="WHAT", help="What was promised.")],
    owner: Annotated[
        str,
        typer.Option("--owner", metavar="NAME", help='Who will do it ("me" is you, by name).'),
    ] = "",
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            metavar="DATE",
            help="When it is due: 2026-12-01, friday, next friday, in 3 days, Dec 1.",
        ),
    ] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="The owner has not agreed to it yet.")
    ] = False,
    allow_past: AllowPastOpt = False,
    new: NewOpt = False,
    no_input: NoInputOpt = False,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Record a commitment; with a due date, suggests a cushioned date to promise.

    In a terminal, asks whether the owner is on board: if not, the commitment is kept as
    pending until they agree (`follow-up edit ID --agreed`).

    Examples:

    \b
      escalate follow-up add Acme "send the hotfix plan" --owner Dana --due friday
      escalate follow-up add Acme "share the call notes" --owner me --due "in 2 days"
      escalate follow-up add Acme "legal review" --owner Legal --pending
    """
    from escalate_cli.identity import is_me, resolve_owner
    from escalate_cli.store import promised

    what = promised(what)  # refused before anything is said or asked
    when = due_date(due, allow_past) if due else None
    mine = is_me(owner)  # your own promise: nobody else has to agree to it
    owner = resolve_owner(owner, common.my_name())
    prompter = terminal_prompter(no_input, False)
    with open_store(home) as store:  # a typo in the name is caught before anything is asked
        name = resolve_partner(store, partner, new, prompter)
    assert name is not None  # no way to decline was offered
    if when:
        cushion = load_playbook(playbook, home).lint.cushion()
        promise = cushion.promise(when)
        skipped = f"; {off}, not counted" if (off := cushion.skipped(when, promise)) else ""
        say(
            f"due {when:%a %Y-%m-%d}; promise them {promise:%a %Y-%m-%d} "
            f"({cushion.days} working days of cushion{skipped})"
        )
        if owner and prompter and not pending and not mine:
            from escalate_cli.interview import ask_once

            on_board = f"Is {owner} on board with doing this by {when}?"
            pending = not ask_once(prompter, on_board, "nothing was recorded")
    with open_store(home) as store:
        item, added = store.add_commitment(
            name, what, owner, when.isoformat() if when else "", "follow-up", pending, new=True
        )
    verb = "added" if added else "already recorded as"
    say(f"{verb} commitment #{item.id} for {item.partner}")
    if added and item.owner and not item.pending and not mine and not prompter:
        # someone else's work, taken as agreed with nobody asked: say so, and the way back
        say(
            f"recorded as agreed by {item.owner} (no terminal to ask); if they have not "
            f"agreed yet: escalate follow-up edit {item.id} --pending"
        )
    if item.pending:
        say(
            f"kept as pending: agree it with {item.owner or 'its owner'} before promising it, "
            f"then: escalate follow-up edit {item.id} --agreed"
        )


@follow_app.command("done")
def follow_up_done(commitment_id: IdArg, home: HomeOpt = None) -> None:
    """Close a commitment as done today (one already closed is left as it is).

    Examples:

    \b
      escalate follow-up done 3
    """
    with open_store(home) as store:
        item, changed = store.close_commitment(commitment_id, common.today().isoformat())
    if changed:
        say(f"closed commitment #{item.id}: {item.what}")
    else:
        say(f"commitment #{item.id} was already closed on {item.done_on}; nothing changed")


@follow_app.command("reopen")
def follow_up_reopen(commitment_id: IdArg, home: HomeOpt = None) -> None:
    """Open a closed commitment again.

    Examples:

    \b
      escalate follow-up reopen 3
    """
    with open_store(home) as store:
        item, changed = store.reopen_commitment(commitment_id)
    if changed:
        say(f"reopened commitment #{item.id}: {item.what}")
    else:
        say(f"commitment #{item.id} is open; nothing changed")


@follow_app.command("edit")
def follow_up_edit(
    commitment_id: IdArg,
    what: Annotated[
        str | None, typer.Option("--what", metavar="TEXT", help="What was promised.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="NAME", help="Who will do it.")
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", metavar="DATE", help="New due date ('' clears it).")
    ] = None,
    agreed: Annotated[
        bool | None,
        typer.Option("--agreed/--pending", help="The owner has agreed to it, or not yet."),
    ] = None,
    allow_past: AllowPastOpt = False,
    home: HomeOpt = None,
) -> None:
    """Change what a commitment says, who owns it or when it is due; or mark it agreed.

    Examples:

    \b
      escalate follow-up edit 3 --due "next friday"
      escalate follow-up edit 3 --owner me --agreed
    """
    from escalate_cli.identity import resolve_owner

    if (what, owner, due, agreed) == (None,) * 4:
        raise EscalateError(
            "nothing to change", "give --what, --owner, --due, --agreed or --pending"
        )
    when = due_date(due, allow_past).isoformat() if due else due
    owner = resolve_owner(owner, common.my_name()) if owner is not None else None
    pending = None if agreed is None else not agreed
    with open_store(home) as store:
        item = store.edit_commitment(
            commitment_id, what=what, owner=owner, due=when, pending=pending
        )
    say(f"commitment #{item.id} saved ({item.state})")


@follow_app.command("remove")
def follow_up_remove(
    commitment_id: IdArg, yes: YesOpt = False, no_input: NoInputOpt = False, home: HomeOpt = None
) -> None:
    """Delete a commitment (recorded by mistake, or no longer promised), saying which one
    went. In a terminal it shows the commitment and asks first, unless --yes; without
    one it does not ask.

    Examples:

    \b
      escalate follow-up remove 3
      escalate follow-up remove 3 --yes
    """
    with open_store(home) as store:
        if not confirm_removal(_words(store.get_commitment(commitment_id)), yes, no_input):
            return
        item = store.remove_commitment(commitment_id)
    say(f"removed {_words(item)}")


def _words(item: Commitment) -> str:
    """A commitment in words, to tell which one it is: number, partner, the start of what
    was promised, then owner, due date and state."""
    state = f"done {item.done_on}" if item.done_on else "pending" if item.pending else ""
    details = ", ".join(
        part for part in (item.owner, item.due and f"due {item.due}", state) if part
    )
    partner = f" of {item.partner}" if item.partner else ""
    said = f"commitment #{item.id}{partner}: {first_words(item.what)}"
    return f"{said} ({details})" if details else said
