"""Train the message coach's sentence classifier (classify.py) on the tuning corpora.

    .venv/bin/python benchmarks/train_lint_model.py           # playbooks/default.lint-model.json
    .venv/bin/python benchmarks/train_lint_model.py --check   # exit 1 if that model is stale
    .venv/bin/python benchmarks/train_lint_model.py --convert OLD.json  # format 1 to 2, in place

Reads every labelled file `tests/data/*tuning*.yaml` (the format of lint_eval.py: `messages:`
with `id`, `expect` and `text`; never a held-out file) and the coach's test corpus
tests/data/lint_corpus.yaml (`good` messages, `bad` ones with their `rules`); the drafts
`brief` writes (tests/data/briefs/*.golden.txt) are ordinary messages, as the tool's own
drafts must lint clean.

Labels are per message, the model scores sentences: in a message that expects rule R, the
sentences where the playbook's pattern for R fires are R's positives, or, where no pattern
fires, the sentence the model of the previous round scores highest; every sentence of a
message that does not expect R is a negative. Three rounds of logistic regression
(AdaGrad, L2), each rule on its own. Vetoes and thresholds come from the out-of-fold
scores of K-fold cross-validation on the same files, each fold made of whole files (each
file is one writer), so those scores are of wording new to the model (a sentence the
rule's `unless` clears scores -inf there, as the coach drops the model's hits in it). A rule's veto
drops a pattern's finding in a sentence the model scores below it: a share (3% to 30%,
`veto_shares`) of the sentences where the rule's patterns rightly fire (and none of its
phrases, which are never vetoed) score below it. Then each rule's threshold is lowered,
best gain first, while the share of ordinary messages flagged at all (by the patterns the
vetoes leave, or by the model) stays within `BUDGET`. Of the veto shares, the one with
which patterns and model catch most is kept; then each rule's own share (0 to 20%,
`rule_veto_shares`) is tried a rule at a time and kept where more are caught, and the same
again within `veto_share_caps`. No veto drops a finding the coach's own test corpus
requires (`spared`; where it lowers one, the thresholds are fitted to the budget
again). The rules of `SETTINGS["keep"]` are not retrained: their
bias, weights, threshold and veto come from the model file being replaced (a threshold
`SETTINGS["set_thresholds"]` names, or a veto `SETTINGS["set_vetoes"]` names, comes from
there; a veto is never above its threshold), and the
ordinary messages they flag, out of fold, count in the budget. When it lists every rule,
nothing is trained: the kept model is written again for the playbook as it is (its
rules' digests and the hash of the training files), in about a second.

Deterministic: fixed folds, fixed shuffling, rounded weights. Standard library and the
project only.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import hashlib
import json
import math
import multiprocessing
import os
import random
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

from escalate_cli import classify, playbook
from escalate_cli.lint import Draft, cleared, lint
from escalate_cli.safe_yaml import parse_document, read_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
MODEL = ROOT / "playbooks" / "default.lint-model.json"
RULES = (
    "blame",
    "over_promise",
    "eta_no_buffer",
    "others_work",
    "vague_commitment",
    "inflated_urgency",
)
SETTINGS = {
    "rounds": 3,
    "epochs": 16,
    "rate": 0.2,
    "l2": 1e-4,
    "positive_weight": 1.0,
    "min_count": 14,
    "prune": 0.5,
    "folds": 5,
    "folds_of": "whole files",  # how `main` draws the folds; recorded in the fingerprint
    "budget": 0.02,
    "veto_shares": (0.03, 0.06, 0.1, 0.15, 0.2, 0.3),
    "rule_veto_shares": (0.0, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15, 0.2),
    "sweeps": 2,
    # a wider `blame` veto drops "Engineering dropped the ball.", the plainest wording
    # the issue names (the thirtieth round's candidate failed a behaviour test on it)
    "veto_share_caps": {"blame": 0.05},
    "seed": 11,
    # rules that keep their bias, weights, threshold and veto from the model file being
    # replaced: retraining every rule for one rule's new patterns or data moves the others
    # (the thirty-eighth round's candidate lost `over_promise` findings it was not aimed
    # at). `blame` was retrained in the sixty-first round with more writers' files
    # (held-out 67 to 102 retired into tuning data), `others_work` in the sixty-fifth; the
    # seventy-second round's `others_work` patterns are added ones, so every rule is kept
    "keep": RULES,
    # kept rules whose threshold or veto is set here, not read from the model file (a rule
    # that is retrained gets them fitted instead). The seventy-ninth round chose these on
    # held-out sets 106 to 141, retired into tuning data for it: text the model was never
    # trained on, where its scores are as unsure as on a user's draft. A greedy search
    # lowered a threshold by 0.25 or a veto by a step while each step found at least two
    # more expected findings per ordinary message newly flagged (plus half a finding of a
    # rule not expected), within 1.75% of ordinary messages flagged there: 185 more
    # findings, 16 ordinary messages more flagged (1.54% to 1.74%). Shipped in the
    # eightieth round, on new sets (README)
    "set_thresholds": {"blame": 1.29, "others_work": -0.893, "eta_no_buffer": 0.218},
    "set_vetoes": {"blame": -3.106, "others_work": -2.5},
    # tuning files the model is not trained on: round 79's calibration sets (held-out 106
    # to 141, retired), kept as text the model never saw for choosing thresholds there
    "set_aside": [f"lint_tuning_h{n}.yaml" for n in range(106, 142)],
    # patterns a rule's veto never drops, kept or retrained alike (those starting with the
    # text given): the features cannot tell a name written in lower case from a word, so the
    # seventy-second round's patterns for such names are the patterns' call alone (the
    # eighty-fifth round's candidate, retrained, vetoed "bohus installs the new flue tue")
    "veto_spares": {"others_work": "{lower_lead}"},
}
BUDGET = SETTINGS["budget"]
NO_RULE = 1e6
"""The threshold of a rule the model leaves to the patterns."""
NO_VETO = -1e6


def tuning_files() -> list[Path]:
    """The tuning corpora: every tests/data file with `tuning` in its name, and the coach's
    own test corpus (lint_corpus.yaml: `good` messages and `bad` ones with their `rules`)."""
    aside = set(cast("list[str]", SETTINGS["set_aside"]))
    missing = sorted(name for name in aside if not (DATA / name).exists())
    if missing:
        raise SystemExit(f"SETTINGS['set_aside'] names no such file in {DATA}: {missing[0]}")
    tuning = [
        path
        for path in DATA.glob("*tuning*.yaml")
        if "heldout" not in path.name and "held_out" not in path.name and path.name not in aside
    ]
    drafts = DATA.glob("briefs/*.golden.txt")
    return sorted([*tuning, DATA / "lint_corpus.yaml", *drafts])


def labelled(path: Path) -> list[dict[str, object]]:
    """A file's messages as `id`, `expect` and `text`, from any of the three formats."""
    if path.name.endswith(".golden.txt"):  # each draft under its underlined title
        drafts = re.split(r"^.+\n=+\n", path.read_text(encoding="utf-8"), flags=re.M)
        return [
            {"id": f"{path.name}-{n}", "expect": [], "text": text.strip()}
            for n, text in enumerate(drafts)
            if text.strip()
        ]
    data = parse_document(read_text(path, "labelled messages"), str(path)).data
    if "messages" in data:
        return list(data["messages"])
    good = [{"id": f"good-{n}", "expect": [], "text": t} for n, t in enumerate(data["good"], 1)]
    bad = [
        {"id": f"bad-{n}", "expect": case["rules"], "text": case["text"]}
        for n, case in enumerate(data["bad"], 1)
    ]
    return good + bad


