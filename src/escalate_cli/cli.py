"""The `escalate` command line: options in, workflow, result out, errors to exit codes.

Only typer and the standard library are imported at module level so that `--help` is
quick; each command imports what it needs (pydantic, questionary, rich, sqlite) when run.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from escalate_cli import __version__
from escalate_cli.errors import EscalateError, InterruptedByUser
from escalate_cli.kinds import NOTE_KINDS

if TYPE_CHECKING:
    from escalate_cli.files import Drafts
    from escalate_cli.playbook import Playbook
    from escalate_cli.prompts import QuestionaryPrompter
    from escalate_cli.store import Store


class EscalateGroup(TyperGroup):
    """Turns the tool's errors into a message and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EscalateError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write("\nescalate: interrupted\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader went away (`escalate ... | head`): nothing more to say to it
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("click", "typer")):
                raise
            report_bug(exc)
            raise typer.Exit(1) from None


def report_error(exc: EscalateError) -> None:
    label = "" if isinstance(exc, InterruptedByUser) else "error: "
    say(f"{label}{exc.message}")
    if exc.hint:
        say(f"hint: {exc.hint}", prefix="  ")


def report_bug(exc: BaseException) -> None:
    """An unexpected failure: where it happened, never the data it was holding."""
    import traceback

    if os.environ.get("ESCALATE_DEBUG"):
        traceback.print_exception(exc)
        return
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    say(f"unexpected error ({type(exc).__name__}{where}); this is a bug.")
    say("hint: run again with ESCALATE_DEBUG=1 for the full traceback, and report it", "  ")


HELP = """\
An escalation coach for account, customer success and partner managers.

\b
  escalate assess     before a tough call: should you escalate now, later, or not at all?
  escalate brief      walk the six-step framework; draft the manager brief and customer message
  escalate handover   everything the next owner of a relationship must know (import: load one)
  escalate outcome    how a partner's latest escalation ended
  escalate notes      partner memory: triggers, past escalations, expectations, agreements
  escalate partners   the partners you have history with
  escalate lint       check a draft for trigger words, blame and over-promising
  escalate follow-up  the commitments you made, soonest first; calendar reminders
  escalate playbook   check or show the playbook the coach follows

Every command runs without a terminal too: give answers with --answers FILE (YAML or
JSON, `-` for standard input) and add --no-input. Exit codes: 0 ok, 1 unexpected
failure (for `lint`: findings), 2 bad input, 130 interrupted.
"""

app = typer.Typer(
    name="escalate",
    help=HELP,
    cls=EscalateGroup,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
playbook_app = typer.Typer(
    help="Check, show and choose the playbook: questions, rules and templates as YAML.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(playbook_app, name="playbook")


class Format(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"


class DocFormat(str, Enum):
    markdown = "markdown"
    json = "json"


class BriefFormat(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    text = "text"
    json = "json"


PlaybookOpt = Annotated[
    Path | None,
    typer.Option(
        "--playbook",
        envvar="ESCALATE_PLAYBOOK",
        help="Playbook YAML to use. Default: your config dir's playbook.yaml, else the "
        "bundled one.",
        show_default=False,
    ),
]
HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="ESCALATE_HOME",
        help="Folder for drafts and stored data. Default: the platform's user data dir.",
        show_default=False,
    ),
]
AnswersOpt = Annotated[
    str | None,
    typer.Option(
        "--answers",
        "-a",
        metavar="FILE",
        help="YAML or JSON mapping of question id to answer (`-` reads standard input). "
        "Given answers are not asked again.",
        show_default=False,
    ),
]
NoInputOpt = Annotated[
    bool,
    typer.Option("--no-input", help="Never prompt; a missing answer is an error (exit 2)."),
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Continue from the draft an interrupted run kept.")
]
FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="terminal (default), markdown, or json on stdout."),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write the result to this file (atomically).", show_default=False
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Let --output replace an existing file.")]
PartnerOpt = Annotated[
    str | None,
    typer.Option(
        "--partner",
        "-p",
        metavar="NAME",
        help="The customer or partner: first shows what to know before you talk to them, "
        "then records the result in their history.",
        show_default=False,
    ),
]
ListFormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="terminal (default), markdown, or json.")
]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"escalate {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """An escalation coach."""


def load_playbook(
    path: Path | None, home: Path | None, *, check_templates: bool = False
) -> Playbook:
    """The playbook in use; content validated before loads without re-validation."""
    from escalate_cli import playbook
    from escalate_cli.files import home_dir

    stamps = home_dir(home) / "cache" / "validated"
    return playbook.load(playbook.locate(path), check_templates=check_templates, stamps=stamps)


def terminal_prompter(
    no_input: bool, answers_from_stdin: bool, cushion_days: int = 2
) -> QuestionaryPrompter | None:
    """A prompter when a person is at a terminal and may be asked, else None."""
    if no_input or answers_from_stdin or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    from escalate_cli.prompts import QuestionaryPrompter

    return QuestionaryPrompter(cushion_days)


def gather_answers(
    book: Playbook, command: str, answers_file: str | None, resume: bool, home: Path | None
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Prefilled answers (the kept draft with --resume, then the answers file over it),
    what was half-typed when the draft was kept, and the partner the draft was about."""
    from escalate_cli import answers, safe_yaml
    from escalate_cli.files import Drafts, home_dir

    questions = list(book.all_questions())
    prefill: dict[str, Any] = {}
    unfinished: dict[str, Any] = {}
    partner = None
    if resume:
        draft, unfinished, partner = Drafts(home_dir(home)).load(command)
        prefill.update(answers.check(safe_yaml.Located("the draft", draft), questions))
    if answers_file:
        prefill.update(answers.check(answers.read(answers_file), questions))
    return prefill, unfinished, partner


