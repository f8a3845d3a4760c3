"""What several commands share: the playbook, the answers, the prompter, the output, the clock
and the partner's story before a call. Heavy imports happen inside, when a command runs."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escalate_cli.playbook import Playbook
    from escalate_cli.prompts import QuestionaryPrompter
    from escalate_cli.store import Store


def load_playbook(
    path: Path | None, home: Path | None, *, check_templates: bool = False
) -> Playbook:
    """The playbook in use; content validated before loads without re-validation."""
    from escalate_cli import playbook
    from escalate_cli.files import home_dir

    stamps = home_dir(home) / "cache" / "validated"
    return playbook.load(playbook.locate(path), check_templates=check_templates, stamps=stamps)


def terminal_prompter(
    no_input: bool, answers_from_stdin: bool, cushion_days: int = 2
) -> QuestionaryPrompter | None:
    """A prompter when a person is at a terminal and may be asked, else None."""
    if no_input or answers_from_stdin or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    from escalate_cli.prompts import QuestionaryPrompter

    return QuestionaryPrompter(cushion_days)


def gather_answers(
    book: Playbook, command: str, answers_file: str | None, resume: bool, home: Path | None
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Prefilled answers (the kept draft with --resume, then the answers file over it),
    what was half-typed when the draft was kept, and the partner the draft was about."""
    from escalate_cli import answers, safe_yaml
    from escalate_cli.files import Drafts, home_dir

    questions = list(book.all_questions())
    prefill: dict[str, Any] = {}
    unfinished: dict[str, Any] = {}
    partner = None
    if resume:
        draft, unfinished, partner = Drafts(home_dir(home)).load(command)
        prefill.update(answers.check(safe_yaml.Located("the draft", draft), questions))
    if answers_file:
        prefill.update(answers.check(answers.read(answers_file), questions))
    return prefill, unfinished, partner


def refuse_existing_output(output: Path | None, force: bool) -> None:
    """Say before the interview, not after it, that --output would not be written."""
    if output is not None:
        from escalate_cli.files import refuse_existing

        refuse_existing(output, force)


def emit(text: str, output: Path | None, force: bool) -> None:
    """The result to stdout (user text made visible on a terminal), or atomically to
    --output with the permissions the user's umask gives new files."""
    if output is None:
        if sys.stdout.isatty():
            from escalate_cli.textsafe import visible

            text = visible(text)
        sys.stdout.write(text)
        return
    from escalate_cli.files import write_atomic

    write_atomic(output, text, force=force, mode=None)
    say(f"wrote {output}")


def say(message: str, prefix: str = "escalate: ") -> None:
    """A status line on stderr; user text in it is shown visibly, never interpreted."""
    from escalate_cli.textsafe import visible

    sys.stderr.write(f"{prefix}{visible(message)}\n")


def today() -> dt.date:
    """The one clock commands read (tests fix it here)."""
    return dt.date.today()


def open_store(home: Path | None) -> Store:
    from escalate_cli.files import home_dir
    from escalate_cli.store import Store

    return Store.open(home_dir(home))


def store_partner(store: Store, name: str) -> bool:
    """Whether `name` is a known partner (an unknown one is fine: it starts a history)."""
    from escalate_cli.errors import NotFoundError

    try:
        store.find_partner(name)
    except NotFoundError:
        return False
    return True


def show_before_you_talk(partner: str, home: Path | None) -> None:
    """What to know before talking to a partner, on stderr so stdout stays the result."""
    from escalate_cli import present

    with open_store(home) as store:
        if not store_partner(store, partner):
            say(f"no history for {partner!r} yet; this starts it")
            return
        view = present.before_you_talk_view(
            partner,
            store.notes(partner, "trigger"),
            store.escalations(partner),
            store.notes(partner, "escalation"),
            store.notes(partner, "communication"),
            store.commitments(partner),
        )
    present.show(view, sys.stderr)
