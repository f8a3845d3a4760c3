"""`escalate config` and the profile: stored privately next to the playbook, checked on
every write, and used by `brief` to sign the drafts and fill in what it already knows."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from escalate_cli import profile
from escalate_cli.cli import app
from test_brief import ORDINARY


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"])


def test_set_get_list_unset_round_trip(runner, config_home: Path) -> None:
    assert runner.invoke(app, ["config", "set", "name", "Maya Chen"]).exit_code == 0
    assert runner.invoke(app, ["config", "set", "title", "  Senior CSM  "]).exit_code == 0
    file = config_home / "escalate" / "profile.yaml"
    assert file == profile.path()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert yaml.safe_load(file.read_text()) == {"name": "Maya Chen", "title": "Senior CSM"}
    got = runner.invoke(app, ["config", "get", "title"])
    assert (got.exit_code, got.stdout) == (0, "Senior CSM\n")
    listed = runner.invoke(app, ["config", "list"])
    assert listed.exit_code == 0
    assert "name           Maya Chen\n" in listed.stdout
    assert "signature      (not set: " in listed.stdout
    as_json = runner.invoke(app, ["config", "list", "--json"])
    assert json.loads(as_json.stdout) == {"name": "Maya Chen", "title": "Senior CSM"}
    assert runner.invoke(app, ["config", "unset", "title"]).exit_code == 0
    assert profile.load() == {"name": "Maya Chen"}
    missing = runner.invoke(app, ["config", "get", "title"])
    assert missing.exit_code == 2
    assert "'title' is not set" in missing.stderr


def test_an_unknown_key_is_exit_2_listing_the_keys_and_writes_nothing(runner) -> None:
    for args in (["set", "nmae", "x"], ["get", "nmae"], ["unset", "nmae"]):
        result = runner.invoke(app, ["config", *args])
        assert result.exit_code == 2, args
        assert "escalate: error: 'nmae' is not a profile key" in result.stderr
        assert "the keys are: name, title, signature, manager_name, team, company" in result.stderr
        assert "Traceback" not in result.output
    assert not profile.path().exists()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("name", "   ", "the value for 'name' is empty"),
        ("title", "two\nlines", "'title' takes one line"),
        ("company", "x" * 2001, "longer than 2000 characters"),
    ],
)
def test_values_are_checked_on_write(runner, key: str, value: str, expected: str) -> None:
    result = runner.invoke(app, ["config", "set", key, value])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not profile.path().exists()


def test_a_multi_line_signature_from_standard_input(runner) -> None:
    signature = "Maya Chen\nSenior CSM, Northwind Cloud\n+44 20 7946 0958\n"
    result = runner.invoke(app, ["config", "set", "signature", "-"], input=signature)
    assert result.exit_code == 0, result.output
    assert profile.load()["signature"] == signature.rstrip("\n")


def test_a_hand_edited_profile_with_a_typo_is_reported_with_its_line(runner) -> None:
    profile.path().parent.mkdir(parents=True)
    profile.path().write_text("name: Maya\ntitel: CSM\n")
    result = runner.invoke(app, ["config", "list"])
    assert result.exit_code == 2
    assert f"{profile.path()}:2:1: 'titel' is not a profile key" in result.stderr
    brief = runner.invoke(app, ["brief", "--no-input"])
    assert brief.exit_code == 2 and "'titel'" in brief.stderr


def write_answers(tmp_path: Path, **changes: object) -> str:
    given = {k: v for k, v in {**ORDINARY, **changes}.items() if v is not None}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(given))
    return str(path)


def test_brief_signs_with_the_profile_and_takes_the_manager_from_it(runner, tmp_path) -> None:
    profile.set_value("name", "Maya Chen")
    profile.set_value("manager_name", "Dana Whitfield")
    profile.set_value("signature", "Maya Chen\nSenior CSM, Northwind Cloud")
    file = write_answers(tmp_path, manager_name=None)
    result = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["manager_brief"].startswith("Hi Dana,\n")
    assert data["manager_brief"].endswith("Thanks,\nMaya\n")
    assert data["customer_message"].endswith(
        "Best regards,\nMaya Chen\nSenior CSM, Northwind Cloud\n"
    )
    assert data["customer_chat"].endswith("\nMaya\n")


def test_answers_win_over_the_profile(runner, tmp_path) -> None:
    profile.set_value("manager_name", "Dana Whitfield")
    file = write_answers(tmp_path, manager_name="Henrik", your_name="Olivia Grant")
    result = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "json"])
    data = json.loads(result.stdout)
    assert data["manager_brief"].startswith("Hi Henrik,\n")
    assert data["customer_message"].endswith("Best regards,\nOlivia Grant\n")


def test_partner_fills_in_the_customer(runner, tmp_path) -> None:
    file = write_answers(tmp_path, customer=None)
    args = ["brief", "-a", file, "--no-input", "-f", "json", "--partner", "Northwind Logistics"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "I need your help with Northwind Logistics this week." in data["manager_brief"]
    assert data["answers"]["customer"] == "Northwind Logistics"


def test_output_dir_writes_each_draft_to_its_own_file(runner, tmp_path) -> None:
    file = write_answers(tmp_path)
    folder = tmp_path / "drafts"
    args = ["brief", "-a", file, "--no-input", "-f", "text", "--output-dir", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "agenda.txt",
        "customer-chat.txt",
        "customer-message.txt",
        "follow-up.txt",
        "manager-brief.txt",
    ]
    message = (folder / "customer-message.txt").read_text()
    assert message.startswith("Hi Sam,\n") and message in result.stdout
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "already there; nothing was written" in again.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_manager_not_briefed_is_a_step_before_sending_not_a_warning(runner, tmp_path) -> None:
    file = write_answers(tmp_path, manager_briefed=False)
    result = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "json"])
    data = json.loads(result.stdout)
    assert [w["id"] for w in data["warnings"]] == []
    assert data["steps"] == [
        "Send the manager brief first, and agree the approach before the customer message goes out."
    ]
    text = runner.invoke(app, ["brief", "-a", file, "--no-input", "-f", "markdown"]).stdout
    assert text.startswith("# Escalation brief\n\n## Do first\n\n1. Send the manager brief first")
    assert "Before you send" not in text


def test_output_dir_that_is_a_file_is_refused_before_any_question(runner, tmp_path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine")
    args = ["brief", "-a", write_answers(tmp_path), "--no-input", "--output-dir", str(taken)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"{taken}: is not a folder" in result.stderr
    assert taken.read_text() == "mine"
