"""The playbook: questions, rules, scenarios, gotchas and templates, as validated data.

A team adapts the coach by editing YAML, so the loader is strict and specific: unknown or
missing fields, wrong types (including YAML 1.1 surprises such as `no` or `1.10`), duplicate
ids and rules naming questions that do not exist are all reported as `file:line:col: what`
with a hint, before anyone is mid-call.
"""

# Annotations are evaluated where they are written (no `from __future__ import annotations`):
# `construct` reads every part's type hints on each run, and hints kept as strings are
# compiled and evaluated first.

import contextlib
import dataclasses
import datetime
import functools
import json
import os
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from escalate_cli import __version__, safe_yaml
from escalate_cli.dates import Cushion, day_off
from escalate_cli.errors import PlaybookError
from escalate_cli.records import record
from escalate_cli.rules import ID_PATTERN, Condition, holds, leaves, parse_condition

FORMAT_VERSION = 1
VERDICTS = ("escalate_now", "escalate", "not_yet", "dont_escalate")
# A verdict in plain words, for records read long after the playbook's titles were shown
VERDICT_WORDS = {
    "escalate_now": "escalate now",
    "escalate": "escalate",
    "not_yet": "not yet",
    "dont_escalate": "don't escalate",
}
INTERVIEWS = ("assess", "brief")
TEMPLATES = ("manager_brief", "customer_message", "customer_chat", "agenda", "follow_up")


def _is_id(value: str) -> bool:
    return bool(re.match(ID_PATTERN, value))  # compiled when a playbook is validated


class _Check:
    """A constraint pydantic applies when it validates a playbook; `construct` ignores it.

    Kept free of pydantic imports so that a validated playbook loads without pydantic."""

    def __init__(self, test: Callable[[Any], bool], problem: str) -> None:
        self.test = test
        self.problem = problem

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        def check(value: Any) -> Any:
            if not self.test(value):
                raise ValueError(self.problem.format(value=value))
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))


class _Strict:
    """No conversion for this field: `required: "false"` is a mistake to report, not
    silently read as false (and `construct` must build exactly what validation accepted)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["strict"] = True
        return schema


_NOT_EMPTY = _Check(lambda items: len(items) > 0, "needs at least one item")
Flag = Annotated[bool, _Strict()]
Text = Annotated[str, _Check(str.strip, "must not be empty")]
HolidayText = Annotated[
    str,
    _Check(
        lambda text: day_off(text) is not None,
        'must be a day every year as "12-25" or one date as "2026-12-24"',
    ),
]
Id = Annotated[
    str, _Check(_is_id, "{value!r} is not a valid id (lower_case_with_underscores, from a letter)")
]
Verdict = Literal["escalate_now", "escalate", "not_yet", "dont_escalate"]


class _Model:
    """Playbook parts are plain frozen dataclasses: pydantic validates them when a playbook
    is new or changed, and a validated playbook loads again without importing pydantic."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


class _Conditional(_Model):
    """A part with a `when` condition, parsed from its YAML form into a Condition tree."""

    def __post_init__(self) -> None:
        raw = getattr(self, "when", None)
        if raw is not None:
            try:
                object.__setattr__(self, "when", parse_condition(raw))
            except ValueError as exc:
                raise ValueError(f"`when`: {exc}") from None


@record
class Choice(_Model):
    """One option of a choice or multi-select question."""

    value: Id
    label: Text
    remedy: Text | None = None


@record
class Question(_Conditional):
    """One question; `hint` is the one line that says why it matters.

    A question with `when` is a follow-up: asked, and its answer counted, only when the
    condition holds on the answers given before it. A `reported` answer is the customer's
    view as told (how they feel, what they want): a draft line where a template writes it
    right after a label is left out by the message coach, as reported speech is, since it
    is not the writer's promise (`render.labels_of`)."""

    id: Id
    type: Literal["yes_no", "text", "long_text", "when", "choice", "multi", "commitments"]
    text: Text
    hint: Text
    if_yes: Text | None = None
    if_no: Text | None = None
    choices: tuple[Choice, ...] = ()
    required: Flag = True
    when: Any = None
    reported: Flag = False

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.when is None or holds(self.when, answers)


