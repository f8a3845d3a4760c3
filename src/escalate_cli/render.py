"""Rendering the playbook's message templates, safely and predictably. Pure.

Templates are playbook data, answers are user data. Templates run in Jinja's immutable
sandbox with strict undefined variables, no globals (no `range`, no `lipsum`), bounded
string and list arithmetic, no padding or format widths past the output cap, at most two
nested loops (counting the loops of the macros a loop calls), a cap on output, and a
bound on the time and memory a render may take (limits.py). Answers enter
only as values in the context (str, bool, list, dict), so `{{ 7*7 }}` typed by a user
stays `{{ 7*7 }}`.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import marshal
import operator
import re
import sys
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, filters, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from escalate_cli.errors import PlaybookError
from escalate_cli.files import cache_folder, keep, read_kept
from escalate_cli.limits import WorkTooLarge, bounded
from escalate_cli.playbook import TEMPLATES, Playbook, Question

MAX_OUTPUT = 100_000
MAX_SEQUENCE = 10_000
MAX_LOOP_DEPTH = 2


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox that cannot change lists or dicts (so a loop cannot feed itself), with
    `*` and `**` refused when they would build something huge."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError("exponent too large in a template")
            return operator.pow(left, right)
        sized = isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))
        if sized:
            count = right if isinstance(left, (str, list, tuple)) else left
            other = left if isinstance(left, (str, list, tuple)) else right
            if isinstance(count, int) and count * max(len(other), 1) > MAX_SEQUENCE:
                raise SecurityError("repetition too large in a template")
        return operator.mul(left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Refuse str methods asked to pad or format wider than the output may be."""
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        if isinstance(getattr(method, "__self__", None), str):
            _check_width(getattr(method, "__name__", ""), method.__self__, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


# Methods and filters whose arguments set how wide the result is.
_WIDENING = {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "format", "format_map"}
# A width or precision past the output cap, in a `{...}` field or a `%` conversion.
# (as text: `re` compiles it the first time a template formats something)
_WIDE_FORMAT = r"\{[^{}]*\d{7,}[^{}]*\}|%[-#0 +]*(?:\d{7,}|\*)|%[^%]*\.\d{7,}"


def _check_width(name: str, text: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if name not in _WIDENING:
        return
    numbers = [v for v in (*args, *kwargs.values()) if isinstance(v, int)]
    wide_format = name.startswith("format") and re.search(_WIDE_FORMAT, str(text))
    if wide_format or any(abs(n) > MAX_OUTPUT for n in numbers):
        raise SecurityError(f"{name}: a width past {MAX_OUTPUT:,} characters")


def _width_checked(name: str, filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter that first refuses widths past the output cap."""

    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_width(name, value, args, kwargs)
        return filter_(value, *args, **kwargs)

    return checked


# Filters: answers are typed as clauses, phrases, sentences or lists, with or without a
# full stop; these let one template read well for every shape. Pure, and total on any text.

_TRAILING = ".,;:!?… \t\r\n"
_BULLET = re.compile(r"^\s*(?:[-*•–]|(?:\d{1,3}|[ivx]{1,4}|[a-z])[.)])\s+", re.IGNORECASE)
"""A list marker: a bullet, "2.", "3)", "b)", "iv." (letters and numerals as people number)."""
_CLOSERS = "\"'”’)]"
_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"}


def items(text: Any) -> list[str]:
    """The points of an answer: one per non-empty line, bullet or number removed."""
    lines = (_BULLET.sub("", line).strip() for line in str(text or "").splitlines())
    return [line for line in lines if line.strip(_TRAILING)]


def clause(text: Any) -> str:
    """An answer that fits inside a sentence: one line, trailing punctuation and space
    trimmed, the user's capitalisation kept. Several lines are joined with semicolons."""
    return "; ".join(point.rstrip(_TRAILING) for point in items(text) if point.rstrip(_TRAILING))


def sentence(text: Any) -> str:
    """An answer as a whole sentence: its first letter capitalised when its first word is
    all lower case, ended by exactly one full stop (or the user's own ? or !)."""
    body = clause(text)
    if not body:
        return ""
    first = body.split(maxsplit=1)[0].rstrip(_TRAILING + "'\"")
    word = first.replace("-", "").replace("'", "").replace("’", "")  # "re-sent", "we've"
    if word.isalpha() and first.islower() and len(body[0].upper()) == 1:
        body = body[0].upper() + body[1:]
    if body[-1] in _CLOSERS and body[-2:-1] in ("?", "!", "."):
        return body  # ends with a quotation that ends a sentence: 'they said "not again."'
    ending = str(text).rstrip(" \t\r\n")[-1:]
    return body + (ending if ending in "?!" and "\n" not in str(text).strip() else ".")


def bullets(text: Any, marker: str = "-") -> str:
    """A (multi-line) answer as a list, one sentence per line, for a template that has one."""
    return "\n".join(f"{marker} {sentence(point)}" for point in items(text))


def points(text: Any) -> str:
    """After a label: one point as a sentence on the same line, several as a list below it
    ("What I tried:{{ tried|points }}")."""
    found = items(text)
    if len(found) == 1:
        return " " + sentence(found[0])
    return "".join(f"\n- {sentence(point)}" for point in found)


_RELATIVE = {"by", "on", "before", "within", "in", "at", "tomorrow", "today", "tonight"}
_RELATIVE |= {"this", "next", "later", "first", "early"}


_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE)


def when(text: Any) -> str:
    """A day or time as typed, trimmed like `clause`, weekday names capitalised
    ("friday noon" gives "Friday noon")."""
    return _WEEKDAY.sub(lambda day: day[0].capitalize(), clause(text))


def by_time(text: Any) -> str:
    """A time to be held to: "Friday noon" gives "by Friday noon"; "tomorrow at 10",
    "by Friday" and "Thursday by 5pm" stay as they are. Weekdays are capitalised."""
    when_ = when(text)
    words = [word.lower() for word in when_.split()]
    if not words or words[0] in _RELATIVE or {"by", "before", "until"} & set(words):
        return when_
    return f"by {when_}"


_JOB_TITLE = (  # as text: compiled when a name first comes with a comma
    r"\b(?:vp|svp|evp|avp|vice|president|director|head|chief|manager|lead|officer|founder"
    r"|owner|partner|c[a-z]?o|principal|gm|md)\b"
)


def first_name(text: Any) -> str:
    """The name to greet someone by: "Dana Whitfield", "Dr. Dana Whitfield",
    "Whitfield, Dana" and "Dana Whitfield, VP Operations" all give "Dana"."""
    name = str(text or "").strip()
    if "," in name:
        before, after = name.split(",", 1)
        name = before if re.search(_JOB_TITLE, after, re.IGNORECASE) else after
    words = [w for w in name.split() if w.rstrip(".").lower() not in _HONORIFICS]
    first = words[0].strip(_TRAILING) if words else name.strip(_TRAILING)
    return first[:1].upper() + first[1:] if first.islower() else first


def long_date(value: Any) -> str:
    """An ISO date as people write it in a message ("Friday 4 December"); any other text
    is returned unchanged, so a template never fails on a date typed by hand."""
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return str(value or "")
    return f"{day:%A} {day.day} {day:%B}"


_YOUR = re.compile(r"\b([Yy])our(s?)\b")
_YOU = re.compile(r"\b[Yy]ou\b")


def their(text: Any) -> str:
    """A commitment as the customer is told it ("refund your duplicate charges"), said
    about them in a draft for the team: "your" becomes "their", "yours" "theirs". Text
    that also says "you" is left as typed: "them" or "they" depends on the sentence, and
    "the integration you planned their launch around" reads worse than either."""
    if _YOU.search(str(text)):
        return str(text)
    return _YOUR.sub(lambda found: f"{'T' if found[1] == 'Y' else 't'}heir{found[2]}", str(text))


FILTERS = {
    "items": items,
    "clause": clause,
    "sentence": sentence,
    "bullets": bullets,
    "points": points,
    "by_time": by_time,
    "when": when,
    "first_name": first_name,
    "long_date": long_date,
    "their": their,
}


@functools.cache
def _environment() -> SandboxedEnvironment:
    """The one environment templates are compiled in and rendered with."""
    return environment()


def environment() -> SandboxedEnvironment:
    env = _BoundedSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.clear()
    for name in ("center", "format", "indent"):
        env.filters[name] = _width_checked(name, filters.FILTERS[name])
    env.filters.update(FILTERS)
    return env


def template_problems(book: Playbook) -> Iterator[tuple[str, str]]:
    """(template name, problem) for syntax errors, unknown variables and deep loops."""
    if book.templates is None:
        return
    from jinja2 import meta

    env = environment()
    known = {q.id for q in book.all_questions()} | set(EXTRA_VARIABLES)
    for name in TEMPLATES:
        source = getattr(book.templates, name)
        if source is None:
            continue
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            yield name, f"template line {exc.lineno}: {exc.message}"
            continue
        for variable in sorted(meta.find_undeclared_variables(tree) - known):
            yield name, f"`{variable}` is not a question id"
        macros = {macro.name: macro for macro in tree.find_all(nodes.Macro)}
        if _loop_depth(tree, macros, set()) > MAX_LOOP_DEPTH:
            yield name, f"loops nested more than {MAX_LOOP_DEPTH} deep (counting macros called)"
        for problem in sorted(set(_wide_calls(tree))):
            yield name, problem


def _loop_depth(node: nodes.Node, macros: dict[str, nodes.Macro], calling: set[str]) -> int:
    """Loops nested in `node`, where calling a macro nests the macro's own loops."""
    inner = max(
        (_loop_depth(child, macros, calling) for child in node.iter_child_nodes()), default=0
    )
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name):
        called = node.node.name
        if called in macros and called not in calling:  # a macro calling itself: see render
            inner = max(inner, _loop_depth(macros[called], macros, calling | {called}))
    return inner + 1 if isinstance(node, nodes.For) else inner


def _wide_calls(tree: nodes.Template) -> Iterator[str]:
    """Padding or format widths past the output cap that are written out in the template."""
    calls: list[nodes.Call | nodes.Filter] = [*tree.find_all(nodes.Call)]
    for node in [*calls, *tree.find_all(nodes.Filter)]:
        if isinstance(node, nodes.Filter):
            name, target = node.name, node.node
        elif isinstance(node.node, nodes.Getattr):
            name, target = node.node.attr, node.node.node
        else:
            continue
        args = [_constant(arg) for arg in (*node.args, *(kw.value for kw in node.kwargs))]
        text = _constant(target) if target is not None else None
        try:
            _check_width(name, text if isinstance(text, str) else "", tuple(args), {})
        except SecurityError as exc:
            yield f"line {node.lineno}: {exc.message}"


def _constant(node: nodes.Node) -> Any:
    """The value of a constant number or text, including `9**10` (which the sandbox will
    not fold), computed with the sandbox's own bounds; None when it is not constant."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Neg):
        value = _constant(node.node)
        return -value if isinstance(value, int) else None
    if isinstance(node, (nodes.Pow, nodes.Mul)):
        left, right = _constant(node.left), _constant(node.right)
        if isinstance(left, (int, str)) and isinstance(right, int):
            try:
                return _BoundedSandbox().call_binop(None, node.operator, left, right)
            except (SecurityError, ArithmeticError, TypeError):
                return None
    return None


EXTRA_VARIABLES = ("profile", "update_by", "pending")
"""Template variables besides the question ids: `profile` holds every profile key,
`update_by` the date the customer hears from us next when no time was given, and `pending`
the commitments their owners have not agreed to yet (`commitments` holds the rest;
brief.py)."""


def context(
    questions: list[Question], answers: dict[str, Any], profile: dict[str, str] | None = None
) -> dict[str, Any]:
    """Every question id, unanswered optional ones empty, values as plain data only; and
    the sender's profile, every key present (empty when not set)."""
    from escalate_cli.profile import KEYS

    empty: dict[str, Any] = {"yes_no": False, "multi": [], "commitments": []}
    values = {q.id: _plain(answers.get(q.id, empty.get(q.type, ""))) for q in questions}
    for q in questions:  # "none" or "-" for an optional answer means it was left out
        if not q.required and isinstance(values[q.id], str) and _says_nothing(values[q.id]):
            values[q.id] = ""
    values["profile"] = {key: str((profile or {}).get(key) or "") for key in KEYS}
    zone = values["profile"]["time_zone"]
    for q in questions if zone else ():
        if q.type == "when" and isinstance(values[q.id], str):
            values[q.id] = zoned(values[q.id], zone)
    values["update_by"] = ""  # `brief.draft` knows the day
    values["pending"] = []
    return values


_CLOCK = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)(?![\w.])|\b\d{1,2}:\d{2}\b|\b(?:noon|midday)\b"
    r"|\bat\s+\d{1,2}\b(?![/.:]\d)",
    re.IGNORECASE,
)
_ZONE = re.compile(r"\b(?:[A-Z]{1,4}T|UTC|GMT|Z)(?:[+-]\d{1,2}(?::\d{2})?)?(?!\w)|\btime\b")
"""A time zone already given: ET, CEST, UTC+1, GMT, "London time" (not EOD or COB)."""


