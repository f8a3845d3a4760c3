"""`escalate handover` and `escalate import`: a relationship changes hands, and is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from escalate_cli.commands.common import (
    emit,
    load_playbook,
    open_store,
    refuse_existing_output,
    say,
)
from escalate_cli.options import DocFormat, ForceOpt, HomeOpt, OutputOpt, PlaybookOpt
from escalate_cli.textsafe import plural


def handover(
    partner: Annotated[
        str, typer.Argument(metavar="PARTNER", help="The partner whose relationship changes hands.")
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="NAME", help="The new owner (signs the introduction)."),
    ] = None,
    fmt: Annotated[
        DocFormat, typer.Option("--format", "-f", help="markdown (default) or json.")
    ] = DocFormat.markdown,
    output: OutputOpt = None,
    force: ForceOpt = False,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Everything the next owner of a relationship must know, in one document.

    Summary, the escalations that happened (signs, triggers, verdict, outcome) and,
    separately, the assessments that were only advice, trigger words and actions,
    communication expectations, roles, agreements and decisions with links, open
    commitments, lessons, the playbook's advice on working with the partner, and a draft
    introduction from the new owner. Missing essentials are flagged at the top.
    The JSON form is what `escalate import` reads in the new owner's store.

    Examples:

    \b
      escalate handover Acme --to "Jordan Lee" -o acme-handover.md
      escalate handover Acme --format json -o acme.json   # then: escalate import acme.json
    """
    from escalate_cli import handover as ho

    refuse_existing_output(output, force)  # before anything is read or cached
    guidance = tuple((g.title, g.text) for g in load_playbook(playbook, home).relationship)
    with open_store(home) as store:
        found = store.find_partner(partner)
        doc = ho.assemble(
            found.name,
            store.notes(found.name),
            store.escalations(found.name),
            store.commitments(found.name, open_only=False),
            to or "",
            dt.datetime.now(dt.timezone.utc),
            guidance,
        )
    text = ho.dumps(doc) if fmt is DocFormat.json else ho.to_markdown(doc)
    emit(text, output, force)


def import_handover(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A handover JSON from `escalate handover -f json`."),
    ],
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
    counts = ", ".join(
        plural(added[kind], kind[:-1]) for kind in ("notes", "escalations", "commitments")
    )
    say(f"imported {data['partner']}: {counts} new")
