"""Real pseudo-terminal journeys against the installed `escalate`, as a user types them."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from escalate_cli import profile
from escalate_cli.files import Drafts, home_dir

ESCALATE = shutil.which(
    "escalate", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
)
pytestmark = pytest.mark.skipif(ESCALATE is None, reason="the escalate command is not installed")


def spawn(home: Path, *args: str, **extra_env: str) -> pexpect.spawn:
    env = {
        **os.environ,
        **extra_env,
        "ESCALATE_HOME": str(home),
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "COLUMNS": "100",
        "LINES": "40",
    }
    env.pop("ESCALATE_PLAYBOOK", None)
    child = pexpect.spawn(
        ESCALATE, list(args), env=env, encoding="utf-8", timeout=20, dimensions=(40, 100)
    )
    return child


def answer_yes_no(child: pexpect.spawn, question: str, key: str) -> None:
    """Type the answer and Enter, as people do ("y", "n", "yes" all work)."""
    child.expect_exact(question)
    child.expect_exact("(y/n)")
    child.send(key + "\r")


CHECKLIST = [
    ("Have you made a real attempt to fix this yourself?", "y"),
    ("Can you say what is really behind the problem", "y"),
    ("Have you been open with them", "y"),
    ("Do you know exactly what you need from leadership?", "n"),
    ("Is this the right moment to bring leadership in?", "y"),
    ("Have you briefed your manager?", "y"),
]
SIGNALS = [
    ("threatening to leave", "n"),
    ("relationship in trouble", "y"),
    ("decision or authority", "n"),
    ("asked to speak to your manager", "n"),
    ("beyond what you can do yourself", "n"),
    ("deal or a renewal at stake", "n"),
    ("everyday technical problem", "n"),
    ("letting off steam", "n"),
    ("within your own remit", "n"),
    ("gone quiet or disengaged", "n"),
    ("main contact or sponsor", "n"),  # optional context: asked in a terminal
    ("renewal or contract deadline", "n"),
]


def test_new_user_answers_the_interview_and_gets_the_verdict(tmp_path: Path) -> None:
    child = spawn(tmp_path / "home", "assess", "--format", "json")
    child.expect_exact("Pre-escalation checklist")
    child.expect_exact("why: Pulling in leadership before you have tried")
    for question, key in CHECKLIST + SIGNALS:
        answer_yes_no(child, question, key)
    child.expect_exact("Which of these have happened?")
    child.send(" ")  # pick the first trigger: lack_of_attention
    child.send("\r")
    child.expect_exact("Which customer or partner was this about?")
    document = child.before[child.before.index("{") :]  # the result comes first
    child.send("\r")  # nobody: the local history keeps it
    child.expect_exact("kept as #1 in your local history")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data, _ = json.JSONDecoder().raw_decode(document.replace("\r\n", "\n"))
    assert data["verdict"] == "escalate"
    assert data["reasons"][0]["rule"] == "signal_with_groundwork"
    assert data["missing"] == ["clear_ask"]
    assert [t["id"] for t in data["triggers"]] == ["lack_of_attention"]
    assert not (tmp_path / "home" / "drafts" / "assess.json").exists()


def test_bare_enter_is_not_an_answer(tmp_path: Path) -> None:
    child = spawn(tmp_path / "home", "assess")
    child.expect_exact("Have you made a real attempt to fix this yourself?")
    child.send("\r")
    child.expect_exact("please answer y or n")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_ctrl_c_exits_130_keeps_a_draft_and_resume_continues(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "assess")
    for question, key in CHECKLIST[:3]:
        answer_yes_no(child, question, key)
    child.expect_exact(CHECKLIST[3][0])
    child.sendcontrol("c")
    child.expect_exact("interrupted; 3 answers kept as a draft")
    child.expect_exact("escalate assess --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    draft = home / "drafts" / "assess.json"  # no partner named: the unnamed assess draft
    kept = json.loads(draft.read_text())
    assert {k: kept[k] for k in ("command", "name", "answers", "unfinished", "partner")} == {
        "command": "assess",
        "name": "",
        "answers": {
            "tried_to_resolve": True,
            "knows_root_cause": True,
            "communicated_transparently": True,
        },
        "unfinished": {},
        "partner": None,
    }
    assert oct(draft.stat().st_mode & 0o777) == "0o600"
    assert oct(home.stat().st_mode & 0o777) == "0o700"

    resumed = spawn(home, "assess", "--resume")
    resumed.expect_exact("Pre-escalation checklist")
    resumed.expect_exact("Do you know exactly what you need from leadership?")
    resumed.sendcontrol("c")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 130
    assert "Have you tried to resolve" not in resumed.before


def test_interrupt_right_after_an_answer_keeps_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "assess")
    answer_yes_no(child, CHECKLIST[0][0], "y")
    child.expect_exact(CHECKLIST[1][0])
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert json.loads((home / "drafts" / "assess.json").read_text())["answers"] == {
        "tried_to_resolve": True
    }


def test_words_other_than_yes_or_no_are_asked_again_not_read(tmp_path: Path) -> None:
    """Review: "not really" was recorded as Yes (the prompt took each y or n key, and the
    last one typed was the y of "really"). Anything but y, n, yes or no is asked again."""
    home = tmp_path / "home"
    child = spawn(home, "assess")
    child.expect_exact(CHECKLIST[0][0])
    child.expect_exact("(y/n)")
    child.send("not really\r")
    child.expect_exact("please answer y or n (yes or no)")
    child.sendcontrol("u")  # clear the line, as a person would, and answer
    child.send("No\r")
    child.expect_exact(CHECKLIST[1][0])
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert json.loads((home / "drafts" / "assess.json").read_text())["answers"] == {
        "tried_to_resolve": False
    }


def test_no_terminal_is_a_clear_error_not_a_silent_default(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "ESCALATE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [ESCALATE, "assess"], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env
    )
    assert done.returncode == 2
    assert "missing answers for: tried_to_resolve" in done.stderr
    assert "--answers" in done.stderr
    assert done.stdout == ""


def test_ctrl_d_at_a_yes_no_prompt_ends_input_clearly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "assess")
    answer_yes_no(child, CHECKLIST[0][0], "n")
    child.expect_exact(CHECKLIST[1][0])
    child.sendcontrol("d")
    child.expect_exact("input ended (Ctrl-D); 1 answer kept as a draft")
    child.expect_exact("--answers FILE")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert json.loads((home / "drafts" / "assess.json").read_text())["answers"] == {
        "tried_to_resolve": False
    }


BRIEF_STEPS = [
    (
        "Step 1: Understand the situation",
        [
            ("Which customer", "Acme Corp"),
            ("What is the root cause?", "the nightly export failing"),
            (
                "What is the problem costing them, as you would say",
                "your reports arrive a day late",
            ),
            ("How are they feeling", "frustrated"),
            ("What exactly do they want?", "a working export"),
            ("What have you tried so far?", ":e"),  # written in $EDITOR
            ("Why has that not resolved it?", "the fault is in the storage layer"),
            ("What is at stake for the business?", "a 400k renewal"),
            ("How would you describe the deal?", "at risk"),
        ],
    ),
    (
        "Step 2: Prepare for escalation",
        [
            ("What exactly do you need from leadership?", "an engineering lead on the fix"),
            ("What solution or path forward", "a hotfix and daily updates"),
            ("Is there a workaround", ""),
            ("Links to relevant documentation", ""),
        ],
    ),
]
BRIEF_REST = [
    ("What is your name?", "Maya Chen"),
    ("What is your manager's name?", "Dana"),
    ("Who else should be involved?", ""),
    ("Step 4: Escalate to the customer", None),
    ("Who will you write to at the customer?", "Sam"),
    ("What have you already put right that they can see?", "we re-sent the missing exports"),
    ("Which leader will you bring in?", "Priya Shah"),
    ("What is their title?", "VP of Customer Success"),
    ("When do you propose to meet?", "this Thursday"),
    ("When will they next hear from you?", "Friday noon"),
    ("Step 5: Execute the escalation", None),
    ("Anything to add to the call agenda?", "Agree a test plan"),
    ("Step 6: Follow through", None),
    ("Commitment - what (as you would word it to the customer)", "send the hotfix plan"),
    ("who owns it", "Dana"),
    ("due", "2030-03-04"),
    ("promise them Wed 2030-03-06", None),
    ("Is Dana on board with doing this by 2030-03-04?", "y"),
    ("Commitment - what", "a promise nobody agreed to"),
    ("who owns it", "Sam"),
    ("due", "2030-03-05"),
    ("Is Sam on board", "n"),
    ("kept as pending: agree it with Sam before promising it", None),
    ("Commitment - what", ""),
    ("Lessons learned so far", ""),
]


def type_answer(child: pexpect.spawn, question: str, text: str | None) -> None:
    child.expect_exact(question)
    if text is not None:
        child.send(text + "\r")


def test_brief_journey_through_all_six_steps_drafts_both_messages(tmp_path: Path) -> None:
    editor = 'sh -c \'printf "rolled back the config\\n" > "$1"\' editor'
    child = spawn(tmp_path / "home", "brief", "--format", "json", EDITOR=editor)
    for title, questions in BRIEF_STEPS:
        child.expect_exact(title)
        for question, text in questions:
            type_answer(child, question, text)
        if title.startswith("Step 1"):  # the stakes, as assess has not run
            answer_yes_no(child, "Are they threatening to leave", "y")
            answer_yes_no(child, "Is a deal or a renewal at stake", "n")
    child.expect_exact("Step 3: Escalate internally first")
    answer_yes_no(child, "Have you briefed your manager?", "y")
    for question, text in BRIEF_REST:
        type_answer(child, question, text)
    answer_yes_no(child, "Save 'Maya Chen' as your name", "n")
    child.expect_exact("Start a history for Acme Corp with this brief?")
    text = child.before[child.before.index("{") :].replace("\r\n", "\n")
    child.expect_exact("(y/n)")
    child.send("y\r")
    child.expect_exact("the brief is now #1 in Acme Corp's history, with 2 commitments")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    data, _ = json.JSONDecoder().raw_decode(text)
    assert data["manager_brief"].startswith("Hi Dana,\n\nAcme Corp is threatening to cancel")
    message = data["customer_message"]
    assert "I have asked Priya Shah, our VP of Customer Success, to work on this" in message
    assert "weighing whether to stay with us" in message
    assert data["answers"]["cancel_threat"] is True and data["answers"]["deal_at_risk"] is False
    assert "\n\nYour reports arrive a day late. That is not the service" in message
    assert "you will hear from me by Friday noon" in data["customer_message"]
    assert "\n\nWhat we have done so far: We re-sent the missing exports.\n\n" in message
    assert data["customer_message"].endswith("Best regards,\nMaya Chen\n")
    assert "3. Say what is already put right: we re-sent the missing exports." in data["agenda"]
    assert "6. Agree a test plan.\n7. Commit to follow-up" in data["agenda"]
    assert "- Send the hotfix plan. Owner: Dana. Promise: Wednesday 6 March" in data["follow_up"]
    # pending: never promised, only listed as not agreed yet
    assert (
        "Not agreed yet (agree each with its owner before it is promised):\n"
        "- A promise nobody agreed to. Owner: Sam. Target: Tuesday 5 March." in data["follow_up"]
    )
    assert "nobody agreed" not in data["customer_message"]
    assert data["warnings"] == [] and data["steps"] == []
    assert "What I tried: Rolled back the config.\n" in data["manager_brief"]
    assert not profile.path().exists()  # the offer to save was declined


def test_brief_ctrl_c_then_resume_restores_the_answers(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "brief")
    for question, text in BRIEF_STEPS[0][1][:4]:
        type_answer(child, question, text)
    child.expect_exact("What exactly do they want?")
    child.send("a working exp")  # typed, not yet entered
    child.sendcontrol("c")
    child.expect_exact("4 answers and what you were typing kept as a draft")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    draft = Drafts(home).path("brief", "Acme Corp")  # named after the customer answer
    kept = json.loads(draft.read_text())
    assert {k: kept[k] for k in ("name", "answers", "unfinished", "partner")} == {
        "name": "Acme Corp",
        "answers": {
            "customer": "Acme Corp",
            "issue": "the nightly export failing",
            "customer_problem": "your reports arrive a day late",
            "sentiment": "frustrated",
        },
        "unfinished": {"customer_wants": "a working exp"},
        "partner": None,
    }
    assert not (home / "drafts" / "brief.json").exists()
    resumed = spawn(home, "brief", "--resume")
    resumed.expect_exact("What exactly do they want?")
    assert "Which customer" not in resumed.before
    resumed.send("ort\r")  # the half-typed text is there to finish
    resumed.expect_exact("What have you tried so far?")
    resumed.sendcontrol("c")
    resumed.expect(pexpect.EOF)
    kept = json.loads(draft.read_text())
    assert kept["answers"]["customer_wants"] == "a working export"


def test_assess_offers_to_continue_into_brief_carrying_answers(tmp_path: Path) -> None:
    child = spawn(tmp_path / "home", "assess")
    for question, key in CHECKLIST:
        answer_yes_no(child, question, key)
    answer_yes_no(child, SIGNALS[0][0], "y")  # threatening to leave
    for question, _ in SIGNALS[1:]:
        answer_yes_no(child, question, "n")
    child.expect_exact("Which of these have happened?")
    child.send("\r")
    child.expect_exact("Escalate now")
    child.expect_exact("Which customer or partner was this about?")
    child.send("Acme Corp\r")
    child.expect_exact("the assessment is now #1 in Acme Corp's history")
    answer_yes_no(child, "Draft the manager brief and customer message now?", "y")
    child.expect_exact("Step 1: Understand the situation")  # the customer is known now
    child.expect_exact("?")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    from escalate_cli.files import Drafts

    kept = Drafts(tmp_path / "home").path("brief", "Acme Corp")  # the draft is the partner's
    draft = json.loads(kept.read_text())["answers"]
    assert draft["cancel_threat"] is True and draft["manager_briefed"] is True


def test_notes_add_in_a_terminal_asks_and_a_bad_date_loses_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "notes", "add", "Globex")
    child.expect_exact("What kind of note?")
    child.send("\x1b[B\x1b[B\r")  # down twice: communication
    child.expect_exact("The note")
    child.send("Slack for daily questions\r")
    child.expect_exact("When?")
    child.send("someday\r")
    child.expect_exact("that is not a date I can read")
    child.expect_exact("When?")
    child.send("tomorrow\r")
    child.expect_exact("is in the future; a note is dated when it happened; leave it empty")
    child.expect_exact("When?")
    child.send("2026-11-20\r")
    child.expect_exact("added note #1 (communication) for Globex, dated Fri 2026-11-20")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    listed = spawn(home, "notes", "list", "globex", "--format", "json")
    listed.expect(pexpect.EOF)
    notes = json.loads(listed.before[listed.before.index("[") :].replace("\r\n", "\n"))
    assert [(n["kind"], n["text"], n["date"]) for n in notes] == [
        ("communication", "Slack for daily questions", "2026-11-20")
    ]


def test_follow_up_add_asks_whether_the_owner_is_on_board(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(
        home, "follow-up", "add", "Acme", "ship the fix", "--owner", "Priya", "--due", "2030-03-04"
    )
    child.expect_exact("promise them Wed 2030-03-06 (2 working days of cushion)")
    answer_yes_no(child, "Is Priya on board with doing this by 2030-03-04?", "n")
    child.expect_exact("added commitment #1 for Acme")
    child.expect_exact("kept as pending: agree it with Priya before promising it")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    listed = spawn(home, "follow-up")
    listed.expect_exact("pending: not agreed by its")
    listed.expect(pexpect.EOF)
    agreed = spawn(home, "follow-up", "edit", "1", "--agreed")
    agreed.expect_exact("commitment #1 saved (open)")
    agreed.expect(pexpect.EOF)
    again = spawn(
        home, "follow-up", "add", "Acme", "call back", "--owner", "Priya", "--due", "2030-03-04"
    )
    answer_yes_no(again, "Is Priya on board", "y")
    again.expect_exact("added commitment #2 for Acme")
    again.expect(pexpect.EOF)
    assert "pending" not in again.before
    mine = spawn(
        home, "follow-up", "add", "Acme", "send notes", "--owner", "me", "--due", "2030-03-04"
    )
    mine.expect_exact("added commitment #3 for Acme")
    assert "on board" not in mine.before  # your own promise: not asked
    mine.expect(pexpect.EOF)


def test_removing_a_note_or_commitment_in_a_terminal_shows_it_and_asks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for args in (
        ["notes", "add", "Acme", "--kind", "lesson", "loop in legal before any credit"],
        ["follow-up", "add", "Acme", "send the RCA", "--owner", "me"],
    ):
        added = spawn(home, *args)
        added.expect(pexpect.EOF)
    kept = spawn(home, "notes", "remove", "1")
    answer_yes_no(kept, "Remove note #1 of Acme (lesson): loop in legal before any credit?", "n")
    kept.expect_exact("nothing was removed")
    kept.expect(pexpect.EOF)
    removed = spawn(home, "notes", "remove", "1")
    answer_yes_no(removed, "Remove note #1 of Acme (lesson)", "y")
    removed.expect_exact("removed note #1 of Acme (lesson): loop in legal before any credit")
    removed.expect(pexpect.EOF)
    unasked = spawn(home, "follow-up", "remove", "1", "--yes")
    unasked.expect_exact("removed commitment #1 of Acme: send the RCA")
    unasked.expect(pexpect.EOF)
    assert "Remove" not in unasked.before


def test_a_missing_editor_asks_again_instead_of_failing(tmp_path: Path) -> None:
    child = spawn(tmp_path / "home", "brief", EDITOR="no-such-editor-here")
    for question, text in BRIEF_STEPS[0][1][:5]:
        type_answer(child, question, text)
    child.expect_exact("What have you tried so far?")
    child.send(":e\r")
    child.expect_exact("cannot start the editor 'no-such-editor-here'")
    child.expect_exact("What have you tried so far?")
    child.send("rolled back the config\r")
    child.expect_exact("Why has that not resolved it?")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    kept = json.loads(Drafts(tmp_path / "home").path("brief", "Acme Corp").read_text())
    assert kept["answers"]["tried"] == "rolled back the config"


def test_commitments_entered_before_ctrl_c_are_kept_and_offered_on_resume(tmp_path) -> None:
    home = tmp_path / "home"
    answers_file = everything_but(tmp_path, "commitments", "lessons")
    child = spawn(home, "brief", "--answers", answers_file, "--partner", "Globex")
    child.expect_exact("Step 6: Follow through")
    for question, text in [
        ("Commitment - what", "send the plan"),
        ("who owns it", "Dana"),
        ("due", ""),
    ]:
        type_answer(child, question, text)
    type_answer(child, "Commitment - what", "second one")
    child.expect_exact("who owns it")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    kept = json.loads(Drafts(home).path("brief", "Globex").read_text())
    assert kept["partner"] == "Globex"
    assert kept["unfinished"]["commitments"] == [
        {"what": "send the plan", "owner": "Dana", "due": ""}
    ]
    resumed = spawn(home, "brief", "--resume", "--format", "json")
    resumed.expect_exact("1 commitment kept from before")
    type_answer(resumed, "Commitment - what", "")
    type_answer(resumed, "Lessons learned so far", "")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 0
    text = resumed.before[resumed.before.index("{") :].replace("\r\n", "\n")
    data, _ = json.JSONDecoder().raw_decode(text)
    assert "- Send the plan. Owner: Dana. Date: to be agreed." in data["follow_up"]
    assert "now #1 in Globex's history" in text
    listed = spawn(home, "follow-up", "--partner", "globex", "--format", "json")
    listed.expect(pexpect.EOF)
    assert "send the plan" in listed.before


def test_an_editor_that_saves_nothing_does_not_answer_a_required_question(tmp_path) -> None:
    child = spawn(tmp_path / "home", "brief", EDITOR="true")
    for question, text in BRIEF_STEPS[0][1][:5]:
        type_answer(child, question, text)
    type_answer(child, "What have you tried so far?", ":e")
    child.expect_exact("the editor saved nothing; type the answer here")
    type_answer(child, "What have you tried so far?", "rolled back the config")
    child.expect_exact("Why has that not resolved it?")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    kept = json.loads(Drafts(tmp_path / "home").path("brief", "Acme Corp").read_text())
    assert kept["answers"]["tried"] == "rolled back the config"


def test_notes_edit_with_a_failing_editor_saves_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = spawn(home, "notes", "add", "Acme", "--kind", "note", "keep me")
    added.expect(pexpect.EOF)
    child = spawn(home, "notes", "edit", "1", EDITOR="false")
    child.expect_exact("exited with status 1; nothing was taken from it")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    listed = spawn(home, "notes", "list", "acme", "--format", "json")
    listed.expect(pexpect.EOF)
    assert '"text": "keep me"' in listed.before


def test_a_named_draft_is_offered_again_and_never_replaced_silently(tmp_path: Path) -> None:
    home = tmp_path / "home"
    acme = spawn(home, "brief", "--partner", "Acme Corp")
    for question, text in BRIEF_STEPS[0][1][1:4]:  # --partner is the customer: not asked
        type_answer(acme, question, text)
    acme.expect_exact("What exactly do they want?")
    acme.sendcontrol("c")
    acme.expect_exact("4 answers kept as a draft")
    acme.expect_exact("escalate brief --resume --partner 'Acme Corp'")
    acme.expect(pexpect.EOF)
    acme.close()
    assert acme.exitstatus == 130

    globex = spawn(home, "brief")  # another customer: a draft of its own
    type_answer(globex, "Which customer", "Globex")
    globex.expect_exact("What is the root cause?")
    globex.sendcontrol("c")
    globex.expect_exact("1 answer kept as a draft")
    globex.expect(pexpect.EOF)

    listed = spawn(home, "drafts")
    listed.expect(pexpect.EOF)
    assert "Acme Corp" in listed.before and "4 answers" in listed.before
    assert "Globex" in listed.before and "1 answer" in listed.before

    again = spawn(home, "brief", "--partner", "acme corp")  # no --resume: it asks
    again.expect_exact("There is a `brief` draft about Acme Corp")
    again.expect_exact("with 4 answers. Resume it?")
    again.send("y\r")
    again.expect_exact("What exactly do they want?")
    assert "Which customer" not in again.before
    again.send("a working export\r")
    again.expect_exact("What have you tried so far?")
    again.sendcontrol("c")
    again.expect_exact("5 answers kept as a draft")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 130

    kept = spawn(home, "drafts", "--format", "json")
    kept.expect(pexpect.EOF)
    drafts = json.loads(kept.before[kept.before.index("[") :].replace("\r\n", "\n"))
    by_name = {d["name"]: d for d in drafts}
    assert set(by_name) == {"Acme Corp", "Globex"}
    assert by_name["Acme Corp"]["answers"] == 5 and by_name["Globex"]["answers"] == 1


def test_timing_no_asks_which_way_and_too_late_warns(tmp_path: Path) -> None:
    child = spawn(tmp_path / "home", "assess", "--format", "json")
    for question, key in CHECKLIST[:4]:
        answer_yes_no(child, question, key)
    answer_yes_no(child, "Is this the right moment to bring leadership in?", "n")
    child.expect_exact("Which way is the timing off?")
    child.expect_exact("Too late - they are already drifting away")
    child.send("\x1b[B")  # down to "too late"
    child.send("\r")
    answer_yes_no(child, "Have you briefed your manager?", "y")
    for question, _ in SIGNALS:
        answer_yes_no(child, question, "y" if question == "deal or a renewal at stake" else "n")
    child.expect_exact("Which of these have happened?")
    child.send("\r")
    data = verdict_of(child)
    assert data["answers"]["timing_off"] == "too_late"
    assert [g["id"] for g in data["gotchas"] if g["id"].startswith("too_")] == ["too_late"]


def conflicting_interview(tmp_path: Path) -> pexpect.spawn:
    child = spawn(tmp_path / "home", "assess", "--format", "json")
    for question, key in CHECKLIST:
        answer_yes_no(child, question, key)
    for question, _ in SIGNALS:
        key = "y" if question in ("relationship in trouble", "letting off steam") else "n"
        answer_yes_no(child, question, key)
    child.expect_exact("Which of these have happened?")
    child.send("\r")
    child.expect_exact("Some of your answers pull different ways:")
    child.expect_exact("Trust has slipped further than you can rebuild on your own.")
    child.expect_exact("They are letting off steam")
    return child


def verdict_of(child: pexpect.spawn) -> dict:
    """The JSON verdict, then no customer named: the local history keeps it."""
    child.expect_exact("Which customer or partner was this about?")
    data, _ = json.JSONDecoder().raw_decode(
        child.before[child.before.index("{") :].replace("\r\n", "\n")
    )
    child.send("\r")
    child.expect_exact("in your local history")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return data


def test_conflicting_answers_can_be_looked_at_again_before_the_verdict(tmp_path: Path) -> None:
    child = conflicting_interview(tmp_path)
    answer_yes_no(child, "Answer these again before you see the verdict?", "y")
    child.expect_exact("Answers that disagree")
    answer_yes_no(child, "relationship in trouble", "n")  # on reflection: it is not
    answer_yes_no(child, "letting off steam", "y")
    data = verdict_of(child)
    assert data["verdict"] == "dont_escalate" and data["conflicts"] == []


def test_conflicting_answers_kept_as_they_are_are_named_in_the_verdict(tmp_path: Path) -> None:
    child = conflicting_interview(tmp_path)
    answer_yes_no(child, "Answer these again before you see the verdict?", "n")
    data = verdict_of(child)
    assert data["verdict"] == "not_yet"
    assert data["reasons"][0]["rule"] == "conflicting_signals"
    assert data["conflicts"] == [{"for": "relationship_at_risk", "against": "just_venting"}]


def plain(transcript: str) -> str:
    """A terminal transcript without colours and cursor moves, lines ending in \\n."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript).replace("\r", "")