def zoned(text: str, zone: str) -> str:
    """A time the user typed, with their time zone after its clock time when it names
    none ("Thursday at 3pm" -> "Thursday at 3pm ET"): a customer elsewhere reads "3pm"
    as theirs. A day without a time, or a time with a zone ("3pm CET", "London time"),
    is left as typed."""
    clock = _CLOCK.search(text)
    if clock is None or _ZONE.search(text):
        return text
    return f"{text[: clock.end()]} {zone}{text[clock.end() :]}"


_NOTHING = frozenset({"none", "n/a", "na", "nothing", "nothing yet", "not yet", "no", "nil", "tbd"})


def _says_nothing(text: str) -> bool:
    """An optional answer that only says there is none: "none", "n/a", "-", "...". Put in
    a draft it reads as "What we have done so far: None." or "So far: -."."""
    return clause(text).strip(" .-—–*…").lower() in _NOTHING | {""}


def _plain(value: Any) -> Any:
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


_COMPILED: dict[str, Template] = {}
"""Templates compiled in this process, by their text: a text always compiles the same way."""


def prepare(book: Playbook, cache: Path | None = None) -> None:
    """Compile the playbook's templates once per process; with a `cache` folder, once per
    template text, Jinja and Python: parsing a playbook's templates and generating their
    code takes longer than the rest of `brief`. What is kept is the code Jinja generated
    for this sandbox, in which every attribute, item, call and operator goes through the
    sandbox's checks at render time, as in code compiled afresh. A cache file that cannot
    be read, was made for other templates or versions, or that someone else could have
    written (see `files.cache_folder`), is ignored and replaced."""
    if book.templates is None:
        return
    sources = {name: getattr(book.templates, name) for name in book.drafts()}
    if all(source in _COMPILED for source in sources.values()):
        return
    env = _environment()
    key = _cache_key(env, sources)
    folder = cache_folder(cache)  # kept code is run: only from a folder of ours alone
    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()}.json" if folder else None
    codes = _kept_code(path, key, sources) if path else None
    if codes is None:
        codes = {name: env.compile(source) for name, source in sources.items()}
        if path is not None:
            _keep_code(path, key, codes)
    for name, source in sources.items():
        _COMPILED[source] = env.template_class.from_code(env, codes[name], env.make_globals(None))


