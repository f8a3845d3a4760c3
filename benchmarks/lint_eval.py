"""How well the message coach does on labelled messages: recall per rule, false alarms.

    .venv/bin/python benchmarks/lint_eval.py tests/data/lint_tuning.yaml \\
        tests/data/lint_heldout28.yaml
    .venv/bin/python benchmarks/lint_eval.py tests/data/lint_tuning.yaml --show

A labelled file holds `messages:`, each with `id`, `voice`, `expect` (the rules it must
trigger; [] for an ordinary message) and `text`. For each file this prints, per rule, the
share of messages expecting the rule that get at least one finding of it (recall), and the
share of ordinary messages that get any finding at all (the false-alarm rate).

`--show` also prints each miss and false alarm with its text, to tune on. It refuses a
held-out file: those messages are for measuring only, never for reading while tuning.
`--rules-only` leaves the playbook's sentence classifier out.

`--cv K` cross-validates the classifier on tuning files instead (never a held-out file):
the messages are split into K folds; each fold is scored by a model trained
(benchmarks/train_lint_model.py) on the other folds, with thresholds and vetoes chosen on
the other folds' scores, and the figures are printed for the patterns alone, the model
alone, both, and both with the model's vetoes of pattern findings (what `lint` does). The
patterns were written on these files, so their own figures here flatter them. With
`--by-file`, each file is a fold: a file's messages are scored by a model that never saw
its writer, a closer measure of wording the model has not met (messages split at random
share each writer's habits between training and scoring).
Standard library and the project only (the project's own YAML loader reads the files).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

from escalate_cli import playbook
from escalate_cli.lint import lint
from escalate_cli.safe_yaml import parse_document, read_text

sys.path.insert(0, str(Path(__file__).parent))  # the trainer, beside this script
import train_lint_model as trainer

KINDS = ("rules", "model", "both", "veto")
"""The patterns alone, the model alone, both, both with the model's vetoes."""
RULES = trainer.RULES


@dataclass
class Score:
    """What one labelled file gave: per rule expected and caught, ordinary and flagged."""

    expected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    caught: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    ordinary: int = 0
    flagged: int = 0
    unexpected: int = 0
    """Findings of a rule a risky message does not expect (one a rule a message): the
    mistakes the false-alarm rate, which counts ordinary messages, does not see."""
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    alarms: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def add(self, path: Path, ident: str, text: str, expect: list[str], found: set[str]) -> None:
        """Count one message: `expect` the rules it must trigger, `found` those it did."""
        if not expect:
            self.ordinary += 1
            if found:
                self.flagged += 1
                self.alarms.append((ident, text, sorted(found)))
        else:
            self.unexpected += len(found - set(expect))
        for rule in dict.fromkeys(expect):
            if rule not in self.expected:
                raise SystemExit(f"{path}: {ident}: unknown rule {rule!r}")
            self.expected[rule] += 1
            if rule in found:
                self.caught[rule] += 1
            else:
                self.misses.append((ident, rule, text))

    def merged(self, other: Score) -> Score:
        total = Score(ordinary=self.ordinary + other.ordinary)
        total.flagged = self.flagged + other.flagged
        total.unexpected = self.unexpected + other.unexpected
        for rule in RULES:
            total.expected[rule] = self.expected[rule] + other.expected[rule]
            total.caught[rule] = self.caught[rule] + other.caught[rule]
        return total

    def recall(self, rule: str) -> float:
        return self.caught[rule] / self.expected[rule] if self.expected[rule] else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.flagged / self.ordinary if self.ordinary else 0.0


def is_held_out(path: Path) -> bool:
    name = path.name.lower().replace("-", "_")
    return "heldout" in name or "held_out" in name


def messages(path: Path) -> list[dict[str, object]]:
    data = parse_document(read_text(path, "labelled messages"), str(path)).data
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise SystemExit(f"{path}: expected a mapping with a `messages:` list")
    return data["messages"]


def evaluate(path: Path, *, rules_only: bool = False) -> Score:
    """Lint every message of `path` with the bundled playbook and count."""
    coach = playbook.load(playbook.bundled_path()).lint
    if rules_only:
        coach = dataclasses.replace(coach, model=None)
    score = Score()
    for message in messages(path):
        text = str(message["text"])
        expect = [str(rule) for rule in message.get("expect") or []]  # type: ignore[attr-defined]
        score.add(path, str(message["id"]), text, expect, {f.rule for f in lint(text, coach)})
    return score


