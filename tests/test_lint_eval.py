"""The message coach's measured quality can only go up: the figures the README states for
the held-out set (and the tuning set) are a floor that the rules must keep."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
spec = importlib.util.spec_from_file_location("lint_eval", ROOT / "benchmarks" / "lint_eval.py")
assert spec and spec.loader
lint_eval = importlib.util.module_from_spec(spec)
sys.modules["lint_eval"] = lint_eval  # dataclasses look their module up while it loads
spec.loader.exec_module(lint_eval)


def stated() -> dict[str, tuple[float, float]]:
    """The README's table: rule (or `false alarms`) -> (tuning, held-out) as fractions."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `?([a-z_ ]+?)`? \| ([\d.]+)% \(\d+/\d+\) \| ([\d.]+)% \(\d+/\d+\) \|$", readme, re.M
    )
    return {name: (float(tuning) / 100, float(held) / 100) for name, tuning, held in rows}


@pytest.fixture(scope="module")
def figures() -> dict[str, tuple[float, float]]:
    found = stated()
    assert set(found) == {*lint_eval.RULES, "false alarms"}, "README table of lint figures"
    return found


@pytest.mark.parametrize("part", [0, 1], ids=["tuning", "held-out"])
def test_figures_do_not_fall_below_the_readme(figures, part) -> None:
    name = ("lint_tuning.yaml", "lint_heldout.yaml")[part]
    score = lint_eval.evaluate(DATA / name)
    for rule in lint_eval.RULES:
        assert round(score.recall(rule), 3) >= figures[rule][part], rule
    assert round(score.false_alarm_rate, 3) <= figures["false alarms"][part]


def test_corpus_sizes_are_what_the_issue_asks() -> None:
    tuning = lint_eval.messages(DATA / "lint_tuning.yaml")
    held_out = lint_eval.messages(DATA / "lint_heldout.yaml")
    assert len(tuning) >= 250 and len(tuning) + len(held_out) > 500
    assert sum(1 for m in tuning if not m["expect"]) >= 100
    for rule in lint_eval.RULES:
        assert sum(1 for m in tuning if rule in m["expect"]) >= 25, rule
    assert len({m["id"] for m in tuning}) == len(tuning)


def test_show_refuses_the_held_out_file(tmp_path) -> None:
    script = str(ROOT / "benchmarks" / "lint_eval.py")
    held_out = str(DATA / "lint_heldout.yaml")
    refused = subprocess.run(
        [sys.executable, script, held_out, "--show"], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2 and refused.stdout == ""
    shown = subprocess.run(
        [sys.executable, script, str(DATA / "lint_tuning.yaml"), "--show"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and "false alarms" in shown.stdout