def _cache_key(env: SandboxedEnvironment, sources: dict[str, str]) -> str:
    """Everything the generated code depends on: the texts, the versions of Python, Jinja
    and escalate, and the settings of the environment that shape the code."""
    import jinja2

    from escalate_cli import __version__

    settings = [
        type(env).__name__,
        sorted(env.intercepted_binops),
        sorted(env.intercepted_unops),
        [env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.autoescape],
    ]
    versions = [sys.version, jinja2.__version__, __version__]
    return json.dumps([versions, settings, sources], sort_keys=True)


def _kept_code(path: Path, key: str, sources: dict[str, str]) -> dict[str, CodeType] | None:
    """The code kept for exactly this key, or None (no file, another key, damaged)."""
    raw = read_kept(path)
    if raw is None:
        return None
    try:
        record = json.loads(raw)
        if record["key"] != key or record["code"].keys() != sources.keys():
            return None
        codes = {
            name: marshal.loads(base64.b64decode(blob, validate=True))
            for name, blob in record["code"].items()
        }
    except (ValueError, TypeError, KeyError, AttributeError, EOFError):
        return None
    return codes if all(isinstance(code, CodeType) for code in codes.values()) else None


def _keep_code(path: Path, key: str, codes: dict[str, CodeType]) -> None:
    """Keep the generated code for the next run; a folder we cannot write only costs time."""
    blobs = {name: base64.b64encode(marshal.dumps(code)).decode() for name, code in codes.items()}
    keep(path, json.dumps({"key": key, "code": blobs}))


