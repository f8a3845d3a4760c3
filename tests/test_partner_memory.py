"""Partner memory through the command line: notes, partners, the before-you-talk view,
recording assess and brief, handover export and import."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from conftest import answers, write_yaml
from escalate_cli.cli import app
from escalate_cli.store import Store
from test_brief import ORDINARY

# every test here runs on the local store and on a team database (conftest: `engine`)
pytestmark = pytest.mark.usefixtures("engine")

HOSTILE = "[link=https://evil.example]click[/link] [/] \x1b[31mred\x1b]8;;x\x07 \u202eevil"


def run(runner, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def add(runner, partner: str, kind: str, text: str, *extra: str) -> None:
    result = run(runner, "notes", "add", partner, "--kind", kind, text, *extra)
    assert result.exit_code == 0, result.output


def test_notes_add_list_search_edit_remove(runner) -> None:
    add(runner, "Acme", "trigger", "being told 'per our policy'")
    add(
        runner,
        "acme",
        "agreement",
        "weekly status every Monday",
        "--date",
        "2026-11-02",
        "--link",
        "https://docs.example/acme",
        "--by",
        "Dana",
    )
    listed = json.loads(run(runner, "notes", "list", "ACME", "-f", "json").stdout)
    assert [(n["kind"], n["partner"]) for n in listed] == [  # no --date: today, so last
        ("agreement", "Acme"),
        ("trigger", "Acme"),
    ]
    assert listed[1]["date"] == time.strftime("%Y-%m-%d")
    assert listed[0]["link"] == "https://docs.example/acme" and listed[0]["by"] == "Dana"
    only = json.loads(
        run(runner, "notes", "list", "acme", "--kind", "trigger", "-f", "json").stdout
    )
    assert [n["kind"] for n in only] == ["trigger"]
    found = json.loads(run(runner, "notes", "search", "status", "monday", "-f", "json").stdout)
    assert [n["id"] for n in found] == [listed[0]["id"]]
    note_id = str(listed[1]["id"])
    assert run(runner, "notes", "edit", note_id, "--text", "hearing 'policy'").exit_code == 0
    assert "hearing 'policy'" in run(runner, "notes", "list", "acme").stdout
    assert run(runner, "notes", "remove", note_id).exit_code == 0
    assert len(json.loads(run(runner, "notes", "list", "acme", "-f", "json").stdout)) == 1
    gone = run(runner, "notes", "remove", note_id)
    assert gone.exit_code == 2 and f"no note #{note_id}" in gone.stderr


def test_relative_dates_and_bad_dates(runner) -> None:
    add(runner, "Acme", "decision", "moved to quarterly reviews", "--date", "today")
    listed = json.loads(run(runner, "notes", "list", "acme", "-f", "json").stdout)
    assert listed[0]["date"] == time.strftime("%Y-%m-%d")
    bad = run(runner, "notes", "add", "Acme", "--kind", "note", "x", "--date", "someday")
    assert bad.exit_code == 2
    assert "not a date I can read" in bad.stderr and "month/day/year" in bad.stderr


SUNDAY = dt.date(2026, 12, 6)  # the day of the first-use review


def test_a_note_says_the_date_it_is_filed_under(runner, monkeypatch) -> None:
    """Review: on a Sunday, `--date "last monday"` was filed under 23 Nov, unseen."""
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: SUNDAY)
    added = run(runner, "notes", "add", "Acme", "--kind", "note", "call", "--date", "last monday")
    assert added.exit_code == 0, added.output
    assert "added note #1 (note) for Acme, dated Mon 2026-11-30\n" in added.stderr
    assert added.stdout == ""  # status goes to stderr, as every command's does
    again = run(runner, "notes", "add", "Acme", "--kind", "note", "call", "--date", "2026-11-30")
    assert "already recorded as note #1 (note) for Acme, dated Mon 2026-11-30" in again.stderr
    edited = run(runner, "notes", "edit", "1", "--date", "last tuesday")
    assert edited.exit_code == 0 and "note #1 saved, dated Tue 2026-12-01" in edited.stderr


def test_notes_and_outcomes_are_never_dated_after_today(runner, monkeypatch) -> None:
    """Review: `outcome --date tomorrow` and `notes add --date 2027-06-01` were taken."""
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: SUNDAY)
    add(runner, "Acme", "note", "kept", "--date", "2026-11-20")
    refused = {
        ("notes", "add", "Acme", "--kind", "note", "planned"): ("a note", "leave --date out"),
        ("notes", "edit", "1"): ("a note", "give today or an earlier day"),
        ("outcome", "Acme", "renewal signed"): ("an outcome", "leave --date out"),
    }
    for args, (what, hint) in refused.items():
        for typed, shown in (("2027-06-01", "2027-06-01"), ("tomorrow", "2026-12-07")):
            result = run(runner, *args, "--date", typed)
            assert result.exit_code == 2, result.output
            assert (
                f"--date {shown} is in the future; {what} is dated when it happened"
                in result.stderr
            )
            assert f"hint: {hint}" in result.stderr and "Traceback" not in result.output
    listed = json.loads(run(runner, "notes", "list", "acme", "-f", "json").stdout)
    assert [(n["text"], n["date"]) for n in listed] == [("kept", "2026-11-20")]


def test_since_looks_back(runner, monkeypatch) -> None:
    """`--since monday` on a Sunday read the Monday to come, and listed nothing."""
    monkeypatch.setattr("escalate_cli.commands.common.today", lambda: SUNDAY)
    add(runner, "Acme", "note", "older call", "--date", "2026-11-20")
    add(runner, "Acme", "note", "call this week", "--date", "2026-12-01")
    for command in (["notes", "list", "acme"], ["notes", "search", "call"]):
        found = run(runner, *command, "--since", "monday", "-f", "json")
        assert [n["text"] for n in json.loads(found.stdout)] == ["call this week"], command


def test_unknown_kind_lists_the_kinds_and_unknown_partner_suggests(runner) -> None:
    add(runner, "Acme Corp", "note", "first")
    bad_kind = run(runner, "notes", "add", "Acme Corp", "--kind", "gossip", "x")
    assert bad_kind.exit_code == 2
    assert "trigger, escalation, communication, expectation, agreement, decision" in (
        bad_kind.stderr
    )
    unknown = run(runner, "notes", "list", "Acme Crop")
    assert unknown.exit_code == 2 and "did you mean 'Acme Corp'?" in unknown.stderr
    assert run(runner, "handover", "Acme Crop").exit_code == 2


def test_no_text_without_terminal_is_a_clear_error(runner) -> None:
    result = run(runner, "notes", "add", "Acme", "--kind", "note")
    assert result.exit_code == 2 and "no note text given" in result.stderr


def test_partners_list_counts(runner, tmp_path: Path) -> None:
    add(runner, "Acme", "trigger", "policy talk")
    add(runner, "Globex", "note", "new account")
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    assert run(runner, "assess", "-a", str(file), "--partner", "acme", "-f", "json").exit_code == 0
    data = json.loads(run(runner, "partners", "-f", "json").stdout)
    assert [p["name"] for p in data] == ["Acme", "Globex"]
    assert data[0]["notes"] == 1 and data[0]["last_escalation"]["verdict"] == "escalate_now"


def test_hostile_note_text_is_visible_and_literal(runner) -> None:
    add(runner, "Acme", "trigger", HOSTILE)
    shown = run(runner, "notes", "list", "acme")
    assert shown.exit_code == 0
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "[link=https://evil.example]click[/link]" in shown.stdout
    assert "\\x1b[31mred" in shown.stdout and "\\u202eevil" in shown.stdout
    markdown = run(runner, "handover", "acme").stdout
    assert "\x1b" not in markdown and "\u202e" not in markdown
    assert "\\[link=https://evil.example\\]click\\[/link\\]" in markdown
    assert "\\\\x1b\\[31mred" in markdown


def test_assess_and_brief_with_partner_show_history_then_record(runner, tmp_path) -> None:
    add(runner, "Acme", "trigger", "per our policy")
    add(runner, "Acme", "communication", "Slack, weekly call on Tuesdays")
    file = write_yaml(tmp_path / "a.yaml", answers(deal_at_risk=True))
    assessed = run(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    assert assessed.exit_code == 0
    assert "Before you talk to Acme" in assessed.stderr and "per our policy" in assessed.stderr
    assert json.loads(assessed.stdout)["verdict"] == "not_yet"
    brief_answers = {**ORDINARY, "tried": "I said per our policy we cannot"}
    brief_file = tmp_path / "b.json"
    brief_file.write_text(json.dumps(brief_answers))
    briefed = run(runner, "brief", "-a", str(brief_file), "-p", "acme", "-f", "json")
    assert briefed.exit_code == 0, briefed.output
    findings = json.loads(briefed.stdout)["findings"]["manager_brief"]
    assert [f["rule"] for f in findings] == ["partner_trigger"]
    assert findings[0]["message"] == "Acme has a recorded trigger: 'per our policy'"  # not acme
    doc = json.loads(run(runner, "handover", "acme", "-f", "json").stdout)
    assert [(e["kind"], e["verdict"]) for e in doc["escalations"]] == [
        ("assessment", "not_yet"),
        ("brief", ""),
    ]
    assert doc["escalations"][1]["ask"] == ORDINARY["ask"]
    assert doc["commitments"][0]["what"] == "send the hotfix plan"
    assert doc["commitments"][0]["due"] == "2026-12-01"
    brief_file.write_text(json.dumps({**brief_answers, "customer": "ACME"}))  # no --partner
    unnamed = run(runner, "brief", "-a", str(brief_file), "-f", "json")
    (finding,) = json.loads(unnamed.stdout)["findings"]["manager_brief"]
    assert finding["message"] == "Acme has a recorded trigger: 'per our policy'"
    assert finding["suggestion"].endswith("(escalate notes list Acme --kind trigger)")


def test_handover_document_sections_and_flags(runner) -> None:
    add(
        runner,
        "Acme",
        "escalation",
        "Q3 outage: five days without an update",
        "--date",
        "2026-09-14",
    )
    add(runner, "Acme", "agreement", "status every Monday", "--link", "https://rec.example/1")
    add(runner, "Acme", "lesson", "send the first update within a day")
    text = run(runner, "handover", "Acme", "--to", "Jordan Lee").stdout
    assert text.startswith("# Handover: Acme\n")
    assert "> **Missing:** No trigger words or actions are recorded" in text
    assert "> **Missing:** No communication expectations are recorded" in text
    for heading in (
        "## Summary",
        "## Escalation history",
        "## Trigger words and actions",
        "## Communication expectations",
        "## Roles and mutual expectations",
        "## Agreements and decisions",
        "## Open commitments",
        "## Lessons learned",
        "## Draft introduction from the new owner",
    ):
        assert heading in text, heading
    assert "2026-09-14: Q3 outage" in text
    assert "(link: https://rec.example/1)" in text
    assert "## Roles and mutual expectations\n\nNothing recorded. Agree roles" in text
    assert "I'm Jordan Lee, and I am taking over" in text


def test_handover_output_is_atomic_and_never_overwrites(runner, tmp_path: Path) -> None:
    add(runner, "Acme", "note", "x")
    out = tmp_path / "acme.md"
    out.write_text("earlier handover")
    refused = run(runner, "handover", "acme", "-o", str(out))
    assert refused.exit_code == 2 and out.read_text() == "earlier handover"
    assert run(runner, "handover", "acme", "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("# Handover: Acme")


def test_export_import_export_round_trip_and_idempotent(runner, tmp_path, elsewhere) -> None:
    add(runner, "Acme", "trigger", "per our policy", "--date", "2026-01-02")
    add(runner, "Acme", "decision", "moved to quarterly reviews", "--by", "Dana")
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    run(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    run(
        runner,
        "follow-up",
        "add",
        "Acme",
        "send the plan",
        "--owner",
        "Dana",
        "--due",
        "2026-12-01",
        "--allow-past",
    )
    exported = tmp_path / "acme.json"
    assert run(runner, "handover", "Acme", "-f", "json", "-o", str(exported)).exit_code == 0

    elsewhere()
    first = run(runner, "import", str(exported))
    assert first.exit_code == 0
    assert "notes: 2 added, 0 updated, 0 unchanged" in first.stderr
    assert "escalations: 1 added" in first.stderr and "commitments: 1 added" in first.stderr
    again = run(runner, "import", str(exported))
    assert "notes: 0 added, 0 updated, 2 unchanged" in again.stderr
    assert "escalations: 0 added, 0 updated, 1 unchanged" in again.stderr
    second = json.loads(run(runner, "handover", "acme", "-f", "json").stdout)
    original = json.loads(exported.read_text())
    for doc in (original, second):
        doc.pop("exported")
    assert second == original


def test_malformed_import_is_exit_2_and_writes_nothing(runner, tmp_path, elsewhere) -> None:
    add(runner, "Acme", "note", "x")
    exported = tmp_path / "acme.json"
    run(runner, "handover", "Acme", "-f", "json", "-o", str(exported))
    data = json.loads(exported.read_text())
    data["notes"].append({"kind": "gossip", "text": "bad"})
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    elsewhere()
    for bad in (broken, tmp_path / "missing.json"):
        result = run(runner, "import", str(bad))
        assert result.exit_code == 2, result.output
    not_json = tmp_path / "x.json"
    not_json.write_text('{"format": "escalate-handover", "version": 1, "partner": ')
    assert run(runner, "import", str(not_json)).exit_code == 2
    assert run(runner, "partners", "-f", "json").stdout.strip() == "[]"


@pytest.mark.sqlite_only
def test_corrupt_store_is_reported_not_replaced(runner, tmp_path: Path) -> None:
    home = Path(os.environ["ESCALATE_HOME"])
    home.mkdir(parents=True)
    db = home / "escalate.db"
    db.write_bytes(b"not a database at all" * 100)
    result = run(runner, "notes", "list", "acme")
    assert result.exit_code == 2
    assert str(db) in result.stderr and "hint:" in result.stderr
    assert db.read_bytes() == b"not a database at all" * 100


@pytest.mark.sqlite_only
def test_data_dir_and_files_are_private(runner) -> None:
    add(runner, "Acme", "note", "x")
    home = Path(os.environ["ESCALATE_HOME"])
    assert oct(home.stat().st_mode & 0o777) == "0o700"
    assert oct((home / "escalate.db").stat().st_mode & 0o777) == "0o600"


@pytest.mark.sqlite_only
def test_ten_thousand_notes_list_and_export(runner, tmp_path: Path) -> None:
    home = Path(os.environ["ESCALATE_HOME"])
    home.mkdir(mode=0o700, parents=True)
    with Store.open(home) as store:
        store.import_records(
            "Big",
            [
                {"kind": "note", "text": f"note number {i}", "date": f"2026-01-{i % 28 + 1:02d}"}
                for i in range(10_000)
            ],
            [],
            [],
        )
    started = time.perf_counter()
    listed = run(runner, "notes", "list", "big", "-f", "json")
    listed_s = time.perf_counter() - started
    started = time.perf_counter()
    exported = run(runner, "handover", "big")
    export_s = time.perf_counter() - started
    assert len(json.loads(listed.stdout)) == 10_000
    assert exported.stdout.count("note number") == 10_000
    print(f"10,000 notes: list --format json {listed_s:.3f}s, handover markdown {export_s:.3f}s")


def test_import_with_a_bad_date_is_exit_2_and_writes_nothing(runner, tmp_path: Path) -> None:
    doc = {
        "format": "escalate-handover",
        "version": 1,
        "partner": "Acme",
        "notes": [],
        "escalations": [],
        "commitments": [{"what": "x", "owner": "", "due": "soon"}],
    }
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run(runner, "import", str(bad))
    assert result.exit_code == 2
    assert "commitments[0].due: 'soon' is not a date (YYYY-MM-DD)" in result.stderr
    assert json.loads(run(runner, "partners", "-f", "json").stdout) == []


def test_outcome_is_recorded_on_the_latest_escalation(runner, tmp_path: Path) -> None:
    none_yet = run(runner, "outcome", "Acme", "went fine")
    assert none_yet.exit_code == 2
    file = write_yaml(tmp_path / "a.yaml", answers(deal_at_risk=True))
    run(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    esc = write_yaml(tmp_path / "b.yaml", answers(cancel_threat=True))
    run(runner, "assess", "-a", str(esc), "-p", "Acme", "-f", "json")
    done = run(runner, "outcome", "acme", "VP call held; renewal signed")
    assert done.exit_code == 0, done.output
    doc = json.loads(run(runner, "handover", "acme", "-f", "json").stdout)
    assert [[o["text"] for o in e["outcomes"]] for e in doc["escalations"]] == [
        [],
        ["VP call held; renewal signed"],
    ]
    text = run(runner, "handover", "acme").stdout
    assert "- Past escalations: 1 (last: " in text  # the one acted on
    assert "- Assessments only (advice before a call, not escalations): 1" in text
    assert f"outcome: {time.strftime('%Y-%m-%d')}: VP call held; renewal signed" in text
    assert "outcome: not recorded" not in text  # only the latest one awaits an outcome
    later = write_yaml(tmp_path / "c.yaml", answers(asked_for_manager=True))
    run(runner, "assess", "-a", str(later), "-p", "Acme", "-f", "json")
    text = run(runner, "handover", "acme").stdout
    assert text.count("outcome: not recorded yet (escalate outcome PARTNER TEXT)") == 1


def test_hostile_partner_names_never_reach_the_terminal_raw(runner) -> None:
    name = "Ev\x1b]0;TITLE\x07il \x1b[2J"
    add(runner, name, "note", "x")
    for args in (
        ["notes", "list", name],
        ["partners"],
        ["handover", name],
        ["follow-up", "add", name, "do \x1b[2Jthing"],
        ["notes", "list", "Evil"],
    ):
        result = run(runner, *args)
        assert "\x1b" not in result.stdout + result.stderr, args


def test_one_assessment_is_no_escalation_and_its_signs_are_named(runner, tmp_path) -> None:
    """Finding 5: a single `assess --partner` saying escalate became "Past escalations: 1",
    and its history line gave the rule's generic sentence, not the signs present."""
    given = answers(
        tried_to_resolve=True,
        communicated_transparently=True,
        deal_at_risk=True,
        triggers=["overpromised"],
    )
    file = write_yaml(tmp_path / "a.yaml", given)
    assessed = run(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    assert json.loads(assessed.stdout)["verdict"] == "escalate"
    text = run(runner, "handover", "acme").stdout
    assert "- Past escalations: 0\n" in text
    assert "## Escalation history\n" in text and "## Assessments\n" in text
    assessments = text.split("## Assessments\n", 1)[1].split("\n## ", 1)[0]
    assert "assessment that said escalate\n" in assessments
    assert "signs present: Revenue is at stake" not in assessments  # the old wording is gone
    assert "signs present: A deal or a renewal is at stake" in assessments
    assert "triggers: We promised more than we delivered" in assessments
    assert "escalate\\_" not in text
    doc = json.loads(run(runner, "handover", "acme", "-f", "json").stdout)
    assert doc["escalations"][0]["triggers"] == ["We promised more than we delivered"]
    done = run(runner, "outcome", "acme", "VP call held")
    assert done.exit_code == 0 and "now counts as a past escalation" in done.stderr
    assert "- Past escalations: 1 (last: " in run(runner, "handover", "acme").stdout


def test_an_outcome_on_advice_not_to_escalate_says_it_stays_advice(runner, tmp_path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers(routine_technical_issue=True))
    run(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    done = run(runner, "outcome", "acme", "fixed it myself")
    assert done.exit_code == 0
    assert "lists it as advice, not as a past escalation" in done.stderr
    assert "- Past escalations: 0\n" in run(runner, "handover", "acme").stdout


def test_before_you_talk_shows_history_in_words_and_advice_for_the_call(runner, tmp_path) -> None:
    first = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    run(runner, "assess", "-a", str(first), "-p", "Acme", "-f", "json")
    again = run(runner, "assess", "-a", str(first), "-p", "Acme", "-f", "json")
    shown = " ".join(again.stderr.replace("│", " ").split())  # the panel's lines, unwrapped
    assert "assessment (escalate now, advice only)" in shown
    assert "They are threatening to leave us." in shown
    assert "escalate_now" not in shown
    assert "For the call" in shown and "Past escalations:" in shown


def test_handover_has_a_working_with_this_partner_section(runner, tmp_path) -> None:
    add(runner, "Acme", "trigger", "per our policy")
    text = run(runner, "handover", "acme").stdout
    part = text.split("## Working with this partner\n", 1)[1].split("\n## ", 1)[0]
    assert "- **Trust and rapport**: " in part and "segment or cohort" in part
    custom = tmp_path / "team.yaml"
    default = Path(__file__).resolve().parents[1] / "playbooks" / "default.yaml"
    custom.write_text(default.read_text().replace("title: Trust and rapport", "title: Rapport"))
    mine = run(runner, "handover", "acme", "--playbook", str(custom)).stdout
    assert "- **Rapport**: " in mine


def test_a_brief_after_an_assessment_keeps_its_signs_and_triggers(runner, tmp_path) -> None:
    given = {**answers(cancel_threat=True, triggers=["wrong_people"]), **ORDINARY}
    file = tmp_path / "both.json"
    file.write_text(json.dumps(given))
    assert run(runner, "brief", "-a", str(file), "-p", "Acme", "-f", "json").exit_code == 0
    (brief,) = json.loads(run(runner, "handover", "acme", "-f", "json").stdout)["escalations"]
    assert brief["kind"] == "brief"
    assert brief["signals"] == ["They are threatening to leave us."]
    assert brief["triggers"] == ["The right people were not involved early enough"]
    text = run(runner, "handover", "acme").stdout
    assert "- Past escalations: 1 (last: " in text
    assert "  - signs present: They are threatening to leave us." in text
