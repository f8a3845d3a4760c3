"""The message coach's speed-ups change no finding: anchors, lazy compiling, kept code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from escalate_cli import lint as coach
from escalate_cli import patterns
from escalate_cli.lint import Finding, lint
from escalate_cli.playbook import Playbook
from escalate_cli.safe_yaml import parse_document, read_text

TODAY = dt.date(2026, 12, 2)
TUNING = Path(__file__).parent / "data" / "lint_tuning.yaml"


@pytest.fixture(scope="module")
def tuning_text() -> str:
    """The tuning corpus's messages as one draft: every kind of finding, many times over."""
    messages = parse_document(read_text(TUNING, "corpus"), str(TUNING)).data["messages"]
    return "\n\n".join(str(message["text"]) for message in messages)


@pytest.fixture
def fresh() -> object:
    """No pattern set compiled or kept by an earlier test."""
    patterns._MEMO.clear()
    yield
    patterns._MEMO.clear()


def exhaustive(text: str, book: Playbook, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """The findings with every speed-up off: every pattern compiled by `re.compile` and
    tried on every sentence, whatever its anchors say."""
    with monkeypatch.context() as patch:
        patch.setattr(coach, "_candidates", lambda draft, *_: set(range(len(draft.spans))))
        patch.setattr(patterns, "_code", lambda *_: {}.__getitem__("internals"))
        patch.setattr(coach._Rule, "reach", None)  # no sentence taken for one seen before
        patterns._MEMO.clear()
        coach.prepare(book.lint)
        found = lint(text, book.lint, ["'release'", "hardware"], "Acme", today=TODAY)
    patterns._MEMO.clear()
    return found


def test_the_tuning_corpus_gives_the_same_findings_as_the_exhaustive_search(
    book: Playbook, tuning_text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh
) -> None:
    expected = exhaustive(tuning_text, book, monkeypatch)
    assert len({f.rule for f in expected}) == 7 and len(expected) > 500
    coach.prepare(book.lint, tmp_path)
    first = lint(tuning_text, book.lint, ["'release'", "hardware"], "Acme", today=TODAY)
    patterns.keep_compiled()
    patterns._MEMO.clear()
    coach.prepare(book.lint, tmp_path)  # a later run: anchors and code read back
    again = lint(tuning_text, book.lint, ["'release'", "hardware"], "Acme", today=TODAY)
    assert first == expected and again == expected


def test_a_repeated_sentence_is_judged_again_where_what_precedes_it_differs(
    book: Playbook, monkeypatch: pytest.MonkeyPatch, fresh
) -> None:
    """ "the" right before "Guarantee" makes it a noun, even across a line break; the
    same sentence after other words is a promise."""
    text = "We met the\nGuarantee you love it.\nWe met\nGuarantee you love it.\n" * 2
    found = lint(text, book.lint)
    assert [(f.line, f.rule) for f in found] == [(4, "over_promise"), (8, "over_promise")]
    assert found == exhaustive(text, book, monkeypatch)


def test_only_the_patterns_a_draft_needs_are_compiled_and_kept(
    book: Playbook, tmp_path: Path, fresh
) -> None:
    text = "Engineering will have it fixed by Friday, guaranteed!!! I'll look into it."
    coach.prepare(book.lint, tmp_path)
    expected = lint(text, book.lint)
    assert not list(tmp_path.iterdir())  # nothing kept until the command is done
    patterns.keep_compiled()
    (kept,) = tmp_path.iterdir()
    entries = json.loads(kept.read_text())["entries"]
    assert 0 < sum(1 for entry in entries if entry["k"]) < len(entries) / 2
    patterns._MEMO.clear()
    coach.prepare(book.lint, tmp_path)
    assert lint(text, book.lint) == expected
    (compiled,) = patterns._MEMO.values()
    assert not any(pattern.fresh for pattern in compiled.patterns)  # read back, not compiled


@pytest.mark.parametrize(
    "damage",
    [
        lambda entries: [{**e, "k": e["k"] and {**e["k"], "c": "AAAA"}} for e in entries],
        lambda entries: [{**e, "k": e["k"] and {**e["k"], "c": "eJwDAAAAAAE="}} for e in entries],
        lambda entries: [{**e, "a": "x"} for e in entries],
        lambda entries: entries[1:],
        lambda entries: "not entries",
    ],
)
def test_a_damaged_copy_is_ignored(book: Playbook, tmp_path: Path, fresh, damage) -> None:
    text = "Engineering will have it fixed by Friday, guaranteed!!! I'll look into it."
    coach.prepare(book.lint, tmp_path)
    expected = lint(text, book.lint)
    patterns.keep_compiled()
    (kept,) = tmp_path.iterdir()
    kept.write_text(
        json.dumps({"format": 3, "entries": damage(json.loads(kept.read_text())["entries"])})
    )
    patterns._MEMO.clear()
    coach.prepare(book.lint, tmp_path)
    assert lint(text, book.lint) == expected


def test_the_shipped_anchors_are_up_to_date(book: Playbook) -> None:
    from escalate_cli.playbook import bundled_path

    items = [item for rule in book.lint.rules for item in coach._sources(rule, book.lint)]
    shipped = bundled_path().with_name(coach.ANCHORS).read_text(encoding="utf-8")
    assert shipped == patterns.shipped_anchors(items), (
        f"playbooks/{coach.ANCHORS} is out of date; refresh it with: python -c "
        "'from escalate_cli.lint import write_bundled_anchors; write_bundled_anchors()'"
    )


def test_stale_shipped_anchors_are_not_used(
    book: Playbook, tmp_path: Path, fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Engineering will have it fixed by Friday, guaranteed!!! I'll look into it."
    expected = lint(text, book.lint)
    stale = tmp_path / "stale.json"
    record = json.loads(patterns.shipped_anchors([("unrelated", 0)]))
    stale.write_text(json.dumps({**record, "anchors": [[["zzz"]]] * 200}))
    monkeypatch.setattr(coach, "ANCHORS", "stale.json")
    monkeypatch.setattr("escalate_cli.playbook.bundled_path", lambda: tmp_path / "default.yaml")
    patterns._MEMO.clear()
    coach.prepare(book.lint)
    assert lint(text, book.lint) == expected
