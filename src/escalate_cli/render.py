"""Rendering the playbook's message templates, safely and predictably. Pure.

Templates are playbook data, answers are user data. Templates run in Jinja's immutable
sandbox with strict undefined variables, no globals (no `range`, no `lipsum`), bounded
string and list arithmetic, at most two nested loops and a cap on output. Answers enter
only as values in the context (str, bool, list, dict), so `{{ 7*7 }}` typed by a user
stays `{{ 7*7 }}`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from escalate_cli.errors import PlaybookError
from escalate_cli.playbook import TEMPLATES, Playbook, Question

MAX_OUTPUT = 100_000
MAX_SEQUENCE = 10_000
MAX_LOOP_DEPTH = 2


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox that cannot change lists or dicts (so a loop cannot feed itself), with
    `*` and `**` refused when they would build something huge."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError("exponent too large in a template")
            return operator.pow(left, right)
        sized = isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))
        if sized:
            count = right if isinstance(left, (str, list, tuple)) else left
            other = left if isinstance(left, (str, list, tuple)) else right
            if isinstance(count, int) and count * max(len(other), 1) > MAX_SEQUENCE:
                raise SecurityError("repetition too large in a template")
        return operator.mul(left, right)


def environment() -> SandboxedEnvironment:
    env = _BoundedSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.clear()
    return env


def template_problems(book: Playbook) -> Iterator[tuple[str, str]]:
    """(template name, problem) for syntax errors, unknown variables and deep loops."""
    if book.templates is None:
        return
    env = environment()
    known = {q.id for q in book.all_questions()}
    for name in TEMPLATES:
        source = getattr(book.templates, name)
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            yield name, f"template line {exc.lineno}: {exc.message}"
            continue
        for variable in sorted(meta.find_undeclared_variables(tree) - known):
            yield name, f"`{variable}` is not a question id"
        if _loop_depth(tree) > MAX_LOOP_DEPTH:
            yield name, f"loops nested more than {MAX_LOOP_DEPTH} deep"


def _loop_depth(node: nodes.Node) -> int:
    inner = max((_loop_depth(child) for child in node.iter_child_nodes()), default=0)
    return inner + 1 if isinstance(node, nodes.For) else inner


def context(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """Every question id, unanswered optional ones empty, values as plain data only."""
    empty: dict[str, Any] = {"yes_no": False, "multi": [], "commitments": []}
    return {q.id: _plain(answers.get(q.id, empty.get(q.type, ""))) for q in questions}


def _plain(value: Any) -> Any:
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def render(book: Playbook, name: str, values: dict[str, Any]) -> str:
    """Render one template; a failure is the playbook's fault and says which template."""
    assert book.templates is not None
    template = environment().from_string(getattr(book.templates, name))
    size = 0
    parts: list[str] = []
    try:
        for piece in template.generate(values):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise SecurityError(f"output longer than {MAX_OUTPUT:,} characters")
            parts.append(piece)
    except RecursionError:
        raise PlaybookError(
            f"templates.{name}: cannot render: it calls itself without end",
            "fix the template in the playbook; a macro must not call itself forever",
        ) from None
    except Exception as exc:  # the template is playbook data: any failure is the playbook's
        raise PlaybookError(
            f"templates.{name}: cannot render: {type(exc).__name__}: {exc}",
            "fix the template in the playbook; `escalate playbook validate` checks it",
        ) from None
    return "".join(parts).strip() + "\n"
