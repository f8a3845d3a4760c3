"""The message coach's sentence classifier: a linear model per rule, shipped as data. Pure.

The playbook's patterns catch the wording they were written for; a model trained on
labelled messages (benchmarks/train_lint_model.py) catches the same kinds of sentence in
other words. Each sentence of a `Draft` (quoted text and reported speech already masked)
becomes a set of features: its words and word pairs, and word classes that carry from one
wording to the next (a date or time, a future or commitment marker, a third party as
subject, negation, the first person, the past tense, a question, shouting). A rule's score
is the sum of its weights for those features; at or above the rule's threshold the
sentence is a finding, placed at the word that weighs most, unless the rule's `unless`
patterns clear the sentence (lint.py).

The model is a JSON file named by the playbook's `lint: model:` key, checked when it is
read: bounded size, known rule ids, finite numbers. A problem is exit 2 naming the file
and the field.
"""

from __future__ import annotations

import array
import dataclasses
import json
import math
import operator
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from escalate_cli.errors import PlaybookError
from escalate_cli.records import record

if TYPE_CHECKING:
    from collections.abc import Mapping

    from escalate_cli.lint import Draft
    from escalate_cli.playbook import LintRule

    Classes = Mapping[str, Collection[str]]

FORMAT = 2
"""The layout of a model file: 2 stores the weights as one base64 string. Format 1, a JSON
list of numbers per feature (an earlier escalate's), is still read, more slowly."""
FEATURES = 4
"""The version of `features` this escalate computes; `READS` says which models it takes."""
READS = (3, FEATURES)
"""The versions a model may be trained on. Version 4 only adds features to version 3 (who
acts in a sentence, and how: `_agent`); a version-3 model has no weight for them, so it
scores every sentence as it did."""
MAX_BYTES = 1_000_000
MAX_FEATURES = 100_000
MAX_KEY = 200
SCALE = 1000
"""Weights are stored in thousandths: small integers, read in C and summed exactly."""
LARGEST = 32.767
"""The largest weight, either way, that 16 bits of thousandths hold."""

# --- words and word classes --------------------------------------------------------------

