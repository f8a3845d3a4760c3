"""What several commands share: the playbook, the answers, the prompter, the output, the clock
and the partner's story before a call. Heavy imports happen inside, when a command runs."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from escalate_cli.errors import EscalateError
from escalate_cli.options import Format
from escalate_cli.textsafe import plural

if TYPE_CHECKING:
    from escalate_cli.brief import Brief
    from escalate_cli.dates import Cushion
    from escalate_cli.files import Draft
    from escalate_cli.interview import DraftSlot
    from escalate_cli.options import BriefFormat
    from escalate_cli.playbook import Playbook
    from escalate_cli.prompts import Prompter, QuestionaryPrompter
    from escalate_cli.store import MemoryStore


def load_playbook(
    path: Path | None, home: Path | None, *, check_templates: bool = False
) -> Playbook:
    """The playbook in use; content validated before loads without re-validation."""
    from escalate_cli import playbook
    from escalate_cli.files import home_dir

    stamps = home_dir(home) / "cache" / "validated"
    return playbook.load(playbook.locate(path), check_templates=check_templates, stamps=stamps)


LINT_SECONDS = 30.0
"""How long the message coach may take on one draft (a 1 MB draft takes a second or two)."""


@contextlib.contextmanager
def message_coach(book: Playbook, home: Path | None) -> Iterator[None]:
    """Ready the playbook's lint rules, compiled once per data folder (the patterns this
    draft needed are kept when it is done) and its model (read and checked in a few ms),
    and stop a rule that runs away: `playbook validate` refuses the patterns known to be
    slow, and a team's pattern that is slow on some draft all the same is exit 2 here,
    not a hung terminal."""
    import signal
    import threading

    from escalate_cli.files import home_dir
    from escalate_cli.lint import prepare
    from escalate_cli.patterns import keep_compiled

    cache = home_dir(home) / "cache"
    prepare(book.lint, cache / "patterns")
    if book.lint.model:
        from escalate_cli import classify

        classify.prepare(cache / "patterns")
        classify.load(Path(book.lint.model), [rule.id for rule in book.lint.rules])
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        keep_compiled()
        return

    def stop(signum: int, frame: Any) -> None:
        raise EscalateError(
            f"the message coach stopped after {LINT_SECONDS:.0f} seconds on this draft",
            "a lint pattern in the playbook is too slow for it: simplify the playbook's "
            "lint patterns (see escalate playbook validate), or check a shorter draft",
        )

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, LINT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    keep_compiled()


def terminal_prompter(
    no_input: bool, answers_from_stdin: bool, cushion: Cushion | None = None
) -> QuestionaryPrompter | None:
    """A prompter when a person is at a terminal and may be asked, else None."""
    if no_input or answers_from_stdin or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    from escalate_cli.prompts import QuestionaryPrompter

    return QuestionaryPrompter(cushion)


def gather_answers(
    book: Playbook,
    command: str,
    answers_file: str | None,
    resume: bool,
    partner: str | None,
    prompter: Prompter | None,
    home: Path | None,
) -> tuple[dict[str, Any], dict[str, Any], str | None, DraftSlot | None]:
    """Prefilled answers (a kept draft, then the answers file over it), what was half-typed
    when the draft was kept, the partner, and the draft slot the interview keeps its
    answers in (none when nobody is asked and nothing is resumed).

    The draft is the one `--resume` names (by `--partner`, or the only one, or the one
    picked in a terminal); without `--resume`, a terminal user is asked whether to resume
    the draft kept under the same name rather than have it replaced."""
    from escalate_cli import answers

    questions = list(book.all_questions())
    if answers_file == "-":
        reading_stdin("the answers (id: answer, one a line)")
    read = answers.read(answers_file) if answers_file else None
    from_file = answers.check(read, questions, today(), book.lint.cushion().off) if read else {}
    slot = draft_slot(book, command, partner, prompter, home) if prompter or resume else None
    kept: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    if slot and resume:
        kept = slot.resume(pick_draft(slot, partner, prompter))
    elif slot:
        kept = slot.offer(slot.name)
    return {**kept[0], **from_file}, kept[1], slot.partner if slot else partner, slot


def draft_slot(
    book: Playbook, command: str, partner: str | None, prompter: Prompter | None, home: Path | None
) -> DraftSlot:
    """Where an interview of `command` keeps its answers, checking a resumed draft's
    answers as an answers file's are."""
    from escalate_cli import answers
    from escalate_cli.files import Drafts, home_dir
    from escalate_cli.interview import DraftSlot

    questions = list(book.all_questions())
    return DraftSlot(
        Drafts(home_dir(home)),
        command,
        partner,
        prompter,
        lambda draft: answers.check_draft(draft, questions),
    )


