"""Follow-through: dates people type, cushions, ordering, overdue marking and calendars."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from icalendar import Calendar

from escalate_cli.cli import app
from escalate_cli.dates import Cushion, add_working_days, day_off, parse_date
from escalate_cli.errors import EscalateError
from escalate_cli.playbook import bundled_path, load

# on both engines (conftest: `engine`): tests that keep commitments in a store
on_both_engines = pytest.mark.usefixtures("engine")

WEDNESDAY = dt.date(2026, 11, 18)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("today", WEDNESDAY),
        ("Tomorrow", dt.date(2026, 11, 19)),
        ("friday", dt.date(2026, 11, 20)),
        ("next friday", dt.date(2026, 11, 27)),
        ("wed", dt.date(2026, 11, 25)),
        ("in 3 days", dt.date(2026, 11, 21)),
        ("in 2 weeks", dt.date(2026, 12, 2)),
        ("in 3 working days", dt.date(2026, 11, 23)),
        ("next week", dt.date(2026, 11, 25)),
    ],
)
def test_dates_people_type(typed: str, expected: dt.date) -> None:
    assert parse_date(typed, WEDNESDAY) == expected


@pytest.mark.parametrize("typed", ["someday", "soon", "2026-13-01", "in many days", "fr"])
def test_unreadable_dates_give_examples(typed: str) -> None:
    with pytest.raises(EscalateError) as caught:
        parse_date(typed, WEDNESDAY)
    assert caught.value.exit_code == 2 and "in 3 days" in (caught.value.hint or "")


def test_cushion_skips_the_weekend() -> None:
    friday = dt.date(2026, 11, 20)
    assert Cushion(2).promise(friday) == dt.date(2026, 11, 24)
    assert add_working_days(friday, 0) == friday


def test_cushion_skips_the_playbooks_holidays_like_a_weekend() -> None:
    """Due Wednesday 23 December: Thursday is one working day, Friday 25 December is off,
    so two working days land on Monday 28, not on Christmas Day. A (month, day) is off
    every year, a date only that day."""
    book = load(bundled_path())
    assert book.lint.holidays == ("12-25", "01-01")
    cushion = book.lint.cushion()
    assert cushion.promise(dt.date(2026, 12, 23)) == dt.date(2026, 12, 28)
    assert cushion.promise(dt.date(2027, 12, 23)) == dt.date(2027, 12, 27)  # 25th a Saturday
    assert cushion.promise(dt.date(2026, 12, 30)) == dt.date(2027, 1, 4)  # 1 January off
    assert cushion.skipped(dt.date(2026, 12, 23), dt.date(2026, 12, 28)) == (
        "Fri 25 Dec is a holiday"
    )
    assert cushion.skipped(dt.date(2026, 12, 10), dt.date(2026, 12, 14)) == ""
    once = Cushion(2, frozenset({dt.date(2026, 11, 23)}))
    assert once.promise(dt.date(2026, 11, 20)) == dt.date(2026, 11, 25)
    assert once.promise(dt.date(2027, 11, 19)) == dt.date(2027, 11, 23)
    assert (day_off("02-29"), day_off("2026-12-24")) == ((2, 29), dt.date(2026, 12, 24))
    assert [day_off(text) for text in ("13-01", "2026-02-30", "Dec 25", "12/25")] == [None] * 4


@on_both_engines
def test_follow_up_lists_soonest_first_and_marks_overdue(runner, monkeypatch) -> None:
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: WEDNESDAY)
    for partner, what, due in [
        ("Acme", "send the plan", "2026-11-25"),
        ("Globex", "call back", "2026-11-10"),
        ("Acme", "share notes", ""),
        ("Acme", "fix the export", "friday"),
    ]:
        args = ["follow-up", "add", partner, what, "--owner", "Dana"]
        if due == "2026-11-10":
            refused = runner.invoke(app, [*args, "--due", due])
            assert refused.exit_code == 2 and "has already passed" in refused.stderr
            args.append("--allow-past")  # recorded late: it is overdue already
        result = runner.invoke(app, [*args, "--due", due] if due else args)
        assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout)
    assert [(c["what"], c["due"], c["overdue"]) for c in listed] == [
        ("call back", "2026-11-10", True),
        ("fix the export", "2026-11-20", False),
        ("send the plan", "2026-11-25", False),
        ("share notes", "", False),
    ]
    only = json.loads(runner.invoke(app, ["follow-up", "--overdue", "-f", "json"]).stdout)
    assert [c["what"] for c in only] == ["call back"]
    # --limit keeps the soonest due, as its help says (review: it said "the most recent")
    first = json.loads(runner.invoke(app, ["follow-up", "-n", "2", "-f", "json"]).stdout)
    assert [c["what"] for c in first] == ["call back", "fix the export"]
    assert "for follow-up, the soonest due" in " ".join(
        runner.invoke(app, ["follow-up", "--help"]).stdout.split()
    )
    acme = json.loads(runner.invoke(app, ["follow-up", "-p", "acme", "-f", "json"]).stdout)
    assert {c["partner"] for c in acme} == {"Acme"}
    shown = runner.invoke(app, ["follow-up"]).stdout
    assert "2026-11-10 overdue" in shown
    done = runner.invoke(app, ["follow-up", "done", str(listed[0]["id"])])
    assert done.exit_code == 0
    after = json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout)
    assert [c["what"] for c in after] == ["fix the export", "send the plan", "share notes"]


@on_both_engines
def test_adding_with_a_due_date_suggests_a_cushioned_promise(runner, monkeypatch) -> None:
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: WEDNESDAY)
    result = runner.invoke(
        app, ["follow-up", "add", "Acme", "ship the fix", "--owner", "Priya", "--due", "friday"]
    )
    assert result.exit_code == 0
    assert "due Fri 2026-11-20; promise them Tue 2026-11-24 (2 working days" in (result.stderr)
    assert "holiday" not in result.stderr
    christmas = runner.invoke(
        app, ["follow-up", "add", "Acme", "send the plan", "--owner", "me", "--due", "2026-12-23"]
    )
    assert (
        "due Wed 2026-12-23; promise them Mon 2026-12-28 (2 working days of cushion; "
        "Fri 25 Dec is a holiday, not counted)"
    ) in christmas.stderr


@on_both_engines
def test_bad_due_date_is_exit_2_and_records_nothing(runner) -> None:
    result = runner.invoke(app, ["follow-up", "add", "Acme", "x", "--due", "whenever"])
    assert result.exit_code == 2 and "friday" in result.stderr
    for due in ("2026-02-30", "Feb 30 2026", "2/30/2026"):  # review: "not a date I can read"
        result = runner.invoke(app, ["follow-up", "add", "Acme", "x", "--due", due])
        assert result.exit_code == 2 and "2026-02-30: February 2026 has 28 days" in result.stderr
    assert json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout) == []


@on_both_engines
def test_ics_is_valid_icalendar(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: WEDNESDAY)
    long_what = "send the revised plan, with dates; owners \\ and a very long tail " * 3
    runner.invoke(
        app, ["follow-up", "add", "Acme, Inc.", long_what, "--owner", "Dana", "--due", "2026-12-01"]
    )
    runner.invoke(app, ["follow-up", "add", "Acme, Inc.", "no date yet"])
    out = tmp_path / "c.ics"
    assert runner.invoke(app, ["follow-up", "--ics", str(out)]).exit_code == 0
    raw = out.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == f"Acme, Inc.: {long_what.strip()} (owner: Dana)"
    assert event.decoded("DTSTART") == dt.date(2026, 12, 1)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=15)  # 09:00 the day before
    again = runner.invoke(app, ["follow-up", "--ics", str(out)])
    assert again.exit_code == 2 and "already there" in again.stderr


def test_a_date_too_far_ahead_is_exit_2(runner) -> None:
    result = runner.invoke(app, ["follow-up", "add", "Acme", "x", "--due", "9999-12-30"])
    assert result.exit_code == 2 and "outside the years 1900-2999" in result.stderr


def test_listing_options_before_a_subcommand_are_refused(runner, tmp_path) -> None:
    result = runner.invoke(app, ["follow-up", "--home", str(tmp_path / "x"), "add", "Acme", "y"])
    assert (
        result.exit_code == 2
        and "--home" in result.stderr
        and "after the subcommand" in (result.stderr)
    )
    assert not (tmp_path / "x").exists()


def test_ids_out_of_range_are_usage_errors(runner) -> None:
    assert runner.invoke(app, ["follow-up", "done", "99999999999999999999"]).exit_code == 2
    assert runner.invoke(app, ["notes", "remove", "0"]).exit_code == 2


@on_both_engines
def test_ics_with_nothing_due_writes_nothing(runner, tmp_path) -> None:
    runner.invoke(app, ["follow-up", "add", "Acme", "no date yet"])
    out = tmp_path / "c.ics"
    result = runner.invoke(app, ["follow-up", "--ics", str(out)])
    assert (
        result.exit_code == 0
        and "not written: none of the open commitments listed has a due date" in (result.stderr)
    )
    assert not out.exists()


def test_calendar_ids_are_stable_and_distinct() -> None:
    from escalate_cli.ics import calendar
    from escalate_cli.store import Commitment

    now = dt.datetime(2026, 11, 18, tzinfo=dt.timezone.utc)
    first = Commitment(1, "Acme", "send plan", "Dana", "2026-12-01", "", "")
    moved = Commitment(7, "acme", "send plan", "Dana", "2026-12-01", "", "")  # after an import
    other = Commitment(1, "Globex", "send plan", "Dana", "2026-12-01", "", "")
    uids = [
        Calendar.from_ical(calendar([c], now)).walk("VEVENT")[0]["UID"]
        for c in (first, moved, other)
    ]
    assert uids[0] == uids[1] != uids[2]


def test_list_options_before_done_are_named_as_typed(runner) -> None:
    result = runner.invoke(app, ["follow-up", "--format", "json", "done", "1"])
    assert result.exit_code == 2
    assert "--format belongs to the list of commitments, not to `done`" in result.stderr


def test_someone_elses_work_taken_as_agreed_without_a_terminal_is_said(runner) -> None:
    """Review: with no terminal to ask, Priya's work was recorded as agreed without a word."""
    added = runner.invoke(
        app,
        ["follow-up", "add", "Acme", "ship the patch", "--owner", "Priya", "--due", "2030-12-10"],
    )
    assert added.exit_code == 0, added.output
    said = "recorded as agreed by Priya (no terminal to ask); if they have not agreed yet: "
    assert said + "escalate follow-up edit 1 --pending" in added.stderr
    mine = runner.invoke(app, ["follow-up", "add", "Acme", "send the plan", "--owner", "me"])
    pending = runner.invoke(
        app, ["follow-up", "add", "Acme", "legal review", "--owner", "Legal", "--pending"]
    )
    assert "recorded as agreed" not in mine.stderr + pending.stderr


