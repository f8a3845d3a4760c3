"""Choose each lint rule's `second_look` margin on labelled tuning files.

    .venv/bin/python benchmarks/second_look.py tests/data/lint_tuning*.yaml tests/data/next/*.yaml
    .venv/bin/python benchmarks/second_look.py --playbook team.yaml --grid 1,2,3 labelled.yaml

Lints every message with each margin of the grid (0.5 to 5 in steps of 0.5 unless `--grid`
says otherwise) given to every rule, and prints, per rule and margin, what the second look
adds over no second look: findings of a rule the message expects, and findings of one it
does not (in a risky or an ordinary message). A rule's second look does not depend on the
others' margins (it starts from the findings made before any second look), so one pass per
margin measures every rule at once. The margin printed for each rule is the largest at
which each step of the grid added at most one unexpected finding for every two expected
ones, and all steps together at most one for every four: the procedure that chose the
bundled playbook's margins. It refuses a held-out file, as lint_eval.py's `--show` does.
About a minute a margin over the 124 tuning files and next/ on two cores (52 s, Dec 5).

The playbook's model has seen the tuning files, so for the rules it was trained on its
scores there are in sample: higher on risky wording than a new writer's would get.
`--out-of-fold` lints each file the trainer reads with a model that never saw it instead:
for each of the trainer's whole-file folds, the rules its SETTINGS retrain are trained
again on the other folds (the kept rules, and every rule's threshold and veto, as the
playbook's model has them), as train_lint_model.py would. A file the trainer does not
read is linted with the playbook's own model, which has not seen it either. Building the
five fold models took 8 minutes more (Dec 5, a busy machine; the grid then took 25).
Standard library and the project only.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # lint_eval and the trainer, beside this script
import lint_eval
import train_lint_model as trainer

from escalate_cli import playbook
from escalate_cli.lint import lint

GRID = tuple(step / 2 for step in range(1, 11))


def _found(job: tuple[Path, Path, float, Path | None]) -> list[tuple[list[str], set[str]]]:
    """Each message of a file: the rules it expects and the rules found, with every rule's
    second look set to `margin` (and the model at `model`, if one is given)."""
    path, book, margin, model = job
    coach = playbook.load(book).lint
    rules = tuple(dataclasses.replace(rule, second_look=margin) for rule in coach.rules)
    coach = dataclasses.replace(coach, rules=rules, model=str(model) if model else coach.model)
    rows = []
    for message in lint_eval.messages(path):
        found = {finding.rule for finding in lint(str(message["text"]), coach)}
        rows.append(([str(rule) for rule in message["expect"] or ()], found))  # type: ignore[attr-defined]
    return rows


def fold_models(
    paths: Sequence[Path], coach: playbook.Lint, folder: Path, folds: int
) -> dict[str, Path]:
    """Model files in `folder` that never saw the files they will lint, by file name: for
    each of `folds` whole-file folds of `paths` (the trainer's), the rules the trainer's
    SETTINGS retrain trained on the other folds; the kept rules, and every rule's threshold
    and veto, as `coach`'s model has them."""
    model = Path(coach.model or "")
    keep = trainer.read_kept(model, coach)
    shipped = trainer.read_kept(model, coach, trainer.RULES)
    examples = trainer.read_examples(paths, coach, keep.tuned)
    fold_of = trainer.whole_files(examples, folds)
    global _TRAINING
    _TRAINING = (examples, folds, fold_of, keep)
    try:
        with multiprocessing.get_context("fork").Pool(min(folds, os.cpu_count() or 1)) as pool:
            trained = pool.map(_fold_model, range(folds))
    finally:
        _TRAINING = None
    written = []
    for fold, each in enumerate(trained):
        path = folder / f"fold{fold}.lint-model.json"
        document = trainer.model_document(  # (a passing model: it records no files)
            each, shipped.cut, shipped.veto, [], coach, shipped.tuned
        )
        path.write_text(document, encoding="utf-8")
        written.append(path)
    return {example.source: written[fold_of(example, folds)] for example in examples}


_TRAINING: (
    tuple[list[trainer.Example], int, Callable[[trainer.Example, int], int], trainer.Trained] | None
) = None
"""`fold_models`' examples, fold count, folds and kept rules, for the processes it forks."""


def _fold_model(fold: int) -> trainer.Trained:
    """The rules the trainer retrains, trained on every fold but `fold`."""
    assert _TRAINING is not None
    examples, folds, fold_of, keep = _TRAINING
    return trainer.train([e for e in examples if fold_of(e, folds) != fold], keep)


def added(
    before: list[tuple[list[str], set[str]]], after: list[tuple[list[str], set[str]]]
) -> dict[str, tuple[int, int]]:
    """Per rule, the findings `after` has that `before` lacks: (expected, not expected)."""
    counts: dict[str, list[int]] = {}
    for (expect, old), (_, new) in zip(before, after, strict=True):
        for rule in new - old:
            counts.setdefault(rule, [0, 0])[rule not in expect] += 1
    return {rule: (hits, wrong) for rule, (hits, wrong) in counts.items()}


def chosen(steps: list[tuple[float, int, int]]) -> float:
    """The largest margin at which every step so far added at most one unexpected finding
    for every two expected ones, and all of them at most one for every four (0 if none)."""
    best, previous = 0.0, (0, 0)
    for margin, hits, wrong in steps:
        step_hits, step_wrong = hits - previous[0], wrong - previous[1]
        if 2 * step_wrong > step_hits or 4 * wrong > hits:
            break
        best, previous = margin, (hits, wrong)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="labelled tuning files")
    parser.add_argument("--playbook", type=Path, default=playbook.bundled_path())
    parser.add_argument("--grid", help="margins to try, comma-separated (default 0.5 to 5)")
    parser.add_argument(
        "--out-of-fold",
        action="store_true",
        help="lint each file the trainer reads with a model trained without it",
    )
    args = parser.parse_args(argv)
    if any(lint_eval.is_held_out(path) for path in args.files):
        print(
            "second_look.py chooses margins: give it tuning files, not a held-out file",
            file=sys.stderr,
        )
        return 2
    grid = sorted(float(m) for m in args.grid.split(",")) if args.grid else list(GRID)
    with tempfile.TemporaryDirectory() as folder:
        models: dict[str, Path] = {}
        if args.out_of_fold:
            coach = playbook.load(args.playbook).lint
            folds = int(trainer.SETTINGS["folds"])
            models = fold_models(trainer.tuning_files(), coach, Path(folder), folds)
        with ProcessPoolExecutor(min(2, os.cpu_count() or 1)) as pool:

            def run(margin: float) -> list[tuple[list[str], set[str]]]:
                jobs = [(path, args.playbook, margin, models.get(path.name)) for path in args.files]
                return [row for rows in pool.map(_found, jobs) for row in rows]

            before = run(0.0)
            table = {margin: added(before, run(margin)) for margin in grid}
    rules = [rule.id for rule in playbook.load(args.playbook).lint.rules]
    print(f"{'rule':<18} " + " ".join(f"{margin:>9}" for margin in grid) + "   margin")
    for rule in rules:
        steps = [(margin, *table[margin].get(rule, (0, 0))) for margin in grid]
        cells = " ".join(f"{f'+{hits}/x{wrong}':>9}" for _, hits, wrong in steps)
        print(f"{rule:<18} {cells}   {chosen(steps):g}")
    print("(+expected findings added / x findings of rules not expected added)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
