"""Where data lives, and writing files so that nothing is half-written or clobbered."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from escalate_cli.errors import EscalateError, OutputError, StoreError


def home_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--home, else ESCALATE_HOME, else the platform's user data directory; made 0700."""
    chosen = explicit or os.environ.get("ESCALATE_HOME")
    if chosen:
        path = Path(chosen).expanduser()
    else:
        from platformdirs import user_data_path

        path = user_data_path("escalate")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot create the data directory: {exc.strerror}",
            "choose another with --home or ESCALATE_HOME",
        ) from None
    if not path.is_dir():
        raise StoreError(f"{path}: is not a directory", "choose another with --home")
    return path


def refuse_existing(path: Path, force: bool) -> None:
    """An existing file or link is never replaced without `force`; a folder never is."""
    if path.is_dir():
        raise OutputError(f"{path}: is a directory", "give a file name")
    if os.path.lexists(path) and not force:
        kind = "a symbolic link" if path.is_symlink() else "a file"
        raise OutputError(
            f"{path}: {kind} is already there; nothing was written",
            "choose another name, or add --force to replace it",
        )


def write_atomic(path: Path, text: str, *, force: bool = False, mode: int | None = 0o600) -> None:
    """Write all of `text` or nothing; refuse an existing file or link unless `force`.

    `mode=None` gives the permissions the user's umask gives any new file (for exports
    the user names); data files of our own are 0600."""
    refuse_existing(path, force)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here: {exc.strerror}") from None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)  # replaces a link itself, never the file it points to
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class Drafts:
    """Answers (and half-typed text) per command, so an interrupted interview can resume."""

    def __init__(self, home: Path) -> None:
        self.folder = home / "drafts"

    def path(self, command: str) -> Path:
        return self.folder / f"{command}.json"

    def save(
        self,
        command: str,
        answers: dict[str, Any],
        unfinished: dict[str, Any],
        partner: str | None = None,
    ) -> None:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        kept = {"answers": answers, "unfinished": unfinished, "partner": partner}
        write_atomic(self.path(command), json.dumps(kept, indent=2), force=True)

    def load(self, command: str) -> tuple[dict[str, Any], dict[str, Any], str | None]:
        """The kept answers, what was being typed, and the partner the run was about."""
        path = self.path(command)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise EscalateError(
                f"no saved draft for `{command}`", f"start afresh with `escalate {command}`"
            ) from None
        except (OSError, ValueError) as exc:
            raise EscalateError(f"{path}: the draft cannot be read ({exc})") from None
        if not isinstance(data, dict):
            data = {}
        answers, unfinished, partner = (data.get(k) for k in ("answers", "unfinished", "partner"))
        if not isinstance(answers, dict) or not isinstance(unfinished, dict):
            raise EscalateError(
                f"{path}: the draft is not a draft of answers",
                f"remove it and start afresh with `escalate {command}`",
            )
        return answers, unfinished, partner if isinstance(partner, str) else None

    def clear(self, command: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(command).unlink()
