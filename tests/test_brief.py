"""`escalate brief`: drafts from answers, templates checked at load, answers kept literal."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalate_cli.brief import Brief, draft, warnings
from escalate_cli.cli import app
from escalate_cli.errors import EscalateError
from escalate_cli.lint import lint
from escalate_cli.playbook import Playbook, bundled_path, load
from escalate_cli.render import clause, context, render, sentence

ORDINARY = {
    "customer": "Acme Corp",
    "issue": "the nightly export failing since the 3.2 upgrade",
    "sentiment": "frustrated",
    "customer_wants": "a working export before their quarter close",
    "tried": "rolled back the configuration and ran two manual exports",
    "why_unresolved": "the fault is in the storage layer, which needs an engineering change",
    "business_impact": "a renewal worth 400k in March",
    "deal_status": "at risk",
    "ask": "an engineering lead assigned to the fix this week",
    "proposal": "a hotfix, with a daily status note to Acme until it ships",
    "documents": "https://wiki.example.com/acme-export",
    "manager_name": "Dana",
    "manager_briefed": True,
    "others_involved": "the support lead",
    "customer_contact": "Sam",
    "leader_name": "Priya Shah",
    "leader_title": "VP of Customer Success",
    "meeting_when": "this Thursday",
    "agenda_extra": "Review the export timeline\nAgree a test plan",
    "commitments": [{"what": "send the hotfix plan", "owner": "Dana", "due": "2026-12-01"}],
    "lessons": "test exports before every upgrade",
}
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{%|%\}|\[(Name|Customer|issue|X)[^\]]*\]")


@pytest.fixture(scope="module")
def checked_book() -> Playbook:
    return load(bundled_path(), check_templates=True)


def test_every_answer_appears_where_the_templates_put_it(checked_book: Playbook) -> None:
    result = draft(checked_book, ORDINARY)
    manager = result.manager_brief
    assert manager.startswith("Hi Dana,")
    for key in (
        "customer",
        "sentiment",
        "issue",
        "tried",
        "why_unresolved",
        "deal_status",
        "ask",
        "business_impact",
        "proposal",
        "others_involved",
        "documents",
    ):
        assert ORDINARY[key][1:] in manager, key  # a sentence may capitalise the first letter
    customer = result.customer_message
    for key in ("customer_contact", "leader_name", "leader_title", "meeting_when"):
        assert ORDINARY[key] in customer, key
    assert ORDINARY["issue"] not in customer  # the root cause is internal
    agenda, follow_up = result.drafts()["agenda"], result.drafts()["follow_up"]
    assert "5. Review the export timeline." in agenda
    assert "6. Agree a test plan." in agenda
    assert (
        "- Send the hotfix plan. Owner: Dana. Promise: Thursday 3 December (due 2026-12-01)."
        in follow_up
    )
    assert (
        "Our next steps, and by when:\n"
        "- Send the hotfix plan: by Thursday 3 December at the latest." in customer
    )
    assert ORDINARY["lessons"][1:] in follow_up


def test_what_is_already_done_reaches_the_customer_and_stays_out_of_the_brief(
    checked_book: Playbook,
) -> None:
    """An apology with nothing done behind it reads as words: what has already been put
    right, as the user would tell the customer, follows the ownership line in the customer
    message and its chat form; the manager brief has `tried` for that, so it is not
    repeated there. Without an answer, the messages are as before."""
    done = "we re-ran the failed exports for November\nrestored the nightly schedule"
    result = draft(checked_book, {**ORDINARY, "done_so_far": done})
    assert (
        "alongside me.\n\nWhat we have done so far:\n"
        "- We re-ran the failed exports for November.\n- Restored the nightly schedule.\n\n"
    ) in result.customer_message
    assert (
        "to work on it with me. So far: we re-ran the failed exports for November; "
        "restored the nightly schedule.\nNext steps:\n"
    ) in result.drafts()["customer_chat"]
    assert "re-ran" not in result.manager_brief
    assert (
        "2. Acknowledge the impact: ask them to describe it, then say it back in their words.\n"
        "3. Say what is already put right: we re-ran the failed exports for November; "
        "restored the nightly schedule.\n4. Take ownership"
    ) in result.drafts()["agenda"]
    one = draft(checked_book, {**ORDINARY, "done_so_far": "we re-sent Tuesday's reminders"})
    assert "What we have done so far: We re-sent Tuesday's reminders.\n" in one.customer_message
    plain = draft(checked_book, ORDINARY)
    assert "done so far" not in plain.customer_message
    assert "So far" not in plain.drafts()["customer_chat"]
    for nothing in ("n/a", "None.", "-", "...", "nothing yet"):  # a reviewer typed these
        said = draft(checked_book, {**ORDINARY, "done_so_far": nothing, "workaround": nothing})
        assert said.drafts() == plain.drafts(), nothing


def test_a_draft_written_at_the_weekend_counts_from_the_day_it_can_go(
    checked_book: Playbook,
) -> None:
    """Written on Sunday 6 December, the message goes on Monday: after a cancel threat the
    next update is one working day from then (Tuesday), not Monday itself, a same-day
    promise; otherwise two (Wednesday). On a working day nothing changes."""
    answers = {**ORDINARY, "commitments": [], "meeting_when": ""}
    sunday = dt.date(2026, 12, 6)
    threat = draft(checked_book, {**answers, "cancel_threat": True}, today=sunday)
    assert "you will hear from me by Tuesday 8 December" in threat.customer_message
    plain = draft(checked_book, answers, today=sunday)
    assert "you will hear from me by Wednesday 9 December" in plain.customer_message
    monday = draft(checked_book, {**answers, "cancel_threat": True}, today=dt.date(2026, 12, 7))
    assert "you will hear from me by Tuesday 8 December" in monday.customer_message


def test_the_customer_message_lints_clean_whatever_the_commitments_say(
    checked_book: Playbook,
) -> None:
    """Each line under "Our next steps" gives a date the brief already cushioned; pasted
    into `escalate lint` on its own, the line must not ask for the cushion again ("by
    Monday 28 December" alone was flagged for three of these, a reviewer found)."""
    said = [
        "ship the schema change",
        "send the credit note",
        "enable monitoring",
        "review with the customer",
        "deliver the root-cause report.",
        "recover every missing order and confirm the count",
        "send the patch plan with its test results",
        "finish the report migration",
        "restore hourly refresh on all twelve dashboards",
        "refund the duplicate charges",
        "replace the faulty scanners at both depots",
        "send a written account of what went wrong",
    ]
    due = [
        {"what": what, "owner": "me", "due": f"2026-12-{day:02d}"}
        for what, day in zip(said, range(7, 31, 2), strict=True)
    ]
    result = draft(checked_book, {**ORDINARY, "commitments": due}, today=dt.date(2026, 12, 6))
    for message in (result.customer_message, result.drafts()["customer_chat"]):
        assert message.count(" at the latest.\n") == len(said)
        assert lint(message, checked_book.lint, today=dt.date(2026, 12, 6)) == []


def agreed_and_pending(book: Playbook, agreed: tuple[str, str], pending: str) -> Brief:
    """The drafts on Sunday 6 December of a brief with two commitments: `agreed` (owner,
    what), due Wednesday 9 December, and `pending`, Finance's, due on the 10th and not
    agreed to yet."""
    owner, what = agreed
    due = [
        {"what": what, "owner": owner, "due": "2026-12-09"},
        {"what": pending, "owner": "Finance", "due": "2026-12-10", "agreed": False},
    ]
    return draft(book, {**ORDINARY, "commitments": due}, today=dt.date(2026, 12, 6))


def test_the_chat_form_gives_the_next_steps_the_message_gives(checked_book: Playbook) -> None:
    """A customer who gets only the chat form hears what happens next and by when (a
    manager reading the drafts found only an apology and a call there): each agreed
    commitment with its promise date, as in the customer message; one not agreed yet stays
    out of both."""
    result = agreed_and_pending(checked_book, ("Dana", "send the hotfix plan"),
                                "credit November's invoice")  # fmt: skip
    chat = result.drafts()["customer_chat"]
    assert "\nNext steps:\n- Send the hotfix plan: by Friday 11 December at the latest.\n" in chat
    assert "by Friday 11 December at the latest" in result.customer_message
    assert "credit" not in chat.lower() and "credit" not in result.customer_message.lower()
    plain = draft(checked_book, {**ORDINARY, "commitments": []})
    assert "Next steps" not in plain.drafts()["customer_chat"]
    assert "with me. Could we talk" in plain.drafts()["customer_chat"]


def test_the_teams_drafts_speak_of_the_customers_things_as_theirs(checked_book: Playbook) -> None:
    """A commitment is typed as the customer hears it ("credit your November invoice");
    in the manager brief and the follow-up plan, written for the team, "your" would be the
    manager's invoice. The customer's drafts keep the words as typed."""
    result = agreed_and_pending(checked_book, ("me", "refund your duplicate charges"),
                                "credit your November invoice")  # fmt: skip
    drafts = result.drafts()
    for internal in (result.manager_brief, drafts["follow_up"]):
        assert "Refund their duplicate charges." in internal
        assert "Credit their November invoice." in internal
        assert "your" not in internal.lower().replace("your help", "")
    for customer in (result.customer_message, drafts["customer_chat"]):
        assert "- Refund your duplicate charges: by Friday 11 December at the latest." in customer


def test_a_time_with_no_zone_gets_the_senders_from_the_profile(checked_book: Playbook) -> None:
    """A reviewer: "Friday noon" has no time zone, and a customer elsewhere reads it as
    theirs. With `time_zone` in the profile, a proposed time that names none gets it."""
    typed = {**ORDINARY, "meeting_when": "thursday at 3pm", "next_update": "friday noon"}
    result = draft(checked_book, typed, profile={"name": "Al", "time_zone": "ET"})
    assert "Could we talk Thursday at 3pm ET?" in result.customer_message
    assert "you'll hear from me by Friday noon ET." in result.drafts()["customer_chat"]
    assert "with Acme Corp, Thursday at 3pm ET." in result.manager_brief
    zoned = draft(checked_book, {**typed, "meeting_when": "Thursday at 3pm CET"},
                  profile={"time_zone": "ET"})  # fmt: skip
    assert "Could we talk Thursday at 3pm CET?" in zoned.customer_message
    plain = draft(checked_book, typed, profile={"name": "Al"})
    assert "Could we talk Thursday at 3pm?" in plain.customer_message


def test_no_draft_promises_a_holiday(checked_book: Playbook) -> None:
    """Written on Monday 21 December 2026: work due Wednesday 23rd is promised for Monday
    28th (Friday 25th is one of the playbook's holidays), and the next update, two working
    days on, is Wednesday 23rd; after a cancel threat, one working day from Thursday 24th
    is Monday 28th too. The coach's rewrite of a typed date skips it the same way."""
    due = [{"what": "send the hotfix plan", "owner": "Dana", "due": "2026-12-23"}]
    answers = {**ORDINARY, "commitments": due, "meeting_when": ""}
    result = draft(checked_book, answers, today=dt.date(2026, 12, 21))
    assert "- Send the hotfix plan: by Monday 28 December at the latest." in result.customer_message
    assert "Friday 25 December" not in result.customer_message
    assert "you will hear from me by Wednesday 23 December" in result.customer_message
    later = draft(
        checked_book,
        {**answers, "commitments": [], "cancel_threat": True},
        today=dt.date(2026, 12, 24),
    )
    assert "you will hear from me by Monday 28 December" in later.customer_message
    (finding,) = lint(
        "We will ship the fix on Thursday 24 December.",
        checked_book.lint,
        today=dt.date(2026, 12, 21),
    )
    assert "Tuesday 29 December (Thursday 24 December plus 2 working days)" in finding.suggestion
    off = replace(checked_book, lint=replace(checked_book.lint, holidays=()))
    assert (
        "by Friday 25 December" in draft(off, answers, today=dt.date(2026, 12, 21)).customer_message
    )


def test_customer_message_blames_no_one_and_promises_nothing(checked_book: Playbook) -> None:
    result = draft(checked_book, ORDINARY)
    assert result.findings == {}, result.findings
    assert result.warnings == ()


def test_a_promise_date_the_brief_cushioned_is_not_flagged_for_a_missing_buffer(
    checked_book: Playbook,
) -> None:
    """The brief adds the cushion to each due date itself, so the coach does not ask for a
    buffer on that line; the same words typed into an answer are still flagged. The line
    and a commitment with a date of its own are made findings by patterns of the test's
    own: whether the shipped model flags them moves with each retraining (and the drafts
    must also lint clean on their own)."""
    eta = next(rule for rule in checked_book.lint.rules if rule.id == "eta_no_buffer")
    own = (r"\bShip\s+the\s+fix:\s+by\s+Thursday\b", r"\bship\s+the\s+fix\s+by\s+Friday\b")
    strict = replace(eta, patterns=(*eta.patterns, *own))
    rules = tuple(strict if rule is eta else rule for rule in checked_book.lint.rules)
    book = replace(checked_book, lint=replace(checked_book.lint, rules=rules))
    shipped = [{"what": "ship the fix", "owner": "Dana", "due": "2026-12-01"}]
    result = draft(book, {**ORDINARY, "commitments": shipped})
    line = "- Ship the fix: by Thursday 3 December at the latest."
    assert line in result.customer_message
    assert "eta_no_buffer" in {f.rule for f in lint(line, book.lint)}
    assert "customer_message" not in result.findings
    typed = draft(
        book,
        {
            **ORDINARY,
            "commitments": shipped,
            "workaround": "the fix goes live on Thursday 3 December",
        },
    )
    assert "eta_no_buffer" in {f.rule for f in typed.findings["customer_message"]}
    blank = [{"what": "", "owner": "Dana", "due": "2026-12-01"}]
    workaround = {"workaround": "the fix goes live on Thursday 3 December"}
    unnamed = draft(book, {**ORDINARY, "commitments": blank, **workaround})
    assert "eta_no_buffer" in {f.rule for f in unnamed.findings["customer_message"]}
    dated = [{"what": "ship the fix by Friday", "owner": "Dana", "due": "2026-12-01"}]
    own_date = draft(book, {**ORDINARY, "commitments": dated})
    assert "eta_no_buffer" in {f.rule for f in own_date.findings["customer_message"]}


def test_what_the_customer_wants_and_feels_is_their_view_not_the_writers_promise(
    checked_book: Playbook,
) -> None:
    """`reported` answers: the manager brief repeats what the customer wants and how they
    feel, and the coach does not read those as the writer's guarantee or alarm; the same
    words typed as the writer's own proposal are still flagged."""
    wants = "proof it cannot happen again, and a fix before the 15th"
    feels = "furious, it is a total disaster for them"
    result = draft(checked_book, {**ORDINARY, "customer_wants": wants, "sentiment": feels})
    assert "Proof it cannot happen again, and a fix before the 15th." in result.manager_brief
    assert "Furious, it is a total disaster for them." in result.manager_brief
    assert "manager_brief" not in result.findings, result.findings
    own = draft(checked_book, {**ORDINARY, "proposal": "a hotfix; it cannot happen again"})
    assert "over_promise" in {f.rule for f in own.findings["manager_brief"]}
    # the writer proposing what the customer asked for still promises it; a short
    # answer ("no") leaves the other lines' words alone
    same = {**ORDINARY, "customer_wants": wants, "proposal": wants, "sentiment": "no"}
    assert "over_promise" in {f.rule for f in draft(checked_book, same).findings["manager_brief"]}


def test_optional_answers_left_out_leave_no_gap(checked_book: Playbook) -> None:
    given_answers = {
        k: v
        for k, v in ORDINARY.items()
        if k not in ("documents", "others_involved", "agenda_extra", "commitments", "lessons")
    }
    result = draft(checked_book, given_answers)
    assert "Background" not in result.manager_brief
    assert "none recorded yet" in result.drafts()["follow_up"]
    for text in result.drafts().values():
        assert not PLACEHOLDER.search(text)


printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {k: printable for k in ("customer", "issue", "leader_name", "meeting_when")}
    )
)
def test_no_placeholder_is_left_and_answers_come_out_verbatim(checked_book, values) -> None:
    answers = {**ORDINARY, **values}
    result = draft(checked_book, answers)
    everything = "".join(result.drafts().values())
    for key in ("customer", "leader_name"):
        assert values[key] in everything, key
    for key in ("issue", "meeting_when"):  # trimmed to fit the sentence, never rewritten
        assert clause(values[key])[1:] in everything, key


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ 7*7 }}",
        "{% if true %}x{% endif %}",
        "{0.__class__}",
        "[bold]loud[/bold]",
        "{{ ''.__class__.__mro__ }}",
        "[link=https://evil.example]click[/link]",
    ],
)
def test_injection_strings_appear_exactly_as_typed(checked_book, hostile: str) -> None:
    result = draft(
        checked_book,
        {**ORDINARY, "issue": hostile, "customer": hostile, "customer_problem": hostile},
    )
    assert f"\n{hostile}. That is not the service" in result.customer_message
    assert f"I need your help with {hostile} this week." in result.manager_brief
    assert f"Root cause: {sentence(hostile)}" in result.manager_brief
    assert "49" not in result.customer_message + result.manager_brief


