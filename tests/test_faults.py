"""The worst moments: hostile playbooks, templates and text, broken input, and what is kept.

Each case asserts the exit code, the message, and that nothing stored was lost or changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import answers, write_yaml
from escalate_cli import safe_yaml
from escalate_cli.assess import assess
from escalate_cli.brief import draft
from escalate_cli.cli import app
from escalate_cli.errors import EscalateError
from escalate_cli.limits import bounded
from escalate_cli.playbook import Playbook, bundled_path, construct, load, validate
from escalate_cli.render import sentence
from escalate_cli.textsafe import visible
from test_brief import ORDINARY


@pytest.fixture(autouse=True)
def bounded_case() -> Iterator[None]:
    """Every fault case runs under a CPU-time and memory bound: a regression that loops or
    allocates fails here (exit 1 from the command, or WorkTooLarge) instead of hanging CI."""
    with bounded(cpu_seconds=120, extra_memory=2 << 30):
        yield


def snapshot(home: Path) -> dict[str, str]:
    """Every file under the data home and its content hash."""
    if not home.exists():
        return {}
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


@pytest.fixture
def stored(runner, isolated_home: Path) -> Path:
    """A home with a note and a kept draft, to check bad input leaves them alone."""
    assert (
        runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", "policy"]).exit_code == 0
    )
    drafts = isolated_home / "drafts"
    drafts.mkdir(mode=0o700)
    draft = {"answers": {"tried_to_resolve": True}, "unfinished": {"knows_root_cause": "ye"}}
    (drafts / "assess.json").write_text(json.dumps(draft))
    return isolated_home


BAD_PLAYBOOKS = {
    "python_tag": (
        "playbook: !!python/object/apply:os.system ['echo pwned']\n",
        "the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
    ),
    "alias_bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
            for i in range(8)
        ),
        "expands to more than 100,000 values",
    ),
    "duplicate_key": ("playbook: 1\nname: a\nname: b\n", "duplicate key 'name' (first at line 2)"),
    "yaml11_no": (None, "YAML read False (bool)"),
    "tabs": ("playbook: 1\nverdicts:\n\tescalate: x\n", "team.yaml:3:1"),
    "not_utf8": (b"playbook: 1\nname: \xff\xfe\n", "byte 0xff is not UTF-8"),
    "too_big": ("#" + "x" * 1_000_001 + "\n", "larger than 1,000,000 bytes"),
    "too_deep": ("a: " + "[" * 100 + "]" * 100 + "\n", "nesting is deeper than 64 levels"),
    "not_a_mapping": ("just text\n", "a playbook is a mapping"),
    "empty": ("", "a playbook is a mapping"),
}


@pytest.mark.parametrize("kind", sorted(BAD_PLAYBOOKS))
def test_bad_playbook_is_exit_2_with_message_and_changes_nothing(
    runner, stored: Path, tmp_path: Path, default_text: str, kind: str
) -> None:
    content, expected = BAD_PLAYBOOKS[kind]
    if content is None:
        content = default_text.replace("    title: Escalate now", "    title: no", 1)
    path = tmp_path / "team.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = snapshot(stored)
    for command in (["assess", "--resume"], ["brief"], ["playbook", "validate"], ["lint", "-"]):
        result = runner.invoke(app, [*command, "--playbook", str(path)], input="hello")
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.stderr, (command, result.stderr)
        assert "hint:" in result.stderr
        assert "Traceback" not in result.output
    assert snapshot(stored) == before


SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ customer.__class__.__base__.__subclasses__() }}",
    "{{ customer.__init__.__globals__ }}",
    "{{ commitments.__class__.__dict__ }}",
    "{{ customer|attr('__class__') }}",
    "{{ self._TemplateReference__context }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ range(10**9)|list }}",
    "{% for c in commitments %}{{ c.items.__self__.__class__ }}{% endfor %}",
    "{{ '{0.__class__.__mro__}'.format(customer) }}",
    "{{ '{0.__init__.__globals__}'.format_map({'0': customer}) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{ 'x' * 10**9 }}",
    "{% set l = [1] %}{% for x in l %}{{ '' if l.append(1) }}{% endfor %}",
    "{% set d = {} %}{{ d.update({'a': 1}) }}{{ commitments.append(1) }}",
    "{{ [1] * 100000 }}",
    "{{ (9 ** 9) ** (9 ** 9) }}",
    "{% for a in customer * 5000 %}{% for b in customer * 5000 %}{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("template", SANDBOX_ESCAPES)
def test_sandbox_escape_corpus_is_refused(tmp_path: Path, default_text: str, template) -> None:
    start = default_text.index("  agenda: |\n")
    end = default_text.index("  follow_up: |\n")
    path = tmp_path / "team.yaml"
    path.write_text(
        default_text[:start] + f"  agenda: {json.dumps(template)}\n" + default_text[end:]
    )
    with pytest.raises(EscalateError) as caught:
        book = load(path, check_templates=True)
        draft(book, {**ORDINARY, "commitments": [{"what": "x", "owner": "y", "due": ""}]})
    assert caught.value.exit_code == 2
    assert "agenda" in caught.value.message


HOSTILE_TEXT = [
    "[bold red]shout[/bold red]",
    "[link=https://evil.example]click here[/link]",
    "[/]",
    "\x1b[2J\x1b[31mcleared",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "\x1b]0;new window title\x07",
    "before\rafter overwrite",
    "\u202eevil\u202c and \u2066isolate\u2069",
    "zero\u200bwidth",
    "bell\x07 and backspace\x08",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_is_shown_visibly_and_literally(runner, tmp_path: Path, text: str) -> None:
    shown = visible(text)
    assert not any(ch in shown for ch in "\x1b\x07\x08\r\u202e\u202c\u2066\u2069\u200b")
    runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", text])
    for args in (["notes", "list", "acme"], ["handover", "acme"], ["partners"]):
        out = runner.invoke(app, args).stdout
        assert not any(ch in out for ch in "\x1b\x07\x08\r\u202e\u202c\u2066\u2069\u200b"), args
    stored_notes = json.loads(runner.invoke(app, ["notes", "list", "acme", "-f", "json"]).stdout)
    assert stored_notes[0]["text"] == text.strip(), "stored exactly as typed"
    answers_file = tmp_path / "b.json"
    answers_file.write_text(json.dumps({**ORDINARY, "issue": text}))
    brief = runner.invoke(app, ["brief", "-a", str(answers_file), "--no-input"])
    assert brief.exit_code == 0
    assert f"Root cause: {visible(sentence(text))}" in brief.stdout


def test_markup_in_notes_is_literal(runner) -> None:
    runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", "[bold]x[/bold] [/]"])
    assert "[bold]x[/bold] [/]" in runner.invoke(app, ["notes", "list", "acme"]).stdout


def installed() -> str:
    path = Path(sys.executable).parent / "escalate"
    return str(path) if path.exists() else "escalate"


def test_piped_input_is_not_a_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "ESCALATE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [installed(), "assess"], input="y\ny\n", capture_output=True, text=True, env=env
    )
    assert done.returncode == 2
    assert "missing answers for: tried_to_resolve" in done.stderr and "--answers" in done.stderr
    assert not (tmp_path / "home" / "drafts" / "assess.json").exists()


def test_traceback_never_prints_answers_or_notes(runner, tmp_path, monkeypatch) -> None:
    secret = "SECRET-NOTE-TEXT"
    runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", secret])

    def broken(*_: object, **__: object) -> None:
        raise ValueError(f"boom {secret}")

    monkeypatch.setattr("escalate_cli.handover.to_markdown", broken)
    result = runner.invoke(app, ["handover", "acme"])
    assert result.exit_code == 1
    assert secret not in result.output and "ValueError" in result.stderr
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    monkeypatch.setattr("escalate_cli.report.assessment_markdown", broken)
    result = runner.invoke(app, ["assess", "-a", str(file), "-f", "markdown"])
    assert result.exit_code == 1 and secret not in result.output


def test_output_onto_a_symlink_into_the_store_is_refused(runner, stored: Path, tmp_path) -> None:
    link = tmp_path / "handover.md"
    os.symlink(stored / "escalate.db", link)
    before = snapshot(stored)
    result = runner.invoke(app, ["handover", "acme", "-o", str(link)])
    assert result.exit_code == 2 and "a symbolic link is already there" in result.stderr
    assert snapshot(stored) == before


# --- property-based: random documents never crash the loader or the engine -----------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)
DEFAULT = yaml.safe_load(bundled_path().read_text())
KEYS = [
    "playbook",
    "name",
    "verdicts",
    "assess",
    "rules",
    "scenarios",
    "gotchas",
    "brief",
    "templates",
    "lint",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(KEYS), value=documents)
def test_random_playbook_parts_give_a_playbook_or_exit_2(key: str, value: object) -> None:
    text = yaml.safe_dump({**DEFAULT, key: value}, allow_unicode=True)
    located = safe_yaml.parse(text, "random.yaml")
    try:
        book = validate(located)
    except EscalateError as exc:
        assert exc.exit_code == 2 and exc.message
    else:
        assert book.rules
        # what a validated playbook loads as next time, without pydantic, is the same
        assert construct(Playbook, located.data) == book


SCALAR_SPOTS = [
    ("assess", 0, "questions", 0, "required"),
    ("assess", 0, "checklist"),
    ("lint", "cushion_days"),
    ("lint", "holidays", 0),
    ("lint", "rules", 0, "case_sensitive"),
    ("playbook",),
    ("assess", 0, "questions", 0, "type"),
    ("rules", 0, "verdict"),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spot=st.sampled_from(SCALAR_SPOTS), value=scalars)
def test_a_validated_scalar_is_built_the_same_way_again(spot, value) -> None:
    import copy

    data = copy.deepcopy(DEFAULT)
    target = data
    for part in spot[:-1]:
        target = target[part]
    target[spot[-1]] = value
    located = safe_yaml.parse(yaml.safe_dump(data, allow_unicode=True), "random.yaml")
    try:
        book = validate(located)
    except EscalateError as exc:
        assert exc.exit_code == 2
    else:
        assert construct(Playbook, located.data) == book


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_random_text_as_a_playbook_is_exit_2_not_a_crash(text: str) -> None:
    try:
        validate(safe_yaml.parse(text, "random.yaml"))
    except EscalateError as exc:
        assert exc.exit_code == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "cancel_threat",
                "tried_to_resolve",
                "triggers",
                "deal_at_risk",
                "issue",
                "commitments",
                "nonsense",
                "manager_briefed",
            ]
        ),
        documents,
        max_size=6,
    )
)
def test_random_answers_give_a_verdict_or_exit_2(book, data: dict) -> None:
    from escalate_cli.answers import check

    located = safe_yaml.parse(yaml.safe_dump(data, allow_unicode=True), "answers.yaml")
    try:
        given_answers = check(located, list(book.all_questions()))
    except EscalateError as exc:
        assert exc.exit_code == 2
        return
    result = assess(book, given_answers)
    assert result.verdict in ("escalate_now", "escalate", "not_yet", "dont_escalate")


HIDDEN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_visible_leaves_no_hidden_character_and_changes_nothing_else(text: str) -> None:
    import unicodedata

    shown = visible(text)
    assert not [
        c for c in shown if c not in "\n\t" and unicodedata.category(c) in HIDDEN_CATEGORIES
    ]
    if not [c for c in text if c not in "\n\t" and unicodedata.category(c) in HIDDEN_CATEGORIES]:
        assert shown == text


def test_resume_without_a_draft_or_with_a_broken_one_is_exit_2(runner, isolated_home) -> None:
    missing = runner.invoke(app, ["assess", "--resume", "--no-input"])
    assert missing.exit_code == 2 and "no saved draft for `assess`" in missing.stderr
    (isolated_home / "drafts").mkdir(parents=True)
    (isolated_home / "drafts" / "assess.json").write_text("[1, 2")
    broken = runner.invoke(app, ["assess", "--resume", "--no-input"])
    assert broken.exit_code == 2 and "the draft cannot be read" in broken.stderr


def test_resume_with_answers_kept_but_no_terminal_names_what_is_missing(runner, stored) -> None:
    result = runner.invoke(app, ["assess", "--resume"])
    assert result.exit_code == 2
    assert "missing answers for: knows_root_cause" in result.stderr
    assert "tried_to_resolve," not in result.stderr


def test_null_for_a_required_text_answer_is_not_the_word_null(runner, tmp_path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text(
        "\n".join(f"{k}: {json.dumps(v)}" for k, v in ORDINARY.items() if k != "customer")
        + "\ncustomer: ~\n"
    )
    result = runner.invoke(app, ["brief", "-a", str(file), "--no-input", "-f", "json"])
    assert result.exit_code == 2 and "customer: expected text, got None" in result.stderr


def test_a_commitment_what_must_be_text(runner, tmp_path) -> None:
    file = tmp_path / "a.json"
    file.write_text(json.dumps({**ORDINARY, "commitments": [{"what": ["a", "b"]}]}))
    result = runner.invoke(app, ["brief", "-a", str(file), "-p", "Acme"])
    assert result.exit_code == 2 and "commitment 1: needs at least `what:`" in result.stderr
    assert result.stdout == ""


def test_resume_without_a_terminal_keeps_finished_commitments(runner, isolated_home) -> None:
    given = {k: v for k, v in ORDINARY.items() if k != "commitments"}
    kept = [{"what": "send hotfix plan", "owner": "Dana", "due": ""}]
    (isolated_home / "drafts").mkdir(parents=True)
    (isolated_home / "drafts" / "brief.json").write_text(
        json.dumps({"answers": given, "unfinished": {"commitments": kept}, "partner": "Acme"})
    )
    result = runner.invoke(app, ["brief", "--resume", "--no-input", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert (
        "- Send hotfix plan. Owner: Dana. Date: to be agreed."
        in json.loads(result.stdout)["follow_up"]
    )
    assert "with 1 commitment " in result.stderr
    listed = json.loads(runner.invoke(app, ["follow-up", "-p", "acme", "-f", "json"]).stdout)
    assert [c["what"] for c in listed] == ["send hotfix plan"]
