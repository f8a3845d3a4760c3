"""The message coach: a corpus of good messages (no finding) and bad ones (expected rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from escalate_cli.brief import draft
from escalate_cli.lint import lint
from escalate_cli.playbook import Playbook

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "lint_corpus.yaml").read_text())


@pytest.mark.parametrize("text", CORPUS["good"], ids=lambda t: t[:40])
def test_good_messages_give_no_finding(book: Playbook, text: str) -> None:
    assert lint(text, book.lint.rules) == []


@pytest.mark.parametrize("case", CORPUS["bad"], ids=lambda c: c["text"][:40])
def test_bad_messages_give_the_expected_rules(book: Playbook, case: dict) -> None:
    found = lint(case["text"], book.lint.rules)
    assert sorted(f.rule for f in found) == sorted(case["rules"])
    assert all(f.message and f.suggestion for f in found)


def test_findings_carry_line_and_column(book: Playbook) -> None:
    text = "Hi Sam,\n\nThanks. Engineering dropped the ball.\nI'll look into it."
    found = lint(text, book.lint.rules)
    assert [(f.line, f.column, f.rule, f.excerpt) for f in found] == [
        (3, 21, "blame", "dropped the ball"),
        (4, 6, "vague_commitment", "look into it"),
    ]


def test_partner_trigger_words_are_flagged_with_their_position(book: Playbook) -> None:
    text = "Hi,\nper our policy we cannot\nchange the Policy."
    found = lint(text, book.lint.rules, triggers=["per our policy", "policy"], partner="Acme")
    assert [(f.line, f.column, f.excerpt) for f in found] == [
        (2, 1, "per our policy"),
        (2, 9, "policy"),
        (3, 12, "Policy"),
    ]
    assert all(f.rule == "partner_trigger" and "Acme" in f.message for f in found)


def test_phrases_match_whole_words_across_line_breaks(book: Playbook) -> None:
    assert [f.rule for f in lint("we'll get\nback to you", book.lint.rules)] == ["vague_commitment"]
    assert lint("guaranteeing", book.lint.rules) == []


def test_cushion_days_fill_the_suggestion(book: Playbook) -> None:
    (finding,) = lint("It will be ready by Friday.", book.lint.rules, cushion_days=3)
    assert "3 working days" in finding.suggestion


def test_default_templates_with_ordinary_answers_lint_clean(book: Playbook) -> None:
    from test_brief import ORDINARY

    assert draft(book, ORDINARY).findings == {}