def test_warnings_name_the_gotchas_that_apply(checked_book: Playbook) -> None:
    risky = {
        **ORDINARY,
        "ask": "help",
        "manager_briefed": False,
        "tried": "pinged them but engineering dropped the ball",
    }
    assert [g.id for g in warnings(checked_book, risky)] == [
        "no_plan",
        "blame",
        "manager_not_briefed",
    ]
    assert warnings(checked_book, {**ORDINARY, "clear_ask": False})[0].id == "no_plan"


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_cli_json_has_the_contract_fields(runner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["brief", "-a", str(write(tmp_path / "a.json", ORDINARY)), "--no-input", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"manager_brief", "customer_message", "agenda", "follow_up", "warnings"} <= set(data)
    assert data["warnings"] == [] and data["findings"] == {}


def test_a_long_answer_may_be_a_yaml_list_of_points(runner, tmp_path: Path) -> None:
    """One point per line is how long answers are asked for; in an answers file the list
    a YAML writer reaches for says the same. A list for a one-line answer is still refused,
    saying what to write instead."""
    listed = tmp_path / "a.yaml"
    listed.write_text(
        "".join(
            f"{key}: {json.dumps(value)}\n"
            for key, value in ORDINARY.items()
            if key not in ("tried", "done_so_far")
        )
        + "tried:\n  - rolled back the configuration\n  - ran two manual exports\n"
        + "done_so_far:\n  - we re-ran the November exports\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["brief", "-a", str(listed), "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (
        "What I tried:\n- Rolled back the configuration.\n- Ran two manual exports."
        in data["manager_brief"]
    )
    assert "What we have done so far: We re-ran the November exports." in data["customer_message"]
    one_line = tmp_path / "b.yaml"
    one_line.write_text(
        listed.read_text(encoding="utf-8").replace('sentiment: "frustrated"', "sentiment: [angry]")
    )
    refused = runner.invoke(app, ["brief", "-a", str(one_line), "--no-input", "-f", "json"])
    assert refused.exit_code == 2 and "write it as one line" in refused.output


def test_a_commitment_of_mine_is_recorded_under_my_name_and_no_other_is(
    runner, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["config", "set", "name", "Jordan Lee"]).exit_code == 0
    promised = [
        {"what": "send the hotfix plan", "owner": " Me ", "due": "2030-12-01"},
        {"what": "confirm the date", "owner": "Dana", "due": "2030-12-02"},
    ]
    file = str(write(tmp_path / "a.json", {**ORDINARY, "commitments": promised}))
    result = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout)
    assert [(c["what"], c["owner"]) for c in listed] == [
        ("send the hotfix plan", "Jordan Lee"),
        ("confirm the date", "Dana"),
    ]


def test_my_commitment_goes_under_the_name_that_signs_the_brief(
    runner, tmp_path: Path, monkeypatch
) -> None:
    """Review: with no profile, an owner of "me" was recorded as the login name ("root")
    while the drafts were signed with the `your_name` the answers gave."""
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    promised = [{"what": "send the patch plan", "owner": "me", "due": "2030-12-17"}]
    answers = {**ORDINARY, "your_name": "Alex Rivera", "commitments": promised}
    file = str(write(tmp_path / "a.json", answers))
    result = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout)
    assert [(c["what"], c["owner"]) for c in listed] == [("send the patch plan", "Alex Rivera")]


