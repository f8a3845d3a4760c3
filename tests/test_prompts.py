"""The prompter's lines look exactly as questionary would print them."""

from __future__ import annotations

import io

import pytest
import questionary
from prompt_toolkit.data_structures import Size
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.output.vt100 import Vt100_Output

from escalate_cli.prompts import _HINT_STYLE, _TITLE_STYLE, QuestionaryPrompter


def terminal() -> tuple[io.StringIO, Vt100_Output]:
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm-256color")
    output.get_default_color_depth = lambda: ColorDepth.DEPTH_8_BIT  # type: ignore[method-assign]
    return screen, output


@pytest.mark.parametrize("style", ["", "bold", _HINT_STYLE, _TITLE_STYLE, "fg:ansired underline"])
@pytest.mark.parametrize("text", ["", "  why: it matters", "two\nlines", "[b]x[/b] {{ 7*7 }}"])
def test_say_draws_what_questionary_print_draws(style: str, text: str) -> None:
    ours, output = terminal()
    QuestionaryPrompter(output=output).say(text, style)
    QuestionaryPrompter(output=output).say(text, style)  # the merged style, reused
    theirs, output = terminal()
    for _ in range(2):
        questionary.print(text, style=style or None, output=output)
    assert ours.getvalue() == theirs.getvalue()
    assert "\x1b[" in ours.getvalue()
