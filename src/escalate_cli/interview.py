"""Running an interview: prefilled answers first, then ask the rest or say what is missing.

The same function serves a person at a terminal and a script with an answers file; the
`keep` callback saves every answer as it is given, so Ctrl-C or Ctrl-D loses nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalate_cli.answers import Answers, missing
from escalate_cli.dates import parse_happened
from escalate_cli.errors import EscalateError, InterruptedByUser, MissingAnswersError
from escalate_cli.files import draft_key, resume_command
from escalate_cli.playbook import Playbook, Question, Section
from escalate_cli.textsafe import plural, shell_words, with_article

if TYPE_CHECKING:  # prompts imports questionary, which only a terminal session needs
    from escalate_cli.assess import Assessment
    from escalate_cli.files import Draft, Drafts
    from escalate_cli.prompts import Prompter


def run(
    sections: Sequence[tuple[Section, list[Question]]],
    answers: Answers,
    prompter: Prompter | None,
    slot: DraftSlot | None,
    unfinished: dict[str, Any] | None = None,
) -> Answers:
    """All answers for `sections`: prefilled ones kept, the rest asked (or reported).

    `slot` keeps the answers and any half-typed text after every answer and on an
    interruption; `unfinished` is half-typed text from a kept draft, offered again."""
    questions = [q for _, asked in sections for q in asked]
    if prompter is None:
        # commitments finished before an interruption count; half-typed text cannot
        answers = {
            **{k: v for k, v in (unfinished or {}).items() if isinstance(v, list)},
            **answers,
        }
        absent = missing(questions, answers)
        if absent:
            raise MissingAnswersError(absent)
        return answers
    answers = dict(answers)
    unfinished = dict(unfinished or {})
    current = ""
    try:
        for section, asked in sections:
            todo = [q for q in asked if q.id not in answers]
            if not todo:
                continue
            prompter.section(section)
            for question in todo:
                if question.id in answers:  # taken over from a resumed draft meanwhile
                    continue
                if not question.applies(answers):
                    continue  # a follow-up whose condition the answers so far rule out
                current = question.id
                answers[question.id] = prompter.ask(question, unfinished.pop(question.id, ""))
                if slot:
                    answers, unfinished = slot.keep(answers, unfinished)
    except (KeyboardInterrupt, EOFError) as exc:
        typed = getattr(exc, "typed", "")
        if typed and current:
            unfinished[current] = typed
        how = "interrupted" if isinstance(exc, KeyboardInterrupt) else "input ended (Ctrl-D)"
        if not (answers or unfinished):  # an empty draft would only replace an older one
            raise InterruptedByUser(
                f"{how}; nothing was answered, so no draft was kept",
                "run the command again when you are ready, or give answers with --answers FILE",
            ) from None
        if slot:
            slot.keep(answers, unfinished)
        also = " and what you were typing" if typed else ""
        again = slot.resume_command() if slot else "the same command with --resume"
        raise InterruptedByUser(
            f"{how}; {plural(len(answers), 'answer')}{also} kept as a draft",
            f"continue with `{again}`, or give answers with --answers FILE",
        ) from None
    return answers


class DraftSlot:
    """Where one interview keeps its answers as they are given: the draft of its command
    named after --partner, else after the `customer` answer once it is given. A draft that
    another run left under that name is never replaced without asking to resume it."""

    def __init__(
        self,
        drafts: Drafts,
        command: str,
        partner: str | None,
        prompter: Prompter | None,
        check: Callable[[Draft], tuple[Answers, dict[str, Any]]],
    ) -> None:
        self.drafts, self.command, self.partner = drafts, command, partner
        self.prompter, self.check = prompter, check
        self.name = partner or ""
        self.ours: Path | None = None  # the file this run writes

    def resume(self, draft: Draft) -> tuple[Answers, dict[str, Any]]:
        """Continue `draft`: its checked answers and typing; this run now writes it."""
        taken = self.check(draft)
        self.name, self.ours = draft.name, draft.path
        self.partner = self.partner or draft.partner
        return taken

    def offer(self, name: str) -> tuple[Answers, dict[str, Any]]:
        """Before this run writes under `name`: if another run's draft is kept there, ask
        whether to resume it (its answers if yes; else it is replaced, and we say so)."""
        found = self.drafts.find(self.command, name)
        if found is None or found.path == self.ours or self.prompter is None:
            return {}, {}
        about = f" about {found.name}" if found.name else ""
        count = plural(len(found.answers), "answer")
        draft = with_article(f"`{self.command}` draft")
        question = f"There is {draft}{about} saved {found.saved_at} with {count}. Resume it?"
        if ask_once(self.prompter, question, "nothing was changed"):
            return self.resume(found)
        self.prompter.say("  starting afresh: that draft is replaced as you answer")
        return {}, {}

    def keep(self, answers: Answers, unfinished: dict[str, Any]) -> tuple[Answers, dict[str, Any]]:
        """Save the answers under this run's name (which the `customer` answer may have just
        given), with what a resumed draft of that name adds."""
        customer = answers.get("customer")
        name = self.partner or (customer if isinstance(customer, str) else "") or self.name
        if draft_key(name) != draft_key(self.name):
            before = self.ours
            kept, typing = self.offer(name)
            answers, unfinished = {**kept, **answers}, {**typing, **unfinished}
            if before is not None and before != self.drafts.path(self.command, name):
                before.unlink(missing_ok=True)  # this run's draft moves to its name
            self.name = name
        self.ours = self.drafts.save(self.command, self.name, answers, unfinished, self.partner)
        return answers, unfinished

    def resume_command(self) -> str:
        """The command that continues this run's draft."""
        return resume_command(self.command, self.name)

    def kept(self) -> bool:
        """Whether this run's answers are in a draft (none when all came from a file)."""
        return self.ours is not None and self.ours.exists()

    def clear(self) -> None:
        """The interview finished: its draft has served."""
        if self.ours is not None:
            self.ours.unlink(missing_ok=True)


