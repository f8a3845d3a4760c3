"""The `escalate` command line: options in, workflow, result out, errors to exit codes.

Only typer and the standard library are imported at module level so that `--help` is
quick; each command imports what it needs (pydantic, questionary, rich, sqlite) when run.
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from escalate_cli import __version__
from escalate_cli.errors import EscalateError, InterruptedByUser

if TYPE_CHECKING:
    from escalate_cli.playbook import Playbook
    from escalate_cli.prompts import QuestionaryPrompter


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
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("click", "typer")):
                raise
            report_bug(exc)
            raise typer.Exit(1) from None


def report_error(exc: EscalateError) -> None:
    label = "" if isinstance(exc, InterruptedByUser) else "error: "
    sys.stderr.write(f"escalate: {label}{exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"  hint: {exc.hint}\n")


def report_bug(exc: BaseException) -> None:
    """An unexpected failure: where it happened, never the data it was holding."""
    if os.environ.get("ESCALATE_DEBUG"):
        traceback.print_exception(exc)
        return
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    sys.stderr.write(
        f"escalate: unexpected error ({type(exc).__name__}{where}); this is a bug.\n"
        "  hint: run again with ESCALATE_DEBUG=1 for the full traceback, and report it\n"
    )


HELP = """\
An escalation coach for account, customer success and partner managers.

\b
  escalate assess     before a tough call: should you escalate now, later, or not at all?
  escalate brief      walk the six-step framework; draft the manager brief and customer message
  escalate playbook   check or show the playbook the coach follows

Every command runs without a terminal too: give answers with --answers FILE (YAML or
JSON, `-` for standard input) and add --no-input. Exit codes: 0 ok, 1 unexpected
failure, 2 bad input, 130 interrupted.
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


def load_playbook(path: Path | None, *, check_templates: bool = False) -> Playbook:
    from escalate_cli import playbook

    return playbook.load(playbook.locate(path), check_templates=check_templates)


def terminal_prompter(no_input: bool, answers_from_stdin: bool) -> QuestionaryPrompter | None:
    """A prompter when a person is at a terminal and may be asked, else None."""
    if no_input or answers_from_stdin or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    from escalate_cli.prompts import QuestionaryPrompter

    return QuestionaryPrompter()


def gather_answers(
    book: Playbook, command: str, answers_file: str | None, resume: bool, home: Path | None
) -> dict[str, Any]:
    """Prefilled answers: the kept draft (with --resume), then the answers file over it."""
    from escalate_cli import answers, safe_yaml
    from escalate_cli.files import Drafts, home_dir

    questions = list(book.all_questions())
    prefill: dict[str, Any] = {}
    if resume:
        draft = Drafts(home_dir(home)).load(command)
        prefill.update(answers.check(safe_yaml.Located("the draft", draft), questions))
    if answers_file:
        prefill.update(answers.check(answers.read(answers_file), questions))
    return prefill


def emit(text: str, output: Path | None, force: bool) -> None:
    """The result to stdout, or atomically to --output."""
    if output is None:
        sys.stdout.write(text)
        return
    from escalate_cli.files import write_atomic

    write_atomic(output, text, force=force, mode=0o644)
    sys.stderr.write(f"escalate: wrote {output}\n")


@app.command()
def assess(
    answers_file: AnswersOpt = None,
    no_input: NoInputOpt = False,
    resume: ResumeOpt = False,
    fmt: FormatOpt = Format.terminal,
    output: OutputOpt = None,
    force: ForceOpt = False,
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

    book = load_playbook(playbook)
    prefill = gather_answers(book, "assess", answers_file, resume, home)
    prompter = terminal_prompter(no_input, answers_file == "-")
    drafts = Drafts(home_dir(home)) if prompter else None
    given = interview.run(
        book.asked("assess"),
        prefill,
        prompter,
        keep=lambda typed: drafts.save("assess", typed) if drafts else None,
        command="assess",
    )
    result = run_assessment(book, given)
    if drafts:
        drafts.clear("assess")
    write_assessment(result, book.name, fmt, output, force)
    offer = fmt is Format.terminal and output is None and result.escalating and book.brief
    if prompter and drafts and offer:
        from escalate_cli.interview import ask_once

        if ask_once(prompter, "Draft the manager brief and customer message now?", "assess"):
            book = load_playbook(playbook, check_templates=True)
            run_brief(book, given, prompter, drafts, BriefFormat.terminal, None, False)


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

    book = load_playbook(playbook, check_templates=True)
    if not book.brief:
        raise EscalateError(
            "this playbook has no `brief` interview", "use the bundled playbook or add one"
        )
    prefill = gather_answers(book, "brief", answers_file, resume, home)
    prompter = terminal_prompter(no_input, answers_file == "-")
    drafts = Drafts(home_dir(home)) if prompter else None
    run_brief(book, prefill, prompter, drafts, fmt, output, force)


def run_brief(
    book: Playbook,
    prefill: dict[str, Any],
    prompter: QuestionaryPrompter | None,
    drafts: Any,
    fmt: BriefFormat,
    output: Path | None,
    force: bool,
) -> None:
    """The brief interview, the warnings, then the drafts in the chosen format."""
    from escalate_cli import interview, report
    from escalate_cli.brief import draft

    given = interview.run(
        book.asked("brief"),
        prefill,
        prompter,
        keep=lambda typed: drafts.save("brief", typed) if drafts else None,
        command="brief",
    )
    result = draft(book, given)
    if drafts:
        drafts.clear("brief")
    if fmt is BriefFormat.json:
        emit(report.to_json(report.brief_data(result)), output, force)
    elif fmt is BriefFormat.markdown:
        emit(report.brief_markdown(result), output, force)
    elif fmt is BriefFormat.text or output is not None:
        emit(report.brief_text(result), output, force)
    else:
        from escalate_cli import present

        present.show(present.brief_view(result))


@playbook_app.command("validate")
def playbook_validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="Playbook to check. Default: the one commands would use."),
    ] = None,
    playbook: PlaybookOpt = None,
) -> None:
    """Check a playbook: YAML, fields, types, ids, rule references. Exit 2 if wrong."""
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
    fmt: FormatOpt = Format.terminal,
    playbook: PlaybookOpt = None,
) -> None:
    """Show the playbook in use: where it is, and every question id with its hint.

    The ids are what answers files use. Start your own playbook with:

    \b
      escalate playbook show --raw > my-playbook.yaml
    """
    from escalate_cli import playbook as pb

    where = pb.locate(playbook)
    if raw:
        from escalate_cli.safe_yaml import read_text

        sys.stdout.write(read_text(where, "playbook"))
        return
    book = pb.load(where)
    from escalate_cli import report

    if fmt is Format.json:
        sys.stdout.write(report.to_json(report.playbook_data(book, str(where))))
    else:
        sys.stdout.write(report.playbook_markdown(book, str(where)))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="escalate")
