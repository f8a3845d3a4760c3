"""`escalate handover` and `escalate import`: a relationship changes hands, and is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from escalate_cli.commands.common import (
    emit,
    load_playbook,
    open_store,
    refuse_existing_output,
    resolve_partner,
    say,
    terminal_prompter,
)
from escalate_cli.options import (
    DocFormat,
    ForceOpt,
    HomeOpt,
    NewOpt,
    NoInputOpt,
    OutputOpt,
    PlaybookOpt,
)

if TYPE_CHECKING:
    from escalate_cli.store import MemoryStore


def handover(
    partner: Annotated[
        str, typer.Argument(metavar="PARTNER", help="The partner whose relationship changes hands.")
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="NAME", help="The new owner (signs the introduction)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="NAME",
            help="Who hands over (named in the document). Default: your profile's name.",
        ),
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

    Who hands over (--from) to whom (--to), a summary, the escalations that happened
    (signs, triggers, verdict, every outcome; an assessment and the brief that followed it
    are one entry) and, separately, the assessments that were only advice, trigger words
    and actions, communication expectations, roles, agreements and decisions with links,
    open commitments, lessons, the playbook's advice on working with the partner, and a
    draft introduction from the new owner that confirms the recorded channel and cadence.
    Missing essentials are flagged at the top. The JSON form is what `escalate import`
    reads in the new owner's store; importing a later export updates it in place.

    Examples:

    \b
      escalate handover Acme --from "Dana Smith" --to "Jordan Lee" -o acme-handover.md
      escalate handover Acme --format json -o acme.json   # then: escalate import acme.json
    """
    from escalate_cli import handover as ho
    from escalate_cli import profile

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
            by if by is not None else profile.load().get("name", ""),
            store.aliases(found.name),
        )
    text = ho.dumps(doc) if fmt is DocFormat.json else ho.to_markdown(doc)
    emit(text, output, force)


def import_handover(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A handover JSON from `escalate handover -f json`."),
    ],
    new: NewOpt = False,
    no_input: NoInputOpt = False,
    home: HomeOpt = None,
) -> None:
    """Load a handover into your store, all or nothing. Records are matched by their stable
    ids: importing a later export of the same partner updates outcomes and commitment
    states in place, adds what is new and never doubles anything. The partner's aliases
    come too, except one that already means another of your partners or one taken away
    from this partner here (`partners alias --remove`). The file is read as
    it is imported, so its size is not limited by memory; a malformed record stops the
    import at its line, with nothing changed.

    Examples:

    \b
      escalate import acme-handover.json
    """
    from escalate_cli import handover as ho

    source = ho.ImportFile(file)
    with open_store(home) as store:
        staged = store.stage_import(source.records())
        prompter = terminal_prompter(no_input, False)
        name = resolve_partner(store, source.partner, new, prompter)
        assert name is not None  # no way to decline was offered
        counts = store.import_staged(name, staged, new=True)  # the name was resolved above
        theirs = _aliases_of_others(store, name, staged.aliases)
        removed = _aliases_removed(store, name, staged.aliases)
    say(f"imported {name}:")
    for kind, c in counts.items():
        say(f"  {kind}: {c.added} added, {c.updated} updated, {c.unchanged} unchanged", "")
    for alias, other in theirs:
        say(
            f"{alias!r} already means {other}, so it was not made an alias of {name}; if they "
            f"are one partner: escalate partners merge {other!r} {name!r}"
        )
    for alias, day in removed:
        say(
            f"{alias!r} was left out: it was taken away as an alias of {name} on {day}; to "
            f"give it back: escalate partners alias {name!r} {alias!r}"
        )


def _aliases_removed(store: MemoryStore, name: str, aliases: list[str]) -> list[tuple[str, str]]:
    """(alias, day) for each imported alias that was taken away from `name` here: an
    export made before it went still lists it, and the import leaves it out."""
    from escalate_cli.identity import name_key

    removed = store.removed_aliases(name)
    return [(alias, removed[name_key(alias)]) for alias in aliases if name_key(alias) in removed]


def _aliases_of_others(store: MemoryStore, name: str, aliases: list[str]) -> list[tuple[str, str]]:
    """(alias, partner) for each imported alias that means another partner in this store:
    the import left it with them, and the user should know why it does not find `name`."""
    mine = store.find_partner(name).id
    found = ((alias, store.match_partner(alias).exact) for alias in aliases)
    return [(alias, other.partner) for alias, other in found if other and other.partner_id != mine]
