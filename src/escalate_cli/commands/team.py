"""`escalate team`: which logins see which partners, for holders of the escalate_admin role.

The database enforces it (row-level security); these commands only change the membership
table the policies read.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from escalate_cli.commands.common import say
from escalate_cli.commands.db import open_team_database

team_app = typer.Typer(
    help="Teams of a team database and their members (needs the escalate_admin role).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

TeamArg = Annotated[str, typer.Argument(metavar="TEAM", help="The team's name.")]
LoginArg = Annotated[str, typer.Argument(metavar="LOGIN", help="A database login.")]


@team_app.command("add")
def team_add(team: TeamArg) -> None:
    """Create a team.

    Examples:

    \b
      escalate team add "Partner success EMEA"
    """
    with open_team_database("team add") as store:
        name, added = store.add_team(team)
    say(f"team {name!r} {'created' if added else 'already exists'}")


@team_app.command("list")
def team_list() -> None:
    """The teams you can see (an admin: all) and their members.

    Examples:

    \b
      escalate team list
    """
    with open_team_database("team list") as store:
        teams = store.teams()
    for item in teams:
        sys.stdout.write(f"{item.name}: {', '.join(item.members) or '(no members)'}\n")
    if not teams:
        say("no teams yet; an admin creates one with `escalate team add TEAM`")


@team_app.command("members")
def team_members(team: TeamArg) -> None:
    """The logins in a team, one a line.

    Examples:

    \b
      escalate team members "Partner success EMEA"
    """
    with open_team_database("team members") as store:
        found = store.team_members(team)
    for login in found.members:
        sys.stdout.write(f"{login}\n")


@team_app.command("grant")
def team_grant(team: TeamArg, login: LoginArg) -> None:
    """Let a login see and change the team's partners.

    Examples:

    \b
      escalate team grant "Partner success EMEA" jordan
    """
    with open_team_database("team grant") as store:
        name, added = store.grant(team, login)
    say(f"{login} {'is now' if added else 'was already'} in {name}")


@team_app.command("revoke")
def team_revoke(team: TeamArg, login: LoginArg) -> None:
    """Take a login out of a team: from now on it sees none of the team's partners.

    Examples:

    \b
      escalate team revoke "Partner success EMEA" jordan
    """
    with open_team_database("team revoke") as store:
        name, removed = store.revoke(team, login)
    say(f"{login} {'is no longer' if removed else 'was not'} in {name}")
