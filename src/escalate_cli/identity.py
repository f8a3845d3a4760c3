"""Who a name means: partner names and aliases matched the way people type them. Pure.

"Northwind Logistics", "northwind-logistics" and "NORTHWIND  LOGISTICS." are one partner,
and so are "Café Müller" and "Cafe Muller": people leave accents out. "Nortwind Logistics"
or "Northwind" is probably that partner too, so a command asks (or refuses with "did you
mean") before it starts a second one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from escalate_cli.records import record

CLOSE_CUTOFF = 0.75  # difflib ratio of two keys from which a new name is probably a typo
HINT_CUTOFF = 0.6  # looser: for suggesting a known name after an unknown one
MIN_PART = 4  # a shorter key is never taken as the start of a longer name
ME_WORDS = ("me", "i", "myself")
# Letters that are a Latin letter with a stroke or a ligature: Unicode does not decompose
# them into a base letter and a mark, yet people type them as these (casefolded already).
_UNMARKED = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h",
     "ı": "i", "ŧ": "t"}
)  # fmt: skip
_FOLDED_SCRIPTS = "\u0530"  # below it: Latin, Greek and Cyrillic, whose marks are accents


def clean_name(name: str) -> str:
    """The name as shown: runs of whitespace become one space."""
    return " ".join(name.split())


def name_key(name: str) -> str:
    """What two names must share to be the same partner: letters and digits, casefolded,
    accents left out ("Café Müller", "Cafe Muller"; ß, ø, æ, ł as ss, o, ae, l).

    A name made only of punctuation keeps its punctuation, so it still has a key. Stored
    with each name: a change here needs a migration recomputing the stored keys."""
    folded = unicodedata.normalize("NFKC", clean_name(name)).casefold()
    if not folded.isascii():
        folded = "".join(map(_unaccented, folded)).translate(_UNMARKED)
    return "".join(char for char in folded if char.isalnum()) or folded


def _unaccented(char: str) -> str:
    """A Latin, Greek or Cyrillic letter without its marks (é as e, й as и). Elsewhere a
    mark can make another letter (か and が are two kana), so it stays."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare and max(bare) < _FOLDED_SCRIPTS else char


@record
class Known:
    """A name (the partner's own or an alias) a partner is known by."""

    partner_id: int
    partner: str  # the partner's own name
    name: str  # the name as typed when it was recorded


@record
class Match:
    """The partner a name means exactly, else the partners it is close to, best first;
    `same`: the partners it means at once (see `match`), by name, when it is none of them."""

    exact: Known | None
    close: tuple[Known, ...]
    same: tuple[Known, ...] = ()


def match(name: str, known: Iterable[Known], cutoff: float = CLOSE_CUTOFF) -> Match:
    """Resolve `name` against every known name: an exact key wins, else close ones.

    Partners an older store kept apart can share a key ("Café Müller", "Cafe Muller" once
    their accents stopped counting): the name as typed (or in another case) picks one;
    any other spelling means them all, and the caller must not pick one for the user."""
    key = name_key(name)
    by_key: dict[str, list[Known]] = {}
    for item in known:
        by_key.setdefault(name_key(item.name), []).append(item)
    meant = _first_per_partner(by_key.get(key, ()))
    if len(meant) > 1:
        typed = clean_name(name)
        chosen = _first_per_partner(i for i in by_key[key] if i.name == typed)
        if len(chosen) != 1:
            folded = typed.casefold()
            chosen = _first_per_partner(i for i in by_key[key] if i.name.casefold() == folded)
        if len(chosen) == 1:
            return Match(chosen[0], ())
        return Match(None, (), tuple(sorted(meant, key=lambda i: i.partner.casefold())))
    if meant:
        return Match(meant[0], ())
    scored: dict[int, tuple[float, Known]] = {}
    for other, items in by_key.items():
        score = _closeness(key, other)
        for item in items:
            if score >= cutoff and score > scored.get(item.partner_id, (0.0, item))[0]:
                scored[item.partner_id] = (score, item)
    best = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1].partner.casefold()))
    return Match(None, tuple(item for _, item in best))


def _first_per_partner(items: Iterable[Known]) -> list[Known]:
    first: dict[int, Known] = {}
    for item in items:
        first.setdefault(item.partner_id, item)
    return list(first.values())


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


def merge_command(names: Sequence[str]) -> str:
    """The command that makes the first two of `names` one partner, quoted for a shell."""
    import shlex

    return "escalate partners merge " + " ".join(shlex.quote(name) for name in names[:2])


def is_me(owner: str) -> bool:
    return clean_name(owner).casefold() in ME_WORDS


def resolve_owner(owner: str, me: str) -> str:
    """An owner of "me" or "I" is the user: their own name, so a handover reads right."""
    return me if is_me(owner) and me else clean_name(owner)
