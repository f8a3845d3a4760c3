"""`escalate brief`: the six-step interview, then the drafts, checked by the message coach."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalate_cli.commands import common
from escalate_cli.commands.common import (
    emit,
    gather_answers,
    load_playbook,
    open_store,
    refuse_existing_output,
    say,
    show_before_you_talk,
    store_partner,
    terminal_prompter,
)
from escalate_cli.errors import EscalateError
from escalate_cli.options import (
    AnswersOpt,
    BriefFormat,
    ForceOpt,
    HomeOpt,
    NoInputOpt,
    OutputOpt,
    PartnerOpt,
    PlaybookOpt,
    ResumeOpt,
)
from escalate_cli.textsafe import plural

if TYPE_CHECKING:
    from escalate_cli.interview import DraftSlot
    from escalate_cli.playbook import Playbook
    from escalate_cli.prompts import QuestionaryPrompter


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
    book = load_playbook(playbook, home, check_templates=True)
    if not book.brief:
        raise EscalateError(
            "this playbook has no `brief` interview", "use the bundled playbook or add one"
        )
    refuse_existing_output(output, force)
    prompter = terminal_prompter(no_input, answers_file == "-", book.lint.cushion_days)
    prefill, unfinished, partner, slot = gather_answers(
        book, "brief", answers_file, resume, partner, prompter, home
    )
    if partner:
        show_before_you_talk(partner, home, book)
    run_brief(book, prefill, prompter, slot, fmt, output, force, home, unfinished, partner)


def run_brief(
    book: Playbook,
    prefill: dict[str, Any],
    prompter: QuestionaryPrompter | None,
    slot: DraftSlot | None,
    fmt: BriefFormat,
    output: Path | None,
    force: bool,
    home: Path | None,
    unfinished: dict[str, Any] | None = None,
    partner: str | None = None,
) -> None:
    """The brief interview, the warnings, then the drafts in the chosen format. The
    partner is the slot's (a resumed draft may have named it), else `partner`."""
    from escalate_cli import interview, report
    from escalate_cli.brief import draft

    given = interview.run(book.asked("brief"), prefill, prompter, slot, unfinished)
    partner = slot.partner if slot else partner
    triggers: tuple[str, ...] = ()
    if partner:
        with open_store(home) as store:
            if store_partner(store, partner):
                triggers = tuple(note.text for note in store.notes(partner, "trigger"))
    with common.message_coach(book, home):
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
        record_brief(partner, given, home, book)
        kept = plural(len(given.get("commitments") or []), "commitment")
        say(f"the brief is now in {partner}'s history, with {kept}")
    if slot:
        slot.clear()


def record_brief(partner: str, given: dict[str, Any], home: Path | None, book: Playbook) -> None:
    """The brief joins the partner's history (the root cause, why, the ask, and the signs
    and triggers of an assessment it followed) with each commitment, in one transaction:
    all of it or none."""
    from escalate_cli.assess import applicable, in_words

    reasons = [
        f"{label}: {given[key]}"
        for label, key in (("they wanted", "customer_wants"), ("not resolved", "why_unresolved"))
        if given.get(key)
    ]
    escalation = {
        "date": common.today().isoformat(),
        "kind": "brief",
        "reasons": reasons,
        "issue": str(given.get("issue") or ""),
        "ask": str(given.get("ask") or ""),
        **in_words(book, applicable(book, given)),
    }
    commitments = [{**item, "source": "brief"} for item in given.get("commitments") or []]
    with open_store(home) as store:
        store.import_records(partner, [], [escalation], commitments)
