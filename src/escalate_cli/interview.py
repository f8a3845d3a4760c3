"""Running an interview: prefilled answers first, then ask the rest or say what is missing.

The same function serves a person at a terminal and a script with an answers file; the
`keep` callback saves every answer as it is given, so Ctrl-C or Ctrl-D loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from escalate_cli.answers import Answers, missing
from escalate_cli.errors import InterruptedByUser, MissingAnswersError
from escalate_cli.playbook import Question, Section

if TYPE_CHECKING:  # prompts imports questionary, which only a terminal session needs
    from escalate_cli.prompts import Prompter


def run(
    sections: Sequence[tuple[Section, list[Question]]],
    answers: Answers,
    prompter: Prompter | None,
    keep: Callable[[Answers], None],
    command: str,
) -> Answers:
    """All answers for `sections`: prefilled ones kept, the rest asked (or reported)."""
    questions = [q for _, asked in sections for q in asked]
    if prompter is None:
        absent = missing(questions, answers)
        if absent:
            raise MissingAnswersError(absent)
        return answers
    answers = dict(answers)
    try:
        for section, asked in sections:
            todo = [q for q in asked if q.id not in answers]
            if not todo:
                continue
            prompter.section(section)
            for question in todo:
                answers[question.id] = prompter.ask(question)
                keep(answers)
    except (KeyboardInterrupt, EOFError) as exc:
        keep(answers)
        how = "interrupted" if isinstance(exc, KeyboardInterrupt) else "input ended (Ctrl-D)"
        raise InterruptedByUser(
            f"{how}; {len(answers)} answer(s) kept as a draft",
            f"continue with `escalate {command} --resume`, or give answers with --answers FILE",
        ) from None
    return answers


def ask_once(prompter: Prompter, text: str, command: str) -> bool:
    """A yes/no offer between steps; Ctrl-C or Ctrl-D there is a plain interruption."""
    try:
        return prompter.yes_no(text)
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted", f"your {command} result above is complete") from None
