"""Dates people type, looking back ("yesterday", "last monday", "3 days ago") for notes and
outcomes, or ahead ("friday", "next friday", "in 3 days") for due dates; and promise dates
with a cushion.

Pure: `today` is always passed in, so tests use a fixed clock. Weeks run Monday to Sunday.
Only the forms that name no single day depend on the direction: a bare weekday or a date
without a year is the nearest such day on or before today looking back, after today (a
weekday) or on or after today (a date) looking ahead.

`last friday` is the latest Friday before today (a week ago on a Friday), as most people
and date parsers read it: said on a Sunday, `last monday` is six days ago, not the Monday
of the week before. `next friday` is the Friday of next week: from a Saturday or a Sunday
that is the coming Friday, as people read it then; earlier in the week, while this week's
Friday is still to come, it is the one after, and `friday` or `this friday` is the coming one
(looking ahead, `this friday` said at the weekend is the coming one too, never a day gone).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from escalate_cli.errors import EscalateError

Facing = Literal["past", "future"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
ORDER = "numbers with slashes are month/day/year: 12/01/2026 is 1 December 2026"
EXAMPLES: dict[Facing, str] = {
    "past": "2026-12-01, today, yesterday, monday, last monday, 3 days ago, Dec 1, 1 Dec",
    "future": "2026-12-01, tomorrow, friday, next friday, in 3 days, in 2 working days, Dec 1",
}
# Patterns as text: `re` compiles (and caches) one when a date first needs it, as most
# dates given are ISO or a word and need none.
_COUNT = r"(\d{1,4}|a|an|one)\s+(day|days|week|weeks|working days|business days)"
_IN = rf"^in\s+{_COUNT}$"
_AGO = rf"^{_COUNT}\s+ago$"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]{3,9})\.?"
_YEAR = r"(?:,?\s+([1-9]\d{3}))?"
_MONTH_DAY = rf"^{_MONTH}\s+{_DAY}{_YEAR}$"
_DAY_MONTH = rf"^{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}$"
_SLASHES = r"^(\d{1,2})/(\d{1,2})(?:/([1-9]\d{3}))?$"
# 2026/12/01; and 2026-02-30, which ISO refuses, to say it is no day
_YEAR_FIRST = r"^([1-9]\d{3})([-/])(\d{1,2})\2(\d{1,2})$"


EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


# what makes an answer a time someone can be held to: a digit ("3pm", "the 15th"), a day,
# a month, or a part of a day or week
_A_TIME = (
    r"\d|\b(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?|today|tonight|yesterday"
    r"|tomorrow|noon|midday|midnight|morning|afternoon|evening|weekend|week|month|eod|cob|eow"
    r"|end\s+of|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\b|\b(?:"
    + "|".join(MONTHS)
    + r")\b"
)


def untimed(
    text: str, required: bool, today: dt.date | None = None, off: frozenset[DayOff] = frozenset()
) -> str:
    """What is wrong with an answer that should name a day or a time ("Friday noon",
    "tomorrow at 10", "the 15th"), or "" when nothing is (or it is empty): "ASAP" or "soon"
    is a time nobody can hold you to, and reads as one in a draft. With `today`, a day it
    names must be to come, exist, and fall on the weekday it says ("tue 9 dec" when 9
    December is a Wednesday): a customer would be offered a day that is not; nor may it be
    one of the days `off` (the playbook's holidays), named or the coming weekday typed."""
    said = text.strip()
    if not said:
        return ""
    if not re.search(_A_TIME, said, re.IGNORECASE):
        empty = "" if required else ", or leave it empty"
        return f"{said!r} names no day or time; give one, e.g. Friday noon{empty}"
    if today is None:
        return ""
    if re.search(_GONE, said.lower()):
        return f"{said!r}: that day has gone; give a day to come"
    named = _named_day(said.lower())
    if named is None:
        return _holiday(_coming(said.lower(), today), said, off)
    day, month, year = named
    when = nearest(day, month, year, today)
    if when is None:
        return f"{said!r}: {MONTHS[month - 1].title()} has no day {day}; correct the date"
    if when < today:
        return f"{said!r}: {when:%A} {when.day} {when:%B %Y} has passed; give a day to come"
    weekday = re.search(_WEEKDAY_WORD, said.lower())
    if weekday and not WEEKDAYS[when.weekday()].startswith(weekday.group(1)):
        return f"{said!r}: {when.day} {when:%B %Y} is a {when:%A}; correct the day or the date"
    return _holiday(when, said, off)


def _coming(said: str, today: dt.date) -> dt.date | None:
    """The day a lone weekday names looking ahead ("friday 3pm"), None for any other
    answer ("next friday", "tomorrow", "noon")."""
    weekday = re.search(_WEEKDAY_WORD, said)
    if weekday is None or re.search(r"\bnext\s+" + _WEEKDAY_WORD, said):
        return None
    return _weekday(weekday.group(1), today, "future")


def _holiday(when: dt.date | None, said: str, off: frozenset[DayOff]) -> str:
    if when is None or not ((when.month, when.day) in off or when in off):
        return ""
    day = f"{when:%A} {when.day} {when:%B}"
    return f"{said!r}: {day} is one of the playbook's holidays; give a working day"


_GONE = r"\b(?:yesterday|last\s+(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)\b"
_WEEKDAY_WORD = r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b"
_NAMED = (  # the date forms above, found anywhere in a text; the groups of day, month, year
    (_YEAR_FIRST, (4, 3, 1)),
    (_SLASHES, (2, 1, 3)),  # month/day/year
    (_DAY_MONTH, (1, 2, 3)),
    (_MONTH_DAY, (2, 1, 3)),
)


def _named_day(said: str) -> tuple[int, int, str | None] | None:
    """The day, month and year (if given) of the first date free text names ("tue 9 dec",
    "Dec 9th 2026", "2026-12-09", "12/9"), or None when it names none."""
    for pattern, groups in _NAMED:
        for match in re.finditer(rf"\b{pattern[1:-1]}\b", said):  # unanchored
            day, month, year = match.group(*groups)
            number = int(month) if month.isdigit() else _month(month)
            if 1 <= number <= 12:
                return int(day), number, year
    return None


def nearest(
    day: int, month: int, year: str | None, today: dt.date, weekday: int | None = None
) -> dt.date | None:
    """That day of `month` in `year`, else in the year that puts it nearest `today`, unless
    that is more than `RECENT` days ago: "30 June" said in December means next June. With
    a `weekday` (Monday is 0), only a year in which the day falls on it, if one does:
    "Monday 30 November" is 2026's. None when the month has no such day."""
    years = [int(year)] if year else [today.year - 1, today.year, today.year + 1]
    days = [found for y in years if (found := _day(y, month, day, quiet=True))]
    named = [found for found in days if found.weekday() == weekday]
    if named and not year:
        return min(named, key=lambda found: abs((found - today).days))
    if not days:
        return None
    nearest = min(days, key=lambda found: abs((found - today).days))
    if year or (today - nearest).days <= RECENT:
        return nearest
    return min((found for found in days if found > today), default=nearest)


RECENT = 60
"""Days back within which a day and month without a year is taken as gone, not next year's."""


def check_year(when: dt.date, where: str) -> dt.date:
    """The one range check every date passes, however it came in (typed, answers file,
    import): a year past 2999 cannot later overflow a calendar or date arithmetic."""
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise EscalateError(
            f"{where}: {when.isoformat()} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}",
            "check the year",
        )
    return when


def parse_date(text: str, today: dt.date, facing: Facing = "future") -> dt.date:
    """One date from what a person typed, `facing` the past (notes, outcomes) or the
    future (due dates); anything else is exit 2 with examples for that direction."""
    said = " ".join(text.strip().lower().split())
    when = _read(said, today, facing)
    if when is None:
        raise EscalateError(
            "that is not a date I can read", f"try one of: {EXAMPLES[facing]}; {ORDER}"
        )
    return check_year(when, "date")


def parse_happened(text: str, today: dt.date, where: str, what: str, hint: str) -> dt.date:
    """The day something happened (`what`: "a note", "an outcome"), read looking back; a day
    still to come is exit 2 naming `where` it was given (`--date`): nothing happened on it yet."""
    when = parse_date(text, today, "past")
    if when > today:
        raise EscalateError(
            f"{where} {when.isoformat()} is in the future; {what} is dated when it happened", hint
        )
    return when


def _read(said: str, today: dt.date, facing: Facing) -> dt.date | None:
    """The date `said` names, or None when it is no form we know."""
    try:
        return dt.date.fromisoformat(said)
    except ValueError:
        pass
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1, "next week": 7, "last week": -7}
    if said in relative:
        return today + dt.timedelta(days=relative[said])
    return _weekday(said, today, facing) or _counted(said, today) or _calendar(said, today, facing)


