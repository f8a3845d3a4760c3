"""The message coach's measured quality can only go up. The README's table states, per rule,
what the coach catches on the tuning file, on every held-out set, and on the held-out sets
together; the tuning column and the held-out total are floors the coach must keep (false
alarms a ceiling), and each held-out set's column is what the coach measures there, so the
README never claims more than it does."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import load_benchmark
from escalate_cli import classify
from escalate_cli.playbook import Playbook

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
    "lint_heldout142.yaml",
    "lint_heldout143.yaml",
    "lint_heldout144.yaml",
    "lint_heldout145.yaml",
    "lint_heldout146.yaml",
    "lint_heldout147.yaml",
    "lint_heldout148.yaml",
    "lint_heldout149.yaml",
    "lint_heldout150.yaml",
    "lint_heldout151.yaml",
    "lint_heldout152.yaml",
    "lint_heldout153.yaml",
    "lint_heldout154.yaml",
    "lint_heldout155.yaml",
    "lint_heldout156.yaml",
    "lint_heldout157.yaml",
    "lint_heldout158.yaml",
    "lint_heldout159.yaml",
    "lint_heldout160.yaml",
    "lint_heldout161.yaml",
    "lint_heldout162.yaml",
    "lint_heldout163.yaml",
    "lint_heldout164.yaml",
    "lint_heldout165.yaml",
    "lint_heldout166.yaml",
    "lint_heldout167.yaml",
    "lint_heldout168.yaml",
    "lint_heldout169.yaml",
    "lint_heldout170.yaml",
    "lint_heldout171.yaml",
    "lint_heldout172.yaml",
    "lint_heldout173.yaml",
    "lint_heldout174.yaml",
    "lint_heldout175.yaml",
    "lint_heldout176.yaml",
    "lint_heldout177.yaml",
    "lint_heldout178.yaml",
    "lint_heldout179.yaml",
    "lint_heldout180.yaml",
    "lint_heldout181.yaml",
    "lint_heldout182.yaml",
    "lint_heldout183.yaml",
    "lint_heldout184.yaml",
    "lint_heldout185.yaml",
    "lint_heldout186.yaml",
    "lint_heldout187.yaml",
    "lint_heldout188.yaml",
    "lint_heldout189.yaml",
    "lint_heldout190.yaml",
    "lint_heldout191.yaml",
    "lint_heldout192.yaml",
    "lint_heldout193.yaml",
    "lint_heldout194.yaml",
    "lint_heldout195.yaml",
    "lint_heldout196.yaml",
    "lint_heldout197.yaml",
)
"""The labelled files: the tuning file, then the held-out sets in the README table's order."""
HELD_OUT = PARTS[1:]
Cell = tuple[int, int]
"""A figure of the table as counted: (caught, expected), or (flagged, ordinary)."""


