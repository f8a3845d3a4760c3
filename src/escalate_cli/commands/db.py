"""`escalate db`: set up, inspect and fill a team's shared PostgreSQL database."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from escalate_cli.commands.common import say, store_choice
from escalate_cli.errors import EscalateError
from escalate_cli.options import HomeOpt

if TYPE_CHECKING:
    from escalate_cli.store.postgres import PostgresStore

db_app = typer.Typer(
    help="A team's shared PostgreSQL database: create or migrate it, see it, fill it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]


def open_team_database(command: str, migrate: bool = False) -> PostgresStore:
    """The team database the user named; these commands have no local meaning."""
    database, team = store_choice()
    if not database:
        raise EscalateError(
            f"`escalate {command}` needs a team database",
            "give --database URL before the command, or set ESCALATE_DATABASE_URL",
        )
    from escalate_cli.store.postgres import PostgresStore

    return PostgresStore.open(database, team, migrate=migrate)


@db_app.command("init")
def db_init() -> None:
    """Create the schema, roles and access rules, or bring them up to date.

    Run once by whoever owns the database (it needs CREATEROLE to create the
    escalate_member and escalate_admin roles). Safe to run again, and by two people at once.

    Examples:

    \b
      escalate --database postgresql://owner@db.example/escalate db init
    """
    with open_team_database("db init", migrate=True) as store:
        status = store.status()
    say(f"schema version {status.schema_version} in {status.database}")


@db_app.command("status")
def db_status(as_json: JsonOpt = False, home: HomeOpt = None) -> None:
    """Which store you use: engine, schema version, your login and your teams.

    Examples:

    \b
      escalate db status
      escalate --database escalate-team db status --json
    """
    from escalate_cli import report

    database, _ = store_choice()
    if database:
        with open_team_database("db status") as store:
            status = store.status()
        data: dict[str, object] = {
            "engine": "postgresql",
            "database": status.database,
            "server": status.server,
            "login": status.login,
            "schema_version": status.schema_version,
            "teams": status.teams,
            "admin": status.admin,
        }
    else:
        from escalate_cli.files import home_dir
        from escalate_cli.store import Store

        with Store.open(home_dir(home)) as local:
            data = {"engine": "sqlite", "database": str(local.path)}
            data["schema_version"] = local.schema_version()
    if as_json:
        sys.stdout.write(report.to_json(data))
        return
    for key, value in data.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        sys.stdout.write(f"{key.replace('_', ' ')}: {shown if shown != '' else '-'}\n")


@db_app.command("push")
def db_push(home: HomeOpt = None) -> None:
    """Copy your local store into the team database, in one transaction.

    Records already there are skipped, so running it twice adds nothing. New partners
    join --team (default: your only team).

    Examples:

    \b
      escalate --database escalate-team db push
    """
    import datetime as dt
    import json

    from escalate_cli import handover as ho
    from escalate_cli.files import home_dir
    from escalate_cli.store import Store

    now = dt.datetime.now(dt.timezone.utc)
    with Store.open(home_dir(home)) as local:
        exports = [  # exactly what `handover -f json` then `import` would carry over
            json.loads(
                ho.dumps(
                    ho.assemble(
                        p.name,
                        local.notes(p.name),
                        local.escalations(p.name),
                        local.commitments(p.name, open_only=False),
                        "",
                        now,
                        aliases=p.aliases,
                    )
                )
            )
            for p in local.partners()
        ]
    with open_team_database("db push") as team:
        pushed = team.push(exports)
    for name, counts in pushed.items():
        say(f"{name}: " + ", ".join(f"{c.added} {table}" for table, c in counts.items()) + " new")
    added = sum(c.added for counts in pushed.values() for c in counts.values())
    say(f"pushed {len(pushed)} partners; {added} records were new")
