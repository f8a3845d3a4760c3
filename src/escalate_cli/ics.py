"""Commitments as iCalendar reminders (RFC 5545), written with the `icalendar` library.

Each commitment with a due date becomes an all-day event with a reminder the morning
before. The library escapes and folds; we make control characters visible first, so a
note pasted from a terminal cannot carry an escape sequence into someone's calendar.
Imported only when a calendar is asked for. Pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from icalendar import Alarm, Calendar, Event

from escalate_cli.dates import check_year
from escalate_cli.errors import EscalateError
from escalate_cli.store import Commitment
from escalate_cli.textsafe import visible


def _uid(item: Commitment) -> str:
    """Stable for the same commitment in anyone's store, distinct for different ones."""
    key = "\0".join((item.partner.casefold(), item.what, item.owner, item.due))
    return f"commitment-{hashlib.sha256(key.encode()).hexdigest()[:24]}@escalate"


def due_date(item: Commitment) -> dt.date | None:
    """The due date a calendar can hold: None when there is none, or it is unreadable or
    outside the years every calendar handles (a store written before dates were checked)."""
    try:
        return check_year(dt.date.fromisoformat(item.due), "due") if item.due else None
    except (ValueError, EscalateError):
        return None


def calendar(commitments: Iterable[Commitment], now: dt.datetime) -> str:
    """A VCALENDAR with one VEVENT per commitment that has a usable due date."""
    cal = Calendar()
    cal.add("prodid", "-//escalate//follow-up//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    stamp = now.astimezone(dt.timezone.utc)
    for item in commitments:
        due = due_date(item)
        if due is None:
            continue
        owner = f" (owner: {item.owner})" if item.owner else ""
        event = Event()
        event.add("uid", _uid(item))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", visible(f"{item.partner}: {item.what}{owner}"))
        event.add(
            "description",
            visible(
                f"Commitment #{item.id} to {item.partner}, due {item.due}."
                f" Close it with: escalate follow-up done {item.id}"
            ),
        )
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", visible(f"Due tomorrow: {item.what}"))
        alarm.add("trigger", dt.timedelta(hours=-15))  # 09:00 the day before
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")
