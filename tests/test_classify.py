"""The message coach's sentence classifier: features, scores, findings, the model file."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import MODEL_RULES as RULES
from conftest import load_benchmark, toy_coach, write_model
from escalate_cli import classify
from escalate_cli.errors import EscalateError, PlaybookError
from escalate_cli.lint import Draft, lint
from escalate_cli.playbook import Lint, LintRule, Playbook, bundled_path

ROOT = Path(__file__).resolve().parents[1]


def installed() -> str:
    path = Path(sys.executable).parent / "escalate"
    return str(path) if path.exists() else "escalate"


def blame_only(weights: dict[str, float]) -> dict[str, list[float]]:
    return {name: [weight, 0, 0, 0, 0] for name, weight in weights.items()}


def with_model(book: Playbook, path: Path) -> Lint:
    return toy_coach(book.lint, path)


# --- features ----------------------------------------------------------------------------------


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token.word, token.kind) for token in classify.tokens(text)]


def test_words_are_lower_case_with_contractions_spelled_out_and_classes_marked() -> None:
    assert kinds("We'll fix it by March 3rd") == [
        ("we", "ME"),
        ("will", "FUT"),
        ("fix", "DELIVER"),
        ("it", ""),
        ("by", ""),
        ("DATE", "DATE"),
    ]
    assert kinds("Legal won't approve")[1:] == [("will", "FUT"), ("not", "NEG"), ("approve", "")]
    assert ("going", "FUT") in kinds("our vendor is going to replace it")
    assert ("vendor", "PARTY") in kinds("our vendor is going to replace it")
    assert kinds("ask Priya")[1] == ("priya", "NAME")  # a capital inside the sentence
    assert kinds("Priya asked")[0] == ("priya", "")  # not at its start
    assert kinds("in 48 hrs or next week, then tmrw and 4/12") == [
        ("DATE", "DATE"), ("or", ""), ("DATE", "DATE"), ("then", ""),
        ("DATE", "DATE"), ("and", ""), ("DATE", "DATE"),
    ]  # fmt: skip


def test_a_date_is_one_word_whatever_day_it_names() -> None:
    """Which day a promise names says nothing about the promise: the features of "by
    Thursday 3 December" and "by Friday 4 December" are the same."""
    thursday = classify.features("By Thursday 3 December: send the plan.")
    friday = classify.features("By Friday 4 December: send the plan.")
    assert [name for name, _ in thursday] == [name for name, _ in friday]
    assert kinds("at 4pm tomorrow, the 12th")[1] == ("DATE", "DATE")  # one date, one word


def test_shouting_is_its_own_word_and_a_sentence_flag() -> None:
    loud = dict(classify.features("this is URGENT NOW"))
    quiet = dict(classify.features("this is urgent now"))
    assert "u:URGENT" in loud and "u:urgent" in quiet and "u:urgent" not in loud
    assert "s:SHOUT" in loud and "s:SHOUT" not in quiet
    assert "s:QUESTION" in dict(classify.features("Will it be ready by Friday?"))


def test_features_are_unique_and_carry_the_offset_of_their_word() -> None:
    found = classify.features("Engineering broke it, engineering broke it", offset=100)
    names = [name for name, _ in found]
    assert len(names) == len(set(names))
    where = dict(found)
    assert where["u:broke"] == 112 and where["b:engineering broke"] == 100
    assert where["s:PARTY"] == -1  # a feature of the whole sentence
    assert where["a:PARTY FAULT"] == 100 and where["k:PARTY>FAULT"] == 100


def test_a_words_spelling_is_the_same_from_the_table_as_made_afresh() -> None:
    text = "Priya won't ship it. ask Priya, she'll ship it by Friday!!"
    warm = classify.features(text, offset=5)
    classify._SPELLED.clear()
    assert classify.features(text, offset=5) == warm
    assert kinds(text)[0] == ("priya", "") and ("priya", "NAME") in kinds(text)


def acting(text: str) -> list[str]:
    return [name for name, _ in classify.features(text) if name.startswith("g:")]


@pytest.mark.parametrize(
    ("text", "who", "how"),
    [
        ("Tomas drives the cabins to the arena tonight.", "FIRST", "NOW"),
        ("magda prints your aprons tmrw morning", "FIRST", "NOW"),  # a chat's lower case
        ("Our design studio is redoing all 48 files.", "OUR", "ING"),
        ("Anna from our support desk is running the update on Wednesday.", "PARTY", "ING"),
        ("Hana's going to relabel the whole lot tonight.", "FIRST", "FUT"),
        ("The pallets are packed, and Kenny will drive them up on Monday.", "NAME", "FUT"),
        ("Tomorrow our logistics team ships them.", "PARTY", "NOW"),
        ("Jonah's crew are fitting the panels.", "PARTY", "ING"),
        ("Legal has approved the wording.", "PARTY", "PERF"),
        ("Our Osaka distributor packed the wrong boxes.", "NAME", "PAST"),
    ],
)
def test_who_acts_in_a_sentence_and_how_are_features(text: str, who: str, how: str) -> None:
    """Someone else's work is promised in words no list holds ("our design studio is
    redoing the files"): the subject of a clause and its verb group carry it."""
    assert acting(text) == [f"g:{how}", f"g:{who}&{how}"]
    assert "s:AGENT" in dict(classify.features(text))


@pytest.mark.parametrize(
    "text",
    [
        "We will ship it on Monday.",  # our own work
        "I'm redoing the files tonight.",
        "Kind regards,",  # a plural, not a verb
        "For our records: the cause was an expired certificate.",
        "Both prices include installation.",
        "They will call you.",  # a pronoun: word classes carry it already
        "The fix ships Monday.",  # a thing, not a party
    ],
)
def test_no_one_else_acts_in_these(text: str) -> None:
    assert acting(text) == []


def test_a_model_of_the_features_before_who_acts_is_still_read(tmp_path) -> None:
    """Version 4 only adds features to version 3: a version-3 model has no weight for
    them, so it scores every sentence as it did. Any other version is refused."""
    table = {"u:drives": [1.5] * len(RULES)}
    model = classify.load(write_model(tmp_path / "m.json", table, features=3), RULES)
    sentence = classify.features("Kenny drives the van up on Monday.")
    assert "g:NOW" in dict(sentence)
    assert classify.scores(model, sentence)[0][0] == pytest.approx(-1.0 + 1.5)
    with pytest.raises(PlaybookError, match="features version 3 or 4 only"):
        classify.load(write_model(tmp_path / "old.json", table, features=2), RULES)


# --- scores and findings ------------------------------------------------------------------------


def test_a_sentence_scores_the_sum_of_its_weights_at_its_strongest_word(tmp_path) -> None:
    path = write_model(tmp_path / "m.json", blame_only({"u:vendor": 0.75, "u:broke": 1.5}))
    model = classify.load(path, RULES)
    sentence = classify.features("The vendor broke it", offset=10)
    total, at = classify.scores(model, sentence)[0]
    assert total == pytest.approx(-1.0 + 0.75 + 1.5)
    assert at == 10 + len("The vendor ")
    assert classify.scores(model, sentence)[1] == (-1.0, -1)  # no weight for over_promise


def test_model_findings_look_like_rule_findings(book: Playbook, tmp_path) -> None:
    path = write_model(
        tmp_path / "m.json", blame_only({"u:courier": 1.0, "u:squashed": 2.0, "u:parcel": 0.5})
    )
    text = (
        "Hi Sam,\nThanks for waiting.\nThe courier squashed the parcel, the courier squashed it.\n"
    )
    rules_only = lint(text, dataclasses.replace(book.lint, model=None))
    assert rules_only == []  # the patterns do not know "squashed"
    found = lint(text, with_model(book, path))
    rule = next(r for r in book.lint.rules if r.id == "blame")
    assert len(found) == 1  # one finding a rule a sentence, however many words weigh
    finding = found[0]
    assert (finding.line, finding.column, finding.rule) == (3, 13, "blame")
    assert finding.message == rule.message and finding.suggestion == rule.suggestion
    assert finding.severity == rule.severity
    assert finding.excerpt == "The courier squashed the parcel, the courier squashed it."
    assert lint(text, with_model(book, path), only={"over_promise"}) == []


def test_a_sentence_met_again_is_found_again_where_it_stands(book: Playbook, tmp_path) -> None:
    path = write_model(tmp_path / "m.json", blame_only({"u:courier": 1.0, "u:squashed": 2.0}))
    text = "The courier squashed it.\nAll fine here.\n  The courier squashed it.\n"
    found = lint(text, with_model(book, path))
    assert [(f.line, f.column, f.excerpt) for f in found] == [
        (1, 13, "The courier squashed it."),
        (3, 15, "The courier squashed it."),
    ]


