"""One JSON object read from a file a piece at a time, its lists item by item. Pure.

`escalate import` reads handovers of a million notes: `json.load` would hold the whole
text and every parsed note at once. Here only a chunk of text and the value being read
are held; each value is decoded by the standard library's own decoder (`raw_decode`),
so what is accepted is exactly JSON, and the line each value starts on is known for
errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from escalate_cli.safe_yaml import (
    MAX_DEPTH,
    UNREADABLE,
    DocumentError,
    check_parsed,
    json_hint,
)

CHUNK = 1 << 20  # characters read at a time
_SPACE = re.compile(r"[ \t\n\r]*")
_HALF = re.compile(r"\\u[dD][89a-fA-F]")  # how a lone surrogate gets into JSON text
# A decoding error this close to the end of the text read so far may only mean the value
# goes on in the next chunk (a \uXXXX escape is the longest token, 6 characters).
_TOKEN = 6


class _DuplicateKey(Exception):
    """A key given twice in one object: JSON allows it, but which one was meant?"""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


class ObjectStream:
    """The members of the JSON object in `handle`, as `members()` reads them."""

    def __init__(self, handle: IO[str], source: str) -> None:
        self._handle = handle
        self.source = source
        self._decoder = json.JSONDecoder(object_pairs_hook=_unique)
        self._text = ""
        self._pos = 0  # where reading is in _text
        self._counted = 0  # newlines in _text before this are counted in _line
        self._line = 1
        self._whole_line = True  # _text starts at the start of a line
        self._eof = False
        self.line = 1  # the line the last value read starts on

    def members(self) -> Iterator[tuple[str, int | None, Any]]:
        """(key, None, value) for each member whose value is not a list, (key, index,
        item) for each item of one that is. Raises DocumentError, naming line and
        column, where the text stops being one JSON object."""
        self._expect("{", "Expecting an object")
        seen: set[str] = set()
        while self.peek() != "}":
            if seen:
                self._expect(",", "Expecting ',' delimiter")
            if self.peek() != '"':
                raise self._error("Expecting property name enclosed in double quotes")
            key = self._value()
            if key in seen:
                raise self._error(f"Duplicate key {key!r}", at_value=True)
            seen.add(key)
            self._expect(":", "Expecting ':' delimiter")
            if self.peek() != "[":
                yield key, None, self._value()
                continue
            self._pos += 1
            index = 0
            while self.peek() != "]":
                if index:
                    self._expect(",", "Expecting ',' delimiter")
                yield key, index, self._value()
                index += 1
            self._pos += 1
        self._pos += 1
        if self.peek():
            raise self._error("Extra data after the object")

    def _value(self) -> Any:
        """The JSON value at the reading position, however many chunks it spans."""
        if not self.peek():
            raise self._error("Expecting value (the file ends early)")
        self._mark()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self._text) - _TOKEN or exc.msg.startswith("Unterminated")
                if cut and self._more():
                    continue
                raise self._error(exc.msg, exc.pos) from None
            except _DuplicateKey as exc:
                raise self._error(f"Duplicate key {exc.args[0]!r}", at_value=True) from None
            except RecursionError:
                raise self._error("Nesting is too deep", at_value=True) from None
            if end == len(self._text) and self._more():
                continue  # a number may go on in the next chunk
            start, self._pos = self._pos, end
            nests = self._text.count("{", start, end) + self._text.count("[", start, end)
            if nests > MAX_DEPTH or _HALF.search(self._text, start, end):  # else it cannot fail
                check_parsed(value, f"{self.source}:{self.line}")
            return value

    def _expect(self, char: str, problem: str) -> None:
        found = self.peek()
        if found != char:
            raise self._error(problem if found else f"{problem} (the file ends early)")
        self._pos += 1

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            self._pos = _SPACE.match(self._text, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._more():
                return ""

    def _mark(self) -> None:
        """Note the line the reading position is on: the next value starts there."""
        self._line += self._text.count("\n", self._counted, self._pos)
        self._counted = self._pos
        self.line = self._line

    def _more(self) -> bool:
        """Drop what was read, and read at least as much again as is held (so a long value
        takes a number of reads logarithmic in its length). False at the end of the file."""
        if self._eof:
            return False
        self._mark()
        if self._pos:
            self._whole_line = self._text[self._pos - 1] == "\n"
        self._text, self._pos, self._counted = self._text[self._pos :], 0, 0
        try:
            chunk = self._handle.read(max(CHUNK, len(self._text)))
        except UnicodeDecodeError:
            raise DocumentError(
                f"{self.source}:{self._line}: the file is not UTF-8 text past this line",
                "save the file as UTF-8",
            ) from None
        except OSError as exc:
            raise DocumentError(
                f"{self.source}: cannot read it: {exc.strerror}", UNREADABLE
            ) from None
        self._text += chunk
        self._eof = not chunk
        return bool(chunk)

    def _error(self, problem: str, pos: int | None = None, at_value: bool = False) -> Exception:
        """DocumentError at `pos` (default: the reading position), or where the value
        being read starts."""
        if at_value:
            return DocumentError(
                f"{self.source}:{self.line}: not valid JSON: {problem}", json_hint(problem)
            )
        pos = self._pos if pos is None else pos
        line = self._line + self._text.count("\n", self._counted, pos)
        start = self._text.rfind("\n", 0, pos)
        where = f"{line}:{pos - start}" if start >= 0 or self._whole_line else f"{line}"
        return DocumentError(
            f"{self.source}:{where}: not valid JSON: {problem}", json_hint(problem)
        )
