"""The pattern language of lint rules: Python regular expressions, bounded. Pure.

A playbook's patterns run on every draft, so they must not be able to hang the coach:
`problem` refuses what can take exponential time (back-references, a repetition inside a
repetition, alternatives inside a repetition) and what matches empty text. Patterns may use
the playbook's word classes as `{name}` and the vetted gap `{words:N}` (up to N words), which
is how a rule says "a few words in between" without nesting repetitions itself.
"""

from __future__ import annotations

import array
import functools
import importlib
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

GAP = r"(?:[\w'’/-]+[\s,]+){0,%d}?"
"""`{words:N}`: up to N words, fewest first. Word and separator characters never overlap,
so the nested repetition cannot backtrack its way into exponential time."""

REFERENCE = re.compile(r"(?<!\\)\{([a-z][a-z0-9_]*)(?::(\d{1,2}))?\}")
_PLACEHOLDER = "\x00"


def expand(
    pattern: str,
    classes: Mapping[str, tuple[str, ...]],
    gap: str = GAP,
    _seen: tuple[str, ...] = (),
    written: dict[str, str] | None = None,
) -> str:
    """`pattern` with every `{class}` and `{words:N}` written out; KeyError names an unknown one.

    `written` keeps each class written out once, for the many patterns of one playbook
    (a class is written the same way wherever it is used, with the same `gap`)."""
    if "{" not in pattern:  # most items of word classes: nothing to write out
        return pattern

    def one(match: re.Match[str]) -> str:
        name, count = match.group(1), match.group(2)
        if count is not None:
            if name != "words":
                raise KeyError(f"{{{name}:{count}}}")
            return gap % int(count) if "%" in gap else gap
        if name in _seen:
            raise KeyError(f"{{{name}}} (it refers to itself)")
        if written is not None and name in written:
            return written[name]
        if name not in classes:
            raise KeyError(f"{{{name}}}")
        items = (expand(item, classes, gap, (*_seen, name), written) for item in classes[name])
        text = "(?:" + "|".join(items) + ")"
        if written is not None:
            written[name] = text
        return text

    return REFERENCE.sub(one, pattern)


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
    flags = int(flags)  # the parser is much slower with enum flags
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


class Compiled:
    """A lint pattern, compiled on first use, and its anchors: groups of strings (lower case
    when the pattern ignores case) such that every match contains a string of each group.

    The standard library compiles regular expressions in Python: the default rules took
    over a second. A draft meets few of them (their anchors say which), so only those are
    compiled, and what was compiled is kept for the next run (`keep_compiled`)."""

    def __init__(
        self, pattern: str, flags: int, facts: Facts, code: dict[str, Any] | bytes | None = None
    ) -> None:
        self.pattern, self.code = pattern, code
        self.anchors, self.reach = facts
        self.flags = int(flags)  # the compiler is twice as slow with enum flags
        self.fresh = False  # compiled in this process, not kept yet

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        """Compiled from the kept code if it is usable, else afresh (and then kept)."""
        if isinstance(self.code, bytes):  # shipped packed: unpacked only when a draft needs it
            self.code = _unpacked(self.code)
        if self.code is not None:
            try:
                return _from_code(self.pattern, self.code)
            except _UNUSABLE:
                self.code = None  # damaged, or kept by another build of Python
        try:
            code = _code(self.pattern, self.flags)
            regex = _from_code(self.pattern, code)
        except _UNUSABLE:  # another Python's internals: compile the ordinary way
            return re.compile(self.pattern, self.flags)
        self.code, self.fresh = code, True
        return regex


Anchors = tuple[tuple[str, ...], ...]


class Facts(NamedTuple):
    """What parsing a pattern tells: its anchors, and how many characters before the
    position it starts at it may look at (None: not known)."""

    anchors: Anchors
    reach: int | None


_UNUSABLE = (AttributeError, TypeError, ValueError, KeyError, IndexError, RuntimeError)
_FORMAT = 5
"""The layout of the kept files and how anchors and reach are worked out: bump it when
either changes, so files kept by an older version are not read."""
_SUFFIX = ".patterns"
"""Kept sets are marshal data (the code as it is, read back without decoding); those kept
as JSON by older versions, named `.json`, are only swept away."""


