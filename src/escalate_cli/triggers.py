"""What a partner's trigger note tells the message coach to watch for. Pure, and light:
`notes add` says what it will watch without loading the coach."""

from __future__ import annotations

import re

QUOTED = "|".join(
    (
        r"""'(?<!\w')([^'\n]{2,})'(?!\w)""",
        r'"([^"\n]{2,})"',
        r'"(?<!\w")(?=\S)([^"\n]+\n[^"\n]+)(?<=\S)"(?!\w)',
        r"‘([^‘’\n]{2,})’",
        r"“([^“”\n]{2,})”",
        r"“([^“”\n]+\n[^“”\n]+)”",
    )
)
"""Quoted words. A double quote, straight or curly, may wrap onto the next line once (a
hard-wrapped email: `said, "this is a disaster, get me` / `seats next week"`); a straight
one that wraps must hug its words and stand apart from the words around it, so the inch
marks of `12", the 10" valve` are not one. A curly quote holds no other opening quote, so
a run of them cannot send the matcher over the same line again and again. Each choice
starts with its quote, so the matcher skips to the next. As text: `re` compiles it when a
trigger note is read, the coach keeps its compiled code."""

_STOP = frozenset(
    re.findall(
        r"\S+",
        """a an the to of in on at for with about and or but not no nor when whenever if being be
    is are was were been am gets get got getting called calling call calls hates hate hated
    dislikes dislike disliked likes like liked loves love really very does doesn't don't do
    did didn't any anything something someone our their his her its they them he she we us
    you your my me i it mention mentions mentioned mentioning hear hears hearing heard told
    tell tells telling say says saying said word words phrase phrases term terms using use
    uses used upset angry annoyed irritated frustrated sensitive reacts react reacted badly
    strongly never always again please avoid avoids just that this these those who what
    which how why where there here by from as so too also can't cannot won't will would
    should must feel feels felt makes make made treated treat""",
    )
)
_WORD = re.compile(r"[\w'’]+")


def trigger_phrases(note: str) -> list[str]:
    """The words to watch for in a trigger note, each once whatever its case (the coach
    ignores case).

    Its quoted phrases ("being told 'per our policy'" watches `per our policy`); else a
    short note (three words or fewer) as a whole; else each run of its distinctive words
    ("Hates being called a ticket number" watches `ticket number`). The coach also matches
    the plural (or singular) of each phrase's last word."""
    phrases = [
        " ".join(next(part for part in match.groups() if part).split())
        for match in re.finditer(QUOTED, note)
    ] or _distinctive(note.split())
    once: dict[str, str] = {}
    for phrase in phrases:
        once.setdefault(phrase.casefold(), phrase)
    return list(once.values())


def _distinctive(words: list[str]) -> list[str]:
    """An unquoted note's phrases: the note itself when short, else its runs of words
    that are not common ones; a comma or a stop ends a run ("a ticket number, ticket
    number again" is one phrase twice, not `ticket number ticket number`)."""
    if len(words) <= 3:
        return [" ".join(words)] if words else []
    runs: list[list[str]] = [[]]
    for word in words:
        bare = word.strip(".,;:!?()[]\"'“”‘’").lower()
        if not bare or bare in _STOP or not _WORD.fullmatch(bare):
            runs.append([])
            continue
        runs[-1].append(word.strip('.,;:!?()[]"“”'))
        if word.rstrip('"”’)]').endswith((",", ".", ";", ":", "!", "?")):
            runs.append([])
    return [" ".join(run) for run in runs if run and (len(run) > 1 or len(run[0]) > 3)]


def watch_hint(note: str) -> str:
    """What `notes add --kind trigger` says back: the words watched, and how quoting works."""
    phrases = ", ".join(f"'{phrase}'" for phrase in trigger_phrases(note)) or "nothing"
    if re.search(QUOTED, note):
        return f"the message coach watches for {phrases}"
    return (
        f"the message coach watches for {phrases}; to watch exact words only, quote them: "
        "\"being told 'per our policy'\""
    )