def test_where_the_pattern_fired_its_finding_is_kept(book: Playbook, tmp_path) -> None:
    path = write_model(tmp_path / "m.json", blame_only({"u:engineering": 5.0}))
    text = "Engineering dropped the ball on this one."
    by_rules = lint(text, dataclasses.replace(book.lint, model=None))
    assert [f.rule for f in by_rules] == ["blame"]
    assert lint(text, with_model(book, path)) == by_rules


def test_a_pattern_finding_the_model_vetoes_is_dropped(book: Playbook, tmp_path) -> None:
    rules_only = dataclasses.replace(book.lint, model=None)
    text = "Engineering dropped the ball on this one.\nThe vendor dropped the ball too.\n"
    by_rules = lint(text, rules_only)
    assert [(f.rule, f.line) for f in by_rules] == [("blame", 1), ("blame", 2)]
    table = blame_only({"u:engineering": -9.0})  # bias -1: "Engineering ..." scores -10
    digests = [classify.rule_digest(rule, book.lint.classes) for rule in book.lint.rules[:5]]
    assert [rule.id for rule in book.lint.rules[:5]] == RULES
    for veto, kept in ((-5.0, [2]), (-10.0, [1, 2]), (-20.0, [1, 2])):
        path = write_model(tmp_path / "m.json", table, veto=[veto] + [-50.0] * 4, veto_for=digests)
        found = lint(text, with_model(book, path))
        assert [f.line for f in found] == kept, veto  # the score must be below the veto
        assert found == [f for f in by_rules if f.line in kept]  # the kept ones unchanged
    path = write_model(tmp_path / "none.json", table)  # no `veto`: nothing is dropped
    assert lint(text, with_model(book, path)) == by_rules
    path = write_model(tmp_path / "other.json", table, veto=[-50.0] + [-5.0] * 4, veto_for=digests)
    assert lint(text, with_model(book, path)) == by_rules  # another rule's veto
    # a rule whose matching was edited since the veto was tuned keeps its findings; one
    # only reworded (message, suggestion, severity, rewrites) keeps its veto
    path = write_model(tmp_path / "m.json", table, veto=[-5.0] + [-50.0] * 4, veto_for=digests)
    blame = book.lint.rules[0]
    reworded = dataclasses.replace(
        blame, message="Blames someone.", suggestion="Own it.", severity="info", swap={"x": "y"}
    )
    edited = dataclasses.replace(blame, unless=(*blame.unless, r"\bnever\s+mind\b"))
    for rule, kept in ((reworded, [2]), (edited, [1, 2])):
        coach = toy_coach(book.lint, path, rules=(rule, *book.lint.rules[1:]))
        assert [f.line for f in lint(text, coach)] == kept, rule
    # a word class the rule names, edited, drops the veto; one it does not name leaves it
    classes = book.lint.classes
    for other_classes, kept in (
        ({**classes, "extra": ("word",)}, [2]),
        ({**classes, "bad": (*classes["bad"], "kerfuffle")}, [1, 2]),
    ):
        coach = toy_coach(book.lint, path, classes=other_classes)
        assert [f.line for f in lint(text, coach)] == kept, other_classes.keys() - classes.keys()


def test_the_digest_leaves_out_exactly_the_fields_that_do_not_decide_where_a_rule_fires() -> None:
    """A field added to lint rules later must be sorted into one side or the other.
    (`second_look` is on the model's side: the patterns the vetoes were tuned on are the
    same whatever it is.)"""
    from escalate_cli.playbook import LintRule

    wording = {"message", "suggestion", "severity", "swap", "rewrite"}
    wording |= {"second_look", "second_look_with"}
    fields = {field.name for field in dataclasses.fields(LintRule)}
    assert set(classify.MATCHING) | wording == fields
    assert not set(classify.MATCHING) & wording


def test_a_rule_given_more_exceptions_keeps_its_veto(book: Playbook, tmp_path) -> None:
    """An exception only clears sentences, so the veto still fits what the rule has left,
    and so does a phrase or pattern added (their findings are the team's: next test); a
    rule edited any other way, or with an exception or pattern taken away or changed
    (through a word class it names), keeps all its findings."""
    text = "Engineering dropped the ball on this one.\nThe vendor dropped the ball too.\n"
    blame = book.lint.rules[0]
    tuned = dataclasses.replace(blame, unless=(*blame.unless, r"\b(?:{excuse})\b"))
    classes = {**book.lint.classes, "excuse": ("never mind",)}
    rules = (tuned, *book.lint.rules[1:5])
    parts = [classify.parts_digest(rule, classes) for rule in rules]
    path = write_model(
        tmp_path / "m.json",
        blame_only({"u:engineering": -9.0}),
        veto=[-5.0] + [-50.0] * 4,
        veto_for=[classify.rule_digest(rule, classes) for rule in rules],
        veto_parts=[[core, sorted(exceptions)] for core, exceptions in parts],
    )
    edited_class = {**classes, "excuse": ("never mind", "no matter")}
    culprit = {**classes, "culprit": (*classes["culprit"], "gremlins")}  # patterns name it
    last = tuned.patterns[-1]
    for rule, words, kept in (
        (tuned, classes, [2]),
        (dataclasses.replace(tuned, unless=(*tuned.unless, r"\bas\s+usual\b")), classes, [2]),
        (dataclasses.replace(tuned, unless_before=(r"\bif\s+",)), classes, [2]),
        (dataclasses.replace(tuned, unless=tuned.unless[1:]), classes, [1, 2]),
        (  # the same words, moved to another kind of exception: an edit, not an addition
            dataclasses.replace(tuned, unless=tuned.unless[:-1], unless_inside=tuned.unless[-1:]),
            classes,
            [1, 2],
        ),
        (dataclasses.replace(tuned, patterns=(*tuned.patterns, r"\bfumbled\b")), classes, [2]),
        (dataclasses.replace(tuned, phrases=(*tuned.phrases, "fumbled it")), classes, [2]),
        (dataclasses.replace(tuned, patterns=tuned.patterns[1:]), classes, [1, 2]),
        (  # a pattern changed, not added
            dataclasses.replace(tuned, patterns=(tuned.patterns[0] + "x", *tuned.patterns[1:])),
            classes,
            [1, 2],
        ),
        (dataclasses.replace(tuned, case_sensitive=not tuned.case_sensitive), classes, [1, 2]),
        (tuned, edited_class, [1, 2]),
        (tuned, culprit, [1, 2]),
        (dataclasses.replace(tuned, phrases=tuned.phrases[1:]), classes, [1, 2]),
        (dataclasses.replace(tuned, quoted=not tuned.quoted), classes, [1, 2]),
        (dataclasses.replace(tuned, requires=(*tuned.requires, r"\bxyzzy\b")), classes, [1, 2]),
        (  # a pattern moved to an exception
            dataclasses.replace(tuned, patterns=tuned.patterns[:-1], unless_inside=(last,)),
            classes,
            [1, 2],
        ),
        # the same patterns in another order, or one twice, fire where they did
        (dataclasses.replace(tuned, patterns=tuned.patterns[::-1]), classes, [2]),
        (dataclasses.replace(tuned, patterns=(*tuned.patterns, last)), classes, [2]),
    ):
        coach = toy_coach(book.lint, path, rules=(rule, *book.lint.rules[1:]), classes=words)
        assert [f.line for f in lint(text, coach)] == kept, (rule.unless, words["excuse"])


def test_a_pattern_added_since_the_model_was_trained_keeps_the_veto_and_is_never_vetoed(
    book: Playbook, tmp_path
) -> None:
    """The veto still drops the trained patterns' findings in sentences the model all but
    rules out, but what the added pattern finds is the team's own, as their phrases are:
    a sentence it matches keeps its finding however low the model scores it."""
    text = (
        "Engineering dropped the ball on this one.\n"
        "The vendor dropped the ball too.\n"
        "Engineering made a hash of the cutover and it broke.\n"
    )
    blame = book.lint.rules[0]
    rules = book.lint.rules[:5]
    path = write_model(
        tmp_path / "m.json",
        blame_only({"u:engineering": -9.0}),
        veto=[-5.0] + [-50.0] * 4,
        veto_for=[classify.rule_digest(rule, book.lint.classes) for rule in rules],
        veto_parts=[
            [core, sorted(parts)]
            for core, parts in (classify.parts_digest(rule, book.lint.classes) for rule in rules)
        ],
    )
    hash_of = r"\bmade\s+a\s+hash\s+of\b"
    added = dataclasses.replace(blame, patterns=(blame.patterns[0], hash_of, *blame.patterns[1:]))
    for rule, kept in ((blame, [2]), (added, [2, 3])):
        coach = toy_coach(book.lint, path, rules=(rule, *book.lint.rules[1:]))
        assert [f.line for f in lint(text, coach)] == kept, rule.patterns[1]
    model = classify.load(path, RULES)
    assert classify.veto(model, added, book.lint.classes) == (0, -5.0, frozenset({1}))
    assert classify.tuned_rule(model, added, book.lint.classes) == blame
    # a sentence the added pattern matches keeps its finding, a trained one matching first
    both = "Engineering dropped the ball and made a hash of the cutover.\n"
    coach = toy_coach(book.lint, path, rules=(added, *book.lint.rules[1:]))
    assert [f.rule for f in lint(both, coach)] == ["blame"]


