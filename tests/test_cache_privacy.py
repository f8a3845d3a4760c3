"""Every cache folder is read only when it and the kept file are ours alone (one check,
files.cache_folder and files.read_kept): a cache holds what is run as code (pattern and
template code) or trusted as checked (a validated playbook), so
one someone else could write is ignored and its contents made afresh in memory."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from escalate_cli import classify, files, patterns, playbook, render
from escalate_cli.playbook import Playbook

ITEMS = [(r"\bwill\b", 2), (r"asap|urgent", 2)]


class Cache:
    """One cache: `fill` keeps a file in its folder; `used` says whether a new run read it."""

    def __init__(self, fill: Callable[[Path], object], used: Callable[[Path], bool]) -> None:
        self.fill, self.used = fill, used


def reading(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, run: Callable[[Path], object]
) -> Cache:
    """A cache whose function `name` gives what was kept (None: nothing usable): a run used
    the cache if it called that function and got something back."""
    found: list[bool] = []
    read = getattr(module, name)

    def spying(*args: Any) -> Any:
        result = read(*args)
        found.append(result is not None)
        return result

    monkeypatch.setattr(module, name, spying)

    def used(folder: Path) -> bool:
        found.clear()
        run(folder)
        return any(found)

    return Cache(run, used)


def pattern_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, book: Playbook) -> Cache:
    def used(folder: Path) -> bool:
        """A run: the patterns read back or made, used, and kept."""
        patterns._MEMO.clear()
        found = patterns.compile_all(ITEMS, folder)
        (kept,) = patterns._MEMO.values()
        assert all(pattern.regex for pattern in found)
        patterns.keep_compiled()
        return kept.saved

    return Cache(used, used)


def template_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, book: Playbook) -> Cache:
    def run(folder: Path) -> None:
        monkeypatch.setattr(render, "_COMPILED", {})
        render.prepare(book, folder)

    return reading(monkeypatch, render, "_kept_code", run)


def validated_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, book: Playbook) -> Cache:
    path = tmp_path / "team.yaml"  # not the bundled playbook: no shipped record to fall back on
    path.write_text(playbook.bundled_path().read_text(encoding="utf-8"))
    return reading(
        monkeypatch, playbook, "_validated", lambda folder: playbook.load(path, stamps=folder)
    )


CACHES = {
    "patterns": pattern_cache,
    "templates": template_cache,
    "validated": validated_cache,
}


@pytest.fixture(params=list(CACHES))
def cache(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, book: Playbook
) -> Iterator[tuple[Cache, Path]]:
    """A cache of each kind in `home/cache/<name>` (the data folder private), one file kept."""
    (tmp_path / "home").mkdir(mode=0o700)
    folder = tmp_path / "home" / "cache" / request.param
    kind = CACHES[request.param](monkeypatch, tmp_path, book)
    kind.fill(folder)
    assert len(list(folder.iterdir())) == 1 and kind.used(folder)  # kept, and read back
    yield kind, folder
    patterns._MEMO.clear()
    classify._CACHE.clear()


def kept(folder: Path) -> Path:
    (path,) = folder.iterdir()
    return path


def others_write_the_folder(folder: Path) -> None:
    folder.chmod(0o777)


def our_group_writes_the_folder(folder: Path) -> None:
    folder.chmod(0o770)


def the_folder_is_a_link(folder: Path) -> None:
    elsewhere = folder.with_name("elsewhere")
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)


def the_folder_is_another_users(folder: Path) -> None:
    os.chown(folder, 65534, -1)


def others_write_the_file(folder: Path) -> None:
    kept(folder).chmod(0o606)


def our_group_writes_the_file(folder: Path) -> None:
    kept(folder).chmod(0o660)


def the_file_is_a_link(folder: Path) -> None:
    path = kept(folder)
    elsewhere = folder.parent / "elsewhere"
    shutil.copy(path, elsewhere)
    elsewhere.chmod(0o600)
    path.unlink()
    path.symlink_to(elsewhere)


def the_file_is_another_users(folder: Path) -> None:
    os.chown(kept(folder), 65534, -1)


AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file away")


@pytest.mark.parametrize(
    "tamper",
    [
        others_write_the_folder,
        our_group_writes_the_folder,
        the_folder_is_a_link,
        pytest.param(the_folder_is_another_users, marks=AS_ROOT),
    ],
)
def test_a_cache_folder_not_ours_alone_is_never_read_nor_written(
    cache: tuple[Cache, Path], tamper: Callable[[Path], None]
) -> None:
    kind, folder = cache
    tamper(folder)
    before = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert not kind.used(folder)
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == before


@pytest.mark.parametrize(
    "tamper",
    [
        others_write_the_file,
        our_group_writes_the_file,
        the_file_is_a_link,
        pytest.param(the_file_is_another_users, marks=AS_ROOT),
    ],
)
def test_a_kept_file_not_ours_alone_is_never_read_and_is_kept_afresh(
    cache: tuple[Cache, Path], tamper: Callable[[Path], None]
) -> None:
    kind, folder = cache
    tamper(folder)
    assert not kind.used(folder)
    path = kept(folder)
    assert not path.is_symlink() and path.stat().st_mode & 0o777 == 0o600
    assert path.stat().st_uid == os.geteuid()
    assert kind.used(folder)  # our own copy, read by the next run


def test_lint_and_brief_with_every_cache_folder_open_to_others_work_from_scratch(
    isolated_home: Path, tmp_path: Path
) -> None:
    """Commands meet the check as a user would: same output, nothing read or kept there."""
    from test_brief import ORDINARY
    from test_hardening import run

    draft = tmp_path / "draft.txt"
    draft.write_text("Engineering will have it fixed by Friday, guaranteed!!!\n")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ORDINARY))
    team = tmp_path / "team.yaml"  # not the bundled playbook: its validation is kept too
    team.write_text(playbook.bundled_path().read_text(encoding="utf-8"))
    runs = [
        ["lint", str(draft), "--format", "json", "--playbook", str(team)],
        ["brief", "-a", str(answers), "--no-input", "--playbook", str(team)],
    ]
    first = [run(*argv, home=isolated_home) for argv in runs]
    assert [done.returncode for done in first] == [1, 0]
    folders = sorted(path for path in (isolated_home / "cache").iterdir() if path.is_dir())
    assert [folder.name for folder in folders] == ["patterns", "templates", "validated"]
    for folder in folders:
        folder.chmod(0o777)
        for path in folder.iterdir():
            path.write_text("planted")
    again = [run(*argv, home=isolated_home) for argv in runs]
    assert [(d.returncode, d.stdout) for d in again] == [(d.returncode, d.stdout) for d in first]
    assert {path.read_text() for folder in folders for path in folder.iterdir()} == {"planted"}


def test_a_kept_file_that_links_to_a_pipe_is_replaced_not_written_through(tmp_path: Path) -> None:
    """A link planted where a kept file goes (to a pipe, or to our own standard output)
    must not carry the cache's bytes out: `keep` replaces it with a private regular file."""
    folder = tmp_path / "cache" / "kind"
    folder.mkdir(parents=True, mode=0o700)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so a write would not block
    try:
        kept = folder / "entry.json"
        kept.symlink_to(pipe)
        assert files.keep(kept, "cached bytes")
        assert not kept.is_symlink() and kept.read_text() == "cached bytes"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert os.read(reader, 100) == b""  # nothing was written through to the pipe
    finally:
        os.close(reader)
