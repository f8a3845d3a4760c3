"""The pattern language of lint rules: Python regular expressions, bounded. Pure.

A playbook's patterns run on every draft, so they must not be able to hang the coach:
`problem` refuses what can take exponential time (back-references, a repetition inside a
repetition, alternatives inside a repetition) and what matches empty text. Patterns may use
the playbook's word classes as `{name}` and the vetted gap `{words:N}` (up to N words), which
is how a rule says "a few words in between" without nesting repetitions itself.
"""

from __future__ import annotations

import array
import base64
import importlib
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

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
            _, high, body = value
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


class Compiled(NamedTuple):
    """A compiled pattern and its anchors: groups of strings (lower case when the pattern
    ignores case) such that every match contains a string of each group."""

    regex: re.Pattern[str]
    anchors: tuple[tuple[str, ...], ...]


def compile_all(items: Sequence[tuple[str, int]], cache: Path | None = None) -> list[Compiled]:
    """Compile expanded patterns; with a `cache` folder, reuse what an earlier run compiled.

    The standard library compiles regular expressions in Python: a playbook's lint rules take
    about a second, every run. Their compiled code is kept per Python build and handed back
    to the C matcher, which checks it before use; anything unreadable is compiled afresh."""
    import json

    key = json.dumps([sys.version, list(items)])
    if key in _MEMO:
        return _MEMO[key]
    _MEMO[key] = _compile_all(items, key, cache)
    return _MEMO[key]


_MEMO: dict[str, list[Compiled]] = {}
"""Compiled patterns by what they compile: every playbook object with the same rules shares them."""


def _compile_all(items: Sequence[tuple[str, int]], key: str, cache: Path | None) -> list[Compiled]:
    import hashlib
    import json

    path = cache / f"{hashlib.sha256(key.encode()).hexdigest()}.json" if cache else None
    if path is not None:
        try:
            return [_from_code(item) for item in json.loads(path.read_text())]
        except (OSError, ValueError, TypeError, KeyError, IndexError, RuntimeError, OverflowError):
            pass  # not cached yet, or not usable: compile afresh below
    try:
        kept = [_code(pattern, flags) for pattern, flags in items]
        compiled = [_from_code(item) for item in kept]
    except (AttributeError, TypeError, ValueError, RuntimeError):  # another Python's internals
        return [Compiled(re.compile(pattern, flags), ()) for pattern, flags in items]
    if path is not None:
        from escalate_cli.errors import EscalateError
        from escalate_cli.files import write_atomic

        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(path, json.dumps(kept), force=True)
        except (OSError, EscalateError):
            pass  # a cache we cannot write only costs time
    return compiled


def _code(pattern: str, flags: int) -> dict[str, Any]:
    """What the C matcher needs to rebuild a compiled pattern, as plain data."""
    parser = _parser()
    compiler = importlib.import_module(
        "re._compiler" if sys.version_info >= (3, 11) else "sre_compile"
    )
    tree = parser.parse(pattern, flags)
    state = getattr(tree, "state", None) or tree.pattern
    names = dict(state.groupdict)
    index: list[str | None] = [None] * state.groups
    for name, number in names.items():
        index[number] = name
    code = array.array("I", [int(op) for op in compiler._code(tree, flags)])
    ranked = sorted(_anchors(tree.data, parser), key=_selectivity, reverse=True)
    groups = [group for group in ranked[:3] if min(map(len, group)) >= 3] or ranked[:1]
    if flags & re.IGNORECASE:
        groups = [{anchor.lower() for anchor in group} for group in groups]
    return {
        "p": pattern,
        "f": flags | state.flags,
        "c": base64.b64encode(code.tobytes()).decode(),
        "g": state.groups - 1,
        "n": names,
        "i": index,
        "a": [sorted(group) for group in groups],
    }


def _from_code(item: dict[str, Any]) -> Compiled:
    import _sre

    if not isinstance(item["p"], str) or not isinstance(item["a"], list):
        raise TypeError("not a compiled pattern")
    code = array.array("I")
    code.frombytes(base64.b64decode(item["c"], validate=True))
    regex: re.Pattern[str] = _sre.compile(
        item["p"], item["f"], code.tolist(), item["g"], item["n"], tuple(item["i"])
    )
    return Compiled(regex, tuple(tuple(map(str, group)) for group in item["a"]))


def _anchors(items: Any, parser: Any) -> list[set[str]]:
    """Groups of literal strings such that every match contains one string of each group.

    The coach looks for these with plain string search first and runs the pattern only on
    the sentences that have one of every group: most sentences never meet the pattern."""
    groups: list[set[str]] = []
    run: list[str] = []
    for op, value in items:
        if op == parser.LITERAL:
            run.append(chr(value))
            continue
        if run:
            groups.append({"".join(run)})
        run = []
        if op == parser.SUBPATTERN and not (value[1] or value[2]):  # no inline flag change
            groups.extend(_anchors(value[-1], parser))
        elif op == parser.BRANCH:
            best = [
                max(_anchors(branch, parser), key=_selectivity, default=None) for branch in value[1]
            ]
            if all(best):
                groups.append(set().union(*best))  # type: ignore[arg-type]
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT) and value[0] >= 1:
            groups.extend(_anchors(value[2], parser))
    if run:
        groups.append({"".join(run)})
    return groups


def _selectivity(anchors: set[str]) -> tuple[int, int]:
    return (min(len(anchor) for anchor in anchors), -len(anchors))