_TOKEN = r"[^\W_]+(?:['’][^\W\d_]+)*|!{2,}|[!?%]"
_WHOLE = {
    "won't": ("will", "not"),
    "can't": ("can", "not"),
    "shan't": ("shall", "not"),
    # chat spellings
    "wont": ("will", "not"),
    "cant": ("can", "not"),
    "dont": ("do", "not"),
    "didnt": ("did", "not"),
    "isnt": ("is", "not"),
    "ill": ("i", "will"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "youll": ("you", "will"),
    "theyll": ("they", "will"),
    "itll": ("it", "will"),
    "u": ("you",),
    "ur": ("your",),
    "pls": ("please",),
    "thx": ("thanks",),
}
_CONTRACTIONS = (
    ("n't", ("not",)),
    ("'ll", ("will",)),
    ("'re", ("are",)),
    ("'ve", ("have",)),
    ("'m", ("am",)),
    ("'d", ("would",)),
    ("'s", ("'s",)),
)
_DIGITS = re.compile(r"\d+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATE = rf"""\b(?:
      (?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri)(?:day)?|saturday|sunday|weekend
    | {_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?
    | \d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}
    | \d{{1,2}}(?:st|nd|rd|th)
    | \d{{1,4}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?
    | \d{{1,2}}(?::\d{{2}})?\s*(?:am|pm|a\.m\.|p\.m\.)
    | \d{{1,2}}:\d{{2}}
    | tomorrow|tmrw?|tomo|tonight|today|eod|cob|eow|eom|eoq|noon|midday|midnight|q[1-4]
    | (?:end|close)\s+of\s+(?:the\s+|this\s+|next\s+)?
        (?:day|week|month|quarter|year|sprint|play|business)
    | (?:next|this|coming)\s+(?:week|month|quarter|sprint|weekend|morning|afternoon|evening)
    | (?:in|within)\s+(?:the\s+next\s+)?(?:\d+|an?|one|two|three|four|five|six|seven|ten
        |a\s+couple\s+of|a\s+few)\s+(?:more\s+)?(?:working\s+|business\s+)?
        (?:hours?|hrs?|days?|weeks?|months?|minutes?|mins?)
    )\b"""

_LEXICON = {
    "FUT": "will shall gonna should expect expects scheduled slated planned due ensure",
    "NEG": "not no never cannot nothing none nobody without",
    "ME": "i we me us my our myself ourselves",
    "THEY": "they he she them their his her",
    "FAULT": (
        "fault blame blamed caused messed screwed botched broke fumbled dropped forgot missed "
        "ignored neglected failed mistake mistakes error errors sloppy careless culprit "
        "responsible because thanks overlooked mishandled misconfigured slipped slip"
    ),
    "SURE": (
        "guarantee guaranteed guarantees promise assure assured assurance definitely certainly "
        "absolutely surely sure certain confident word never always zero forever perfect "
        "perfectly flawless flawlessly 100 completely totally permanently again"
    ),
    "VAGUE": (
        "soon shortly later asap eventually posted touch updated update updates follow "
        "circle revert sometime meantime possible"
    ),
    "ALARM": (
        "urgent urgently emergency immediately critical crisis disaster catastrophic "
        "nightmare panic asap now unacceptable"
    ),
    "DELIVER": (
        "fix fixed fixes ship shipped ships deploy deployed release released resolve resolved "
        "ready live done deliver delivered patch patched restore restored complete completed "
        "finish finished launch launched available sorted working installed migrated "
        "refund refunded credit credited replace replaced upgrade upgraded build built "
        "arrive arrives land lands out implement implemented"
    ),
    "NEWS": (
        "call email ping confirm hear know tell share send reply respond check review "
        "discuss meet talk contact"
    ),
    "PARTY": (
        "team teams squad department dept engineering engineers engineer developers developer "
        "devs dev product legal finance billing support sales marketing security ops devops "
        "infra infrastructure qa compliance procurement operations management "
        "leadership vendor vendors supplier suppliers provider providers contractor "
        "contractors partner partners processor consultant consultants agency carrier courier "
        "host manager managers lead leads admin admins administrator colleague colleagues "
        "staff folks guys people crew desk director cto ceo cfo vp boss reseller firm "
        "specialist specialists analyst technician integrator architect office warehouse"
    ),
}
_CLASS = {word: name for name, words in _LEXICON.items() for word in words.split()}
_LISTS = {
    "past": "was were had did broke forgot lost sent made took went got gave told left ran let "
    "kept put wrote sat blew fell dropped missed caused",
    "start": "i it this that these those there here we you the a an he she they our your their "
    "my hi hello dear thanks thank please sorry yes no ok okay so and but also just",
    # who acts, and how (`_agent`)
    "clause": "and so but then while meanwhile because once after",
    "determiner": "the a an their his her",
    "not subject": "i we you it this that these those there here he she they what which who "
    "everything nothing something anything everyone someone",
    "not present": "is was has does this its thanks always sales ops devs news us yes plus "
    "across perhaps unless series analytics logistics operations as his hers ours yours theirs",
    "object": "the a an your our their them it this that these those all every each both his "
    "her him us you me up out over back off",
    "function": "for on in at to from with by as if when once after before of about since "
    "until unless either one both all each every any some most many kind best warm recap "
    "reminder agenda small",
}
_PAST_WORDS = frozenset(_LISTS["past"].split())
_SENTENCE_START = frozenset(_LISTS["start"].split())
_CLAUSE_WORDS = frozenset(_LISTS["clause"].split())
_DETERMINERS = frozenset(_LISTS["determiner"].split())
_NOT_SUBJECT = frozenset(_LISTS["not subject"].split())
_NOT_PRESENT = frozenset(_LISTS["not present"].split())
_OBJECT_START = frozenset(_LISTS["object"].split())
_FUNCTION_WORDS = frozenset(_LISTS["function"].split())


_COMPILED: list[re.Pattern[str]] = []


def prepare(cache: Path | None = None) -> None:
    """Compile the word patterns once a process; with `cache`, as the playbook's patterns
    are, once a data folder (compiling them is most of what the classifier costs a run)."""
    if not _COMPILED:
        from escalate_cli.patterns import compile_all

        items = [(_DATE, re.IGNORECASE | re.VERBOSE), (_TOKEN, 0)]
        _COMPILED.extend(found.regex for found in compile_all(items, cache))


class Token(NamedTuple):
    """A tuple, made thousands of times a large draft: cheaper than a frozen dataclass."""

    word: str
    kind: str  # a word class, or "" for none
    start: int  # offset in the draft


def tokens(text: str, offset: int = 0) -> list[Token]:
    """The words of one sentence, lower case (unless shouted), contractions spelled out,
    each with its class; a date or time expression is the one word "DATE", whatever date
    it names (a weight for "thursday" would make a verdict depend on the day)."""
    if not _COMPILED:
        prepare()
    date_pattern, token_pattern = _COMPILED
    dates = [(m.start(), m.end()) for m in date_pattern.finditer(text)]
    found: list[Token] = []
    first = True
    in_date = -1  # the end of the date expression the last token was in
    ahead = 0  # the first date that does not end before this token (dates are in order)
    for match in token_pattern.finditer(text):
        start = match.start()
        while ahead < len(dates) and dates[ahead][1] <= start:
            ahead += 1
        date = dates[ahead][1] if ahead < len(dates) and dates[ahead][0] <= start else -1
        if date >= 0:  # "Thursday 3 December", "4pm tomorrow": one date
            if in_date < 0 or text[in_date:start].strip(" ,"):
                found.append(Token("DATE", "DATE", offset + start))
            in_date, first = date, False
            continue
        in_date = -1
        key = (match.group(0), first)
        words = _SPELLED.get(key)
        if words is None:
            words = _spelled(*key)
        found.extend(Token(word, kind, offset + start) for word, kind in words)
        first = False
    for index, token in enumerate(found[:-1]):  # "going to" is a future
        if token.word == "going" and found[index + 1].word == "to":
            found[index] = Token(token.word, "FUT", token.start)
    return found


_SPELLED: dict[tuple[str, bool], tuple[tuple[str, str], ...]] = {}
"""What a token spells, with classes, by its text and whether it starts the sentence: a
draft uses few distinct words many times."""


def _spelled(raw: str, first: bool) -> tuple[tuple[str, str], ...]:
    word = raw.lower().replace("’", "'")
    parts = _WHOLE.get(word, (word,))
    for ending, spelled in _CONTRACTIONS if "'" in word and len(parts) == 1 else ():
        if word.endswith(ending) and len(word) > len(ending):
            parts = (word[: -len(ending)], *spelled)
            break
    loud = len(raw) >= 3 and raw.isupper() and raw.isalpha()  # "URGENT" is not "urgent"
    words = tuple(
        (
            part.upper() if loud else _DIGITS.sub("0", part),
            _kind(part, raw if number == 0 else part, first),
        )
        for number, part in enumerate(parts)
    )
    if len(_SPELLED) >= 50_000:  # bounded, whatever the draft
        _SPELLED.clear()
    _SPELLED[(raw, first)] = words
    return words


def _kind(word: str, raw: str, first: bool) -> str:
    if word in _CLASS:
        return _CLASS[word]
    if len(raw) >= 3 and raw.isupper() and raw.isalpha():
        return "CAPS"
    if not first and raw[:1].isupper() and raw[1:].islower() and word not in _SENTENCE_START:
        return "NAME"
    return "PAST" if _is_past(word) else ""


def _is_past(word: str) -> bool:
    return word in _PAST_WORDS or (len(word) > 4 and word.endswith("ed"))


_FLAGS = (
    "DATE",
    "FUT",
    "NEG",
    "ME",
    "THEY",
    "PARTY",
    "NAME",
    "CAPS",
    "FAULT",
    "SURE",
    "VAGUE",
    "ALARM",
)


def features(text: str, offset: int = 0) -> list[tuple[str, int]]:
    """A sentence's features, each with the draft offset of the word it belongs to (-1 for
    features of the whole sentence). Each feature appears once."""
    words = tokens(text, offset)
    out: dict[str, int] = {}
    add = out.setdefault  # the first offset of a feature is kept
    last = len(words) - 1
    for index, (word, kind, at) in enumerate(words):
        add(f"u:{word}", at)
        if kind:
            add(f"c:{kind}", at)
        if index < last:
            after = words[index + 1]
            add(f"b:{word} {after.word}", at)
            if kind or after.kind:
                add(f"a:{kind or word} {after.kind or after.word}", at)
        if kind:  # a class followed closely by another: "Legal ... will", "will ... Friday"
            for later in words[index + 1 : index + 4]:
                if later.kind:
                    add(f"k:{kind}>{later.kind}", at)
    flags = {token.kind for token in words if token.kind in _FLAGS}
    if any(_is_past(token.word) for token in words):
        flags.add("PAST")
    if text.rstrip().endswith("?"):
        flags.add("QUESTION")
    if "!!" in text or sum(1 for token in words if token.word.isupper()) >= 2:
        flags.add("SHOUT")
    acting = _agent(words, text, offset)
    if acting:
        subject, verb, at = acting
        flags.add("AGENT")
        add(f"g:{verb}", at)
        add(f"g:{subject}&{verb}", at)
    ordered = sorted(flags)
    for index, flag in enumerate(ordered):
        add(f"s:{flag}", -1)
        for other in ordered[index + 1 :]:
            add(f"s:{flag}&{other}", -1)
    return list(out.items())


_CLAUSE_BREAK = frozenset(",;:(–—")
_SUBJECT_WORDS = 6
"""How many words a subject may have: "Anna from our support desk" is five."""


def _agent(words: list[Token], text: str, offset: int) -> tuple[str, str, int] | None:
    """Who acts in the sentence's first clause that has a third party as its subject, and
    how: the subject's kind (a NAME, a PARTY word, a possessive "Tomo's crew", OUR for
    "our studio", FIRST for a first word that starts no sentence by habit, as names do)
    and the verb's (FUT: will, 'll, going to; ING: is doing; NOW: "Tomas drives"; PAST;
    PERF: has done), with the verb's offset. Promises of someone else's work are mostly
    written this way, in words no list holds ("our design studio is redoing the files")."""
    for start in range(len(words)):
        if start and not _clause_starts(words, start, text, offset):
            continue
        found = _acting_from(words, start, text, offset)
        if found:
            return found
    return None


def _clause_starts(words: list[Token], index: int, text: str, offset: int) -> bool:
    before = words[index - 1]
    if before.word in _CLAUSE_WORDS:
        return True
    between = text[before.start - offset : words[index].start - offset]
    return any(mark in _CLAUSE_BREAK for mark in between)


def _acting_from(
    words: list[Token], start: int, text: str, offset: int
) -> tuple[str, str, int] | None:
    index, subject = start, ""
    while index < len(words) and words[index].kind == "DATE":  # "Tomorrow Hana relabels"
        index += 1
    if index < len(words) and words[index].word in _DETERMINERS:
        index += 1
    elif index < len(words) and words[index].word == "our":
        index, subject = index + 1, "OUR"
    first = index
    end = min(len(words), first + _SUBJECT_WORDS)
    while index < end:
        word, kind, _ = words[index]
        verb = _verb(words, index)
        if verb == "NOW" and _clause_starts(words, index + 1, text, offset):
            verb = ""  # "For our records: the cause"
        if verb and index > first:
            return (subject, verb, words[index].start) if subject else None
        if word in _NOT_SUBJECT or kind in ("DATE", "THEY", "FUT", "NEG"):
            return None
        if kind == "ME" and (index == first or word not in _OWNERS):
            return None  # "we", "I"; but "Anna from our support desk"
        if kind in ("NAME", "PARTY"):
            subject = kind
        elif word == "'s" and subject not in ("NAME", "PARTY"):
            subject = "POSS"
        elif (
            index == start
            and _unknown_word(words[index])
            and _may_be_name(words[index], text, offset)
        ):
            subject = "FIRST"
        index += 1
    return None


_OWNERS = frozenset(("our", "my"))
_NOT_NAMES = _SENTENCE_START | _FUNCTION_WORDS


def _unknown_word(token: Token) -> bool:
    """A word with no class that no sentence starts with by habit: in first place, often
    a name ("Tomas drives", "magda prints"), whatever its case in a chat message."""
    word = token.word
    return not token.kind and word.isalpha() and word not in _NOT_NAMES


def _may_be_name(token: Token, text: str, offset: int) -> bool:
    """Whether a first word may be a name as typed: capitalised ("Tomas drives"), or in a
    sentence with no capital at all, as chat writes ("magda prints your aprons"); not the
    lower-case start of a hard-wrapped line ("crates will clear customs before Easter")."""
    return text[token.start - offset].isupper() or not any(map(str.isupper, text))


def _verb(words: list[Token], index: int) -> str:
    """The kind of verb group that starts at `index` ("" for none)."""
    word, kind, _ = words[index]
    after = words[index + 1].word if index + 1 < len(words) else ""
    if kind == "FUT" or word in ("will", "shall"):
        return "FUT"
    if word in ("is", "are", "'s") and after.endswith("ing"):
        return "FUT" if after == "going" else "ING"
    if word in ("has", "have") and _is_past(after):
        return "PERF"
    if _is_past(word):
        return "PAST"
    if (
        len(word) > 3
        and word.endswith("s")
        and not word.endswith("ss")
        and word not in _NOT_PRESENT
        and kind not in ("PARTY", "NAME", "DATE")
        and index + 1 < len(words)
        and (after in _OBJECT_START or after.isdigit() or words[index + 1].kind == "DATE")
    ):
        return "NOW"  # "Tomas drives the cabins", not the plural of "Kind regards"
    return ""


# --- the model -----------------------------------------------------------------------------


@record
class Model:
    """Per feature, one weight for each rule (in the order of `rules`); a rule's score is
    its bias plus the weights of the sentence's features."""

    rules: tuple[str, ...]
    bias: tuple[float, ...]
    threshold: tuple[float, ...]
    names: dict[str, int]
    """Each feature's row in `table`."""
    table: array.array[int]
    """The weights in thousandths (`SCALE`), a row of one per rule for each feature."""
    trained_on: dict[str, Any]
    veto: tuple[float, ...] | None = None
    """Per rule, the score below which a sentence's pattern finding is dropped (optional)."""
    veto_for: tuple[str, ...] = ()
    """Per rule, the `rule_digest` of the rule the veto was tuned against."""
    veto_parts: tuple[tuple[str, frozenset[str]], ...] = ()
    """Per rule, the `parts_digest` of that rule (optional): a rule a team has since given
    more exceptions, phrases or patterns keeps its veto."""

    def weights(self, name: str) -> tuple[float, ...] | None:
        """A feature's weights, one for each rule, or None if the model has no such feature."""
        row = self.names.get(name)
        if row is None:
            return None
        width = len(self.rules)
        return tuple(weight / SCALE for weight in self.table[row * width : (row + 1) * width])


