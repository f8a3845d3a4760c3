"""The message coach's speed-ups change no finding: anchors, lazy compiling, kept code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from escalate_cli import classify, listing, patterns, report
from escalate_cli import lint as coach
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
def fresh(monkeypatch: pytest.MonkeyPatch) -> object:
    """No pattern set compiled or kept by an earlier test, and no code shipped for this
    Python: the bundled playbook's patterns are compiled and kept as a user's would be."""
    monkeypatch.setattr(coach, "CODE", None)
    patterns._MEMO.clear()
    yield
    patterns._MEMO.clear()


def exhaustive(text: str, book: Playbook, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """The findings with every speed-up off: every pattern compiled by `re.compile` and
    tried on every sentence, whatever its anchors say."""
    return exhaustive_each([text], book, monkeypatch)[0]


def exhaustive_each(
    texts: list[str], book: Playbook, monkeypatch: pytest.MonkeyPatch
) -> list[list[Finding]]:
    """`exhaustive` for each of several drafts, each linted on its own."""
    with monkeypatch.context() as patch:
        patch.setattr(coach, "_candidates", lambda draft, *_: set(range(len(draft.spans))))
        patch.setattr(patterns, "_code", lambda *_: {}.__getitem__("internals"))
        patch.setattr(coach._Rule, "reach", None)  # no sentence taken for one seen before
        patterns._MEMO.clear()
        coach.prepare(book.lint)
        found = [
            lint(text, book.lint, ["'release'", "hardware"], "Acme", today=TODAY) for text in texts
        ]
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


def test_short_drafts_give_the_same_findings_as_the_exhaustive_search(
    book: Playbook, tuning_text: str, monkeypatch: pytest.MonkeyPatch, fresh
) -> None:
    """A short draft holds few of the playbook's anchors: the patterns ruled out because it
    lacks every anchor of one of their groups (`Draft.present`) could not have matched."""
    drafts = tuning_text.split("\n\n")
    expected = exhaustive_each(drafts, book, monkeypatch)
    coach.prepare(book.lint)
    found = [
        lint(text, book.lint, ["'release'", "hardware"], "Acme", today=TODAY) for text in drafts
    ]
    assert found == expected
    assert sum(map(len, found)) > 500 and sum(not findings for findings in found) > 100


def test_findings_compare_hash_and_show_as_the_dataclass_did() -> None:
    """Finding is a record (records.py): equal findings are one dict key, fields are fixed."""
    args = (3, 7, "blame", "warning", "Blame.", "Own it.", "Our devs")
    finding = Finding(*args)
    assert finding == Finding(*args) and {finding: 1}[Finding(*args)] == 1
    assert finding != Finding(*args[:-1], "devs") and len({finding, Finding(4, *args[1:])}) == 2
    assert (
        finding == Finding(**finding.as_dict()) and dataclasses.asdict(finding) == finding.as_dict()
    )
    assert repr(finding).startswith("Finding(line=3, column=7, rule='blame', ")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.line = 4  # type: ignore[misc]


def test_lint_json_is_the_document_of_the_findings_as_dicts(
    book: Playbook, tuning_text: str
) -> None:
    """`lint --format json` encodes what recurs once: the bytes are still `to_json`'s, hidden
    characters escaped, over more than one batch, and for no finding at all."""
    found = lint(tuning_text, book.lint, ["'release'", "hardware"], "Acme", today=TODAY)
    odd = [
        Finding(1, 2, "blame", "error", 'say "it" \\ ok', "Try: é ‘x’ \u202eevil\u202c", "a\x07b"),
        Finding(12, 1, "blame", "error", 'say "it" \\ ok', "Try: é ‘x’ \u202eevil\u202c", "a\x07b"),
        Finding(3, 4, "x", "info", "emoji 😀 and \ufeff", "tab\tnew\nline", "\x7f"),
        Finding(4, 1, "blame", "error", "Blame.", "Own it.", "the courier", second_look=True),
    ]
    for findings in ([*found, *odd] * 3, odd, []):
        assert len(found) * 3 > listing.BATCH
        expected = report.to_json([finding.as_dict() for finding in findings])
        assert "".join(report.findings_json(findings)) == expected
    assert "\\u202e" in "".join(report.findings_json(odd))


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
    entries = patterns._kept_entries(kept.read_bytes())
    assert 0 < sum(1 for entry in entries if entry["k"]) < len(entries) / 2
    patterns._MEMO.clear()
    coach.prepare(book.lint, tmp_path)
    assert lint(text, book.lint) == expected
    (compiled,) = patterns._MEMO.values()
    assert not any(pattern.fresh for pattern in compiled.patterns)  # read back, not compiled


def test_checking_a_rewrite_compiles_only_the_patterns_it_may_match(
    book: Playbook, tmp_path: Path, fresh
) -> None:
    """A rewrite is checked against its rule's patterns (no rewrite its own rule would
    flag), but only those whose anchors it holds are compiled: a first run in a new data
    folder compiled every pattern of the rule for one suggestion (170 to 197 ms)."""
    coach.prepare(book.lint, tmp_path)
    (found,) = lint("Rest assured, we have added a second check to the import.", book.lint)
    assert found.suggestion.startswith('Try: "We have added a second check to the import."')
    rules, _ = coach._compiled(book.lint)
    (promise,) = [rule for rule in rules if rule.rule.id == "over_promise"]
    compiled = [find for find in promise.finds if "regex" in vars(find)]
    assert len(promise.finds) > 50 and len(compiled) < 10  # 4 today, against 74


def _recorded(damage):
    """Entries damaged, then written as a whole kept file (its CRC right)."""
    return lambda raw: patterns.kept_record(damage(patterns._kept_entries(raw)))


@pytest.mark.parametrize(
    "damage",
    [
        _recorded(lambda entries: [{**e, "k": e["k"] and {**e["k"], "c": b"\0"}} for e in entries]),
        _recorded(
            lambda entries: [{**e, "k": e["k"] and {**e["k"], "c": bytes(8)}} for e in entries]
        ),
        _recorded(lambda entries: [{**e, "k": e["k"] and {**e["k"], "c": "x"}} for e in entries]),
        _recorded(lambda entries: [{**e, "a": "x"} for e in entries]),
        _recorded(lambda entries: entries[1:]),
        _recorded(lambda entries: "not entries"),
        lambda raw: raw[:-50] + bytes(50),  # the CRC no longer fits
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"not marshal at all",
    ],
)
def test_a_damaged_copy_is_ignored(book: Playbook, tmp_path: Path, fresh, damage) -> None:
    text = "Engineering will have it fixed by Friday, guaranteed!!! I'll look into it."
    coach.prepare(book.lint, tmp_path)
    expected = lint(text, book.lint)
    patterns.keep_compiled()
    (kept,) = tmp_path.iterdir()
    kept.write_bytes(damage(kept.read_bytes()))
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


def test_the_shipped_code_is_up_to_date(book: Playbook) -> None:
    """A release ships its patterns compiled for each Python it is built for; this one's
    must be there and be what compiling them here gives."""
    import _sre
    import marshal
    import zlib

    from escalate_cli.playbook import bundled_path

    hint = (
        "refresh it with: python -c 'from escalate_cli.lint import write_bundled_anchors; "
        "write_bundled_anchors()' (naming other interpreters to write theirs too)"
    )
    items = [item for rule in book.lint.rules for item in coach._sources(rule, book.lint)]
    path = bundled_path().with_name(coach.CODE or "")
    assert coach.CODE and path.is_file(), f"playbooks/{coach.CODE} is missing; {hint}"
    record = patterns._kept_entries(path.read_bytes())
    assert record["patterns"] == patterns._digest(items), f"{path.name} is out of date; {hint}"
    assert record["magic"] == _sre.MAGIC
    shipped = [marshal.loads(zlib.decompress(packed)) for packed in record["code"]]
    assert shipped == [patterns._code(pattern, flags) for pattern, flags in items]


def test_a_first_run_compiles_and_keeps_none_of_the_bundled_patterns(
    book: Playbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the code shipped for this Python, a new data folder's first lint unpacks the
    few patterns its draft needs and keeps nothing of them; the findings are those of
    patterns compiled here."""
    text = "Engineering will have it fixed by Friday, guaranteed!!! Our devs messed it up."
    patterns._MEMO.clear()
    coach.prepare(book.lint, tmp_path / "shipped")
    found = lint(text, book.lint)
    patterns.keep_compiled()
    bundled = max(patterns._MEMO.values(), key=lambda kept: len(kept.patterns))
    used = [pattern for pattern in bundled.patterns if "regex" in vars(pattern)]
    assert bundled.path is None and 0 < len(used) < len(bundled.patterns) / 4
    assert not any(pattern.fresh for pattern in bundled.patterns)
    assert not (tmp_path / "shipped").exists() or all(
        path.stat().st_size < 100_000 for path in (tmp_path / "shipped").iterdir()
    )  # the small sets of the classifier and the sentence splitter only
    monkeypatch.setattr(coach, "CODE", None)
    patterns._MEMO.clear()
    coach.prepare(book.lint, tmp_path / "compiled")
    assert lint(text, book.lint) == found and {f.rule for f in found} >= {"blame", "over_promise"}
    patterns._MEMO.clear()