@dataclass
class Example:
    """One labelled message: its sentences' features and where the patterns fired."""

    ident: str
    source: str
    expect: frozenset[str]
    sentences: list[list[str]]
    fired: dict[str, set[int]]  # rule -> sentences the playbook's patterns flag for it
    listed: dict[str, set[int]] = field(default_factory=dict)  # of those, never vetoed ones
    cleared: dict[str, set[int]] = field(default_factory=dict)  # where its `unless` matches


def read_examples(
    paths: Sequence[Path],
    coach: playbook.Lint,
    tuned: Mapping[str, playbook.LintRule] | None = None,
) -> list[Example]:
    """Each labelled message, its sentences' features, and where the playbook's rules fire;
    `listed`: where what the model never vetoes fires (a rule's phrases, and the patterns
    a kept rule has had added since it was `tuned`)."""
    rules_only = dataclasses.replace(coach, model=None)
    tuned = tuned or {}

    def unvetoed(rule: playbook.LintRule) -> playbook.LintRule:
        trained = tuned[rule.id].patterns if rule.id in tuned else rule.patterns
        added = tuple(pattern for pattern in rule.patterns if pattern not in trained)
        return dataclasses.replace(rule, patterns=added)

    phrases_only = dataclasses.replace(
        rules_only,
        rules=tuple(r for r in map(unvetoed, coach.rules) if r.phrases or r.patterns),
    )
    examples = []
    for path in paths:
        for message in labelled(path):
            text = str(message["text"])
            draft = Draft(text)
            sentences: list[list[str]] = []
            index_of: dict[int, int] = {}
            for index, found in classify.sentence_features(draft):
                index_of[index] = len(sentences)
                sentences.append([name for name, _ in found])
            clear = {
                rule: {index_of[i] for i in where if i in index_of}
                for rule, where in cleared(draft, rules_only).items()
            }
            fired: dict[str, set[int]] = {}
            listed: dict[str, set[int]] = {}
            for where, part in ((fired, rules_only), (listed, phrases_only)):
                for finding in lint(text, part):
                    offset = draft.lines[finding.line - 1] + finding.column - 1
                    sentence = index_of.get(draft.sentence(offset))
                    if sentence is not None:
                        where.setdefault(finding.rule, set()).add(sentence)
            expect = frozenset(map(str, message["expect"]))  # type: ignore[call-overload]
            examples.append(
                Example(str(message["id"]), path.name, expect, sentences, fired, listed, clear)
            )
    return examples