def pick_draft(slot: DraftSlot, partner: str | None, prompter: Prompter | None) -> Draft:
    """The draft `--resume` means: the partner's, else the only one kept, else the one
    chosen in a terminal; without a terminal, several are an error naming them."""
    from escalate_cli.files import resume_command

    drafts, command = slot.drafts, slot.command
    if partner:
        return drafts.load(command, partner)
    found, broken = drafts.all(command)
    if not found:
        return drafts.read(broken[0], command) if broken else drafts.load(command)
    if len(found) == 1:
        return found[0]
    if prompter is None:
        raise EscalateError(
            f"{plural(len(found), 'draft')} of `{command}` are kept; which one?",
            "name it, e.g. `" + resume_command(command, found[0].name or "NAME") + "`; "
            "`escalate drafts` lists them",
        )
    from escalate_cli.interview import choose_draft

    return choose_draft(prompter, found)


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


T = TypeVar("T")


def show_list(
    items: Iterable[T],
    fmt: Format,
    *,
    data: Callable[[T], dict[str, Any]],
    markdown: Callable[[Iterable[T]], str],
    table: Callable[[list[T]], Any],
    columns: tuple[tuple[str, ...], tuple[int, ...], Callable[[T], tuple[str, ...]]],
) -> None:
    """A list as JSON, Markdown or in the terminal, written as it is read (see `listing`):
    `table` makes the rich view of a short list; `columns` (headers, widths, one row's
    cells) lay out the plain rows of a long one."""
    from escalate_cli import listing

    if fmt is Format.json:
        listing.write_json(map(data, items))
    elif fmt is Format.markdown:
        sys.stdout.write(markdown(items))
    else:

        def show_table(first: list[T]) -> None:
            from escalate_cli import present

            present.show(table(first))

        listing.show(items, show_table, *columns)


def say_left_out(limit: int | None, total: Callable[[], int], what: str) -> None:
    """After a list --limit cut short, say how many it shows of how many (`what` names
    one): on stderr, never in the document on stdout. A cut list looks whole otherwise."""
    if limit is None:
        return
    count = total()
    if count > limit:
        say(f"showing {limit} of {plural(count, what)}; leave out --limit to see all")


def say(message: str, prefix: str = "escalate: ") -> None:
    """A status line on stderr; user text in it is shown visibly, never interpreted."""
    from escalate_cli.textsafe import visible

    sys.stderr.write(f"{prefix}{visible(message)}\n")


def reading_stdin(what: str) -> None:
    """Before reading standard input, tell a person at a terminal how to end what they
    type: a read that waits in silence looks like a hang."""
    if sys.stdin.isatty():
        say(f"paste or type {what}, then Ctrl-D on a new line (Ctrl-Z Enter on Windows)")


def confirm_removal(what: str, yes: bool, no_input: bool) -> bool:
    """Whether to remove `what` (a record described in words): a person at a terminal is
    asked, unless --yes; a script is not (it never was), and is told what went."""
    prompter = None if yes else terminal_prompter(no_input, False)
    if prompter is None:
        return True
    from escalate_cli.interview import ask_once

    if ask_once(prompter, f"Remove {what}?", "nothing was removed"):
        return True
    say("nothing was removed")
    return False


