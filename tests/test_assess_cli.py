"""`escalate assess` and `escalate playbook` through the command line, without a terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import CHECKLIST, answers, write_yaml
from escalate_cli.cli import app


def run(runner, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_json_has_the_contract_fields(runner, tmp_path: Path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True, triggers=["overpromised"]))
    result = run(runner, "assess", "--answers", str(file), "--no-input", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "escalate_now"
    assert data["reasons"][0] == {"rule": "cancel_threat", "text": data["reasons"][0]["text"]}
    assert data["missing"] == CHECKLIST
    assert data["scenario"]["id"] == "threatening_to_cancel"
    assert [t["id"] for t in data["triggers"]] == ["overpromised"]
    assert data["triggers"][0]["remedy"]


def test_answers_from_stdin_as_json(runner) -> None:
    given = json.dumps(answers(asked_for_manager=True))
    result = run(runner, "assess", "-a", "-", "-f", "json", input=given)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "escalate"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('{"deal_at_risk": true,\n', "double quotes, and drop any comma after the last"),
        ('{"deal_at_risk": true "tried_to_resolve": false}', "a comma is missing"),
        ('{"deal_at_risk": "yes', "close each string"),
        ('{"deal_at_risk": true} {}', "keep one object"),
    ],
)
def test_broken_json_answers_say_what_to_change(
    runner, tmp_path: Path, text: str, hint: str
) -> None:
    (tmp_path / "a.json").write_text(text)
    for command in ("assess", "brief"):
        result = run(runner, command, "-a", str(tmp_path / "a.json"), "--no-input", "-f", "json")
        assert result.exit_code == 2, result.output
        message, advice = result.stderr.strip().splitlines()[-2:]
        assert "a.json:" in message and "not valid JSON" in message
        assert advice.strip().startswith("hint: ") and hint in advice


def test_yes_no_accepts_words(runner, tmp_path: Path) -> None:
    text = "\n".join(f"{k}: {'no' if v is False else '[]'}" for k, v in answers().items())
    text = text.replace("deal_at_risk: no", 'deal_at_risk: "Yes"')
    text = text.replace("tried_to_resolve: no", "tried_to_resolve: y")
    text = text.replace("communicated_transparently: no", "communicated_transparently: true")
    (tmp_path / "a.yaml").write_text(text)
    result = run(runner, "assess", "-a", str(tmp_path / "a.yaml"), "--no-input", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "escalate"


def test_markdown_is_ready_to_paste(runner, tmp_path: Path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers(deal_at_risk=True))
    result = run(runner, "assess", "-a", str(file), "--no-input", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Verdict: Not yet")
    assert "## Groundwork still open\n\n- [ ] Make a genuine attempt" in result.stdout
    assert "## Why\n\nThe risk is real" in result.stdout
    assert "From your answers:\n\n- A deal or a renewal is at stake" in result.stdout
    assert "groundwork_first" not in result.stdout  # rule ids are for scripts (JSON)


def test_terminal_view_gives_the_reason_in_words_and_the_todo(runner, tmp_path: Path) -> None:
    """Review: rule ids in brackets were jargon; the reason in words is enough."""
    file = write_yaml(tmp_path / "a.yaml", answers(customer_checked_out=True))
    result = run(runner, "assess", "-a", str(file), "--no-input")
    assert result.exit_code == 0
    assert "Escalate now" in result.stdout
    assert "They have gone quiet" in result.stdout
    assert "checked_out" not in result.stdout and "[" not in result.stdout
    assert "Still open - do these alongside the escalation" in result.stdout
    assert "manager_briefed" not in result.stdout


def test_missing_answers_without_terminal_name_the_ids(runner, tmp_path: Path) -> None:
    given = answers()
    del given["clear_ask"], given["your_level"]
    file = write_yaml(tmp_path / "a.yaml", given)
    result = run(runner, "assess", "-a", str(file))
    assert result.exit_code == 2
    assert "missing answers for: clear_ask, your_level" in result.stderr
    assert "--answers" in result.stderr
    assert result.stdout == ""


def test_unknown_id_is_named_with_a_suggestion(runner, tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("cancel_thread: yes\n")
    result = run(runner, "assess", "-a", str(file), "--no-input")
    assert result.exit_code == 2
    assert f"{file}:1:1: unknown question id 'cancel_thread' (did you mean cancel_threat" in (
        result.stderr
    )


def test_wrong_type_lists_the_valid_choices(runner, tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("deal_at_risk: maybe\ntriggers: [overpromised, bad_vibes]\n")
    result = run(runner, "assess", "-a", str(file), "--no-input")
    assert result.exit_code == 2
    assert f"{file}:1:1: deal_at_risk: expected yes or no, got 'maybe'" in result.stderr
    assert f"{file}:2:1: triggers: not a choice: 'bad_vibes'; choices: lack_of_attention" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_answers_file_that_is_not_a_mapping(runner, tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("- cancel_threat\n")
    result = run(runner, "assess", "-a", str(file), "--no-input")
    assert result.exit_code == 2
    assert "an answers file is a mapping" in result.stderr


def test_missing_answers_file(runner, tmp_path: Path) -> None:
    result = run(runner, "assess", "-a", str(tmp_path / "none.yaml"), "--no-input")
    assert result.exit_code == 2
    assert "no such answers file" in result.stderr


def test_output_is_written_and_never_overwritten_without_force(runner, tmp_path: Path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    out = tmp_path / "verdict.json"
    args = ["assess", "-a", str(file), "--no-input", "-f", "json", "-o", str(out)]
    assert run(runner, *args).exit_code == 0
    assert json.loads(out.read_text())["verdict"] == "escalate_now"
    out.write_text("keep me")
    refused = run(runner, *args)
    assert refused.exit_code == 2
    assert "already there; nothing was written" in refused.stderr
    assert out.read_text() == "keep me"
    assert run(runner, *args, "--force").exit_code == 0
    assert json.loads(out.read_text())["verdict"] == "escalate_now"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_output_refuses_a_symlink_and_force_replaces_the_link_only(runner, tmp_path: Path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers())
    target = tmp_path / "precious.txt"
    target.write_text("precious")
    link = tmp_path / "out.md"
    os.symlink(target, link)
    args = ["assess", "-a", str(file), "-f", "markdown", "-o", str(link)]
    assert run(runner, *args).exit_code == 2
    assert run(runner, *args, "--force").exit_code == 0
    assert target.read_text() == "precious"
    assert not link.is_symlink() and link.read_text().startswith("# Verdict")


def test_playbook_option_and_env_choose_the_playbook(runner, tmp_path, default_text, monkeypatch):
    custom = tmp_path / "team.yaml"
    custom.write_text(default_text.replace("title: Escalate now", "title: Call the VP now"))
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    by_flag = run(runner, "assess", "-a", str(file), "-f", "json", "--playbook", str(custom))
    assert json.loads(by_flag.stdout)["title"] == "Call the VP now"
    monkeypatch.setenv("ESCALATE_PLAYBOOK", str(custom))
    by_env = run(runner, "assess", "-a", str(file), "-f", "json")
    assert json.loads(by_env.stdout)["title"] == "Call the VP now"


def test_bad_playbook_on_assess_is_exit_2_with_position(runner, tmp_path, default_text) -> None:
    custom = tmp_path / "team.yaml"
    custom.write_text(default_text.replace("verdict: escalate_now", "verdict: panic", 1))
    result = run(runner, "assess", "--no-input", "--playbook", str(custom))
    assert result.exit_code == 2
    assert f"{custom}:" in result.stderr and "rules.0.verdict" in result.stderr
    assert "Traceback" not in result.output


def test_playbook_validate(runner, tmp_path, default_text) -> None:
    ok = run(runner, "playbook", "validate")
    assert ok.exit_code == 0 and "45 questions, 8 rules" in ok.stdout
    custom = tmp_path / "team.yaml"
    custom.write_text(default_text.replace("- id: just_venting", "- id: just venting"))
    bad = run(runner, "playbook", "validate", str(custom))
    assert bad.exit_code == 2
    assert "'just venting' is not a valid id" in bad.stderr


def test_playbook_show_lists_ids_and_raw_round_trips(runner, tmp_path, default_text) -> None:
    shown = run(runner, "playbook", "show")
    assert shown.exit_code == 0 and "`customer_checked_out` (yes_no)" in shown.stdout
    data = json.loads(run(runner, "playbook", "show", "-f", "json").stdout)
    assert data["interviews"]["assess"][0]["questions"][0]["id"] == "tried_to_resolve"
    assert run(runner, "playbook", "show", "--raw").stdout == default_text


def test_usage_error_is_exit_2(runner) -> None:
    result = run(runner, "assess", "--format", "yaml")
    assert result.exit_code == 2


def test_unexpected_error_is_exit_1_without_the_data(runner, tmp_path, monkeypatch) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("secret answer text")

    monkeypatch.setattr("escalate_cli.assess.assess", explode)
    file = write_yaml(tmp_path / "a.yaml", answers())
    result = run(runner, "assess", "-a", str(file))
    assert result.exit_code == 1
    assert "unexpected error (RuntimeError" in result.stderr
    assert "secret answer text" not in result.output


def test_signs_against_escalating_now_weigh_and_the_conflict_is_named(runner, tmp_path) -> None:
    """Finding 1: the signs not to escalate never changed the verdict."""
    cases = [
        (
            {"relationship_at_risk": True, "just_venting": True},
            [{"for": "relationship_at_risk", "against": "just_venting"}],
        ),
        (
            {"deal_at_risk": True, "your_level": True, "routine_technical_issue": True},
            [
                {"for": "deal_at_risk", "against": "routine_technical_issue"},
                {"for": "deal_at_risk", "against": "your_level"},
            ],
        ),
    ]
    for given, conflicts in cases:
        groundwork = {"tried_to_resolve": True, "communicated_transparently": True}
        file = write_yaml(tmp_path / "a.yaml", answers(**groundwork, **given))
        result = run(runner, "assess", "-a", str(file), "--no-input", "-f", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["verdict"] == "not_yet"
        assert data["reasons"][0]["rule"] == "conflicting_signals"
        assert data["conflicts"] == conflicts
    markdown = run(runner, "assess", "-a", str(file), "--no-input", "-f", "markdown").stdout
    body = markdown.split("## Answers that disagree\n", 1)[1].split("\n## ", 1)[0]
    assert "Pointing to escalating:\n\n- A deal or a renewal is at stake" in body
    assert "It sits squarely within your own remit." in body
    assert "Only one side" not in body and "Both sides can be true" in body
    assert "- If you decide the points for escalating weigh more: Escalate." in body
    assert "- If you decide it is yours to handle: Don't escalate." in body


def test_timing_follow_up_is_optional_and_checked_in_answers_files(runner, tmp_path) -> None:
    given = answers(right_time=False, deal_at_risk=True)
    without = write_yaml(tmp_path / "a.yaml", given)
    assert run(runner, "assess", "-a", str(without), "--no-input").exit_code == 0
    late = write_yaml(tmp_path / "b.yaml", {**given, "timing_off": "too_late"})
    data = json.loads(run(runner, "assess", "-a", str(late), "--no-input", "-f", "json").stdout)
    assert "too_late" in [g["id"] for g in data["gotchas"]]
    wrong = write_yaml(tmp_path / "c.yaml", {**given, "timing_off": "yesterday"})
    result = run(runner, "assess", "-a", str(wrong), "--no-input")
    assert result.exit_code == 2
    assert (
        "timing_off: expected one of too_early, too_late, not_needed; got 'yesterday'"
        in result.stderr
    )


def test_a_complete_checklist_gets_a_neutral_heading(runner, tmp_path) -> None:
    file = write_yaml(
        tmp_path / "a.yaml", answers(**dict.fromkeys(CHECKLIST, True), deal_at_risk=True)
    )
    markdown = run(runner, "assess", "-a", str(file), "--no-input", "-f", "markdown").stdout
    assert "## Pre-escalation checklist\n\nThe pre-escalation checklist is complete." in markdown
    assert "Still open" not in markdown


def test_playbook_show_says_when_a_follow_up_is_asked(runner) -> None:
    shown = run(runner, "playbook", "show").stdout
    assert "- `timing_off` (choice, optional, asked only when not right_time)" in shown


def test_answers_given_twice_are_refused_not_replaced(runner, tmp_path: Path) -> None:
    first = write_yaml(tmp_path / "first.yaml", answers(cancel_threat=True))
    second = write_yaml(tmp_path / "second.yaml", answers())
    for command in ("assess", "brief"):
        result = run(runner, command, "-a", str(first), "--answers", str(second), "--no-input")
        assert result.exit_code == 2, result.output
        assert f"--answers is given more than once ({first}, {second})" in result.stderr
        assert "hint: give --answers once" in result.stderr
        assert result.stdout == ""
    assert "Given once" in " ".join(run(runner, "assess", "--help").stdout.split())


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ('tried_to_resolve: yes\ncustomer: "Acme\nclear_ask: no\n', "2:11", "quote opens here"),
        ("customer: 'Acme\nissue: they can't log in\nask: 'help'\n", "1:11", "quote opens here"),
        # review: the colon belongs after the key, not at the end of the line
        ("tried_to_resolve: yes\nclear_ask no  # later\n\nright_time: yes\n", "2:10", "a colon"),
        ("clear_ask no\ntried_to_resolve: yes\n", "1:10", "a colon"),
        ("tried_to_resolve: yes\nclear_ask\nright_time: yes\n", "2:10", "a colon"),
        (
            "commitments:\n  - what: send the plan\n    owner Dana\n    due: 2030-01-02\n",
            "3:10",
            "a colon",
        ),
        ("tried_to_resolve: yes\n  clear_ask: no\n", "2:3", "indented under the one above"),
        ("triggers: [overpromised, eta_without_buffer\nclear_ask: no\n", "1:44", "close the ["),
        ("tried_to_resolve: yes\n\tclear_ask: no\n", "2:1", "tabs"),
        ("clear_ask: no\nclear_ask: yes\n", "2:1", "keep one"),
    ],
)
@pytest.mark.parametrize("loader", ["C", "pure Python"])
def test_a_yaml_mistake_is_named_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str, what: str, loader: str
) -> None:
    """The parser notices a missing colon, quote or bracket only further on; the error
    names the line and column of the mistake itself."""
    import yaml

    from escalate_cli import answers as reading
    from escalate_cli import safe_yaml

    if loader != "C":
        monkeypatch.setattr(safe_yaml, "_Loader", yaml.SafeLoader)
    file = tmp_path / "a.yaml"
    file.write_text(text)
    with pytest.raises(safe_yaml.DocumentError) as caught:
        reading.read(str(file))
    assert caught.value.message.startswith(f"{file}:{where}: ")
    assert what in f"{caught.value.message} {caught.value.hint}"
