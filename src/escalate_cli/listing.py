"""Lists of any length (notes, partners, commitments): written as they are read from the
store, so a long one costs time in proportion to its length and memory not at all.

A screenful or so is shown as a rich table (`present`); past TABLE_ROWS the terminal
gets plain rows, through a pager when standard output is a terminal. JSON lists are the
same bytes `report.to_json` would write for the whole list, one item at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import IO, Any, TypeVar

from escalate_cli.textsafe import json_escaped, one_line

TABLE_ROWS = 200
"""Past this many rows the rich table (about 0.4 ms a row) gives way to plain rows."""

T = TypeVar("T")


def head(items: Iterable[T], count: int = TABLE_ROWS) -> tuple[list[T], Iterator[T]]:
    """The first `count + 1` items (so a caller can tell whether there are more than
    `count`), and all of them, in order, as an iterator that reads the rest lazily."""
    rest = iter(items)
    first = list(islice(rest, count + 1))
    return first, chain(first, rest)


_FLAT = (str, int, float, type(None))
_FLAT_ITEMS = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": ")).encode
BATCH = 500
"""Items encoded and written at a time: the C encoder encodes a batch of flat items (the
indenting encoder is Python, about ten times slower: seconds for 40,000 lint findings)."""


def write_json(items: Iterable[dict[str, Any]], out: IO[str] | None = None) -> None:
    """A JSON array written a batch of items at a time, byte for byte what `report.to_json`
    writes for the whole list (hidden characters escaped the same way)."""
    out = out or sys.stdout
    opening = "[\n  "
    rest = iter(items)
    while batch := list(islice(rest, BATCH)):
        out.write(opening + json_escaped(_items_json(batch)))
        opening = ",\n  "
    out.write("[]\n" if opening == "[\n  " else "\n]\n")


def _items_json(batch: list[dict[str, Any]]) -> str:
    """Items as `indent=2` lays them out inside a list, without the list's brackets.

    Flat items (no list or mapping inside) are encoded in one call with the separator of
    their fields, then laid out: in JSON text a line break is always written as an escape,
    so a line break followed by an item's opening brace is the boundary between items."""
    if all(item and all(isinstance(v, _FLAT) for v in item.values()) for item in batch):
        encoded = _FLAT_ITEMS(batch)[2:-2]  # without "[{" and "}]"
        return "{\n    " + encoded.replace("},\n    {", "\n  },\n  {\n    ") + "\n  }"
    return ",\n  ".join(
        json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ") for item in batch
    )


def write_lines(lines: Iterable[str], out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    for line in lines:
        out.write(line + "\n")


def plain_rows(
    header: tuple[str, ...], widths: tuple[int, ...], rows: Iterable[tuple[str, ...]]
) -> Iterator[str]:
    """Aligned rows without a table: each cell but the last padded (never cut) to its
    width (negative: right-aligned), user text on one line with control characters made
    visible. A row that is all printable (nearly all) is checked in one call."""
    layout = "  ".join(f"{{:{'>' if w < 0 else '<'}{abs(w)}}}" for w in widths) + "  {}"
    yield layout.format(*header).rstrip()
    for row in rows:
        if not "".join(row).isprintable():
            row = tuple(one_line(cell) for cell in row)
        yield layout.format(*row).rstrip()


@contextlib.contextmanager
def pager() -> Iterator[IO[str]]:
    """Where a long list goes: standard output, or when that is a terminal, the user's
    PAGER (default `less`, with LESS=FRX unless set: one screen is just printed). PAGER
    set to nothing or `cat` means no pager. A pager that cannot start is skipped; one
    the user quits early ends the list quietly."""
    command = os.environ.get("PAGER", "less").strip()
    if not sys.stdout.isatty() or command in ("", "cat"):
        yield sys.stdout
        return
    import shlex
    import subprocess

    sys.stdout.flush()
    try:
        proc = subprocess.Popen(
            shlex.split(command),
            stdin=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={"LESS": "FRX", **os.environ},
        )
    except (OSError, ValueError):
        yield sys.stdout
        return
    assert proc.stdin is not None
    try:
        with contextlib.suppress(BrokenPipeError):
            try:
                yield proc.stdin
            finally:
                proc.stdin.close()
    finally:
        proc.wait()


def show(
    items: Iterable[T],
    table: Callable[[list[T]], None],
    header: tuple[str, ...],
    widths: tuple[int, ...],
    row: Callable[[T], tuple[str, ...]],
) -> None:
    """A list in the terminal format: `table` draws a short one; a long one is streamed
    as plain rows (`widths` negative: right-aligned) through the pager."""
    first, items_again = head(items)
    if len(first) <= TABLE_ROWS:
        table(first)
        return
    with pager() as out:
        write_lines(plain_rows(header, widths, map(row, items_again)), out)