class Hit(NamedTuple):
    """A sentence a rule's model flags: which sentence, its score, the word that weighs most.
    (A tuple: a draft full of findings makes tens of thousands.)"""

    rule: str
    sentence: int
    score: float
    position: int


def scores(model: Model, sentence: list[tuple[str, int]]) -> list[tuple[float, int]]:
    """A sentence's score for each rule, and for a rule it reaches the threshold of, the
    offset of its strongest-weighted word (-1 otherwise: only a hit needs the word).

    The weights are looked up and summed column by column in C (`map`, `zip`, `sum`), in
    the order of the features, as integers (thousandths): the sum is exact, whatever the
    order, and the bias is added once."""
    rows = list(map(model.names.get, map(_NAME, sentence)))
    width, table = len(model.rules), model.table
    found = [table[row * width : row * width + width] for row in rows if row is not None]
    columns = list(zip(*found, strict=True)) if found else [()] * width
    totals = [
        bias + total / SCALE for bias, total in zip(model.bias, map(sum, columns), strict=True)
    ]
    reached = list(map(operator.ge, totals, model.threshold))
    if not any(reached):  # most sentences of most drafts
        return [(total, -1) for total in totals]
    offsets = [at for (_, at), row in zip(sentence, rows, strict=True) if row is not None]
    return [
        (total, _strongest(offsets, column) if hit else -1)
        for total, hit, column in zip(totals, reached, columns, strict=True)
    ]