# --- logistic regression ----------------------------------------------------------------------


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _fit(
    data: list[tuple[list[int], float, float]], size: int, rng: random.Random
) -> tuple[float, list[float]]:
    """Logistic regression by AdaGrad: (feature ids, label, weight) -> bias, weights."""
    weights = [0.0] * size
    squares = [1e-8] * size
    bias, bias_square = 0.0, 1e-8
    rate, l2 = SETTINGS["rate"], SETTINGS["l2"]
    order = list(range(len(data)))
    for _ in range(int(SETTINGS["epochs"])):
        rng.shuffle(order)
        for position in order:
            ids, label, weight = data[position]
            z = bias + sum(weights[i] for i in ids)
            gradient = (_sigmoid(z) - label) * weight
            bias_square += gradient * gradient
            bias -= rate * gradient / math.sqrt(bias_square)
            for i in ids:
                g = gradient + l2 * weights[i]
                squares[i] += g * g
                weights[i] -= rate * g / math.sqrt(squares[i])
    return bias, weights


@dataclass
class Trained:
    """A model in training form: per rule, a bias and weights by feature name."""

    bias: dict[str, float]
    weights: dict[str, dict[str, float]]
    cut: dict[str, float] = field(default_factory=dict)
    """A kept rule's threshold (a trained rule's comes from `tune`); the rules `bias`
    holds are the kept ones."""
    veto: dict[str, float] = field(default_factory=dict)
    """A kept rule's veto."""
    tuned: dict[str, playbook.LintRule] = field(default_factory=dict)
    """A kept rule as its veto was tuned: the playbook's rule without the phrases, patterns
    and exceptions a team added since (`classify.tuned_rule`), so they stay the team's."""

    def scores(self, example: Example, rule: str) -> list[float]:
        weights = self.weights[rule]
        return [
            self.bias[rule] + sum(weights.get(name, 0.0) for name in sentence)
            for sentence in example.sentences
        ]


