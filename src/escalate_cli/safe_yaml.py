"""Safe, bounded YAML/JSON reading that remembers where every value came from.

Playbooks and answers files come from colleagues and scripts, so reading them must never
run code, explode on aliases or recurse without bound, and every complaint must point at
`file:line:col`. We compose the node tree with PyYAML's safe (C where available) loader and
build plain Python values ourselves, allowing only the core tags and recording positions.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Hashable
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from escalate_cli.errors import EscalateError
from escalate_cli.records import record
from escalate_cli.textsafe import with_article

if TYPE_CHECKING:
    import yaml
else:

    class _LazyYaml:
        """PyYAML, imported on first use: reading a draft, or a playbook that validated
        before, needs none of it, and importing it is a good part of a quick command."""

        def __getattr__(self, name: str) -> Any:
            import yaml

            value = getattr(yaml, name)
            setattr(self, name, value)
            return value

    yaml = _LazyYaml()

MAX_BYTES = 1_000_000
UNREADABLE = "check that you may read it: `ls -l` shows its owner and permissions"
MAX_NODES = 100_000
MAX_DEPTH = 64
# Past these, nesting may be deep enough to overflow the C composer's recursion, so the
# event stream is scanned first; below them, `_Builder` reports anything past MAX_DEPTH.
# 150 flow brackets + 2 levels per column of 170 leading columns stays under 500 levels.
_FLOW_BOUND = 150
_LEADING_BLOCK = r"(?m)^[ \t?:-]{170}"  # compiled when YAML is read


def _Loader(stream: str) -> Any:
    """The safe loader, C where available, made as yaml.compose makes its Loader."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)(stream)


_ALLOWED_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}

Path_ = tuple[Any, ...]  # keys and indexes from the document root


