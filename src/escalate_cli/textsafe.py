"""Making user text safe to show: control characters visible, Markdown inert; and
words that agree with what they count or name.

Notes and answers come from people and pasted emails. A stray escape sequence must not
recolour or rewrite the terminal, a bidi control must not reorder what is read, and
Markdown punctuation must not turn a note into a link. Pure functions.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable

_KEEP = {"\n", "\t"}
_NOT_ASCII_TEXT = re.compile(r"[^\n\t -~]")
_MD_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)
_PLAIN_IN_DOUBLE = re.compile(r'[^"$`\\!]*')


def _is_hidden(char: str) -> bool:
    return char not in _KEEP and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def visible(text: str) -> str:
    """Control, format and bidi characters shown as escapes such as \\x1b or \\u202e."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text  # the common case, checked in C: nothing hidden in it
    return "".join(_escape(c) if _is_hidden(c) else c for c in text)


def json_escaped(document: str) -> str:
    """A JSON document with its control, format and bidi characters as `\\u` escapes:
    the same data to any JSON reader, nothing hidden to a person reading the file."""
    if document.isascii() and "\x7f" not in document:
        return document  # JSON escapes the other control characters itself
    return _NOT_ASCII_TEXT.sub(_json_escape, document)


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if not _is_hidden(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def first_hidden(text: str) -> str | None:
    """The first control, format or bidi character in `text`, as its escape; else None."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return None
    return next((_escape(c) for c in text if _is_hidden(c)), None)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def markdown(text: str) -> str:
    """User text for a Markdown document: visible, and read literally by a renderer."""
    escaped = visible(text).translate(_MD_INLINE)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def one_line(text: str) -> str:
    """Visible text folded onto one line (for tables and list items)."""
    return " ".join(visible(text).split())


def first_words(text: str, count: int = 8) -> str:
    """The start of a note or a promise, enough to tell which one it is: its first `count`
    words, visible, on one line, with `…` where it goes on."""
    words = one_line(text).split(" ")
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def code_fence(text: str) -> str:
    """A Markdown code fence longer than any backtick run in `text`, so it stays literal."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def shell_words(words: Iterable[str]) -> str:
    """A command line to copy into a POSIX shell, each word quoted as it must be; one that
    holds a ' goes in double quotes when nothing else in it is special there, to read
    "being told 'per our policy'" rather than shlex's '"'"' runs."""
    return " ".join(
        f'"{word}"' if "'" in word and _PLAIN_IN_DOUBLE.fullmatch(word) else shlex.quote(word)
        for word in words
    )


def with_article(words: str) -> str:
    """`words` after "a" or "an", as their first letter calls for ("an answers file",
    "an `assess` draft", "a draft"); quotes or backticks in front do not count."""
    first = words.lstrip("`'\"")[:1].lower()
    return f"{'an' if first and first in 'aeiou' else 'a'} {words}"


def plural(count: int, word: str, words: str = "") -> str:
    """`1 answer`, `2 answers`: a count with its noun agreeing (`words` if not just +s)."""
    return f"{count} {word if count == 1 else words or word + 's'}"
