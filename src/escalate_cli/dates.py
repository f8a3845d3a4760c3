"""Dates people type ("friday", "in 3 days", "2026-12-01") and promise dates with a cushion.

Pure: `today` is always passed in, so tests use a fixed clock.
"""

from __future__ import annotations

import datetime as dt
import re

from escalate_cli.errors import EscalateError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EXAMPLES = "2026-12-01, today, tomorrow, friday, next friday, in 3 days, in 2 weeks, next week"
_IN = re.compile(r"^in\s+(\d{1,3})\s+(day|days|week|weeks|working days|business days)$")


EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


def check_year(when: dt.date, where: str) -> dt.date:
    """The one range check every date passes, however it came in (typed, answers file,
    import): a year past 2999 cannot later overflow a calendar or date arithmetic."""
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise EscalateError(
            f"{where}: {when.isoformat()} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}",
            "check the year",
        )
    return when


def parse_date(text: str, today: dt.date) -> dt.date:
    """One date from what a person typed; anything else is exit 2 with examples."""
    when = _read(text, today)
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        away = "in the future" if when.year > LATEST_YEAR else "in the past"
        raise EscalateError(f"{text!r} is too far {away}", f"try one of: {EXAMPLES}")
    return when


def _read(text: str, today: dt.date) -> dt.date:
    said = " ".join(text.strip().lower().split())
    try:
        return dt.date.fromisoformat(said)
    except ValueError:
        pass
    if said == "today":
        return today
    if said == "tomorrow":
        return today + dt.timedelta(days=1)
    if said == "next week":
        return today + dt.timedelta(days=7)
    day = said.removeprefix("next ").removeprefix("on ")
    index = next((i for i, w in enumerate(WEEKDAYS) if len(day) >= 3 and w.startswith(day)), None)
    if index is not None:
        ahead = (index - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    match = _IN.match(said)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if unit.startswith(("working", "business")):
            return add_working_days(today, count)
        return today + dt.timedelta(days=count * (7 if unit.startswith("week") else 1))
    raise EscalateError(f"{text!r} is not a date I can read", f"try one of: {EXAMPLES}")


def add_working_days(start: dt.date, days: int) -> dt.date:
    """`start` plus `days` working days (Monday to Friday)."""
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def promise_date(due: dt.date, cushion_days: int) -> dt.date:
    """The date to promise: the date the work is due, plus the playbook's cushion."""
    return add_working_days(due, cushion_days)