def strongest(draft: Draft, model: Model, sentence: int, rule: str) -> int:
    """Where in the draft the word of a sentence that weighs most for `rule` is, whatever
    the sentence scores (its first word if none weighs): where a finding the model made
    below its threshold is placed."""
    start, end = draft.spans[sentence]
    words = features(draft.for_model[start:end], start)
    column, width = model.rules.index(rule), len(model.rules)
    rows = list(map(model.names.get, map(_NAME, words)))
    offsets = [at for (_, at), row in zip(words, rows, strict=True) if row is not None]
    weights = [model.table[row * width + column] for row in rows if row is not None]
    at = _strongest(offsets, weights)
    return at if at >= 0 else _first_word(draft, start)


def _strongest(offsets: list[int], weights: Iterable[int]) -> int:
    """The offset whose words' weights sum highest (the earliest of equals), or -1."""
    by_word: dict[int, int] = {}
    for at, weight in zip(offsets, weights, strict=True):
        if at >= 0 and weight:
            by_word[at] = by_word.get(at, 0) + weight
    return max(by_word, key=lambda at: (by_word[at], -at)) if by_word else -1


_NAME = operator.itemgetter(0)


def sentences(draft: Draft) -> Iterator[tuple[int, int, str]]:
    """Each sentence of the draft that has words: its index, its start, its text (quoted
    and reported words masked, and a brief's labels: `Draft.for_model`)."""
    for index, (start, end) in enumerate(draft.spans):
        text = draft.for_model[start:end]
        if text.strip():
            yield index, start, text