@pytest.mark.parametrize(
    "damage",
    [
        lambda record: {**record, "magic": record["magic"] + 1},  # another build's matcher
        lambda record: {**record, "patterns": "0" * 64},  # other patterns
        lambda record: {**record, "code": record["code"][1:]},
        lambda record: {**record, "code": [b"not zlib"] * len(record["code"])},
        lambda record: {**record, "code": [b"x\x9c" + bytes(9)] * len(record["code"])},
        lambda record: "not a record",
    ],
)
def test_shipped_code_that_does_not_fit_is_not_used(
    book: Playbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage
) -> None:
    from escalate_cli.playbook import bundled_path

    text = "Engineering will have it fixed by Friday, guaranteed!!! Our devs messed it up."
    patterns._MEMO.clear()
    expected = lint(text, book.lint)
    shipped = patterns._kept_entries(bundled_path().with_name(coach.CODE or "").read_bytes())
    (tmp_path / "default.anchors.json").write_bytes(
        bundled_path().with_name(coach.ANCHORS).read_bytes()
    )
    (tmp_path / "odd.patterns").write_bytes(patterns.kept_record(damage(shipped)))
    monkeypatch.setattr(coach, "CODE", "odd.patterns")
    monkeypatch.setattr("escalate_cli.playbook.bundled_path", lambda: tmp_path / "default.yaml")
    patterns._MEMO.clear()
    coach.prepare(book.lint)
    assert lint(text, book.lint) == expected
    bundled = max(patterns._MEMO.values(), key=lambda kept: len(kept.patterns))
    assert any(pattern.fresh for pattern in bundled.patterns)  # compiled here instead
    patterns._MEMO.clear()


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