@pytest.mark.parametrize(
    ("today", "due", "heard_by"),
    [
        (dt.date(2026, 12, 4), "2026-12-18", "Tuesday 8 December"),  # a Friday: 2 working days
        (dt.date(2026, 12, 1), "2026-12-01", "Thursday 3 December"),  # the promise, as soon
        (dt.date(2026, 11, 30), "2026-11-30", "Wednesday 2 December"),  # the promise, sooner
    ],
)
def test_without_a_next_update_they_hear_from_us_within_days_not_weeks(
    checked_book: Playbook, today: dt.date, due: str, heard_by: str
) -> None:
    """Review: with no `next_update`, the message said "you will hear from me by <the first
    promise date> at the latest": two weeks of silence for a customer at risk."""
    promised = [{"what": "finish the migration", "owner": "Dana", "due": due}]
    result = draft(checked_book, {**ORDINARY, "commitments": promised}, today=today)
    assert f"Either way, you will hear from me by {heard_by} with where" in result.customer_message
    assert f"you'll hear from me by {heard_by}." in result.drafts()["customer_chat"]
    assert f"the next update is due by {heard_by}." in result.drafts()["follow_up"]


def test_a_commitment_of_mine_is_owned_by_my_name_in_the_drafts(checked_book: Playbook) -> None:
    """Review: the manager brief read "Send you the written root cause analysis. Owner: me"."""
    promised = [{"what": "send the root cause analysis", "owner": "me", "due": "2030-12-17"}]
    answers = {**ORDINARY, "your_name": "Alex Rivera", "commitments": promised}
    follow_up = draft(checked_book, answers).drafts()["follow_up"]
    assert "Send the root cause analysis. Owner: Alex Rivera." in follow_up
    assert "Owner: me" not in "\n".join(draft(checked_book, answers).drafts().values())