def sentence_features(draft: Draft) -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """Each sentence of the draft with its features."""
    for index, start, text in sentences(draft):
        yield index, features(text, start)


Scored = dict[int, list[tuple[float, int]]]
"""Sentence index -> per rule (in the model's order), its score and strongest word."""


def scored(draft: Draft, model: Model) -> Scored:
    """Every sentence's scores, computed once for the vetoes and the hits. A sentence's
    features depend on its own text only, so a text met again (a signature, a repeated
    paragraph) reuses its scores, moved to where it stands."""
    seen: dict[str, tuple[list[tuple[float, int]], bool]] = {}
    result: Scored = {}
    for index, start, text in sentences(draft):
        kept = seen.get(text)
        if kept is None:
            each = scores(model, features(text))
            kept = seen[text] = (each, any(at >= 0 for _, at in each))
        each, placed = kept
        # most sentences have no word to move, and share the list (nobody changes it)
        result[index] = [(t, at + start if at >= 0 else at) for t, at in each] if placed else each
    return result


class Veto(NamedTuple):
    """Where a rule's score stands in a sentence's scores, and the score below which the
    model all but rules the rule out, so that a pattern's finding there is dropped."""

    column: int
    below: float
    added: frozenset[int] = frozenset()
    """Positions in the rule's `patterns` of those added since the veto was tuned: their
    findings are never vetoed, like those of the rule's phrases."""


def veto(model: Model, rule: LintRule, classes: Classes) -> Veto | None:
    """The model's veto for a rule, or None when it has none, or the rule is not the one
    the veto was tuned against (a rule a team has edited keeps all its findings), unless
    the only edits are more exceptions, phrases or patterns: exceptions take findings
    away, and what a team added is theirs (`Veto.added`), so the veto still fits the
    findings it was tuned on."""
    if model.veto is None or rule.id not in model.rules:
        return None
    index = model.rules.index(rule.id)
    if model.veto_for[index] in _once(_digests, rule, classes):
        return Veto(index, model.veto[index])
    if not model.veto_parts:
        return None
    core, earlier, parts, patterns = _once(_split, rule, classes)
    tuned_core, tuned = model.veto_parts[index]
    if tuned_core not in (core, earlier) or not tuned <= parts:
        return None
    if tuned_core == earlier:  # its parts are the exceptions alone: patterns as they were
        return Veto(index, model.veto[index])
    added = frozenset(at for at, digest in enumerate(patterns) if digest not in tuned)
    return Veto(index, model.veto[index], added)


