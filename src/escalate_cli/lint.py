"""The message coach: find wording that triggers or worsens escalations. Pure.

Rules are playbook data (phrases or regular expressions, message, suggestion, severity);
a partner's recorded trigger words join them as rule `partner_trigger`. Each finding
carries its 1-based line and column so an editor or a person can go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from escalate_cli.playbook import LintRule

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    rule: str
    severity: str
    message: str
    suggestion: str
    excerpt: str

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "excerpt": self.excerpt,
        }


_QUOTED = re.compile(
    r"""(?<!\w)'([^'\n]{2,})'(?!\w)|"([^"\n]{2,})"|‘([^’\n]{2,})’|“([^”\n]{2,})”"""
)


def trigger_phrases(note: str) -> list[str]:
    """The words to watch for in a trigger note: its quoted phrases, else the whole note.

    "being told 'per our policy'" watches for `per our policy`; "circle back" for itself."""
    quoted = [next(part for part in match.groups() if part) for match in _QUOTED.finditer(note)]
    return quoted or [note]


def phrase_pattern(phrase: str) -> str:
    """A phrase as a pattern: whole words only, any run of white space between them."""
    words = [re.escape(word) for word in phrase.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


@lru_cache(maxsize=256)
def _compiled(rule: LintRule) -> re.Pattern[str]:
    parts = [phrase_pattern(p) for p in rule.phrases] + [f"(?:{p})" for p in rule.patterns]
    flags = 0 if rule.case_sensitive else re.IGNORECASE
    return re.compile("|".join(parts), flags)


def lint(
    text: str,
    rules: Iterable[LintRule],
    triggers: Iterable[str] = (),
    partner: str = "",
    cushion_days: int = 2,
) -> list[Finding]:
    """Every finding in `text`, in reading order; `triggers` are trigger-note texts."""
    findings: list[Finding] = []
    for rule in rules:
        for match in _compiled(rule).finditer(text):
            suggestion = rule.suggestion.replace("{cushion_days}", str(cushion_days))
            findings.append(_finding(text, match, rule.id, rule.severity, rule.message, suggestion))
    phrases = (phrase.strip() for note in triggers for phrase in trigger_phrases(note))
    for trigger in dict.fromkeys(p for p in phrases if p):
        for match in re.finditer(phrase_pattern(trigger), text, re.IGNORECASE):
            findings.append(
                _finding(
                    text,
                    match,
                    "partner_trigger",
                    "error",
                    f"{partner or 'This partner'} has a recorded trigger: {trigger!r}",
                    "Say it another way; check the partner's notes "
                    "(escalate notes list PARTNER --kind trigger)",
                )
            )
    return sorted(findings, key=lambda f: (f.line, f.column, SEVERITY_ORDER[f.severity]))


def _finding(
    text: str, match: re.Match[str], rule: str, severity: str, message: str, suggestion: str
) -> Finding:
    start = match.start()
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Finding(line, column, rule, severity, message, suggestion, match.group(0))