def _weekday(said: str, today: dt.date, facing: Facing) -> dt.date | None:
    """`friday`: the nearest one (today counts looking back, not ahead); `last friday`: the
    latest one before today; `this friday` / `next friday`: that day of this / next week,
    except that `this friday` looking ahead is never past: said at the weekend, it is the
    coming one."""
    shift: int | None = None
    day = said.removeprefix("on ")
    for word, weeks in (("next ", 1), ("last ", -1), ("this ", 0)):
        if day.startswith(word):
            shift, day = weeks, day.removeprefix(word)
            break
    index = next((i for i, w in enumerate(WEEKDAYS) if len(day) >= 3 and w.startswith(day)), None)
    if index is None:
        return None
    if shift == -1:
        return _latest(index, today - dt.timedelta(days=1))
    if shift == 0 and facing == "future":
        return today + dt.timedelta(days=(index - today.weekday()) % 7)
    if shift is not None:
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(days=7 * shift + index)
    if facing == "past":
        return _latest(index, today)
    return today + dt.timedelta(days=(index - today.weekday()) % 7 or 7)


def _latest(index: int, day: dt.date) -> dt.date:
    """The latest day of the week `index` (0 is Monday) on or before `day`."""
    return day - dt.timedelta(days=(day.weekday() - index) % 7)


