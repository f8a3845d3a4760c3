"""Loading playbooks: every shipped one validates; every kind of bad one is a clear error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from escalate_cli.errors import EscalateError
from escalate_cli.playbook import bundled_path, load, locate

PLAYBOOKS = sorted((Path(__file__).parents[1] / "playbooks").glob("*.yaml"))


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.name)
def test_every_shipped_playbook_validates(path: Path) -> None:
    book = load(path)
    assert book.rules and list(book.all_questions())


def test_default_playbook_has_the_public_question_ids(book) -> None:
    ids = {q.id for q in book.all_questions()}
    assert {
        "tried_to_resolve",
        "knows_root_cause",
        "communicated_transparently",
        "clear_ask",
        "right_time",
        "manager_briefed",
        "cancel_threat",
        "relationship_at_risk",
        "needs_leadership_authority",
        "asked_for_manager",
        "beyond_your_ability",
        "deal_at_risk",
        "routine_technical_issue",
        "just_venting",
        "your_level",
        "customer_checked_out",
        "timing_off",
        "triggers",
    } <= ids
    triggers = book.question("triggers")
    assert triggers is not None
    assert [c.value for c in triggers.choices] == [
        "lack_of_attention",
        "overpromised",
        "wrong_people",
        "eta_without_buffer",
        "promised_others_work",
        "expectations_unset",
        "inappropriate_response",
        "inflated_urgency",
    ]
    assert all(c.remedy for c in triggers.choices)
    assert all(q.hint for q in book.all_questions()), "every question says why it matters"


def test_default_playbook_carries_no_mis_encoded_emoji(default_text: str) -> None:
    assert not re.search(r"[\u00c0-\u00ff][\u0080-\u00bf]", default_text)


def test_locate_prefers_flag_then_env_then_user_then_bundled(tmp_path, monkeypatch) -> None:
    assert locate(None) == bundled_path()
    mine = tmp_path / "config" / "escalate" / "playbook.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("x")
    assert locate(None) == mine
    monkeypatch.setenv("ESCALATE_PLAYBOOK", str(tmp_path / "env.yaml"))
    assert locate(None) == tmp_path / "env.yaml"
    assert locate(tmp_path / "flag.yaml") == tmp_path / "flag.yaml"


def broken(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path) -> EscalateError:
    with pytest.raises(EscalateError) as caught:
        load(path)
    assert caught.value.exit_code == 2
    return caught.value


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_yaml_syntax_error_names_file_line_col(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace("name: Default escalation playbook", "name: [unclosed", 1)
    error = error_for(broken(tmp_path, text))
    assert re.search(r"team\.yaml:\d+:\d+: ", error.message)


def test_duplicate_key_is_an_error_with_both_lines(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace(
        "        hint: Pulling in leadership before you have tried",
        "        hint: first\n        hint: Pulling in leadership before you have tried",
        1,
    )
    error = error_for(broken(tmp_path, text))
    line = line_of(text, "hint: Pulling in leadership before")
    assert f"team.yaml:{line}:9: duplicate key 'hint' (first at line {line - 1})" in error.message


def test_unknown_field_is_named_with_its_line(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace(
        "        type: yes_no\n", "        type: yes_no\n        colour: red\n", 1
    )
    error = error_for(broken(tmp_path, text))
    assert f"team.yaml:{line_of(text, 'colour: red')}:9: " in error.message
    assert "unknown field `colour`" in error.message


def test_a_holiday_that_is_no_day_is_named_with_its_line(tmp_path, default_text) -> None:
    text = default_text.replace("holidays: ['12-25', '01-01']", "holidays: ['12-25', 'Dec 26']")
    error = error_for(broken(tmp_path, text))
    assert f"team.yaml:{line_of(text, 'Dec 26')}:" in error.message
    assert "lint.holidays.1" in error.message and '"12-25"' in error.message


@pytest.mark.parametrize(
    ("written", "problem", "hint"),
    [
        ("holidays: ['12-25', 2026-12-24]", "YAML read 2026-12-24 as a date", "'2026-12-24'"),
        ("holidays: 1225", "expected a list, but YAML read 1225", "[] for none"),
        ("holidays:", "expected a list, but YAML read nothing", "[] for none"),
    ],
)
def test_a_holiday_list_yaml_misreads_says_what_to_write(
    tmp_path, default_text, written, problem, hint
) -> None:
    """A reviewer's three slips: an unquoted date (YAML makes it a date), a number, and an
    empty key; each error says what YAML read and how to write it instead."""
    text = default_text.replace("holidays: ['12-25', '01-01']", written)
    error = error_for(broken(tmp_path, text))
    assert "lint.holidays" in error.message and problem in error.message
    assert hint in (error.hint or "")


def test_missing_field_is_named(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace(
        "        hint: Pulling in leadership before you have tried is the textbook premature "
        "escalation.\n",
        "",
    )
    error = error_for(broken(tmp_path, text))
    assert "assess.0.questions.0.hint: missing field `hint`" in error.message


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("    title: Escalate now", "    title: no", "False"),
        ("name: Default escalation playbook", "name: 1.10", "1.1"),
        ("name: Default escalation playbook", "name: on", "True"),
    ],
)
def test_yaml_1_1_surprises_are_explained(tmp_path, default_text, old, new, shown) -> None:
    text = default_text.replace(old, new, 1)
    error = error_for(broken(tmp_path, text))
    assert f"YAML read {shown}" in error.message
    assert error.hint and "quotes" in error.hint


def test_duplicate_question_id_is_an_error(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace("      - id: knows_root_cause", "      - id: tried_to_resolve", 1)
    error = error_for(broken(tmp_path, text))
    assert "duplicate question id 'tried_to_resolve'" in error.message
    assert f"team.yaml:{line_of(text, 'id: tried_to_resolve') + 0}" not in error.message
    assert re.search(r"team\.yaml:\d+:\d+: assess\.0\.questions\.1\.id", error.message)


def test_rule_naming_an_unknown_id_is_an_error(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace(
        "    when: cancel_threat\n    verdict", "    when: cancel_thraet\n    verdict"
    )
    error = error_for(broken(tmp_path, text))
    assert f"team.yaml:{line_of(text, 'when: cancel_thraet')}:" in error.message
    assert "no question has the id 'cancel_thraet' (did you mean cancel_threat" in error.message


def test_rule_with_malformed_condition(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace(
        "    when: cancel_threat\n    verdict", "    when: {either: [a]}\n    verdict"
    )
    error = error_for(broken(tmp_path, text))
    assert "rules.0.when" in error.message and "all: [...]" in error.message


def test_condition_value_must_be_a_choice(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace("triggers=overpromised", "triggers=overpromise", 1)
    error = error_for(broken(tmp_path, text))
    assert "'overpromise' is not a choice of 'triggers'" in error.message


FOLLOW_UP = "        when:\n          not: right_time\n"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (FOLLOW_UP, FOLLOW_UP.replace("right_time", "right_tme"), "no question has the id"),
        (FOLLOW_UP, FOLLOW_UP.replace("right_time", "manager_briefed"), "not asked before"),
        ("        required: false\n" + FOLLOW_UP, FOLLOW_UP, "is optional"),
    ],
    ids=["unknown id", "asked later", "required"],
)
def test_a_follow_up_question_is_checked(tmp_path, default_text, old, new, problem) -> None:
    """A follow-up names a question asked before it, and is optional in answers files."""
    assert old in default_text
    error = error_for(broken(tmp_path, default_text.replace(old, new, 1)))
    assert "assess.0.questions.5." in error.message and problem in error.message


def test_sections_point_one_way_and_guidance_ids_are_unique(tmp_path, default_text) -> None:
    wrong = default_text.replace("points_to: escalate\n", "points_to: up\n", 1)
    assert "points_to" in error_for(broken(tmp_path, wrong)).message
    twice = default_text.replace("  - id: trust\n", "  - id: feedback\n", 1)
    assert "duplicate relationship id 'feedback'" in error_for(broken(tmp_path, twice)).message


def test_follow_ups_and_guidance_survive_loading_without_pydantic(tmp_path: Path) -> None:
    stamps = tmp_path / "stamps"
    load(bundled_path(), stamps=stamps)
    again = load(bundled_path(), stamps=stamps)  # built from the stamp
    timing = again.question("timing_off")
    assert timing is not None and timing.applies({"right_time": False})
    assert not timing.applies({"right_time": True})
    assert again.relationship and again.leaning("dont_escalate")


def test_unknown_verdict(tmp_path: Path, default_text: str) -> None:
    text = default_text.replace("verdict: escalate_now", "verdict: panic", 1)
    error = error_for(broken(tmp_path, text))
    assert "rules.0.verdict" in error.message and "escalate_now" in error.message


def test_python_object_tag_is_refused(tmp_path: Path) -> None:
    error = error_for(broken(tmp_path, "playbook: !!python/object/apply:os.system ['true']\n"))
    assert (
        "team.yaml:1:11: the tag tag:yaml.org,2002:python/object/apply:os.system" in error.message
    )


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    error = error_for(broken(tmp_path, "\n".join(lines) + "\n"))
    assert "expands to more than" in error.message


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    error = error_for(broken(tmp_path, "playbook: 1\nverdicts:\n\tescalate: x\n"))
    assert "team.yaml:3:" in error.message
    assert error.hint and "tabs" in error.hint


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_bytes(b"playbook: 1\nname: caf\xe9\n")
    error = error_for(path)
    assert "team.yaml:2:10: byte 0xe9 is not UTF-8" in error.message


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("# " + "x" * 1_100_000)
    assert "larger than" in error_for(path).message


def test_deep_nesting(tmp_path: Path) -> None:
    error = error_for(broken(tmp_path, "a: " + "[" * 200 + "]" * 200 + "\n"))
    assert "deep" in error.message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert "no such playbook" in error_for(tmp_path / "nope.yaml").message
    assert "is a folder, not a playbook" in error_for(tmp_path).message


def test_a_folder_given_as_a_file_reads_in_plain_english(tmp_path: Path) -> None:
    from escalate_cli.safe_yaml import DocumentError, open_file

    with pytest.raises(DocumentError, match="is a folder, not an answers file"):
        open_file(tmp_path, "answers file")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    assert "a playbook is a mapping" in error_for(broken(tmp_path, "- a\n- b\n")).message


def imports_after_loading(path: Path, stamps: Path, check_templates: bool = False) -> set[str]:
    """The top-level modules a fresh interpreter has imported once it has loaded `path`."""
    import json
    import subprocess
    import sys

    code = (
        "import sys, json; from pathlib import Path; from escalate_cli.playbook import load; "
        f"load(Path({str(path)!r}), stamps=Path({str(stamps)!r}), "
        f"check_templates={check_templates}); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


def test_validated_content_loads_again_the_same_without_pydantic_or_yaml(
    tmp_path: Path, default_text: str
) -> None:
    stamps = tmp_path / "stamps"
    path = tmp_path / "team.yaml"
    path.write_text(default_text)
    first = load(path, stamps=stamps)
    assert len(list(stamps.iterdir())) == 1
    again = load(path, stamps=stamps)
    assert again == first
    assert imports_after_loading(path, stamps).isdisjoint({"pydantic", "yaml"})


def test_the_bundled_playbook_ships_validated_and_first_runs_use_it(tmp_path: Path, book) -> None:
    from escalate_cli.playbook import _record, bundled_record_path, safe_yaml

    text = bundled_path().read_text(encoding="utf-8")
    expected = _record(text, safe_yaml.parse_document(text, "default").data, templates=True)
    assert bundled_record_path().read_text(encoding="utf-8") == expected, (
        "playbooks/default.validated.json is out of date; refresh it with: python -c "
        "'from escalate_cli.playbook import write_bundled_record; write_bundled_record()'"
    )
    empty = tmp_path / "new-home" / "cache" / "validated"
    assert load(bundled_path(), check_templates=True, stamps=empty) == book
    loaded = imports_after_loading(bundled_path(), empty, check_templates=True)
    assert loaded.isdisjoint({"pydantic", "yaml"})


def test_a_stamp_never_covers_edited_content(tmp_path: Path, default_text: str) -> None:
    stamps = tmp_path / "stamps"
    path = tmp_path / "team.yaml"
    path.write_text(default_text)
    load(path, stamps=stamps)
    path.write_text(default_text.replace("verdict: escalate_now", "verdict: panic", 1))
    with pytest.raises(EscalateError, match=r"rules\.0\.verdict"):
        load(path, stamps=stamps)


def test_template_checks_need_their_own_stamp(tmp_path: Path, default_text: str) -> None:
    stamps = tmp_path / "stamps"
    path = tmp_path / "team.yaml"
    start = default_text.index("  customer_message: |\n")
    end = default_text.index("  agenda: |\n")
    path.write_text(
        default_text[:start] + '  customer_message: "{{ oops }}"\n' + default_text[end:]
    )
    load(path, stamps=stamps)  # assess does not check templates
    with pytest.raises(EscalateError, match="`oops` is not a question id"):
        load(path, check_templates=True, stamps=stamps)


def test_show_bundled_prints_the_bundled_playbook_even_when_mine_is_broken(
    runner, tmp_path: Path, default_text: str
) -> None:
    from escalate_cli.cli import app

    mine = tmp_path / "config" / "escalate" / "playbook.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("")
    broken = runner.invoke(app, ["playbook", "validate"])
    assert broken.exit_code == 2 and "--raw --bundled" in broken.stderr
    shown = runner.invoke(app, ["playbook", "show", "--raw", "--bundled"])
    assert shown.exit_code == 0 and shown.stdout == default_text


def test_stamp_folders_are_private(tmp_path: Path, default_text: str) -> None:
    stamps = tmp_path / "home" / "cache" / "validated"
    (tmp_path / "home").mkdir(mode=0o700)
    path = tmp_path / "team.yaml"
    path.write_text(default_text)
    load(path, stamps=stamps)
    for folder in (stamps.parent, stamps):
        assert oct(folder.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ({"not": "right_time"}, "not right_time"),
        ({"not": {"any": ["a", "b"]}}, "not (a or b)"),
        ({"all": ["a", {"any": ["b", "c=x"]}, {"not": "d"}]}, "a and (b or c=x) and not d"),
    ],
)
def test_conditions_read_as_words(raw: object, read: str) -> None:
    from escalate_cli.rules import describe, parse_condition

    assert describe(parse_condition(raw)) == read


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("'3'", "valid number"),
        ("yes", "valid number"),
        ("11", "from 0 to 10"),
        ("-1", "from 0 to 10"),
    ],
)
def test_a_rules_second_look_is_a_number_from_0_to_10(
    tmp_path, default_text, value, problem
) -> None:
    text = default_text.replace("      second_look: 3.5\n", f"      second_look: {value}\n", 1)
    assert text != default_text
    error = error_for(broken(tmp_path, text))
    assert f"team.yaml:{line_of(text, f'second_look: {value}')}:" in error.message
    assert "lint.rules.0.second_look" in error.message and problem in error.message


def test_a_second_look_of_0_or_10_loads(tmp_path, default_text) -> None:
    for value in ("0", "10"):
        text = default_text.replace("      second_look: 3.5\n", f"      second_look: {value}\n", 1)
        path = tmp_path / "team.yaml"
        path.write_text(text, encoding="utf-8")
        assert load(path).lint.rules[0].second_look == float(value)


@pytest.mark.parametrize("partner", ["blam", "inflated_urgency"])
def test_a_second_look_partner_must_be_another_lint_rule(tmp_path, default_text, partner) -> None:
    """A misspelt id, or the rule's own, names the file, line and field, and the ids."""
    old = "      second_look_with: [blame]\n"
    text = default_text.replace(old, f"      second_look_with: [{partner}]\n", 1)
    assert text != default_text
    error = error_for(broken(tmp_path, text))
    assert f"team.yaml:{line_of(default_text, old)}:" in error.message  # inflated_urgency's
    assert "second_look_with.0" in error.message
    assert f"{partner!r} is not another lint rule's id" in error.message
    assert "blame, over_promise, eta_no_buffer" in error.message