def test_a_brief_run_again_with_a_corrected_date_keeps_both_and_says_so(
    runner, tmp_path: Path
) -> None:
    """Review: running a brief again the same day with one due date changed filed it as the
    first brief (whose drafts `history show` then printed) and added the commitment a
    second time without a word. Now each brief keeps its own drafts, and the user is told
    which open commitment the new date may replace, with the command that drops it."""
    promised = {"what": "send the hotfix plan", "owner": "Dana", "due": "2030-12-01"}
    first = {**ORDINARY, "commitments": [promised]}
    again = {**ORDINARY, "commitments": [{**promised, "due": "2030-12-08"}]}
    for name, answers in (("first.json", first), ("again.json", again), ("again.json", again)):
        run = runner.invoke(
            app, ["brief", "-a", str(write(tmp_path / name, answers)), "--no-input", "-f", "json"]
        )
        assert run.exit_code == 0, run.output
    assert "'send the hotfix plan' (Dana) was already open, due 2030-12-01 (#1)" in run.stderr
    assert "`escalate follow-up remove 1`" in run.stderr
    listed = json.loads(runner.invoke(app, ["history", "Acme Corp", "-f", "json"]).stdout)
    assert sorted(entry["id"] for entry in listed) == [1, 2]  # the third run repeats the second
    shown = [
        json.loads(runner.invoke(app, ["history", "show", str(n), "-f", "json"]).stdout)
        for n in (1, 2)
    ]
    assert "(due 2030-12-01)" in shown[0]["follow_up"]
    assert "(due 2030-12-08)" in shown[1]["follow_up"]


