"""Conditions over answers, as a playbook writes them, and their evaluation.

A condition is one of:
  `some_id`            true when the yes/no question `some_id` was answered yes
  `some_id=value`      true when a choice question was answered `value`, or a
                       multi-select question includes `value`
  {all: [cond, ...]}   every condition holds
  {any: [cond, ...]}   at least one holds
  {not: cond}          the condition does not hold
Parsing is separate from checking ids against the playbook so that the same tree
serves the loader (which reports unknown ids with positions) and the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Union

from escalate_cli.records import record

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


@record
class Answer:
    """A leaf: a question id, and for choice questions the value it must have."""

    id: str
    value: str | None = None

    def __str__(self) -> str:
        return self.id if self.value is None else f"{self.id}={self.value}"


@record
class AllOf:
    """Holds when every item holds."""

    items: tuple[Condition, ...]


@record
class AnyOf:
    """Holds when at least one item holds."""

    items: tuple[Condition, ...]


@record
class Not:
    """Holds when its item does not."""

    item: Condition


Condition = Union[Answer, AllOf, AnyOf, Not]  # noqa: UP007 - a runtime alias, 3.10-safe


def parse_condition(raw: Any) -> Condition:
    """Raw YAML value -> Condition; raises ValueError saying what form is expected."""
    if isinstance(raw, Condition.__args__):  # type: ignore[attr-defined]
        return raw
    if isinstance(raw, str):
        name, sep, value = raw.partition("=")
        name, value = name.strip(), value.strip()
        if not re.match(ID_PATTERN, name) or (sep and not value):
            raise ValueError(
                f"{raw!r} is not a question id (lower_case_with_underscores) or id=value"
            )
        return Answer(name, value if sep else None)
    if isinstance(raw, dict) and len(raw) == 1:
        ((key, inner),) = raw.items()
        if key in ("all", "any"):
            if not isinstance(inner, list) or not inner:
                raise ValueError(f"`{key}:` takes a non-empty list of conditions")
            items = tuple(parse_condition(item) for item in inner)
            return AllOf(items) if key == "all" else AnyOf(items)
        if key == "not":
            return Not(parse_condition(inner))
    raise ValueError(
        "a condition is a question id, id=value, or a mapping with one key: "
        "all: [...], any: [...] or not: ..."
    )


def leaves(condition: Condition) -> Iterator[Answer]:
    """Every question reference in a condition, for checking them against the playbook."""
    if isinstance(condition, Answer):
        yield condition
    elif isinstance(condition, Not):
        yield from leaves(condition.item)
    else:
        for item in condition.items:
            yield from leaves(item)


def describe(condition: Condition) -> str:
    """A condition as a person reads it: `not right_time`, `a and (b or c)`."""
    if isinstance(condition, Answer):
        return str(condition)
    if isinstance(condition, Not):
        inner = describe(condition.item)
        return f"not {inner}" if isinstance(condition.item, Answer) else f"not ({inner})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    return joiner.join(
        describe(item) if isinstance(item, (Answer, Not)) else f"({describe(item)})"
        for item in condition.items
    )


def holds(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """Evaluate a condition; an unanswered question counts as no / not chosen."""
    if isinstance(condition, Answer):
        given = answers.get(condition.id)
        if condition.value is None:
            return given is True
        if isinstance(given, (list, tuple)):
            return condition.value in given
        return given == condition.value
    if isinstance(condition, Not):
        return not holds(condition.item, answers)
    if isinstance(condition, AllOf):
        return all(holds(item, answers) for item in condition.items)
    return any(holds(item, answers) for item in condition.items)