@contextlib.contextmanager
def recording(what: str, slot: DraftSlot | None) -> Iterator[None]:
    """Around the questions on where to keep a result already shown: Ctrl-C there records
    nothing, so say how to get the result back (the draft holds the answers until the
    result is recorded; answers that all came from a file give it again)."""
    try:
        yield
    except InterruptedByUser:
        if slot is not None and slot.kept():
            again = f"your answers are kept as a draft: `{slot.resume_command()}` gives"
        else:
            again = "run the same command again: the same answers give"
        hint = f"{again} the {what} again, to record it"
        raise InterruptedByUser(f"interrupted; the {what} above was not recorded", hint) from None


def choose_draft(prompter: Prompter, drafts: list[Draft]) -> Draft:
    """Which of several kept drafts to resume (Ctrl-C: nothing changed)."""
    from escalate_cli.playbook import Choice, Question

    labels = [
        f"{d.name or '(not named yet)'}: {plural(len(d.answers), 'answer')}, saved {d.saved_at}"
        for d in drafts
    ]
    question = Question(
        id="draft",
        type="choice",
        text="Which draft do you want to continue?",
        hint="Each customer or partner keeps a draft of its own.",
        choices=tuple(Choice(value=str(i), label=label) for i, label in enumerate(labels)),
    )
    try:
        return drafts[int(prompter.ask(question))]
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted; nothing was changed") from None


def look_again(
    book: Playbook,
    result: Assessment,
    answers: Answers,
    prompter: Prompter,
    slot: DraftSlot | None,
) -> Answers:
    """Before the verdict, offer to answer again the questions whose answers disagree;
    the answers as they are when the user declines."""
    disputed = {c.for_id for c in result.conflicts} | {c.against_id for c in result.conflicts}
    questions = [q for q in book.questions("assess") if q.id in disputed]
    from escalate_cli.report import disagreeing, settling

    prompter.say("")
    prompter.say("Some of your answers pull different ways:", "bold")
    for side, sentences in disagreeing(result):
        prompter.say(f"  {side}:")
        for _, sentence in sentences:
            prompter.say(f"    - {sentence}")
    for line in settling(result):
        prompter.say(f"  {line}")
    offer = "Answer these again before you see the verdict?"
    if not ask_once(prompter, offer, "your answers are kept; continue with --resume"):
        return answers
    section = Section(
        id="look_again",
        title="Answers that disagree",
        intro="Answer each as things stand today; both may stay yes if both are true.",
    )
    undecided = {k: v for k, v in answers.items() if k not in disputed}
    return run([(section, questions)], undecided, prompter, slot)