@record
class Section(_Model):
    """A group of questions asked together (a checklist, a step of the framework).

    `points_to` marks a section of signs for (`escalate`) or against (`dont_escalate`)
    escalating: a yes on each side is a conflict the assessment names.
    `ask_again` names questions defined in another section that this one asks too, when
    they have no answer yet (an answer carried over from `assess` is not asked again),
    before its own questions; `ask_again_after` does the same after them, and an answers
    file may leave those out (e.g. the stakes, asked in `brief` when `assess` has not run)."""

    id: Id
    title: Text
    intro: Text | None = None
    hints: tuple[Text, ...] = ()
    checklist: Flag = False
    points_to: Literal["escalate", "dont_escalate"] | None = None
    ask_again: tuple[Id, ...] = ()
    ask_again_after: tuple[Id, ...] = ()
    questions: tuple[Question, ...] = ()


@record
class Step(_Conditional):
    """A step shown only when `when` holds on the answers and, with `verdicts`, only on
    those verdicts: advice that fits the situation rather than every situation.
    `covers` names checklist items the step takes care of, so they are not listed twice."""

    text: Text
    when: Any = None
    verdicts: tuple[Verdict, ...] = ()
    covers: tuple[Id, ...] = ()

    def fits(self, answers: Mapping[str, Any], verdict: str) -> bool:
        return (self.when is None or holds(self.when, answers)) and (
            not self.verdicts or verdict in self.verdicts
        )


# A list of steps as a playbook writes them: plain text, or a Step with conditions.
Steps = tuple[Text | Step, ...]


def fitting(steps: Steps | Text | None, answers: Mapping[str, Any], verdict: str) -> list[Step]:
    """The steps that fit these answers and this verdict (plain text as a Step)."""
    if steps is None:
        return []
    if isinstance(steps, str):
        return [Step(steps)]
    found = (Step(step) if isinstance(step, str) else step for step in steps)
    return [step for step in found if step.fits(answers, verdict)]


@record
class Rule(_Conditional):
    """When `when` holds, the verdict is `verdict`, for the reason given in `reason`.
    `first` is what to do first (text, or steps with conditions); `cite` names the signs
    whose words are shown with the reason when they were answered yes."""

    id: Id
    when: Any
    verdict: Verdict
    reason: Text
    first: Text | Steps | None = None
    cite: tuple[Id, ...] = ()


@record
class VerdictText(_Model):
    """How a verdict reads; `todo_title` heads the checklist items still answered no.

    `todo` names the checklist items this verdict lists as to-dos (all when absent): a
    don't-escalate verdict has no use for "what you need from leadership". `first` names
    those that, answered no, are done first rather than alongside (no surprises)."""

    title: Text
    advice: Text
    todo_title: Text | None = None
    todo: tuple[Id, ...] | None = None
    first: tuple[Id, ...] = ()


@record
class Scenario(_Conditional):
    """Steps for a situation; `first` are steps that also lead the "do first" list."""

    id: Id
    title: Text
    when: Any
    steps: Annotated[Steps, _NOT_EMPTY]
    first: Steps = ()


@record
class Guidance(_Model):
    """A piece of advice on working with a partner; `before_call` also shows it in the
    short view before a call, not only in a handover."""

    id: Id
    title: Text
    text: Text
    before_call: Flag = False


@record
class Gotcha(_Conditional):
    """A common mistake. `step` words it as what to do next, for `brief`, where a warning
    about the very message being drafted would be shown at the wrong moment."""

    id: Id
    text: Text
    advice: Text
    when: Any = None
    verdicts: tuple[Verdict, ...] = ()
    step: Text | None = None


