"""`escalate drafts`: the interviews kept to resume, one per command and customer."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from escalate_cli.commands.common import refuse_list_options, say
from escalate_cli.options import Format, HomeOpt, ListFormatOpt

drafts_app = typer.Typer(rich_markup_mode=None)


class Interview(str, Enum):
    assess = "assess"
    brief = "brief"


@drafts_app.callback(invoke_without_command=True)
def drafts(ctx: typer.Context, fmt: ListFormatOpt = Format.terminal, home: HomeOpt = None) -> None:
    """The drafts interrupted interviews kept, newest first, and how to continue each.

    One draft per command and customer (or partner): starting `assess` or `brief` about a
    customer who has one asks whether to resume it.

    Examples:

    \b
      escalate drafts
      escalate drafts --format json
      escalate drafts remove brief "Acme Corp"
    """
    if ctx.invoked_subcommand:
        refuse_list_options(ctx, "the list of drafts", "drafts")
        return
    from escalate_cli import report
    from escalate_cli.files import Drafts, home_dir

    found, broken = Drafts(home_dir(home)).all()
    for path in broken:
        say(f"{path}: cannot be read as a draft; delete it if you do not need it")
    if fmt is Format.json:
        sys.stdout.write(report.to_json([report.draft_data(d) for d in found]))
    elif fmt is Format.markdown:
        sys.stdout.write(report.drafts_markdown(found))
    else:
        from escalate_cli import present

        present.show(present.drafts_view(found))


@drafts_app.command("remove")
def drafts_remove(
    command: Annotated[
        Interview, typer.Argument(metavar="COMMAND", help="The interview: assess or brief.")
    ],
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The customer or partner the draft is about; leave out for one not named yet.",
            show_default=False,
        ),
    ] = "",
    home: HomeOpt = None,
) -> None:
    """Delete a kept draft.

    Examples:

    \b
      escalate drafts remove brief "Acme Corp"
      escalate drafts remove assess
    """
    from escalate_cli.errors import NotFoundError
    from escalate_cli.files import Drafts, home_dir

    drafts = Drafts(home_dir(home))
    path = drafts.path(command.value, name)
    try:
        path.unlink()
    except FileNotFoundError:
        whose = f" about {name}" if name.strip() else " not named yet"
        raise NotFoundError(
            f"no `{command.value}` draft{whose}", "`escalate drafts` lists the drafts kept"
        ) from None
    say(f"removed the `{command.value}` draft{f' about {name}' if name.strip() else ''}")