def test_a_rule_without_phrases_given_a_pattern_and_a_first_phrase_keeps_its_veto(
    book: Playbook, tmp_path
) -> None:
    """`others_work` has no phrases: its added pattern is found at the right place among
    the rule's compiled finds whether or not the team also gives it a first phrase, and
    the rule as tuned leaves both out."""
    others = next(rule for rule in book.lint.rules if rule.id == "others_work")
    assert not others.phrases
    rules = book.lint.rules[:5]
    column = [rule.id for rule in rules].index("others_work")
    vetoes = [-50.0] * 5
    vetoes[column] = -5.0
    table = {"u:engineering": [-9.0 if at == column else 0.0 for at in range(5)]}
    path = write_model(
        tmp_path / "m.json",
        table,
        veto=vetoes,
        veto_for=[classify.rule_digest(rule, book.lint.classes) for rule in rules],
        veto_parts=[
            [core, sorted(parts)]
            for core, parts in (classify.parts_digest(rule, book.lint.classes) for rule in rules)
        ],
    )
    text = (
        "Engineering will fix it tomorrow.\n"
        "The vendor will fix it tomorrow.\n"
        "Engineering has pledged to repaint the hall.\n"
        "Engineering is on the hook for it.\n"
    )
    pledged = dataclasses.replace(others, patterns=(*others.patterns, r"\bhas\s+pledged\s+to\b"))
    phrased = dataclasses.replace(pledged, phrases=("on the hook",))
    model = classify.load(path, RULES)
    for rule, kept in ((others, [2]), (pledged, [2, 3]), (phrased, [2, 3, 4])):
        coach = toy_coach(
            book.lint,
            path,
            rules=tuple(rule if r.id == "others_work" else r for r in book.lint.rules),
        )
        found = [f.line for f in lint(text, coach) if f.rule == "others_work"]
        assert found == kept, rule.phrases
        assert classify.tuned_rule(model, rule, book.lint.classes) == others


def test_a_model_from_the_first_veto_parts_keeps_its_vetoes_for_more_exceptions(
    book: Playbook, tmp_path
) -> None:
    """escalate wrote `veto_parts` on Dec 5 with a core over the patterns and the
    exceptions alone as parts: a rule given more exceptions keeps its veto there, one
    given a pattern does not (those parts did not say which patterns were tuned)."""
    classes = book.lint.classes
    rules = book.lint.rules[:5]

    def first(rule: Any) -> list[Any]:
        core = {n: getattr(rule, n) for n in classify.MATCHING if n not in classify.EXCEPTIONS}
        named = classify._named((*rule.patterns, *rule.requires), classes)
        exceptions = [
            classify._sha256([field, pattern, classify._named([pattern], classes)])
            for field in classify.EXCEPTIONS
            for pattern in getattr(rule, field)
        ]
        return [classify._sha256([core, named]), sorted(exceptions)]

    path = write_model(
        tmp_path / "m.json",
        blame_only({"u:engineering": -9.0}),
        veto=[-5.0] + [-50.0] * 4,
        veto_for=[classify.rule_digest(rule, classes) for rule in rules],
        veto_parts=[first(rule) for rule in rules],
    )
    model = classify.load(path, RULES)
    blame = rules[0]
    stricter = dataclasses.replace(blame, unless=(*blame.unless, r"\bnever\s+mind\b"))
    assert classify.veto(model, stricter, classes) == (0, -5.0, frozenset())
    assert classify.tuned_rule(model, stricter, classes) == stricter
    wider = dataclasses.replace(blame, patterns=(*blame.patterns, r"\bfumbled\b"))
    assert classify.veto(model, wider, classes) is None


def test_a_model_from_before_the_matching_digest_keeps_its_vetoes(tmp_path) -> None:
    """An earlier escalate recorded a digest of every field of the rule: a team's model
    trained then keeps its vetoes as long as its playbook is unchanged."""
    from escalate_cli.playbook import LintRule

    rule = LintRule(
        id="blame",
        message="Blames.",
        suggestion="Own it.",
        patterns=(r"\bdropped\s+the\s+ball\b",),
        swap={"x": "y"},
    )
    classes = {"party": ("vendor",)}
    before = "2ef6034d086015e0"  # what escalate at commit 1c22abe recorded for this rule
    for veto_for, applies in ((before, True), (classify.rule_digest(rule, classes), True)):
        path = write_model(
            tmp_path / "m.json", blame_only({}), veto=[-5.0] + [-50.0] * 4, veto_for=[veto_for] * 5
        )
        model = classify.load(path, RULES)
        assert (classify.veto(model, rule, classes) is not None) is applies
    reworded = dataclasses.replace(rule, message="Points a finger.")
    assert classify.veto(model, reworded, classes) is not None  # the new digest ignores it
    path = write_model(
        tmp_path / "m.json", blame_only({}), veto=[-5.0] + [-50.0] * 4, veto_for=[before] * 5
    )
    model = classify.load(path, RULES)
    assert classify.veto(model, reworded, classes) is None  # the old one covered it


def test_a_sentence_the_model_flags_for_any_rule_is_not_vetoed(book: Playbook, tmp_path) -> None:
    """A veto is for plain sentences: where another rule's score reaches its threshold,
    that risk's words pull this rule's score down, so the pattern's finding stays."""
    text = "Engineering dropped the ball on this one.\n"
    digests = [classify.rule_digest(rule, book.lint.classes) for rule in book.lint.rules[:5]]
    veto = {"veto": [-5.0] + [-50.0] * 4, "veto_for": digests}
    plain = write_model(tmp_path / "plain.json", blame_only({"u:engineering": -9.0}), **veto)
    assert lint(text, with_model(book, plain)) == []  # blame scores -10: vetoed
    table = {"u:engineering": [-9.0, 0.0, 0.0, 5.0, 0.0]}  # and others_work scores 4
    flagged = write_model(tmp_path / "flagged.json", table, **veto)
    found = lint(text, with_model(book, flagged))
    assert sorted((f.rule, f.line) for f in found) == [("blame", 1), ("others_work", 1)]


def test_no_rewrite_is_offered_that_the_model_would_still_flag(book: Playbook, tmp_path) -> None:
    """Taking "I guarantee it" off "The fix will hold this time" leaves a promise the
    patterns let pass; a model that flags it for `over_promise` takes the rewrite back, and
    the advice is given alone."""
    text = "The fix will hold this time, I guarantee it."
    rules_only = lint(text, dataclasses.replace(book.lint, model=None))
    assert [f.suggestion[:35] for f in rules_only] == ['Try: "The fix will hold this time."']
    quiet = write_model(tmp_path / "quiet.json", {"u:hold": [0.0] * 5})
    assert lint(text, with_model(book, quiet)) == rules_only
    wary = write_model(tmp_path / "wary.json", {"u:hold": [0.0, 5.0, 0.0, 0.0, 0.0]})
    (found,) = lint(text, with_model(book, wary))
    assert found.rule == "over_promise"
    assert found.suggestion == rules_only[0].suggestion.split('" ', 1)[1]  # advice alone
    shipped = lint(
        "Nothing like this will ever happen on our platform again, I promise.", book.lint
    )
    assert [f.suggestion.startswith("Try:") for f in shipped] == [False]


def test_a_sentence_the_rules_unless_clears_is_not_flagged_by_the_model(
    book: Playbook, tmp_path
) -> None:
    """The playbook's exceptions hold for the model too: a hedge, a question or a routine
    is not the risk, whoever would flag it, and one a team adds takes effect at once."""
    table = {"u:patch": [0.0, 0.0, 5.0, 0.0, 0.0]}  # eta_no_buffer scores 4 for any "patch"
    coach = with_model(book, write_model(tmp_path / "m.json", table))
    text = "The patch lands soon.\nHopefully the patch lands soon.\nDoes the patch land soon?\n"
    found = lint(text, coach)
    assert [(f.rule, f.line) for f in found] == [("eta_no_buffer", 1)]
    eta = next(rule for rule in coach.rules if rule.id == "eta_no_buffer")
    stricter = dataclasses.replace(eta, unless=(*eta.unless, r"\blands\s+soon\b"))
    edited = tuple(stricter if rule is eta else rule for rule in coach.rules)
    assert lint(text, dataclasses.replace(coach, rules=edited)) == []


