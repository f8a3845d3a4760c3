"""The pattern language of lint rules: Python regular expressions, bounded. Pure.

A playbook's patterns run on every draft, so they must not be able to hang the coach:
`problem` refuses what can take exponential time (back-references, a repetition inside a
repetition, alternatives inside a repetition) and what matches empty text. Patterns may use
the playbook's word classes as `{name}` and the vetted gap `{words:N}` (up to N words), which
is how a rule says "a few words in between" without nesting repetitions itself.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

GAP = r"(?:[\w'’/-]+[\s,]+){0,%d}?"
"""`{words:N}`: up to N words, fewest first. Word and separator characters never overlap,
so the nested repetition cannot backtrack its way into exponential time."""

_REFERENCE = re.compile(r"(?<!\\)\{([a-z][a-z0-9_]*)(?::(\d{1,2}))?\}")
_PLACEHOLDER = "\x00"


def expand(
    pattern: str,
    classes: Mapping[str, tuple[str, ...]],
    gap: str = GAP,
    _seen: tuple[str, ...] = (),
) -> str:
    """`pattern` with every `{class}` and `{words:N}` written out; KeyError names an unknown one."""

    def one(match: re.Match[str]) -> str:
        name, count = match.group(1), match.group(2)
        if count is not None:
            if name != "words":
                raise KeyError(f"{{{name}:{count}}}")
            return gap % int(count) if "%" in gap else gap
        if name in _seen:
            raise KeyError(f"{{{name}}} (it refers to itself)")
        if name not in classes:
            raise KeyError(f"{{{name}}}")
        items = (expand(item, classes, gap, (*_seen, name)) for item in classes[name])
        return "(?:" + "|".join(items) + ")"

    return _REFERENCE.sub(one, pattern)


def problem(
    pattern: str,
    classes: Mapping[str, tuple[str, ...]],
    flags: int = 0,
    *,
    part: bool = False,
) -> str | None:
    """Why `pattern` cannot be a lint pattern, or None when it can.

    A `part` (a word-class item) may match empty text on its own: `(?<!\\bthe\\s)` is a
    useful part; the patterns that use it are checked whole."""
    try:
        full = expand(pattern, classes)
        shape = expand(pattern, classes, _PLACEHOLDER)  # each vetted gap as one character
    except KeyError as exc:
        return f"names no word class: {exc.args[0]} (define it under lint.classes)"
    parser = _parser()
    try:
        tree = parser.parse(full, flags)
        re.compile(full, flags)
    except (re.error, OverflowError, RecursionError) as exc:
        return f"not a valid regular expression: {exc}"
    if not part and tree.getwidth()[0] == 0:
        return (
            "can match empty text (as `\\b` or a lookahead on its own does), so it would flag "
            "every message; make it match at least one character"
        )
    return next(_slow_parts(parser.parse(shape, flags).data, parser, False), None)


def _slow_parts(items: Any, parser: Any, repeated: bool) -> Iterator[str]:
    """The constructs that can make matching take exponential time."""
    atomic = {getattr(parser, name, None) for name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT")}
    for op, value in items:
        if repeated and op == parser.LITERAL and value == ord(_PLACEHOLDER):
            yield "repeats {words:N}, which can take exponential time; use one larger gap"
        elif op in (parser.GROUPREF, parser.GROUPREF_EXISTS):
            yield "uses a back-reference, which can take exponential time; remove it"
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT):
            low, high, body = value
            if repeated and high > 1:
                yield (
                    "repeats a repetition (like `(a+)+`), which can take exponential time; "
                    "repeat once, or use {words:N} for a few words in between"
                )
            yield from _slow_parts(body, parser, repeated or high > 1)
        elif op in atomic:
            body = value[2] if isinstance(value, tuple) and len(value) == 3 else value
            yield from _slow_parts(body, parser, False)  # no backtracking into these
        elif op == parser.SUBPATTERN:
            yield from _slow_parts(value[-1], parser, repeated)
        elif op in (parser.ASSERT, parser.ASSERT_NOT):
            yield from _slow_parts(value[1], parser, False)  # lookarounds are atomic
        elif op == parser.BRANCH:
            if repeated:
                yield (
                    "repeats a choice of alternatives (like `(a|ab)+`), which can take "
                    "exponential time; repeat a character class instead"
                )
            for branch in value[1]:
                yield from _slow_parts(branch, parser, repeated)


def _parser() -> Any:
    """The standard library's own regular-expression parser (renamed in Python 3.11)."""
    return importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
