"""The templates' generated code, kept between runs: used only for exactly the same templates,
Jinja and Python, rebuilt when damaged, and as safe as code compiled afresh."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from escalate_cli import render
from escalate_cli.brief import draft
from escalate_cli.errors import EscalateError
from escalate_cli.playbook import Playbook, load
from test_brief import ORDINARY
from test_faults import SANDBOX_ESCAPES

ANSWERS = {**ORDINARY, "commitments": [{"what": "x", "owner": "y", "due": ""}]}


def team_playbook(folder: Path, default_text: str, agenda: str) -> Playbook:
    """The bundled playbook with another agenda template."""
    start = default_text.index("  agenda: |\n")
    end = default_text.index("  follow_up: |\n")
    path = folder / f"team-{abs(hash(agenda))}.yaml"
    path.write_text(default_text[:start] + f"  agenda: {json.dumps(agenda)}\n" + default_text[end:])
    return load(path, check_templates=True)


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Forget what this process compiled, as a new run would; returns a way to forbid
    compiling, so a test can show that the kept code was used."""
    monkeypatch.setattr(render, "_COMPILED", {})
    compiled: list[str] = []
    sandbox = type(render._environment())
    original = sandbox.compile

    def counting(self: Any, source: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(source)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(sandbox, "compile", counting)

    def forget() -> list[str]:
        monkeypatch.setattr(render, "_COMPILED", {})
        compiled.clear()
        return compiled

    return forget


def drafts(book: Playbook, answers: dict[str, Any] = ANSWERS) -> dict[str, str]:
    return draft(book, answers).drafts()


def test_a_second_run_renders_from_the_kept_code_and_gets_the_same_drafts(
    tmp_path: Path, book: Playbook, new_process: Any
) -> None:
    compiled = new_process()
    fresh = drafts(book)  # compiled in the process, no cache
    assert len(compiled) == len(book.drafts())
    compiled = new_process()
    render.prepare(book, tmp_path / "cache")
    assert len(compiled) == len(book.drafts())
    assert len(list((tmp_path / "cache").iterdir())) == 1
    compiled = new_process()
    render.prepare(book, tmp_path / "cache")
    assert drafts(book) == fresh
    assert compiled == []


def test_the_kept_code_is_private(tmp_path: Path, book: Playbook, new_process: Any) -> None:
    render.prepare(book, tmp_path / "cache")
    (kept,) = (tmp_path / "cache").iterdir()
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    assert kept.stat().st_mode & 0o777 == 0o600


def test_edited_templates_are_compiled_again(
    tmp_path: Path, default_text: str, new_process: Any
) -> None:
    cache = tmp_path / "cache"
    first = team_playbook(tmp_path, default_text, "Agenda for {{ customer }}")
    render.prepare(first, cache)
    compiled = new_process()
    second = team_playbook(tmp_path, default_text, "Call with {{ customer }}")
    render.prepare(second, cache)
    assert "Call with {{ customer }}" in compiled and len(compiled) == len(second.drafts())
    assert drafts(second)["agenda"] == "Call with Acme Corp\n"
    assert len(list(cache.iterdir())) == 2  # each playbook keeps its own


def test_another_jinja_or_python_compiles_again(
    tmp_path: Path, book: Playbook, new_process: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    render.prepare(book, tmp_path / "cache")
    for module, name, value in ((jinja2, "__version__", "9.9.9"), (sys, "version", "3.99.0")):
        with monkeypatch.context() as changed:
            changed.setattr(module, name, value)
            compiled = new_process()
            render.prepare(book, tmp_path / "cache")
            assert len(compiled) == len(book.drafts()), name
    assert len(list((tmp_path / "cache").iterdir())) == 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"code": {"', '"code": {"x', 1),
        lambda text: json.dumps({**json.loads(text), "code": "not a mapping"}),
        lambda text: json.dumps(
            {**json.loads(text), "code": dict.fromkeys(json.loads(text)["code"], "AAAA")}
        ),
        lambda text: json.dumps(
            {**json.loads(text), "code": dict.fromkeys(json.loads(text)["code"], "!!")}
        ),
    ],
    ids=["empty", "truncated", "renamed", "wrong-shape", "not-code", "not-base64"],
)
def test_a_damaged_cache_file_is_ignored_and_rebuilt(
    tmp_path: Path, book: Playbook, new_process: Any, damage: Any
) -> None:
    render.prepare(book, tmp_path / "cache")
    (kept,) = (tmp_path / "cache").iterdir()
    good = kept.read_text()
    kept.write_text(damage(good))
    compiled = new_process()
    render.prepare(book, tmp_path / "cache")
    assert len(compiled) == len(book.drafts())
    assert kept.read_text() == good
    assert drafts(book)["agenda"]


def test_the_cache_is_only_a_saving(tmp_path: Path, book: Playbook, new_process: Any) -> None:
    """A cache folder that cannot be made costs the compile, nothing more."""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    render.prepare(book, blocked / "cache")
    assert drafts(book)["agenda"]


def cached_playbooks(tmp_path: Path, default_text: str, template: str) -> Playbook | None:
    """The playbook with this agenda, its code kept; None if validation refuses it."""
    try:
        book = team_playbook(tmp_path, default_text, template)
    except EscalateError:
        return None
    render.prepare(book, tmp_path / "cache")
    return book


@pytest.mark.parametrize("template", SANDBOX_ESCAPES)
def test_the_sandbox_holds_in_the_kept_code(
    tmp_path: Path, default_text: str, template: str, new_process: Any
) -> None:
    book = cached_playbooks(tmp_path, default_text, template)
    if book is None:
        return  # refused before any code is generated: nothing to keep
    compiled = new_process()
    render.prepare(book, tmp_path / "cache")
    with pytest.raises(EscalateError) as caught:
        drafts(book)
    assert compiled == []
    assert caught.value.exit_code == 2 and "agenda" in caught.value.message


def test_kept_code_is_strict_and_answers_stay_data(
    tmp_path: Path, default_text: str, new_process: Any
) -> None:
    strict = cached_playbooks(tmp_path, default_text, "{{ profile.nickname }}")
    literal = cached_playbooks(tmp_path, default_text, "Agenda: {{ issue }}")
    assert strict is not None and literal is not None
    compiled = new_process()
    render.prepare(strict, tmp_path / "cache")
    render.prepare(literal, tmp_path / "cache")
    with pytest.raises(EscalateError, match="nickname"):
        drafts(strict)
    typed = {**ANSWERS, "issue": "{{ 7*7 }} {% raw %}"}
    assert drafts(literal, typed)["agenda"] == "Agenda: {{ 7*7 }} {% raw %}\n"
    assert compiled == []


def test_brief_keeps_the_code_in_the_data_folder(tmp_path: Path, isolated_home: Path) -> None:
    """Through the installed command: the second run compiles nothing and prints the same."""
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ORDINARY))
    escalate = Path(sys.executable).with_name("escalate")
    argv = [str(escalate), "brief", "-a", str(answers), "--no-input", "-f", "json"]
    first = subprocess.run(argv, capture_output=True, text=True, check=True)
    kept = list((isolated_home / "cache" / "templates").iterdir())
    assert len(kept) == 1
    stamp = kept[0].stat().st_mtime_ns
    second = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert json.loads(second.stdout)["manager_brief"] == json.loads(first.stdout)["manager_brief"]
    assert kept[0].stat().st_mtime_ns == stamp  # read, not written again
