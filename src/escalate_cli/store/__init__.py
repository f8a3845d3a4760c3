"""Partner memory as the commands see it: the records, the store interface, and `open_store`.

Two engines keep it: the local SQLite file (`store.sqlite`, the default) and a team's shared
PostgreSQL database (`store.postgres`, chosen with --database / ESCALATE_DATABASE_URL). The
commands only use `MemoryStore`; the PostgreSQL engine and its driver are imported only
when a team database is chosen.
"""

from __future__ import annotations

from pathlib import Path

from escalate_cli.kinds import NOTE_KINDS
from escalate_cli.store.sqlite import (
    Commitment,
    Counts,
    Escalation,
    Note,
    Outcome,
    Partner,
    PartnerSummary,
    Store,
    promised,
)

__all__ = [
    "NOTE_KINDS",
    "Commitment",
    "Counts",
    "Escalation",
    "MemoryStore",
    "Note",
    "Outcome",
    "Partner",
    "PartnerSummary",
    "Store",
    "open_store",
    "promised",
]


# The interface the commands use. Both engines run one implementation of partner memory,
# this class; an engine supplies only its plumbing (connection, transactions, errors, the
# partner's team, full-text search), so every command behaves the same on both and a store
# method added here works on both. Store SQL keeps to the dialect store/postgres.py
# translates (see its docstring); tests/test_store.py runs every method on both engines.
MemoryStore = Store


def open_store(home: Path, database: str | None = None, team: str | None = None) -> MemoryStore:
    """The team database when one is named (a URL or libpq service), else the local store.

    `team` chooses the team a new partner joins and narrows partner names to that team;
    the local store has no teams, so there it must not be given.
    """
    if database:
        from escalate_cli.store.postgres import PostgresStore

        return PostgresStore.open(database, team)
    if team:
        from escalate_cli.errors import EscalateError

        raise EscalateError(
            "--team needs a team database",
            "give --database URL or set ESCALATE_DATABASE_URL; the local store has no teams",
        )
    return Store.open(home)