# --- the model, read quickly without a kept copy --------------------------------------------


def test_the_model_file_holds_each_weight_in_thousandths(book: Playbook, tmp_path: Path) -> None:
    """The shipped model's weights read back from their fixed layout (base64 of little-endian
    16-bit thousandths), decoded here by hand, and a copy with other weights reads those."""
    import base64
    import struct

    data = json.loads(Path(book.lint.model or "").read_text(encoding="utf-8"))
    model = classify.load(Path(book.lint.model or ""), [rule.id for rule in book.lint.rules])
    assert data["format"] == 2 and len(model.names) == len(data["names"]) > 10_000
    raw = base64.b64decode(data["weights"])
    width = len(data["rules"])
    for index in (0, len(data["names"]) // 2, len(data["names"]) - 1):
        row = struct.unpack_from(f"<{width}h", raw, 2 * width * index)
        assert model.weights(data["names"][index]) == tuple(value / 1000 for value in row)
    assert model.weights("u:no-such-feature") is None
    path = tmp_path / "copy.json"
    rows = [[0.5, -1.25, 0, 0, 0, 3.001]] * len(data["names"])
    path.write_text(json.dumps({**data, "weights": classify.encode_weights(rows)}))
    copy = classify.load(path, [rule.id for rule in book.lint.rules])
    assert copy.weights(data["names"][-1]) == (0.5, -1.25, 0.0, 0.0, 0.0, 3.001)


def test_the_pattern_cache_keeps_the_sets_used_most_recently(tmp_path: Path, fresh) -> None:
    """Each edit of a playbook's rules makes a new set; the oldest unused go (sets older
    versions kept as JSON among them), a set read back counts as used, and files not of
    our naming stay."""

    def run(number: int) -> Path:
        patterns._MEMO.clear()
        (pattern,) = patterns.compile_all([(f"word{number}", 0)], tmp_path)
        assert pattern.regex.search(f"a word{number}")
        patterns.keep_compiled()
        return max(tmp_path.glob("*.patterns"), key=lambda path: path.stat().st_mtime_ns)

    (tmp_path / "notes.txt").write_text("not ours")
    older = tmp_path / f"{'0' * 64}.json"  # a set an older version kept as JSON
    older.write_text("{}")
    os.utime(older, (10**8, 10**8))
    first = run(0)
    os.utime(first, (10**9, 10**9))  # long unused ...
    assert run(0) == first and first.stat().st_mtime > 10**9 + 10  # ... until read again
    for number in range(1, patterns.KEEP_SETS + 3):
        os.utime(run(number), (10**9 + number, 10**9 + number))
    kept = sorted(path.name for path in tmp_path.iterdir())
    assert len(kept) == patterns.KEEP_SETS + 1 and "notes.txt" in kept
    assert not older.exists()
    assert first.exists()  # used after the others were made, so among the most recent


FIRST_CHECKED = [
    (r"(?<!\bthe\s)(?<!\ba\s)\bguarantee(?:d|s)?\s+(?:that|you)\b", 2),
    (r"\b(?:next\s+)?(?:mon|tue)(?:day)?|\b\d{1,2}(?:st|nd)|\bq[1-4]\b", 2),
    (r"\b(?:(?-i:[A-Z][a-z]+)|they)\s+will\b", 2),
    (r"\b(?:x|)y", 2),  # a choice that may match nothing: the next part counts too
    (r"\b(?:a*b)?c", 2),
    (r"(?=\w)(?<!-)(?:[kK]elvin|s)\b", 2),
    (r"\bSTOP\b|\b[ſs]top", 0),
    (r"(?<![a-z])\w+ly\b", 2),  # starts with a word character: left as it is
    (r"""\b(?: next \s+ week | \d{4}-\d\d )  # verbose""", 2 | 64),
]


@pytest.mark.parametrize(("pattern", "flags"), FIRST_CHECKED)
@given(text=st.text(alphabet="abcdegklnorstuwxyKSTUWY ſK-\n0129st", max_size=40))
@settings(max_examples=150, deadline=None)
def test_a_first_character_checked_up_front_changes_no_match(
    pattern: str, flags: int, text: str
) -> None:
    quick = patterns._from_code(pattern, patterns._code(pattern, flags))
    plain = re.compile(pattern, flags)
    assert [m.span() for m in quick.finditer(text)] == [m.span() for m in plain.finditer(text)]


@pytest.mark.parametrize(
    ("pattern", "flags", "checked"),
    [
        (FIRST_CHECKED[0][0], 2, True),  # a row of lookbehinds before "guarantee"
        (r"\bwill\b", 2, True),
        (r"will\b", 2, False),  # the matcher skips ahead to a literal by itself
        (r"\b\w+ed\b", 2, False),  # any word character: nothing ruled out
        (r"\b(?i:will)", 0, False),  # ignoring case inside, minding it outside
    ],
)
def test_the_first_character_is_checked_only_where_it_pays(
    pattern: str, flags: int, checked: bool
) -> None:
    parser = patterns._parser()
    tree = parser.parse(pattern, flags)
    before = len(tree.data)
    patterns._check_first(tree, parser, tree.state)
    assert (len(tree.data) == before + 1) is checked


WRAPPED = r"(?<!\bthe\n)(?<!\ba\n)(?<!\ban\n)(?<!\bto\n)(?<!\bof\n)(?<!\bour\n)(?<!\byour\n)"
PLAIN_BOUNDARY = (
    r"""[.!?]+(?=[\s"'”’)\]]|$)|;|\n[ \t]*\n|\n"""
    + WRAPPED
    + r"""(?=[ \t]*(?:[-*•]\s|\d+[.)]\s|[A-Z]))"""
)
PLAIN_QUOTED = (
    r"""(?<!\w)'([^'\n]{2,})'(?!\w)|"([^"\n]{2,})"|(?<!\w)"(?=\S)([^"\n]+\n[^"\n]+)(?<=\S)"(?!\w)"""
    r"|‘([^‘’\n]{2,})’|“([^“”\n]{2,})”|“([^“”\n]+\n[^“”\n]+)”"
)


@given(text=st.text(alphabet=".!?;'\"‘’“”)] \t\n-*•1)Aabnt", max_size=40))
@example(text="it's 'ok' and b'ab' or 'ab'b.\n1) A?! b... Ab;")
@example(text="we sent a\nNote to the\nTeam; an\nA")
@settings(max_examples=300, deadline=None)
def test_the_sentence_and_quote_patterns_match_as_written_plainly(text: str) -> None:
    """Each choice of the draft's boundary and quote patterns starts with its character (so
    the matcher skips ahead): the matches and groups are those of the plain patterns."""
    boundary, quoted, *_ = coach.splitting()
    for quick, plain in ((boundary, PLAIN_BOUNDARY), (quoted, PLAIN_QUOTED)):
        expected = [(m.span(), m.groups()) for m in re.finditer(plain, text)]
        assert [(m.span(), m.groups()) for m in quick.finditer(text)] == expected


@given(text=st.text(max_size=8))
@example(text="_")
@example(text="e.t.a")
def test_a_word_anchor_is_one_the_word_pattern_matches_whole(text: str) -> None:
    """Anchors made of word characters are looked up among the draft's words: the quick
    check agrees with `\\w+` on any text."""
    assert coach._is_word(text) == bool(re.fullmatch(r"\w+", text))
