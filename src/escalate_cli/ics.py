"""Commitments as iCalendar reminders (RFC 5545), written by hand: it is a small format.

Each commitment with a due date becomes an all-day event with a reminder the morning
before. Text is escaped and lines are folded at 75 octets as the RFC requires. Pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from escalate_cli.store import Commitment


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into 75-octet pieces, never inside a UTF-8 character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _uid(item: Commitment) -> str:
    """Stable for the same commitment in anyone's store, distinct for different ones."""
    key = "\0".join((item.partner.casefold(), item.what, item.owner, item.due))
    return f"commitment-{hashlib.sha256(key.encode()).hexdigest()[:24]}@escalate"


def calendar(commitments: Iterable[Commitment], now: dt.datetime) -> str:
    """A VCALENDAR with one VEVENT per commitment that has a due date."""
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//escalate//follow-up//EN",
        "CALSCALE:GREGORIAN",
    ]
    for item in commitments:
        if not item.due:
            continue
        due = dt.date.fromisoformat(item.due)
        owner = f" (owner: {item.owner})" if item.owner else ""
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(item)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due + dt.timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + _escape(f"{item.partner}: {item.what}{owner}"),
            "DESCRIPTION:"
            + _escape(
                f"Commitment #{item.id} to {item.partner}, due {item.due}."
                " Close it with: escalate follow-up done " + str(item.id)
            ),
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:" + _escape(f"Due tomorrow: {item.what}"),
            "TRIGGER:-PT15H",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