@record
class Located:
    """A parsed document and the 1-based (line, column) of each value by its path."""

    source: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    plain: dict[Path_, str] = field(default_factory=dict)
    """The text of each unquoted scalar as written, for answers YAML would misread
    (`10:30` is the number 630 in YAML 1.1, `0x1F` is 31)."""

    def where(self, path: Path_) -> str:
        """`source:line:col` for the deepest known part of `path`."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:end]))
            if mark:
                return f"{self.source}:{mark[0]}:{mark[1]}"
        return self.source


class DocumentError(EscalateError):
    """A file that is not a readable, safe YAML/JSON document."""


def read_text(path: Path, label: str, limit: int = MAX_BYTES) -> str:
    """Read a UTF-8 file within the size limit, or explain what is wrong with it."""
    with open_file(path, label) as handle:
        raw = read_open(handle, path, label, limit)
    return decode(raw, str(path), label, limit)


def read_open(handle: BinaryIO, path: Path, label: str, limit: int = MAX_BYTES) -> bytes:
    """Up to one byte past the size limit of a file `open_file` opened (`decode` says
    when it is too large)."""
    try:
        return handle.read(limit + 1)
    except OSError as exc:
        raise DocumentError(
            f"{path}: cannot read the {label}: {exc.strerror}", UNREADABLE
        ) from None


def open_file(path: Path, label: str) -> BinaryIO:
    """Open a file to read, or explain why it cannot be. A named pipe nobody writes to
    reads as empty instead of waiting forever."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such {label}", "check the path") from None
    except IsADirectoryError:
        raise DocumentError(
            f"{path}: is a folder, not {with_article(label)}", "name a file"
        ) from None
    except OSError as exc:
        raise DocumentError(
            f"{path}: cannot read the {label}: {exc.strerror}", UNREADABLE
        ) from None
    if stat.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise DocumentError(f"{path}: is a folder, not {with_article(label)}", "name a file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def decode(raw: bytes, source: str, label: str, limit: int = MAX_BYTES) -> str:
    """Bytes to text: UTF-8 only, within the size limit, errors at the offending line."""
    if len(raw) > limit:
        raise DocumentError(
            f"{source}: the {label} is larger than {limit:,} bytes",
            "check you named the right file",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DocumentError(
            f"{source}:{line}:{col}: byte 0x{raw[exc.start]:02x} is not UTF-8",
            "save the file as UTF-8",
        ) from None


def parse(text: str, source: str) -> Located:
    """Parse YAML (or JSON, which YAML mostly contains) into plain values with positions."""
    try:
        if _may_nest_deeply(text):
            _check_depth(text, source)
        node = yaml.compose(text, Loader=_Loader)  # type: ignore[arg-type]  # a factory
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, source, text) from None
    except yaml.YAMLError as exc:
        raise DocumentError(
            f"{source}: not valid YAML: {exc}",
            "save it as plain YAML or JSON text, without control characters",
        ) from None
    except RecursionError:
        raise DocumentError(
            f"{source}: nesting is too deep", f"keep nesting under {MAX_DEPTH} levels"
        ) from None
    if node is None:
        return Located(source, None, {})
    builder = _Builder(source)
    data = builder.build(node, (), 0)
    return Located(source, data, builder.marks, builder.plain)


def _may_nest_deeply(text: str) -> bool:
    """A cheap, generous bound on nesting: a flow bracket opens one level; block
    collections nest by column (two levels per column, since a sequence may share its
    mapping's column), and only indentation and `- `, `? `, `: ` indicators move the
    column of the next collection."""
    flow = text.count("[") + text.count("{")
    return flow > _FLOW_BOUND or re.search(_LEADING_BLOCK, text) is not None


def _check_depth(text: str, source: str) -> None:
    """Walk the event stream (no recursion) and stop at the first level past MAX_DEPTH,
    before the composer, which recurses in C and can overflow the stack, sees the text."""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
                    raise DocumentError(
                        f"{where}: nesting is deeper than {MAX_DEPTH} levels",
                        "flatten the structure",
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def parse_json_fallback(text: str, source: str) -> Located:
    """JSON that YAML rejects (tab indentation): parse as JSON, rejecting duplicate keys."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise DocumentError(f"{source}: duplicate key {key!r}", "keep one of them")
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}", json_hint(exc.msg)
        ) from None
    except DocumentError as exc:  # a duplicate key: JSON's reader cannot say where
        raise _duplicate_located(text, source) or exc from None
    except RecursionError:
        raise _too_deep(source) from None
    check_parsed(data, source)
    return Located(source, data, {})


def _duplicate_located(text: str, source: str) -> DocumentError | None:
    """The error YAML's reading gives for a key given twice: it names line and column."""
    try:
        parse(text, source)
    except DocumentError as exc:
        return exc if "duplicate key" in exc.message else None
    return None


def parse_json(text: str, source: str) -> Located:
    """A file named .json, read as JSON only: YAML reads far more, so a slip in a JSON
    file (`id: yes` without braces and quotes) would pass as an answer nobody meant."""
    try:
        data = parse_json_fallback(text, source).data
    except DocumentError as exc:
        if text.lstrip().startswith(("{", "[")):
            raise
        raise DocumentError(
            exc.message,
            "a .json file is read as JSON: put the mapping in braces, keys and text in double "
            'quotes ({"key": "value"}); or, to write YAML, name the file .yaml',
        ) from None
    positions = _Positions(text, source)
    return Located(source, data, positions.marks, positions.plain)


def check_parsed(data: Any, source: str) -> None:
    """Parsed JSON is no deeper than MAX_DEPTH and all of its text is text."""
    deepest, stack = 0, [(data, 0)]
    while stack:  # without recursion: check the depth and every text
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_unicode(item, source)
        elif isinstance(item, (list, dict)):
            deepest = max(deepest, depth + 1)
            children = [*item, *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    if deepest > MAX_DEPTH:
        raise _too_deep(source)


def _too_deep(source: str) -> DocumentError:
    return DocumentError(
        f"{source}: nesting is deeper than {MAX_DEPTH} levels", "flatten the structure"
    )


def _check_unicode(text: str, where: str) -> None:
    """A lone surrogate (`"\\ud800"` in JSON) is not text: it cannot be stored or printed."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise DocumentError(
                f"{where}: a \\u escape names half of a character (a lone surrogate)",
                "write the character itself, or its complete surrogate pair",
            ) from None


def load(path: Path, label: str) -> Located:
    """Read and parse one file: JSON if it is named so, else YAML (or JSON)."""
    text = read_text(path, label)
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path))
    return parse_document(text, str(path))


def parse_document(text: str, source: str) -> Located:
    """Parse text as YAML, falling back to strict JSON for JSON that YAML cannot read.

    JSON that YAML would read the same way (what scripts write) is read by the json
    module, and YAML is imported only if a position is asked for, for an error message."""
    if _json_reads_it_as_yaml_would(text):
        with contextlib.suppress(DocumentError):
            data = parse_json_fallback(text, source).data
            positions = _Positions(text, source)
            return Located(source, data, positions.marks, positions.plain)
    try:
        return parse(text, source)
    except DocumentError:
        if text.lstrip().startswith(("{", "[")):
            return parse_json_fallback(text, source)
        raise


# Where the json module and YAML 1.1 part ways on text both read: numbers with an exponent
# (YAML reads 1e5 as text), NaN or Infinity (JSON extensions, text to YAML), and the
# characters YAML takes for line breaks inside a string (it folds them to spaces). Found
# anywhere, even inside a string, the document is read as YAML.
_READ_DIFFERENTLY = re.compile("[0-9.][eE][-+0-9]|NaN|Infinity|[\x85\u2028\u2029]")


def _json_reads_it_as_yaml_would(text: str) -> bool:
    return (
        text.lstrip().startswith(("{", "["))
        and text.count(",") + text.count(":") < MAX_NODES  # YAML's limit on values
        and _READ_DIFFERENTLY.search(text) is None
    )


class _Positions:
    """The marks and plain scalars of a JSON document, found by reading it as YAML the
    first time either is asked for: an error message needs them, a good file never does."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.marks = _OnDemand(self, "marks")
        self.plain = _OnDemand(self, "plain")
        self._read: Located | None = None

    def read(self) -> Located:
        if self._read is None:
            try:
                self._read = parse(self.text, self.source)
            except DocumentError:  # JSON that only the json module reads: no positions
                self._read = Located(self.source, None)
        return self._read


class _OnDemand(dict[Any, Any]):
    """A dict filled from `_Positions` on first look-up."""

    def __init__(self, positions: _Positions, part: str) -> None:
        super().__init__()
        self.positions, self.part, self.filled = positions, part, False

    def _fill(self) -> None:
        if not self.filled:
            self.filled = True
            self.update(getattr(self.positions.read(), self.part))

    def get(self, key: Any, default: Any = None) -> Any:
        self._fill()
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self._fill()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)


def json_hint(problem: str) -> str:
    """What to change for a JSON syntax error, from the parser's wording of it."""
    if "Duplicate key" in problem:
        return "keep one of them"
    if "Nesting" in problem:
        return f"flatten the structure: keep nesting under {MAX_DEPTH} levels"
    if "property name" in problem:
        return "put every key in double quotes, and drop any comma after the last item"
    if "delimiter" in problem:
        return "a comma is missing between two items, or a bracket or brace is not closed"
    if "Extra data" in problem:
        return "the file holds more than one JSON value: keep one object"
    if "Unterminated string" in problem or "control character" in problem:
        return "close each string with a double quote on the same line; write a line break as \\n"
    if "ends early" in problem:
        return "close every bracket and brace that the file opens"
    return "check that line: keys and strings in double quotes, a comma between items"


def _syntax_error(exc: yaml.MarkedYAMLError, source: str, text: str) -> DocumentError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "syntax error"
    if mark is None:
        return DocumentError(f"{source}: {problem}", "check the indentation and quoting")
    lines = text.splitlines()
    row, column, found, hint = _mistake(exc, mark.line, mark.column, lines)
    line = lines[row] if row < len(lines) else ""
    if "tab" in problem or "\\t" in problem or "\t" in line[: len(line) - len(line.lstrip())]:
        hint = "YAML does not allow tabs for indentation; indent with spaces"
    elif "nesting" in problem:
        hint = f"flatten the structure: keep nesting under {MAX_DEPTH} levels"
    elif "alias" in problem or "anchor" in problem:
        hint = "define an anchor (&name) before using it as an alias (*name)"
    return DocumentError(f"{source}:{row + 1}:{column + 1}: {found or problem}", hint)


def _mistake(
    exc: yaml.MarkedYAMLError, row: int, column: int, lines: list[str]
) -> tuple[int, int, str, str]:
    """Where the mistake is (0-based line and column), what it is when the parser's words
    would not fit there (else ""), and what to change. The parser notices an unclosed
    quote or bracket, or a missing colon, only at the text after it, often on a later
    line (`row`, `column` is where it stopped), and a line indented too far at its colon."""
    begun, context, problem = exc.context_mark, exc.context or "", exc.problem or ""
    unclosed = "a quote opens here and is not closed", "end the text with the same quote"
    if begun is not None and begun.line < row:
        if "quoted scalar" in context:
            return begun.line, begun.column, *unclosed
        if "simple key" in context:
            return *_colon_place(lines, row), "", _NO_COLON
        if "flow" in context:
            opened = f"{lines[begun.line][begun.column]} opened at line {begun.line + 1}"
            close = f"close the {opened}, column {begun.column + 1}, or put commas between items"
            return *_end_of_text_before(lines, row), "", close
    line = lines[row] if row < len(lines) else ""
    before = line[:column].rstrip()
    quote = before[-1:]
    if quote in ("'", '"') and before.count(quote) % 2:
        # it stopped just after a quote that closed text opened on an earlier line: where?
        for earlier in range(row - 1, -1, -1):
            if lines[earlier].count(quote) % 2:
                # a quote opens a value at the start, or after a space, bracket or comma
                opens = [m.end() - 1 for m in re.finditer(rf"(^|[\s\[{{,]){quote}", lines[earlier])]
                if opens:
                    return earlier, opens[-1], *unclosed
                break
    if "mapping values" in problem and ": " not in before:
        indent = len(line) - len(line.lstrip(" "))
        if indent:
            return row, indent, "", _INDENTED
        last, end = _colon_place(lines, row)
        if last < row and ":" not in lines[last]:  # the first line, without its colon
            return last, end, "", _NO_COLON
    if "simple key" in context:
        return row, column, "", _NO_COLON
    return row, column, "", "check the indentation and quoting on that line"


_NO_COLON = "put a colon and a space after the key: `key: value`"
_INDENTED = (
    "this line is indented under the one above, so it reads as more of the value there: "
    "start it in the same column as the keys beside it, or quote a value holding ': '"
)


def _colon_place(lines: list[str], row: int) -> tuple[int, int]:
    """Where the missing colon belongs, on the last line with text before `row`: after
    its first word when a value follows it (`tried_to_resolve yes`), else at its end."""
    last, end = _end_of_text_before(lines, row)
    key = re.match(r"\s*(?:-\s+)?[^\s:#]+(?=\s+\S)", lines[last]) if last < row else None
    return (last, key.end()) if key and ":" not in lines[last] else (last, end)


def _end_of_text_before(lines: list[str], row: int) -> tuple[int, int]:
    """Just past the last text (comments aside) on the lines before `row`."""
    for last in range(row - 1, -1, -1):
        text = lines[last].split(" #")[0].rstrip()
        if text and not text.lstrip().startswith("#"):
            return last, len(text)
    return row, 0


class _Builder:
    """Turns a composed node graph into dicts, lists and scalars, with limits and marks."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.plain: dict[Path_, str] = {}
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def where(self, node: yaml.Node) -> str:
        return f"{self.source}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise DocumentError(
                f"{self.where(node)}: the document expands to more than {MAX_NODES:,} values",
                "split the file, or if it uses aliases (*name) nested inside each other, "
                "write those values out",
            )
        if depth > MAX_DEPTH:
            raise DocumentError(
                f"{self.where(node)}: nesting is deeper than {MAX_DEPTH} levels",
                "flatten the structure",
            )
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self._tag_error(node)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if node.tag not in _ALLOWED_SCALAR_TAGS:
            raise self._tag_error(node)
        if not getattr(node, "style", None):  # plain: None from PyYAML, '' from libyaml
            self.plain[path] = node.value
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise DocumentError(
                f"{self.where(node)}: cannot read this value: {exc}",
                'put it in quotes to keep it as text: "2026-13-01"',
            ) from None
        if isinstance(value, str):
            _check_unicode(value, self.where(node))
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[Any, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self._tag_error(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise DocumentError(
                    f"{self.where(key_node)}: merge keys (<<) are not supported",
                    "write the keys out",
                )
            key = self.build(key_node, (*path, "<key>"), depth + 1)
            if not isinstance(key, Hashable) or isinstance(key, (list, dict)):
                raise DocumentError(
                    f"{self.where(key_node)}: a key must be a plain value",
                    "write the key as a word or quoted text, not a list or mapping",
                )
            if key in result:
                first = self.marks.get((*path, key))
                seen = f" (first at line {first[0]})" if first else ""
                raise DocumentError(
                    f"{self.where(key_node)}: duplicate key {key!r}{seen}",
                    "a key may appear once in a mapping; keep one and delete the other",
                )
            key_path = (*path, key)
            self.marks[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, key_path, depth + 1)
        return result

    def _tag_error(self, node: yaml.Node) -> DocumentError:
        return DocumentError(
            f"{self.where(node)}: the tag {node.tag} is not allowed",
            "playbooks and answers hold plain text, numbers, yes/no, lists and mappings only",
        )