def read_kept(path: Path, coach: playbook.Lint, names: Sequence[str] | None = None) -> Trained:
    """The rules of `SETTINGS["keep"]` (or `names`) as the model file at `path` has them,
    with the thresholds and vetoes `SETTINGS["set_thresholds"]` and `["set_vetoes"]` set;
    each must still be the rule that model was tuned against, or that rule with more
    exceptions, phrases or patterns (its veto applies to the playbook's rule as it is now:
    `classify.veto`), or its weights, threshold and veto no longer fit it."""
    from escalate_cli.errors import EscalateError

    names = cast("tuple[str, ...]", SETTINGS["keep"]) if names is None else tuple(names)
    if not names:
        return Trained({}, {})
    hint = "take it out of SETTINGS['keep'] to retrain it"
    try:
        model = classify.load(path, RULES)
    except EscalateError as exc:
        raise SystemExit(f"{exc.message}\nthe kept rules come from it: {hint}") from None
    by_id = {rule.id: rule for rule in coach.rules}
    set_thresholds = cast("dict[str, float]", SETTINGS["set_thresholds"])
    set_vetoes = cast("dict[str, float]", SETTINGS["set_vetoes"])
    bias, weights, cut, veto, tuned = {}, {}, {}, {}, {}
    for rule in names:
        if rule not in by_id:
            raise SystemExit(f"SETTINGS['keep']: {rule} is no lint rule of the playbook")
        found = classify.veto(model, by_id[rule], coach.classes)
        if found is None:
            raise SystemExit(
                f"{path}: {rule} is not in it, has no veto, or was edited since it was "
                f"trained: {hint}"
            )
        column = found.column
        bias[rule] = model.bias[column]
        cut[rule] = set_thresholds.get(rule, model.threshold[column])
        veto[rule] = min(set_vetoes.get(rule, found.below), cut[rule])
        tuned[rule] = classify.tuned_rule(model, by_id[rule], coach.classes) or by_id[rule]
        row = {name: (model.weights(name) or ())[column] for name in model.names}
        weights[rule] = {name: weight for name, weight in row.items() if weight}
    return Trained(bias, weights, cut, veto, tuned)


def spare_patterns(keep: Trained, coach: playbook.Lint) -> Trained:
    """`keep` with each rule `SETTINGS["veto_spares"]` names recorded as tuned without the
    patterns named there, whether it is kept or retrained: the model file says its veto was
    tuned against the rest, so it never drops their findings (`classify.Veto.added`), and
    the trainer counts their findings as never vetoed (`Example.listed`) when it fits."""
    spares = cast("dict[str, str]", SETTINGS["veto_spares"])
    tuned = dict(keep.tuned)
    for rule in coach.rules:
        if rule.id in spares:
            was = tuned.get(rule.id, rule)
            kept = tuple(p for p in was.patterns if not p.startswith(spares[rule.id]))
            tuned[rule.id] = dataclasses.replace(was, patterns=kept)
    return dataclasses.replace(keep, tuned=tuned)


def train(examples: Sequence[Example], keep: Trained | None = None) -> Trained:
    """Multiple-instance training of the rules `keep` does not hold: positives are
    re-chosen each round (see the module doc); the kept rules join as they are."""
    counts: dict[str, int] = {}
    for example in examples:
        for sentence in example.sentences:
            for name in sentence:
                counts[name] = counts.get(name, 0) + 1
    vocabulary = sorted(name for name, n in counts.items() if n >= SETTINGS["min_count"])
    ids = {name: i for i, name in enumerate(vocabulary)}
    coded = [[[ids[n] for n in s if n in ids] for s in e.sentences] for e in examples]
    keep = keep or Trained({}, {})
    model: Trained | None = None
    for _ in range(int(SETTINGS["rounds"])):
        bias: dict[str, float] = {}
        weights: dict[str, dict[str, float]] = {}
        for rule in (rule for rule in RULES if rule not in keep.bias):
            data: list[tuple[list[int], float, float]] = []
            for example, sentences in zip(examples, coded, strict=True):
                if rule not in example.expect:
                    data.extend((s, 0.0, 1.0) for s in sentences)
                    continue
                chosen = example.fired.get(rule)
                if not chosen and model is not None and sentences:
                    scores = model.scores(example, rule)
                    chosen = {max(range(len(scores)), key=scores.__getitem__)}
                weight = float(SETTINGS["positive_weight"])
                data.extend((sentences[i], 1.0, weight) for i in sorted(chosen or ()))
            rng = random.Random(f"{SETTINGS['seed']}-{rule}")
            bias[rule], fitted = _fit(data, len(vocabulary), rng)
            prune = float(SETTINGS["prune"])
            weights[rule] = {vocabulary[i]: w for i, w in enumerate(fitted) if abs(w) >= prune}
        model = Trained({**keep.bias, **bias}, {**keep.weights, **weights})
    assert model is not None
    return model


# --- cross-validation and thresholds ------------------------------------------------------------