def test_the_shipped_models_vetoes_are_for_the_bundled_rules(book: Playbook) -> None:
    """Every veto applies, recorded for the rule as it was tuned (a bundled rule given a
    phrase or pattern since keeps it unvetoed: `classify.tuned_rule`)."""
    model = classify.load(Path(book.lint.model or ""), [r.id for r in book.lint.rules])
    assert model.veto is not None
    rules = {rule.id: rule for rule in book.lint.rules}
    tuned = [classify.tuned_rule(model, rules[rule], book.lint.classes) for rule in model.rules]
    assert None not in tuned
    digests = [classify.rule_digest(rule, book.lint.classes) for rule in tuned if rule]
    assert list(model.veto_for) == digests
    parts = [classify.parts_digest(rule, book.lint.classes) for rule in tuned if rule]
    assert list(model.veto_parts) == parts
    text = "Engineering dropped the ball on this one. I guarantee it ships Friday."
    assert {f.rule for f in lint(text, book.lint)} >= {"blame", "over_promise", "eta_no_buffer"}


def test_quoted_and_reported_words_are_not_scored(book: Playbook, tmp_path) -> None:
    path = write_model(tmp_path / "m.json", blame_only({"u:wrecked": 3.0}))
    coach = with_model(book, path)
    assert lint('Their email said "the courier wrecked it".', coach) == []
    assert lint("They told us the courier wrecked it.", coach) == []
    assert [f.rule for f in lint("The courier wrecked it.", coach)] == ["blame"]


def test_a_draft_is_split_once_for_rules_and_model(tmp_path) -> None:
    path = write_model(tmp_path / "m.json", blame_only({"u:wrecked": 3.0}))
    draft = Draft("Fine. The courier wrecked it! Fine again.")
    hits = classify.hits(draft, classify.load(path, RULES))
    assert [(h.rule, h.sentence) for h in hits] == [("blame", 1)]


# --- the model file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ({"rules": [*RULES[:4], "shouting"]}, "rules: shouting", "names no lint rule"),
        ({"bias": [0.0, 1.0]}, "bias", "must be a list of 5 finite numbers"),
        ({"threshold": [1e400] * 5}, "threshold", "finite"),
        ({"weights": [0, 0, 1, 0, 0]}, "weights", "must be a string (base64)"),
        ({"weights": "AAAA!AAA"}, "weights", "not valid base64"),
        ({"weights": classify.encode_weights([[0, 0]])}, "weights", "one for each name and rule"),
        ({"names": ["u:x", 7]}, "names", "must be a list of feature names"),
        ({"names": ["u:" + "x" * 300]}, "names", "longer than 200 characters"),
        (
            {"names": ["u:x", "u:x"], "weights": classify.encode_weights([[0] * 5] * 2)},
            "names",
            "names 'u:x' twice",
        ),
        ({"features": 99}, "features", "features version"),
        ({"format": 3}, "format", "expected 2 (or 1, an earlier escalate's)"),
        ({"extra": 1}, "extra", "unknown field"),
        ({"veto": [-1.0] * 4, "veto_for": ["a"] * 5}, "veto", "a list of 5 finite numbers"),
        ({"veto": [-1.0, float("inf"), -1, -1, -1], "veto_for": ["a"] * 5}, "veto", "finite"),
        ({"veto": [-1.0, 2.0, -1, -1, -1], "veto_for": ["a"] * 5}, "veto", "at most its thr"),
        ({"veto": [-1.0] * 5}, "veto_for", "must be a list of 5 rule digests"),
        ({"veto": [-1.0] * 5, "veto_for": ["a", 1, "b", "c", "d"]}, "veto_for", "rule digests"),
        ({"veto_parts": [["a", []]] * 4}, "veto_parts", "a list of 5 [core digest, [par"),
        ({"veto_parts": [["a", ["b", 2]]] * 5}, "veto_parts", "[part digests]] pairs"),
        ({"veto_parts": [["a", "b"]] * 5}, "veto_parts", "[part digests]] pairs"),
        ({"veto_parts": {"blame": ["a", []]}}, "veto_parts", "[part digests]] pairs"),
        ({"veto_parts": [[1, []]] * 5}, "veto_parts", "[part digests]] pairs"),
    ],
)
def test_a_bad_model_names_the_file_and_the_field(tmp_path, change, where, problem) -> None:
    path = write_model(tmp_path / "m.json", {"u:x": [0, 0, 1, 0, 0]}, **change)
    with pytest.raises(PlaybookError) as caught:
        classify.load(path, [*RULES, "inflated_urgency"])
    assert caught.value.message.startswith(f"{path}: {where}: ")
    assert problem in caught.value.message
    assert "train_lint_model.py" in (caught.value.hint or "")


def write_format_1(path: Path, table: dict[str, object]) -> Path:
    """A model as an earlier escalate's trainer wrote it: a list of weights per feature."""
    data = json.loads(write_model(path, {}).read_text())
    del data["names"]
    path.write_text(json.dumps({**data, "format": 1, "weights": table}))
    return path


def test_a_format_1_model_is_read_and_converts_to_the_same_model(tmp_path) -> None:
    """A team's model from an earlier escalate works as it is, each weight to the
    thousandth, and the trainer's --convert rewrites it as the same model, quicker to read."""
    table = {"u:x": [0.25, -1.5, 0.0, 2.0, 0.001], "u:y": [0.0, 0.0, -0.75, 0.0, 0.0004]}
    old = write_format_1(tmp_path / "old.json", table)
    model = classify.load(old, RULES)
    assert model.weights("u:x") == (0.25, -1.5, 0.0, 2.0, 0.001)
    assert model.weights("u:y") == (0.0, 0.0, -0.75, 0.0, 0.0)  # to the thousandth
    assert load_trainer().main(["--convert", str(old)]) == 0
    assert json.loads(old.read_text())["format"] == 2
    classify._CACHE.clear()
    assert classify.load(old, RULES) == model


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"u:a": [0, 0, 0, 0, 0, 0], "u:b": [2.0, 0, 0, 0]}, "weights['u:a']: must be a list of 5"),
        ({"u:a": [0, 0, 40.0, 0, 0]}, "each between -32.767 and 32.767"),
        ({"u:a": [0, 0, float("nan"), 0, 0]}, "weights['u:a']"),
        ({"u:a": [0, "1", 0, 0, 0]}, "weights['u:a']"),
        ([[0, 0, 0, 0, 0]], "weights: must be an object"),
    ],
)
def test_a_bad_format_1_model_is_named_and_never_converted(tmp_path, table, problem) -> None:
    old = write_format_1(tmp_path / "old.json", table)
    before = old.read_text()
    with pytest.raises(PlaybookError, match=re.escape(problem)):
        classify.load(old, RULES)
    with pytest.raises(SystemExit, match=re.escape(problem)):
        load_trainer().main(["--convert", str(old)])
    assert old.read_text() == before


def test_weights_are_little_endian_thousandths_in_base64() -> None:
    """The layout is fixed, whatever the machine: 1 and -0.002 are e8 03 and fe ff."""
    assert classify.encode_weights([[1, -0.002]]) == "6AP+/w=="
    with pytest.raises(ValueError, match="beyond"):
        classify.encode_weights([[32.768]])


def test_not_json_too_large_or_missing_is_named(tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": 2,\n "rules": [}', encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"broken\.json:2: not valid JSON"):
        classify.load(broken, RULES)
    huge = tmp_path / "huge.json"
    huge.write_text(" " * (classify.MAX_BYTES + 1), encoding="utf-8")
    with pytest.raises(EscalateError, match=r"huge\.json: the lint model is larger than"):
        classify.load(huge, RULES)
    with pytest.raises(EscalateError, match=r"gone\.json: no such lint model"):
        classify.load(tmp_path / "gone.json", RULES)
    partial = write_model(tmp_path / "partial.json", {})
    data = json.loads(partial.read_text())
    del data["weights"]
    partial.write_text(json.dumps(data))
    with pytest.raises(PlaybookError, match=r"partial\.json: missing field `weights`"):
        classify.load(partial, RULES)


def own_playbook(tmp_path: Path, model_line: str) -> Path:
    """The bundled playbook with its `model:` line replaced."""
    text = bundled_path().read_text(encoding="utf-8")
    assert "  model: default.lint-model.json\n" in text
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace("  model: default.lint-model.json\n", model_line))
    return path


def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed(), *argv], input=stdin, capture_output=True, text=True, check=False, timeout=120
    )


def test_a_bad_model_is_exit_2_in_the_tools_error_style(tmp_path) -> None:
    write_model(tmp_path / "bad.json", {"u:x": [0, 0, 1, 0, 0]}, rules=[*RULES[:4], "shouting"])
    playbook = own_playbook(tmp_path, "  model: bad.json\n")
    for argv in (["lint", "--playbook", str(playbook)], ["playbook", "validate", str(playbook)]):
        result = run(*argv, stdin="Fine.\n")
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(
            f"escalate: error: {tmp_path / 'bad.json'}: rules: shouting"
        )
        assert "hint: retrain it" in result.stderr and "Traceback" not in result.stderr