def ask_once(prompter: Prompter, text: str, if_interrupted: str) -> bool:
    """A yes/no question outside an interview; Ctrl-C or Ctrl-D says what state we are in."""
    try:
        return prompter.yes_no(text)
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted", if_interrupted) from None


def ask_note(
    prompter: Prompter,
    partner: str,
    kind: str | None,
    date: dt.date | None,
    today: dt.date,
    options: list[str],
) -> tuple[str, str, dt.date]:
    """Kind, text and date of a new note, asking only what the command line did not give.

    Interrupted (Ctrl-C, Ctrl-D), nothing is saved, but the note typed so far is given back
    as the command that saves it (with the command line's `options`): nothing is lost."""
    from escalate_cli.kinds import NOTE_HINTS
    from escalate_cli.playbook import Choice, Question

    kind_question = Question(
        id="kind",
        type="choice",
        text="What kind of note?",
        hint="The kind decides where the note appears in a handover.",
        choices=tuple(Choice(value=k, label=f"{k}: {hint}") for k, hint in NOTE_HINTS.items()),
    )
    text_question = Question(
        id="text", type="long_text", text="The note", hint="Write it for the next owner."
    )
    date_question = Question(
        id="date",
        type="text",
        text="When? (e.g. 2026-11-20, yesterday, last monday, Dec 1; empty for today)",
        hint="Dates put escalations and agreements in order.",
        required=False,
    )
    chosen: str | None = kind
    text: str | None = None
    try:
        chosen = kind or prompter.ask(kind_question)
        text = prompter.ask(text_question)
        while date is None:
            typed = prompter.ask(date_question).strip() or "today"
            try:
                date = parse_happened(
                    typed, today, "the date", "a note", "leave it empty for today"
                )
            except EscalateError as exc:
                prompter.say(f"  {exc.message}; {exc.hint}")
        return chosen, text, date
    except (KeyboardInterrupt, EOFError) as stopped:
        if text is None and chosen:  # stopped at the note itself: what its line held
            text = str(getattr(stopped, "typed", ""))
        if not (chosen and text and text.strip()):
            raise InterruptedByUser("interrupted; no note was saved") from None
        again = ["escalate", "notes", "add", partner, "--kind", chosen, text, *options]
        raise InterruptedByUser(
            "interrupted; no note was saved", f"to save what you typed: {shell_words(again)}"
        ) from None


NEW_PARTNER = "\0new"  # choice values no typed name can equal
DECLINED = "\0declined"


def ask_partner(
    prompter: Prompter, name: str, close: tuple[str, ...], decline: str | None
) -> str | None:
    """Which partner `name` means when it is close to known ones: one of them, a new
    partner of that name, or (when `decline` says what that means) None."""
    from escalate_cli.playbook import Choice, Question
    from escalate_cli.textsafe import visible

    choices = [Choice(value=partner, label=visible(partner)) for partner in close]
    choices.append(Choice(value=NEW_PARTNER, label=f"a new partner: {visible(name)}"))
    if decline:
        choices.append(Choice(value=DECLINED, label=decline))
    question = Question(
        id="partner",
        type="choice",
        text=f"{visible(name)!r} is not one of your partners. Did you mean:",
        hint="A typo would start a second history for the same partner.",
        choices=tuple(choices),
    )
    try:
        chosen = prompter.ask(question)
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted; nothing was recorded") from None
    return None if chosen == DECLINED else name if chosen == NEW_PARTNER else chosen


def ask_customer(prompter: Prompter) -> str:
    """Who a result was about, so it joins their history (empty: the local history)."""
    from escalate_cli.playbook import Question

    question = Question(
        id="customer",
        type="text",
        text="Which customer or partner was this about? (empty: only your local history)",
        hint="Kept with their history, it is there for the next call and the handover.",
        required=False,
    )
    try:
        return str(prompter.ask(question)).strip()
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser("interrupted") from None  # `recording` says what it means