@record
class LintRule(_Model):
    """A message check, read sentence by sentence with quoted and reported speech left out.

    Any phrase (whole words, any case) or pattern is a finding when the sentence also
    matches one of `requires` (if given), unless an `unless` pattern matches the sentence,
    an `unless_before` pattern ends right before the match (a negation: "we can't
    guarantee"), or an `unless_inside` pattern matches inside it; a sentence an `unless`
    pattern matches is not flagged by the playbook's model either. `swap` maps patterns to
    replacements that rewrite the sentence for the suggestion; `rewrite: cushion` moves
    the dates in it by the playbook's `cushion_days`. `second_look` (0 to 10, 0 by default)
    lets the playbook's model flag the rule's likeliest sentence up to that far below its
    threshold in a draft where another rule already has a finding; `second_look_with`
    names rules whose findings' sentences that look may read too (one sentence may show
    both: "OMG the client's sysadmin wiped the prod db" shouts and blames)."""

    id: Id
    message: Text
    suggestion: Text
    severity: Literal["error", "warning", "info"] = "warning"
    phrases: tuple[Text, ...] = ()
    patterns: tuple[Text, ...] = ()
    requires: tuple[Text, ...] = ()
    unless: tuple[Text, ...] = ()
    unless_before: tuple[Text, ...] = ()
    unless_inside: tuple[Text, ...] = ()
    swap: dict[str, str] = field(default_factory=dict)
    rewrite: Literal["cushion"] | None = None
    quoted: Flag = False
    case_sensitive: Flag = False
    second_look: Annotated[
        float, _Strict(), _Check(lambda n: 0 <= n <= 10, "must be a number from 0 to 10")
    ] = 0.0
    second_look_with: tuple[Id, ...] = ()


@record
class Lint(_Model):
    """The message coach: word classes (`{name}` in a pattern) and the rules that use them.

    `model` names a sentence classifier's JSON file (see classify.py), found next to the
    playbook or else among the bundled playbooks; `load` gives its full path."""

    cushion_days: Annotated[
        int, _Strict(), _Check(lambda n: 0 <= n <= 60, "must be a whole number from 0 to 60")
    ] = 2
    holidays: tuple[HolidayText, ...] = ()
    classes: dict[Id, Annotated[tuple[Text, ...], _NOT_EMPTY]] = field(default_factory=dict)
    rules: tuple[LintRule, ...] = ()
    model: Text | None = None

    def cushion(self) -> Cushion:
        """The cushion put on promised dates: `cushion_days` working days, not counting a
        weekend or a day in `holidays`."""
        return Cushion(self.cushion_days, frozenset(filter(None, map(day_off, self.holidays))))


@record
class Templates(_Model):
    """Jinja templates of the drafts `brief` writes; variables are question ids and
    `profile`. `customer_chat`, the short form for Slack or Teams, is optional."""

    manager_brief: Text
    customer_message: Text
    agenda: Text
    follow_up: Text
    customer_chat: Text | None = None


@record
class Playbook(_Model):
    """A whole playbook. `rules` are checked top to bottom: the first that holds decides."""

    playbook: Literal[1]
    name: Text
    verdicts: dict[Verdict, VerdictText]
    assess: Annotated[tuple[Section, ...], _NOT_EMPTY]
    rules: Annotated[tuple[Rule, ...], _NOT_EMPTY]
    description: Text | None = None
    scenarios: tuple[Scenario, ...] = ()
    gotchas: tuple[Gotcha, ...] = ()
    relationship: tuple[Guidance, ...] = ()
    brief: tuple[Section, ...] = ()
    templates: Templates | None = None
    lint: Lint = field(default_factory=Lint)

    def questions(self, interview: str) -> Iterator[Question]:
        """The questions each section of an interview defines (not those it asks again)."""
        for section in getattr(self, interview):
            yield from section.questions

    def asked(self, interview: str) -> list[tuple[Section, list[Question]]]:
        """Each section with every question it asks, in the order it asks them."""

        def again(ids: tuple[str, ...]) -> list[Question]:
            return [q for q in map(self.question, ids) if q]

        return [
            (
                section,
                again(section.ask_again)
                + list(section.questions)
                + [dataclasses.replace(q, required=False) for q in again(section.ask_again_after)],
            )
            for section in getattr(self, interview)
        ]

    def drafts(self) -> list[str]:
        """The names of the templates this playbook has, in the order they are drafted."""
        if self.templates is None:
            return []
        return [name for name in TEMPLATES if getattr(self.templates, name) is not None]

    def gotcha(self, gotcha_id: str) -> Gotcha | None:
        return next((g for g in self.gotchas if g.id == gotcha_id), None)

    def all_questions(self) -> Iterator[Question]:
        """Every question of every interview: answers files may serve several commands."""
        for interview in INTERVIEWS:
            yield from self.questions(interview)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.all_questions() if q.id == question_id), None)

    @property
    def checklist(self) -> tuple[Question, ...]:
        """The yes/no questions of checklist sections (a follow-up choice is no item)."""
        return tuple(
            q for s in self.assess if s.checklist for q in s.questions if q.type == "yes_no"
        )

    def leaning(self, side: str) -> tuple[Question, ...]:
        """The yes/no questions of the sections that point to `side`."""
        return tuple(
            q for s in self.assess if s.points_to == side for q in s.questions if q.type == "yes_no"
        )