def test_no_draft_promises_a_date_that_has_passed(runner, tmp_path: Path, monkeypatch) -> None:
    """An answers file written days ago: a commitment whose cushioned date has gone is
    promised no date, one whose due date has gone but not its cushioned date keeps that,
    and the user is told which is which."""
    wednesday = dt.date(2026, 11, 18)
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: wednesday)
    promised = [
        {"what": "send the hotfix plan", "owner": "Dana", "due": "2026-11-10"},  # +2: Nov 12
        {"what": "confirm the schema date", "owner": "Alex", "due": "2026-11-17"},  # +2: Nov 19
        {"what": "share the root cause", "owner": "Dana", "due": "2026-11-25"},  # +2: Nov 27
        {"what": "book the review", "owner": "Dana", "due": "2026-11-16"},  # +2: today
        {"what": "offer a credit", "owner": "Alex", "due": "2026-11-10", "agreed": False},
    ]
    file = str(write(tmp_path / "a.json", {**ORDINARY, "commitments": promised}))
    result = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    drafts = "\n".join(data[name] for name in ("manager_brief", "customer_message", "follow_up"))
    assert "12 November" not in drafts and "2026-11-12" not in drafts
    assert (
        "- Confirm the schema date: by Thursday 19 November at the latest."
        in data["customer_message"]
    )
    assert (
        "- Share the root cause: by Friday 27 November at the latest." in data["customer_message"]
    )
    assert "Send the hotfix plan." not in data["customer_message"]
    assert (
        "Send the hotfix plan. Owner: Dana; date to give them: to be agreed (it was due "
        "Tuesday 10 November, which has passed)." in data["manager_brief"]
    )
    assert (
        "Send the hotfix plan. Owner: Dana. Date: to be agreed (it was due 2026-11-10, which "
        "has passed)." in data["follow_up"]
    )
    assert (
        "the commitment 'send the hotfix plan' was due 2026-11-10, which has passed, and so has "
        "its promise date 2026-11-12: the manager brief and the follow-up plan mark it 'to be "
        "agreed' and the customer messages leave it out; agree a new date with Dana before sending"
    ) in result.stderr
    assert (
        "the commitment 'confirm the schema date' was due 2026-11-17, which has passed; the "
        "drafts still promise 2026-11-19 (the due date plus the cushion)"
    ) in result.stderr
    assert "- Book the review: by Wednesday 18 November at the latest." in data["customer_message"]
    # not agreed yet: never said to the customer, listed for the manager ...
    assert "credit" not in data["customer_message"] + data["customer_chat"]
    assert "- Offer a credit. Owner: Alex; target Tuesday 10 November." in data["manager_brief"]
    assert "'offer a credit' was due 2026-11-10, which has passed\n" in result.stderr  # ... said
    assert "share the root cause" not in result.stderr
    today_promise = "'book the review' was due 2026-11-16, which has passed; the drafts still"
    assert f"{today_promise} promise 2026-11-18" in result.stderr  # today is still ahead
    listed = json.loads(runner.invoke(app, ["follow-up", "-f", "json"]).stdout)
    assert ("send the hotfix plan", "2026-11-10") in [(c["what"], c["due"]) for c in listed]


