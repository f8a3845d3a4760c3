"""The `escalate` command line: the app, errors to exit codes, and the commands it holds.

Each command's workflow lives in its own module under `commands/`; this module only
registers them. Only typer and the standard library are imported at module level, here
and in the command modules, so that `--help` is quick; each command imports what it
needs (pydantic, questionary, rich, sqlite) when run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from escalate_cli import __version__
from escalate_cli.commands import assess, brief, coach, handover, memory, playbook
from escalate_cli.commands.common import say
from escalate_cli.errors import EscalateError, InterruptedByUser


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

# registered in the order `escalate --help` lists them: commands first, then groups
app.command()(assess.assess)
app.command()(brief.brief)
app.command()(memory.partners)
app.command()(handover.handover)
app.command()(memory.outcome)
app.command("import")(handover.import_handover)
app.command("lint")(coach.lint_command)
app.add_typer(playbook.playbook_app, name="playbook")
app.add_typer(memory.notes_app, name="notes")
app.add_typer(coach.follow_app, name="follow-up")


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


def main() -> None:
    """Console-script entry point."""
    app(prog_name="escalate")
