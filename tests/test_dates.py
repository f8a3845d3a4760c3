"""Dates both ways: what a person types, read looking back (notes, outcomes) or ahead
(due dates), against a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalate_cli.dates import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    DayOff,
    check_year,
    parse_date,
    parse_happened,
    untimed,
)
from escalate_cli.errors import EscalateError

WEDNESDAY = dt.date(2026, 11, 18)
MONDAY = dt.date(2026, 11, 16)
SATURDAY = dt.date(2026, 11, 21)
SUNDAY = dt.date(2026, 12, 6)  # the day of the first-use review


def day(month: int, number: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, number)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-09-14", day(9, 14)),
        ("today", WEDNESDAY),
        ("Yesterday", day(11, 17)),
        ("monday", day(11, 16)),
        ("mon", day(11, 16)),
        ("on monday", day(11, 16)),
        ("wednesday", WEDNESDAY),  # today is a Wednesday: looking back, that is today
        ("thursday", day(11, 12)),
        ("last monday", day(11, 16)),  # the latest Monday before today
        ("last friday", day(11, 13)),
        ("this monday", day(11, 16)),
        ("2 days ago", day(11, 16)),
        ("a week ago", day(11, 11)),
        ("3 weeks ago", day(10, 28)),
        ("last week", day(11, 11)),
        ("2 working days ago", day(11, 16)),
        ("5 working days ago", day(11, 11)),
        ("Dec 1", day(12, 1, 2025)),  # 1 December 2026 has not come yet
        ("1 Dec", day(12, 1, 2025)),
        ("December 1st", day(12, 1, 2025)),
        ("1 december 2026", day(12, 1)),
        ("Dec 1, 2026", day(12, 1)),
        ("Nov 18", WEDNESDAY),
        ("nov 19", day(11, 19, 2025)),
        ("sept 30", day(9, 30)),
        ("12/01/2026", day(12, 1)),  # month/day/year
        ("2026/12/01", day(12, 1)),  # year first: year/month/day
        ("11/2", day(11, 2)),
        ("12/01", day(12, 1, 2025)),
        ("feb 29", day(2, 29, 2024)),
    ],
)
def test_looking_back(typed: str, expected: dt.date) -> None:
    assert parse_date(typed, WEDNESDAY, "past") == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", day(12, 1)),
        ("today", WEDNESDAY),
        ("Tomorrow", day(11, 19)),
        ("friday", day(11, 20)),
        ("next friday", day(11, 27)),  # the Friday of next week, not this one
        ("wed", day(11, 25)),  # today is a Wednesday: looking ahead, that is next week
        ("wednesday", day(11, 25)),
        ("next wednesday", day(11, 25)),
        ("monday", day(11, 23)),
        ("next monday", day(11, 23)),
        ("in 3 days", day(11, 21)),
        ("in a week", day(11, 25)),
        ("in 2 weeks", day(12, 2)),
        ("in 3 working days", day(11, 23)),
        ("in 2 business days", day(11, 20)),
        ("next week", day(11, 25)),
        ("Dec 1", day(12, 1)),
        ("1 Dec", day(12, 1)),
        ("Nov 18", WEDNESDAY),
        ("Nov 17", day(11, 17, 2027)),  # it has passed this year
        ("1/5", day(1, 5, 2027)),
        ("12/01/2026", day(12, 1)),
        ("feb 29", day(2, 29, 2028)),
    ],
)
def test_looking_ahead(typed: str, expected: dt.date) -> None:
    assert parse_date(typed, WEDNESDAY, "future") == expected
    assert parse_date(typed, WEDNESDAY) == expected  # ahead is the default


@pytest.mark.parametrize(
    ("today", "typed", "past", "future"),
    [
        (MONDAY, "monday", MONDAY, day(11, 23)),  # --date monday on a Monday
        (MONDAY, "next monday", day(11, 23), day(11, 23)),
        (MONDAY, "last monday", day(11, 9), day(11, 9)),
        (SATURDAY, "friday", day(11, 20), day(11, 27)),
        (SATURDAY, "next friday", day(11, 27), day(11, 27)),  # weeks run Monday to Sunday
        (SATURDAY, "last friday", day(11, 20), day(11, 20)),  # yesterday
        # a due date said at the weekend is never a day gone
        (SATURDAY, "this friday", day(11, 20), day(11, 27)),
        (SATURDAY, "this saturday", SATURDAY, SATURDAY),
    ],
)
def test_the_direction_decides_only_what_names_no_single_day(
    today: dt.date, typed: str, past: dt.date, future: dt.date
) -> None:
    assert parse_date(typed, today, "past") == past
    assert parse_date(typed, today, "future") == future


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("last monday", day(11, 30)),  # review: it was 23 Nov, the Monday of last week
        ("last saturday", day(12, 5)),
        ("last sunday", day(11, 29)),  # on the day itself: a week ago
        ("next friday", day(12, 11)),  # the coming Friday, as on any weekend day
        ("next monday", day(12, 7)),
        ("next sunday", day(12, 13)),
    ],
)
def test_on_a_sunday_last_and_next_are_the_days_either_side(typed: str, expected: dt.date) -> None:
    assert parse_date(typed, SUNDAY, "past") == expected
    assert parse_date(typed, SUNDAY, "future") == expected


def test_on_a_sunday_this_monday_is_the_one_gone_looking_back_and_the_coming_one_ahead() -> None:
    assert parse_date("this monday", SUNDAY, "past") == day(11, 30)  # weeks run Monday to Sunday
    assert parse_date("this monday", SUNDAY, "future") == day(12, 7)  # a due date is never gone


@pytest.mark.parametrize(
    "typed",
    ["someday", "soon", "2026-13-01", "in many days", "fr", "0/5/2026", "Decembr 1", "13 13"],
)
@pytest.mark.parametrize("facing", ["past", "future"])
def test_unreadable_dates_give_examples_for_the_direction(typed: str, facing: str) -> None:
    with pytest.raises(EscalateError) as caught:
        parse_date(typed, WEDNESDAY, facing)  # type: ignore[arg-type]
    hint = caught.value.hint or ""
    assert caught.value.exit_code == 2
    assert ("last monday" if facing == "past" else "next friday") in hint
    assert "month/day/year" in hint
    assert typed.lower() not in caught.value.message.lower()  # no user content in errors


def test_day_first_numbers_are_refused_with_the_order() -> None:
    with pytest.raises(EscalateError) as caught:
        parse_date("25/12/2026", WEDNESDAY, "past")
    assert "month comes first" in caught.value.message
    assert "12/01/2026 is 1 December 2026" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-02-30", "2026-02-30: February 2026 has 28 days"),  # review: "not a date"
        ("2026/02/30", "2026-02-30: February 2026 has 28 days"),
        ("Feb 30 2026", "2026-02-30: February 2026 has 28 days"),
        ("30 February 2026", "2026-02-30: February 2026 has 28 days"),
        ("2/30/2026", "2026-02-30: February 2026 has 28 days"),
        ("2028-02-30", "2028-02-30: February 2028 has 29 days"),
        ("31 April 2026", "2026-04-31: April 2026 has 30 days"),
        ("Feb 30", "30 February: February has 28 days (29 in a leap year)"),
        ("30 Feb", "30 February: February has 28 days (29 in a leap year)"),
        ("2/30", "30 February: February has 28 days (29 in a leap year)"),
        ("april 31st", "31 April: April has 30 days"),
    ],
)
@pytest.mark.parametrize("facing", ["past", "future"])
def test_a_day_the_month_does_not_have_says_how_many_it_has(
    typed: str, message: str, facing: str
) -> None:
    with pytest.raises(EscalateError) as caught:
        parse_date(typed, WEDNESDAY, facing)  # type: ignore[arg-type]
    assert (caught.value.message, caught.value.exit_code) == (message, 2)
    assert caught.value.hint == "check the day of the month"


@pytest.mark.parametrize("typed", ["9999-12-31", "1 Jan 1899", "12/31/3000", "1800-01-01"])
def test_years_out_of_range_are_refused_however_typed(typed: str) -> None:
    with pytest.raises(EscalateError, match=f"{EARLIEST_YEAR}-{LATEST_YEAR}"):
        parse_date(typed, WEDNESDAY, "past")


def test_check_year_is_the_one_range_check() -> None:
    assert check_year(day(12, 1), "due") == day(12, 1)
    with pytest.raises(EscalateError, match="due: 9999-12-31 is outside"):
        check_year(dt.date(9999, 12, 31), "due")


@given(
    today=st.dates(dt.date(1990, 1, 1), dt.date(2900, 12, 31)),
    index=st.integers(0, 6),
)
def test_a_weekday_is_within_a_week_in_the_direction_faced(today: dt.date, index: int) -> None:
    name = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[index]
    back = parse_date(name, today, "past")
    ahead = parse_date(name, today, "future")
    assert back.weekday() == ahead.weekday() == index
    assert 0 <= (today - back).days <= 6
    assert 1 <= (ahead - today).days <= 7
    last = parse_date(f"last {name}", today)
    assert last.weekday() == index and 1 <= (today - last).days <= 7
    assert (
        parse_date(f"next {name}", today).isocalendar()[1]
        == ((today + dt.timedelta(days=7)).isocalendar()[1])
    )


@pytest.mark.parametrize("typed", ["tomorrow", "2027-06-01", "in 3 days", "next friday"])
def test_a_day_still_to_come_is_no_day_something_happened(typed: str) -> None:
    """Review: `outcome --date tomorrow` and `notes add --date 2027-06-01` were taken."""
    with pytest.raises(EscalateError) as caught:
        parse_happened(typed, SUNDAY, "--date", "an outcome", "leave --date out for today")
    when = parse_date(typed, SUNDAY, "past")
    assert caught.value.message == (
        f"--date {when.isoformat()} is in the future; an outcome is dated when it happened"
    )
    assert (caught.value.hint, caught.value.exit_code) == ("leave --date out for today", 2)


@pytest.mark.parametrize("typed", ["today", "yesterday", "last monday", "friday", "Dec 31"])
def test_a_day_up_to_today_is_a_day_something_happened(typed: str) -> None:
    assert parse_happened(typed, SUNDAY, "--date", "a note", "") == parse_date(
        typed, SUNDAY, "past"
    )


@given(when=st.dates(dt.date(EARLIEST_YEAR, 1, 1), dt.date(LATEST_YEAR, 12, 31)))
def test_every_written_out_date_reads_back_as_itself(when: dt.date) -> None:
    for typed in (when.isoformat(), f"{when:%m/%d/%Y}", f"{when.day} {when:%B %Y}"):
        assert parse_date(typed, WEDNESDAY, "past") == when
        assert parse_date(typed, WEDNESDAY, "future") == when


@pytest.mark.parametrize(
    "typed",
    ["Friday noon", "tomorrow at 10", "the 15th", "Thursday by 5pm CET", "end of day", "Weds",
     "this Thursday", "Dec 4", "next week", "later today"],
)  # fmt: skip
def test_a_day_or_a_time_is_a_time_to_be_held_to(typed: str) -> None:
    assert untimed(typed, required=False) == ""


@pytest.mark.parametrize(
    "typed", ["ASAP", "soon", "as soon as possible", "shortly", "when I know more"]
)
def test_a_time_that_names_no_day_says_so_and_what_to_give(typed: str) -> None:
    """Review: `next_update: ASAP` drafted "you will hear from me by ASAP"."""
    assert untimed(typed, required=False) == (
        f"{typed!r} names no day or time; give one, e.g. Friday noon, or leave it empty"
    )
    assert untimed(typed, required=True).endswith("e.g. Friday noon")
    assert untimed("  ", required=True) == ""  # empty is for `required` to judge


SUNDAY_6_DEC = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("tue 9 dec", "9 December 2026 is a Wednesday; correct the day or the date"),
        ("Tue Dec 9th", "9 December 2026 is a Wednesday; correct the day or the date"),
        ("wed 2 dec", "Wednesday 2 December 2026 has passed; give a day to come"),
        ("9 December 2025", "Tuesday 9 December 2025 has passed; give a day to come"),
        # review: a date in numbers, a day gone in words, a day the month does not have
        ("2026-12-03", "Thursday 3 December 2026 has passed; give a day to come"),
        ("12/03/2026 at 2pm", "Thursday 3 December 2026 has passed; give a day to come"),
        ("last friday", "that day has gone; give a day to come"),
        ("yesterday", "that day has gone; give a day to come"),
        ("Feb 30", "February has no day 30; correct the date"),
        ("2026-12-09", ""),
        ("Oct 1", ""),  # over 60 days gone: next October
        ("Tues Dec 8th, 2pm", ""),
        ("wed 9 dec by 5pm", ""),
        ("mon 4 jan", ""),  # next year's
        ("June 30", ""),  # next June, not six months ago
        ("Friday noon", ""),
    ],
)
def test_a_day_and_month_named_must_be_to_come_and_on_the_weekday_said(
    typed: str, problem: str
) -> None:
    """Review: "tue 9 dec" (a Wednesday) and "wed 2 dec" (four days gone) went into the
    customer message as the time to talk."""
    said = untimed(typed, required=False, today=SUNDAY_6_DEC)
    assert said == (f"{typed!r}: {problem}" if problem else "")
    assert untimed(typed, required=False) == ""  # without a day to compare with: not judged


CHRISTMAS: frozenset[DayOff] = frozenset({(12, 25), (1, 1)})


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("Friday 25 December at 3pm", "Friday 25 December"),
        ("dec 25", "Friday 25 December"),
        ("Jan 1st, 10am", "Friday 1 January"),
        ("friday 3pm", "Friday 25 December"),  # said on Monday 21 December: the coming one
        ("next friday", ""),  # a week later
        ("thursday 3pm", ""),
        ("tomorrow at 10", ""),
    ],
)
def test_a_time_to_talk_on_one_of_the_playbooks_holidays_is_refused(typed: str, day: str) -> None:
    """Written on Monday 21 December, "friday 3pm" proposed a call for Christmas Day; the
    playbook's holidays are days nobody will pick up the phone."""
    monday = dt.date(2026, 12, 21)
    said = untimed(typed, required=False, today=monday, off=CHRISTMAS)
    assert said == (f"{typed!r}: {day} is one of the playbook's holidays; give a working day"
                    if day else "")  # fmt: skip
    assert untimed(typed, required=False, today=monday) == ""  # no holidays: none refused