def fold_of(example: Example, k: int) -> int:
    digest = hashlib.sha256(f"{example.source}/{example.ident}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % k


def by_file(examples: Sequence[Example]) -> Callable[[Example, int], int]:
    """Folds that are the files (one writer each), the coach's small test corpus joining
    the first: how well what one writer taught carries to another's wording."""
    files = sorted({e.source for e in examples} - {"lint_corpus.yaml"})
    return lambda example, _k: files.index(example.source) if example.source in files else 0


def whole_files(examples: Sequence[Example], k: int) -> Callable[[Example, int], int]:
    """k folds of whole files (one writer each), the largest file first into the smallest
    fold: the out-of-fold scores that set the thresholds and vetoes are then of wording the
    model was not trained on, as a new writer's is (folds of mixed messages let a writer's
    own habits vouch for the model, and thresholds set there flag more on new writers)."""
    sizes: dict[str, int] = {}
    for example in examples:
        sizes[example.source] = sizes.get(example.source, 0) + 1
    filled = [0] * k
    fold_of_file: dict[str, int] = {}
    for source in sorted(sizes, key=lambda name: (-sizes[name], name)):
        fold = filled.index(min(filled))
        fold_of_file[source] = fold
        filled[fold] += sizes[source]
    return lambda example, _k: fold_of_file[example.source]


def out_of_fold(
    examples: Sequence[Example], k: int, fold_of: Callable[[Example, int], int] = fold_of
) -> list[dict[str, list[float]]]:
    """Each message's sentence scores per rule, from a model trained without its fold; a
    sentence the rule's `unless` clears scores -inf, as the coach drops the model's hits
    there (and no pattern of the rule fires in it). Every rule is trained here, kept ones
    too: what a kept rule flags at its kept threshold must be counted on wording new to
    it, as when it was tuned (its kept model has seen most of these messages, and flags
    fewer of their ordinary ones than it would of a new writer's). The folds train side by
    side, one process a core (forked, so each reads the examples without copying them
    over): each fold's model is the same as trained alone, so the scores are too."""
    global _FOLDS
    found: list[dict[str, list[float]]] = [{} for _ in examples]
    _FOLDS = (examples, k, fold_of)
    try:
        with multiprocessing.get_context("fork").Pool(min(k, os.cpu_count() or 1)) as pool:
            for scored in pool.imap_unordered(_fold_scores, range(k)):
                for index, scores in scored:
                    found[index] = scores
    finally:
        _FOLDS = None
    return found


_FOLDS: tuple[Sequence[Example], int, Callable[[Example, int], int]] | None = None
"""`out_of_fold`'s examples, fold count and folds, for the processes it forks."""


def _fold_scores(fold: int) -> list[tuple[int, dict[str, list[float]]]]:
    """The scores of one fold's messages, from a model trained on the other folds."""
    assert _FOLDS is not None
    examples, k, fold_of = _FOLDS
    model = train([e for e in examples if fold_of(e, k) != fold])
    scored = []
    for index, example in enumerate(examples):
        if fold_of(example, k) == fold:
            scores = {}
            for rule in RULES:
                off = example.cleared.get(rule, set())  # (no pattern fires in those)
                scores[rule] = [
                    -math.inf if i in off else score
                    for i, score in enumerate(model.scores(example, rule))
                ]
            scored.append((index, scores))
    return scored


def tops(sentences: Sequence[dict[str, list[float]]]) -> list[dict[str, float]]:
    """Each message's highest sentence score per rule."""
    return [{rule: max(each[rule], default=-math.inf) for rule in RULES} for each in sentences]


def kept_by_veto(
    example: Example, scores: dict[str, list[float]], veto: dict[str, float]
) -> set[str]:
    """The rules whose patterns fire on a message in a sentence the model does not veto
    (one a rule's phrase finds is never vetoed). (The coach also keeps a finding in a
    sentence the model flags for any rule; thresholds come after vetoes here, so that is
    left out, which can only leave findings out.)"""
    return {
        rule
        for rule, where in example.fired.items()
        if rule not in veto
        or rule in example.listed
        or max(scores[rule][i] for i in where) >= veto[rule]
    }


def vetoes(
    examples: Sequence[Example],
    sentences: Sequence[dict[str, list[float]]],
    shares: Mapping[str, float],
    keep: Trained | None = None,
) -> dict[str, float]:
    """Per rule, the model score below which a pattern's finding is dropped: the lowest
    share (`shares[rule]`) of the scores of the sentences where the rule's patterns
    rightly fire (and none of its phrases, which are never vetoed) fall below it (cut
    halfway between two of them); a kept rule keeps its own."""
    chosen = {rule: keep.veto[rule] for rule in keep.bias} if keep else {}
    for rule in (rule for rule in RULES if rule not in chosen):
        right = sorted(
            max(scores[rule][i] for i in example.fired[rule])
            for example, scores in zip(examples, sentences, strict=True)
            if rule in example.expect and rule in example.fired and rule not in example.listed
        )
        below = int(shares[rule] * len(right))
        chosen[rule] = (right[below - 1] + right[below]) / 2 if below else NO_VETO
    return chosen


def thresholds(
    examples: Sequence[Example],
    sentences: Sequence[dict[str, list[float]]],
    veto: dict[str, float],
    budget: float = BUDGET,
    keep: Trained | None = None,
) -> dict[str, float]:
    """Per rule, the lowest threshold that keeps the ordinary messages flagged at all (by
    the patterns the veto leaves, or by the model) within `budget` of them: lowered one
    step at a time, the rule that catches most new messages per new false alarm first. A
    kept rule keeps its threshold, and what it flags counts in the budget."""
    top = tops(sentences)
    kept = [kept_by_veto(e, s, veto) for e, s in zip(examples, sentences, strict=True)]
    ordinary = [i for i, e in enumerate(examples) if not e.expect]
    allowed = int(budget * len(ordinary))
    positives = {
        rule: sorted(
            top[i][rule]
            for i, e in enumerate(examples)
            if rule in e.expect and rule not in kept[i] and top[i][rule] > -math.inf
        )
        for rule in RULES
    }  # (a message whose every sentence the rule's `unless` clears no threshold can catch)
    fixed = {rule: keep.cut[rule] for rule in keep.bias} if keep else {}
    chosen = {rule: fixed.get(rule, math.inf) for rule in RULES}
    flagged = {i for i in ordinary if kept[i] or any(top[i][r] >= at for r, at in fixed.items())}

    def caught(rule: str, at: float) -> int:
        return len(positives[rule]) - bisect.bisect_left(positives[rule], at)

    while True:
        best: tuple[float, str, float] | None = None
        for rule in (rule for rule in RULES if rule not in fixed):
            quiet = sorted(top[i][rule] for i in ordinary if i not in flagged)
            before = caught(rule, chosen[rule])
            lower = sorted({s for s in positives[rule] if s < chosen[rule]}, reverse=True)
            for at in lower[:25]:  # look a little ahead: a gain may need a few steps
                extra = len(quiet) - bisect.bisect_left(quiet, at)
                if len(flagged) + extra > allowed:
                    break
                value = (caught(rule, at) - before) / (1 + extra)
                if best is None or value > best[0]:
                    best = (value, rule, at)
        if best is None:
            break
        _, rule, at = best
        chosen[rule] = at
        flagged |= {i for i in ordinary if top[i][rule] >= at}
    return {rule: (value if value < math.inf else NO_RULE) for rule, value in chosen.items()}


def tune(
    examples: Sequence[Example],
    sentences: Sequence[dict[str, list[float]]],
    keep: Trained | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """The thresholds and the vetoes, from out-of-fold sentence scores: the veto shares
    with which patterns and model together catch most within the budget. A veto that drops
    a few more right findings can buy the model room: where the patterns alone flag more
    ordinary messages than the budget allows, the model would otherwise be given no
    threshold at all.

    First one share for every rule (of `veto_shares`); then each rule's own (of
    `rule_veto_shares`), a rule at a time, kept where more are caught, `sweeps` times
    over at most; then the same again within `veto_share_caps`. The rules `keep` holds
    keep their thresholds and vetoes."""
    top = tops(sentences)
    tuned = [rule for rule in RULES if not keep or rule not in keep.bias]

    def tried(shares: dict[str, float]) -> Tuned:
        veto = vetoes(examples, sentences, shares, keep)
        cut = thresholds(examples, sentences, veto, keep=keep)
        caught = sum(
            len(e.expect & (kept_by_veto(e, s, veto) | {r for r in RULES if t[r] >= cut[r]}))
            for e, s, t in zip(examples, sentences, top, strict=True)
        )
        return Tuned(caught, shares, cut, veto)

    def ascend(best: Tuned, caps: Mapping[str, float]) -> Tuned:
        for _ in range(int(SETTINGS["sweeps"])):
            start = best
            for rule in tuned:
                for share in SETTINGS["rule_veto_shares"]:
                    if share != best.shares[rule] and share <= caps.get(rule, 1.0):
                        trial = tried({**best.shares, rule: share})
                        best = trial if trial.caught > best.caught else best
            if best is start:
                break
        return best

    best = max(
        (tried(dict.fromkeys(RULES, share)) for share in SETTINGS["veto_shares"]),
        key=lambda each: each.caught,  # (the first of equals)
    )
    best = ascend(best, {})
    caps = SETTINGS["veto_share_caps"]
    best = ascend(tried({r: min(s, caps.get(r, s)) for r, s in best.shares.items()}), caps)
    return best.cut, {rule: min(best.veto[rule], best.cut[rule]) for rule in RULES}


def spared(
    examples: Sequence[Example], model: Trained, veto: dict[str, float], keep: Trained
) -> dict[str, float]:
    """The vetoes, each lowered below the final model's score of every sentence of the
    coach's own test corpus (lint_corpus.yaml: messages it must flag) where the rule's
    patterns rightly fire: a veto tuned on other writers' wording must not drop a finding
    the coach is required to make (the fortieth round's candidate dropped "Engineering
    dropped the ball."). A kept rule keeps its veto. The margin covers the rounding of the
    weights in the model file."""
    lowered = dict(veto)
    for rule in (rule for rule in RULES if rule not in keep.bias):
        for example in examples:
            if (
                example.source == "lint_corpus.yaml"
                and rule in example.expect
                and rule in example.fired
                and rule not in example.listed
            ):
                scores = model.scores(example, rule)
                score = min(scores[i] for i in example.fired[rule])
                lowered[rule] = min(lowered[rule], score - 0.1)
    return lowered


class Tuned(NamedTuple):
    """Veto shares tried, with what they catch out of fold, the thresholds and vetoes."""

    caught: int
    shares: dict[str, float]
    cut: dict[str, float]
    veto: dict[str, float]


# --- the model file -----------------------------------------------------------------------------


def fingerprint(paths: Sequence[Path], coach: playbook.Lint) -> str:
    """What the model was trained from: the tuning files, where the playbook's lint rules
    fire (they choose the first positives; their wording and rewrites do not count), the
    features version and the settings."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(DATA).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    rules = [classify.rule_digest(rule, coach.classes) for rule in coach.rules]
    digest.update(json.dumps([coach.cushion_days, rules]).encode())
    digest.update(json.dumps([classify.FEATURES, SETTINGS], sort_keys=True).encode())
    return digest.hexdigest()


def model_document(
    model: Trained,
    cut: dict[str, float],
    veto: dict[str, float],
    paths: Sequence[Path],
    coach: playbook.Lint,
    tuned: Mapping[str, playbook.LintRule],
) -> str:
    """The model file: its feature names one a line, then their weights for each rule in
    thousandths (base64, `classify.encode_weights`), so the file is the same on every
    machine and quick to read. Each rule's digests are those of the rule its veto was
    tuned against (`tuned`: the kept rules'), the others' those of the playbook's rule."""
    names = sorted({name for rule in RULES for name in model.weights[rule]})
    by_id = {rule.id: rule for rule in coach.rules} | dict(tuned)
    head = {
        "format": classify.FORMAT,
        "features": classify.FEATURES,
        "trained_on": {
            "files": [path.relative_to(DATA).as_posix() for path in paths],
            "sha256": fingerprint(paths, coach),
            "refresh": "python benchmarks/train_lint_model.py",
        },
        "rules": list(RULES),
        "bias": [round(model.bias[rule], 3) for rule in RULES],
        "threshold": [round(cut[rule], 3) for rule in RULES],
        "veto": [round(veto[rule], 3) for rule in RULES],
        "veto_for": [classify.rule_digest(by_id[rule], coach.classes) for rule in RULES],
        "veto_parts": [
            [core, sorted(exceptions)]
            for core, exceptions in (classify.parts_digest(by_id[r], coach.classes) for r in RULES)
        ],
    }
    table = [[round(model.weights[rule].get(name, 0.0), 3) for rule in RULES] for name in names]
    return laid_out(head, names, table)


def laid_out(head: dict[str, Any], names: Sequence[str], table: Sequence[Sequence[float]]) -> str:
    """A model file's text: the head's fields a line each, the names one a line, the
    weights as `classify.encode_weights` writes them."""
    lines = [
        f"{json.dumps(key)}: {json.dumps(value, sort_keys=True)}," for key, value in head.items()
    ]
    listed = ",\n".join(json.dumps(name, ensure_ascii=False) for name in names)
    weights = json.dumps(classify.encode_weights(table))
    return "{\n" + "\n".join(lines) + f'\n"names": [\n{listed}\n],\n"weights": {weights}\n}}\n'


def converted(path: Path) -> str:
    """A format 1 model file (a JSON list of weights per feature) in the current format,
    read and checked as the coach reads it (each weight to the thousandth, as the trainer
    writes them): a team's model needs no retraining to be quick to read."""
    from escalate_cli.errors import PlaybookError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{path}: cannot read it as JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise SystemExit(f"{path}: not a format 1 lint model")
    try:
        model = classify._checked(path, data)  # the coach's own checks
    except PlaybookError as exc:
        raise SystemExit(exc.message) from None
    head = {key: value for key, value in data.items() if key != "weights"}
    head["format"] = classify.FORMAT
    rows = [model.weights(name) or () for name in model.names]
    return laid_out(head, list(model.names), rows)


def bundled_rules() -> playbook.Lint:
    return playbook.load(playbook.bundled_path()).lint


def trained(
    paths: Sequence[Path], coach: playbook.Lint, keep: Trained
) -> tuple[Trained, dict[str, float], dict[str, float]]:
    """The rules `keep` does not hold, trained on `paths`, with every rule's threshold and
    veto (see the module doc)."""
    examples = read_examples(paths, coach, keep.tuned)
    print(f"{len(examples)} messages from {', '.join(p.name for p in paths)}", file=sys.stderr)
    folds = int(SETTINGS["folds"])
    sentences = out_of_fold(examples, folds, whole_files(examples, folds))
    cut, veto = tune(examples, sentences, keep)
    model = train(examples, keep)
    guarded = spared(examples, model, veto, keep)
    if guarded != veto:  # a lower veto lets more through: fit the thresholds to the budget again
        print(f"vetoes lowered for the corpus: {guarded}", file=sys.stderr)
        veto = guarded
        cut = thresholds(examples, sentences, veto, keep=keep)
        veto = {rule: min(veto[rule], cut[rule]) for rule in RULES}
    return model, cut, veto


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the model is stale")
    parser.add_argument("--output", type=Path, default=MODEL)
    parser.add_argument(
        "--convert",
        type=Path,
        metavar="FILE",
        help="rewrite a format 1 model file in the current format, in place (quicker to read)",
    )
    args = parser.parse_args(argv)
    if args.convert:
        args.convert.write_text(converted(args.convert), encoding="utf-8")
        print(f"converted {args.convert}", file=sys.stderr)
        return 0
    paths = tuning_files()
    coach = bundled_rules()
    if args.check:
        try:
            recorded = json.loads(args.output.read_text(encoding="utf-8"))["trained_on"]["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            recorded = None
        if recorded != fingerprint(paths, coach):
            print(f"{args.output} is stale: run python benchmarks/train_lint_model.py")
            return 1
        return 0
    fitted = sorted({*SETTINGS["set_thresholds"], *SETTINGS["set_vetoes"]} - set(SETTINGS["keep"]))
    if fitted:  # the values that were set belong to weights that are being replaced
        print(
            f"SETTINGS' set thresholds and vetoes left out for {', '.join(fitted)}: retrained, "
            "so they are fitted",
            file=sys.stderr,
        )
    keep = spare_patterns(read_kept(args.output, coach), coach)
    if set(keep.bias) == set(RULES):  # nothing to train: the kept model, for the rules as they are
        model, cut, veto = keep, keep.cut, keep.veto
    else:
        model, cut, veto = trained(paths, coach, keep)
    document = model_document(model, cut, veto, paths, coach, keep.tuned)
    args.output.write_text(document, encoding="utf-8")
    size = args.output.stat().st_size
    print(f"wrote {args.output} ({size:,} bytes); thresholds {cut}; vetoes {veto}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