def test_typed_answers_with_enter_leave_nothing_for_the_next_question(tmp_path: Path) -> None:
    """Review: "n⏎" and "yes⏎" were taken on the first key, and the Enter then answered
    the next question ("please answer y or n" every time). And the why-hint printed
    straight under the previous answer, as if it belonged to it."""
    child = spawn(tmp_path / "home", "assess", "--format", "json")
    child.logfile_read = io.StringIO()
    words = ["yes", "n", "y", "no"]
    for index, (question, key) in enumerate(CHECKLIST + SIGNALS):
        typed = words[index % len(words)] if key == "y" else "n"
        answer_yes_no(child, question, typed)
    child.expect_exact("Which of these have happened?")
    child.send("\r")
    data = verdict_of(child)
    transcript = plain(child.logfile_read.getvalue())
    assert "please answer y or n" not in transcript
    assert data["answers"]["tried_to_resolve"] is True and data["answers"]["clear_ask"] is False
    # each hint opens its own block, separated from the answer above it
    assert "(y/n) yes\n\n  why: Leadership can only fix the real problem" in transcript


def test_timing_can_be_not_a_leadership_matter_at_all(tmp_path: Path) -> None:
    child = spawn(tmp_path / "home", "assess", "--format", "json")
    for question, key in CHECKLIST[:4]:
        answer_yes_no(child, question, key)
    answer_yes_no(child, "Is this the right moment to bring leadership in?", "n")
    child.expect_exact("Neither - it is not a leadership matter at all")
    child.send("\x1b[B\x1b[B\r")  # down twice: the third choice
    answer_yes_no(child, *CHECKLIST[5])
    for question, _ in SIGNALS:
        answer_yes_no(child, question, "y" if question == "within your own remit" else "n")
    child.expect_exact("Which of these have happened?")
    child.send("\r")
    data = verdict_of(child)
    assert data["answers"]["timing_off"] == "not_needed"
    assert data["verdict"] == "dont_escalate"
    assert not {g["id"] for g in data["gotchas"]} & {"too_early", "too_late"}


