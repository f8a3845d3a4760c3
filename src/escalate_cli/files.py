"""Where data lives, and writing files so that nothing is half-written or clobbered."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import shlex
import stat
import time
from pathlib import Path
from typing import Any

from escalate_cli.errors import EscalateError, OutputError, StoreError
from escalate_cli.records import record


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
    for folder in (path, path / "cache"):
        check_private(folder)
    return path


def check_private(folder: Path) -> None:
    """Refuse a data or cache folder another user could change: whoever can write it can
    swap in their own database or plant a stamp that skips validation."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(
            f"{folder}: cannot be checked: {exc.strerror}",
            "choose a folder of your own with --home or ESCALATE_HOME",
        ) from None
    if info.st_uid != os.geteuid():
        raise StoreError(
            f"{folder}: belongs to another user, so it cannot hold your data safely",
            "use a folder of your own with --home or ESCALATE_HOME",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise StoreError(
            f"{folder}: other users can write to it, so it cannot hold your data safely",
            f"make it private, then run again: chmod 700 '{folder}'",
        )


KEPT_LIMIT = 4_000_000
"""Bytes a kept file of a cache folder may have (the largest, a set of compiled patterns, is
about 0.9 MB)."""


def ours(info: os.stat_result) -> bool:
    """Whether only we can change what `info` describes: ours, and neither our group nor
    other users may write it."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cache_folder(folder: Path | None) -> Path | None:
    """`folder` if a cache may be read from and kept in it, else None: a folder only we can
    write (not a link to one), or none yet (`keep` makes it private). What a cache holds is
    read back as compiled code or as validated data, so a folder someone else could write
    to is never trusted, even inside our private data folder: its cache is rebuilt."""
    if folder is None:
        return None
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return folder
    except OSError:
        return None
    return folder if stat.S_ISDIR(info.st_mode) and ours(info) else None


def read_kept(path: Path, limit: int = KEPT_LIMIT) -> bytes | None:
    """All of a kept file of a `cache_folder`, or None when there is none or it is a link,
    not a regular file, not ours alone, or larger than `limit`. Reading marks it used."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not (stat.S_ISREG(info.st_mode) and ours(info)) or info.st_size > limit:
                return None
            data = handle.read(limit + 1)
    except OSError:
        return None
    if len(data) > limit:
        return None
    mark_used(path, info.st_mtime)
    return data


def keep(path: Path, data: str | bytes) -> bool:
    """Write a kept file into its `cache_folder`, making that folder and the one above it
    private if they are new; False if it cannot be done (a cache we cannot write only
    costs time). Whatever is there and is not a regular file (a link to a pipe or to our
    own standard output) is removed first: a kept file is always replaced, never written
    through."""
    try:
        for folder in (path.parent.parent, path.parent):
            folder.mkdir(mode=0o700, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(path.lstat().st_mode):
                path.unlink()
        write_atomic(path, data, force=True)
    except (OSError, EscalateError):
        return False
    return True


def refuse_existing(path: Path, force: bool) -> None:
    """An existing file or link is never replaced without `force`; a folder never is.

    A terminal, `/dev/null` or a named pipe is written to, never replaced, so it needs
    no `force`; other special files are refused."""
    if path.is_dir():
        raise OutputError(f"{path}: is a directory", "give a file name")
    kind = _special_kind(path)
    if kind == "stream":
        return
    if kind:
        raise OutputError(f"{path}: is {kind}; nothing was written", "give a file name")
    if os.path.lexists(path) and not force:
        kind = "a symbolic link" if path.is_symlink() else "a file"
        raise OutputError(
            f"{path}: {kind} is already there; nothing was written",
            "choose another name, or add --force to replace it",
        )


def _special_kind(path: Path) -> str | None:
    """ "stream" for a character device or named pipe (what the path finally names),
    a description for other special files, None for a regular file or nothing."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    if stat.S_ISREG(mode):
        return None
    return "a block device" if stat.S_ISBLK(mode) else "a socket or other special file"


def write_atomic(
    path: Path, text: str | bytes, *, force: bool = False, mode: int | None = 0o600
) -> None:
    """Write all of `text` (UTF-8, or bytes as they are) or nothing; refuse an existing
    file or link unless `force`.

    `mode=None` gives the permissions the user's umask gives any new file (for exports
    the user names); data files of our own are 0600. A device or named pipe is written
    through, never replaced."""
    refuse_existing(path, force)
    if _special_kind(path) == "stream":
        _write_through(path, text)
        return
    folder = path.parent if str(path.parent) else Path(".")
    sweep_stale_temps(folder)
    try:
        import tempfile  # with shutil, bz2 and lzma: only for a command that writes

        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write here: {exc.strerror}",
            "write it to a folder you can write to",
        ) from None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_encoded(text))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)  # replaces a link itself, never the file it points to
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _write_error(path, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _encoded(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _write_through(path: Path, text: str | bytes) -> None:
    """Write to a device or named pipe as it is; a pipe nobody reads is an error, not a hang."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(
                f"{path}: is a named pipe nobody is reading; nothing was written",
                "start the reader first, or give a file name",
            ) from None
        raise _write_error(path, exc) from None
    os.set_blocking(fd, True)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_encoded(text))
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> OutputError:
    """A write that failed for a reason the user can fix (a full disk, no permission)."""
    hint = (
        "free some space, or write somewhere else"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
        else "check the file and its folder"
    )
    return OutputError(f"{path}: cannot write: {exc.strerror}; nothing was written", hint)


