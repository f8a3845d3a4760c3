"""Asking questions in a terminal. The only module that imports questionary.

Prompts are drawn on standard error so that `--format json > file` keeps standard output
for the result. Ctrl-C raises KeyboardInterrupt and Ctrl-D EOFError out of every prompt;
the interview turns both into a kept draft and exit 130.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shlex
import subprocess
import sys
import tempfile
from typing import Any, Protocol

from escalate_cli.dates import Cushion, parse_date, untimed
from escalate_cli.errors import EscalateError
from escalate_cli.identity import is_me
from escalate_cli.playbook import Question, Section
from escalate_cli.textsafe import plural

# prompt_toolkit runs on asyncio, which loads the ssl module (OpenSSL: a tenth of what
# importing the prompts costs) for TLS connections that prompts never make. It is kept out
# while they load (asyncio then goes without TLS in this process) and can be imported again
# afterwards by anything that needs it.
_TLS_BLOCKED = sys.modules.setdefault("ssl", None) is None  # type: ignore[arg-type]
try:
    import questionary
    from prompt_toolkit.application import get_app_or_none
    from prompt_toolkit.formatted_text import FormattedText
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.output import create_output
    from prompt_toolkit.renderer import print_formatted_text
    from prompt_toolkit.styles import (
        BaseStyle,
        default_pygments_style,
        default_ui_style,
        merge_styles,
    )
finally:
    if _TLS_BLOCKED:
        del sys.modules["ssl"]

EDITOR_WORD = ":e"
YES_NO = {"y": True, "yes": True, "n": False, "no": False}
"""What a yes/no prompt takes, in any case."""
_HINT_STYLE = "italic fg:ansibrightblack"
_TITLE_STYLE = "bold fg:ansicyan"


def _end_of_input_bindings() -> KeyBindings:
    """Ctrl-C and Ctrl-D on any prompt: stop, carrying the half-typed text along."""
    bindings = KeyBindings()

    def stop(event: Any, kind: type[BaseException]) -> None:
        stopped = kind()
        setattr(stopped, "typed", event.app.current_buffer.text)  # noqa: B010
        event.app.exit(exception=stopped, style="class:aborting")

    @bindings.add("c-c", eager=True)
    def _(event: Any) -> None:
        stop(event, KeyboardInterrupt)

    @bindings.add("c-d", eager=True)
    def _(event: Any) -> None:
        stop(event, EOFError)

    return bindings


def _ask(question: questionary.Question) -> Any:
    """Ask, letting Ctrl-C and Ctrl-D (on any kind of prompt) reach the interview."""
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), _END_OF_INPUT])
    return question.unsafe_ask()


_END_OF_INPUT = _end_of_input_bindings()


@functools.cache
def _line_style() -> BaseStyle:
    """What `questionary.print` merges for every line it prints, merged once."""
    from questionary.constants import DEFAULT_STYLE

    return merge_styles([default_ui_style(), default_pygments_style(), DEFAULT_STYLE])


class Prompter(Protocol):
    """What the interview needs from whoever asks the questions."""

    def section(self, section: Section) -> None: ...

    def ask(self, question: Question, typed: Any = "") -> Any: ...

    def yes_no(self, text: str) -> bool: ...

    def say(self, text: str, style: str = "") -> None: ...


class QuestionaryPrompter:
    """Asks in the terminal with questionary; `input`/`output` are swappable for tests."""

    def __init__(
        self, cushion: Cushion | None = None, input: Any = None, output: Any = None
    ) -> None:
        self.cushion = cushion or Cushion()  # the playbook's buffer on promised dates
        self.input = input
        self.output = output or create_output(stdout=sys.stderr)

    def _io(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output}

    def say(self, text: str, style: str = "") -> None:
        """A line in a style, drawn as `questionary.print` draws it, with prompt_toolkit's
        default styles merged once per run rather than once per line: merging them is most
        of what a line costs, and five lines come before the first question."""
        if get_app_or_none() is not None:  # a prompt is drawn: print above it, its way
            questionary.print(text, style=style or None, output=self.output)
            return
        fragments = FormattedText([(f"class:text {style}".strip(), text), ("", "\n")])
        print_formatted_text(self.output, fragments, _line_style())

    def section(self, section: Section) -> None:
        self.say("")
        self.say(section.title, _TITLE_STYLE)
        for line in (section.intro, *section.hints):
            if line:
                self.say(f"  {line}", _HINT_STYLE)

    def ask(self, question: Question, typed: Any = "") -> Any:
        """Ask one question; `typed` is what was typed before an interruption (text, or the
        commitments entered so far), offered again."""
        self.say("")  # a blank line first: the hint belongs to the question below it
        self.say(f"  why: {question.hint}", _HINT_STYLE)
        kind = question.type
        if kind == "yes_no":
            return self.yes_no(question.text)
        if kind == "choice":
            return _ask(
                questionary.select(
                    question.text,
                    choices=[questionary.Choice(c.label, value=c.value) for c in question.choices],
                    **self._io(),
                )
            )
        if kind == "multi":
            return _ask(
                questionary.checkbox(
                    question.text,
                    choices=[questionary.Choice(c.label, value=c.value) for c in question.choices],
                    instruction="(space to pick, enter when done)",
                    **self._io(),
                )
            )
        if kind == "commitments":
            return self._commitments(question, typed if isinstance(typed, list) else [])
        typed = typed if isinstance(typed, str) else ""
        return self._text(question.text, question.required, kind, typed)

    def yes_no(self, text: str) -> bool:
        """y or n (or yes or no), then Enter; anything else, Enter alone too, is asked again
        with a hint, never read: a prompt that took each y or n key as the answer made "not
        really" a yes (its last y)."""

        def check(value: str) -> bool | str:
            return value.strip().lower() in YES_NO or "please answer y or n (yes or no)"

        answer = _ask(questionary.text(text, instruction="(y/n)", validate=check, **self._io()))
        return YES_NO[answer.strip().lower()]

    def _text(self, text: str, required: bool, kind: str, typed: str = "") -> str:
        """A text answer; a `long_text` may come from the editor, a `when` must name a day
        or a time."""
        long = kind == "long_text"
        instruction = f"(or {EDITOR_WORD} to write it in your editor)" if long else None

        def check(value: str) -> bool | str:
            if not value.strip():
                return not required or "an answer is needed here"
            today, off = dt.date.today(), self.cushion.off
            return (kind == "when" and untimed(value, required, today, off)) or True

        answer = _ask(
            questionary.text(
                text, default=typed, validate=check, instruction=instruction, **self._io()
            )
        )
        if long and answer.strip() == EDITOR_WORD:
            try:
                answer = edit_in_editor()
            except EscalateError as exc:
                self.say(f"  {exc.message}; type the answer here instead", _HINT_STYLE)
                return self._text(text, required, kind)
            if required and not answer.strip():
                self.say("  the editor saved nothing; type the answer here", _HINT_STYLE)
                return self._text(text, required, kind)
            self.say(f"  ({plural(len(answer), 'character')} from the editor)", _HINT_STYLE)
        return answer

    def _due(self) -> str:
        """A due date, checked as it is typed; returned as an ISO date (or empty)."""
        typed = _ask(
            questionary.text(
                "  due (e.g. 2026-12-01, friday, next friday, in 3 days; empty if unknown)",
                validate=_valid_due,
                **self._io(),
            )
        )
        return parse_date(typed, dt.date.today()).isoformat() if typed.strip() else ""

    def _commitments(self, question: Question, kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Commitments one at a time; an interruption carries the finished ones along."""
        items = list(kept)
        if items:
            self.say(f"  {plural(len(items), 'commitment')} kept from before", _HINT_STYLE)
        self.say("  one commitment at a time; leave `what` empty when done", _HINT_STYLE)
        try:
            while True:
                what = self._text(
                    f"{question.text} - what (as you would word it to the customer)",
                    required=False,
                    kind="text",
                )
                if not what.strip():
                    return items
                owner = self._text("  who owns it", required=True, kind="text")
                due = self._due()
                item: dict[str, Any] = {"what": what, "owner": owner, "due": due}
                if due and not self._on_board(owner, dt.date.fromisoformat(due)):
                    self.say(
                        f"  kept as pending: agree it with {owner} before promising it "
                        "(the customer messages leave it out)",
                        _HINT_STYLE,
                    )
                    item["agreed"] = False
                items.append(item)
        except (KeyboardInterrupt, EOFError) as stopped:
            setattr(stopped, "typed", items)  # noqa: B010 - read by the interview
            raise

    def _on_board(self, owner: str, due: dt.date) -> bool:
        """Suggest the cushioned date to promise, and check the owner has agreed to the work."""
        promise = self.cushion.promise(due)
        skipped = self.cushion.skipped(due, promise)
        self.say(
            f"  promise them {promise:%a %Y-%m-%d}: {self.cushion.days} working days "
            "of cushion for what could go wrong"
            + (f" ({skipped}, not counted)" if skipped else ""),
            _HINT_STYLE,
        )
        if is_me(owner):
            return True  # your own promise: you are on board
        return self.yes_no(f"Is {owner} on board with doing this by {due}?")


def _valid_due(value: str) -> bool | str:
    if not value.strip():
        return True
    today = dt.date.today()
    try:
        when = parse_date(value, today)
    except EscalateError as exc:
        return f"{exc.message}; {exc.hint}"
    if when < today:
        return f"{when:%a %Y-%m-%d} has already passed; give a date from today on"
    return True


def edit_in_editor(initial: str = "") -> str:
    """Let the user write a long answer in $VISUAL/$EDITOR; returns the saved text."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="escalate-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        try:
            finished = subprocess.run([*shlex.split(editor), name], check=False)
        except (OSError, ValueError) as exc:
            raise EscalateError(
                f"cannot start the editor {editor!r} ({getattr(exc, 'strerror', exc)})",
                "set VISUAL or EDITOR to an editor that is installed",
            ) from None
        if finished.returncode != 0:
            raise EscalateError(
                f"the editor {editor!r} exited with status {finished.returncode}; "
                "nothing was taken from it",
                "quit the editor after saving, or give the note with --text instead",
            )
        with open(name, encoding="utf-8") as handle:
            return handle.read().strip()
    finally:
        os.unlink(name)
