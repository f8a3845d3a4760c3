"""The `escalate` command line: the app, errors to exit codes, and the commands it holds.

Each command's workflow lives in its own module under `commands/`; this module only
lists them (COMMANDS) and builds the one being run. Only typer and the standard library
are imported at module level, here and in the command modules, so that `--help` is
quick; each command imports what it needs (pydantic, questionary, rich, sqlite) when run.
"""

# Annotations are evaluated where they are written (no `from __future__ import annotations`),
# here and in the command modules on the quick paths (assess, brief): typer reads each
# command's signature on every run, and hints kept as strings are compiled first.

import errno
import gc
import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

# The cyclic garbage collector, at its default (a pass every 700 new container objects),
# runs dozens of times while a command imports typer, Jinja and the store and builds its
# records, and finds next to nothing to free (brief json: 477 objects in 71 passes after
# typer's import): nearly all of it lives until the process ends. A quick command makes
# about 50,000 such objects, so with a pass every 100,000 it makes none (brief json: 626
# to 602 million instructions, about 10 ms of 150). Memory stays bounded: what is not in
# a cycle is freed at once as before, and a pass still comes after 100,000 objects that
# live on (a few MB); the older generations keep their thresholds.
gc.set_threshold(100_000, *gc.get_threshold()[1:])

# (so these imports come after it)
import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from escalate_cli import __version__  # noqa: E402
from escalate_cli.commands.common import STORE_CHOICE, say  # noqa: E402
from escalate_cli.errors import EscalateError, InterruptedByUser, OutputError  # noqa: E402

# Every command, in the order `escalate --help` lists them (commands, then groups). To add
# one, add one line:
#     "name": ("module:attribute", "The line `escalate --help` shows for it."),
# `module` is under escalate_cli/commands/; `attribute` is a command function or a
# typer.Typer (a group of subcommands). The line is the command's short help: the listing
# shows it without importing the module. Only the command being run is imported and
# built; tests/test_cli_registry.py checks that every entry builds.
COMMANDS: dict[str, tuple[str, str]] = {
    "assess": ("assess:assess", "Before a tough call: escalate now, later, or not at all?"),
    "brief": ("brief:brief", "The six-step framework; drafts the manager brief and message."),
    "handover": ("handover:handover", "Everything the next owner of a relationship must know."),
    "import": (
        "handover:import_handover",
        "Load a handover (from `handover -f json`) into your store.",
    ),
    "outcome": ("memory:outcome", "Record how a partner's escalation ended; every outcome kept."),
    "partners": (
        "memory:partners_app",
        "The partners you have history with; rename, merge, remove, alias.",
    ),
    "history": (
        "memory:history_app",
        "Past assessments and briefs, newest first; a brief's drafts again.",
    ),
    "lint": ("coach:lint_command", "Check a draft for trigger words, blame and over-promising."),
    "notes": (
        "memory:notes_app",
        "Partner memory: triggers, escalations, expectations, agreements.",
    ),
    "drafts": ("drafts:drafts_app", "Interrupted interviews kept to resume, one per customer."),
    "follow-up": (
        "coach:follow_app",
        "The commitments you made, soonest first; calendar reminders.",
    ),
    "playbook": ("playbook:playbook_app", "Check or show the playbook the coach follows."),
    "config": ("config:config_app", "Who signs the drafts: your name, title, signature, manager."),
    "db": ("db:db_app", "A team's shared PostgreSQL database: init, status, push."),
    "team": ("team:team_app", "Who is in which team of a team database (escalate_admin role)."),
}


def build_command(name: str) -> Any:
    """The click command for one COMMANDS entry, built as `app.command()` would build it."""
    target, short_help = COMMANDS[name]
    module_name, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(f"escalate_cli.commands.{module_name}"), attribute)
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    if isinstance(command, typer.Typer):
        holder.add_typer(command, name=name, short_help=short_help)
    else:
        holder.command(name, short_help=short_help)(command)
    return typer.main.get_group(holder).commands[name]


class LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: every name in COMMANDS, each built on first lookup, so a
    run builds (and imports) only the command it runs; click's lookups, listing and
    "did you mean" suggestions all see the full set."""

    def __init__(self) -> None:
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            if name not in COMMANDS:
                raise KeyError(name)
            self.built[name] = build_command(name)
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("commands are removed from COMMANDS, not at run time")

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self.built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self.built))


class EscalateGroup(TyperGroup):
    """Builds commands on demand, and turns the tool's errors into a message and an exit
    code, never a traceback."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands()

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list as click writes it, from COMMANDS: building none."""
        rows = [(name, short_help) for name, (_, short_help) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; click's own errors (an unknown option, a missing argument, a value
        not among the choices) come out in the tool's words too, with exit 2."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.Abort:
            say("interrupted")
            sys.exit(130)
        except Exception as exc:
            if not hasattr(exc, "format_message"):  # not one of click's: invoke() had it
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help
                exc.show()  # type: ignore[attr-defined]
                sys.exit(2)
            report_usage_error(exc)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk shows here, while we can still say so
            return result
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
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                report_bug(exc)
                raise typer.Exit(1) from None
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            report_error(
                OutputError(
                    f"cannot write the output: {exc.strerror}",
                    "free some space, or send the output somewhere else",
                )
            )
            raise typer.Exit(2) from None
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


def report_usage_error(exc: Any) -> None:
    """click's message, as a sentence of ours, with the command's usage as the hint."""
    message = exc.format_message().strip().rstrip(".")
    ctx = getattr(exc, "ctx", None)
    hint = None
    if ctx is not None:
        usage = ctx.get_usage().removeprefix("Usage: ")
        hint = _option_of_a_command(ctx, getattr(exc, "option_name", None)) or (
            f"usage: {usage}; `{ctx.command_path} --help` explains"
        )
    report_error(EscalateError(message[:1].lower() + message[1:], hint))


def _option_of_a_command(ctx: Any, option: str | None) -> str | None:
    """Where an option given before the command belongs: `escalate --playbook F brief`
    fails on `--playbook`, which is `brief`'s and goes after it."""
    group = ctx.command
    if not option or not hasattr(group, "list_commands"):
        return None
    owners = [
        name
        for name in group.list_commands(ctx)
        if (command := group.get_command(ctx, name)) is not None
        and any(option in param.opts for param in command.params)
    ]
    if not owners:
        return None
    typed = [word for word in sys.argv[1:] if word in owners]  # the command meant, if given
    example = typed[0] if typed else owners[0]
    named = ", ".join(f"`{name}`" for name in owners[:4]) + (", …" if len(owners) > 4 else "")
    return (
        f"{option} is an option of {named}: put it after the command, "
        f"e.g. `{ctx.command_path} {example} {option} …`"
    )


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

Every command runs without a terminal too: give answers with --answers FILE (YAML or
JSON, `-` for standard input) and add --no-input. Exit codes: 0 ok, 1 unexpected
failure (for `lint`: findings), 2 bad input, 130 interrupted. `escalate COMMAND --help`
shows a command's options and examples.

Partner memory is local unless --database (or ESCALATE_DATABASE_URL), given before the
command, names a team's PostgreSQL database: escalate --database URL notes list Acme
"""


app = typer.Typer(
    name="escalate",
    help=HELP,
    cls=EscalateGroup,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=True,  # costs no import: typer's completion code loads with typer
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


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
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            envvar="ESCALATE_DATABASE_URL",
            metavar="URL",
            help="A team's PostgreSQL database (postgresql://USER@HOST/DB or a libpq service "
            "name; never a password). Default: the local store.",
            show_default=False,
        ),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            envvar="ESCALATE_TEAM",
            metavar="TEAM",
            help="With --database: which of your teams a new partner joins; the others are "
            "left out of view. Default: your only team.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """An escalation coach."""
    STORE_CHOICE.update(database=database, team=team)


def main() -> None:
    """Run the command line; exits (SystemExit) with the command's code."""
    for arg in sys.argv[1:]:
        if not arg.isascii():
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8, kept as surrogates
                report_error(
                    EscalateError(
                        "an argument is not valid UTF-8 text; nothing was done",
                        "check your terminal's or script's encoding is UTF-8",
                    )
                )
                raise SystemExit(2) from None
    app(prog_name="escalate")


def run() -> None:
    """Console-script entry point: `main`, and after a successful run, once the output is
    flushed, the process ends at once. The interpreter's shutdown (tearing down every
    imported module, a last garbage collection) costs a tenth of a quick command's time
    and does nothing for us: every file and the store are closed by the command itself
    (with-blocks) before this point. A failure takes the ordinary way out, with its code."""
    try:
        main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # the ordinary shutdown reports it (a closed pipe, a full disk)
    os._exit(0)