def refuse_existing_output(output: Path | None, force: bool) -> None:
    """Say before the interview, not after it, that --output would not be written."""
    if output is not None:
        from escalate_cli.files import refuse_existing

        refuse_existing(output, force)


def emit(text: str, output: Path | None, force: bool) -> None:
    """The result to stdout (user text made visible on a terminal), or atomically to
    --output with the permissions the user's umask gives new files."""
    if output is None:
        if sys.stdout.isatty():
            from escalate_cli.textsafe import visible

            text = visible(text)
        sys.stdout.write(text)
        return
    from escalate_cli.files import write_atomic

    write_atomic(output, text, force=force, mode=None)
    say(f"wrote {output}")


def say(message: str, prefix: str = "escalate: ") -> None:
    """A status line on stderr; user text in it is shown visibly, never interpreted."""
    from escalate_cli.textsafe import visible

    sys.stderr.write(f"{prefix}{visible(message)}\n")


@app.command()
def assess(
    answers_file: AnswersOpt = None,
    no_input: NoInputOpt = False,
    resume: ResumeOpt = False,
    fmt: FormatOpt = Format.terminal,
    output: OutputOpt = None,
    force: ForceOpt = False,
    partner: PartnerOpt = None,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Before a tough call: should you escalate now, later, or not at all?

    Walks the pre-escalation checklist, the signs for and against escalating, timing and
    the usual triggers, then gives a verdict, the rule behind it, what to do first and
    what is still missing.

    Examples:

    \b
      escalate assess

      escalate assess --answers call.yaml --no-input --format json

      echo 'cancel_threat: yes' | escalate assess --answers - --no-input
    """
    from escalate_cli import interview
    from escalate_cli.assess import assess as run_assessment
    from escalate_cli.files import Drafts, home_dir

    book = load_playbook(playbook, home)
    prefill, unfinished, kept_partner = gather_answers(book, "assess", answers_file, resume, home)
    partner = partner or kept_partner
    refuse_existing_output(output, force)
    prompter = terminal_prompter(no_input, answers_file == "-", book.lint.cushion_days)
    drafts = Drafts(home_dir(home)) if prompter or resume else None
    if partner:
        show_before_you_talk(partner, home)
    given = interview.run(
        book.asked("assess"),
        prefill,
        prompter,
        keep=lambda given, typed: drafts.save("assess", given, typed, partner) if drafts else None,
        command="assess",
        unfinished=unfinished,
    )
    result = run_assessment(book, given)
    write_assessment(result, book.name, fmt, output, force)
    if partner:  # only once the result is out: a failed run records nothing
        with open_store(home) as store:
            store.record_escalation(
                partner,
                date=today().isoformat(),
                kind="assessment",
                verdict=result.verdict,
                reasons=[reason.text for reason in result.reasons],
            )
        say(f"the assessment is now in {partner}'s history")
    if drafts:
        drafts.clear("assess")
    offer = fmt is Format.terminal and output is None and result.escalating and book.brief
    if prompter and drafts and offer:
        from escalate_cli.interview import ask_once

        offer_brief = "Draft the manager brief and customer message now?"
        if ask_once(prompter, offer_brief, "the assessment above is complete"):
            book = load_playbook(playbook, home, check_templates=True)
            run_brief(
                book, given, prompter, drafts, BriefFormat.terminal, None, False, partner, home
            )


def write_assessment(
    result: Any, book_name: str, fmt: Format, output: Path | None, force: bool
) -> None:
    from escalate_cli import report

    if fmt is Format.json:
        emit(report.to_json(report.assessment_data(result, book_name)), output, force)
    elif fmt is Format.markdown:
        emit(report.assessment_markdown(result), output, force)
    else:
        from escalate_cli import present

        view = present.assessment_view(result)
        if output is None:
            present.show(view)
        else:
            emit(present.render_to_text(view), output, force)


@app.command()
def brief(
    answers_file: AnswersOpt = None,
    no_input: NoInputOpt = False,
    resume: ResumeOpt = False,
    fmt: Annotated[
        BriefFormat,
        typer.Option(
            "--format", "-f", help="terminal (default), markdown, text, or json on stdout."
        ),
    ] = BriefFormat.terminal,
    output: OutputOpt = None,
    force: ForceOpt = False,
    partner: PartnerOpt = None,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Walk the six-step escalation framework and draft what to send.

    Asks what the drafts need, step by step (understand, prepare, escalate internally,
    escalate to the customer, execute, follow through), warns about the gotchas your
    answers run into, then drafts the manager brief, the customer message, the
    leadership call agenda and the follow-up plan, each checked by the message coach.
    Long answers can be written in $EDITOR: type :e at the prompt.

    Examples:

    \b
      escalate brief
      escalate brief --answers acme.yaml --no-input --format markdown -o acme-brief.md
      escalate brief --resume
    """
    from escalate_cli.files import Drafts, home_dir

    book = load_playbook(playbook, home, check_templates=True)
    if not book.brief:
        raise EscalateError(
            "this playbook has no `brief` interview", "use the bundled playbook or add one"
        )
    prefill, unfinished, kept_partner = gather_answers(book, "brief", answers_file, resume, home)
    partner = partner or kept_partner
    refuse_existing_output(output, force)
    prompter = terminal_prompter(no_input, answers_file == "-", book.lint.cushion_days)
    drafts = Drafts(home_dir(home)) if prompter or resume else None
    if partner:
        show_before_you_talk(partner, home)
    run_brief(book, prefill, prompter, drafts, fmt, output, force, partner, home, unfinished)


def run_brief(
    book: Playbook,
    prefill: dict[str, Any],
    prompter: QuestionaryPrompter | None,
    drafts: Drafts | None,
    fmt: BriefFormat,
    output: Path | None,
    force: bool,
    partner: str | None,
    home: Path | None,
    unfinished: dict[str, Any] | None = None,
) -> None:
    """The brief interview, the warnings, then the drafts in the chosen format."""
    from escalate_cli import interview, report
    from escalate_cli.brief import draft

    given = interview.run(
        book.asked("brief"),
        prefill,
        prompter,
        keep=lambda given, typed: drafts.save("brief", given, typed, partner) if drafts else None,
        command="brief",
        unfinished=unfinished,
    )
    triggers: tuple[str, ...] = ()
    if partner:
        with open_store(home) as store:
            if store_partner(store, partner):
                triggers = tuple(note.text for note in store.notes(partner, "trigger"))
    result = draft(book, given, triggers, partner or "")
    if fmt is BriefFormat.json:
        emit(report.to_json(report.brief_data(result)), output, force)
    elif fmt is BriefFormat.markdown:
        emit(report.brief_markdown(result), output, force)
    elif fmt is BriefFormat.text or output is not None:
        emit(report.brief_text(result), output, force)
    else:
        from escalate_cli import present

        present.show_brief(result)
    if partner:  # only once the drafts are out: a failed run records nothing
        record_brief(partner, given, home)
        kept = len(given.get("commitments") or [])
        say(f"the brief is now in {partner}'s history, with {kept} commitment(s)")
    if drafts:
        drafts.clear("brief")


def today() -> dt.date:
    return dt.date.today()


def open_store(home: Path | None) -> Store:
    from escalate_cli.files import home_dir
    from escalate_cli.store import Store

    return Store.open(home_dir(home))


def store_partner(store: Store, name: str) -> bool:
    """Whether `name` is a known partner (an unknown one is fine: it starts a history)."""
    from escalate_cli.errors import NotFoundError

    try:
        store.find_partner(name)
    except NotFoundError:
        return False
    return True


def show_before_you_talk(partner: str, home: Path | None) -> None:
    """What to know before talking to a partner, on stderr so stdout stays the result."""
    from escalate_cli import present

    with open_store(home) as store:
        if not store_partner(store, partner):
            say(f"no history for {partner!r} yet; this starts it")
            return
        view = present.before_you_talk_view(
            partner,
            store.notes(partner, "trigger"),
            store.escalations(partner),
            store.notes(partner, "escalation"),
            store.notes(partner, "communication"),
            store.commitments(partner),
        )
    present.show(view, sys.stderr)


def record_brief(partner: str, given: dict[str, Any], home: Path | None) -> None:
    """The brief joins the partner's history (the root cause, why, the ask) with each
    commitment, in one transaction: all of it or none."""
    reasons = [
        f"{label}: {given[key]}"
        for label, key in (("they wanted", "customer_wants"), ("not resolved", "why_unresolved"))
        if given.get(key)
    ]
    escalation = {
        "date": today().isoformat(),
        "kind": "brief",
        "reasons": reasons,
        "issue": str(given.get("issue") or ""),
        "ask": str(given.get("ask") or ""),
    }
    commitments = [{**item, "source": "brief"} for item in given.get("commitments") or []]
    with open_store(home) as store:
        store.import_records(partner, [], [escalation], commitments)


@app.command()
def partners(fmt: ListFormatOpt = Format.terminal, home: HomeOpt = None) -> None:
    """List partners with their note counts, last escalation and open commitments.

    Examples:

    \b
      escalate partners
      escalate partners --format json
    """
    from escalate_cli import report

    with open_store(home) as store:
        summaries = store.partners()
    if fmt is Format.json:
        sys.stdout.write(report.to_json([report.partner_data(p) for p in summaries]))
    elif fmt is Format.markdown:
        sys.stdout.write(report.partners_markdown(summaries))
    else:
        from escalate_cli import present

        present.show(present.partners_view(summaries))


notes_app = typer.Typer(
    help="Partner memory: trigger words, past escalations, expectations, agreements.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(notes_app, name="notes")
KINDS_HELP = " | ".join(NOTE_KINDS)
MAX_ID = 2**63 - 1  # SQLite's largest row id


@notes_app.command("add")
def notes_add(
    partner: Annotated[str, typer.Argument(help="The partner (matched case-insensitively).")],
    text: Annotated[
        str | None, typer.Argument(help="The note. Omit it in a terminal to be asked.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help=KINDS_HELP)] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="When (2026-11-20, today, friday...).")
    ] = None,
    link: Annotated[str | None, typer.Option("--link", help="A recording or document.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who recorded it.")] = None,
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

    when = parse_date(date, today()).isoformat() if date else None  # checked before asking
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
        note, added = store.add_note(partner, kind, text, when, link, by)
    verb = "added" if added else "already recorded as"
    say(f"{verb} note #{note.id} ({note.kind}) for {note.partner}")


@notes_app.command("list")
def notes_list(
    partner: Annotated[str, typer.Argument(help="The partner.")],
    kind: Annotated[str | None, typer.Option("--kind", "-k", help=KINDS_HELP)] = None,
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """List a partner's notes, oldest first.

    Examples:

    \b
      escalate notes list Acme
      escalate notes list acme --kind trigger --format json
    """
    with open_store(home) as store:
        found = store.notes(partner, kind)
    show_notes(found, fmt, f"Notes for {partner}")


@notes_app.command("search")
def notes_search(
    words: Annotated[list[str], typer.Argument(help="Words that must all appear.")],
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """Full-text search across every partner's notes.

    Examples:

    \b
      escalate notes search outage
      escalate notes search per our policy --format json
    """
    with open_store(home) as store:
        found = store.search(" ".join(words))
    show_notes(found, fmt, f"Notes matching {' '.join(words)!r}")


def show_notes(found: list[Any], fmt: Format, title: str) -> None:
    from escalate_cli import report

    if fmt is Format.json:
        sys.stdout.write(report.to_json([report.note_data(n) for n in found]))
    elif fmt is Format.markdown:
        sys.stdout.write(report.notes_markdown(found, title))
    else:
        from escalate_cli import present

        present.show(present.notes_view(found, title))


@notes_app.command("edit")
def notes_edit(
    note_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The note's number.")
    ],
    text: Annotated[str | None, typer.Option("--text", help="New text.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help=KINDS_HELP)] = None,
    date: Annotated[str | None, typer.Option("--date", help="New date.")] = None,
    link: Annotated[str | None, typer.Option("--link", help="New link ('' clears).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="New author ('' clears).")] = None,
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
        when = parse_date(date, today()).isoformat() if date else date
        note = store.edit_note(note_id, text=text, kind=kind, date=when, link=link, by=by)
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


@app.command()
def handover(
    partner: Annotated[str, typer.Argument(help="The partner whose relationship changes hands.")],
    to: Annotated[
        str | None, typer.Option("--to", help="The new owner (signs the introduction).")
    ] = None,
    fmt: Annotated[
        DocFormat, typer.Option("--format", "-f", help="markdown (default) or json.")
    ] = DocFormat.markdown,
    output: OutputOpt = None,
    force: ForceOpt = False,
    home: HomeOpt = None,
) -> None:
    """Everything the next owner of a relationship must know, in one document.

    Summary, escalation history with reasons, trigger words and actions, communication
    expectations, roles, agreements and decisions with links, open commitments, lessons,
    and a draft introduction from the new owner. Missing essentials are flagged at the top.
    The JSON form is what `escalate import` reads in the new owner's store.

    Examples:

    \b
      escalate handover Acme --to "Jordan Lee" -o acme-handover.md
      escalate handover Acme --format json -o acme.json   # then: escalate import acme.json
    """
    from escalate_cli import handover as ho

    with open_store(home) as store:
        found = store.find_partner(partner)
        doc = ho.assemble(
            found.name,
            store.notes(found.name),
            store.escalations(found.name),
            store.commitments(found.name, open_only=False),
            to or "",
            dt.datetime.now(dt.timezone.utc),
        )
    text = ho.dumps(doc) if fmt is DocFormat.json else ho.to_markdown(doc)
    emit(text, output, force)


@app.command()
def outcome(
    partner: Annotated[str, typer.Argument(help="The partner.")],
    text: Annotated[str, typer.Argument(help="How the latest escalation ended.")],
    home: HomeOpt = None,
) -> None:
    """Record how a partner's latest escalation ended; the handover shows it.

    Examples:

    \b
      escalate outcome Acme "VP call held; hotfix shipped 2026-12-03; renewal signed"
    """
    with open_store(home) as store:
        item = store.set_outcome(partner, text)
    say(f"outcome recorded for the {item.kind} of {item.date} ({item.partner})")


@app.command("import")
def import_handover(
    file: Annotated[Path, typer.Argument(help="A handover JSON from `escalate handover -f json`.")],
    home: HomeOpt = None,
) -> None:
    """Load a handover into your store, all or nothing; importing twice adds nothing.

    Examples:

    \b
      escalate import acme-handover.json
    """
    from escalate_cli import handover as ho
    from escalate_cli.safe_yaml import read_text

    data = ho.read_import(read_text(file, "handover file", limit=256_000_000), str(file))
    with open_store(home) as store:
        added = store.import_records(
            data["partner"],
            data.get("notes", []),
            data.get("escalations", []),
            data.get("commitments", []),
        )
    say(
        f"imported {data['partner']}: {added['notes']} notes, "
        f"{added['escalations']} escalations, {added['commitments']} commitments new"
    )


@app.command("lint")
def lint_command(
    file: Annotated[
        str | None, typer.Argument(help="The draft to check; `-` or nothing reads stdin.")
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
    from escalate_cli.safe_yaml import decode, read_text

    if file in (None, "-"):
        if file is None and sys.stdin.isatty():
            raise EscalateError(
                "no draft given", "name a file, or pipe the draft: ... | escalate lint"
            )
        text = decode(sys.stdin.buffer.read(), "<stdin>", "draft")
    else:
        text = read_text(Path(file), "draft")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # any line ending counts lines
    book = load_playbook(playbook, home)
    triggers: list[str] = []
    if partner:
        with open_store(home) as store:
            store.find_partner(partner)
            triggers = [note.text for note in store.notes(partner, "trigger")]
    findings = lint(text, book.lint.rules, triggers, partner or "", book.lint.cushion_days)
    if fmt is Format.json:
        sys.stdout.write(report.to_json([f.as_dict() for f in findings]))
    elif fmt is Format.markdown:
        sys.stdout.write(report.findings_markdown(findings))
    else:
        from escalate_cli import present

        present.show(present.lint_view(findings))
    if findings:
        raise typer.Exit(1)


follow_app = typer.Typer(rich_markup_mode=None)
app.add_typer(follow_app, name="follow-up")


@follow_app.callback(invoke_without_command=True)
def follow_up(
    ctx: typer.Context,
    partner: Annotated[
        str | None, typer.Option("--partner", "-p", metavar="NAME", help="Only this partner.")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue commitments.")] = False,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Also write them as calendar reminders (.ics).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let --ics replace an existing file.")
    ] = False,
    fmt: ListFormatOpt = Format.terminal,
    home: HomeOpt = None,
) -> None:
    """Hold yourself to what was promised: open commitments, soonest first, overdue marked.

    Examples:

    \b
      escalate follow-up
      escalate follow-up --partner Acme --overdue
      escalate follow-up --ics commitments.ics
      escalate follow-up add Acme "send the hotfix plan" --owner Dana --due friday
      escalate follow-up done 3
    """
    if ctx.invoked_subcommand:
        given = [
            param.opts[0]
            for param in ctx.command.params
            if param.name and _from_command_line(ctx, param.name)
        ]
        if given:
            raise EscalateError(
                f"{', '.join(given)} belong(s) to the list of commitments, not to "
                f"`{ctx.invoked_subcommand}`; nothing was done",
                f"run the list on its own (escalate follow-up {given[0]} ...); --home goes after "
                f"the subcommand: escalate follow-up {ctx.invoked_subcommand} ... --home DIR",
            )
        return
    from escalate_cli import report

    with open_store(home) as store:
        if partner:
            store.find_partner(partner)
        items = store.commitments(partner)
    now = today()
    if overdue:
        items = [c for c in items if report.is_overdue(c, now)]
    if ics and not any(item.due for item in items):
        say(f"{ics} not written: none of the commitments listed has a due date")
    elif ics:
        from escalate_cli.files import write_atomic
        from escalate_cli.ics import calendar

        write_atomic(ics, calendar(items, dt.datetime.now(dt.timezone.utc)), force=force, mode=None)
        say(f"wrote {ics}")
    if fmt is Format.json:
        sys.stdout.write(report.to_json([report.commitment_data(c, now) for c in items]))
    elif fmt is Format.markdown:
        sys.stdout.write(report.commitments_markdown(items, now))
    else:
        from escalate_cli import present

        present.show(present.commitments_view(items, now))


def _from_command_line(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


@follow_app.command("add")
def follow_up_add(
    partner: Annotated[str, typer.Argument(help="Who the promise was made to.")],
    what: Annotated[str, typer.Argument(help="What was promised.")],
    owner: Annotated[str, typer.Option("--owner", help="Who will do it.")] = "",
    due: Annotated[
        str | None, typer.Option("--due", help="When it is due: 2026-12-01, friday, in 3 days.")
    ] = None,
    no_input: NoInputOpt = False,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Record a commitment; with a due date, suggests a cushioned date to promise.

    Examples:

    \b
      escalate follow-up add Acme "send the hotfix plan" --owner Dana --due friday
      escalate follow-up add Acme "share the call notes" --due "in 2 days"
    """
    from escalate_cli.dates import parse_date, promise_date

    when = parse_date(due, today()) if due else None
    if when:
        cushion = load_playbook(playbook, home).lint.cushion_days
        promise = promise_date(when, cushion)
        say(
            f"due {when:%a %Y-%m-%d}; promise the partner {promise:%a %Y-%m-%d} "
            f"({cushion} working days of cushion)"
        )
        prompter = terminal_prompter(no_input, False)
        if owner and prompter:
            from escalate_cli.interview import ask_once

            on_board = f"Is {owner} on board with doing this by {when}?"
            if not ask_once(prompter, on_board, "nothing was recorded"):
                say(f"not recorded. Agree it with {owner} before promising it.")
                return
    with open_store(home) as store:
        item, added = store.add_commitment(
            partner, what, owner, when.isoformat() if when else "", "follow-up"
        )
    verb = "added" if added else "already recorded as"
    say(f"{verb} commitment #{item.id} for {item.partner}")


@follow_app.command("done")
def follow_up_done(
    commitment_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The commitment's number.")
    ],
    home: HomeOpt = None,
) -> None:
    """Close a commitment as done today.

    Examples:

    \b
      escalate follow-up done 3
    """
    with open_store(home) as store:
        item = store.close_commitment(commitment_id, today().isoformat())
    say(f"closed commitment #{item.id}: {item.what}")


@playbook_app.command("validate")
def playbook_validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="Playbook to check. Default: the one commands would use."),
    ] = None,
    playbook: PlaybookOpt = None,
) -> None:
    """Check a playbook: YAML, fields, types, ids, rule references. Exit 2 if wrong.

    Examples:

    \b
      escalate playbook validate
      escalate playbook validate my-playbook.yaml
    """
    from escalate_cli import playbook as pb

    where = pb.locate(path or playbook)
    book = pb.load(where, check_templates=True)
    questions = list(book.all_questions())
    templates = len(pb.TEMPLATES) if book.templates else 0
    sys.stdout.write(
        f"ok: {where}: {book.name}: {len(questions)} questions, {len(book.rules)} rules, "
        f"{len(book.scenarios)} scenarios, {len(book.gotchas)} gotchas, "
        f"{templates} templates, {len(book.lint.rules)} lint rules\n"
    )


@playbook_app.command("show")
def playbook_show(
    raw: Annotated[bool, typer.Option("--raw", help="Print the playbook's YAML as it is.")] = False,
    bundled: Annotated[
        bool, typer.Option("--bundled", help="Show the bundled playbook, whatever is in use.")
    ] = False,
    fmt: Annotated[
        DocFormat, typer.Option("--format", "-f", help="markdown (default) or json.")
    ] = DocFormat.markdown,
    playbook: PlaybookOpt = None,
) -> None:
    """Show the playbook in use: where it is, and every question id with its hint.

    The ids are what answers files use. Start your own playbook with:

    \b
      escalate playbook show --raw --bundled > my-playbook.yaml
    """
    from escalate_cli import playbook as pb

    where = pb.bundled_path() if bundled else pb.locate(playbook)
    if raw:
        from escalate_cli.safe_yaml import read_text

        sys.stdout.write(read_text(where, "playbook"))
        return
    book = pb.load(where)
    from escalate_cli import report

    if fmt is DocFormat.json:
        sys.stdout.write(report.to_json(report.playbook_data(book, str(where))))
    else:
        sys.stdout.write(report.playbook_markdown(book, str(where)))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="escalate")