def test_a_commitment_not_agreed_yet_is_listed_for_us_and_never_promised(
    checked_book: Playbook,
) -> None:
    """Review: a service credit Finance had not agreed to yet was left out of every draft,
    so the manager and the follow-up plan lost it; a second review: naming it to the
    customer, even as "to be confirmed", sets an expectation nobody has agreed to."""
    promised = [
        {"what": "send the written price review", "owner": "Dana", "due": "2030-12-06"},
        {"what": "offer a one-month service credit", "owner": "Finance", "agreed": False},
        {"what": "ship send-failure alerts", "owner": "Sam", "due": "2030-12-18", "agreed": False},
    ]
    result = draft(checked_book, {**ORDINARY, "commitments": promised})
    message = result.customer_message
    assert "Our next steps, and by when:\n- Send the written" in message
    assert "credit" not in message and "alerts" not in result.drafts()["customer_chat"]
    assert (
        "Not promised to Acme Corp until their owners agree:\n"
        "- Offer a one-month service credit. Owner: Finance.\n"
        "- Ship send-failure alerts. Owner: Sam; target Wednesday 18 December.\n"
    ) in result.manager_brief
    assert (
        "Not agreed yet (agree each with its owner before it is promised):\n"
        "- Offer a one-month service credit. Owner: Finance.\n"
        "- Ship send-failure alerts. Owner: Sam. Target: Wednesday 18 December.\n"
    ) in result.drafts()["follow_up"]
    assert result.findings == {}, result.findings