def today() -> dt.date:
    """The one clock commands read (tests fix it here)."""
    return dt.date.today()


def open_store(home: Path | None) -> MemoryStore:
    """The store the user chose: the team database (--database / ESCALATE_DATABASE_URL,
    given before the command) or the local one under the data home."""
    from escalate_cli.files import home_dir
    from escalate_cli.store import open_store as open_chosen

    database, team = store_choice()
    return open_chosen(home_dir(home), database, team)


# --database and --team as the root callback saw them (environment variables included);
# it sets them on every run, before any command.
STORE_CHOICE: dict[str, str | None] = {}


def store_choice() -> tuple[str | None, str | None]:
    """The team database and team chosen for this run (None: the local store)."""
    database = STORE_CHOICE.get("database", os.environ.get("ESCALATE_DATABASE_URL"))
    team = STORE_CHOICE.get("team", os.environ.get("ESCALATE_TEAM"))
    return database or None, team or None


def store_partner(store: MemoryStore, name: str) -> bool:
    """Whether `name` is a known partner (an unknown one is fine: it starts a history)."""
    return store.match_partner(name).exact is not None


def resolve_partner(
    store: MemoryStore, name: str, new: bool, prompter: Prompter | None, decline: str | None = None
) -> str | None:
    """The partner `name` means: a known one however it is typed, else a new one.

    A new name close to known ones is probably a typo: in a terminal the user picks (a
    known partner, the new name, or `decline` when given: None is returned); otherwise it
    is exit 2 with "did you mean", unless `new`. Store writes that follow pass new=True."""
    from escalate_cli.errors import CloseMatchError
    from escalate_cli.identity import clean_name

    found = store.match_partner(name)
    if found.exact:
        return found.exact.partner
    if new or not found.close:
        return clean_name(name)
    close = tuple(dict.fromkeys(item.partner for item in found.close))
    if prompter is None:
        raise CloseMatchError(clean_name(name), close)
    from escalate_cli.interview import ask_partner

    return ask_partner(prompter, clean_name(name), close, decline)


def file_under(
    store: MemoryStore, customer: str, prompter: Prompter | None, what: str, confirm: bool
) -> str | None:
    """The partner a result without --partner is kept under: the customer named in the
    interview, or None for the local history. In a terminal a typo-like name is asked
    about, and with `confirm` so is keeping it there at all."""
    if not customer.strip():
        return None
    found = store.match_partner(customer)
    if prompter is None:
        if found.exact or not found.close:
            return found.exact.partner if found.exact else " ".join(customer.split())
        from escalate_cli.identity import suggestion

        say(
            f"{customer!r} is not one of your partners ({suggestion(found.close)}): the {what} "
            "is kept in your local history instead",
            prefix="escalate: note: ",
        )
        return None
    from escalate_cli.interview import ask_once

    if not confirm and (found.exact or not found.close):
        return found.exact.partner if found.exact else " ".join(customer.split())
    if found.exact:
        name = found.exact.partner
        keep = f"Keep this {what} in {name}'s history? (n: only in your local history)"
        return name if ask_once(prompter, keep, f"the {what} above was not recorded") else None
    if not found.close:
        start = f"Start a history for {customer.strip()} with this {what}? (n: local history)"
        if ask_once(prompter, start, f"the {what} above was not recorded"):
            return " ".join(customer.split())
        return None
    return resolve_partner(store, customer, False, prompter, "only my local history")