def cross_validate(
    paths: list[Path], k: int, *, by_file: bool = False
) -> dict[str, dict[Path, Score]]:
    """Per file, what the patterns alone, the model alone, and both catch in K-fold
    cross-validation (see the module doc); `by_file`: one fold per file instead."""
    examples = trainer.read_examples(paths, playbook.load(playbook.bundled_path()).lint)
    fold_of = trainer.by_file(examples) if by_file else trainer.fold_of
    if by_file:
        k = 1 + max(fold_of(example, k) for example in examples)
    sentences = trainer.out_of_fold(examples, k, fold_of)
    top = trainer.tops(sentences)
    tuned = []
    for fold in range(k):
        others = [i for i, e in enumerate(examples) if fold_of(e, k) != fold]
        tuned.append(trainer.tune([examples[i] for i in others], [sentences[i] for i in others]))
    texts = {
        (path.name, str(m["id"])): str(m["text"]) for path in paths for m in trainer.labelled(path)
    }
    scores: dict[str, dict[Path, Score]] = {
        kind: {path: Score() for path in paths} for kind in KINDS
    }
    by_name = {path.name: path for path in paths}
    for example, each, best in zip(examples, sentences, top, strict=True):
        cut, veto = tuned[fold_of(example, k)]
        model = {rule for rule in RULES if best[rule] >= cut[rule]}
        kept = trainer.kept_by_veto(example, each, veto)
        found = {
            "rules": set(example.fired),
            "model": model,
            "both": set(example.fired) | model,
            "veto": kept | model,
        }
        path = by_name[example.source]
        text = texts[(example.source, example.ident)]
        for kind, rules in found.items():
            scores[kind][path].add(path, example.ident, text, sorted(example.expect), rules)
    return scores


def report(path: Path, score: Score) -> str:
    lines = [
        f"{path} ({sum(score.expected.values())} expected findings, {score.ordinary} ordinary)"
    ]
    lines.append(f"  {'rule':<18} {'caught':>9} {'recall':>7}")
    for rule in RULES:
        caught = f"{score.caught[rule]}/{score.expected[rule]}"
        lines.append(f"  {rule:<18} {caught:>9} {score.recall(rule):>7.1%}")
    lines.append(
        f"  {'false alarms':<18} {score.flagged:>4}/{score.ordinary:<4} "
        f"{score.false_alarm_rate:>7.1%}"
    )
    lines.append(f"  {'not expected':<18} {score.unexpected:>9}  (rules found in risky messages)")
    return "\n".join(lines)


def cv_report(name: str, kinds: dict[str, Score]) -> str:
    """One table: per rule, recall of the patterns alone, the model alone, both, and both
    with the model's vetoes of pattern findings."""
    both = kinds["both"]
    lines = [f"{name} ({sum(both.expected.values())} expected findings, {both.ordinary} ordinary)"]
    heads = ("patterns", "model", "both", "with veto")
    lines.append(f"  {'rule':<18} " + " ".join(f"{head:>15}" for head in heads))

    def cell(score: Score, rule: str) -> str:
        return f"{score.caught[rule]}/{score.expected[rule]} {score.recall(rule):>6.1%}"

    for rule in RULES:
        lines.append(f"  {rule:<18} " + " ".join(f"{cell(kinds[k], rule):>15}" for k in KINDS))
    alarms = " ".join(
        f"{f'{s.flagged}/{s.ordinary} {s.false_alarm_rate:>6.1%}':>15}"
        for s in (kinds[k] for k in KINDS)
    )
    lines.append(f"  {'false alarms':<18} {alarms}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="labelled YAML files")
    parser.add_argument(
        "--show", action="store_true", help="print misses and false alarms (tuning files only)"
    )
    parser.add_argument(
        "--rules-only", action="store_true", help="leave the playbook's classifier out"
    )
    parser.add_argument(
        "--cv", type=int, metavar="K", help="K-fold cross-validation of the classifier"
    )
    parser.add_argument(
        "--by-file",
        action="store_true",
        help="with --cv: one fold per file (each file's writer unseen by its model)",
    )
    args = parser.parse_args(argv)
    if (args.show or args.cv) and any(is_held_out(path) for path in args.files):
        print("--show and --cv are for tuning files, not a held-out file", file=sys.stderr)
        return 2
    if args.by_file and (not args.cv or len(args.files) < 2):
        print("--by-file needs --cv K and at least 2 tuning files (a fold each)", file=sys.stderr)
        return 2
    if args.cv:
        if args.cv < 2:
            print("--cv needs at least 2 folds", file=sys.stderr)
            return 2
        scores = cross_validate(args.files, args.cv, by_file=args.by_file)
        for path in args.files:
            print(cv_report(str(path), {kind: found[path] for kind, found in scores.items()}))
        if len(args.files) > 1:
            total = {kind: _sum(list(found.values())) for kind, found in scores.items()}
            print(cv_report("all files", total))
        return 0
    for path in args.files:
        score = evaluate(path, rules_only=args.rules_only)
        print(report(path, score))
        if args.show:
            for ident, rule, text in score.misses:
                print(f"  miss  {ident} {rule}: {' '.join(text.split())}")
            for ident, text, rules in score.alarms:
                print(f"  alarm {ident} {','.join(rules)}: {' '.join(text.split())}")
    return 0


def _sum(scores: list[Score]) -> Score:
    total = Score()
    for score in scores:
        total = total.merged(score)
    return total


if __name__ == "__main__":
    sys.exit(main())