def _reference_problems(book: Playbook) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Cross-field checks pydantic cannot express: ids unique, references resolvable."""
    known: dict[str, Question] = {}
    every = {q.id: q for q in book.all_questions()}
    sections = [(name, i, s) for name in INTERVIEWS for i, s in enumerate(getattr(book, name))]
    for interview, s_index, section in sections:
        if not section.questions and not section.ask_again:
            yield (interview, s_index), "a section needs `questions` or `ask_again`"
        for q_index, question in enumerate(section.questions):
            path = (interview, s_index, "questions", q_index)
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
            if question.when is not None:
                # a follow-up depends on answers given before it
                for problem in _condition_problems(question.when, every):
                    yield (*path, "when"), problem
                for leaf in leaves(question.when):
                    if leaf.id in every and (leaf.id not in known or leaf.id == question.id):
                        yield (
                            (*path, "when"),
                            (
                                f"{leaf.id!r} is not asked before this question; a follow-up "
                                "can only depend on earlier answers"
                            ),
                        )
                if question.required:
                    yield (*path, "required"), "a follow-up question (with `when`) is optional"
    for interview, s_index, section in sections:
        for key in ("ask_again", "ask_again_after"):
            for index, again in enumerate(getattr(section, key)):
                if again not in known:
                    yield (interview, s_index, key, index), _unknown(again, known)
    if book.brief and book.templates is None:
        yield ("brief",), "a playbook with a `brief` interview needs `templates`"
    yield from _lint_problems(book.lint)
    missing = [v for v in VERDICTS if v not in book.verdicts]
    if missing:
        yield ("verdicts",), "missing verdict texts for: " + ", ".join(missing)
    checklist = {q.id for q in book.checklist}
    for group in ("rules", "scenarios", "gotchas", "relationship"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(book, group)):
            if item.id in seen:
                yield (group, index, "id"), f"duplicate {group.rstrip('s')} id {item.id!r}"
            seen.add(item.id)
            when = getattr(item, "when", None)
            if when is not None:
                for problem in _condition_problems(when, known):
                    yield (group, index, "when"), problem
            for cited in getattr(item, "cite", ()):
                if cited not in known:
                    yield (group, index, "cite"), _unknown(cited, known)
            for part in ("first", "steps"):
                steps = getattr(item, part, None)
                for s_index, step in enumerate(steps if isinstance(steps, tuple) else ()):
                    if not isinstance(step, Step):
                        continue
                    if step.when is not None:
                        for problem in _condition_problems(step.when, known):
                            yield (group, index, part, s_index, "when"), problem
                    for c_index, covered in enumerate(step.covers):
                        if covered not in checklist:
                            yield (
                                (group, index, part, s_index, "covers", c_index),
                                _NOT_CHECKLIST.format(covered),
                            )
    for verdict, text in book.verdicts.items():
        for part in ("todo", "first"):
            for c_index, item_id in enumerate(getattr(text, part) or ()):
                if item_id not in checklist:
                    yield ("verdicts", verdict, part, c_index), _NOT_CHECKLIST.format(item_id)


_NOT_CHECKLIST = "{!r} is not a yes/no question of a checklist section"


def _lint_problems(coach: Lint) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Lint rules: unique ids, and patterns that are valid, never empty and never slow."""
    from escalate_cli.patterns import problem

    for name, items in coach.classes.items():
        for index, item in enumerate(items):
            found = problem(item, coach.classes, part=True)
            if found:
                yield ("lint", "classes", name, index), found
    rule_ids = [rule.id for rule in coach.rules]
    for index, rule in enumerate(coach.rules):
        if rule.id in rule_ids[:index]:
            yield ("lint", "rules", index, "id"), f"duplicate lint rule id {rule.id!r}"
        if not (rule.phrases or rule.patterns):
            yield ("lint", "rules", index), "a lint rule needs `phrases` or `patterns`"
        for w_index, partner in enumerate(rule.second_look_with):
            if partner not in rule_ids or partner == rule.id:
                others = ", ".join(i for i in rule_ids if i != rule.id) or "none"
                yield (
                    ("lint", "rules", index, "second_look_with", w_index),
                    f"{partner!r} is not another lint rule's id; ids: {others}",
                )
        flags = 0 if rule.case_sensitive else re.IGNORECASE
        for group in ("patterns", "requires", "unless", "unless_before", "unless_inside", "swap"):
            for p_index, pattern in enumerate(getattr(rule, group)):
                found = problem(pattern, coach.classes, flags)
                if found:
                    where = pattern if group == "swap" else p_index
                    yield ("lint", "rules", index, group, where), found


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