def tuned_rule(model: Model, rule: LintRule, classes: Classes) -> LintRule | None:
    """The rule the model's veto was tuned against, as the playbook has it now: `rule`
    without the phrases, patterns and exceptions added since, which stay the team's (the
    trainer records this rule, so a team may later edit or drop what it added and keep
    the veto), or None when the veto no longer fits `rule` (see `veto`)."""
    found = veto(model, rule, classes)
    if found is None:
        return None
    if model.veto_for[found.column] in _once(_digests, rule, classes):
        return rule
    tuned_core, tuned = model.veto_parts[found.column]  # `veto` matched it through these
    if tuned_core == _once(_split, rule, classes)[1]:
        return rule  # an earlier escalate's parts: the rule with more exceptions

    def kept(field: str) -> tuple[str, ...]:
        return tuple(p for p in getattr(rule, field) if _part(field, p, classes) in tuned)

    return dataclasses.replace(
        rule,
        phrases=kept("phrases"),
        patterns=kept("patterns"),  # those of `found.added` are the ones left out
        unless=kept("unless"),
        unless_before=kept("unless_before"),
        unless_inside=kept("unless_inside"),
    )


_KNOWN: dict[tuple[str, int], tuple[LintRule, Classes, Any]] = {}


def _once(make: Callable[[LintRule, Classes], Any], rule: LintRule, classes: Classes) -> Any:
    """`make(rule, classes)`, worked out once per rule of a playbook (tens of thousands
    of findings may ask): playbooks are immutable, so the same objects give the same
    answer."""
    key = (make.__name__, id(rule))
    kept = _KNOWN.get(key)
    if kept is None or kept[0] is not rule or kept[1] is not classes:
        if len(_KNOWN) > 128:
            _KNOWN.clear()
        kept = _KNOWN[key] = (rule, classes, make(rule, classes))
    return kept[2]


def _digests(rule: LintRule, classes: Classes) -> tuple[str, str, str]:
    """`rule_digest` and the digests earlier versions wrote, so a team's model trained
    then keeps its vetoes: until Dec 4 over every field of the rule, until Dec 5 over the
    `MATCHING` fields with every word class."""
    every = dataclasses.asdict(rule)
    del every["second_look"], every["second_look_with"]  # fields since Dec 5: never covered
    matching = {name: getattr(rule, name) for name in MATCHING}
    return rule_digest(rule, classes), _sha256([every, classes]), _sha256([matching, classes])


MATCHING = (
    "id",
    "phrases",
    "patterns",
    "requires",
    "unless",
    "unless_before",
    "unless_inside",
    "quoted",
    "case_sensitive",
)
"""The fields of a lint rule that decide where its patterns fire. Its message, suggestion,
severity, `swap` and `rewrite` do not, so a team can reword them without retraining the
model, nor do `second_look` and `second_look_with`, which only let the model find more."""


def rule_digest(rule: LintRule, classes: Classes) -> str:
    """A short hash of where a rule fires: its `MATCHING` fields and the word classes they
    name (directly or through another class), so that editing one class leaves the
    vetoes of the rules that never use it in place."""
    matching = {name: getattr(rule, name) for name in MATCHING}
    written = (pattern for field in _EXPANDED for pattern in getattr(rule, field))
    return _sha256([matching, _named(written, classes)])


EXCEPTIONS = ("unless", "unless_before", "unless_inside")
"""The fields of a lint rule that only take findings away: each entry clears more."""


def parts_digest(rule: LintRule, classes: Classes) -> tuple[str, frozenset[str]]:
    """`rule_digest` in parts: a hash of where the rule fires without its phrases,
    patterns and exceptions, and one hash for each of those (with the word classes it
    names), so that a rule given more of them can be told from one edited otherwise."""
    core, _, parts, _ = _split(rule, classes)
    return core, parts


def _split(rule: LintRule, classes: Classes) -> tuple[str, str, frozenset[str], tuple[str, ...]]:
    """`parts_digest`; the core digest that escalate wrote on Dec 5 before phrases and
    patterns were parts (over them too, its parts the exceptions alone), so a team's
    model trained then keeps its vetoes; and the hash of each pattern in order."""
    core = {name: getattr(rule, name) for name in MATCHING if name not in _PARTS}
    earlier = {name: getattr(rule, name) for name in MATCHING if name not in EXCEPTIONS}
    patterns = tuple(_part("patterns", pattern, classes) for pattern in rule.patterns)
    others = (
        _part(field, pattern, classes)
        for field in _PARTS
        if field != "patterns"
        for pattern in getattr(rule, field)
    )
    return (
        _sha256([core, _named(rule.requires, classes)]),
        _sha256([earlier, _named((*rule.patterns, *rule.requires), classes)]),
        frozenset((*patterns, *others)),
        patterns,
    )


def _part(field: str, pattern: str, classes: Classes) -> str:
    return _sha256([field, pattern, _named([pattern], classes)])


_PARTS = ("phrases", "patterns", *EXCEPTIONS)
"""The fields of a lint rule that a team may add to and keep the model's veto."""
_EXPANDED = ("patterns", "requires", *EXCEPTIONS)
"""The fields of a lint rule whose `{class}` references are written out (phrases are
matched as they are)."""


def _named(patterns: Iterable[str], classes: Classes) -> dict[str, Any]:
    """The word classes `patterns` name (a `{words:N}` gap is none), and those they name
    in turn."""
    from escalate_cli.patterns import REFERENCE

    found: dict[str, Any] = {}
    waiting = list(patterns)
    while waiting:
        for match in REFERENCE.finditer(waiting.pop()):
            name, count = match.groups()
            if count is None and name in classes and name not in found:
                found[name] = classes[name]
                waiting.extend(classes[name])
    return found


