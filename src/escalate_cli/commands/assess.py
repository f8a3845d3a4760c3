"""`escalate assess`: the checklist and the signs, then a verdict with the rule behind it."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalate_cli.commands import common
from escalate_cli.commands.common import (
    draft_slot,
    emit,
    file_under,
    gather_answers,
    load_playbook,
    open_store,
    refuse_existing_output,
    resolve_partner,
    say,
    show_before_you_talk,
    terminal_prompter,
)
from escalate_cli.options import (
    AnswersOpt,
    BriefFormat,
    ForceOpt,
    Format,
    FormatOpt,
    HomeOpt,
    NewOpt,
    NoInputOpt,
    OutputOpt,
    PartnerOpt,
    PlaybookOpt,
    ResumeOpt,
)

if TYPE_CHECKING:
    from escalate_cli.assess import Assessment
    from escalate_cli.prompts import QuestionaryPrompter


def assess(
    answers_files: AnswersOpt = None,
    no_input: NoInputOpt = False,
    resume: ResumeOpt = False,
    fmt: FormatOpt = Format.terminal,
    output: OutputOpt = None,
    force: ForceOpt = False,
    partner: PartnerOpt = None,
    new: NewOpt = False,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Before a tough call: should you escalate now, later, or not at all?

    Walks the pre-escalation checklist, the signs for and against escalating, timing and
    the usual triggers, then gives a verdict, the rule behind it, what to do first and
    what is still missing. Answers that contradict each other are named, and in a
    terminal you can answer them again before the verdict. The result is kept: under
    --partner, else under the customer (a `customer` answer, or asked in a terminal),
    else in your local history (`escalate history`).

    Examples:

    \b
      escalate assess

      escalate assess --answers call.yaml --no-input --format json

      echo 'cancel_threat: yes' | escalate assess --answers - --no-input
    """
    from escalate_cli import interview
    from escalate_cli.assess import assess as run_assessment

    answers_file = answers_files[0] if answers_files else None  # once: AnswersOpt
    book = load_playbook(playbook, home)
    refuse_existing_output(output, force)
    prompter = terminal_prompter(no_input, answers_file == "-", book.lint.cushion())
    if partner:  # a typo must not start a second partner
        with open_store(home) as store:
            partner = resolve_partner(store, partner, new, prompter)
    prefill, unfinished, partner, slot = gather_answers(
        book, "assess", answers_file, resume, partner, prompter, home
    )
    if partner:
        show_before_you_talk(partner, home, book)
    given = interview.run(book.asked("assess"), prefill, prompter, slot, unfinished)
    result = run_assessment(book, given)
    if prompter and result.conflicts and result.verdict != "escalate_now":
        given = interview.look_again(book, result, given, prompter, slot)
        result = run_assessment(book, given)
    write_assessment(result, book.name, fmt, output, force)
    # only once the result is out: a failed run records nothing
    with interview.recording("assessment", slot):
        partner = record_assessment(result, given, partner, prompter, home)
    if slot:
        slot.clear()
    offer = fmt is Format.terminal and output is None and result.escalating and book.brief
    if prompter and offer:
        from escalate_cli.commands.brief import run_brief
        from escalate_cli.interview import ask_once

        offer_brief = "Draft the manager brief and customer message now?"
        if ask_once(prompter, offer_brief, "the assessment above is complete"):
            book = load_playbook(playbook, home, check_templates=True)
            brief_slot = draft_slot(book, "brief", partner, prompter, home)
            kept, unfinished = brief_slot.offer(brief_slot.name)
            run_brief(
                book,
                {**kept, **given},
                prompter,
                brief_slot,
                BriefFormat.terminal,
                None,
                False,
                home,
                unfinished,
            )


def record_assessment(
    result: "Assessment",
    given: dict[str, Any],
    partner: str | None,
    prompter: "QuestionaryPrompter | None",
    home: Path | None,
) -> str | None:
    """Keep the assessment: under the partner, else the customer it was about (a
    `customer` answer, or asked), else in the local history. Returns the partner."""
    customer = str(given.get("customer") or "")
    typed = False  # a name typed just now is not confirmed again
    if partner is None and not customer and prompter is not None:
        from escalate_cli.interview import ask_customer

        customer, typed = ask_customer(prompter), True
    with open_store(home) as store:
        if partner is None:
            partner = file_under(store, customer, prompter, "assessment", confirm=not typed)
        entry = store.record_escalation(
            partner,
            date=common.today().isoformat(),
            kind="assessment",
            verdict=result.verdict,
            reasons=[reason.text for reason in result.reasons],
            signals=result.signals,
            triggers=[choice.label for choice in result.triggers],
            customer=customer,
            new=True,  # the name was resolved above
        )
    if partner:
        say(f"the assessment is now #{entry.id} in {partner}'s history")
    else:
        say(
            f"the assessment is kept as #{entry.id} in your local history (`escalate history`); "
            "with --partner NAME it joins that partner's history"
        )
    return partner


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
