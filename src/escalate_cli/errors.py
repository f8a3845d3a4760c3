"""The tool's own errors: each carries the exit code and a message a user can act on.

Exit codes are a contract (README, "Exit codes"): 0 ok, 1 unexpected failure, 2 bad input,
130 interrupted. Anything that is the user's input to fix is an `EscalateError` with code 2.
"""

from __future__ import annotations

EXPORT_AGAIN = "nothing was imported; export the handover again"
"""The hint for a handover file that is wrong inside: the file is at fault, not the store."""


class EscalateError(Exception):
    """Bad input the user can fix: a message, an optional hint, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"


class PlaybookError(EscalateError):
    """A playbook that cannot be read or does not validate."""


class AnswersError(EscalateError):
    """An answers file, or answers, that do not fit the playbook's questions."""


class MissingAnswersError(AnswersError):
    """Required answers are missing and there is no terminal to ask them."""

    def __init__(self, ids: list[str], hint: str | None = None) -> None:
        super().__init__(
            "missing answers for: " + ", ".join(ids),
            hint
            or "give them in an --answers file (YAML or JSON: id: answer), "
            "or run in a terminal without --no-input to be asked",
        )
        self.ids = ids


class OutputError(EscalateError):
    """A file we were asked to write cannot be written as asked."""


class StoreError(EscalateError):
    """The data store cannot be used as it is (corrupt, foreign, not writable)."""


class NotFoundError(EscalateError):
    """A partner, note or commitment named by the user does not exist."""


class InterruptedByUser(EscalateError):
    """Ctrl-C or Ctrl-D at a prompt: exit 130, after keeping what was typed."""

    exit_code = 130


class CloseMatchError(NotFoundError):
    """A new partner name close to known ones: probably a typo, so nothing is started."""

    def __init__(self, name: str, close: tuple[str, ...]) -> None:
        names = " or ".join(repr(partner) for partner in close[:3])
        super().__init__(
            f"no partner named {name!r}; did you mean {names}?",
            f"use that name, or add --new to start a new partner named {name!r}",
        )
        self.name = name
        self.close = close
