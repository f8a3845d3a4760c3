"""Every finding the message coach gives on the tuning corpus, as JSON, to compare versions.

    .venv/bin/python benchmarks/lint_findings.py before.json [DRAFT ...]
    (change the coach's code, not its rules)
    .venv/bin/python benchmarks/lint_findings.py after.json [DRAFT ...]
    cmp before.json after.json

Each tuning message is linted on its own, then each DRAFT file (with trigger notes for
"release" and "hardware"), with a fixed date so the rewritten dates do not move. A change
that only makes the coach quicker must leave the file identical: rule, line, column,
suggestion and excerpt of every finding.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from escalate_cli import playbook
from escalate_cli.lint import Finding, lint
from escalate_cli.safe_yaml import parse_document, read_text

TUNING = Path(__file__).parents[1] / "tests" / "data" / "lint_tuning.yaml"
TODAY = dt.date(2026, 12, 2)


def rows(findings: list[Finding]) -> list[list[object]]:
    return [[f.rule, f.line, f.column, f.suggestion, f.excerpt] for f in findings]


def main(out: Path, drafts: list[Path]) -> None:
    coach = playbook.load(playbook.bundled_path()).lint
    found: dict[str, list[list[object]]] = {}
    for message in parse_document(read_text(TUNING, "corpus"), str(TUNING)).data["messages"]:
        found[str(message["id"])] = rows(lint(str(message["text"]), coach, today=TODAY))
    for draft in drafts:
        text = draft.read_text(encoding="utf-8")
        found[str(draft)] = rows(lint(text, coach, ["'release'", "hardware"], "Acme", today=TODAY))
    out.write_text(json.dumps(found, indent=0, ensure_ascii=False), encoding="utf-8")
    print(f"{sum(map(len, found.values()))} findings in {len(found)} texts written to {out}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), [Path(arg) for arg in sys.argv[2:]])