def test_without_the_key_the_rules_work_alone_and_a_copy_keeps_the_bundled_model(
    tmp_path,
) -> None:
    sentence = "The courier squashed the parcel on the way over.\n"  # the patterns miss it
    alone = run("lint", "--playbook", str(own_playbook(tmp_path, "")), "--format", "json", "-",
                stdin=sentence)  # fmt: skip
    assert alone.returncode == 0 and json.loads(alone.stdout) == []
    copy = tmp_path / "copy.yaml"
    copy.write_text(bundled_path().read_text(encoding="utf-8"))
    ok = run("playbook", "validate", str(copy))
    assert ok.returncode == 0 and "a lint model" in ok.stdout


def test_escalate_lint_catches_what_the_patterns_miss(book: Playbook) -> None:
    text = "Hi Ana,\n\nThe warehouse team mixed up the labels again.\n"
    rules_only = dataclasses.replace(book.lint, model=None)
    assert lint(text, rules_only) == []
    result = run("lint", "--format", "json", "-", stdin=text)
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)
    assert [(f["rule"], f["line"]) for f in found] == [("blame", 3)]
    assert found[0]["column"] > 1 and "ownership" in found[0]["suggestion"]


def test_a_draft_with_a_finding_is_read_again_for_the_other_habits(book: Playbook) -> None:
    """The shipped model scores the contractor's slip 2.3 below `blame`'s threshold: alone
    it is no finding, but in a draft that already shouts, `blame`'s second look (3.5) flags
    it, at its strongest word. A margin under 2.3, or the rule's `unless`, leaves it."""
    plain = "They left the controllers on the old firmware after the rewire.\n"
    assert lint(plain, book.lint) == []  # a draft with no finding stays clean
    shouted = plain + "We need this sorted URGENTLY!!\n"
    found = lint(shouted, book.lint)
    assert [(f.line, f.column, f.rule) for f in found] == [
        (1, 6, "blame"),  # "left"
        (2, 21, "inflated_urgency"),
    ]
    blame = next(rule for rule in book.lint.rules if rule.id == "blame")
    assert found[0].suggestion == blame.suggestion and found[0].excerpt == plain.strip()

    def with_blame(rule: LintRule) -> Lint:
        return dataclasses.replace(book.lint, rules=(rule, *book.lint.rules[1:]))

    for edited in (
        dataclasses.replace(blame, second_look=1.0),
        dataclasses.replace(blame, second_look=0.0),
        dataclasses.replace(blame, unless=(*blame.unless, r"\bold\s+firmware\b")),
    ):
        assert [f.rule for f in lint(shouted, with_blame(edited))] == ["inflated_urgency"]
    assert [f.rule for f in lint(shouted, book.lint, only={"inflated_urgency"})] == [
        "inflated_urgency"
    ]


def test_a_sentence_that_holds_a_finding_gets_no_second_look(book: Playbook) -> None:
    """Its words that scored for one rule lift the others: "And now!!!" scores below
    `blame`'s threshold on its "now" and "!!!", and is no blame. The next likeliest
    sentence within the margin is looked at instead: the shout scores 1.3 below the
    threshold, the reseller's slip 1.5 (the scores of the shipped model)."""
    found = lint("We need this ASAP, it is URGENT!!!\nAnd now!!!", book.lint)
    assert [(f.line, f.rule) for f in found] == [(1, "inflated_urgency"), (2, "inflated_urgency")]
    shout = "This is a DISASTER and nobody warned the buyers!!!\n"
    slip = "The reseller never passed our notice on.\n"
    assert lint(slip, book.lint) == []
    assert [f.rule for f in lint(shout, book.lint)] == ["inflated_urgency"]
    found = lint(shout + slip, book.lint)
    assert [(f.line, f.column, f.rule) for f in found] == [
        (1, 11, "inflated_urgency"),
        (2, 5, "blame"),  # "reseller"
    ]


def test_a_second_look_reads_a_sentence_that_holds_only_its_partners_findings(
    book: Playbook,
) -> None:
    """`inflated_urgency` names `blame` in `second_look_with`: one sentence may shout and
    blame. A sentence that also holds another rule's finding is still left alone."""
    chat = "OMG the client's sysadmin wiped the prod db"
    found = lint(chat + "\n", book.lint)
    assert [(f.rule, f.second_look) for f in found] == [
        ("inflated_urgency", True),
        ("blame", False),
    ]
    alone = tuple(dataclasses.replace(rule, second_look_with=()) for rule in book.lint.rules)
    found = lint(chat + "\n", dataclasses.replace(book.lint, rules=alone))
    assert [f.rule for f in found] == ["blame"]
    dated = chat + " and we will restore it by Friday\n"
    found = lint(dated, book.lint)
    # the shout scores within its margin here, but eta_no_buffer holds the sentence too
    assert [f.rule for f in found] == ["blame", "eta_no_buffer"]
    every = tuple(rule.id for rule in book.lint.rules if rule.id != "inflated_urgency")
    wider = tuple(
        dataclasses.replace(rule, second_look_with=every) if rule.id == "inflated_urgency" else rule
        for rule in book.lint.rules
    )
    found = lint(dated, dataclasses.replace(book.lint, rules=wider))
    assert [f.rule for f in found] == ["inflated_urgency", "blame", "eta_no_buffer"]


def test_a_promise_of_someone_elses_work_may_still_lack_a_cushion(book: Playbook) -> None:
    """`eta_no_buffer` names `others_work` in `second_look_with`: work promised for
    someone else often comes with its date, and the second look must not pass over the
    sentence because it already holds that finding (a tuning file's chat line)."""
    chat = "told Ko Thet ops will have both exposure units at his jetty by sat 👍\n"
    found = lint(chat, book.lint)
    assert [(f.rule, f.second_look) for f in found] == [
        ("others_work", False),
        ("eta_no_buffer", True),
    ]
    alone = tuple(
        dataclasses.replace(rule, second_look_with=()) if rule.id == "eta_no_buffer" else rule
        for rule in book.lint.rules
    )
    found = lint(chat, dataclasses.replace(book.lint, rules=alone))
    assert [f.rule for f in found] == ["others_work"]


def test_a_second_look_reaches_five_sentences_either_side_of_a_finding(book: Playbook) -> None:
    """In a long thread one shout must not send every rule looking through all of it."""
    from escalate_cli.lint import SECOND_LOOK_REACH

    assert SECOND_LOOK_REACH == 5

    def draft(between: int) -> str:
        agenda = "".join(f"Line {n} of the agenda covers item {n}.\n" for n in range(between))
        slip = "They left the controllers on the old firmware after the rewire.\n"
        return f"We need this sorted URGENTLY!!\n{agenda}{slip}"

    near, far = lint(draft(4), book.lint), lint(draft(5), book.lint)
    assert [(f.line, f.rule) for f in near] == [(1, "inflated_urgency"), (6, "blame")]
    assert [(f.line, f.rule) for f in far] == [(1, "inflated_urgency")]
    blank_lines = draft(4).replace("\n", "\n\n")  # counted in sentences with words
    assert [f.rule for f in lint(blank_lines, book.lint)] == ["inflated_urgency", "blame"]


def test_a_second_look_may_flag_a_sentence_the_veto_cleared(book: Playbook) -> None:
    """The veto keeps a clean draft clean; in a draft with a finding, a pattern's finding it
    dropped comes back when the model scores the sentence within the margin (2.1 below
    `eta_no_buffer`'s threshold here, its veto 2.0 below, its margin 2.5)."""
    dated = "The migration completes before the 15th.\n"
    assert lint(dated, book.lint) == []
    assert lint(dated, dataclasses.replace(book.lint, model=None)) != []  # the pattern fires
    found = lint("Engineering dropped the ball on this.\n" + dated, book.lint)
    assert [(f.line, f.rule) for f in found] == [(1, "blame"), (2, "eta_no_buffer")]


def load_trainer() -> Any:
    return load_benchmark("train_lint_model")


def test_the_trainer_vetoes_below_a_share_of_the_sentences_patterns_rightly_flag() -> None:
    trainer = load_trainer()

    def example(n: int, expect: list[str]) -> Any:
        return trainer.Example(f"m{n}", "t.yaml", frozenset(expect), [[], []], {"blame": {1}})

    right = [example(n, ["blame"]) for n in range(100)]  # the pattern fires on sentence 1
    wrong = [example(100, []), example(101, [])]  # ordinary messages it flags
    examples = right + wrong
    scores = [float(n) for n in range(100)] + [-5.0, 50.0]
    sentences = [
        {rule: [9.0, score] if rule == "blame" else [-9.0, -9.0] for rule in trainer.RULES}
        for score in scores
    ]
    three = dict.fromkeys(trainer.RULES, 0.03)
    veto = trainer.vetoes(examples, sentences, three)
    assert veto["blame"] == pytest.approx(2.5)  # 3% of 100 right ones below: 0, 1, 2
    assert veto["over_promise"] == trainer.NO_VETO  # no pattern fired for it
    kept = [trainer.kept_by_veto(e, s, veto) for e, s in zip(examples, sentences, strict=True)]
    assert [bool(k) for k in kept].count(False) == 4  # three right ones and the -5.0 alarm
    assert kept[-1] == {"blame"}  # an alarm the model scores high stays
    # a sentence one of the rule's phrases finds is kept, and does not move the veto
    listed = trainer.Example("m102", "t.yaml", frozenset(["blame"]), [[], []], {"blame": {1}})
    listed.listed["blame"] = {1}
    assert trainer.kept_by_veto(listed, sentences[100], veto) == {"blame"}
    assert trainer.vetoes([*examples, listed], [*sentences, sentences[100]], three) == veto