def everything_but(tmp_path: Path, *left_out: str) -> str:
    from test_brief import ORDINARY

    extra = {
        "customer_problem": "reports a day late",
        "workaround": "",
        "done_so_far": "",
        "next_update": "",
        "your_name": "Maya Chen",
        "cancel_threat": False,
        "deal_at_risk": False,
    }
    given = {k: v for k, v in {**ORDINARY, **extra}.items() if k not in left_out}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(given))
    return str(path)


def test_brief_without_a_profile_asks_your_name_once_and_offers_to_save_it(tmp_path) -> None:
    home, answers_file = tmp_path / "home", everything_but(tmp_path, "your_name")
    assert "your_name" not in json.loads(Path(answers_file).read_text())
    child = spawn(home, "brief", "--answers", answers_file, "--format", "json")
    child.logfile_read = io.StringIO()  # the drafts come before the question where to keep them
    type_answer(child, "What is your name? (it signs the drafts)", "Maya Chen")
    answer_yes_no(child, "Save 'Maya Chen' as your name, so drafts are signed without asking?", "y")
    child.expect_exact("saved; change it with `escalate config set name`")
    child.expect_exact("Start a history for Acme Corp with this brief?")  # issue 12
    child.expect_exact("(y/n)")
    child.send("n\r")
    child.expect(pexpect.EOF)
    seen = child.logfile_read.getvalue().replace("\r\n", "\n")
    data, _ = json.JSONDecoder().raw_decode(seen[seen.index("{") :])
    child.close()
    assert child.exitstatus == 0, child.before
    assert profile.load() == {"name": "Maya Chen"}
    assert data["customer_message"].endswith("Best regards,\nMaya Chen\n")
    again = spawn(home, "brief", "--answers", answers_file, "--format", "json")
    again.logfile_read = io.StringIO()
    answer_yes_no(again, "Start a history for Acme Corp with this brief?", "n")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0, again.before
    shown = again.logfile_read.getvalue().replace("\r\n", "\n")
    assert "What is your name?" not in shown and "Save " not in shown
    assert (
        json.JSONDecoder()
        .raw_decode(shown[shown.index("{") :])[0]["manager_brief"]
        .endswith("Thanks,\nMaya\n")
    )