KEEP_SETS = 8
"""How many pattern sets a cache folder keeps, the most recently used: a playbook's rules,
the classifier's words and the draft's sentence ends each make one, and each edit of the
rules a new one."""
_KEPT_NAME = r"[0-9a-f]{64}\.(?:patterns|json)"


class _Kept(NamedTuple):
    patterns: list[Compiled]
    path: Path | None
    saved: bool


_MEMO: dict[str, _Kept] = {}
"""Patterns by what they compile: every playbook object with the same rules shares them."""


def compile_all(
    items: Sequence[tuple[str, int]],
    cache: Path | None = None,
    shipped: Path | None = None,
    shipped_code: Path | None = None,
) -> list[Compiled]:
    """Expanded patterns, ready to compile on first use.

    Their anchors come from a `cache` folder where an earlier run kept them (with the code
    of the patterns that run compiled, per Python build), else from `shipped` (anchors made
    when the bundled playbook was built, by a hash of the patterns), else from parsing
    every pattern. Where `shipped` holds their anchors and `shipped_code` their code for
    this Python (`shipped_code_record`), both are used and nothing is kept. Anything
    unreadable there is made afresh."""
    import json

    key = json.dumps([sys.version, list(items)])
    if key not in _MEMO:
        _MEMO[key] = _load(items, key, cache, shipped, shipped_code)
    return _MEMO[key].patterns


def keep_compiled() -> None:
    """Keep the anchors and compiled code of every pattern set that has news, for the next
    run; a cache we cannot write only costs time."""
    for key, kept in list(_MEMO.items()):
        if kept.path is None or (kept.saved and not any(p.fresh for p in kept.patterns)):
            continue
        from escalate_cli.files import keep

        entries = [
            {"a": list(map(list, p.anchors)), "r": p.reach, "k": p.code} for p in kept.patterns
        ]
        if not keep(kept.path, kept_record(entries)):
            continue
        if not kept.saved:  # a new set (an edited playbook, another Python): drop the oldest
            from escalate_cli.files import sweep_unused

            sweep_unused(kept.path.parent, _KEPT_NAME, KEEP_SETS)
        for pattern in kept.patterns:
            pattern.fresh = False
        _MEMO[key] = kept._replace(saved=True)


def shipped_anchors(items: Sequence[tuple[str, int]]) -> str:
    """The facts of `items` as the JSON a release ships next to its bundled playbook."""
    facts = [_facts(pattern, flags) for pattern, flags in items]
    record = {"anchors": [f.anchors for f in facts], "reach": [f.reach for f in facts]}
    return _dumps({"patterns": _digest(items), **record}) + "\n"


def shipped_code_record(items: Sequence[tuple[str, int]]) -> bytes:
    """The code of `items` compiled for this Python, as a release ships it next to its
    bundled playbook: each pattern's code packed on its own, since a draft needs a few, with
    the hash of the patterns and the matcher's version of its code (`_sre.MAGIC`)."""
    import _sre
    import marshal
    import zlib

    packed = [zlib.compress(marshal.dumps(_code(pattern, flags)), 9) for pattern, flags in items]
    return kept_record({"patterns": _digest(items), "magic": _sre.MAGIC, "code": packed})


def kept_record(entries: Any) -> bytes:
    """A kept set's file: its entries in marshal, with their CRC to find damage (only we
    can write the file)."""
    import marshal
    import zlib

    payload = marshal.dumps(entries)
    return marshal.dumps((_FORMAT, zlib.crc32(payload), payload))


def _kept_entries(raw: bytes) -> Any:
    """The entries of a kept set's file, or None if it is not one of ours, whole."""
    import marshal
    import zlib

    try:
        layout, check, payload = marshal.loads(raw)
        if layout == _FORMAT and zlib.crc32(payload) == check:
            return marshal.loads(payload)
    except (ValueError, TypeError, EOFError):
        pass
    return None


