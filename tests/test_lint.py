"""The message coach: a corpus of good messages (no finding) and bad ones (expected rules)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from escalate_cli.brief import draft
from escalate_cli.lint import lint
from escalate_cli.playbook import Lint, Playbook

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "lint_corpus.yaml").read_text())


@pytest.mark.parametrize("text", CORPUS["good"], ids=lambda t: t[:40])
def test_good_messages_give_no_finding(book: Playbook, text: str) -> None:
    assert lint(text, book.lint) == []


@pytest.mark.parametrize("case", CORPUS["bad"], ids=lambda c: c["text"][:40])
def test_bad_messages_give_the_expected_rules(book: Playbook, case: dict) -> None:
    found = lint(case["text"], book.lint)
    assert sorted(f.rule for f in found) == sorted(case["rules"])
    assert all(f.message and f.suggestion for f in found)


def test_findings_carry_line_and_column(book: Playbook) -> None:
    text = "Hi Sam,\n\nThanks. Engineering dropped the ball.\nI'll look into it."
    found = lint(text, book.lint)
    assert [(f.line, f.column, f.rule, f.excerpt) for f in found] == [
        (3, 9, "blame", "Engineering dropped"),
        (4, 1, "vague_commitment", "I'll look into"),
    ]


def test_partner_trigger_words_are_flagged_with_their_position(book: Playbook) -> None:
    text = "Hi,\nper our policy we cannot\nchange the Policy."
    found = lint(text, book.lint, triggers=["per our policy", "policy"], partner="Acme")
    assert [(f.line, f.column, f.excerpt) for f in found] == [
        (2, 1, "per our policy"),
        (2, 9, "policy"),
        (3, 12, "Policy"),
    ]
    assert all(f.rule == "partner_trigger" and "Acme" in f.message for f in found)


def test_phrases_match_whole_words_across_line_breaks(book: Playbook) -> None:
    assert [f.rule for f in lint("we'll get\nback to you", book.lint)] == ["vague_commitment"]
    assert lint("guaranteeing", book.lint) == []


def test_cushion_days_fill_the_suggestion(book: Playbook) -> None:
    (finding,) = lint("It will be ready by Friday.", replace(book.lint, cushion_days=3))
    assert "3 working days" in finding.suggestion


def test_default_templates_with_ordinary_answers_lint_clean(book: Playbook) -> None:
    from test_brief import ORDINARY

    assert draft(book, ORDINARY).findings == {}


def test_lint_cli_exit_codes_and_json(runner, tmp_path) -> None:
    from escalate_cli.cli import app

    clean = tmp_path / "clean.txt"
    clean.write_text(CORPUS["good"][0])
    result = runner.invoke(app, ["lint", str(clean)])
    assert result.exit_code == 0 and "No findings" in result.stdout
    bad = tmp_path / "bad.txt"
    bad.write_text("Hi,\nEngineering will have it fixed by Friday, guaranteed!!!\n")
    found = runner.invoke(app, ["lint", str(bad), "--format", "json"])
    assert found.exit_code == 1
    rules = [(f["line"], f["column"], f["rule"]) for f in json.loads(found.stdout)]
    assert rules == [
        (2, 1, "others_work"),
        (2, 13, "eta_no_buffer"),
        (2, 43, "over_promise"),
        (2, 53, "inflated_urgency"),
    ]
    piped = runner.invoke(app, ["lint", "-"], input="I'll look into it.")
    assert piped.exit_code == 1 and "vague_commitment" in piped.stdout
    missing = runner.invoke(app, ["lint", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2


def test_lint_cli_uses_the_partners_trigger_words(runner, tmp_path) -> None:
    from escalate_cli.cli import app

    runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", "per our policy"])
    draft_file = tmp_path / "d.txt"
    draft_file.write_text("Hello,\n\nAs per our policy, we cannot refund.\n")
    result = runner.invoke(app, ["lint", str(draft_file), "--partner", "acme", "-f", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)
    assert (finding["line"], finding["column"], finding["rule"]) == (3, 4, "partner_trigger")
    unknown = runner.invoke(app, ["lint", str(draft_file), "--partner", "Acne"])
    assert unknown.exit_code == 2 and "did you mean 'Acme'?" in unknown.stderr


def test_broken_rule_pattern_is_a_playbook_error_at_load(tmp_path, default_text) -> None:
    from escalate_cli.errors import EscalateError
    from escalate_cli.playbook import load

    text = default_text.replace("        - '!{2,}|", "        - '(unclosed|", 1)
    path = tmp_path / "team.yaml"
    path.write_text(text)
    with pytest.raises(EscalateError) as caught:
        load(path)
    line = text[: text.index("'(unclosed|")].count("\n") + 1
    assert f"team.yaml:{line}:" in caught.value.message
    assert "not a valid regular expression" in caught.value.message


def test_lint_rule_needs_phrases_or_patterns(tmp_path, default_text) -> None:
    from escalate_cli.errors import EscalateError
    from escalate_cli.playbook import load

    text = default_text.replace(
        "  rules:\n    - id: blame\n",
        "  rules:\n    - id: empty\n      message: m\n      suggestion: s\n    - id: blame\n",
        1,
    )
    path = tmp_path / "team.yaml"
    path.write_text(text)
    with pytest.raises(EscalateError, match="needs `phrases` or `patterns`"):
        load(path)


def test_a_trigger_note_watches_for_its_quoted_phrases(book: Playbook) -> None:
    notes = ["being told 'per our policy'", 'the words "escalation" and "urgent"', "circle back"]
    text = "Per our policy, this escalation is not urgent.\nLet's circle back on Monday."
    found = [(f.line, f.column, f.excerpt) for f in lint(text, Lint(), notes, "Acme")]
    assert found == [
        (1, 1, "Per our policy"),
        (1, 22, "escalation"),
        (1, 40, "urgent"),
        (2, 7, "circle back"),
    ]
    assert lint("being told is fine", Lint(), notes) == []


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_line_endings_do_not_move_findings(runner, tmp_path, ending) -> None:
    from escalate_cli.cli import app

    draft_file = tmp_path / "d.txt"
    draft_file.write_bytes(f"Hi Sam,{ending}{ending}We guarantee it.{ending}".encode())
    result = runner.invoke(app, ["lint", str(draft_file), "-f", "json"])
    assert [(f["line"], f["column"]) for f in json.loads(result.stdout)] == [(3, 1)]
