"""Answers: reading an answers file and checking each answer against its question.

An answers file is a flat mapping from question id to answer, YAML or JSON. It is how
every command runs without a terminal, so a wrong id or value is reported with its
position and the valid choices, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalate_cli import safe_yaml
from escalate_cli.dates import DayOff, check_year, parse_date, untimed
from escalate_cli.errors import AnswersError, EscalateError
from escalate_cli.playbook import Question

if TYPE_CHECKING:
    from escalate_cli.files import Draft

TEXT_TYPES = ("text", "long_text", "when")
YES = {"yes", "y", "true"}
NO = {"no", "n", "false"}
Answers = dict[str, Any]


def read(spec: str) -> safe_yaml.Located:
    """Parse `--answers FILE` (or `-` for standard input) into a located mapping."""
    if spec == "-":
        raw = sys.stdin.buffer.read(safe_yaml.MAX_BYTES + 1)
        located = safe_yaml.parse_document(
            safe_yaml.decode(raw, "<stdin>", "answers file"), "<stdin>"
        )
    else:
        located = safe_yaml.load(Path(spec), "answers file")
    if located.data is None:
        return safe_yaml.Located(located.source, {}, {})
    if not isinstance(located.data, dict):
        raise AnswersError(
            f"{located.source}: an answers file is a mapping of question id to answer",
            "write one `id: answer` per line, e.g. `cancel_threat: yes`",
        )
    return located


def check(
    located: safe_yaml.Located,
    questions: Iterable[Question],
    today: dt.date | None = None,
    off: frozenset[DayOff] = frozenset(),
) -> Answers:
    """Every answer in the file, converted to its question's type, or one error for all;
    with `today`, a day a `when` answer names must be to come and not one of the days
    `off` (see `dates.untimed`)."""
    by_id = {q.id: q for q in questions}
    problems: list[str] = []
    result: Answers = {}
    for key, value in located.data.items():
        question = by_id.get(key) if isinstance(key, str) else None
        if question is not None and value is None and not question.required:
            continue  # `documents:` left empty: not answered
        if question is not None and question.type in TEXT_TYPES and value is not None:
            value = (
                value if isinstance(value, str) else located.plain.get((key,), value)
            )  # the text as typed, not YAML's reading
        if question is None:
            close = difflib.get_close_matches(str(key), list(by_id), n=3)
            also = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(f"{located.where((key,))}: unknown question id {key!r}{also}")
            continue
        try:
            result[key] = coerce(question, value, today, off)
        except ValueError as exc:
            problems.append(f"{located.where((key,))}: {key}: {exc}")
    if problems:
        raise AnswersError(
            "\n".join(problems),
            "the ids are listed by `escalate playbook show`; fix the answers file and run again",
        )
    return result


def _points(value: Any) -> bool:
    """A YAML list of plain points ("- restarted the job"): how a long answer of one point
    per line is naturally written in an answers file."""
    return isinstance(value, list) and all(
        isinstance(point, (str, int, float)) and not isinstance(point, bool) for point in value
    )


def coerce(
    question: Question,
    value: Any,
    today: dt.date | None = None,
    off: frozenset[DayOff] = frozenset(),
) -> Any:
    """One answer converted to the question's type; ValueError says what is expected."""
    if question.type == "yes_no":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in YES | NO:
            return value.strip().lower() in YES
        raise ValueError(f"expected yes or no, got {value!r}")
    if question.type in TEXT_TYPES:
        if question.type == "long_text" and _points(value):  # "tried:" then "- a", "- b"
            value = "\n".join(str(point) for point in value)
        if not isinstance(value, str):
            hint = "put it in quotes"
            if isinstance(value, list):
                many = question.type == "long_text"
                hint = "write one point per line after `|`" if many else "write it as one line"
            raise ValueError(f"expected text, got {value!r}; {hint}")
        if question.required and not value.strip():
            raise ValueError("the answer is empty")
        vague = question.type == "when" and untimed(value, question.required, today, off)
        if vague:
            raise ValueError(vague)
        return value
    values = [c.value for c in question.choices]
    if question.type == "choice":
        if value not in values:
            raise ValueError(f"expected one of {', '.join(values)}; got {value!r}")
        return value
    if question.type == "multi":
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, list):
            raise ValueError(f"expected a list of choices from: {', '.join(values)}")
        wrong = [item for item in chosen if item not in values]
        if wrong:
            raise ValueError(
                f"not a choice: {', '.join(map(repr, wrong))}; choices: {', '.join(values)}"
            )
        return list(dict.fromkeys(chosen))
    return coerce_commitments(value)


def coerce_commitments(value: Any) -> list[dict[str, Any]]:
    """A list of {what, owner, due} mappings; `due` may be empty until it is known, and
    `agreed: false` keeps one its owner has not agreed to yet as pending."""
    if not isinstance(value, list):
        raise ValueError("expected a list of commitments, each with what, owner and due")
    result = []
    for index, item in enumerate(value, 1):
        what = item.get("what") if isinstance(item, dict) else None
        if not isinstance(what, str) or not what.strip():
            raise ValueError(f"commitment {index}: needs at least `what:` (text)")
        extra = set(item) - {"what", "owner", "due", "agreed"}
        if extra:
            raise ValueError(f"commitment {index}: unknown field(s) {', '.join(sorted(extra))}")
        due = item.get("due") or ""
        try:
            if isinstance(due, dt.datetime):  # an unquoted YAML timestamp: its day
                due = due.date()
            if isinstance(due, dt.date):
                check_year(due, "date")
            elif due:
                due = parse_date(str(due), dt.date.today())
        except EscalateError as exc:
            raise ValueError(f"commitment {index}: due: {exc.message} ({exc.hint})") from None
        agreed = item.get("agreed", True)
        if not isinstance(agreed, bool):
            raise ValueError(f"commitment {index}: agreed: expected yes or no")
        result.append(
            {
                "what": item["what"],
                "owner": str(item.get("owner") or ""),
                "due": due.isoformat() if isinstance(due, dt.date) else "",
                **({} if agreed else {"agreed": False}),
            }
        )
    return result


def check_draft(draft: Draft, questions: Iterable[Question]) -> tuple[Answers, dict[str, Any]]:
    """A kept draft's answers and unfinished typing, checked as an answers file is: the
    finished items of an interrupted list (commitments) too; half-typed text is text."""
    questions = list(questions)
    given = check(safe_yaml.Located(str(draft.path), draft.answers), questions)
    lists = {k: v for k, v in draft.unfinished.items() if isinstance(v, list)}
    typed = {k: v for k, v in draft.unfinished.items() if isinstance(v, str)}
    if len(lists) + len(typed) < len(draft.unfinished):
        raise AnswersError(
            f"{draft.path}: the draft's unfinished answers are neither text nor lists",
            "delete that file and start afresh",
        )
    return given, {**typed, **check(safe_yaml.Located(str(draft.path), lists), questions)}


def missing(questions: Iterable[Question], answers: Answers) -> list[str]:
    """Ids of required questions without an answer."""
    return [q.id for q in questions if q.required and q.id not in answers]
