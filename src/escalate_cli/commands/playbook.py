"""`escalate playbook validate|show`: check the playbook, or show the one in use."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from escalate_cli.commands.common import emit
from escalate_cli.options import DocFormat, PlaybookOpt
from escalate_cli.textsafe import plural

playbook_app = typer.Typer(
    help="Check or show the playbook: questions, rules and templates as YAML. Commands use "
    "--playbook PATH, else ESCALATE_PLAYBOOK, else playbook.yaml in your config folder, "
    "else the bundled one.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@playbook_app.command("validate")
def playbook_validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE", help="Playbook to check. Default: the one commands would use."
        ),
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
    templates = len(book.drafts())
    counts = [
        plural(len(questions), "question"),
        plural(len(book.rules), "rule"),
        plural(len(book.scenarios), "scenario"),
        plural(len(book.gotchas), "gotcha"),
        plural(templates, "template"),
        plural(len(book.lint.rules), "lint rule"),
    ]
    if book.lint.model:  # checked here too, so a broken model is found before a draft is
        from escalate_cli import classify

        model = classify.load(Path(book.lint.model), [rule.id for rule in book.lint.rules])
        counts.append(f"a lint model ({plural(len(model.names), 'feature')})")
    sys.stdout.write(f"ok: {where}: {book.name}: {', '.join(counts)}\n")


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

        emit(read_text(where, "playbook"), None, False)  # not yet validated: made visible
        return
    book = pb.load(where)
    from escalate_cli import report

    if fmt is DocFormat.json:
        sys.stdout.write(report.to_json(report.playbook_data(book, str(where))))
    else:
        emit(report.playbook_markdown(book, str(where)), None, False)