def stated() -> dict[str, tuple[Cell, ...]]:
    """The README's table: rule (or `false alarms`) -> its cells, the tuning file's first,
    then the held-out total's, then one per held-out set in HELD_OUT. Each cell's share
    must be its counts' (to one decimal), so the two cannot tell different stories."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cell = r" ([\d.]+)% \((\d+/\d+)\) \|"
    rows = re.findall(rf"^\| `?([a-z_ ]+?)`? \|{cell * (len(PARTS) + 1)}$", readme, re.M)
    found: dict[str, tuple[Cell, ...]] = {}
    for name, *values in rows:
        cells = []
        for share, counts in zip(values[::2], values[1::2], strict=True):
            part, whole = (int(count) for count in counts.split("/"))
            assert share == f"{100 * part / whole:.1f}", f"{name}: {share}% for {counts}"
            cells.append((part, whole))
        found[name] = tuple(cells)
    return found


@pytest.fixture(scope="module")
def figures() -> dict[str, tuple[Cell, ...]]:
    found = stated()
    assert set(found) == {*lint_eval.RULES, "false alarms"}, "README table of lint figures"
    return found


@functools.cache
def measured(name: str) -> dict[str, Cell]:
    """What the coach catches on one labelled file, as the table counts it."""
    score = lint_eval.evaluate(DATA / name)
    cells = {rule: (score.caught[rule], score.expected[rule]) for rule in lint_eval.RULES}
    return {**cells, "false alarms": (score.flagged, score.ordinary)}


def test_tuning_figures_do_not_fall_below_the_readme(figures) -> None:
    now = measured(PARTS[0])
    for rule in lint_eval.RULES:
        assert now[rule][1] == figures[rule][0][1], rule
        assert now[rule][0] >= figures[rule][0][0], rule
    assert now["false alarms"][1] == figures["false alarms"][0][1]
    assert now["false alarms"][0] <= figures["false alarms"][0][0]


@pytest.mark.parametrize(
    "part",
    range(len(HELD_OUT)),
    ids=[name.removeprefix("lint_").removesuffix(".yaml") for name in HELD_OUT],
)
def test_each_held_out_column_is_what_the_coach_measures(figures, part) -> None:
    now = measured(HELD_OUT[part])
    for name in figures:
        assert now[name] == figures[name][2 + part], name


def test_held_out_totals_do_not_fall_below_the_readme(figures) -> None:
    """Findings over all held-out sets together may not fall, nor false alarms rise: a
    change may find one message fewer in one set where it finds more in others (a cell
    holds about 75 messages, one of them 1.3 points), but not fewer in all."""
    for name in figures:
        caught = sum(measured(held_out)[name][0] for held_out in HELD_OUT)
        of = sum(measured(held_out)[name][1] for held_out in HELD_OUT)
        floor, stated_of = figures[name][1]
        assert of == stated_of, f"{name}: the total counts {of} messages, the README {stated_of}"
        if name == "false alarms":
            assert caught <= floor, f"{caught} false alarms over the held-out sets, README {floor}"
        else:
            assert caught >= floor, f"{name}: {caught} found over the held-out sets, README {floor}"


def test_the_held_out_total_is_the_sum_of_its_sets(figures) -> None:
    """So a gain is recorded in the floor the day it is made, and a later loss shows."""
    for name, cells in figures.items():
        assert cells[1] == tuple(map(sum, zip(*cells[2:], strict=True))), name


def test_the_readme_columns_are_the_held_out_files_in_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| rule | tuning |"))
    labels = [label.strip() for label in header.strip("|").split("|")]
    numbers = [name.removeprefix("lint_heldout").removesuffix(".yaml") for name in HELD_OUT]
    assert labels == ["rule", "tuning", "held-out, all", *(f"held-out {n}" for n in numbers)]


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
    assert {row.count("|") for row in rows} == {len(PARTS) + 3}


def test_a_rule_a_risky_message_does_not_expect_is_counted_apart() -> None:
    """The false-alarm rate counts ordinary messages only; a rule found in a risky message
    that does not expect it is a mistake too, and the script says how many there are."""
    score = lint_eval.Score()
    path = Path("labelled.yaml")
    score.add(path, "m1", "text", ["blame"], {"blame", "over_promise"})
    score.add(path, "m2", "text", ["blame", "eta_no_buffer"], {"eta_no_buffer"})
    score.add(path, "m3", "text", [], {"blame", "over_promise"})
    assert (score.unexpected, score.flagged, score.caught["blame"]) == (1, 1, 1)
    assert score.merged(score).unexpected == 2
    assert "not expected               1" in lint_eval.report(path, score)


def test_the_margin_chosen_is_the_last_step_that_paid_for_itself() -> None:
    """The procedure that chose the bundled margins: each step at most one unexpected
    finding for every two expected, all steps at most one for every four."""
    second_look = load_benchmark("second_look")
    steps = [(0.5, 10, 0), (1.0, 20, 2), (1.5, 26, 6), (2.0, 40, 6)]
    assert second_look.chosen(steps) == 1.0  # 1.5 added 6 expected for 4 unexpected
    assert second_look.chosen([(0.5, 4, 2)]) == 0.0  # one for every two, but not four
    assert second_look.chosen([(0.5, 0, 0), (1.0, 0, 0)]) == 1.0  # nothing added: no cost
    before = [(["blame"], {"over_promise"}), ([], set())]
    after = [(["blame"], {"over_promise", "blame", "eta_no_buffer"}), ([], set())]
    assert second_look.added(before, after) == {"blame": (1, 0), "eta_no_buffer": (0, 1)}


def test_out_of_fold_each_file_is_linted_by_a_model_that_never_saw_it(
    book: Playbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers' files, two folds: the model that lints each file learnt the other
    writer's wording for the rule the trainer retrains, not its own, and keeps the
    playbook's model's thresholds and vetoes. (The bundled settings keep every rule
    now; the test retrains `others_work`, as the sixty-fifth round did.)"""
    second_look = load_benchmark("second_look")
    trainer = second_look.trainer
    retrained = "others_work"
    kept = tuple(rule for rule in trainer.RULES if rule != retrained)
    monkeypatch.setitem(trainer.SETTINGS, "keep", kept)
    # forty messages a writer give weights near the bundled prune (0.5); keep them all
    monkeypatch.setitem(trainer.SETTINGS, "prune", 0.1)
    paths = []
    for writer, name in (("a", "Zorblat"), ("b", "Quenwick")):
        messages = [
            {"id": f"{writer}{n}", "expect": [retrained], "text": f"{name} will reroute it."}
            for n in range(20)
        ] + [
            {"id": f"{writer}o{n}", "expect": [], "text": "Thanks for the call."} for n in range(20)
        ]
        paths.append(tmp_path / f"{writer}.yaml")
        paths[-1].write_text(yaml.safe_dump({"messages": messages}), encoding="utf-8")
    models = second_look.fold_models(paths, book.lint, tmp_path, 2)
    assert set(models) == {"a.yaml", "b.yaml"} and models["a.yaml"] != models["b.yaml"]
    column = trainer.RULES.index(retrained)
    shipped = json.loads(Path(book.lint.model or "").read_text(encoding="utf-8"))
    for file, own, other in (("a.yaml", "zorblat", "quenwick"), ("b.yaml", "quenwick", "zorblat")):
        model = classify.load(models[file], trainer.RULES)
        learnt = {name for name in model.names if (model.weights(name) or ())[column]}
        assert any(other in name for name in learnt), file
        assert not any(own in name for name in learnt), file
        head = json.loads(models[file].read_text(encoding="utf-8"))
        assert (head["threshold"], head["veto"]) == (shipped["threshold"], shipped["veto"])


def test_margins_are_not_chosen_on_a_held_out_file() -> None:
    script = str(ROOT / "benchmarks" / "second_look.py")
    refused = subprocess.run(
        [sys.executable, script, str(DATA / PARTS[1])], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2 and "not a held-out file" in refused.stderr