def _describe(error: Mapping[str, Any]) -> tuple[str, str | None]:
    """A pydantic error as a sentence and a hint, with YAML's own surprises explained."""
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return f"missing field `{error['loc'][-1]}`", "add it (see the README's playbook format)"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"unknown field `{error['loc'][-1]}`", "check the spelling, or remove it"
    if kind in ("string_type", "literal_error", "int_type") and isinstance(
        given, (bool, int, float)
    ):
        return (
            f"{error['msg']}, but YAML read {given!r} ({type(given).__name__})",
            "YAML reads unquoted yes/no/on/off as true/false and 1.10 as the number 1.1; "
            "put the value in quotes",
        )
    if kind == "string_type" and isinstance(given, datetime.date):
        return (
            f"{error['msg']}, but YAML read {given} as a date",
            f"put it in quotes: '{given}'",
        )
    if kind in ("tuple_type", "list_type"):
        shown = "nothing" if given is None else repr(given)
        return (
            f"expected a list, but YAML read {shown}",
            "write a list in brackets, e.g. [a, b], or [] for none",
        )
    if kind == "value_error":
        return str(error["ctx"]["error"]).removeprefix("`when`: "), None
    return error["msg"], None


def validate(located: safe_yaml.Located) -> Playbook:
    """Validate parsed YAML as a playbook, or raise one PlaybookError listing every problem."""
    if not isinstance(located.data, dict):
        raise PlaybookError(
            f"{located.source}: a playbook is a mapping (key: value) at the top level",
            "start from the bundled playbook: escalate playbook show --raw --bundled",
        )
    # pydantic looks for plugins by scanning every installed package's metadata; the
    # playbook has no use for them, and the scan is a good part of a first run
    plugins = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        from pydantic import TypeAdapter, ValidationError

        adapter = TypeAdapter(Playbook)
    finally:
        if plugins is None:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]
        else:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = plugins
    try:
        book = adapter.validate_python(located.data)
    except ValidationError as exc:
        lines = []
        hints: list[str] = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
            if error["type"] == "value_error" and str(error["ctx"]["error"]).startswith("`when`"):
                loc = (*loc, "when")  # raised while parsing the part's condition
            text, hint = _describe(error)
            dotted = ".".join(str(part) for part in loc)
            lines.append(f"{located.where(loc)}: {dotted}: {text}")
            if hint and hint not in hints:
                hints.append(hint)
        raise PlaybookError(
            "\n".join(lines),
            "; ".join(hints)
            or "fix the field named on each line; `escalate playbook show --raw "
            "--bundled` prints the bundled playbook as an example",
        ) from None
    problems = [
        f"{located.where(path)}: {'.'.join(map(str, path))}: {text}"
        for path, text in (*_reference_problems(book), *_hidden_characters(located.data))
    ]
    if problems:
        hint = (
            "fix each lint pattern named above (see the README's playbook format)"
            if all(": lint." in line for line in problems)
            else "fix the field named on each line, then validate again"
        )
        raise PlaybookError("\n".join(problems), hint)
    return book


