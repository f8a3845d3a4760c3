"""The message coach: find wording that triggers or worsens escalations. Pure.

Rules are playbook data (see `LintRule`); a partner's recorded trigger notes join them as
rule `partner_trigger`. The draft is read sentence by sentence, with quoted text and
reported speech ("they asked us to fix it ASAP") left out, and each rule gives at most one
finding a sentence, with its 1-based line and column and a suggestion that rewrites the
sentence where the rule can. Cost is linear in the draft: line starts are found once and
looked up by bisection, a pattern is tried only in the sentences holding its anchors (found
through the draft's distinct words), and a sentence met again with the same text around
it is not matched again.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import accumulate, chain, repeat
from pathlib import Path

from escalate_cli.dates import WEEKDAYS, Cushion, add_working_days, nearest
from escalate_cli.patterns import (
    Compiled,
    compile_all,
    expand,
    shipped_anchors,
    shipped_code_record,
)
from escalate_cli.playbook import Lint, LintRule
from escalate_cli.records import record
from escalate_cli.triggers import QUOTED, trigger_phrases

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
MAX_REWRITE = 300
"""Sentences longer than this get the rule's advice, not a rewritten copy of themselves."""
SECOND_LOOK_REACH = 5
"""How many sentences (with words) either side of one that holds a finding a second look
reaches: in a long thread one shout must not send every rule looking through all of it.
No labelled message of the tuning files changes for it."""


@record
class Finding:
    line: int
    column: int
    rule: str
    severity: str
    message: str
    suggestion: str
    excerpt: str
    second_look: bool = False
    """Found by a second look (`_Judge.second_look`): the sentence scored under the rule's
    threshold, within its `second_look` margin, in a draft where another rule found
    something."""

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "excerpt": self.excerpt,
            "second_look": self.second_look,
        }


# --- the draft: sentences, and what is someone else's words --------------------------------

_END = r"""[.!?]*(?=[\s"'”’)\]]|$)"""
_LEADS_IN = ("the", "a", "an", "to", "of", "our", "your")
"""A line that ends in one of these words runs on: "we sent the\nGuarantee" is one sentence."""
_WRAPPED = "".join(rf"(?<!\b{word}\n)" for word in _LEADS_IN)
_TITLES = "|".join(rf"(?<=\b{title}\.)" for title in ("Mr", "Ms", "Mrs", "Dr", "Prof"))
_DOTTED = "|".join(  # day and month (1 to 12), not a version ("2.4.1.") or a price ("14.50.")
    rf"(?<=(?<![\d.]){day}\.{month}\.)" for day in (r"\d", r"\d\d") for month in (r"\d", r"[01]\d")
)
_NOT_AN_END = (  # a title before a name, "e.g.", or a dotted date before a lower-case word
    rf"(?!(?:{_TITLES})[ \t]+[A-Z])(?!(?:(?<=\b[eE]\.g\.)|(?<=\b[iI]\.e\.))\s)"
    rf"(?!(?:{_DOTTED})[ \t]+[a-z])"
)
"""A full stop that does not end the sentence: "Ms. Rinaldi will…", "on 18.04. for every branch"."""
_BOUNDARY = (  # each choice starts with its character: the matcher skips to the next
    rf"""\.{_NOT_AN_END}{_END}|!{_END}|\?{_END}|;|\n[ \t]*\n"""
    rf"""|\n{_WRAPPED}(?=[ \t]*(?:[-*•]\s|\d+[.)]\s|[A-Z]))"""
)
_RUNS_ON = ("and", "or", "but", "by", "on", "for", "in", "at", "with", "from", "that", "will")
_CARRIES_ON = (
    *("and", "or", "but", "by", "to", "back", "on", "for", "in", "at", "with", "from", "that"),
    *("which", "until", "till", "before", "after", "because", "than", "as", "of", "via"),
    *("into", "within", "without", "across", "through"),
)
_SHORT_LINE = (
    r"\n(?=([^\n]{0,58}[^\s,])"
    + rf"(?=[ \t\r]*\n[ \t]*(?!(?:{'|'.join(_CARRIES_ON)})\b)[a-z])"
    + "".join(rf"(?<!\b{word})" for word in (*_LEADS_IN, *_RUNS_ON))
    + ")"
)
"""A short line (under 60 characters, as chat lines are; a wrapped email line is longer)
ends its sentence even before a lower-case letter: "fix goes out friday\nwill keep u
posted" is two sentences. Not when the line ends in a comma or a word that runs on ("the",
"to", "and"…), nor when the next line carries the sentence on ("we will ship the fix\nby
friday", "we'll get\nback to you"). Group 1 is the line without its trailing blanks; the
pattern is matched against the draft with a line break put in front. The line's end and
the next line's first word are looked for before the words that run on, so a line the
pattern does not end costs one test a character, not twenty."""
_WORDS = re.compile(r"\w+")
_REPORTED = (  # the first letters up front let the matcher skip ahead quickly
    r"\b(?=[acdimrstw])(?<!never\s)(?<!n't\s)(?<!n’t\s)(?<!not\s)"
    r"(?!(?<=\byou\s)(?:asked\s+for|requested)\b)"  # "the report you asked for": a thing
    # "I've asked them" is the writer's own act, not someone's words (looked behind only
    # where "ask" follows: most letters are not the start of one)
    r"(?:(?=ask)(?<!\bi\s)(?<!\bwe\s)(?<!i've\s)(?<!i’ve\s)(?<!we've\s)(?<!we’ve\s)"
    r"ask(?:ed|s|ing)|sa(?:id|ys|ying)|told\s+(?:us|me)|tells\s+(?:us|me)|wr(?:ote|ites)"
    r"|mentioned|complained|requested|demanded|insisted|claimed|wanted\s+to\s+know)\b"
    r"[^,;:.!?\n]*"
)
_REPLY = r"^[ \t]*>[^\n]*"
"""A line of an e-mail being replied to ("> jonas will swap the probes tomorrow"): the
customer's words, quoted, not the writer's."""
_SPLITTING: list[re.Pattern[str]] = []
"""Sentence ends, quotes and reported speech, compiled once a process (see `splitting`)."""