def test_cli_markdown_and_text(runner, tmp_path: Path) -> None:
    file = str(write(tmp_path / "a.json", {**ORDINARY, "issue": "```x```"}))
    md = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "markdown"])
    assert md.exit_code == 0
    assert "## Manager brief\n\n````text\nHi Dana," in md.stdout
    text = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "text"])
    assert "Manager brief\n=============\n\nHi Dana," in text.stdout


def test_cli_terminal_view_shows_markup_literally(runner, tmp_path: Path) -> None:
    file = str(write(tmp_path / "a.json", {**ORDINARY, "issue": "[bold]x[/bold] \x1b[31mred"}))
    result = runner.invoke(app, ["brief", "-a", file, "--no-input"])
    assert result.exit_code == 0
    assert "[bold]x[/bold] \\x1b[31mred" in result.stdout
    assert "\x1b" not in result.stdout


def test_cli_terminal_view_into_a_pipe_ends_no_line_with_padding(runner, tmp_path) -> None:
    risky = {**ORDINARY, "proposal": "I guarantee the fix ships Friday, no matter what"}
    file = str(write(tmp_path / "a.json", risky))
    result = runner.invoke(app, ["brief", "-a", file, "--no-input"])
    assert result.exit_code == 0 and "Message coach:" in result.stdout
    assert [line for line in result.stdout.splitlines() if line != line.rstrip()] == []


def test_missing_required_answer_without_terminal_names_the_id(runner, tmp_path) -> None:
    partial = {k: v for k, v in ORDINARY.items() if k not in ("leader_title", "ask")}
    result = runner.invoke(app, ["brief", "-a", str(write(tmp_path / "a.json", partial))])
    assert result.exit_code == 2
    assert "missing answers for: ask, leader_title" in result.stderr


def test_output_file_and_force(runner, tmp_path: Path) -> None:
    file = str(write(tmp_path / "a.json", ORDINARY))
    out = tmp_path / "brief.md"
    args = ["brief", "-a", file, "--no-input", "-f", "markdown", "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert out.read_text().startswith("# Escalation brief")
    assert runner.invoke(app, args).exit_code == 2
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hi {{ manager_nme }}", "`manager_nme` is not a question id"),
        ("Hi {{ manager_name }", "template line 1: unexpected '}'"),
        (
            "{% for a in commitments %}{% for b in commitments %}{% for c in commitments %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "loops nested more than 2 deep",
        ),
        ("{{ range(10) }}", "`range` is not a question id"),
    ],
)
def test_bad_template_is_a_playbook_error_at_load(tmp_path, default_text, template, expected):
    custom = tmp_path / "team.yaml"
    start = default_text.index("  customer_message: |\n")
    end = default_text.index("  agenda: |\n")
    custom.write_text(
        default_text[:start] + f"  customer_message: {json.dumps(template)}\n" + default_text[end:]
    )
    with pytest.raises(EscalateError) as caught:
        load(custom, check_templates=True)
    assert caught.value.exit_code == 2
    line = default_text[:start].count("\n") + 1
    assert f"team.yaml:{line}:3: templates.customer_message: {expected}" in caught.value.message


def test_bad_template_on_brief_is_exit_2_before_any_question(runner, tmp_path, default_text):
    start = default_text.index("  customer_message: |\n")
    end = default_text.index("  agenda: |\n")
    custom = tmp_path / "team.yaml"
    custom.write_text(
        default_text[:start] + '  customer_message: "{{ oops }}"\n' + default_text[end:]
    )
    result = runner.invoke(app, ["brief", "--playbook", str(custom)])
    assert result.exit_code == 2
    assert "`oops` is not a question id" in result.stderr


