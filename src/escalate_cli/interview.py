"""Running an interview: prefilled answers first, then ask the rest or say what is missing.

The same function serves a person at a terminal and a script with an answers file; the
`keep` callback saves every answer as it is given, so Ctrl-C or Ctrl-D loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from escalate_cli.answers import Answers, missing
from escalate_cli.dates import parse_date
from escalate_cli.errors import EscalateError, InterruptedByUser, MissingAnswersError
from escalate_cli.playbook import Question, Section

if TYPE_CHECKING:  # prompts imports questionary, which only a terminal session needs
    from escalate_cli.prompts import Prompter


def run(
    sections: Sequence[tuple[Section, list[Question]]],
    answers: Answers,
    prompter: Prompter | None,
    keep: Callable[[Answers, dict[str, Any]], None],
    command: str,
    unfinished: dict[str, Any] | None = None,
) -> Answers:
    """All answers for `sections`: prefilled ones kept, the rest asked (or reported).

    `keep` receives the answers and any half-typed text after every answer and on an
    interruption; `unfinished` is half-typed text from a kept draft, offered again."""
    questions = [q for _, asked in sections for q in asked]
    if prompter is None:
        # commitments finished before an interruption count; half-typed text cannot
        answers = {
            **{k: v for k, v in (unfinished or {}).items() if isinstance(v, list)},
            **answers,
        }
        absent = missing(questions, answers)
        if absent:
            raise MissingAnswersError(absent)
        return answers
    answers = dict(answers)
    unfinished = dict(unfinished or {})
    current = ""
    try:
        for section, asked in sections:
            todo = [q for q in asked if q.id not in answers]
            if not todo:
                continue
            prompter.section(section)
            for question in todo:
                current = question.id
                answers[question.id] = prompter.ask(question, unfinished.pop(question.id, ""))
                keep(answers, unfinished)
    except (KeyboardInterrupt, EOFError) as exc:
        typed = getattr(exc, "typed", "")
        if typed and current:
            unfinished[current] = typed
        keep(answers, unfinished)
        how = "interrupted" if isinstance(exc, KeyboardInterrupt) else "input ended (Ctrl-D)"
        also = " and what you were typing" if typed else ""
        raise InterruptedByUser(
            f"{how}; {len(answers)} answer(s){also} kept as a draft",
            f"continue with `escalate {command} --resume`, or give answers with --answers FILE",
        ) from None
    return answers


def ask_once(prompter: Prompter, text: str, if_interrupted: str) -> bool:
    """A yes/no question outside an interview; Ctrl-C or Ctrl-D says what state we are in."""
    try:
        return prompter.yes_no(text)
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted", if_interrupted) from None


def ask_note(prompter: Prompter, kind: str | None, date: str | None) -> tuple[str, str, str]:
    """Kind, text and date of a new note, asking only what the command line did not give
    (Ctrl-C: nothing saved)."""
    from escalate_cli.kinds import NOTE_HINTS
    from escalate_cli.playbook import Choice, Question

    kind_question = Question(
        id="kind",
        type="choice",
        text="What kind of note?",
        hint="The kind decides where the note appears in a handover.",
        choices=tuple(Choice(value=k, label=f"{k}: {hint}") for k, hint in NOTE_HINTS.items()),
    )
    text_question = Question(
        id="text", type="long_text", text="The note", hint="Write it for the next owner."
    )
    date_question = Question(
        id="date",
        type="text",
        text="When? (e.g. 2026-11-20, yesterday, last monday, Dec 1; empty for today)",
        hint="Dates put escalations and agreements in order.",
        required=False,
    )
    try:
        chosen = kind or prompter.ask(kind_question)
        text = prompter.ask(text_question)
        while date is None:
            typed = prompter.ask(date_question).strip() or "today"
            try:
                date = parse_date(typed, dt.date.today(), "past").isoformat()
            except EscalateError as exc:
                prompter.say(f"  {exc.message}; {exc.hint}")
        return chosen, text, date
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted; no note was saved") from None