def splitting(cache: Path | None = None) -> list[re.Pattern[str]]:
    """The patterns that split a draft into sentences and find someone else's words: with
    `cache`, compiled as the playbook's patterns are, once a data folder (the standard
    library takes about a millisecond for these)."""
    if not _SPLITTING:
        items = [
            (_BOUNDARY, 0),
            (QUOTED, 0),
            (_REPORTED, _IGNORECASE),
            (_SHORT_LINE, 0),
            (_REPLY, re.MULTILINE),
        ]
        _SPLITTING.extend(found.regex for found in compile_all(items, cache))
    return _SPLITTING


def _masked(text: str, spans: Iterable[re.Match[str]]) -> str:
    """`text` with the characters of each span, except line breaks, made spaces."""
    pieces: list[str] = []
    done = 0
    for start, end in sorted(match.span() for match in spans):
        if end > done:
            start = max(start, done)
            pieces += [text[done:start], re.sub(r"[^\n]", " ", text[start:end])]
            done = end
    return "".join([*pieces, text[done:]])


class Draft:
    """A draft prepared once for every rule: sentence spans, line starts, masked copy, and
    the copy the model scores: the masked copy without `labels`, the template's own
    words in a draft the brief wrote ("Proposed path:"). The brief's drafts are ordinary
    training messages, so those words pull a line's scores down, and the user's "Get
    engineering on it ASAP." would lose the finding `escalate lint` gives it alone.
    `theirs` are labels after which the template writes the customer's view ("What they
    want:" before "proof it cannot happen again"): a line that starts with one is masked
    to its end, as reported speech is, for every rule."""

    def __init__(
        self, text: str, labels: Collection[str] = (), theirs: Collection[str] = ()
    ) -> None:
        self.text = text
        self.lines = list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))
        boundary, quoted, speech, short_line, reply = splitting()
        ends = [found.end() for found in boundary.finditer(text)]
        if "\n" in text:
            shorts = [found.end(1) for found in short_line.finditer("\n" + text)]
            if shorts:
                ends = sorted({*ends, *shorts})
        self.starts: list[int] = [0, *ends]
        self.spans: list[tuple[int, int]] = list(zip(self.starts, [*ends, len(text)], strict=True))
        spans = [*quoted.finditer(text), *speech.finditer(text), *reply.finditer(text)]
        if theirs:
            views = "|".join(map(re.escape, theirs))
            spans += re.finditer(rf"^[ \t]*(?:{views})[^\n]*", text, re.MULTILINE)
        self.masked = _masked(text, spans)
        self.for_model = self.masked
        if labels:
            found = re.finditer("|".join(map(re.escape, labels)), self.masked)
            self.for_model = _masked(self.masked, found)
        # Each draft caches its own lookups: `functools.cache` on the methods would keep
        # every draft of a long run alive (7.8 GB in one worker of benchmarks/second_look.py).
        self.lower = functools.cache(self._lower)
        self.haystack = functools.cache(self._haystack)
        self.words = functools.cache(self._words)
        self.present = functools.cache(self._present)
        self.holding_any = functools.cache(self._holding_any)
        self.holding = functools.cache(self._holding)

    def _lower(self, masked: bool) -> str | None:
        """The draft in lower case for anchor search, if lower-casing keeps every offset."""
        source = self.masked if masked else self.text
        lowered = source.lower()
        return lowered if len(lowered) == len(source) else None

    def _haystack(self, masked: bool, lower: bool) -> str:
        return (self.lower(masked) or "") if lower else (self.masked if masked else self.text)

    def _words(self, masked: bool, lower: bool) -> tuple[str, list[int], list[list[list[int]]]]:
        """The draft's distinct words (runs of word characters) joined by NUL, where each
        starts in that string, and the sentences holding each one (in lists, one for each
        text: a sentence met again is read once). A word never runs across a sentence
        boundary, which always ends on punctuation or a line break."""
        haystack = self.haystack(masked, lower)
        by_text: dict[str, list[int]] = {}
        for index, (start, end) in enumerate(self.spans):
            by_text.setdefault(haystack[start:end], []).append(index)
        where: dict[str, list[list[int]]] = {}
        for text, indices in by_text.items():
            for word in set(_WORDS.findall(text)):
                where.setdefault(word, []).append(indices)
        offsets = list(accumulate((len(word) + 1 for word in where), initial=0))
        return "\0".join(where), offsets, list(where.values())

    def _present(self, anchors: Anchors, masked: bool, lower: bool) -> frozenset[str]:
        """Which of a playbook's anchors the draft holds, each looked for once a draft: a
        pattern with an anchor group none of them is in is ruled out by one set operation."""
        words, others = anchors
        vocabulary, haystack = self.words(masked, lower)[0], self.haystack(masked, lower)
        held = [anchor for anchor in words if anchor in vocabulary]
        return frozenset(held + [anchor for anchor in others if anchor in haystack])

    def _holding_any(
        self, group: tuple[str, ...], present: frozenset[str], masked: bool, lower: bool
    ) -> frozenset[int]:
        """The sentences that may hold one of a group of anchors (patterns share groups);
        `present`: the anchors the draft holds somewhere."""
        held = (anchor for anchor in group if anchor in present)
        return frozenset().union(*(self.holding(anchor, masked, lower) for anchor in held))

    def _holding(self, anchor: str, masked: bool, lower: bool) -> frozenset[int]:
        """The sentences that may hold `anchor` (many patterns share anchors).

        An anchor made of word characters is looked up in the draft's distinct words, not
        in the whole draft, so hundreds of anchors cost little on a long draft; any other
        anchor is searched in the draft, skipping to the next sentence once found."""
        found: set[int] = set()
        if _is_word(anchor):
            vocabulary, offsets, sentences = self.words(masked, lower)
            position = vocabulary.find(anchor)
            while position >= 0:
                word = bisect.bisect_right(offsets, position) - 1
                for indices in sentences[word]:
                    found.update(indices)
                position = vocabulary.find(anchor, offsets[word + 1])
            return frozenset(found)
        haystack = self.haystack(masked, lower)
        position = haystack.find(anchor)
        while position >= 0:
            index = self.sentence(position)
            found.add(index)
            position = haystack.find(anchor, max(position + 1, self.spans[index][1]))
        return frozenset(found)

    def sentence(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def place(self, position: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect.bisect_right(self.lines, position)
        return line, position - self.lines[line - 1] + 1


# --- rules, compiled once per playbook -------------------------------------------------------


@record
class _Rule:
    rule: LintRule
    finds: tuple[Compiled, ...]
    requires: Compiled | None
    unless: Compiled | None
    before: Compiled | None
    inside: Compiled | None
    swaps: tuple[tuple[Compiled, str], ...]

    @functools.cached_property
    def reach(self) -> int | None:
        """How far before a sentence its patterns may look; None if not known."""
        parts = (*self.finds, self.requires, self.unless, self.before, self.inside)
        reaches = [part.reach for part in parts if part is not None]
        return None if None in reaches else max(reaches, default=0)  # type: ignore[type-var]


def phrases_pattern(phrases: Iterable[str]) -> str:
    """Phrases as one pattern: whole words only, any run of white space between them. The
    word-edge checks stand once around the choice, not in each phrase, so the matcher
    makes them once a position, not once a phrase."""
    choices = (r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)
    return r"(?<!\w)(?:" + "|".join(choices) + r")(?!\w)"


def _sources(
    rule: LintRule, coach: Lint, written: dict[str, str] | None = None
) -> list[tuple[str, int]]:
    """Every pattern a rule compiles, expanded, in the order `_rule` takes them back
    (`written`: the word classes written out so far, see `expand`).

    Each pattern is compiled on its own, so the matcher can skip ahead to the literal a
    pattern starts with; the exceptions are one alternation each."""
    flags = 0 if rule.case_sensitive else re.IGNORECASE

    def one(pattern: str) -> str:
        return expand(pattern, coach.classes, written=written)

    def either(patterns: Iterable[str], end: str = "") -> str:
        return "|".join(f"(?:{one(p)}){end}" for p in patterns)

    phrases = [phrases_pattern(rule.phrases)] if rule.phrases else []
    finds = phrases + [one(p) for p in rule.patterns]
    groups = [either(rule.requires), either(rule.unless), either(rule.unless_before, r"\W*$")]
    groups.append(either(rule.unless_inside))
    return [(p, flags) for p in [*finds, *groups, *(either([p]) for p in rule.swap)]]


def _rule(rule: LintRule, compiled: Iterator[Compiled]) -> _Rule:
    finds = tuple(next(compiled) for _ in range(bool(rule.phrases) + len(rule.patterns)))
    requires, unless, before, inside = (next(compiled) for _ in range(4))
    return _Rule(
        rule,
        finds,
        requires if rule.requires else None,
        unless if rule.unless else None,
        before if rule.unless_before else None,
        inside if rule.unless_inside else None,
        tuple((next(compiled), put) for put in rule.swap.values()),
    )


Anchors = tuple[frozenset[str], frozenset[str]]
"""A playbook's anchors: those made of word characters, and the others (see `_anchors`)."""
_CACHE: dict[int, tuple[Lint, tuple[_Rule, ...], Anchors]] = {}
ANCHORS = "default.anchors.json"
"""Shipped next to the bundled playbook: its patterns' anchors (see `write_bundled_anchors`)."""
CODE: str | None = (
    f"default.{sys.implementation.cache_tag}.patterns" if sys.implementation.cache_tag else None
)
"""Shipped next to it too, one for each Python a release is built for: its patterns' code."""


def prepare(coach: Lint, cache: Path | None = None) -> None:
    """Ready a playbook's rules once per process; with `cache`, what a run finds out about
    them (their anchors, the patterns a draft needed compiled) is kept for the next run
    in the data folder once `keep_compiled` is called, so a short draft is checked quickly."""
    from escalate_cli.playbook import bundled_path

    splitting(cache)
    written: dict[str, str] = {}
    items = [item for rule in coach.rules for item in _sources(rule, coach, written)]
    shipped = bundled_path().with_name(ANCHORS)
    code = shipped.with_name(CODE) if CODE else None
    compiled = iter(compile_all(items, cache, shipped, code))
    if len(_CACHE) > 8:
        _CACHE.clear()
    rules = tuple(_rule(rule, compiled) for rule in coach.rules)
    _CACHE[id(coach)] = (coach, rules, _anchors(rules))


def _anchors(rules: Iterable[_Rule]) -> Anchors:
    """Every anchor of the rules' patterns, gathered once a playbook, not once a draft."""
    parts = (part for rule in rules for part in (*rule.finds, rule.requires, rule.unless))
    found = {anchor for part in parts if part for group in part.anchors for anchor in group}
    words = frozenset(filter(_is_word, found))
    return words, frozenset(found - words)


def write_bundled_anchors(*pythons: str) -> None:
    """For maintainers, after editing the lint section of playbooks/default.yaml: write the
    anchors of its patterns, and their code compiled by this Python and by each of
    `pythons` (paths of other interpreters, which need nothing installed), so a first run
    in a new data folder parses and compiles none of them. A test says when they are out
    of date; until refreshed, a first run compiles what its draft needs."""
    import json
    import subprocess

    from escalate_cli.playbook import bundled_path, load

    coach = load(bundled_path()).lint
    items = [item for rule in coach.rules for item in _sources(rule, coach)]
    bundled_path().with_name(ANCHORS).write_text(shipped_anchors(items), encoding="utf-8")
    if CODE:
        bundled_path().with_name(CODE).write_bytes(shipped_code_record(items))
    source = str(Path(__file__).resolve().parents[1])
    for python in pythons:
        made = subprocess.run(
            [python, "-c", _WRITE_CODE, source],
            input=json.dumps(items).encode(),
            capture_output=True,
            check=True,
        )
        tag, _, record = made.stdout.partition(b"\n")
        bundled_path().with_name(f"default.{tag.decode()}.patterns").write_bytes(record)


_WRITE_CODE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from escalate_cli.patterns import shipped_code_record
items = [tuple(item) for item in json.load(sys.stdin)]
sys.stdout.buffer.write(sys.implementation.cache_tag.encode() + b"\\n")
sys.stdout.buffer.write(shipped_code_record(items))
"""


def _compiled(coach: Lint) -> tuple[tuple[_Rule, ...], Anchors]:
    cached = _CACHE.get(id(coach))
    if cached is None or cached[0] is not coach:  # playbooks are immutable: id and identity
        prepare(coach)
        cached = _CACHE[id(coach)]
    return cached[1], cached[2]


# --- linting ---------------------------------------------------------------------------------


def lint(
    text: str,
    coach: Lint,
    triggers: Iterable[str] = (),
    partner: str = "",
    *,
    only: Collection[str] | None = None,
    today: dt.date | None = None,
    labels: Collection[str] = (),
    theirs: Collection[str] = (),
) -> list[Finding]:
    """Every finding in `text`, in reading order; `triggers` are trigger-note texts.

    `only` limits the playbook rules to those ids (and so which findings start a second
    look); `today` lets suggestions name the cushioned date for "tomorrow" or "March 3rd"
    (weekdays need no calendar). With the playbook's `model`, the sentences its classifier
    flags join the patterns' findings, and then the second looks (`_Judge.second_look`);
    `labels` are the template's words in a draft the brief wrote, and `theirs` the labels
    of its lines that give the customer's view (see `Draft`)."""
    draft = Draft(text, labels, theirs)
    findings: list[Finding] = []
    rules, anchors = _compiled(coach)
    judge = _Judge(draft, coach, rules) if coach.model else None
    cushion = coach.cushion()
    for compiled in rules:
        if only is None or compiled.rule.id in only:
            found = _rule_findings(draft, compiled, anchors, cushion, today, judge)
            findings.extend(found)
    if judge:
        findings.extend(judge.hits(only, today))
        findings.extend(judge.second_look(only, today))
    findings.extend(_trigger_findings(draft, triggers, partner))
    return sorted(findings, key=lambda f: (f.line, f.column, SEVERITY_ORDER[f.severity]))


def _rule_findings(
    draft: Draft,
    compiled: _Rule,
    anchors: Anchors,
    cushion: Cushion,
    today: dt.date | None,
    judge: _Judge | None = None,
) -> Iterator[Finding]:
    """The rule's findings, at most one a sentence, in reading order; those the model
    (`judge`) vetoes are left out."""
    rule = compiled.rule
    source = draft.text if rule.quoted else draft.masked
    masked = not rule.quoted
    finds = [(find, _candidates(draft, find, masked, anchors)) for find in compiled.finds]
    hit: set[int] = set().union(*(where for _, where in finds))  # sentences a pattern may match
    if not hit:  # most rules in most drafts: the exceptions need not be looked for
        return
    if compiled.requires and compiled.requires.anchors:
        hit &= _candidates(draft, compiled.requires, masked, anchors)  # else it lacks a must
    unless = compiled.unless
    clear = _candidates(draft, unless, masked, anchors) if unless and unless.anchors else None
    seen: dict[tuple[object, ...], tuple[int, str, str, bool] | None] = {}
    spans, text, reach, place = draft.spans, draft.text, compiled.reach, draft.place
    vetoed: Callable[[int, bool], bool] | None = None
    unvetoed: list[re.Pattern[str]] = []
    still_risky = judge.still_risky(compiled) if judge is not None else None
    for index in sorted(hit):
        start, end = spans[index]
        key: tuple[object, ...] = (index,)
        if reach is not None:  # all the patterns can see, and the words to rewrite
            since = max(0, start - reach)
            key = (source[since:end], start - since, text[start:end] if masked else "")
        if key not in seen:  # a sentence seen before in the same place gives the same
            tried = [find.regex for find, where in finds if index in where]
            may_clear = clear is None or index in clear
            match = _first_match(compiled, tried, source, start, end, may_clear)
            if match and judge is not None and vetoed is None:
                vetoed, unvetoed = judge.vetoes(compiled)  # once the rule finds something
            seen[key] = match and (
                *_found(compiled, text[start:end], match, start, cushion, today, still_risky),
                _listed(compiled, unvetoed, tried, (source, start, end), may_clear),
            )
        found = seen[key]
        if found is not None:
            offset, excerpt, suggestion, listed = found
            if vetoed is not None:
                sentence = index if offset < end - start else draft.sentence(start + offset)
                if vetoed(sentence, listed):
                    continue
            yield Finding(
                *place(start + offset),
                rule.id,
                rule.severity,
                rule.message,
                suggestion,
                excerpt,
                False,  # every field given: a record's quick way in
            )


def _listed(
    compiled: _Rule,
    unvetoed: list[re.Pattern[str]],
    tried: list[re.Pattern[str]],
    where: tuple[str, int, int],
    unless: bool,
) -> bool:
    """Whether one of the finds the model never vetoes (the rule's phrases, and patterns
    added since the model was trained) matches in the sentence."""
    mine = [regex for regex in unvetoed if regex in tried]
    return bool(mine) and _first_match(compiled, mine, *where, unless) is not None


def _found(
    compiled: _Rule,
    sentence: str,
    match: re.Match[str],
    start: int,
    cushion: Cushion,
    today: dt.date | None,
    still_risky: Callable[[str], bool] | None = None,
) -> tuple[int, str, str]:
    """Where in its sentence a finding is, what it says there, and the suggestion."""
    at = _at(match)
    found = match.string[at : match.end()]
    better = _rewrite(compiled, sentence.strip(), cushion, today, still_risky, found)
    return at - start, found, _advice(compiled.rule, cushion.days, better)


def _at(match: re.Match[str]) -> int:
    """Where a match's finding points: the start of the pattern's group named `at` when it
    has one (what comes before it is context the pattern reads, such as a sentence written
    in lower case up to a name), else the start of the match."""
    return match.start("at") if "at" in match.re.groupindex else match.start()


def _advice(rule: LintRule, cushion_days: int, better: str) -> str:
    """A finding's suggestion: the rewritten sentence first when there is one, then the
    rule's advice, for a pattern's finding and the model's alike."""
    suggestion = rule.suggestion.replace("{cushion_days}", str(cushion_days))
    return f'Try: "{better}" {suggestion}' if better else suggestion


class _Judge:
    """The playbook's model (classify.py) on one draft: it vetoes the patterns' findings in
    sentences it all but rules out for their rule, and flags sentences for a rule whose
    patterns did not fire on them, placed at the word that weighs most, unless the rule's
    `unless` clears the sentence (a hedge, a question, a routine: not the risk, whoever
    finds it); in a draft with a finding, it gives the other rules a second look."""

    def __init__(self, draft: Draft, coach: Lint, rules: tuple[_Rule, ...]) -> None:
        from escalate_cli import classify

        assert coach.model
        self.draft, self.coach = draft, coach
        self.rules = {compiled.rule.id: compiled for compiled in rules}
        self.model = classify.load(Path(coach.model), [rule.id for rule in coach.rules])
        self.scored = classify.scored(draft, self.model)
        self.fired: set[tuple[str, int]] = set()

    def vetoes(self, compiled: _Rule) -> tuple[Callable[[int, bool], bool], list[re.Pattern[str]]]:
        """Whether a finding of the rule in a sentence is vetoed, and the finds the model
        never vetoes: the rule's phrases (words a team listed) and the patterns added
        since the model was trained (`listed`: one of them matches in the sentence). A
        finding not vetoed is noted, so no hit of the model repeats it. A sentence the
        model flags for any rule is never vetoed: a veto is for plain sentences, and in one
        that carries another risk ("will be fixed by Friday, guaranteed!!!") that risk's
        words pull the other scores down."""
        from escalate_cli import classify

        rule = compiled.rule
        scored, fired, thresholds = self.scored, self.fired, self.model.threshold
        limit = classify.veto(self.model, rule, self.coach.classes)
        column, below, added = limit or (0, 0.0, frozenset[int]())
        phrases = bool(rule.phrases)
        unvetoed = [compiled.finds[0].regex] if phrases else []
        unvetoed += [compiled.finds[phrases + at].regex for at in sorted(added)]

        def vetoed(sentence: int, listed: bool) -> bool:
            scores = scored.get(sentence) if limit and not listed else None
            if (
                scores is not None
                and scores[column][0] < below
                and not any(total >= at for (total, _), at in zip(scores, thresholds, strict=True))
            ):
                return True
            fired.add((rule.id, sentence))
            return False

        return vetoed, unvetoed

    def still_risky(self, compiled: _Rule) -> Callable[[str], bool]:
        """Whether the model would flag a rewrite for the rule on its own (unless the rule's
        `unless` clears it, as it clears the model's hits)."""
        from escalate_cli import classify

        model, rule = self.model, compiled.rule
        if rule.id not in model.rules:
            return lambda _: False
        column = model.rules.index(rule.id)
        unless = compiled.unless

        def flagged(text: str) -> bool:
            score = classify.scores(model, classify.features(text))[column][0]
            return score >= model.threshold[column] and not (unless and unless.regex.search(text))

        return flagged

    def hits(self, only: Collection[str] | None, today: dt.date | None) -> Iterator[Finding]:
        """The model's findings where no pattern of the rule fired."""
        from escalate_cli import classify

        for hit in classify.hits(self.draft, self.model, only, self.scored):
            if (hit.rule, hit.sentence) in self.fired:
                continue
            compiled = self.rules[hit.rule]
            if not _clears(compiled, self.draft, hit.sentence):
                self.fired.add((hit.rule, hit.sentence))
                yield self._finding(compiled, hit.sentence, hit.position, today)

    def second_look(self, only: Collection[str] | None, today: dt.date | None) -> Iterator[Finding]:
        """In a draft where a rule already has a finding, each rule with none and a
        `second_look` margin: its likeliest sentence by the model, if it scores within the
        margin below the rule's threshold, holds no finding and the rule's `unless` does
        not clear it. Risky habits come together, so a draft that shows one is read more
        closely for the others, while a draft with no finding stays clean. A sentence that
        holds a finding is left alone, unless all it holds are findings of the rule's
        `second_look_with` partners: the words that scored there for one rule (shouting,
        a date) lift the other rules' scores too ("And now!!!" is not blame), and the next
        likeliest sentence within the margin is looked at instead. Only sentences within
        `SECOND_LOOK_REACH` of one that holds a finding are looked at. Run after the patterns
        and `hits`, whose findings `fired` holds. A sentence a veto dropped a pattern's
        finding in may be flagged so: the veto keeps clean drafts clean, as it is tuned to."""
        from escalate_cli import classify

        model, draft, scored = self.model, self.draft, self.scored
        found = {rule for rule, _ in self.fired}
        looking = [
            (column, self.rules[rule_id])
            for column, rule_id in enumerate(model.rules)
            if self.rules[rule_id].rule.second_look
            and rule_id not in found
            and (only is None or rule_id in only)
        ]
        if not found or not looking:  # a clean draft, or nothing left to look for
            return
        holding: dict[int, set[str]] = {}  # sentence: the rules whose findings it holds
        for rule_id, sentence in self.fired:
            holding.setdefault(sentence, set()).add(rule_id)
        rank = {index: at for at, index in enumerate(sorted(scored))}  # sentences with words
        ranks = sorted(rank[index] for index in holding if index in rank)

        def near(index: int) -> bool:
            at = bisect.bisect_left(ranks, rank[index])
            return any(
                abs(ranks[i] - rank[index]) <= SECOND_LOOK_REACH
                for i in (at - 1, at)
                if 0 <= i < len(ranks)
            )

        for column, compiled in looking:
            lowest = model.threshold[column] - compiled.rule.second_look
            partners = set(compiled.rule.second_look_with)
            likeliest = sorted(scored, key=lambda index: (-scored[index][column][0], index))
            for index in likeliest:
                if scored[index][column][0] < lowest:
                    break
                held = holding.get(index)
                free = held is None or held <= partners
                if free and near(index) and not _clears(compiled, draft, index):
                    at = classify.strongest(draft, model, index, compiled.rule.id)
                    yield self._finding(compiled, index, at, today, second_look=True)
                    break

    def _finding(
        self,
        compiled: _Rule,
        sentence: int,
        position: int,
        today: dt.date | None,
        second_look: bool = False,
    ) -> Finding:
        """The model's finding for a rule in a sentence, placed at `position`. A rule that
        moves dates (`rewrite: cushion`) rewrites the sentence when it names one date only:
        which of two dates the model meant is not known."""
        draft, coach, rule = self.draft, self.coach, compiled.rule
        start, end = draft.spans[sentence]
        excerpt = " ".join(draft.text[start:end].split())
        text = draft.text[start:end].strip()
        cushion = rule.rewrite == "cushion" and len(_date_pattern().findall(text)) == 1
        better = _rewrite(compiled, text, coach.cushion(), today) if cushion else ""
        return Finding(
            *draft.place(position),
            rule.id,
            rule.severity,
            rule.message,
            _advice(rule, coach.cushion_days, better),
            excerpt if len(excerpt) <= 80 else excerpt[:79] + "…",
            second_look,
        )


def _clears(compiled: _Rule, draft: Draft, sentence: int) -> bool:
    """Whether the rule's `unless` matches in the sentence."""
    unless = compiled.unless
    source = draft.text if compiled.rule.quoted else draft.masked
    return bool(unless and unless.regex.search(source, *draft.spans[sentence]))


def cleared(draft: Draft, coach: Lint) -> dict[str, set[int]]:
    """Per rule, the sentences of the draft its `unless` clears, where the model's hits are
    dropped (for the trainer, whose thresholds must count what the coach drops)."""
    rules, _ = _compiled(coach)
    return {
        compiled.rule.id: {i for i in range(len(draft.spans)) if _clears(compiled, draft, i)}
        for compiled in rules
        if compiled.unless
    }


def _candidates(draft: Draft, find: Compiled, masked: bool, anchors: Anchors) -> set[int]:
    """The sentences a pattern may match in: those holding a string of each of its anchor
    groups (plain string search is far quicker than the pattern), else every sentence;
    `anchors`: the playbook's, `find`'s among them."""
    lower = bool(find.flags & _IGNORECASE)
    if not find.anchors or (lower and draft.lower(masked) is None):
        return set(range(len(draft.spans)))
    present = draft.present(anchors, masked, lower)
    found: set[int] | None = None
    for group in find.anchors:
        if present.isdisjoint(group):
            return set()
        holding = draft.holding_any(group, present, masked, lower)
        found = set(holding) if found is None else found & holding
    return found or set()


_IGNORECASE = int(re.IGNORECASE)  # `&` with the enum flag runs Python code


def _is_word(anchor: str) -> bool:
    """Whether `anchor` is all word characters (as `\\w` matches them: a letter, a digit or
    an underscore), checked in C, not by a pattern: hundreds of anchors are asked."""
    return anchor.replace("_", "a").isalnum()


def _first_match(
    compiled: _Rule,
    finds: list[re.Pattern[str]],
    source: str,
    start: int,
    end: int,
    unless: bool = True,
) -> re.Match[str] | None:
    """The first match within one sentence that no exception clears (`unless`: whether the
    rule's `unless` patterns may match in the sentence at all)."""
    before, inside = compiled.before, compiled.inside
    found: re.Match[str] | None = None
    for find in finds:
        position = start
        while (match := find.search(source, position, end)) and not (
            found and _at(match) >= _at(found)
        ):
            at = _at(match)
            excepted = (before and before.regex.search(source, start, at)) or (
                inside and inside.regex.search(source[at : match.end()])
            )
            if not excepted:
                found = match
                break
            position = match.start() + 1
    if found is None:
        return None
    if compiled.requires and not compiled.requires.regex.search(source, start, end):
        return None
    if unless and compiled.unless and compiled.unless.regex.search(source, start, end):
        return None
    return found


# --- suggestions that rewrite the sentence ---------------------------------------------------

_DAY_NAMES = r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a couple of": 2}


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    """Date expressions to move by the cushion; compiled only when a finding needs it."""
    return re.compile(
        rf"""\b(?:
          (?P<named>(?P<day>{_DAY_NAMES}),?\s+(?:
              (?:the\s+)?(?P<d5>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m5>{_MONTH})
            | (?P<m6>{_MONTH})\.?\s+(?P<d6>\d{{1,2}})(?:st|nd|rd|th)?
            | the\s+(?P<d7>\d{{1,2}})(?:st|nd|rd|th)
          )(?:,?\s+(?P<y5>\d{{4}}))?)
        | (?P<weekday>(?:next\s+|this\s+|coming\s+)?(?P<wday>{_DAY_NAMES})
            (?:,?\s+\d{{1,2}}[/.]\d{{1,2}}(?:[/.]\d{{2,4}}|\.(?=[,;:]|\s+(?-i:[a-z])))?)?)
        | (?P<relative>tomorrow|today|tonight|(?:end\s+of\s+(?:the\s+)?day|eod|cob
            |close\s+of\s+business)(?:\s+(?:today|tomorrow))?)
        | (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
        | (?P<monthday>(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?)
        | (?P<daymonth>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}))
        | (?P<nth>the\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th))
        | (?P<dotted>(?<![\d.])(?P<d4>\d{{1,2}})\.(?P<m4>\d{{1,2}})\.(?P<y4>\d{{4}})?)
        | (?P<span>(?P<within>in|within)\s+(?:the\s+next\s+)?
            (?P<count>\d{{1,3}}|an?|one|two|three|four|five|a\s+couple\s+of)\s*
            (?:working\s+|business\s+)?(?P<unit>hours?|hrs?|h|days?|weeks?))
        )(?:\b|(?<=\.))""",
        re.IGNORECASE | re.VERBOSE,
    )


def _rewrite(
    compiled: _Rule,
    sentence: str,
    cushion: Cushion,
    today: dt.date | None,
    still_risky: Callable[[str], bool] | None = None,
    found: str = "",
) -> str:
    """The sentence said better, or "" when the rule has no rewrite that applies.

    `rewrite: cushion` moves the date the finding (`found`, the words it matched) names,
    not an earlier one in the sentence ("ship on 12 August and go live on 18.04." found
    at "go live on 18.04." moves 18.04.).

    A rewrite by the rule's `swap` that its own patterns would still flag ("Rest assured
    this won't happen again." without "Rest assured"), or the playbook's model would
    (`still_risky`: "Nothing like this will ever happen on our platform again."), is no
    rewrite: the advice alone is better than a sentence that carries the same risk. One
    with a blank for the user to fill in ("by <day, time>") is not checked: what goes in
    the blank decides. One blank is enough: a swap that would add another is passed over
    ("get back to you on the numbers by <day, time>", not a second "by <day, time>" after
    "get back to you"), and where a swap matches twice, only its first match gets the
    blank ("ASAP, asap" gives one "by <day, time>"; "let you know ..., and let you know
    ..." keeps the second as written). The sentence's own `<...>` (a link, a placeholder)
    is no blank. Runs of white space are squeezed first, so no swap meets a long one. A
    greeting on its own line ahead of the sentence ("Hi Sam,") is left out of the rewrite:
    it is the draft's, and pasted over the sentence it would come twice."""
    sentence = re.sub(_SALUTATION, "", sentence, flags=re.IGNORECASE)
    if len(sentence) > MAX_REWRITE:
        return ""
    better = " ".join(sentence.split())
    own = len(_BLANK.findall(better))
    for pattern, put in compiled.swaps:
        if not _BLANK.search(put):
            better = pattern.regex.sub(put.replace("\\", "\\\\"), better)  # the words as written
        elif len(_BLANK.findall(better)) == own:
            bare = _WITH_BLANK.sub("", put)  # 'let you know by <day, time>' -> 'let you know'
            better = pattern.regex.sub(_first_then(put, bare), better)
    moves_dates = compiled.rule.rewrite == "cushion"
    if moves_dates and cushion.days:
        dates = _date_pattern()
        since = better.find(" ".join(found.split())) if found.strip() else -1
        match = dates.search(better, since) if since >= 0 else None
        match = match or dates.search(better)
        moved = _cushioned(match, cushion, today) if match else None
        if match and moved:
            new, was = moved
            part = re.compile(_PART_OF_DAY, re.IGNORECASE).match(better, match.end())
            end, day_part = (part.end(), part.group(0)) if part else (match.end(), "")
            better = f"{better[: match.start()]}{new}{day_part} ({was}){better[end:]}"
    better = _LOOSE.sub("", " ".join(better.split()))
    if better == _LOOSE.sub("", " ".join(sentence.split())) or len(_WORDS.findall(better)) < 2:
        return ""  # unchanged, or nothing left to say ("URGENT." without "URGENT")
    if better[:1].islower() and sentence.lstrip()[:1].isupper():  # its first words swapped out
        better = better[0].upper() + better[1:]
    if moves_dates or len(_BLANK.findall(better)) != own:
        return better
    lower = better.lower()
    finds = [find.regex for find in compiled.finds if _may_match(find, better, lower)]
    if _first_match(compiled, finds, better, 0, len(better)) or (
        still_risky is not None and still_risky(better)
    ):
        return ""
    return better


def _first_then(first: str, later: str) -> Callable[[re.Match[str]], str]:
    """A replacement for `re.sub`: `first` for the first match, `later` for the rest."""
    each = chain((first,), repeat(later))
    return lambda _: next(each)


_BLANK = re.compile(r"<[^<>\n]+>")
"""A blank in a rewrite for the user to fill in: `<day, time>`."""
_WITH_BLANK = re.compile(r"\s*\b(?:by|on|at|before|within)?\s*<[^<>\n]+>")
"""A blank with the word that leads to it: what a swap's later matches leave out."""
_LOOSE = re.compile(r"\s*[,;]*\s*(?=[.!?])|\s+(?=[,;])")
"""White space before punctuation, or a comma before a full stop, as a swap that took
words out leaves them ("Hi Gemma, ." from "Hi Gemma, !!!")."""
_PART_OF_DAY = r"\s+(?:morning|afternoon|evening|night)\b"
"""The part of the day after a date ("tomorrow morning"): it stays with the moved day, ahead
of what the date was ("Wednesday morning (tomorrow plus 2 working days)"). This and
`_SALUTATION` are compiled on first use (`re` keeps them), not at import: a run that
rewrites nothing, as `brief` on its own drafts, never needs them."""
_SALUTATION = (
    r"\A\s*(?:hi|hello|hey|hiya|dear|morning|afternoon|evening|good\s+(?:morning|afternoon|"
    r"evening))\b[^\n,.!?]{0,40},[ \t]*\n"
)
"""A greeting on a line of its own ("Hi Sam,"), which a sentence that starts the draft's
next line takes in: it ends in a comma, and a line ending in a comma carries on."""


def _may_match(find: Compiled, text: str, lower: str) -> bool:
    """Whether a pattern may match in `text` (`lower`: in lower case): each of its anchor
    groups has a string there (so a rewrite is checked without compiling the rule's other
    patterns)."""
    haystack = lower if find.flags & _IGNORECASE else text
    return all(any(anchor in haystack for anchor in group) for group in find.anchors)


def _cushioned(
    match: re.Match[str], cushion: Cushion, today: dt.date | None
) -> tuple[str, str] | None:
    """A date expression moved by the cushion's working days, and what it was: ("Tuesday",
    "Friday plus 2 working days")."""
    days, said = cushion.days, match.group(0)
    was = f"{said} plus {days} working day{'s' if days != 1 else ''}"
    if match.group("span"):
        raw = match.group("count").lower()
        count = int(raw) if raw.isdigit() else _COUNTS.get(" ".join(raw.split()), 1)
        unit = match.group("unit").lower()
        if unit.startswith("h"):
            count, unit = -(-count // 24), "day"
        if not unit.startswith("day"):
            return None
        within = match.group("within")
        return f"{within} {count + days} working days", was[len(within) :].strip()
    when = _date_of(match, today) if match.group("named") else None
    if when is not None and today is not None and when < today:
        return None  # a day gone: moving it would promise another day gone
    if when is not None:  # "Friday 11 December": the date decides, the day follows
        moved = cushion.promise(when)
        weekday, month = WEEKDAYS[moved.weekday()].capitalize(), _MONTHS[moved.month - 1]
        year = f" {moved.year}" if match.group("y5") else ""
        if match.group("d7"):
            return f"{weekday} the {_ordinal(moved.day)}", was
        return f"{weekday} {moved.day} {month.capitalize()}{year}", was
    if match.group("weekday") or match.group("named"):  # the day alone, without today
        index = _weekday_index(match.group("wday") or match.group("day"))
        monday = dt.date(2024, 1, 1)
        moved = add_working_days(monday + dt.timedelta(days=index), days)  # no date: no holiday
        return WEEKDAYS[moved.weekday()].capitalize(), was
    when = _date_of(match, today)
    if when is None or (today is not None and when < today):
        return None
    moved = cushion.promise(when)
    if match.group("iso"):
        return moved.isoformat(), was
    if today is not None and 0 <= (moved - today).days < 7:
        return WEEKDAYS[moved.weekday()].capitalize(), was
    if match.group("dotted"):  # "18.04." stays in the writer's style: "20.04."
        day, month_number, year = match.group("d4", "m4", "y4")
        written = f"{moved.day:0{len(day)}d}.{moved.month:0{len(month_number)}d}."
        return f"{written}{moved.year if year else ''}", was
    month = _MONTHS[moved.month - 1].capitalize()
    if match.group("nth"):  # "the 24th" stays so: "the 29th", or "the 4th of January"
        later = f" of {month}" if moved.month != when.month else ""
        return f"the {_ordinal(moved.day)}{later}", was
    if match.group("daymonth"):  # written day first ("12 August"): kept so
        return f"{moved.day} {month}", was
    return f"{month} {moved.day}", was


def _weekday_index(name: str) -> int:
    """Monday is 0: "fri", "Friday" and "FRIDAY" are 4."""
    return next(i for i, day in enumerate(WEEKDAYS) if day.startswith(name[:3].lower()))


def _ordinal(day: int) -> str:
    ending = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{ending}"


def _month_number(name: str) -> int:
    return next(i for i, month in enumerate(_MONTHS, 1) if month.startswith(name[:3].lower()))


def _date_of(match: re.Match[str], today: dt.date | None) -> dt.date | None:
    try:
        if match.group("iso"):
            return dt.date.fromisoformat(match.group("iso"))
        if match.group("y4"):
            return dt.date(int(match.group("y4")), int(match.group("m4")), int(match.group("d4")))
        if match.group("y5"):
            month = _month_number(match.group("m5") or match.group("m6"))
            return dt.date(
                int(match.group("y5")), month, int(match.group("d5") or match.group("d6"))
            )
        if today is None:
            return None
        if match.group("dotted"):
            return nearest(int(match.group("d4")), int(match.group("m4")), None, today)
        if match.group("relative"):
            ahead = 1 if match.group("relative").lower().endswith("tomorrow") else 0
            return today + dt.timedelta(days=ahead)
        month_name = (
            match.group("m1") or match.group("m2") or match.group("m5") or match.group("m6")
        )
        found = (match.group(name) for name in ("d1", "d2", "d3", "d5", "d6", "d7"))
        day = int(next(number for number in found if number))
        if month_name:  # a day gone lately is that day, not next year's (`dates.nearest`)
            weekday = match.group("day")
            index = _weekday_index(weekday) if weekday else None
            return nearest(day, _month_number(month_name), None, today, index)
        when = dt.date(today.year, today.month, day)
        if when < today:
            when = dt.date(today.year + (today.month == 12), today.month % 12 + 1, day)
        return when
    except ValueError:  # the 31st of a short month, and the like
        return None


# --- partner trigger notes -------------------------------------------------------------------

_WORD = re.compile(r"[\w'’]+")


def _stem(word: str) -> str:
    """A word's key for trigger look-up: lower case, no possessive, no plural -s/-es."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-2] if word.endswith(("ches", "shes", "xes", "sses")) else word[:-1]
    return word


def _trigger_pattern(phrase: str) -> re.Pattern[str]:
    """Whole words, any spacing, the last word also in its plural (or singular) form."""
    words = phrase.split()
    last = _stem(words[-1])
    if not words[-1].isalpha() or len(last) < 3:
        plural = re.escape(words[-1])
    elif last.endswith("y"):
        plural = re.escape(last[:-1]) + r"(?:y|ies|y's|y’s)"
    else:
        plural = re.escape(last) + r"(?:e?s|'s|’s)?"
    parts = [*(re.escape(word) for word in words[:-1]), plural]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _trigger_findings(draft: Draft, triggers: Iterable[str], partner: str) -> Iterator[Finding]:
    """Each trigger phrase wherever it occurs: candidates are looked up by their first word,
    so thousands of trigger notes cost one pass over the draft, not one pass each. The
    finding names `partner` (its name as recorded) and the command that lists its notes."""
    phrases = (phrase.strip() for note in triggers for phrase in trigger_phrases(note))
    by_first: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for phrase in dict.fromkeys(p for p in phrases if p):
        first = _WORD.search(phrase)
        if first:
            key = _stem(first.group(0))
            by_first.setdefault(key, []).append((phrase, _trigger_pattern(phrase)))
    if not by_first:
        return
    import shlex

    listing = f"escalate notes list {shlex.quote(partner) if partner else 'PARTNER'} --kind trigger"
    suggestion = f"Say it another way; check the partner's notes ({listing})"
    for word in _WORD.finditer(draft.text):
        for phrase, pattern in by_first.get(_stem(word.group(0)), ()):
            match = pattern.match(draft.text, word.start())
            if match:
                line, column = draft.place(match.start())
                yield Finding(
                    line,
                    column,
                    "partner_trigger",
                    "error",
                    f"{partner or 'This partner'} has a recorded trigger: {phrase!r}",
                    suggestion,
                    match.group(0),
                    False,
                )