@pytest.mark.parametrize("field", ["next_update", "meeting_when"])
def test_a_time_that_names_no_day_is_exit_2_naming_the_line(runner, tmp_path, field) -> None:
    """Review: `next_update: ASAP` drafted "you will hear from me by ASAP"."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(json.dumps({**ORDINARY, field: "ASAP"}, indent=1))
    result = runner.invoke(app, ["brief", "--answers", str(answers), "--no-input"])
    assert result.exit_code == 2
    lines = answers.read_text().splitlines()
    line = next(at for at, text in enumerate(lines, 1) if f'"{field}": "ASAP"' in text)
    assert f"answers.yaml:{line}:2: {field}: 'ASAP' names no day or time; give one" in result.stderr


def test_a_meeting_day_that_has_passed_is_another_weekday_or_a_holiday_is_exit_2(
    runner, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: dt.date(2026, 12, 21))
    for said, problem in (
        ("tue 23 dec, 2pm", "23 December 2026 is a Wednesday"),
        ("wed 2 dec", "Wednesday 2 December 2026 has passed"),
        # the default playbook's holidays: 25 December, 1 January
        ("friday 3pm", "Friday 25 December is one of the playbook's holidays; give a working day"),
        ("Jan 1 at 10", "Friday 1 January is one of the playbook's holidays"),
    ):
        answers = tmp_path / "answers.yaml"
        answers.write_text(json.dumps({**ORDINARY, "meeting_when": said}, indent=1))
        result = runner.invoke(app, ["brief", "--answers", str(answers), "--no-input"])
        assert result.exit_code == 2
        assert f"meeting_when: {said!r}: {problem}" in result.stderr


def test_runaway_templates_are_bounded(checked_book: Playbook) -> None:
    bomb = replace(
        checked_book,
        templates=replace(
            checked_book.templates,
            agenda="{{ 'x' * 100000000 }}",
            follow_up="{{ 10 ** 100000 }}",
        ),
    )
    values = context(list(bomb.all_questions()), ORDINARY)
    for name in ("agenda", "follow_up"):
        with pytest.raises(EscalateError, match="too large"):
            render(bomb, name, values)


def test_unquoted_times_and_numbers_keep_the_text_as_typed(runner, tmp_path: Path) -> None:
    lines = [
        f"{k}: {json.dumps(v)}"
        for k, v in ORDINARY.items()
        if k not in ("meeting_when", "customer", "documents", "lessons")
    ]
    lines += ["meeting_when: 10:30", "customer: 0x1F", "documents:", "lessons: ~"]
    file = tmp_path / "a.yaml"
    file.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["brief", "-a", str(file), "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "Could we talk 10:30?" in data["customer_message"]
    assert "I need your help with 0x1F this week" in data["manager_brief"]
    assert "documents" not in data["answers"] and "lessons" not in data["answers"]


def test_a_blank_commitment_is_exit_2_before_anything_is_written(runner, tmp_path) -> None:
    answers_file = tmp_path / "a.json"
    answers_file.write_text(
        json.dumps(
            {**ORDINARY, "commitments": [{"what": "send plan", "owner": "Dana"}, {"what": "  "}]}
        )
    )
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["brief", "-a", str(answers_file), "-p", "Hooli", "-o", str(out)])
    assert result.exit_code == 2 and "commitment 2: needs at least `what:`" in result.stderr
    assert not out.exists()
    assert json.loads(runner.invoke(app, ["partners", "-f", "json"]).stdout) == []


def test_a_playbook_without_the_chat_template_drafts_the_rest(checked_book: Playbook) -> None:
    assert checked_book.templates is not None
    older = replace(checked_book, templates=replace(checked_book.templates, customer_chat=None))
    result = draft(older, ORDINARY)
    assert list(result.drafts()) == ["manager_brief", "customer_message", "agenda", "follow_up"]


def test_templates_may_use_the_profile_but_no_other_unknown_name(tmp_path, default_text) -> None:
    start = default_text.index("  customer_chat: |\n")
    end = default_text.index("  agenda: |\n")
    custom = tmp_path / "team.yaml"
    custom.write_text(
        default_text[:start]
        + '  customer_chat: "{{ profile.team }} {{ me }}"\n'
        + default_text[end:]
    )
    with pytest.raises(EscalateError) as caught:
        load(custom, check_templates=True)
    assert "templates.customer_chat: `me` is not a question id" in caught.value.message
    assert "profile" not in caught.value.message
