"""Running an interview: prefilled answers first, then ask the rest or say what is missing.

The same function serves a person at a terminal and a script with an answers file; the
`keep` callback saves every answer as it is given, so Ctrl-C or Ctrl-D loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from escalate_cli.answers import Answers, missing
from escalate_cli.errors import InterruptedByUser, MissingAnswersError
from escalate_cli.playbook import Section

if TYPE_CHECKING:  # prompts imports questionary, which only a terminal session needs
    from escalate_cli.prompts import Prompter


def run(
    sections: Sequence[Section],
    answers: Answers,
    prompter: Prompter | None,
    keep: Callable[[Answers], None],
    command: str,
) -> Answers:
    """All answers for `sections`: prefilled ones kept, the rest asked (or reported)."""
    questions = [q for s in sections for q in s.questions]
    if prompter is None:
        absent = missing(questions, answers)
        if absent:
            raise MissingAnswersError(absent)
        return answers
    answers = dict(answers)
    try:
        for section in sections:
            todo = [q for q in section.questions if q.id not in answers]
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