def _sha256(data: Any) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def hits(
    draft: Draft, model: Model, only: Collection[str] | None = None, found: Scored | None = None
) -> list[Hit]:
    """Every sentence whose score reaches a rule's threshold: at most one hit a rule a sentence."""
    wanted = [
        (column, rule, threshold)
        for column, (rule, threshold) in enumerate(zip(model.rules, model.threshold, strict=True))
        if only is None or rule in only
    ]
    result = []
    for index, each in (scored(draft, model) if found is None else found).items():
        for column, rule, threshold in wanted:
            total, at = each[column]
            if total >= threshold:
                where = at if at >= 0 else _first_word(draft, draft.spans[index][0])
                result.append(Hit(rule, index, total, where))
    return result


def _first_word(draft: Draft, start: int) -> int:
    text = draft.for_model  # (a brief's labels are not the sentence's words)
    while start < len(text) and text[start].isspace():
        start += 1
    return start


# --- reading a model file -------------------------------------------------------------------

_CACHE: dict[tuple[str, int, int], Model] = {}


def load(path: Path, known: Iterable[str]) -> Model:
    """Read and check a model file; each problem names the file and the field (exit 2).

    Its weights are one base64 string of small integers and its feature names one list, so
    reading and checking the shipped model takes about 6 ms, first run or not: no copy is
    kept anywhere. A format 1 file is read too (about 20 ms; each weight to the thousandth).
    Within a process a model is read once (per path, size and time)."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(path), 0, 0)
    model = _CACHE.get(key)
    if model is None:
        model = _read(path)
        if len(_CACHE) > 4:
            _CACHE.clear()
        _CACHE[key] = model
    rules = set(known)
    for rule in model.rules:
        if rule not in rules:
            raise _error(
                f"{path}: rules: {rule}",
                f"names no lint rule of the playbook (its rules: {', '.join(sorted(rules))})",
            )
    return model


def _read(path: Path) -> Model:
    from escalate_cli.safe_yaml import decode, open_file, read_open

    with open_file(path, "lint model") as handle:
        raw = read_open(handle, path, "lint model", MAX_BYTES)
    text = decode(raw, str(path), "lint model", MAX_BYTES)
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise _error(f"{path}:{line}" if line else str(path), "not valid JSON") from None
    return _checked(path, data)


def _error(where: str, problem: str) -> PlaybookError:
    return PlaybookError(
        f"{where}: {problem}",
        "retrain it (python benchmarks/train_lint_model.py), or remove `model:` from the "
        "playbook's lint section to use the rules alone",
    )


_FIELDS = ("format", "features", "rules", "bias", "threshold", "weights", "trained_on")
_OPTIONAL = ("veto", "veto_for", "veto_parts")


def _checked(path: Path, data: Any) -> Model:
    if not isinstance(data, dict):
        raise _error(str(path), "a lint model is a JSON object")
    layout = data.get("format")
    if layout not in (1, FORMAT):
        raise _error(f"{path}: format", f"expected {FORMAT} (or 1, an earlier escalate's)")
    fields = (*_FIELDS, "names") if layout == FORMAT else _FIELDS
    for field in fields:
        if field not in data:
            raise _error(str(path), f"missing field `{field}`")
    unknown = sorted(set(data) - set(fields) - set(_OPTIONAL))
    if unknown:
        raise _error(f"{path}: {unknown[0]}", "unknown field; check the spelling, or remove it")
    if data["features"] not in READS:
        versions = " or ".join(map(str, READS))
        raise _error(f"{path}: features", f"this version reads features version {versions} only")
    if not isinstance(data["trained_on"], dict):
        raise _error(f"{path}: trained_on", "must be an object")
    rules = data["rules"]
    if not (isinstance(rules, list) and rules and all(isinstance(r, str) for r in rules)):
        raise _error(f"{path}: rules", "must be a list of lint rule ids")
    if len(set(rules)) != len(rules):
        raise _error(f"{path}: rules", "names a rule twice")
    for field in ("bias", "threshold", *(["veto"] if "veto" in data else [])):
        if not _numbers(data[field], len(rules)):
            raise _error(f"{path}: {field}", f"must be a list of {_count(len(rules))}")
    if "veto" in data:
        if any(v > t for v, t in zip(data["veto"], data["threshold"], strict=True)):
            raise _error(f"{path}: veto", "each rule's veto must be at most its threshold")
        digests = data.get("veto_for")
        if not (
            isinstance(digests, list)
            and len(digests) == len(rules)
            and all(isinstance(d, str) and len(d) <= MAX_KEY for d in digests)
        ):
            raise _error(f"{path}: veto_for", f"must be a list of {len(rules)} rule digests")
    parts = _parts(path, data.get("veto_parts"), len(rules)) if "veto_parts" in data else ()
    if layout == 1:
        names, table = _rows(path, data["weights"], len(rules))
    else:
        names = _names(path, data["names"])
        table = _table(path, data["weights"], len(names) * len(rules))
    return Model(
        tuple(rules),
        tuple(map(float, data["bias"])),
        tuple(map(float, data["threshold"])),
        names,
        table,
        data["trained_on"],
        tuple(map(float, data["veto"])) if "veto" in data else None,
        tuple(data.get("veto_for", ())),
        parts,
    )


def _parts(path: Path, parts: Any, count: int) -> tuple[tuple[str, frozenset[str]], ...]:
    """A model's `veto_parts`: per rule, its core digest and a list of part digests (one
    for each phrase, pattern and exception; the file's size bounds them)."""

    def digest(value: Any) -> bool:
        return isinstance(value, str) and len(value) <= MAX_KEY

    if not (
        isinstance(parts, list)
        and len(parts) == count
        and all(
            isinstance(part, list)
            and len(part) == 2
            and digest(part[0])
            and isinstance(part[1], list)
            and all(map(digest, part[1]))
            for part in parts
        )
    ):
        raise _error(
            f"{path}: veto_parts",
            f"must be a list of {count} [core digest, [part digests]] pairs",
        )
    return tuple((core, frozenset(exceptions)) for core, exceptions in parts)