@on_both_engines
def test_all_lists_closed_commitments_with_the_day_they_were_closed(runner, monkeypatch) -> None:
    """A first-use review: after `follow-up done ID` the commitment was listed nowhere, so
    reopening it meant remembering its number."""
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: WEDNESDAY)
    dated = [("Acme", "call back", "11-10"), ("Acme", "send the plan", "11-25")]
    dated.append(("Globex", "share notes", "11-12"))
    for partner, what, day in dated:
        due = ["--due", f"2026-{day}", "--allow-past"]
        assert runner.invoke(app, ["follow-up", "add", partner, what, *due]).exit_code == 0
    assert runner.invoke(app, ["follow-up", "add", "Acme", "legal review"]).exit_code == 0
    assert runner.invoke(app, ["follow-up", "done", "1"]).exit_code == 0  # call back
    listed = json.loads(runner.invoke(app, ["follow-up", "--all", "-f", "json"]).stdout)
    assert [(c["what"], c["state"], c["done_on"], c["overdue"]) for c in listed] == [
        ("call back", "done", "2026-11-18", False),
        ("share notes", "open", "", True),
        ("send the plan", "open", "", False),
        ("legal review", "open", "", False),
    ]
    assert set(listed[0]) == {
        "id", "partner", "what", "owner", "due", "state", "done_on", "overdue", "source"
    }  # fmt: skip
    shown = runner.invoke(app, ["follow-up", "--all"])
    assert shown.exit_code == 0 and "Commitments" in shown.stdout
    assert "Open commitments" not in shown.stdout and "done 2026-11-18" in shown.stdout
    markdown = runner.invoke(app, ["follow-up", "--all", "-f", "markdown"]).stdout
    assert markdown.startswith("# Commitments\n")
    assert "- #1 2026-11-10 (done 2026-11-18): call back" in markdown
    acme = json.loads(runner.invoke(app, ["follow-up", "--all", "-p", "acme", "-f", "json"]).stdout)
    assert [c["what"] for c in acme] == ["call back", "send the plan", "legal review"]
    cut = runner.invoke(app, ["follow-up", "--all", "-p", "acme", "-n", "1", "-f", "json"])
    assert [c["what"] for c in json.loads(cut.stdout)] == ["call back"]
    assert "showing 1 of 3 commitments; leave out --limit to see all" in cut.stderr
    # a closed commitment is never overdue: --overdue lists open ones, with --all too
    late = runner.invoke(app, ["follow-up", "--all", "--overdue", "-n", "1", "-f", "json"])
    assert [c["what"] for c in json.loads(late.stdout)] == ["share notes"]
    assert "showing" not in late.stderr  # the closed one, overdue by its date, is not counted
    still = json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout)
    assert [c["what"] for c in still] == ["share notes", "send the plan", "legal review"]
    assert runner.invoke(app, ["follow-up", "reopen", "1"]).exit_code == 0
    again = json.loads(runner.invoke(app, ["follow-up", "--all", "-f", "json"]).stdout)
    assert [c["state"] for c in again] == ["open"] * 4


@on_both_engines
def test_all_writes_only_open_commitments_to_the_calendar(runner, tmp_path) -> None:
    runner.invoke(app, ["follow-up", "add", "Acme", "ship it", "--due", "2030-12-10"])
    runner.invoke(app, ["follow-up", "add", "Acme", "call back", "--due", "2030-12-11"])
    assert runner.invoke(app, ["follow-up", "done", "1"]).exit_code == 0
    out = tmp_path / "c.ics"
    assert runner.invoke(app, ["follow-up", "--all", "--ics", str(out)]).exit_code == 0
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Acme: call back"]
