"""Drafts by name: one per command and customer, read within bounds, checked like answers
files, and never replaced without asking."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from escalate_cli.answers import check_draft
from escalate_cli.errors import EscalateError
from escalate_cli.files import DRAFT_LIMIT, Drafts, home_dir
from escalate_cli.interview import DraftSlot
from escalate_cli.playbook import Playbook


@pytest.fixture
def home(isolated_home: Path) -> Path:
    return home_dir(isolated_home)


class Scripted:
    """A prompter that answers yes/no questions from a list and records what was said."""

    def __init__(self, *replies: bool) -> None:
        self.replies = list(replies)
        self.asked: list[str] = []
        self.said: list[str] = []

    def section(self, section: Any) -> None: ...

    def ask(self, question: Any, typed: Any = "") -> Any:
        raise AssertionError("not asked in these tests")

    def yes_no(self, text: str) -> bool:
        self.asked.append(text)
        return self.replies.pop(0)

    def say(self, text: str, style: str = "") -> None:
        self.said.append(text)


def test_one_draft_per_command_and_name(home: Path) -> None:
    drafts = Drafts(home)
    drafts.save("brief", "Acme Corp", {"customer": "Acme Corp"}, {})
    drafts.save("brief", "Globex", {"customer": "Globex"}, {})
    drafts.save("assess", "Acme Corp", {"cancel_threat": True}, {})
    drafts.save("assess", "", {"cancel_threat": False}, {})
    assert drafts.path("brief", "acme   corp.") == drafts.path("brief", "Acme Corp")
    assert drafts.path("brief", "Acme Corp") != drafts.path("assess", "Acme Corp")
    assert drafts.path("assess", "") == home / "drafts" / "assess.json"
    found = drafts.find("brief", "ACME CORP")
    assert found is not None and found.answers == {"customer": "Acme Corp"}
    listed, broken = drafts.all()
    assert sorted((d.command, d.name) for d in listed) == [
        ("assess", ""),
        ("assess", "Acme Corp"),
        ("brief", "Acme Corp"),
        ("brief", "Globex"),
    ]
    assert broken == []
    assert {d.name for d in drafts.all("brief")[0]} == {"Globex", "Acme Corp"}
    drafts.clear("brief", "acme corp")
    assert drafts.find("brief", "Acme Corp") is None
    assert oct((home / "drafts").stat().st_mode & 0o777) == "0o700"
    assert oct(drafts.path("brief", "Globex").stat().st_mode & 0o777) == "0o600"


def test_a_name_cannot_reach_outside_the_drafts_folder(home: Path) -> None:
    drafts = Drafts(home)
    path = drafts.save("brief", "../../etc/passwd", {}, {})
    assert path.parent == home / "drafts"
    assert drafts.find("brief", "../../etc/passwd") is not None


def broken_draft(home: Path, content: bytes) -> Path:
    folder = home / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "assess.json"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"answers": {}, "unfinished": {}, "x": "' + b"a" * DRAFT_LIMIT + b'"}', "larger than"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "not a draft of answers"),
    ],
)
def test_bad_drafts_are_exit_2_and_listed_as_unreadable(
    home: Path, content: bytes, why: str
) -> None:
    path = broken_draft(home, content)
    with pytest.raises(EscalateError, match=why) as caught:
        Drafts(home).load("assess")
    assert caught.value.exit_code == 2
    assert Drafts(home).all() == ([], [path])


@pytest.mark.parametrize("special", ["link to /dev/zero", "fifo"])
def test_a_draft_that_is_no_regular_file_is_not_read(home: Path, special: str) -> None:
    folder = home / "drafts"
    folder.mkdir(parents=True)
    if special == "fifo":
        os.mkfifo(folder / "assess.json")  # nobody writes: a blocking read would hang
    else:
        (folder / "assess.json").symlink_to("/dev/zero")
    with pytest.raises(EscalateError) as caught:
        Drafts(home).load("assess")
    assert caught.value.exit_code == 2


def test_unfinished_lists_are_checked_like_an_answers_file(home: Path, book: Playbook) -> None:
    drafts = Drafts(home)
    questions = list(book.all_questions())
    drafts.save("brief", "", {}, {"customer": ["not", "text"]})
    with pytest.raises(EscalateError, match="customer: expected text"):
        check_draft(drafts.load("brief"), questions)
    drafts.save("assess", "", {}, {"cancel_threat": [False]})
    with pytest.raises(EscalateError, match="cancel_threat: expected yes or no"):
        check_draft(drafts.load("assess"), questions)
    drafts.save("assess", "", {}, {"cancel_threat": 5})
    with pytest.raises(EscalateError, match="neither text nor lists"):
        check_draft(drafts.load("assess"), questions)
    kept = [{"what": "send the plan", "owner": "Dana", "due": "2026-12-01"}]
    drafts.save("brief", "", {"customer": "Acme"}, {"commitments": kept, "issue": "the exp"})
    given, unfinished = check_draft(drafts.load("brief"), questions)
    assert given == {"customer": "Acme"}
    assert unfinished == {"commitments": kept, "issue": "the exp"}


def slot(home: Path, book: Playbook, prompter: Any, partner: str | None = None) -> DraftSlot:
    questions = list(book.all_questions())
    return DraftSlot(Drafts(home), "brief", partner, prompter, lambda d: check_draft(d, questions))


def test_naming_the_customer_offers_the_draft_kept_for_them(home: Path, book: Playbook) -> None:
    drafts = Drafts(home)
    drafts.save("brief", "Acme Corp", {"customer": "Acme Corp", "issue": "exports fail"}, {})
    prompter = Scripted(True)
    run = slot(home, book, prompter)
    answers, _ = run.keep({"customer": "acme corp"}, {})
    assert answers == {"customer": "acme corp", "issue": "exports fail"}
    assert "There is a `brief` draft about Acme Corp" in prompter.asked[0]
    assert "with 2 answers" in prompter.asked[0]
    kept = json.loads(drafts.path("brief", "Acme Corp").read_text())
    assert kept["answers"] == answers
    assert run.resume_command() == "escalate brief --resume --partner 'acme corp'"
    run.clear()
    assert drafts.all() == ([], [])


def test_the_offer_to_resume_takes_the_article_its_command_needs(home: Path) -> None:
    """It asked "There is a `assess` draft"."""
    Drafts(home).save("assess", "", {"tried_to_resolve": True}, {})
    prompter = Scripted(False)
    DraftSlot(Drafts(home), "assess", None, prompter, lambda d: (d.answers, {})).offer("")
    assert prompter.asked[0].startswith("There is an `assess` draft saved ")


def test_declining_says_the_draft_is_replaced(home: Path, book: Playbook) -> None:
    drafts = Drafts(home)
    drafts.save("brief", "Acme", {"customer": "Acme", "issue": "exports fail"}, {})
    prompter = Scripted(False)
    run = slot(home, book, prompter)
    answers, _ = run.keep({"customer": "Acme"}, {})
    assert answers == {"customer": "Acme"}
    assert any("replaced" in line for line in prompter.said)
    assert json.loads(drafts.path("brief", "Acme").read_text())["answers"] == answers


def test_an_unnamed_draft_moves_to_its_name_once_the_customer_is_known(
    home: Path, book: Playbook
) -> None:
    drafts = Drafts(home)
    run = slot(home, book, Scripted())
    run.keep({"sentiment": "frustrated"}, {})
    assert drafts.find("brief") is not None
    run.keep({"sentiment": "frustrated", "customer": "Globex"}, {})  # nothing kept: no question
    assert drafts.find("brief") is None
    assert [d.name for d in drafts.all()[0]] == ["Globex"]
    with_partner = slot(home, book, Scripted(), partner="Initech")
    with_partner.keep({"customer": "Globex"}, {})  # --partner names the draft, not the answer
    assert drafts.find("brief", "Initech") is not None


@pytest.mark.parametrize(
    ("command", "unfinished", "why"),
    [
        ("brief", {"customer": ["Acme", "{{ 7 * 7 }}"]}, "customer: expected text"),
        ("assess", {"cancel_threat": [False]}, "cancel_threat: expected yes or no"),
        ("brief", {"commitments": [{"what": "x", "due": "9999-12-31"}]}, "outside the years"),
    ],
)
def test_resuming_a_draft_with_bad_unfinished_lists_is_exit_2(
    runner, home: Path, command: str, unfinished: dict[str, Any], why: str
) -> None:
    from escalate_cli.cli import app

    Drafts(home).save(command, "", {}, unfinished)
    result = runner.invoke(app, [command, "--resume", "--no-input", "-f", "json"])
    assert result.exit_code == 2 and why in result.stderr
    assert result.stdout == ""  # nothing rendered from it


def test_resuming_a_draft_that_links_to_a_device_is_exit_2(runner, home: Path) -> None:
    from escalate_cli.cli import app

    (home / "drafts").mkdir()
    (home / "drafts" / "assess.json").symlink_to("/dev/zero")
    result = runner.invoke(app, ["assess", "--resume", "--no-input"])
    assert result.exit_code == 2 and "the draft cannot be read" in result.stderr
