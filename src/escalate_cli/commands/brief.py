"""`escalate brief`: the six-step interview, then the drafts, checked by the message coach."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalate_cli.commands import common
from escalate_cli.commands.common import (
    commitments,
    file_under,
    gather_answers,
    load_playbook,
    open_store,
    refuse_existing_output,
    resolve_partner,
    say,
    show_before_you_talk,
    terminal_prompter,
    write_brief,
)
from escalate_cli.errors import EscalateError, OutputError
from escalate_cli.options import (
    AnswersOpt,
    BriefFormat,
    ForceOpt,
    HomeOpt,
    NewOpt,
    NoInputOpt,
    OutputOpt,
    PartnerOpt,
    PlaybookOpt,
    ResumeOpt,
)
from escalate_cli.textsafe import plural

if TYPE_CHECKING:
    from escalate_cli.brief import Brief
    from escalate_cli.interview import DraftSlot
    from escalate_cli.playbook import Playbook
    from escalate_cli.prompts import QuestionaryPrompter
    from escalate_cli.store import Commitment, MemoryStore


def brief(
    answers_files: AnswersOpt = None,
    no_input: NoInputOpt = False,
    resume: ResumeOpt = False,
    fmt: Annotated[
        BriefFormat,
        typer.Option(
            "--format", "-f", help="terminal (default), markdown, text, or json on stdout."
        ),
    ] = BriefFormat.terminal,
    output: OutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help="Also write each draft to its own text file in this folder, to paste into "
            "mail or chat.",
            show_default=False,
        ),
    ] = None,
    force: ForceOpt = False,
    partner: PartnerOpt = None,
    new: NewOpt = False,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Walk the six-step escalation framework and draft what to send.

    Asks what the drafts need, step by step (understand, prepare, escalate internally,
    escalate to the customer, execute, follow through), warns about the gotchas your
    answers run into, then drafts the manager brief, the customer message (and its short
    form for chat), the leadership call agenda and the follow-up plan, each checked by the
    message coach. Drafts are signed from your profile (`escalate config`); --partner
    fills in the customer. Long answers can be written in $EDITOR: type :e at the prompt.
    The brief, its drafts and its commitments are kept: under --partner, else under the
    customer you name (in a terminal you are asked), else in your local history
    (`escalate history`).

    Examples:

    \b
      escalate brief
      escalate brief --answers acme.yaml --no-input --format markdown -o acme-brief.md
      escalate brief --resume
      escalate brief --partner "Northwind Logistics" --output-dir drafts/
    """
    answers_file = answers_files[0] if answers_files else None  # once: AnswersOpt
    book = load_playbook(playbook, home, check_templates=True)
    if not book.brief:
        raise EscalateError(
            "this playbook has no `brief` interview", "use the bundled playbook or add one"
        )
    refuse_existing_output(output, force)
    for path in draft_paths(book, output_dir).values():
        refuse_existing_output(path, force)
    prompter = terminal_prompter(no_input, answers_file == "-", book.lint.cushion())
    if partner:  # a typo must not start a second partner
        with open_store(home) as store:
            partner = resolve_partner(store, partner, new, prompter)
    prefill, unfinished, partner, slot = gather_answers(
        book, "brief", answers_file, resume, partner, prompter, home
    )
    if partner:
        show_before_you_talk(partner, home, book)
    run_brief(
        book, prefill, prompter, slot, fmt, output, force, home, unfinished, partner, output_dir
    )


def draft_paths(book: "Playbook", folder: Path | None) -> dict[str, Path]:
    """Where --output-dir puts each draft: one plain-text file per draft, by its name."""
    if folder is None:
        return {}
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is not a folder", "give --output-dir a folder name")
    return {name: folder / f"{name.replace('_', '-')}.txt" for name in book.drafts()}


def write_drafts(drafted: dict[str, str], paths: dict[str, Path], force: bool) -> None:
    """Each draft to its own file, atomically; the folder is made when first needed."""
    from escalate_cli.files import write_atomic

    for name, path in paths.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{path.parent}: cannot make the folder: {exc.strerror}",
                "give --output-dir a folder you can write to",
            ) from None
        write_atomic(path, drafted[name], force=force, mode=None)
        say(f"wrote {path}")


def offer_to_save_name(prompter: "QuestionaryPrompter", saved: dict[str, str], name: str) -> None:
    """Asked once: with the name saved, the next brief signs without asking."""
    from escalate_cli import profile
    from escalate_cli.interview import ask_once

    if saved.get("name") or not name.strip():
        return
    question = f"Save {name.strip()!r} as your name, so drafts are signed without asking?"
    if ask_once(prompter, question, "your answers are kept as a draft to resume"):
        profile.set_value("name", name)
        say("saved; change it with `escalate config set name`")