def _template(source: str) -> Template:
    if source not in _COMPILED:
        _COMPILED[source] = _environment().from_string(source)
    return _COMPILED[source]


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_LABEL = re.compile(r"[A-Za-z][^\n:.{}]*:(?=[ \t]*\Z)")
_BEFORE_ANSWER = re.compile(r"^[ \t]*([A-Za-z][^\n:.{}]*:)[ \t]*\{\{-?[ \t]*(\w+)", re.MULTILINE)


def labels(book: Playbook, name: str) -> tuple[str, ...]:
    """The labels the template writes before a value ("Proposed path:", "Deal:"): its own
    literal words, which the message coach's model should not score (see `lint.Draft`)."""
    assert book.templates is not None
    return _labels(getattr(book.templates, name))


@functools.cache
def _labels(source: str) -> tuple[str, ...]:
    """Once per template source, as `_template` compiles each once."""
    found = (_LABEL.search(piece) for piece in _TAG.split(source))
    return tuple(sorted({label.group(0) for label in found if label}, key=len, reverse=True))


def labels_of(book: Playbook, name: str, ids: Collection[str]) -> tuple[str, ...]:
    """The labels right before which the template writes one of the answers `ids` ("What
    they want: {{ customer_wants|sentence }}"): the rest of such a line is that answer."""
    assert book.templates is not None
    return tuple(label for label, named in _labelled(getattr(book.templates, name)) if named in ids)


