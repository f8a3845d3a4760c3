"""The message coach's measured quality can only go up: the figures the README states for
the held-out set (and the tuning set) are a floor that the rules must keep."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
lint_eval = load_benchmark("lint_eval")


PARTS = (
    "lint_tuning.yaml",
    "lint_heldout43.yaml",
    "lint_heldout44.yaml",
    "lint_heldout45.yaml",
    "lint_heldout46.yaml",
    "lint_heldout47.yaml",
    "lint_heldout48.yaml",
    "lint_heldout49.yaml",
    "lint_heldout50.yaml",
    "lint_heldout51.yaml",
    "lint_heldout67.yaml",
    "lint_heldout68.yaml",
    "lint_heldout69.yaml",
    "lint_heldout70.yaml",
    "lint_heldout71.yaml",
    "lint_heldout72.yaml",
    "lint_heldout73.yaml",
    "lint_heldout74.yaml",
    "lint_heldout75.yaml",
    "lint_heldout76.yaml",
    "lint_heldout77.yaml",
    "lint_heldout78.yaml",
    "lint_heldout79.yaml",
    "lint_heldout80.yaml",
    "lint_heldout81.yaml",
    "lint_heldout82.yaml",
    "lint_heldout83.yaml",
    "lint_heldout84.yaml",
    "lint_heldout85.yaml",
    "lint_heldout86.yaml",
    "lint_heldout87.yaml",
)
"""The README table's columns, in order."""


def stated() -> dict[str, tuple[float, ...]]:
    """The README's table: rule (or `false alarms`) -> one fraction per file in PARTS."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cell = r" ([\d.]+)% \(\d+/\d+\) \|"
    rows = re.findall(rf"^\| `?([a-z_ ]+?)`? \|{cell * len(PARTS)}$", readme, re.M)
    return {name: tuple(round(float(value) / 100, 3) for value in values) for name, *values in rows}


@pytest.fixture(scope="module")
def figures() -> dict[str, tuple[float, ...]]:
    found = stated()
    assert set(found) == {*lint_eval.RULES, "false alarms"}, "README table of lint figures"
    return found


@pytest.mark.parametrize(
    "part",
    range(len(PARTS)),
    ids=["tuning", *(name.removeprefix("lint_").removesuffix(".yaml") for name in PARTS[1:])],
)
def test_figures_do_not_fall_below_the_readme(figures, part) -> None:
    name = PARTS[part]
    score = lint_eval.evaluate(DATA / name)
    for rule in lint_eval.RULES:
        assert round(score.recall(rule), 3) >= figures[rule][part], rule
    assert round(score.false_alarm_rate, 3) <= figures["false alarms"][part]


def test_corpus_sizes_are_what_the_issue_asks() -> None:
    tuning = lint_eval.messages(DATA / "lint_tuning.yaml")
    held_out = lint_eval.messages(DATA / PARTS[1])
    assert len(tuning) >= 250 and len(tuning) + len(held_out) > 500
    for later in PARTS[1:]:
        held_out = lint_eval.messages(DATA / later)
        assert sum(1 for m in held_out if not m["expect"]) >= 200
        for rule in lint_eval.RULES:
            assert sum(1 for m in held_out if rule in m["expect"]) >= 40, rule
    assert sum(1 for m in tuning if not m["expect"]) >= 100
    for rule in lint_eval.RULES:
        assert sum(1 for m in tuning if rule in m["expect"]) >= 25, rule
    assert len({m["id"] for m in tuning}) == len(tuning)


def test_show_refuses_the_held_out_file(tmp_path) -> None:
    script = str(ROOT / "benchmarks" / "lint_eval.py")
    for held_out in (str(DATA / name) for name in PARTS[1:]):
        refused = subprocess.run(
            [sys.executable, script, held_out, "--show"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 2 and refused.stdout == ""
    shown = subprocess.run(
        [sys.executable, script, str(DATA / "lint_tuning.yaml"), "--show"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and "false alarms" in shown.stdout


def test_by_file_needs_cross_validation_over_two_files_or_more() -> None:
    script = str(ROOT / "benchmarks" / "lint_eval.py")
    tuning = str(DATA / "lint_tuning.yaml")
    for args in (["--by-file", tuning, tuning], ["--cv", "5", "--by-file", tuning]):
        refused = subprocess.run(
            [sys.executable, script, *args], capture_output=True, text=True, check=False
        )
        assert refused.returncode == 2 and "--by-file needs" in refused.stderr


def test_the_readme_table_has_a_cell_for_every_column() -> None:
    """A row one cell short is not drawn as part of the table (Markdown needs equal rows)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("| rule | tuning |")
    rows = readme[start:].split("\n\n", 1)[0].splitlines()
    assert len(rows) == 2 + len(stated())  # header, separator, the six rules, false alarms
    assert {row.count("|") for row in rows} == {len(PARTS) + 2}