def run_brief(
    book: "Playbook",
    prefill: dict[str, Any],
    prompter: "QuestionaryPrompter | None",
    slot: "DraftSlot | None",
    fmt: BriefFormat,
    output: Path | None,
    force: bool,
    home: Path | None,
    unfinished: dict[str, Any] | None = None,
    partner: str | None = None,
    output_dir: Path | None = None,
) -> None:
    """The brief interview, the warnings, then the drafts in the chosen format. The
    partner is the slot's (a resumed draft may have named it), else `partner`.

    Your profile and the partner fill in the answers they know; a name typed in a
    terminal without a profile is offered to be saved."""
    from escalate_cli import interview, profile, render
    from escalate_cli.brief import draft
    from escalate_cli.brief import prefill as from_profile
    from escalate_cli.files import home_dir

    me = profile.load()
    known = from_profile(prefill, me, slot.partner if slot else partner)
    given = interview.run(book.asked("brief"), known, prompter, slot, unfinished)
    partner = slot.partner if slot else partner
    named = partner or str(given.get("customer") or "")
    triggers: tuple[str, ...] = ()
    # one connection for the partner's trigger words and the record (opening the store
    # again cost about a millisecond); no transaction is held between the two
    with open_store(home) as store:
        recorded = store.match_partner(named).exact if named else None
        if recorded:
            triggers = tuple(note.text for note in store.notes(recorded.partner, "trigger"))
        typed_name = given.get("your_name") if "your_name" not in known else None
        if prompter is not None and isinstance(typed_name, str):
            offer_to_save_name(prompter, me, typed_name)
        render.prepare(book, home_dir(home) / "cache" / "templates")
        with common.message_coach(book, home):
            said_to = recorded.partner if recorded else ""  # as recorded, for the findings
            result = draft(book, given, triggers, said_to, me, common.today())
        write_drafts(result.drafts(), draft_paths(book, output_dir), force)
        write_brief(result, fmt, output, force)
        # only once the drafts are out: a failed run records nothing
        with interview.recording("brief", slot):
            record_brief(book, result, given, partner, prompter, store)
    if slot:
        slot.clear()


def record_brief(
    book: "Playbook",
    result: "Brief",
    given: dict[str, Any],
    partner: str | None,
    prompter: "QuestionaryPrompter | None",
    store: "MemoryStore",
) -> None:
    """The brief joins the history (the root cause, why, the ask, the drafts, and the signs
    and triggers of an assessment it followed) with each commitment, in one transaction:
    all of it or none. Without a partner it is filed under the customer named in the
    interview, or kept in the local history."""
    from escalate_cli import report
    from escalate_cli.assess import applicable, in_words

    reasons = [
        f"{label}: {given[key]}"
        for label, key in (("they wanted", "customer_wants"), ("not resolved", "why_unresolved"))
        if given.get(key)
    ]
    customer = str(given.get("customer") or "")
    promised = commitments(
        given.get("commitments") or [], book.lint.cushion(), str(given.get("your_name") or "")
    )
    words = in_words(book, applicable(book, given))
    if partner is None:
        partner = file_under(store, customer, prompter, "brief", confirm=True)
    before = open_commitments(store, partner)
    entry = store.record_escalation(
        partner,
        date=common.today().isoformat(),
        kind="brief",
        reasons=reasons,
        issue=str(given.get("issue") or ""),
        ask=str(given.get("ask") or ""),
        customer=customer,
        drafts=report.brief_data(result),
        commitments=promised,
        signals=words["signals"],
        triggers=words["triggers"],
        new=True,  # the name was resolved above
    )
    where = f"{partner}'s history" if partner else "your local history"
    say(
        f"the brief is now #{entry.id} in {where}, with {plural(len(promised), 'commitment')} "
        "(`escalate follow-up` tracks them)"
    )
    for old, due in redated(before, promised):
        say(
            f"{old.what!r} ({old.owner or 'no owner'}) was already open, due "
            f"{old.due or 'with no date'} (#{old.id}), and this brief gives it {due or 'no date'}: "
            f"if the new date replaces it, `escalate follow-up remove {old.id}`"
        )


def open_commitments(store: "MemoryStore", partner: str | None) -> list["Commitment"]:
    """The open commitments kept for `partner` (or in the local history) before a brief."""
    from escalate_cli.errors import NotFoundError

    try:
        found = store.commitments(partner)
    except NotFoundError:  # a partner this brief is the first record of
        return []
    return found if partner else [item for item in found if not item.partner]


def redated(
    before: list["Commitment"], promised: list[dict[str, Any]]
) -> list[tuple["Commitment", str]]:
    """The open commitments a brief promises again (the same words and owner) with another
    due date, each with the new date: both are kept, since both were promised, and the user
    decides which stands (a brief run again with a corrected date, most often)."""

    from escalate_cli.identity import clean_name

    def key(what: Any, owner: Any) -> tuple[str, str]:
        return clean_name(str(what)).casefold(), clean_name(str(owner)).casefold()

    given = {
        key(item.get("what"), item.get("owner")): str(item.get("due") or "") for item in promised
    }
    return [
        (old, due)
        for old in before
        if (due := given.get(key(old.what, old.owner), old.due)) != old.due
    ]