def test_the_trainer_vetoes_more_when_that_leaves_the_model_room_to_catch_more() -> None:
    """Patterns that alone flag more ordinary messages than the budget allows would leave
    the model no threshold; a stronger veto that costs a few right findings can buy it,
    within the rule's cap (`blame`'s keeps "Engineering dropped the ball.")."""
    trainer = load_trainer()

    def example(n: int, expect: list[str], fired: dict[str, set[int]]) -> Any:
        return trainer.Example(f"m{n}", "t.yaml", frozenset(expect), [[], []], fired)

    def tuned(rule: str) -> tuple[Any, ...]:
        def scored(vetoed: float, over: float) -> dict[str, list[float]]:
            by_rule = {rule: [-9.0, vetoed], "over_promise": [over, -9.0]}
            return {each: by_rule.get(each, [-9.0, -9.0]) for each in trainer.RULES}

        right = [(example(n, [rule], {rule: {1}}), scored(n, -9.0)) for n in range(100)]
        alarms = [(example(100 + n, [], {rule: {1}}), scored(7.0 + n, -9.0)) for n in range(5)]
        ordinary = round(3.5 / trainer.BUDGET)  # the budget allows three of them flagged
        quiet = [(example(200 + n, [], {}), scored(-9.0, -9.0)) for n in range(ordinary - 5)]
        unseen = [(example(900 + n, ["over_promise"], {}), scored(-9.0, 9.0)) for n in range(20)]
        examples, sentences = zip(*(right + alarms + quiet + unseen), strict=True)
        assert int(trainer.BUDGET * ordinary) == 3  # five pattern alarms are over the budget
        return examples, sentences, *trainer.tune(list(examples), list(sentences))

    examples, sentences, cut, veto = tuned("others_work")
    assert 5.5 < veto["others_work"] <= 9.5  # past what a 3% or 6% share sets: three go
    assert cut["over_promise"] <= 9.0  # so the model catches the 20 the patterns miss
    flagged = [
        e
        for e, s in zip(examples, sentences, strict=True)
        if not e.expect
        and (trainer.kept_by_veto(e, s, veto) or any(max(s[r]) >= cut[r] for r in cut))
    ]
    assert len(flagged) <= 3
    assert trainer.SETTINGS["veto_share_caps"] == {"blame": 0.05}
    *_, veto = tuned("blame")
    assert veto["blame"] <= 4.5  # at most 5 of the 100 right ones below it


def test_the_trainer_counts_a_sentence_the_rules_unless_clears_as_unflagged(tmp_path) -> None:
    """Its thresholds must count what the coach drops: the out-of-fold score of a sentence
    the rule's `unless` clears, where none of the rule's patterns fired, is -inf."""
    trainer = load_trainer()
    path = tmp_path / "lint_tuning_t.yaml"
    texts = ["Hopefully the patch lands Friday. The patch lands Friday.", "All good here."]
    messages = [{"id": f"m{n}", "expect": [], "text": text} for n, text in enumerate(texts)]
    path.write_text(json.dumps({"messages": messages}), encoding="utf-8")
    examples = trainer.read_examples([path], trainer.bundled_rules())
    assert examples[0].cleared["eta_no_buffer"] == {0}  # the hedged one, not the other
    assert 1 in examples[0].fired["eta_no_buffer"]
    scores = trainer.out_of_fold(examples, 2, lambda example, _k: int(example.ident[1:]))
    eta = scores[0]["eta_no_buffer"]
    assert eta[0] == -math.inf and eta[1] > -math.inf
    assert all(score > -math.inf for score in scores[0]["blame"])


def test_the_folds_trained_side_by_side_score_as_each_fold_trained_alone(tmp_path) -> None:
    """`out_of_fold` trains its folds in parallel processes; each message's scores must be
    those of a model trained, here in this process, on the other folds' messages."""
    trainer = load_trainer()
    path = tmp_path / "lint_tuning_t.yaml"
    texts = [
        ("The courier lost the parcel again.", ["blame"]),
        ("The fix ships Friday.", ["eta_no_buffer"]),
        ("Thanks for the call today.", []),
        ("Their vendor broke the build, and it lands Monday.", ["blame", "eta_no_buffer"]),
        ("We will keep you posted.", ["vague_commitment"]),
        ("All good here, see you at the review.", []),
    ]
    messages = [
        {"id": f"m{n}", "expect": expect, "text": text} for n, (text, expect) in enumerate(texts)
    ]
    path.write_text(json.dumps({"messages": messages}), encoding="utf-8")
    examples = trainer.read_examples([path], trainer.bundled_rules())
    third = lambda example, _k: int(example.ident[1:]) % 3  # noqa: E731
    scores = trainer.out_of_fold(examples, 3, third)
    for fold in range(3):
        alone = trainer.train([e for e in examples if third(e, 3) != fold])
        for index, example in enumerate(examples):
            if third(example, 3) == fold:
                for rule in trainer.RULES:
                    expected = alone.scores(example, rule)
                    cleared = example.cleared.get(rule, set())
                    got = [s for i, s in enumerate(scores[index][rule]) if i not in cleared]
                    assert got == [s for i, s in enumerate(expected) if i not in cleared]


def test_the_trainer_counts_a_kept_rules_added_pattern_as_never_vetoed(tmp_path) -> None:
    """As the coach does (`classify.Veto.added`): where a pattern added to a kept rule since
    its veto was tuned fires, the trainer's examples list it with the phrases' findings."""
    trainer = load_trainer()
    path = tmp_path / "lint_tuning_t.yaml"
    texts = ["Engineering made a hash of the cutover and it broke.", "The vendor dropped the ball."]
    messages = [{"id": f"m{n}", "expect": ["blame"], "text": text} for n, text in enumerate(texts)]
    path.write_text(json.dumps({"messages": messages}), encoding="utf-8")
    coach = trainer.bundled_rules()
    blame = coach.rules[0]
    added = dataclasses.replace(blame, patterns=(*blame.patterns, r"\bmade\s+a\s+hash\s+of\b"))
    coach = dataclasses.replace(coach, rules=(added, *coach.rules[1:]))
    for tuned, listed in (({}, [set(), set()]), ({"blame": blame}, [{0}, set()])):
        examples = trainer.read_examples([path], coach, tuned)
        assert [e.fired["blame"] for e in examples] == [{0}, {0}]
        assert [e.listed.get("blame", set()) for e in examples] == listed, tuned


def test_no_threshold_is_set_to_catch_messages_the_rules_unless_clears_throughout() -> None:
    """Such a message scores -inf for the rule (see above): no threshold can catch it, and
    -inf would not even be valid JSON in the model file."""
    trainer = load_trainer()
    hedged = [
        trainer.Example(f"m{n}", "t.yaml", frozenset(["eta_no_buffer"]), [[]], {}) for n in range(3)
    ]
    ordinary = [trainer.Example(f"o{n}", "t.yaml", frozenset(), [[]], {}) for n in range(10)]
    scores = [{rule: [-math.inf] for rule in trainer.RULES} for _ in hedged]
    scores += [{rule: [-5.0] for rule in trainer.RULES} for _ in ordinary]
    cut = trainer.thresholds([*hedged, *ordinary], scores, {}, budget=1.0)
    assert all(math.isfinite(value) for value in cut.values())


def test_cross_validation_by_file_keeps_each_writer_to_one_fold() -> None:
    trainer = load_trainer()
    names = ["lint_tuning_b.yaml", "lint_corpus.yaml", "lint_tuning.yaml", "lint_tuning_b.yaml"]
    examples = [trainer.Example(f"m{n}", name, frozenset(), [], {}) for n, name in enumerate(names)]
    fold = trainer.by_file(examples)
    assert [fold(e, 5) for e in examples] == [1, 0, 0, 1]  # the small corpus joins the first


def test_the_shipped_model_is_trained_on_the_current_tuning_files() -> None:
    trainer = load_trainer()
    recorded = json.loads(trainer.MODEL.read_text(encoding="utf-8"))["trained_on"]
    paths = trainer.tuning_files()
    assert recorded["files"] == [path.relative_to(trainer.DATA).as_posix() for path in paths]
    assert recorded["sha256"] == trainer.fingerprint(paths, trainer.bundled_rules()), (
        "playbooks/default.lint-model.json is out of date (the tuning files, the playbook's "
        "lint rules or the trainer changed); refresh it with: "
        ".venv/bin/python benchmarks/train_lint_model.py"
    )
    assert trainer.MODEL.stat().st_size < 900_000  # 59 files, words seen 14 times: 13,600 features


