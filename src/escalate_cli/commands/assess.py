"""`escalate assess`: the checklist and the signs, then a verdict with the rule behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from escalate_cli.commands import common
from escalate_cli.commands.brief import run_brief
from escalate_cli.commands.common import (
    draft_slot,
    emit,
    gather_answers,
    load_playbook,
    open_store,
    refuse_existing_output,
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
    NoInputOpt,
    OutputOpt,
    PartnerOpt,
    PlaybookOpt,
    ResumeOpt,
)


def assess(
    answers_file: AnswersOpt = None,
    no_input: NoInputOpt = False,
    resume: ResumeOpt = False,
    fmt: FormatOpt = Format.terminal,
    output: OutputOpt = None,
    force: ForceOpt = False,
    partner: PartnerOpt = None,
    playbook: PlaybookOpt = None,
    home: HomeOpt = None,
) -> None:
    """Before a tough call: should you escalate now, later, or not at all?

    Walks the pre-escalation checklist, the signs for and against escalating, timing and
    the usual triggers, then gives a verdict, the rule behind it, what to do first and
    what is still missing. Answers that contradict each other are named, and in a
    terminal you can answer them again before the verdict.

    Examples:

    \b
      escalate assess

      escalate assess --answers call.yaml --no-input --format json

      echo 'cancel_threat: yes' | escalate assess --answers - --no-input
    """
    from escalate_cli import interview
    from escalate_cli.assess import assess as run_assessment

    book = load_playbook(playbook, home)
    refuse_existing_output(output, force)
    prompter = terminal_prompter(no_input, answers_file == "-", book.lint.cushion_days)
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
    if partner:  # only once the result is out: a failed run records nothing
        with open_store(home) as store:
            store.record_escalation(
                partner,
                date=common.today().isoformat(),
                kind="assessment",
                verdict=result.verdict,
                reasons=[reason.text for reason in result.reasons],
                signals=result.signals,
                triggers=[choice.label for choice in result.triggers],
            )
        say(f"the assessment is now in {partner}'s history")
    if slot:
        slot.clear()
    offer = fmt is Format.terminal and output is None and result.escalating and book.brief
    if prompter and offer:
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