def _hidden_characters(data: Any) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Control, format and bidi characters in playbook text: shown on a terminal they
    could clear the screen, set the clipboard or reorder what is read."""
    from escalate_cli.textsafe import first_hidden

    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            hidden = first_hidden(item)
            if hidden:
                yield path, f"contains the control character {hidden}; remove it"
        elif isinstance(item, dict):
            stack.extend(((*path, key), value) for key, value in item.items())
        elif isinstance(item, list):
            stack.extend(((*path, index), value) for index, value in enumerate(item))


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


def load(path: Path, *, check_templates: bool = False, stamps: Path | None = None) -> Playbook:
    """Read, parse and validate one playbook file.

    Templates are compiled and checked (syntax, variables) when `check_templates` is set:
    by `brief` before its first question and by `playbook validate`; `assess` renders no
    template. With a `stamps` folder, what validated is kept there (the playbook's text
    and its data as JSON, by a hash of the text), and a playbook whose exact text was
    validated before by this version is built from it directly, reading no YAML and
    importing no pydantic: that keeps the first question quick while every new or edited
    playbook is checked in full. The bundled playbook ships with such a record (see
    `write_bundled_record`), so a first run does not validate it again either. Without
    `stamps` (`escalate playbook validate`), every check runs."""
    from escalate_cli.files import cache_folder, read_kept

    text = safe_yaml.read_text(path, "playbook")
    stamps = cache_folder(stamps)  # a record someone else could write would skip the checks
    if stamps:
        kept = _validated(read_kept(_kept_path(stamps, text)), text, check_templates)
        if kept is None and path.resolve() == bundled_path().resolve():
            kept = _validated(_bundled_record(), text, check_templates)
        if kept is not None:
            return _with_model_path(kept, path)
    located = safe_yaml.parse_document(text, str(path))
    book = validate(located)
    if check_templates and book.templates is not None:
        from escalate_cli.render import template_problems

        problems = [
            f"{located.where(('templates', name))}: templates.{name}: {text}"
            for name, text in template_problems(book)
        ]
        if problems:
            raise PlaybookError(
                "\n".join(problems),
                "template variables are question ids; see `escalate playbook show`",
            )
    if stamps:
        _keep(stamps, text, located.data, check_templates)
    return _with_model_path(book, path)


def _with_model_path(book: Playbook, path: Path) -> Playbook:
    """The playbook with its lint model's full path: next to the playbook, or else bundled
    (a copy of the bundled playbook keeps the bundled model)."""
    name = book.lint.model
    if not name:
        return book
    found = path.parent / Path(name).expanduser()
    bundled = bundled_path().parent / name
    if not found.is_file() and bundled.is_file():
        found = bundled
    lint = dataclasses.replace(book.lint, model=str(found))
    return dataclasses.replace(book, lint=lint)


def bundled_record_path() -> Path:
    return bundled_path().with_name("default.validated.json")


def write_bundled_record() -> None:
    """For maintainers, after editing playbooks/default.yaml: validate it in full,
    templates included, and write the record a first run builds it from. A test says when
    the record is out of date; until it is refreshed, the bundled playbook is simply
    validated on each first run."""
    path = bundled_path()
    text = safe_yaml.read_text(path, "playbook")
    load(path, check_templates=True)  # raises if it does not validate
    record = _record(text, safe_yaml.parse_document(text, str(path)).data, templates=True)
    if record is None:
        raise ValueError("the bundled playbook holds values JSON cannot carry exactly")
    bundled_record_path().write_text(record, encoding="utf-8")


def _kept_path(stamps: Path, text: str) -> Path:
    """Where the validated form of this text is kept. The name is only a quick hash: what
    decides is the text stored inside, compared in full."""
    import zlib

    return stamps / f"{zlib.crc32(text.encode()):08x}-{len(text)}.json"


def _bundled_record() -> bytes | None:
    try:
        return bundled_record_path().read_bytes()
    except OSError:
        return None


def _validated(kept: bytes | None, text: str, check_templates: bool) -> Playbook | None:
    """The playbook recorded when exactly this text validated (with its templates
    checked, if asked), built without YAML or pydantic; None when there is no such record.

    A record holds the text it was made from, so one made by anything but a validation
    (an empty file, a guessed name, another text with the same hash) is worth nothing."""
    if kept is None:
        return None
    try:
        record = json.loads(kept)
        if (
            record["version"] == __version__
            and record["text"] == text
            and (record["templates"] or not check_templates)
        ):
            return construct(Playbook, record["data"])
    except (ValueError, TypeError, KeyError, AttributeError):
        pass  # not one we wrote: validate in full
    return None


def _record(text: str, data: Any, templates: bool) -> str | None:
    """The JSON record of a validated text, or None if JSON cannot carry its data exactly
    (a date, a number as a key)."""
    record = {"version": __version__, "text": text, "templates": templates, "data": data}
    try:
        dumped = json.dumps(record, ensure_ascii=False, indent=0)
    except (TypeError, ValueError):
        return None
    return dumped if json.loads(dumped) == record else None


def _keep(stamps: Path, text: str, data: Any, templates: bool) -> None:
    """Keep what validated, for the next run; a folder we cannot write just means the
    next run validates again."""
    from escalate_cli.files import keep, read_kept

    path = _kept_path(stamps, text)
    with contextlib.suppress(ValueError, KeyError, TypeError):
        old = json.loads(read_kept(path) or b"{}")
        templates = templates or (old["text"] == text and old["templates"] is True)
    record = _record(text, data, templates)
    if record is not None:
        keep(path, record)  # the folder and the cache folder above it made private


def construct(kind: Any, value: Any) -> Any:
    """Build playbook dataclasses from already-validated data: what pydantic would build."""
    return _builder(kind)(value)


@functools.cache
def _builder(kind: Any) -> Callable[[Any], Any]:
    """How `construct` builds one type, worked out once per type: a playbook holds
    thousands of values but a few dozen types, and reading a type's hints is the slow part."""
    origin = typing.get_origin(kind)
    if origin is Annotated:
        return _builder(typing.get_args(kind)[0])
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        # every field in order, so the record takes its short path (all fields given
        # in order): validated data leaves out most defaults, and filling them in by
        # name costs more than the rest of the build
        order = [
            (item.name, _builder(hints[item.name]), item.default, item.default_factory)
            for item in dataclasses.fields(kind)
        ]
        names = {name for name, *_ in order}

        def build(value: Any) -> Any:
            if not isinstance(value, dict) or not value.keys() <= names:
                raise ValueError("not the validated shape")
            args = []
            for name, make, default, factory in order:
                if name in value:
                    args.append(value[name] if make is _same else make(value[name]))
                elif factory is not dataclasses.MISSING:
                    args.append(factory())
                elif default is not dataclasses.MISSING:
                    args.append(default)
                else:
                    raise ValueError("not the validated shape")
            return kind(*args)

        return build
    if origin is tuple:
        item = _builder(typing.get_args(kind)[0])
        return lambda value: tuple(map(item, value))
    if origin is dict:
        item = _builder(typing.get_args(kind)[1])
        return lambda value: {key: item(each) for key, each in value.items()}
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(kind)
        by_shape: dict[type | None, Callable[[Any], Any]] = {}
        samples: tuple[Any, ...] = ({}, [], "")
        for sample in samples:  # the member each shape of data belongs to, once
            with contextlib.suppress(ValueError):
                by_shape[_shape(sample)] = _builder(_member(members, sample))

        def build_member(value: Any) -> Any:
            if value is None:
                return None
            make = by_shape.get(_shape(value))
            if make is None:
                raise ValueError("not the validated shape")
            return make(value)

        return build_member
    return _same


def _same(value: Any) -> Any:
    return value


def _shape(value: Any) -> type | None:
    """What a union member is chosen by: a mapping, a list, or anything else (None)."""
    return dict if isinstance(value, dict) else tuple if isinstance(value, list) else None


def _member(kinds: tuple[Any, ...], value: Any) -> Any:
    """Which member of a union validated data belongs to: a mapping is the dataclass, a
    list the tuple, anything else the plain type."""

    def shape(kind: Any) -> Any:
        bare = typing.get_args(kind)[0] if typing.get_origin(kind) is Annotated else kind
        return typing.get_origin(bare) or bare

    wanted = _shape(value)
    for kind in kinds:
        found = shape(kind)
        is_class = isinstance(found, type) and dataclasses.is_dataclass(found)
        if (wanted is dict and is_class) or (wanted is tuple and found is tuple):
            return kind
        if wanted is None and not is_class and found not in (tuple, type(None)):
            return kind
    raise ValueError("not the validated shape")


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind, include_extras=True)
