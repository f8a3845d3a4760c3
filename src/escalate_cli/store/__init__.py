"""Partner memory as the commands see it: the records and the store, whatever the engine.

Today the one engine is SQLite (`store.sqlite`); the names here are what commands, reports
and tests use, so a second engine can arrive without changing them.
"""

from escalate_cli.kinds import NOTE_KINDS
from escalate_cli.store.sqlite import (
    Commitment,
    Escalation,
    Note,
    Partner,
    PartnerSummary,
    Store,
)

__all__ = [
    "NOTE_KINDS",
    "Commitment",
    "Escalation",
    "Note",
    "Partner",
    "PartnerSummary",
    "Store",
]
