"""How well the message coach does on labelled messages: recall per rule, false alarms.

    .venv/bin/python benchmarks/lint_eval.py tests/data/lint_tuning.yaml \\
        tests/data/lint_heldout.yaml
    .venv/bin/python benchmarks/lint_eval.py tests/data/lint_tuning.yaml --show

A labelled file holds `messages:`, each with `id`, `voice`, `expect` (the rules it must
trigger; [] for an ordinary message) and `text`. For each file this prints, per rule, the
share of messages expecting the rule that get at least one finding of it (recall), and the
share of ordinary messages that get any finding at all (the false-alarm rate).

`--show` also prints each miss and false alarm with its text, to tune on. It refuses a
held-out file: those messages are for measuring only, never for reading while tuning.
Standard library and the project only (the project's own YAML loader reads the files).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from escalate_cli import playbook
from escalate_cli.lint import lint
from escalate_cli.safe_yaml import parse_document, read_text

RULES = (
    "blame",
    "over_promise",
    "eta_no_buffer",
    "others_work",
    "vague_commitment",
    "inflated_urgency",
)


@dataclass
class Score:
    """What one labelled file gave: per rule expected and caught, ordinary and flagged."""

    expected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    caught: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    ordinary: int = 0
    flagged: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    alarms: list[tuple[str, str, list[str]]] = field(default_factory=list)

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


def evaluate(path: Path) -> Score:
    """Lint every message of `path` with the bundled playbook and count."""
    coach = playbook.load(playbook.bundled_path()).lint
    score = Score()
    for message in messages(path):
        text = str(message["text"])
        expect = [str(rule) for rule in message.get("expect") or []]  # type: ignore[attr-defined]
        found = {finding.rule for finding in lint(text, coach)}
        if not expect:
            score.ordinary += 1
            if found:
                score.flagged += 1
                score.alarms.append((str(message["id"]), text, sorted(found)))
        for rule in dict.fromkeys(expect):
            if rule not in score.expected:
                raise SystemExit(f"{path}: {message['id']}: unknown rule {rule!r}")
            score.expected[rule] += 1
            if rule in found:
                score.caught[rule] += 1
            else:
                score.misses.append((str(message["id"]), rule, text))
    return score


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
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="labelled YAML files")
    parser.add_argument(
        "--show", action="store_true", help="print misses and false alarms (tuning files only)"
    )
    args = parser.parse_args(argv)
    if args.show and any(is_held_out(path) for path in args.files):
        print("--show reads messages out: not for a held-out file", file=sys.stderr)
        return 2
    for path in args.files:
        score = evaluate(path)
        print(report(path, score))
        if args.show:
            for ident, rule, text in score.misses:
                print(f"  miss  {ident} {rule}: {' '.join(text.split())}")
            for ident, text, rules in score.alarms:
                print(f"  alarm {ident} {','.join(rules)}: {' '.join(text.split())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