STALE_TEMP_SECONDS = 3600
_OUR_TEMP = r"\..+\.[a-z0-9_]{8}\.tmp"  # what mkstemp makes of our prefix (compiled when met)


def sweep_stale_temps(folder: Path) -> None:
    """Remove temporary files of our own naming (`.NAME.xxxxxxxx.tmp`, regular files of
    ours) that a killed write left behind over an hour ago; they may hold partial notes."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not re.fullmatch(_OUR_TEMP, entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if (
                    stat.S_ISREG(info.st_mode)
                    and info.st_uid == os.geteuid()
                    and info.st_mtime < cutoff
                ):
                    os.unlink(entry.path)


USED_SECONDS = 86400
"""How stale a kept file's time may be before reading it marks it used again."""


def mark_used(path: Path, mtime: float) -> None:
    """Note that a kept file (of a cache folder) was read: its modification time says when
    it was last used, set again at most once a day (`sweep_unused` keeps the newest)."""
    if mtime < time.time() - USED_SECONDS:
        with contextlib.suppress(OSError):
            os.utime(path)


def sweep_unused(folder: Path, name: str, keep: int) -> None:
    """Remove all but the `keep` most recently used regular files of ours named like `name`
    in a cache folder: made again if ever needed, they only cost disk space until then."""
    found: list[tuple[float, str]] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if (
                    re.fullmatch(name, entry.name)
                    and stat.S_ISREG(info.st_mode)
                    and info.st_uid == os.geteuid()
                ):
                    found.append((info.st_mtime, entry.path))
    for _, path in sorted(found, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            os.unlink(path)


DRAFT_LIMIT = 1_000_000
"""Bytes a draft may have: far more than any interview's answers, far less than memory."""


_DRAFT_FILE = r"([a-z][a-z-]*?)(?:-[0-9a-f]{16})?"


def draft_key(name: str) -> str:
    """The name a draft is filed under: case, spacing and punctuation ignored."""
    return " ".join(re.findall(r"\w+", name.casefold()))


def resume_command(command: str, name: str) -> str:
    """The command line that continues the draft of `command` named `name`."""
    named = f" --partner {shlex.quote(name)}" if draft_key(name) else ""
    return f"escalate {command} --resume{named}"


@record
class Draft:
    """What an interrupted interview kept: its answers, what was being typed, the partner
    the run was about (--partner), and the customer or partner it is named after."""

    command: str
    name: str
    answers: dict[str, Any]
    unfinished: dict[str, Any]
    partner: str | None
    saved: str
    path: Path

    @property
    def saved_at(self) -> str:
        """When it was saved, to the minute, as people read it."""
        return self.saved.replace("T", " ")[:16] or "at an unknown time"


class Drafts:
    """One kept draft per command and customer (or partner), so an interrupted interview
    can resume and two interviews about different customers never replace each other."""

    def __init__(self, home: Path) -> None:
        self.folder = home / "drafts"

    def path(self, command: str, name: str = "") -> Path:
        """`drafts/brief.json` for a run not yet named, else a file per name (hashed, so
        no name can reach outside the folder)."""
        key = draft_key(name)
        if not key:
            return self.folder / f"{command}.json"
        import hashlib  # OpenSSL's: only for a named draft

        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        return self.folder / f"{command}-{digest}.json"

    def save(
        self,
        command: str,
        name: str,
        answers: dict[str, Any],
        unfinished: dict[str, Any],
        partner: str | None = None,
    ) -> Path:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        kept = {
            "command": command,
            "name": name,
            "answers": answers,
            "unfinished": unfinished,
            "partner": partner,
            "saved": dt.datetime.now().isoformat(timespec="seconds"),
        }
        path = self.path(command, name)
        write_atomic(path, json.dumps(kept, indent=2), force=True)
        return path

    def find(self, command: str, name: str = "") -> Draft | None:
        """The draft kept for `command` and `name`, or None."""
        path = self.path(command, name)
        return self.read(path, command) if os.path.lexists(path) else None

    def load(self, command: str, name: str = "") -> Draft:
        """The draft kept for `command` and `name`; exit 2 when there is none."""
        found = self.find(command, name)
        if found is None:
            whose = f" about {name}" if draft_key(name) else ""
            raise EscalateError(
                f"no saved draft for `{command}`{whose}",
                f"`escalate drafts` lists the drafts kept; start afresh with `escalate {command}`",
            )
        return found

    def all(self, command: str | None = None) -> tuple[list[Draft], list[Path]]:
        """Every draft (of `command`), most recently saved first, and the files among
        them that cannot be read."""
        found: list[Draft] = []
        broken: list[Path] = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            named = re.fullmatch(_DRAFT_FILE, path.stem)
            if named is None or command not in (None, named.group(1)):
                continue
            try:
                found.append(self.read(path, named.group(1)))
            except EscalateError:
                broken.append(path)
        return sorted(found, key=lambda draft: draft.saved, reverse=True), broken

    def read(self, path: Path, command: str) -> Draft:
        """One draft file, read within DRAFT_LIMIT; only a regular file is read, so a link
        to a device or a pipe cannot hang or flood the read."""
        remove = "delete that file and start afresh"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise EscalateError(
                f"{path}: the draft cannot be read ({exc.strerror})", remove
            ) from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise EscalateError(f"{path}: the draft is not a regular file", remove)
            raw = handle.read(DRAFT_LIMIT + 1)
        if len(raw) > DRAFT_LIMIT:
            raise EscalateError(f"{path}: the draft is larger than {DRAFT_LIMIT:,} bytes", remove)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else "not valid JSON"
            raise EscalateError(f"{path}: the draft cannot be read ({why})", remove) from None
        if not isinstance(data, dict):
            data = {}
        answers, unfinished, partner, name, saved = (
            data.get(k) for k in ("answers", "unfinished", "partner", "name", "saved")
        )
        if not isinstance(answers, dict) or not isinstance(unfinished, dict):
            raise EscalateError(f"{path}: the draft is not a draft of answers", remove)
        return Draft(
            command=command,
            name=name if isinstance(name, str) else "",
            answers=answers,
            unfinished=unfinished,
            partner=partner if isinstance(partner, str) else None,
            saved=saved if isinstance(saved, str) else "",
            path=path,
        )

    def clear(self, command: str, name: str = "") -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(command, name).unlink()
