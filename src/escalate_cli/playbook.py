"""The playbook: questions, rules, scenarios, gotchas and templates, as validated data.

A team adapts the coach by editing YAML, so the loader is strict and specific: unknown or
missing fields, wrong types (including YAML 1.1 surprises such as `no` or `1.10`), duplicate
ids and rules naming questions that do not exist are all reported as `file:line:col: what`
with a hint, before anyone is mid-call.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
)

from escalate_cli import safe_yaml
from escalate_cli.errors import PlaybookError
from escalate_cli.rules import ID_PATTERN, Condition, leaves, parse_condition

FORMAT_VERSION = 1
VERDICTS = ("escalate_now", "escalate", "not_yet", "dont_escalate")
INTERVIEWS = ("assess",)

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(strict=True, pattern=ID_PATTERN)]
When = Annotated[Condition, PlainValidator(parse_condition)]
Verdict = Literal["escalate_now", "escalate", "not_yet", "dont_escalate"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Choice(Model):
    """One option of a choice or multi-select question."""

    value: Id
    label: Text
    remedy: Text | None = None


class Question(Model):
    """One question; `hint` is the one line that says why it matters."""

    id: Id
    type: Literal["yes_no", "text", "long_text", "choice", "multi", "commitments"]
    text: Text
    hint: Text
    if_yes: Text | None = None
    if_no: Text | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = Field(default=True, strict=True)


class Section(Model):
    """A group of questions asked together (a checklist, a step of the framework)."""

    id: Id
    title: Text
    intro: Text | None = None
    hints: tuple[Text, ...] = ()
    checklist: bool = Field(default=False, strict=True)
    questions: tuple[Question, ...] = Field(min_length=1)


class Rule(Model):
    """When `when` holds, the verdict is `verdict`, for the reason given in `reason`."""

    id: Id
    when: When
    verdict: Verdict
    reason: Text
    first: Text | None = None
    cite: tuple[Id, ...] = ()


class VerdictText(Model):
    title: Text
    advice: Text


class Scenario(Model):
    id: Id
    title: Text
    when: When
    steps: tuple[Text, ...] = Field(min_length=1)


class Gotcha(Model):
    id: Id
    text: Text
    advice: Text
    when: When | None = None
    verdicts: tuple[Verdict, ...] = ()


class Playbook(Model):
    """A whole playbook. `rules` are checked top to bottom: the first that holds decides."""

    playbook: Literal[1]
    name: Text
    description: Text | None = None
    verdicts: dict[Verdict, VerdictText]
    assess: tuple[Section, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = ()
    gotchas: tuple[Gotcha, ...] = ()

    def questions(self, interview: str) -> Iterator[Question]:
        for section in getattr(self, interview):
            yield from section.questions

    def all_questions(self) -> Iterator[Question]:
        """Every question of every interview: answers files may serve several commands."""
        for interview in INTERVIEWS:
            yield from self.questions(interview)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.all_questions() if q.id == question_id), None)

    @property
    def checklist(self) -> tuple[Question, ...]:
        return tuple(q for s in self.assess if s.checklist for q in s.questions)


def _reference_problems(book: Playbook) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Cross-field checks pydantic cannot express: ids unique, references resolvable."""
    known: dict[str, Question] = {}
    for s_index, section in enumerate(book.assess):
        for q_index, question in enumerate(section.questions):
            path = ("assess", s_index, "questions", q_index)
            if question.id in known:
                yield (*path, "id"), f"duplicate question id {question.id!r}"
            known[question.id] = question
            if question.type in ("choice", "multi") and not question.choices:
                yield (*path, "type"), f"a {question.type} question needs `choices`"
            if question.type not in ("choice", "multi") and question.choices:
                yield (*path, "choices"), f"a {question.type} question takes no `choices`"
            values = [c.value for c in question.choices]
            for dup in {v for v in values if values.count(v) > 1}:
                yield (*path, "choices"), f"duplicate choice value {dup!r}"
    missing = [v for v in VERDICTS if v not in book.verdicts]
    if missing:
        yield ("verdicts",), "missing verdict texts for: " + ", ".join(missing)
    for group in ("rules", "scenarios", "gotchas"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(book, group)):
            if item.id in seen:
                yield (group, index, "id"), f"duplicate {group[:-1]} id {item.id!r}"
            seen.add(item.id)
            when = getattr(item, "when", None)
            if when is not None:
                for problem in _condition_problems(when, known):
                    yield (group, index, "when"), problem
            for cited in getattr(item, "cite", ()):
                if cited not in known:
                    yield (group, index, "cite"), _unknown(cited, known)