@functools.cache
def _labelled(source: str) -> tuple[tuple[str, str], ...]:
    """Each label at a line's start followed by an answer, with that answer's id."""
    return tuple((found[1], found[2]) for found in _BEFORE_ANSWER.finditer(source))


def render(book: Playbook, name: str, values: dict[str, Any]) -> str:
    """Render one template; a failure is the playbook's fault and says which template."""
    assert book.templates is not None
    template = _template(getattr(book.templates, name))
    size = 0
    parts: list[str] = []
    try:
        with bounded():
            for piece in template.generate(values):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise SecurityError(f"output longer than {MAX_OUTPUT:,} characters")
                parts.append(piece)
    except WorkTooLarge as exc:
        raise PlaybookError(
            f"templates.{name}: cannot render: the template {exc}",
            "simplify the template: fewer nested loops and macro calls, smaller strings",
        ) from None
    except RecursionError:
        raise PlaybookError(
            f"templates.{name}: cannot render: it calls itself without end",
            "fix the template in the playbook; a macro must not call itself forever",
        ) from None
    except Exception as exc:  # the template is playbook data: any failure is the playbook's
        raise PlaybookError(
            f"templates.{name}: cannot render: {type(exc).__name__}: {exc}",
            "fix the template in the playbook; `escalate playbook validate` checks it",
        ) from None
    return "".join(parts).strip() + "\n"