def test_a_brief_drafts_labels_are_not_scored_but_keep_their_places() -> None:
    text = "Proposed path: Get engineering on it ASAP.\n- Emergency: two sites down. Deal: lost."
    draft = Draft(text, labels=("Proposed path:", "Deal:"))
    assert len(draft.for_model) == len(text)
    lines = draft.for_model.split("\n")
    assert lines[0].strip() == "Get engineering on it ASAP."
    assert lines[0].index("Get") == text.index("Get")
    assert lines[1] == "- Emergency: two sites down.       lost."  # the user's words stay
    assert Draft(text).for_model == Draft(text).masked  # `escalate lint` scores every word


def test_a_kept_rule_keeps_its_threshold_and_veto_and_its_flags_count_in_the_budget() -> None:
    """Retraining one rule must not move another's findings: a kept rule's threshold and
    veto pass through, and the ordinary messages it flags leave the retrained rules less
    room."""
    trainer = load_trainer()
    ordinary = [trainer.Example(f"o{n}", "t.yaml", frozenset(), [[]], {}) for n in range(100)]
    risky = [trainer.Example(f"r{n}", "t.yaml", frozenset(["blame"]), [[]], {}) for n in range(20)]
    examples = [*ordinary, *risky]

    def scored(blame: float, over: float) -> dict[str, list[float]]:
        return {
            rule: [{"blame": blame, "over_promise": over}.get(rule, -9.0)] for rule in trainer.RULES
        }

    # blame would flag two ordinary messages to catch its 20 (all 6.0); over_promise,
    # kept at 2.0, already flags two others (3.0)
    sentences = [scored(6.0 if n < 2 else -9.0, 3.0 if n in (2, 3) else -9.0) for n in range(100)]
    sentences += [scored(6.0, -9.0) for _ in risky]
    free = trainer.thresholds(examples, sentences, {}, budget=0.04)
    assert free["blame"] <= 6.0  # within the budget on its own
    keep = trainer.Trained(
        {"over_promise": 0.0}, {"over_promise": {}}, {"over_promise": 2.0}, {"over_promise": -3.0}
    )
    cut = trainer.thresholds(examples, sentences, {}, budget=0.03, keep=keep)
    assert cut["over_promise"] == 2.0  # kept
    assert cut["blame"] == trainer.NO_RULE  # two more alarms would pass 3 of 100
    assert trainer.thresholds(examples, sentences, {}, budget=0.04, keep=keep)["blame"] == 6.0
    shares = dict.fromkeys(trainer.RULES, 0.03)
    assert trainer.vetoes(examples, sentences, shares, keep)["over_promise"] == -3.0


def test_thresholds_and_vetoes_the_settings_set_replace_a_kept_rules_own(monkeypatch) -> None:
    """`set_thresholds` and `set_vetoes` are where a kept rule's threshold or veto is moved
    on purpose: the model file holds them, and a veto never rises above its threshold."""
    trainer = load_trainer()
    coach = trainer.bundled_rules()
    model = classify.load(trainer.MODEL, trainer.RULES)
    for rule, value in trainer.SETTINGS["set_thresholds"].items():
        assert model.threshold[model.rules.index(rule)] == value, rule
    for rule, value in trainer.SETTINGS["set_vetoes"].items():
        assert trainer.read_kept(trainer.MODEL, coach).veto[rule] == value, rule
    monkeypatch.setitem(trainer.SETTINGS, "set_thresholds", {"over_promise": -5.0})
    monkeypatch.setitem(trainer.SETTINGS, "set_vetoes", {"vague_commitment": -9.0})
    keep = trainer.read_kept(trainer.MODEL, coach)
    column = model.rules.index("over_promise")
    assert model.threshold[column] != -5.0
    assert keep.cut["over_promise"] == -5.0 and keep.veto["over_promise"] <= -5.0
    assert keep.veto["vague_commitment"] == -9.0
    assert keep.cut["blame"] == model.threshold[model.rules.index("blame")]  # (its own)


def test_the_trainer_keeps_a_rule_only_while_it_fires_where_it_did(tmp_path) -> None:
    trainer = load_trainer()
    coach = trainer.bundled_rules()
    keep = trainer.read_kept(trainer.MODEL, coach)
    assert set(keep.bias) == set(trainer.SETTINGS["keep"])
    model = classify.load(trainer.MODEL, trainer.RULES)
    for rule in keep.bias:
        column = model.rules.index(rule)
        assert keep.cut[rule] == model.threshold[column] and keep.bias[rule] == model.bias[column]
        assert model.veto is not None and keep.veto[rule] == model.veto[column]
        some = next(name for name in model.names if (model.weights(name) or ())[column])
        assert keep.weights[rule][some] == (model.weights(some) or ())[column]

    def over_promise(patterns: Callable[[tuple[str, ...]], tuple[str, ...]]) -> Any:
        return dataclasses.replace(
            coach,
            rules=tuple(
                dataclasses.replace(rule, patterns=patterns(rule.patterns))
                if rule.id == "over_promise"
                else rule
                for rule in coach.rules
            ),
        )

    # a pattern added is the team's: kept, with the rule as it was tuned, without it
    added = trainer.read_kept(trainer.MODEL, over_promise(lambda p: (*p, r"\bfor\s+sure\b")))
    assert added.veto == keep.veto and added.tuned == keep.tuned
    edited = over_promise(lambda p: (p[0] + r"|\bfor\s+sure\b", *p[1:]))
    with pytest.raises(SystemExit, match="over_promise is not in it, has no veto, or was edited"):
        trainer.read_kept(trainer.MODEL, edited)
    # a model an escalate before Dec 5 wrote (digests over every word class) is kept too
    data = json.loads(trainer.MODEL.read_text(encoding="utf-8"))
    rules = {rule.id: rule for rule in coach.rules}
    data["veto_for"] = [
        classify._sha256(
            [{name: getattr(rules[rule], name) for name in classify.MATCHING}, coach.classes]
        )
        for rule in data["rules"]
    ]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    assert trainer.read_kept(older, coach).veto == keep.veto
    with pytest.raises(SystemExit, match="take it out of SETTINGS"):
        trainer.read_kept(tmp_path / "missing.json", coach)


def test_with_every_rule_kept_the_trainer_writes_the_kept_model_for_the_rules_as_they_are(
    tmp_path, monkeypatch
) -> None:
    """Nothing is trained: the weights, thresholds and vetoes are the model's own, and the
    digests are those of the rules as they were tuned: the phrases, patterns and exceptions
    added since stay the team's (a pattern's findings are never vetoed, and the team may
    later edit or drop an exception it added and keep the veto). The shipped settings
    retrain `others_work`; here every rule is kept, and the model is made to look tuned
    before others_work's last exception was added."""
    trainer = load_trainer()
    monkeypatch.setitem(trainer.SETTINGS, "keep", trainer.RULES)
    before = json.loads(trainer.MODEL.read_text(encoding="utf-8"))
    coach = trainer.bundled_rules()
    bundled = next(rule for rule in coach.rules if rule.id == "others_work")
    others = classify.tuned_rule(
        classify.load(trainer.MODEL, trainer.RULES), bundled, coach.classes
    )
    assert others is not None
    index = before["rules"].index("others_work")

    def tuned_on(rule: Any) -> Path:
        """The shipped model, as if its others_work veto had been tuned on `rule`."""
        data = dict(before, veto_for=[*before["veto_for"]], veto_parts=[*before["veto_parts"]])
        core, parts = classify.parts_digest(rule, coach.classes)
        data["veto_for"][index] = classify.rule_digest(rule, coach.classes)
        data["veto_parts"][index] = [core, sorted(parts)]
        older = tmp_path / "older.json"
        older.write_text(json.dumps(data), encoding="utf-8")
        return older

    fewer_exceptions = dataclasses.replace(others, unless=others.unless[:-1])  # one new
    older = tuned_on(fewer_exceptions)
    assert trainer.main(["--output", str(older)]) == 0
    after = json.loads(older.read_text(encoding="utf-8"))
    for field in ("rules", "names", "weights", "bias", "threshold", "veto"):
        assert after[field] == before[field], field
    assert after["veto_for"][index] == classify.rule_digest(fewer_exceptions, coach.classes)
    unchanged = [at for at in range(len(before["veto_for"])) if at != index]
    for at in unchanged:
        assert after["veto_for"][at] == before["veto_for"][at]
        assert after["veto_parts"][at] == before["veto_parts"][at]
    assert trainer.main(["--check", "--output", str(older)]) == 0
    model = classify.load(older, trainer.RULES)
    added = bundled.unless[-1]  # the last exception: added after `older` was tuned
    assert added not in fewer_exceptions.unless
    for unless in (bundled.unless[:-1], (*bundled.unless[:-1], added + r"|\bnever\s+mind\b")):
        edited = dataclasses.replace(bundled, unless=unless)
        assert classify.veto(model, edited, coach.classes) is not None, "an added one edited"
    first = dataclasses.replace(bundled, unless=(bundled.unless[0] + "|x", *bundled.unless[1:]))
    assert classify.veto(model, first, coach.classes) is None  # one it was tuned with
    fewer = dataclasses.replace(others, patterns=others.patterns[:-1])  # its last pattern new
    older = tuned_on(fewer)
    assert trainer.main(["--output", str(older)]) == 0
    after = json.loads(older.read_text(encoding="utf-8"))
    assert after["veto_for"][index] == classify.rule_digest(fewer, coach.classes)
    model = classify.load(older, trainer.RULES)
    found = classify.veto(model, bundled, coach.classes)
    new = {at for at, pattern in enumerate(bundled.patterns) if pattern not in fewer.patterns}
    assert found is not None and found.added == new and len(new) >= 1