def _condition_problems(condition: Condition, known: dict[str, Question]) -> Iterator[str]:
    for leaf in leaves(condition):
        question = known.get(leaf.id)
        if question is None:
            yield _unknown(leaf.id, known)
        elif leaf.value is None and question.type != "yes_no":
            yield f"{leaf.id!r} is a {question.type} question: write {leaf.id}=value"
        elif leaf.value is not None:
            values = [c.value for c in question.choices]
            if leaf.value not in values:
                yield (
                    f"{leaf.value!r} is not a choice of {leaf.id!r}; "
                    f"choices: {', '.join(values) or 'none'}"
                )


def _unknown(name: str, known: dict[str, Question]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    suggestion = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"no question has the id {name!r}{suggestion}"


def _describe(error: dict[str, Any]) -> tuple[str, str | None]:
    """A pydantic error as a sentence and a hint, with YAML's own surprises explained."""
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return f"missing field `{error['loc'][-1]}`", "add it (see the README's playbook format)"
    if kind == "extra_forbidden":
        return f"unknown field `{error['loc'][-1]}`", "check the spelling, or remove it"
    if kind in ("string_type", "literal_error", "string_pattern_mismatch") and isinstance(
        given, (bool, int, float)
    ):
        return (
            f"{error['msg']}, but YAML read {given!r} ({type(given).__name__})",
            "YAML reads unquoted yes/no/on/off as true/false and 1.10 as the number 1.1; "
            "put the value in quotes",
        )
    if kind == "string_pattern_mismatch":
        return (
            f"{given!r} is not a valid id",
            "ids are lower_case_with_underscores, starting with a letter",
        )
    return error["msg"], None


def validate(located: safe_yaml.Located) -> Playbook:
    """Validate parsed YAML as a playbook, or raise one PlaybookError listing every problem."""
    if not isinstance(located.data, dict):
        raise PlaybookError(
            f"{located.source}: a playbook is a mapping (key: value) at the top level",
            "start from the bundled playbook: escalate playbook show --raw",
        )
    try:
        book = Playbook.model_validate(located.data)
    except ValidationError as exc:
        lines = []
        hints: list[str] = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
            text, hint = _describe(error)
            field = ".".join(str(part) for part in loc)
            lines.append(f"{located.where(loc)}: {field}: {text}")
            if hint and hint not in hints:
                hints.append(hint)
        raise PlaybookError("\n".join(lines), "; ".join(hints) or None) from None
    problems = [
        f"{located.where(path)}: {'.'.join(map(str, path))}: {text}"
        for path, text in _reference_problems(book)
    ]
    if problems:
        raise PlaybookError("\n".join(problems), "fix the ids so every reference resolves")
    return book


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the union member or validator name to some locations
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def bundled_path() -> Path:
    """The default playbook: inside the wheel, or in the source tree when run from it."""
    packaged = Path(__file__).with_name("playbooks") / "default.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "playbooks" / "default.yaml"


def user_path() -> Path:
    """A user's own playbook, which replaces the bundled one when it exists."""
    from platformdirs import user_config_path

    return user_config_path("escalate") / "playbook.yaml"


def locate(explicit: str | os.PathLike[str] | None) -> Path:
    """--playbook, else ESCALATE_PLAYBOOK, else the user's playbook, else the bundled one."""
    chosen = explicit or os.environ.get("ESCALATE_PLAYBOOK")
    if chosen:
        return Path(chosen).expanduser()
    mine = user_path()
    return mine if mine.is_file() else bundled_path()


def load(path: Path) -> Playbook:
    """Read, parse and validate one playbook file."""
    located = safe_yaml.load(path, "playbook")
    return validate(located)
