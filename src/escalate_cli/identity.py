"""Who a name means: partner names and aliases matched the way people type them. Pure.

"Northwind Logistics", "northwind-logistics" and "NORTHWIND  LOGISTICS." are one partner;
"Nortwind Logistics" or "Northwind" is probably that partner too, so a command asks (or
refuses with "did you mean") before it starts a second one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from escalate_cli.records import record

CLOSE_CUTOFF = 0.75  # difflib ratio of two keys from which a new name is probably a typo
HINT_CUTOFF = 0.6  # looser: for suggesting a known name after an unknown one
MIN_PART = 4  # a shorter key is never taken as the start of a longer name
ME_WORDS = ("me", "i", "myself")


def clean_name(name: str) -> str:
    """The name as shown: runs of whitespace become one space."""
    return " ".join(name.split())


def name_key(name: str) -> str:
    """What two names must share to be the same partner: letters and digits, casefolded.

    A name made only of punctuation keeps its punctuation, so it still has a key."""
    folded = unicodedata.normalize("NFKC", clean_name(name)).casefold()
    return "".join(char for char in folded if char.isalnum()) or folded


@record
class Known:
    """A name (the partner's own or an alias) a partner is known by."""

    partner_id: int
    partner: str  # the partner's own name
    name: str  # the name as typed when it was recorded


@record
class Match:
    """The partner a name means exactly, else the partners it is close to, best first."""

    exact: Known | None
    close: tuple[Known, ...]


def match(name: str, known: Iterable[Known], cutoff: float = CLOSE_CUTOFF) -> Match:
    """Resolve `name` against every known name: an exact key wins, else close ones."""
    key = name_key(name)
    by_key: dict[str, Known] = {}
    for item in known:
        by_key.setdefault(name_key(item.name), item)
    if key in by_key:
        return Match(by_key[key], ())
    scored: dict[int, tuple[float, Known]] = {}
    for other, item in by_key.items():
        score = _closeness(key, other)
        if score >= cutoff and score > scored.get(item.partner_id, (0.0, item))[0]:
            scored[item.partner_id] = (score, item)
    best = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1].partner.casefold()))
    return Match(None, tuple(item for _, item in best))


def _closeness(key: str, other: str) -> float:
    """1.0 when one name is the start of the other (Northwind, Northwind Logistics),
    else how alike the two keys are; names whose numbers differ (Partner 1, Partner 10,
    Team 2) are told apart on purpose, never a typo."""
    if _digits(key) != _digits(other):
        return 0.0
    if min(len(key), len(other)) >= MIN_PART and (key.startswith(other) or other.startswith(key)):
        return 1.0
    import difflib  # only needed for a name that matches nothing exactly

    return difflib.SequenceMatcher(None, key, other).ratio()


def _digits(key: str) -> str:
    return "".join(char for char in key if char.isdigit())


def suggestion(close: Iterable[Known]) -> str:
    """'did you mean 'A' or 'B'?' naming each partner once."""
    names = list(dict.fromkeys(item.partner for item in close))[:3]
    return "did you mean " + " or ".join(repr(name) for name in names) + "?"


def is_me(owner: str) -> bool:
    return clean_name(owner).casefold() in ME_WORDS


def resolve_owner(owner: str, me: str) -> str:
    """An owner of "me" or "I" is the user: their own name, so a handover reads right."""
    return me if is_me(owner) and me else clean_name(owner)
