"""The options and formats several commands share, so each command module can use them
without importing the app (typer and the standard library only: `--help` stays quick)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

MAX_ID = 2**63 - 1  # SQLite's largest row id


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
        metavar="FILE",
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
        metavar="DIR",
        help="Folder for drafts and stored data. Default: the platform's user data dir.",
        show_default=False,
    ),
]


def _one_answers_file(files: list[str] | None) -> list[str] | None:
    """Refuse a second --answers: click would keep only the last one, silently, and
    merging would hide which file an answer came from."""
    if files and len(files) > 1:
        from escalate_cli.errors import EscalateError

        raise EscalateError(
            f"--answers is given more than once ({', '.join(files)}); nothing was done",
            "give --answers once: put all the answers in one file (one file can serve "
            "both assess and brief)",
        )
    return files


AnswersOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--answers",
        "-a",
        metavar="FILE",
        help="YAML or JSON mapping of question id to answer (`-` reads standard input; "
        "a .json file is read as JSON). Given once; given answers are not asked again.",
        show_default=False,
        callback=_one_answers_file,
    ),
]


NoInputOpt = Annotated[
    bool,
    typer.Option("--no-input", help="Never prompt; a missing answer is an error (exit 2)."),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


ResumeOpt = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Continue the draft an interrupted run kept (with --partner NAME: that "
        "customer's; `escalate drafts` lists them).",
    ),
]


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="terminal (default), markdown, or json on stdout."),
]


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the result to this file (atomically).",
        show_default=False,
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


def _at_least_one(value: int | None) -> int | None:
    """--limit: 1 or more; past SQLite's largest integer it is no limit at all."""
    if value is not None and value < 1:
        raise typer.BadParameter("must be at least 1")
    return None if value is None else min(value, MAX_ID)


LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        metavar="N",
        callback=_at_least_one,
        help="Show at most N: the most recent (for a search, the best matches; for follow-up, the "
        "soonest due).",
        show_default=False,
    ),
]


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        help="Only notes dated DATE or later (2026-11-01, today...).",
        show_default=False,
    ),
]


NewOpt = Annotated[
    bool,
    typer.Option(
        "--new",
        help="Start a new partner even when the name is close to a known one (no typo).",
    ),
]