def _counted(said: str, today: dt.date) -> dt.date | None:
    """`in 3 days`, `in 2 weeks`, `in 3 working days`; `3 days ago`, `a week ago`."""
    match = re.match(_IN, said) or re.match(_AGO, said)
    if not match:
        return None
    number, unit = match.group(1), match.group(2)
    count = int(number) if number.isdigit() else 1
    sign = -1 if match.re.pattern == _AGO else 1
    if unit.startswith(("working", "business")):
        return add_working_days(today, sign * count)
    return today + dt.timedelta(days=sign * count * (7 if unit.startswith("week") else 1))


def _calendar(said: str, today: dt.date, facing: Facing) -> dt.date | None:
    """`Dec 1`, `1 December 2026`, `12/01/2026` (month/day/year); without a year, the
    nearest such date in the direction faced."""
    if match := re.match(_MONTH_DAY, said):
        month, day, year = _month(match.group(1)), match.group(2), match.group(3)
    elif match := re.match(_DAY_MONTH, said):
        month, day, year = _month(match.group(2)), match.group(1), match.group(3)
    elif match := re.match(_YEAR_FIRST, said):
        year, month, day = match.group(1), int(match.group(3)), match.group(4)
    elif match := re.match(_SLASHES, said):
        month, day, year = int(match.group(1)), match.group(2), match.group(3)
        if month > 12:
            raise EscalateError("that is not a date I can read: the month comes first", ORDER)
    else:
        return None
    if not 1 <= month <= 12:
        return None
    if year:
        return _day(int(year), month, int(day))
    step = -1 if facing == "past" else 1
    for offset in range(0, 9 * step, step):  # 29 February comes round within eight years
        when = _day(today.year + offset, month, int(day), quiet=True)
        if when and (when <= today if facing == "past" else when >= today):
            return when
    raise _no_such_day(None, month, int(day))