def commitments(
    items: list[dict[str, Any]], cushion: Cushion, your_name: str = ""
) -> list[dict[str, Any]]:
    """Step 6's commitments as recorded: an owner of "me" or "I" is the user by name (the
    brief's `your_name`, which signs its drafts, else `my_name`).
    A due date already past is kept (it was promised) but said, with what the drafts
    promised instead (the cushioned date, or no date once that has passed too); a
    commitment not yet agreed is in no draft."""
    from escalate_cli.identity import is_me, resolve_owner

    owners = [str(item.get("owner") or "") for item in items]
    me = (your_name.strip() or my_name()) if any(map(is_me, owners)) else ""  # only if needed
    result = []
    now = today()
    for item, owner in zip(items, owners, strict=True):
        due = str(item.get("due") or "")
        if due and due < now.isoformat():
            promise = cushion.promise(dt.date.fromisoformat(due))
            said = f"the commitment {item['what']!r} was due {due}, which has passed"
            if item.get("agreed") is False:  # tracked, in no draft
                say(said)
            elif promise >= now:
                say(f"{said}; the drafts still promise {promise} (the due date plus the cushion)")
            else:
                who = resolve_owner(owner, me) or "its owner"
                say(
                    f"{said}, and so has its promise date {promise}: the manager brief and the "
                    "follow-up plan mark it 'to be agreed' and the customer messages leave it "
                    f"out; agree a new date with {who} before sending"
                )
        result.append({**item, "owner": resolve_owner(owner, me)})
    return result


def write_brief(result: Brief, fmt: BriefFormat, output: Path | None, force: bool) -> None:
    """A brief's drafts in the chosen format: `brief` and `history show` print them alike."""
    from escalate_cli import report
    from escalate_cli.options import BriefFormat

    if fmt is BriefFormat.json:
        emit(report.to_json(report.brief_data(result)), output, force)
    elif fmt is BriefFormat.markdown:
        emit(report.brief_markdown(result), output, force)
    elif fmt is BriefFormat.text or output is not None:
        emit(report.brief_text(result), output, force)
    else:
        from escalate_cli import present

        present.show_brief(result)


def my_name() -> str:
    """The user's own name, for owners given as "me" or "I" and for who hands over: the
    profile's (`escalate config set name`), else the login name."""
    from escalate_cli import profile

    saved = profile.load().get("name", "")
    if saved:
        return saved
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return ""


def show_before_you_talk(partner: str, home: Path | None, book: Playbook) -> None:
    """What to know before talking to a partner, and the playbook's advice for the call,
    on stderr so stdout stays the result."""
    from escalate_cli import present

    with open_store(home) as store:
        if not store_partner(store, partner):
            say(f"no history for {partner!r} yet; this starts it")
            return
        notes = store.notes(partner)
        view = present.before_you_talk_view(
            partner,
            [n for n in notes if n.kind == "trigger"],
            store.escalations(partner),
            [n for n in notes if n.kind == "escalation"],
            [n for n in notes if n.kind == "communication"],
            store.commitments(partner),
            tuple((g.title, g.text) for g in book.relationship if g.before_call),
            agreements=[n for n in notes if n.kind in ("agreement", "decision")],
            lessons=[n for n in notes if n.kind == "lesson"],
            expectations=[n for n in notes if n.kind == "expectation"],
            other=[n for n in notes if n.kind == "note"],
        )
    present.show(view, sys.stderr)


def refuse_list_options(ctx: Any, listing: str, group: str) -> None:
    """A group that lists by itself (`follow-up`, `drafts`) refuses its list options put
    before a subcommand, rather than ignore them silently."""
    given = [
        param.opts[0]
        for param in ctx.command.params
        if param.name and getattr(ctx.get_parameter_source(param.name), "name", "") == "COMMANDLINE"
    ]
    if given:
        verb = "belongs" if len(given) == 1 else "belong"
        raise EscalateError(
            f"{', '.join(given)} {verb} to {listing}, not to `{ctx.invoked_subcommand}`; "
            "nothing was done",
            f"run the list on its own (escalate {group} {given[0]} ...); --home goes after "
            f"the subcommand: escalate {group} {ctx.invoked_subcommand} ... --home DIR",
        )
