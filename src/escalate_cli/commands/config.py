"""`escalate config set|get|list|unset`: who you are, so drafts are signed and the interview
does not ask it again."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from escalate_cli.commands.common import reading_stdin, say

config_app = typer.Typer(
    help="Your profile: the name, title and signature drafts are signed with, and your "
    "manager's name. Stored next to your playbook in the platform's config folder.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

KeyArg = Annotated[
    str, typer.Argument(help="name, title, signature, manager_name, team or company.")
]


@config_app.command("set")
def config_set(
    key: KeyArg,
    value: Annotated[
        str, typer.Argument(help="The value; `-` reads it from standard input (a signature).")
    ],
) -> None:
    """Set one profile key (checked: an unknown key is exit 2 and lists the keys).

    Examples:

    \b
      escalate config set name "Maya Chen"
      escalate config set manager_name "Dana Whitfield"
      printf 'Maya Chen\\nSenior CSM, Northwind\\n' | escalate config set signature -
    """
    from escalate_cli import profile

    profile.check_key(key)
    if value == "-":
        reading_stdin(f"the {key}")
        value = sys.stdin.read(profile.MAX_VALUE + 1)
    profile.set_value(key, value)
    say(f"{key} saved in {profile.path()}")


@config_app.command("get")
def config_get(key: KeyArg) -> None:
    """Print one profile key's value (exit 2 when it is not set).

    Examples:

    \b
      escalate config get name
    """
    from escalate_cli import profile
    from escalate_cli.errors import EscalateError

    value = profile.load().get(profile.check_key(key))
    if value is None:
        raise EscalateError(f"{key!r} is not set", f'set it with: escalate config set {key} "…"')
    sys.stdout.write(value + "\n")


@config_app.command("list")
def config_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Every profile key: its value, or what it is for when it is not set.

    Examples:

    \b
      escalate config list
      escalate config list --json
    """
    from escalate_cli import profile
    from escalate_cli.textsafe import visible

    saved = profile.load()
    if as_json:
        sys.stdout.write(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
        return
    for key, purpose in profile.KEYS.items():
        value = saved.get(key)
        shown = visible(value).replace("\n", "\n" + " " * 15) if value else f"(not set: {purpose})"
        sys.stdout.write(f"{key:<14} {shown}\n")
    say(f"profile file: {profile.path()}")


@config_app.command("unset")
def config_unset(key: KeyArg) -> None:
    """Remove one profile key.

    Examples:

    \b
      escalate config unset title
    """
    from escalate_cli import profile

    removed = profile.unset(key)
    say(f"{key} removed" if removed else f"{key} was not set")