def _month(name: str) -> int:
    """1-12 for a month's name or its first three letters (`sept` too), else 0."""
    for number, month in enumerate(MONTHS, 1):
        if name in (month, month[:3]) or (name == "sept" and number == 9):
            return number
    return 0


def _day(year: int, month: int, day: int, quiet: bool = False) -> dt.date | None:
    """The date, or (unless `quiet`) exit 2 for a day the month does not have."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        if quiet:
            return None
        raise _no_such_day(year, month, day) from None


def _no_such_day(year: int | None, month: int, day: int) -> EscalateError:
    """How many days the month has (in `year`, or in any year): 30 February is a slip of
    the finger, so "not a date I can read" would send the user looking in the wrong place."""
    name = MONTHS[month - 1].title()
    if year is None:
        common, leap = (calendar.monthrange(y, month)[1] for y in (2001, 2000))
        more = f" ({leap} in a leap year)" if leap != common else ""
        message = f"{day} {name}: {name} has {common} days{more}"
    else:
        days = calendar.monthrange(year, month)[1]
        message = f"{year}-{month:02}-{day:02}: {name} {year} has {days} days"
    return EscalateError(message, "check the day of the month")


DayOff = tuple[int, int] | dt.date
"""A day nobody works: (month, day) is that day every year, a date is that day once."""


def add_working_days(start: dt.date, days: int, off: frozenset[DayOff] = frozenset()) -> dt.date:
    """`start` plus `days` working days (Monday to Friday, not a day `off`); negative
    `days` count back."""
    step = dt.timedelta(days=1 if days >= 0 else -1)
    current, left = start, abs(days)
    while left > 0:
        current += step
        if _working(current, off):
            left -= 1
    return current


def _working(day: dt.date, off: frozenset[DayOff]) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in off and day not in off


@dataclass(frozen=True)
class Cushion:
    """The buffer put on a date before it is promised: `days` working days, skipping the
    playbook's days `off` (a promise that lands on 25 December is kept by nobody)."""

    days: int = 2
    off: frozenset[DayOff] = frozenset()

    def add(self, start: dt.date, days: int) -> dt.date:
        """`start` plus `days` working days."""
        return add_working_days(start, days, self.off)

    def working(self, day: dt.date) -> bool:
        """Whether `day` is a working day: Monday to Friday, and not a day off."""
        return _working(day, self.off)

    def promise(self, due: dt.date) -> dt.date:
        """The date to promise: the date the work is due, plus the cushion."""
        return self.add(due, self.days)

    def skipped(self, start: dt.date, end: dt.date) -> str:
        """The days off between `start` and `end` that the cushion did not count ("Fri 25
        Dec is a holiday"), or "": without it a promise that lands later than the user
        counts looks like a slip."""
        days = (start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1))
        off = [
            f"{day:%a} {day.day} {day:%b}"
            for day in days
            if day.weekday() < 5 and not self.working(day)
        ]
        verb = "is a holiday" if len(off) == 1 else "are holidays"
        return f"{' and '.join(off)} {verb}" if off else ""


def day_off(text: str) -> DayOff | None:
    """A playbook's holiday: "12-25" (every year) or "2026-12-24" (that day), else None."""
    try:
        if re.fullmatch(r"\d{2}-\d{2}", text):
            when = dt.date.fromisoformat(f"2000-{text}")  # a leap year: 02-29 is a day
            return when.month, when.day
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None