def drafts_kept_nowhere(child: pexpect.spawn) -> dict[str, Any]:
    """The drafts a `brief --format json` run printed, once it is told to start no history
    for Acme Corp; it must exit 0."""
    answer_yes_no(child, "Start a history for Acme Corp with this brief?", "n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    seen = child.logfile_read.getvalue().replace("\r\n", "\n")
    data: dict[str, Any] = json.JSONDecoder().raw_decode(seen[seen.index("{") :])[0]
    return data


def test_a_time_that_names_no_day_is_asked_again(tmp_path: Path) -> None:
    """Review: "ASAP" as the next update drafted "you will hear from me by ASAP"."""
    answers_file = everything_but(tmp_path, "next_update")
    child = spawn(tmp_path / "home", "brief", "--answers", answers_file, "--format", "json")
    child.logfile_read = io.StringIO()
    type_answer(child, "When will they next hear from you?", "ASAP")
    child.expect_exact("'ASAP' names no day or time; give one, e.g. Friday noon, or leave it empty")
    child.send("\x15Friday noon\r")  # Ctrl-U clears the line, as people do
    data = drafts_kept_nowhere(child)
    assert "you will hear from me by Friday noon" in data["customer_message"]
    assert "ASAP" not in data["customer_message"]


def test_a_time_to_talk_on_a_holiday_is_asked_again(tmp_path: Path) -> None:
    """25 December is one of the default playbook's holidays, every year: a call proposed
    then is asked for again, and the working day typed instead reaches the message."""
    answers_file = everything_but(tmp_path, "meeting_when")
    child = spawn(tmp_path / "home", "brief", "--answers", answers_file, "--format", "json")
    child.logfile_read = io.StringIO()
    later = dt.date.today() + dt.timedelta(days=14)
    while later.weekday() > 4 or (later.month, later.day) in ((12, 25), (1, 1)):
        later += dt.timedelta(days=1)
    working = f"{later:%b} {later.day} at 3pm"
    type_answer(child, "When do you propose to meet?", "Dec 25 at 3pm")
    child.expect_exact("25 December is one of the playbook's holidays; give a working day")
    child.send(f"\x15{working}\r")
    data = drafts_kept_nowhere(child)
    assert f"Could we talk {working}?" in data["customer_message"]


def test_brief_with_partner_fills_in_the_customer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    answers_file = everything_but(tmp_path, "customer", "leader_title")
    profile.set_value("name", "Maya Chen")
    child = spawn(
        home, "brief", "--answers", answers_file, "--partner", "Northwind Logistics", "-f", "json"
    )
    seen = io.StringIO()
    child.logfile_read = seen
    child.expect_exact("no history for 'Northwind Logistics' yet")
    type_answer(child, "What is their title?", "VP of Customer Success")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "the brief is now #1 in Northwind Logistics's history" in child.before
    assert "Step 1" not in seen.getvalue() and "Which customer" not in seen.getvalue()
    data = json.loads(child.before[child.before.index("{") : child.before.rindex("}") + 1])
    assert data["answers"]["customer"] == "Northwind Logistics"
    assert "I need your help with Northwind Logistics this week." in data["manager_brief"]


def test_a_close_name_asks_did_you_mean_and_files_under_the_known_partner(tmp_path) -> None:
    home = tmp_path / "home"
    spawn(home, "notes", "add", "Northwind Logistics", "--kind", "note", "first").expect(
        pexpect.EOF
    )
    child = spawn(home, "notes", "add", "Nortwind Logistics", "--kind", "trigger", "per policy")
    child.expect_exact("'Nortwind Logistics' is not one of your partners. Did you mean:")
    child.expect_exact("a new partner: Nortwind Logistics")
    child.send("\r")  # the first choice: the known partner
    child.expect_exact("added note #2 (trigger) for Northwind Logistics")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    other = spawn(home, "notes", "add", "Northwind", "--kind", "note", "another company")
    other.expect_exact("Did you mean:")
    other.send("\x1b[B\r")  # down once: a new partner after all
    other.expect_exact("added note #3 (note) for Northwind")
    other.expect(pexpect.EOF)
    listed = spawn(home, "partners", "--format", "json")
    listed.expect(pexpect.EOF)
    partners = json.loads(listed.before[listed.before.index("[") :].replace("\r\n", "\n"))
    assert [(p["name"], p["notes"]) for p in partners] == [
        ("Northwind", 1),
        ("Northwind Logistics", 2),
    ]


def test_ctrl_c_at_did_you_mean_records_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    spawn(home, "notes", "add", "Acme Corp", "--kind", "note", "first").expect(pexpect.EOF)
    child = spawn(home, "follow-up", "add", "Acme Crop", "call back")
    child.expect_exact("Did you mean:")
    child.sendcontrol("c")
    child.expect_exact("interrupted; nothing was recorded")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    listed = spawn(home, "follow-up", "--format", "json")
    listed.expect(pexpect.EOF)
    assert "call back" not in listed.before


def test_a_pending_commitment_from_the_brief_is_tracked_and_shown_as_pending(tmp_path) -> None:
    home = tmp_path / "home"
    answers_file = tmp_path / "a.json"

    answers_file = Path(everything_but(tmp_path, "commitments", "lessons"))
    child = spawn(home, "brief", "--answers", str(answers_file), "--format", "json")
    child.expect_exact("Step 6: Follow through")
    for question, text in [
        ("Commitment - what", "legal review of the credit"),
        ("who owns it", "Lee"),
        ("due", "2020-01-06"),
    ]:
        type_answer(child, question, text)
    child.expect_exact("has already passed; give a date from today on")
    child.send("\x15" + "2030-03-05\r")  # clear the line, type a future date
    answer_yes_no(child, "Is Lee on board with doing this by 2030-03-05?", "n")
    child.expect_exact("kept as pending")
    type_answer(child, "Commitment - what", "")
    type_answer(child, "Lessons learned so far", "")
    answer_yes_no(child, "Start a history for Acme Corp with this brief?", "n")
    child.expect_exact("the brief is now #1 in your local history, with 1 commitment")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    listed = spawn(home, "follow-up", "--format", "json")
    listed.expect(pexpect.EOF)
    (item,) = json.loads(listed.before[listed.before.index("[") :].replace("\r\n", "\n"))
    assert (item["what"], item["state"], item["partner"]) == (
        "legal review of the credit",
        "pending",
        "",
    )
    shown = spawn(home, "history", "show", "1", "--format", "markdown")
    shown.expect(pexpect.EOF)
    assert "# Escalation brief" in shown.before
    assert "legal review of the credit" not in shown.before  # never promised in a draft


def test_ctrl_c_at_the_first_question_keeps_no_empty_draft(tmp_path: Path) -> None:
    home = tmp_path / "home"
    child = spawn(home, "brief")
    child.expect_exact(BRIEF_STEPS[0][1][0][0])
    child.sendcontrol("c")
    child.expect_exact("interrupted; nothing was answered, so no draft was kept")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (home / "drafts").exists() or not list((home / "drafts").iterdir())
    older = Drafts(home_dir(home)).save("assess", "", {"tried_to_resolve": True}, {})
    child = spawn(home, "assess")
    answer_yes_no(child, "There is an `assess` draft", "n")
    child.expect_exact("starting afresh")
    child.expect_exact(CHECKLIST[0][0])
    child.sendcontrol("c")
    child.expect_exact("nothing was answered, so no draft was kept")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert json.loads(older.read_text())["answers"] == {"tried_to_resolve": True}


def assess_answers(tmp_path: Path, *left_out: str, **extra: object) -> str:
    """An assess answers file (optional questions answered too), less `left_out`."""
    from conftest import answers

    given = answers(
        right_time=True, champion_changed=False, renewal_soon=False, triggers=[], **extra
    )
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({k: v for k, v in given.items() if k not in left_out}))
    return str(path)


