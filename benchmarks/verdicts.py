"""How often the default playbook's verdict agrees with held-out situations.

Run from a checkout: python benchmarks/verdicts.py [--json]
The situations (benchmarks/data/verdict_cases.yaml) were judged from the source guidance,
not from the decision table, and are never used to change the rules.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from escalate_cli.assess import assess
from escalate_cli.playbook import bundled_path, load
from escalate_cli.safe_yaml import load as load_yaml

CASES = Path(__file__).with_name("data") / "verdict_cases.yaml"


def evaluate() -> dict[str, Any]:
    """Each case's expected and actual verdict, and the share that agree."""
    book = load(bundled_path())
    yes_no = [q for q in book.questions("assess") if q.type == "yes_no"]
    defaults: dict[str, Any] = {q.id: q in book.checklist for q in yes_no}
    results = []
    for case in load_yaml(CASES, "verdict cases").data:
        answers = {**defaults, "triggers": [], **case["answers"]}
        verdict = assess(book, answers).verdict
        expected = case["expected"]
        results.append({"situation": case["situation"], "expected": expected, "verdict": verdict})
    agreed = sum(r["expected"] == r["verdict"] for r in results)
    return {"cases": len(results), "agreed": agreed, "results": results}


def main() -> None:
    report = evaluate()
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2))
        return
    for r in report["results"]:
        mark = "ok  " if r["expected"] == r["verdict"] else "DIFF"
        print(f"{mark} expected {r['expected']:<13} got {r['verdict']:<13} {r['situation']}")
    print(f"{report['agreed']}/{report['cases']} verdicts agree")


if __name__ == "__main__":
    main()