def _load(
    items: Sequence[tuple[str, int]],
    key: str,
    cache: Path | None,
    shipped: Path | None,
    shipped_code: Path | None,
) -> _Kept:
    import hashlib

    from escalate_cli.files import cache_folder, read_kept

    name = hashlib.sha256(f"{_FORMAT}{key}".encode()).hexdigest()
    folder = cache_folder(cache)  # kept code goes to the C matcher: only a folder of ours alone
    path = folder / f"{name}{_SUFFIX}" if folder else None
    raw = read_kept(path) if path else None
    entries = _kept_entries(raw) if raw is not None else None
    if entries is not None:
        try:
            if len(entries) == len(items):
                patterns = [
                    Compiled(pattern, flags, _read(entry["a"], entry["r"]), entry["k"])
                    for (pattern, flags), entry in zip(items, entries, strict=True)
                ]
                return _Kept(patterns, path, saved=True)
        except (ValueError, TypeError, KeyError):
            pass  # not usable: made afresh below
    digest = _digest(items) if shipped else ""
    facts = _shipped_facts(shipped, digest, len(items)) if shipped else None
    packed = _shipped_packed(shipped_code, digest, len(items)) if shipped_code and facts else None
    if facts and packed:  # compiled when the playbook was built: nothing to keep
        triples = zip(items, facts, packed, strict=True)
        return _Kept([Compiled(p, f, fact, code) for (p, f), fact, code in triples], None, True)
    if facts is None:
        facts = [_facts(pattern, flags) for pattern, flags in items]
    return _Kept(
        [Compiled(p, f, fact) for (p, f), fact in zip(items, facts, strict=True)], path, False
    )


def _shipped_facts(path: Path, digest: str, count: int) -> list[Facts] | None:
    """The anchors shipped at `path` (`shipped_anchors`), if they are those of the `count`
    patterns whose `_digest` is `digest`."""
    import json

    try:
        record = json.loads(path.read_text())
        if record["patterns"] == digest:
            pairs = zip(record["anchors"], record["reach"], strict=True)
            facts = [_read(anchors, reach) for anchors, reach in pairs]
            return facts if len(facts) == count else None
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return None


def _shipped_packed(path: Path, digest: str, count: int) -> list[bytes] | None:
    """The packed code shipped at `path` (`shipped_code_record`), if it is that of the
    `count` patterns whose `_digest` is `digest`, for this Python's matcher."""
    import _sre

    try:
        record = _kept_entries(path.read_bytes())
        packed = record["code"]
        fits = record["patterns"] == digest and record["magic"] == _sre.MAGIC
        if fits and len(packed) == count and all(isinstance(c, bytes) for c in packed):
            return list(packed)
    except (OSError, TypeError, KeyError):
        pass
    return None


def _unpacked(packed: bytes) -> dict[str, Any] | None:
    """One pattern's code from a shipped record, or None if it is damaged."""
    import marshal
    import zlib

    try:
        code = marshal.loads(zlib.decompress(packed))
    except (zlib.error, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, dict) else None


def _digest(items: Sequence[tuple[str, int]]) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps([_FORMAT, list(items)]).encode()).hexdigest()


def _dumps(data: Any) -> str:
    import json

    return json.dumps(data, separators=(",", ":"))


def _read(anchors: Any, reach: Any) -> Facts:
    """Facts read back (from a kept set, or the shipped JSON), checked for shape."""
    if not isinstance(anchors, list) or not all(
        isinstance(group, list) and group and all(isinstance(s, str) and s for s in group)
        for group in anchors
    ):
        raise TypeError("not anchors")
    if reach is not None and (type(reach) is not int or reach < 0):
        raise TypeError("not a reach")
    return Facts(tuple(tuple(group) for group in anchors), reach)


def _facts(pattern: str, flags: int) -> Facts:
    """Up to three anchor groups of a pattern, the most selective first, and its reach."""
    parser = _parser()
    flags = int(flags)  # the parser is much slower with enum flags
    try:
        tree = parser.parse(pattern, flags)
        reach = 2 + _behind(tree.data, parser)  # and a word boundary looks one back
    except (*_UNUSABLE, re.error):
        return Facts((), None)
    state = getattr(tree, "state", None) or tree.pattern
    if state.flags & re.IGNORECASE and not flags & re.IGNORECASE:
        return Facts((), reach)  # an inline (?i) for the whole pattern: anchors would miss
    ranked = sorted(_anchors(tree.data, parser), key=_selectivity, reverse=True)
    # two letters ("ll", "hq") still rule out most sentences; one ("!", " ") hardly any
    groups = [group for group in ranked[:3] if min(map(len, group)) >= 2] or ranked[:1]
    if flags & re.IGNORECASE:
        groups = [{anchor.lower() for anchor in group} for group in groups]
    return Facts(tuple(tuple(sorted(group)) for group in groups), reach)