def test_ctrl_c_where_to_keep_a_result_says_how_to_get_it_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    typed_one = assess_answers(tmp_path, "just_venting")
    child = spawn(home, "assess", "--answers", typed_one, "--format", "json")
    answer_yes_no(child, "letting off steam", "n")
    child.expect_exact("Which customer or partner was this about?")
    child.sendcontrol("c")
    child.expect_exact("interrupted; the assessment above was not recorded")
    child.expect_exact("your answers are kept as a draft: `escalate assess --resume` gives")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    again = spawn(home, "assess", "--resume", "--format", "json")
    type_answer(again, "Which customer or partner was this about?", "Acme Corp")
    again.expect_exact("the assessment is now #1 in Acme Corp's history")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0
    assert not list((home / "drafts").iterdir())
    from_file = assess_answers(tmp_path, customer="Globex")
    child = spawn(home, "assess", "--answers", from_file, "--format", "json")
    child.expect_exact("Start a history for Globex with this assessment?")
    child.sendcontrol("c")
    child.expect_exact("interrupted; the assessment above was not recorded")
    child.expect_exact("run the same command again: the same answers give the assessment")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not list((home / "drafts").iterdir())


HOW_TO_END = "then Ctrl-D on a new line (Ctrl-Z Enter on Windows)"


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["lint"], "the draft"),
        (["lint", "-"], "the draft"),
        (["config", "set", "signature", "-"], "the signature"),
        (["assess", "--answers", "-"], "the answers (id: answer, one a line)"),
    ],
)
def test_reading_standard_input_in_a_terminal_says_how_to_end_it(
    tmp_path: Path, args: list[str], what: str
) -> None:
    """A command reading a terminal used to wait in silence, and a bare `lint` refused to
    read one at all although its help says nothing given reads standard input."""
    child = spawn(tmp_path / "home", *args)
    child.expect_exact(f"paste or type {what}, {HOW_TO_END}")
    child.send("Thanks, all set.\r")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus in (0, 1, 2)  # the answers are incomplete: exit 2, said why
    assert "Traceback" not in child.before


@pytest.mark.parametrize("key", ["c", "d"])
def test_interrupting_notes_add_gives_back_the_typed_note(tmp_path: Path, key: str) -> None:
    child = spawn(tmp_path / "home", "notes", "add", "Globex", "--date", "2026-11-20")
    child.expect_exact("What kind of note?")
    child.send("\x1b[B\x1b[B\r")  # down twice: communication
    child.expect_exact("The note")
    child.send("Slack for daily questions, never 'urgent' email")
    child.sendcontrol(key)
    child.expect_exact("no note was saved")
    child.expect_exact(
        "escalate notes add Globex --kind communication "
        "\"Slack for daily questions, never 'urgent' email\" --date 2026-11-20"
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    nothing = spawn(tmp_path / "home", "notes", "add", "Globex")
    nothing.expect_exact("What kind of note?")
    nothing.sendcontrol("c")
    nothing.expect_exact("interrupted; no note was saved")
    nothing.expect(pexpect.EOF)
    assert "escalate notes add" not in nothing.before  # nothing typed, nothing to give back