def test_a_rule_digest_covers_the_word_classes_the_rule_names_and_no_other(book: Playbook) -> None:
    """A team that edits one word class keeps the vetoes of the rules that never use it."""
    classes = dict(book.lint.classes)
    rules = {rule.id: rule for rule in book.lint.rules}
    before = {rule: classify.rule_digest(rules[rule], classes) for rule in rules}
    assert "{deliver}" in str(rules["eta_no_buffer"].patterns)
    assert "{deliver}" not in str(rules["over_promise"].patterns)
    edited = {**classes, "deliver": (*classes["deliver"], "hand-delivered")}
    after = {rule: classify.rule_digest(rules[rule], edited) for rule in rules}
    assert after["eta_no_buffer"] != before["eta_no_buffer"]
    assert after["over_promise"] == before["over_promise"]
    # a class named through another counts too; one named only in a phrase, or the
    # `{words:N}` gap, does not
    from escalate_cli.playbook import LintRule

    rule = LintRule(id="r", message="m", suggestion="s", patterns=(r"\b{a}\s{words:2}x",))
    rule = dataclasses.replace(rule, phrases=("{c}",))
    small = {"a": ("x{b}",), "b": ("y",), "c": ("z",), "words": ("w",)}
    digest = classify.rule_digest(rule, small)
    assert classify.rule_digest(rule, {**small, "b": ("y", "yy")}) != digest
    for unnamed in ("c", "words"):
        assert classify.rule_digest(rule, {**small, unnamed: ("other",)}) == digest
    # a model trained before Dec 5 recorded the digest over every class: it still applies
    older = classify._sha256(
        [{name: getattr(rules["blame"], name) for name in classify.MATCHING}, classes]
    )
    assert older in classify._digests(rules["blame"], classes)


def test_no_veto_drops_a_finding_the_coachs_own_corpus_requires() -> None:
    """A veto tuned on other writers' wording is lowered below the final model's score of
    each corpus sentence a rule's patterns rightly flag (one its phrases find is never
    vetoed anyway); a kept rule keeps its veto."""
    trainer = load_trainer()

    def example(source: str, rule: str, word: str) -> Any:
        return trainer.Example(word, source, frozenset([rule]), [[word]], {rule: {0}})

    plain = example("lint_corpus.yaml", "blame", "u:engineering")  # scores -1 - 2 = -3
    listed = example("lint_corpus.yaml", "blame", "u:fault")
    listed.listed["blame"] = {0}
    elsewhere = example("lint_tuning.yaml", "blame", "u:vendor")
    kept_rule = example("lint_corpus.yaml", "over_promise", "u:vendor")
    bias = dict.fromkeys(trainer.RULES, -1.0)
    weights = {rule: {"u:fault": -9.0, "u:vendor": -9.0} for rule in trainer.RULES}
    weights["blame"]["u:engineering"] = -2.0
    veto = dict.fromkeys(trainer.RULES, -2.0)
    keep = trainer.Trained({"over_promise": -1.0}, {"over_promise": {}}, {}, {})
    examples = [plain, listed, elsewhere, kept_rule]
    spared = trainer.spared(examples, trainer.Trained(bias, weights), veto, keep)
    assert spared["blame"] == pytest.approx(-3.1)  # below "engineering", not "fault" or "vendor"
    assert spared["over_promise"] == -2.0 and spared["eta_no_buffer"] == -2.0


def test_training_leaves_a_kept_rules_weights_as_they_were() -> None:
    """Only the rules `keep` does not hold are fitted; a kept rule's bias and weights come
    through unchanged, whatever the data says about it."""
    trainer = load_trainer()

    def example(n: int, expect: list[str], word: str) -> Any:
        return trainer.Example(f"m{n}", "t.yaml", frozenset(expect), [[word]] * 2, {})

    data = [example(n, ["over_promise", "blame"], "u:promise") for n in range(30)]
    data += [example(100 + n, [], "u:hello") for n in range(30)]
    keep = trainer.Trained({"over_promise": -7.0}, {"over_promise": {"u:hello": 3.0}})
    model = trainer.train(data, keep)
    assert model.bias["over_promise"] == -7.0
    assert model.weights["over_promise"] == {"u:hello": 3.0}
    assert model.weights["blame"]["u:promise"] > 0  # a trained rule learns from the data
    free = trainer.train(data)
    assert free.weights["over_promise"]["u:promise"] > 0  # as the kept one would have


def quick_trainer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The trainer on sixty tuning messages, one round, two folds: quick to run end to end."""
    trainer = load_trainer()
    small = tmp_path / "lint_tuning_small.yaml"
    messages = load_benchmark("lint_eval").messages(trainer.DATA / "lint_tuning.yaml")[:60]
    small.write_text(json.dumps({"messages": messages}), encoding="utf-8")
    monkeypatch.setattr(trainer, "tuning_files", lambda: [small])
    monkeypatch.setattr(trainer, "DATA", tmp_path)
    for name, value in (("rounds", 1), ("epochs", 2), ("folds", 2), ("min_count", 2)):
        monkeypatch.setitem(trainer.SETTINGS, name, value)
    return trainer


def test_a_retrain_writes_the_kept_rules_as_the_replaced_model_had_them(
    tmp_path, monkeypatch
) -> None:
    """End to end: `main` reads the kept rules from the file it replaces and passes them to
    every step (folds, thresholds, training, the corpus guard), so the new file holds each
    kept rule's bias, threshold, veto and weights exactly, whatever the data it trained on."""
    trainer = quick_trainer(tmp_path, monkeypatch)
    output = tmp_path / "model.json"
    output.write_bytes(trainer.MODEL.read_bytes())
    retrain = ("blame", "eta_no_buffer")  # (the shipped settings keep all but `others_work`)
    kept = tuple(rule for rule in trainer.SETTINGS["keep"] if rule not in retrain)
    monkeypatch.setitem(trainer.SETTINGS, "keep", kept)
    assert trainer.main(["--output", str(output)]) == 0
    before = classify.load(trainer.MODEL, trainer.RULES)
    after = classify.load(output, trainer.RULES)
    assert after.veto is not None and before.veto is not None
    for rule in trainer.SETTINGS["keep"]:
        column = trainer.RULES.index(rule)
        assert after.bias[column] == before.bias[column], rule
        assert after.threshold[column] == before.threshold[column], rule
        assert after.veto[column] == before.veto[column], rule
        kept = {n: (before.weights(n) or ())[column] for n in before.names}
        assert {
            n: (after.weights(n) or [0.0] * len(trainer.RULES))[column] for n in kept
        } == kept, rule
    retrained = trainer.RULES.index("blame")
    assert after.names != before.names or after.bias[retrained] != before.bias[retrained]


def test_a_retrained_rule_still_never_vetoes_the_patterns_the_settings_spare(
    tmp_path, monkeypatch
) -> None:
    """`SETTINGS["veto_spares"]`: retraining `others_work` records it as tuned without its
    patterns for people named in lower case, so the coach never vetoes their findings
    (the eighty-fifth round's candidate, retrained without this, vetoed "bohus installs
    the new flue tue"); with no spares, a retrain records every pattern as tuned."""
    trainer = quick_trainer(tmp_path, monkeypatch)
    keep = tuple(rule for rule in trainer.RULES if rule != "others_work")
    monkeypatch.setitem(trainer.SETTINGS, "keep", keep)
    coach = trainer.bundled_rules()
    rule = next(rule for rule in coach.rules if rule.id == "others_work")
    lower = {at for at, pattern in enumerate(rule.patterns) if pattern.startswith("{lower_lead}")}
    assert len(lower) == 4
    for spares, added in (({"others_work": "{lower_lead}"}, lower), ({}, set())):
        monkeypatch.setitem(trainer.SETTINGS, "veto_spares", spares)
        output = tmp_path / "model.json"
        output.write_bytes(trainer.MODEL.read_bytes())
        assert trainer.main(["--output", str(output)]) == 0
        veto = classify.veto(classify.load(output, trainer.RULES), rule, coach.classes)
        assert veto is not None and set(veto.added) == added, spares