def _behind(items: Any, parser: Any) -> int:
    """The widths of every lookbehind in a parsed pattern, added up: no lookbehind, nested
    or not, reads further back than that from where the match started."""
    total = 0
    for op, value in items:
        if op in (parser.ASSERT, parser.ASSERT_NOT) and value[0] < 0:
            total += value[1].getwidth()[1]
        for part in value if isinstance(value, (tuple, list)) else (value,):
            for sub in part if isinstance(part, list) else (part,):
                if isinstance(sub, parser.SubPattern):
                    total += _behind(sub.data, parser)
    return total


def _code(pattern: str, flags: int) -> dict[str, Any]:
    """What the C matcher needs to rebuild a compiled pattern, as plain data."""
    parser = _parser()
    flags = int(flags)
    compiler = importlib.import_module(
        "re._compiler" if sys.version_info >= (3, 11) else "sre_compile"
    )
    tree = parser.parse(pattern, flags)
    state = getattr(tree, "state", None) or tree.pattern
    names = dict(state.groupdict)
    index: list[str | None] = [None] * state.groups
    for name, number in names.items():
        index[number] = name
    _check_first(tree, parser, state)
    code = array.array("I", [int(op) for op in compiler._code(tree, flags)])
    return {
        "f": flags | state.flags,
        "c": code.tobytes(),
        "g": state.groups - 1,
        "n": names,
        "i": index,
    }


FIRST_CHARACTERS = 24
"""How many characters a pattern's first may be for a check of it up front to pay."""


def _check_first(tree: Any, parser: Any, state: Any) -> None:
    """Check the first character up front in a pattern that starts with a word boundary or
    a lookaround. The matcher tries a pattern at every position and, ignoring case, has no
    quick way to rule one out: a choice of words or a row of lookbehinds costs
    microseconds a sentence, one character class nanoseconds. Every match starts with
    one of those characters, so the matches are the same."""
    data = tree.data
    if not data:
        return
    op, value = data[0]
    if op is parser.AT and value is parser.AT_BOUNDARY:
        at = 1
    elif op in (parser.ASSERT, parser.ASSERT_NOT):
        at = 0
    else:
        return
    first = _first(data, parser)
    if first is None:
        return
    width = 0
    for kind, item in first:
        if kind is parser.CATEGORY and item is not parser.CATEGORY_DIGIT:
            return  # a word or space character: hardly any position is ruled out
        width += (
            10 if kind is parser.CATEGORY else item[1] - item[0] + 1 if kind is parser.RANGE else 1
        )
    if width <= FIRST_CHARACTERS:
        look = parser.SubPattern(state, [(parser.IN, sorted(first))])
        data.insert(at, (parser.ASSERT, (1, look)))


def _first(items: Any, parser: Any) -> set[tuple[Any, Any]] | None:
    """The character-class items one of which every match of `items` starts with (in the
    parser's terms), or None when that is not known."""
    found: set[tuple[Any, Any]] = set()
    for op, value in items:
        if op in (parser.AT, parser.ASSERT, parser.ASSERT_NOT):
            continue  # they match no character
        if op is parser.LITERAL:
            return found | {(op, value)}
        if op is parser.IN:
            if any(kind is parser.NEGATE for kind, _ in value):
                return None
            return found | set(value)
        if op is parser.SUBPATTERN:
            if value[1] & re.IGNORECASE:
                return None  # `(?i:...)` in a pattern that minds case
            parts, optional = [value[-1]], False
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT):
            parts, optional = [value[2]], value[0] == 0
        elif op is parser.BRANCH:
            parts, optional = value[1], False
        else:
            return None
        for part in parts:  # a part that has a first character matches at least one
            inner = _first(part.data, parser)
            if inner is None:
                return None
            found |= inner
        if not optional:
            return found
    return None  # the pattern may end before matching a character


def _from_code(pattern: str, item: dict[str, Any]) -> re.Pattern[str]:
    """A compiled pattern rebuilt from `_code`'s data; the C matcher checks the code."""
    import _sre

    code = array.array("I")
    code.frombytes(item["c"])  # not whole numbers of code: ValueError
    regex: re.Pattern[str] = _sre.compile(
        pattern, item["f"], code.tolist(), item["g"], item["n"], tuple(item["i"])
    )
    return regex


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
        if op == parser.SUBPATTERN and not value[1] & re.IGNORECASE:
            # `(?-i:URGENT)`: found in the lower-cased draft all the same; `(?i:...)` is not
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