def _names(path: Path, names: Any, field: str = "names") -> dict[str, int]:
    """Each feature's row in the table; the checks run in C (`map`, `set`)."""
    if not (isinstance(names, list) and set(map(type, names)) <= {str}):
        raise _error(f"{path}: {field}", "must be a list of feature names")
    if len(names) > MAX_FEATURES:
        raise _error(f"{path}: {field}", f"more than {MAX_FEATURES:,} features")
    if max(map(len, names), default=0) > MAX_KEY:
        long = next(name for name in names if len(name) > MAX_KEY)
        raise _error(f"{path}: {field}", f"{long[:40]!r}… is longer than {MAX_KEY} characters")
    rows = dict(zip(names, range(len(names)), strict=True))
    if len(rows) != len(names):
        twice = next(name for index, name in enumerate(names) if rows[name] != index)
        raise _error(f"{path}: {field}", f"names {twice[:40]!r} twice")
    return rows


def _table(path: Path, weights: Any, count: int) -> array.array[int]:
    """The weights, read from base64: `count` signed 16-bit little-endian integers."""
    import base64
    import binascii

    if not isinstance(weights, str):
        raise _error(f"{path}: weights", "must be a string (base64)")
    try:
        raw = base64.b64decode(weights, validate=True)
    except (binascii.Error, ValueError):
        raise _error(f"{path}: weights", "not valid base64") from None
    table = array.array("h")
    if len(raw) != count * table.itemsize:
        raise _error(
            f"{path}: weights",
            f"holds {len(raw) // table.itemsize:,} weights; one for each name and rule "
            f"is {count:,}",
        )
    table.frombytes(raw)
    return _little_endian(table)


def _rows(path: Path, weights: Any, width: int) -> tuple[dict[str, int], array.array[int]]:
    """A format 1 model's weights (a list of `width` numbers per feature) as format 2 holds
    them: each to the thousandth."""
    if not isinstance(weights, dict):
        raise _error(f"{path}: weights", "must be an object of feature: weights")
    names = _names(path, list(weights), "weights")
    for name, row in weights.items():
        if not (_numbers(row, width) and all(abs(weight) <= LARGEST for weight in row)):
            raise _error(
                f"{path}: weights[{name[:40]!r}]",
                f"must be a list of {_count(width)}, each between -{LARGEST} and {LARGEST}",
            )
    values = (round(weight * SCALE) for row in weights.values() for weight in row)
    return names, array.array("h", values)


def encode_weights(rows: Iterable[Iterable[float]]) -> str:
    """The `weights` string of a model file: each weight in thousandths, row after row (for
    the trainer and for tests that write a model); ValueError for a weight too large."""
    import binascii

    values = [weight for row in rows for weight in row]
    if any(not abs(weight) <= LARGEST for weight in values):
        raise ValueError(f"a weight beyond ±{LARGEST} does not fit a model file")
    table = array.array("h", (round(weight * SCALE) for weight in values))
    return binascii.b2a_base64(_little_endian(table).tobytes(), newline=False).decode("ascii")


def _little_endian(table: array.array[int]) -> array.array[int]:
    """The table's bytes swapped in place on a big-endian machine: the file's order is fixed,
    and swapping is its own inverse, so reading and writing both go through here."""
    import sys

    if sys.byteorder == "big":
        table.byteswap()
    return table


def _count(rules: int) -> str:
    from escalate_cli.textsafe import plural

    return plural(rules, "finite number")


def _numbers(value: Any, count: int) -> bool:
    """A list of `count` finite numbers (Python's JSON reader accepts NaN and Infinity, and
    reads a huge literal as infinity)."""
    try:
        return (
            isinstance(value, list)
            and len(value) == count
            and all(type(item) in (int, float) for item in value)
            and all(map(math.isfinite, value))
        )
    except OverflowError:  # an integer too large for a float
        return False
