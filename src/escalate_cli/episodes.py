"""Which records are one escalation, and how many times a partner has escalated. Pure.

`escalate partners` and `escalate handover` both say how often a partner escalated; both
count with `past_escalations`, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from escalate_cli.store.sqlite import Escalation

SAME_ESCALATION_DAYS = 7  # a brief this soon after an assessment is the same escalation


def episodes(escalations: Sequence[Escalation]) -> list[tuple[Escalation, ...]]:
    """The records grouped by escalation, oldest first: an assessment and the brief that
    followed it within SAME_ESCALATION_DAYS are one entry, not two."""
    grouped: list[tuple[Escalation, ...]] = []
    for item in sorted(escalations, key=lambda e: (e.date, e.id)):
        last = grouped[-1] if grouped else ()
        if (
            item.kind == "brief"
            and len(last) == 1
            and last[0].kind == "assessment"
            and _days_between(last[0].date, item.date) <= SAME_ESCALATION_DAYS
        ):
            grouped[-1] = (last[0], item)
        else:
            grouped.append((item,))
    return grouped


def _days_between(earlier: str, later: str) -> int:
    try:
        return (dt.date.fromisoformat(later) - dt.date.fromisoformat(earlier)).days
    except ValueError:
        return SAME_ESCALATION_DAYS + 1


def took_place(episode: tuple[Escalation, ...]) -> bool:
    """Whether an episode was an escalation, not only advice about one."""
    return any(item.took_place for item in episode)


def past_escalations(escalations: Sequence[Escalation], escalation_notes: int) -> int:
    """How many times a partner escalated: each episode that took place, and each
    `escalation` note (one recorded by hand). Advice that was not acted on is none."""
    return sum(map(took_place, episodes(escalations))) + escalation_notes
