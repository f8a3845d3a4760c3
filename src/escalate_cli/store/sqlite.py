"""Partner memory: partners, notes, escalations and commitments in one SQLite file.

Several `escalate` processes may write at once, and the file holds what a relationship's
next owner needs, so: every write is one `BEGIN IMMEDIATE` transaction, the journal is WAL
with a busy timeout, the schema is versioned, files are 0600, and a file that is not ours
(corrupt, another program's, a newer escalate's) is reported and never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

from escalate_cli import identity
from escalate_cli.episodes import past_escalations
from escalate_cli.errors import (
    EXPORT_AGAIN,
    CloseMatchError,
    EscalateError,
    NotFoundError,
    StoreError,
)
from escalate_cli.kinds import NOTE_KINDS
from escalate_cli.records import record

DB_NAME = "escalate.db"
APPLICATION_ID = 0x45534341  # "ESCA": marks the file as ours in the SQLite header
ESCALATION_KINDS = ("assessment", "brief")
ESCALATING = ("escalate_now", "escalate")
MOVE_ASIDE = "move it aside (nothing in it was changed), or use --home / ESCALATE_HOME"


def rekey(db: Any) -> None:
    """A migration step on either engine: every stored name's key as `identity.name_key`
    now makes it. Partners an older key kept apart may now share one; both are kept as
    they are (`Store.namesakes`, and a name meaning both is refused until they are merged),
    never merged without being asked."""
    for table in ("partners", "aliases"):
        for row in db.execute(f"SELECT id, name, key FROM {table}").fetchall():
            key = identity.name_key(row["name"])
            if key != row["key"]:
                db.execute(f"UPDATE {table} SET key = ? WHERE id = ?", (key, row["id"]))


def _rebuilt(table: str, old: str, new: str) -> Callable[[Any], None]:
    """A migration step changing `old` to `new` in `table`'s definition, SQLite's only way:
    a copy under the new definition takes every row (ids kept) and the original's place,
    and the original's indexes and triggers are made again. The definition is read from
    the file: the table keeps every column and constraint it has but the one changed."""

    def rebuild(db: Any) -> None:
        (create,) = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchall()
        extras = db.execute(
            "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        named = re.compile(rf"^CREATE TABLE (\"?){table}\1 ")
        if old not in create["sql"] or not named.match(create["sql"]):
            raise sqlite3.DatabaseError(f"table {table} is not as escalate made it")
        db.execute(named.sub(f"CREATE TABLE {table}_new ", create["sql"].replace(old, new, 1)))
        db.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
        for extra in extras:
            db.execute(extra["sql"])

    return rebuild


# One tuple of steps per schema version, applied in order: SQL statements, or a function of
# the connection for what SQL cannot say. Never edit a released entry: add a new one. Absent
# text is stored as '' (not NULL) so UNIQUE constraints see it as equal. Migrations run
# with foreign keys off, so a table others refer to can be rebuilt (`_rebuilt`).
MIGRATIONS: tuple[tuple[str | Callable[[Any], None], ...], ...] = (
    (
        """CREATE TABLE partners (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            partner_id INTEGER NOT NULL REFERENCES partners(id),
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            date TEXT NOT NULL DEFAULT '',
            link TEXT NOT NULL DEFAULT '',
            "by" TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            UNIQUE (partner_id, kind, text, date)
        )""",
        "CREATE INDEX notes_by_date ON notes (partner_id, date)",
        """CREATE VIRTUAL TABLE notes_fts USING fts5 (
            text, content='notes', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
            INSERT INTO notes_fts (rowid, text) VALUES (new.id, new.text);
        END""",
        """CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
            INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END""",
        """CREATE TRIGGER notes_fts_update AFTER UPDATE OF text ON notes BEGIN
            INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO notes_fts (rowid, text) VALUES (new.id, new.text);
        END""",
        """CREATE TABLE escalations (
            id INTEGER PRIMARY KEY,
            partner_id INTEGER NOT NULL REFERENCES partners(id),
            date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('assessment', 'brief')),
            verdict TEXT NOT NULL DEFAULT '',
            reasons TEXT NOT NULL DEFAULT '[]',
            issue TEXT NOT NULL DEFAULT '',
            root_cause TEXT NOT NULL DEFAULT '',
            ask TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL DEFAULT '',
            UNIQUE (partner_id, date, kind, verdict, reasons, issue, root_cause, ask, outcome)
        )""",
        """CREATE TABLE commitments (
            id INTEGER PRIMARY KEY,
            partner_id INTEGER NOT NULL REFERENCES partners(id),
            what TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '',
            due TEXT NOT NULL DEFAULT '',
            done_on TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            UNIQUE (partner_id, what, owner, due)
        )""",
        "CREATE INDEX commitments_open ON commitments (done_on, due)",
    ),
    (  # 2: an escalation names the signs and triggers that were present, in words
        """CREATE TABLE escalations_v2 (
            id INTEGER PRIMARY KEY,
            partner_id INTEGER NOT NULL REFERENCES partners(id),
            date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('assessment', 'brief')),
            verdict TEXT NOT NULL DEFAULT '',
            reasons TEXT NOT NULL DEFAULT '[]',
            signals TEXT NOT NULL DEFAULT '[]',
            triggers TEXT NOT NULL DEFAULT '[]',
            issue TEXT NOT NULL DEFAULT '',
            root_cause TEXT NOT NULL DEFAULT '',
            ask TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL DEFAULT '',
            UNIQUE (partner_id, date, kind, verdict, reasons, signals, triggers, issue,
                root_cause, ask, outcome)
        )""",
        """INSERT INTO escalations_v2 (id, partner_id, date, kind, verdict, reasons, issue,
            root_cause, ask, outcome)
        SELECT id, partner_id, date, kind, verdict, reasons, issue, root_cause, ask, outcome
        FROM escalations""",
        "DROP TABLE escalations",
        "ALTER TABLE escalations_v2 RENAME TO escalations",
    ),
    # 3: per-partner lookups that summaries make once per partner: without these, counting
    # a partner's open commitments scanned every open one, and finding a partner's latest
    # escalation sorted all of theirs (`partners` was quadratic in the store's size).
    (
        """CREATE INDEX IF NOT EXISTS commitments_by_partner
            ON commitments (partner_id, done_on, due)""",
        "CREATE INDEX IF NOT EXISTS escalations_by_date ON escalations (partner_id, date)",
    ),
    (  # 4: partner identity, stable ids, a history with drafts and outcome lists
        # Partner identity: other names a partner is known by.
        """CREATE TABLE aliases (
            id INTEGER PRIMARY KEY,
            partner_id INTEGER NOT NULL REFERENCES partners(id),
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL
        )""",
        # Stable ids, so an export imported twice updates in place instead of doubling.
        "ALTER TABLE notes ADD COLUMN uid TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE notes ADD COLUMN updated TEXT NOT NULL DEFAULT ''",
        "UPDATE notes SET uid = lower(hex(randomblob(16))), updated = created",
        "CREATE UNIQUE INDEX notes_uid ON notes (uid) WHERE uid != ''",
        # Assessments and briefs become a history: a partner is optional (a local history),
        # a brief keeps its drafts, and outcomes are a dated list of their own.
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            partner_id INTEGER REFERENCES partners(id),
            customer TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('assessment', 'brief')),
            verdict TEXT NOT NULL DEFAULT '',
            reasons TEXT NOT NULL DEFAULT '[]',
            signals TEXT NOT NULL DEFAULT '[]',
            triggers TEXT NOT NULL DEFAULT '[]',
            issue TEXT NOT NULL DEFAULT '',
            root_cause TEXT NOT NULL DEFAULT '',
            ask TEXT NOT NULL DEFAULT '',
            drafts TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL
        )""",
        """INSERT INTO history (id, uid, partner_id, date, kind, verdict, reasons, signals,
            triggers, issue, root_cause, ask, created)
        SELECT id, lower(hex(randomblob(16))), partner_id, date, kind, verdict, reasons, signals,
            triggers, issue, root_cause, ask, date FROM escalations""",
        "CREATE INDEX history_by_partner ON history (partner_id, date)",
        """CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            escalation_id INTEGER NOT NULL REFERENCES history(id),
            date TEXT NOT NULL,
            text TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        """INSERT INTO outcomes (uid, escalation_id, date, text, created)
        SELECT lower(hex(randomblob(16))), id, date, outcome, date FROM escalations
        WHERE outcome != ''""",
        "CREATE INDEX outcomes_by_escalation ON outcomes (escalation_id, date)",
        "DROP TABLE escalations",
        # Commitments: a partner is optional too, and one not yet agreed is kept as pending.
        """CREATE TABLE commitments_v2 (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            partner_id INTEGER REFERENCES partners(id),
            what TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '',
            due TEXT NOT NULL DEFAULT '',
            done_on TEXT NOT NULL DEFAULT '',
            pending INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            UNIQUE (partner_id, what, owner, due)
        )""",
        """INSERT INTO commitments_v2 (id, uid, partner_id, what, owner, due, done_on, source,
            created, updated)
        SELECT id, lower(hex(randomblob(16))), partner_id, what, owner, due, done_on, source,
            created, created FROM commitments""",
        "DROP TABLE commitments",
        "ALTER TABLE commitments_v2 RENAME TO commitments",
        "CREATE INDEX commitments_open ON commitments (done_on, due)",
        "CREATE INDEX commitments_by_partner ON commitments (partner_id, done_on, due)",
    ),
    # 5: a partner's aliases by partner: every summary reads them for each partner listed.
    ("CREATE INDEX IF NOT EXISTS aliases_by_partner ON aliases (partner_id)",),
    (  # 6: ids are never given twice, and partner names match across accents.
        # SQLite gives a new row the highest id + 1, so removing note #15, the newest, and
        # adding one made a new #15: what a person or script held as #15 was another note.
        # AUTOINCREMENT never goes back (the ids of notes removed before this are unknown).
        *(
            _rebuilt(table, "id INTEGER PRIMARY KEY,", "id INTEGER PRIMARY KEY AUTOINCREMENT,")
            for table in ("notes", "history", "commitments")
        ),
        # Keys no longer unique: two partners kept apart by accents may now share one.
        *(
            _rebuilt(table, "key TEXT NOT NULL UNIQUE", "key TEXT NOT NULL")
            for table in ("partners", "aliases")
        ),
        "CREATE INDEX partners_by_key ON partners (key)",
        "CREATE INDEX aliases_by_key ON aliases (key)",
        rekey,
    ),
    (  # 7: the aliases a user took away, so a later import does not bring one back.
        """CREATE TABLE removed_aliases (
            id INTEGER PRIMARY KEY,
            partner_id INTEGER NOT NULL REFERENCES partners(id),
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            removed TEXT NOT NULL,
            UNIQUE (partner_id, key)
        )""",
    ),
)


@record
class Partner:
    id: int
    name: str


@record
class Note:
    """A remembered fact about a partner; absent date, link and author are None."""

    id: int
    partner: str
    kind: str
    text: str
    date: str | None
    link: str | None
    by: str | None
    created: str
    uid: str = field(default="", compare=False)  # stable across stores; equality is content
    updated: str = field(default="", compare=False)


@record
class Outcome:
    """How an escalation ended, as told on a date; an escalation may have several."""

    id: int
    date: str
    text: str
    uid: str = field(default="", compare=False)


@record
class Escalation:
    """An assessment or a brief; `partner` is '' for one kept in the local history only,
    `signals` and `triggers` are in words, `drafts` is the brief's drafts as
    `brief --format json` gave them ({} otherwise)."""

    id: int
    partner: str
    date: str
    kind: str
    verdict: str
    reasons: list[str]
    issue: str
    root_cause: str
    ask: str
    outcomes: tuple[Outcome, ...] = ()
    signals: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    customer: str = ""
    uid: str = field(default="", compare=False)
    drafts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def outcome(self) -> str:
        """The latest outcome's text, or ''."""
        return self.outcomes[-1].text if self.outcomes else ""

    @property
    def took_place(self) -> bool:
        """Whether this is an escalation that happened, not only advice about one: a brief,
        or an assessment that said escalate and whose outcome was recorded afterwards."""
        return self.kind == "brief" or (self.verdict in ESCALATING and bool(self.outcome))


@record
class Commitment:
    """Something promised; `due` and `done_on` are '' when there is none, `partner` is ''
    when it was kept without one, `pending` until its owner has agreed to it."""

    id: int
    partner: str
    what: str
    owner: str
    due: str
    done_on: str
    source: str
    pending: bool = False
    uid: str = field(default="", compare=False)  # stable across stores; equality is content
    updated: str = field(default="", compare=False)

    @property
    def state(self) -> str:
        return "done" if self.done_on else "pending" if self.pending else "open"


@record
class PartnerSummary:
    """A partner at a glance; `last_escalation` is its latest assessment or brief (its
    drafts not read), `past_escalations` counted as the handover counts them."""

    name: str
    notes: int
    last_escalation: Escalation | None
    open_commitments: int
    aliases: tuple[str, ...] = ()
    past_escalations: int = 0


@record
class Counts:
    """What an import, merge or removal did to one kind of record."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


class Staged:
    """An import checked and set aside, not yet merged: how many notes wait in the
    temporary table, and the escalations, commitments and aliases as `_merge_*` take them."""

    def __init__(self) -> None:
        self.notes = 0
        self.escalations: list[Any] = []
        self.commitments: list[Any] = []
        self.aliases: list[str] = []


_NOTE_SELECT = """SELECT n.id, p.name AS partner, n.kind, n.text, n.date, n.link, n."by",
    n.created, n.uid, n.updated FROM notes n JOIN partners p ON p.id = n.partner_id"""
_ESCALATION_COLUMNS = """e.id, coalesce(p.name, '') AS partner, e.date, e.kind, e.verdict,
    e.reasons, e.issue, e.root_cause, e.ask, e.signals, e.triggers, e.customer, e.uid"""
_HISTORY = " FROM history e LEFT JOIN partners p ON p.id = e.partner_id"
_ESCALATION_SELECT = f"SELECT {_ESCALATION_COLUMNS}, e.drafts{_HISTORY}"
# + IN (ids): partners' histories for `partners`, without the drafts it never shows
_PARTNERS_HISTORY = (
    f"SELECT {_ESCALATION_COLUMNS}, '' AS drafts, e.partner_id{_HISTORY} WHERE e.partner_id"
)
BATCH = 500  # rows read, or values looked up, at a time
_COMMITMENT_SELECT = """SELECT c.id, coalesce(p.name, '') AS partner, c.what, c.owner, c.due,
    c.done_on, c.source, c.pending, c.uid, c.updated FROM commitments c
    LEFT JOIN partners p ON p.id = c.partner_id"""
# Import: fields an export carries that are not used (identity belongs to this store),
# and each table's optional fields.
_IMPORT_IGNORES = ("id", "partner", "state", "overdue")
# The fields a lost-update check compares, named in its error.
_EDITED_NOTE_FIELDS = ("partner", "kind", "text", "date", "link", "by")
TEXT_LISTS = ("reasons", "signals", "triggers")  # an escalation's lists of sentences
NOTE_FIELDS = ("date", "link", "by", "created", "uid", "updated")
ESCALATION_FIELDS = ("verdict", "issue", "root_cause", "ask", "customer", "uid", "outcome")
COMMITMENT_FIELDS = ("owner", "due", "done_on", "source", "created", "uid", "updated")
_HISTORY_COLUMNS = """date, kind, verdict, reasons, signals, triggers, issue, root_cause, ask,
    customer, drafts"""
_SAME_ESCALATION = """partner_id IS ? AND date = ? AND kind = ? AND verdict = ? AND reasons = ?
    AND signals = ? AND triggers = ? AND issue = ? AND root_cause = ? AND ask = ?
    AND customer = ? AND (drafts = ? OR drafts = '' OR ? = '')"""
"""A record that repeats one kept is not doubled. A brief run again the same day with other
answers (another date promised) drafts other text and is a record of its own; a copy
without drafts (an older handover's) is the record it copies."""
NO_COMMITMENT = "commitment ids are shown by `escalate follow-up`"


class Store:
    """An open store. Use `Store.open(home)`, as a context manager so it is closed."""

    # partners that may share a name (`namesakes`): any two here; the team store's scope
    # is the partner's team
    _SCOPE = "0"
    NAMESAKES_HINT = ""  # what else tells partners that share a name apart

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._checked = False  # the integrity check runs before the first write
        self._restamp = False  # checked or written: the stamp records the file on close

    @classmethod
    def open(cls, home: Path) -> Store:
        """Open `home/escalate.db`, creating it (0600) and bringing its schema up to date."""
        path = home / DB_NAME
        _create_private(path)
        try:
            db = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(
                f"{path}: cannot open the database: {exc}",
                "check that you can read and write it and its folder",
            ) from None
        db.row_factory = sqlite3.Row
        store = cls(db, path)
        try:
            store._prepare()
        except BaseException:
            db.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()
        if self._restamp:
            _write_stamp(self._stamp_path(), _file_state(self.path))

    def _stamp_path(self) -> Path:
        return self.path.parent / "cache" / "store-checked"

    def schema_version(self) -> int:
        return int(self._pragma("user_version"))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- partners -------------------------------------------------------------------------

    def match_partner(self, name: str) -> identity.Match:
        """The partner `name` means (its name or an alias, however typed), else close ones."""
        return self._match(_partner_name(name))

    def ensure_partner(self, name: str, new: bool = False) -> Partner:
        """The partner `name` means, created on first use. A new name close to a known
        one is refused (CloseMatchError) unless `new`: a typo must not split a partner."""
        with self._write():
            return self._ensure(name, new)

    def find_partner(self, name: str) -> Partner:
        """The partner `name` means, or NotFoundError suggesting the nearest names."""
        clean = _partner_name(name)
        found = self._match(clean, identity.HINT_CUTOFF)
        if found.exact:
            return Partner(found.exact.partner_id, found.exact.partner)
        names = sorted({row["name"] for row in self._read("SELECT name FROM partners")})
        if found.close:
            hint = identity.suggestion(found.close)
        elif names:
            hint = "known partners: " + ", ".join(sorted(names, key=str.casefold)[:20])
        else:
            hint = "no partners are recorded yet"
        raise NotFoundError(f"no partner named {clean!r}", hint)

    def partners(self) -> list[PartnerSummary]:
        """Every partner with counts, aliases and the latest escalation, by name."""
        return list(self.each_partner())

    def each_partner(self) -> Iterator[PartnerSummary]:
        """`partners`, as they are read. Each figure is one index lookup per partner, and
        aliases and histories are read for a batch of partners at once, so the list costs
        time in proportion to its length and memory in proportion to a batch."""
        batches = self._batches(
            """SELECT p.id, p.name,
                (SELECT count(*) FROM notes WHERE partner_id = p.id) AS notes,
                (SELECT count(*) FROM notes WHERE partner_id = p.id AND kind = 'escalation')
                    AS escalation_notes,
                (SELECT count(*) FROM commitments WHERE partner_id = p.id AND done_on = '')
                    AS open_commitments
            FROM partners p ORDER BY lower(p.name), p.id"""
        )
        for batch in batches:
            ids = [r["id"] for r in batch]
            aliases: dict[int, list[str]] = {}
            for alias in self._read_in(
                "SELECT partner_id, name FROM aliases WHERE partner_id", ids
            ):
                aliases.setdefault(alias["partner_id"], []).append(alias["name"])
            rows = self._read_in(_PARTNERS_HISTORY, ids, " ORDER BY e.date, e.id")
            history: dict[int, list[Escalation]] = {}
            for row, item in zip(rows, self._escalations(rows), strict=True):
                history.setdefault(row["partner_id"], []).append(item)
            for row in batch:
                past = history.get(row["id"], [])
                yield PartnerSummary(
                    row["name"],
                    row["notes"],
                    past[-1] if past else None,
                    row["open_commitments"],
                    tuple(sorted(aliases.get(row["id"], ()))),  # the same order on both engines
                    past_escalations(past, row["escalation_notes"]),
                )

    def removed_aliases(self, partner: str) -> dict[str, str]:
        """The names taken away as aliases of `partner`, by key, with the day each went."""
        pid = self.find_partner(partner).id
        rows = self._read("SELECT key, removed FROM removed_aliases WHERE partner_id = ?", (pid,))
        return {row["key"]: row["removed"][:10] for row in rows}

    def aliases(self, partner: str) -> list[str]:
        """The other names `partner` is known by, in the order `partners` lists them."""
        pid = self.find_partner(partner).id
        rows = self._read("SELECT name FROM aliases WHERE partner_id = ?", (pid,))
        return sorted(row["name"] for row in rows)

    def namesakes(self) -> list[tuple[str, ...]]:
        """Partners that one name means at once, each group by name: those an older store
        kept apart whose names differ only in accents (see `rekey`). `partners` names them."""
        names = (
            "SELECT id AS partner_id, key FROM partners "
            "UNION ALL SELECT partner_id, key FROM aliases"
        )
        rows = self._read(
            f"""SELECT DISTINCT {self._SCOPE} AS scope, k.key, p.id, p.name FROM ({names}) k
            JOIN partners p ON p.id = k.partner_id WHERE k.key IN (SELECT key FROM ({names}) s
            GROUP BY key HAVING count(DISTINCT partner_id) > 1)"""
        )
        groups: dict[tuple[Any, str], dict[int, str]] = {}
        for row in rows:
            groups.setdefault((row["scope"], row["key"]), {})[row["id"]] = row["name"]
        return sorted(
            tuple(sorted(group.values(), key=str.casefold))
            for group in groups.values()
            if len(group) > 1
        )

    def add_alias(self, name: str, alias: str) -> Partner:
        """Let `alias` mean the partner `name` means; an alias of another partner is refused."""
        clean = _partner_name(alias)
        with self._write():
            partner = self.find_partner(name)
            taken = self._match(clean).exact
            if taken and taken.partner_id != partner.id:
                raise EscalateError(
                    f"{clean!r} already means {taken.partner!r}",
                    f"merge them instead: escalate partners merge {taken.partner!r} "
                    f"{partner.name!r}",
                )
            if not taken:
                self._insert_alias(partner.id, clean)
            self._db.execute(  # given back by hand: an import may bring it again
                "DELETE FROM removed_aliases WHERE partner_id = ? AND key = ?",
                (partner.id, identity.name_key(clean)),
            )
        return partner

    def remove_alias(self, name: str, alias: str) -> tuple[Partner, str]:
        """Take `alias` away from the partner `name` means; returns the partner and the
        alias as it was recorded. A partner's own name, or a name that is not one of its
        aliases, is refused, saying which partner that name means, if any."""
        clean = _partner_name(alias)
        key = identity.name_key(clean)
        with self._write():
            partner = self.find_partner(name)
            rows = self._read(
                "SELECT name FROM aliases WHERE partner_id = ? AND key = ?", (partner.id, key)
            )
            if rows:
                self._db.execute(
                    "DELETE FROM aliases WHERE partner_id = ? AND key = ?", (partner.id, key)
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO removed_aliases (partner_id, key, name, removed) "
                    "VALUES (?, ?, ?, ?)",
                    (partner.id, key, rows[0]["name"], _now()),
                )
                return partner, rows[0]["name"]
            if key == identity.name_key(partner.name):
                raise EscalateError(
                    f"{clean!r} is the name of {partner.name!r}, not an alias; nothing was removed",
                    f"to give it another name: escalate partners rename {partner.name!r} NEW",
                )
            taken = self._match(clean).exact
            if taken and taken.name != taken.partner:  # an alias of another partner
                raise EscalateError(
                    f"{clean!r} is not an alias of {partner.name!r}: it means "
                    f"{taken.partner!r}; nothing was removed",
                    f"to take it from {taken.partner!r}: escalate partners alias "
                    f"{taken.partner!r} {clean!r} --remove",
                )
            belongs = f"; it is the name of {taken.partner!r}" if taken else ""
            others = self.aliases(partner.name)
            raise EscalateError(
                f"{clean!r} is not an alias of {partner.name!r}{belongs}; nothing was removed",
                f"its aliases: {', '.join(others)}" if others else f"{partner.name} has no aliases",
            )

    def rename_partner(self, old: str, new: str) -> Partner:
        """Give a partner a new name; every record stays with it. A name that already means
        another partner is refused (merge them instead)."""
        clean = _partner_name(new)
        with self._write():
            partner = self.find_partner(old)
            taken = self._match(clean).exact
            if taken and taken.partner_id != partner.id:
                raise EscalateError(
                    f"{clean!r} is already the name of {taken.partner!r}",
                    f"to make them one: escalate partners merge {partner.name!r} {taken.partner!r}",
                )
            # the new name is not also an alias of the same partner
            self._db.execute(
                "DELETE FROM aliases WHERE partner_id = ? AND key = ?",
                (partner.id, identity.name_key(clean)),
            )
            self._db.execute(
                "UPDATE partners SET name = ?, key = ? WHERE id = ?",
                (clean, identity.name_key(clean), partner.id),
            )
        return Partner(partner.id, clean)

    def merge_partners(self, source: str, into: str) -> dict[str, Counts]:
        """Move every record of `source` to `into` in one transaction; `source`'s name
        becomes an alias of `into`. A record `into` already has is kept once."""
        with self._write():
            gone, kept = self.find_partner(source), self.find_partner(into)
            if gone.id == kept.id:
                raise EscalateError(
                    f"{source!r} and {into!r} are already one partner",
                    "nothing to merge; `escalate partners` lists each partner with its aliases",
                )
            moved = {}
            for table in ("notes", "commitments", "history"):
                count = self._db.execute(
                    f"UPDATE OR IGNORE {table} SET partner_id = ? WHERE partner_id = ?",
                    (kept.id, gone.id),
                ).rowcount
                same = self._db.execute(
                    f"DELETE FROM {table} WHERE partner_id = ?", (gone.id,)
                ).rowcount
                moved[table] = Counts(added=count, unchanged=same)
            self._db.execute(
                "UPDATE aliases SET partner_id = ? WHERE partner_id = ?", (kept.id, gone.id)
            )
            self._db.execute(
                "UPDATE OR IGNORE removed_aliases SET partner_id = ? WHERE partner_id = ?",
                (kept.id, gone.id),
            )
            self._db.execute("DELETE FROM removed_aliases WHERE partner_id = ?", (gone.id,))
            self._db.execute("DELETE FROM partners WHERE id = ?", (gone.id,))
            known = "SELECT 1 FROM aliases WHERE partner_id = ? AND key = ?"
            if not self._read(known, (kept.id, identity.name_key(gone.name))):
                self._insert_alias(kept.id, gone.name)
        return moved

    def remove_partner(self, name: str) -> dict[str, int]:
        """Delete a partner and all of its records, in one transaction; how many went."""
        with self._write():
            partner = self.find_partner(name)
            self._db.execute(
                "DELETE FROM outcomes WHERE escalation_id IN "
                "(SELECT id FROM history WHERE partner_id = ?)",
                (partner.id,),
            )
            removed = {
                table: self._db.execute(
                    f"DELETE FROM {table} WHERE partner_id = ?", (partner.id,)
                ).rowcount
                for table in ("notes", "history", "commitments", "aliases")
            }
            self._db.execute("DELETE FROM removed_aliases WHERE partner_id = ?", (partner.id,))
            self._db.execute("DELETE FROM partners WHERE id = ?", (partner.id,))
        return removed

    # -- notes ----------------------------------------------------------------------------

    def add_note(
        self,
        partner: str,
        kind: str,
        text: str,
        date: str | None = None,
        link: str | None = None,
        by: str | None = None,
        new: bool = False,
    ) -> tuple[Note, bool]:
        """Remember a note (creating the partner); an identical note is returned, not doubled."""
        row = _note_row(kind, text, date, link, by)
        with self._write():
            pid = self._ensure(partner, new).id
            now = _now()
            cursor = self._db.execute(
                """INSERT OR IGNORE INTO notes (partner_id, kind, text, date, link, "by", created,
                uid, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (pid, *row, now, _uid(), now),
            )
            is_new = cursor.rowcount == 1
            found = self._read(
                _NOTE_SELECT
                + " WHERE n.partner_id = ? AND n.kind = ? AND n.text = ? AND n.date = ?",
                (pid, *row[:3]),
            )
        return _note(found[0]), is_new

    def notes(self, partner: str, kind: str | None = None) -> list[Note]:
        """A partner's notes, oldest first (undated ones lead), optionally of one kind."""
        return list(self.each_note(partner, kind))

    def each_note(
        self,
        partner: str,
        kind: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Note]:
        """`notes`, as they are read: only those dated `since` (ISO) or later, and only the
        `limit` most recent, if given; still oldest first."""
        sql, params = self._notes_of(partner, kind, since)
        if limit is None:
            rows = self._stream(sql + " ORDER BY n.date, n.id", params)
        else:
            latest = sql + " ORDER BY n.date DESC, n.id DESC LIMIT ?"
            rows = self._stream(f"SELECT * FROM ({latest}) ORDER BY date, id", [*params, limit])
        return map(_note, rows)

    def count_notes(self, partner: str, kind: str | None = None, since: str | None = None) -> int:
        """How many notes `each_note` reads without a limit: what a limit left out is said."""
        return self._count(*self._notes_of(partner, kind, since))

    def _notes_of(self, partner: str, kind: str | None, since: str | None) -> tuple[str, list[Any]]:
        """The query of a partner's notes (of `kind`, dated `since` or later), unordered."""
        kind = None if kind is None else _note_kind(kind)
        params: list[Any]
        where, params = ["n.partner_id = ?"], [self.find_partner(partner).id]
        if kind is not None:
            where.append("n.kind = ?")
            params.append(kind)
        if since is not None:
            where.append("n.date >= ?")
            params.append(since)
        return _NOTE_SELECT + " WHERE " + " AND ".join(where), params

    def search(self, words: str) -> list[Note]:
        """Notes containing every word, best match first."""
        return list(self.each_match(words))

    def each_match(
        self, words: str, since: str | None = None, limit: int | None = None
    ) -> Iterator[Note]:
        """`search`, as they are read: only notes dated `since` (ISO) or later, and only
        the `limit` best, if given."""
        found = self._matches(words, since)
        if found is None:
            return iter(())
        sql, params, rank = found
        sql += f" ORDER BY {rank}, n.date, n.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return map(_note, self._stream(sql, params))

    def count_matches(self, words: str, since: str | None = None) -> int:
        """How many notes `each_match` reads without a limit."""
        found = self._matches(words, since)
        return 0 if found is None else self._count(*found[:2])

    def _matches(self, words: str, since: str | None) -> tuple[str, list[Any], str] | None:
        """The query of a search (the engine's `_full_text`) narrowed by `since`, with its
        parameters and rank; None when there is no word to look for."""
        found = self._full_text(words)
        if found is None:
            return None
        sql, params, rank = found
        if since is not None:
            sql += " AND n.date >= ?"
            params.append(since)
        return sql, params, rank

    def _full_text(self, words: str) -> tuple[str, list[Any], str] | None:
        """The notes holding every word, by FTS5: query, parameters and the rank to sort by.

        Each word becomes a quoted FTS5 string, so the user's text is never FTS syntax:
        quotes, `*`, `:`, `-`, NEAR or OR in it are searched for, never interpreted.
        """
        query = " ".join('"' + word.replace('"', '""') + '"' for word in words.split())
        if not query:
            return None
        sql = _NOTE_SELECT + " JOIN notes_fts ON notes_fts.rowid = n.id WHERE notes_fts MATCH ?"
        return sql, [query], "notes_fts.rank"

    def _count(self, sql: str, params: list[Any]) -> int:
        """How many rows `sql` gives."""
        rows = self._read(f"SELECT count(*) AS total FROM ({sql}) AS listed", params)
        return int(rows[0]["total"])

    def get_note(self, id: int) -> Note:
        rows = self._read(_NOTE_SELECT + " WHERE n.id = ?", (id,))
        if not rows:
            raise NotFoundError(f"no note #{id}", "note ids are shown when notes are listed")
        return _note(rows[0])

    def edit_note(
        self,
        id: int,
        *,
        text: str | None = None,
        kind: str | None = None,
        date: str | None = None,
        link: str | None = None,
        by: str | None = None,
        seen: Note | None = None,
    ) -> Note:
        """Change the given fields; None leaves a field as it is, '' clears date/link/by.

        `seen` is the note as the user last read it: if it changed since, nothing is saved.
        """
        with self._write():
            old = self.get_note(id)
            refuse_if_changed(seen, old)
            row = _note_row(
                old.kind if kind is None else kind,
                old.text if text is None else text,
                old.date if date is None else date,
                old.link if link is None else link,
                old.by if by is None else by,
            )
            try:
                self._db.execute(
                    'UPDATE notes SET kind = ?, text = ?, date = ?, link = ?, "by" = ?,'
                    " updated = ? WHERE id = ?",
                    (*row, _now(), id),
                )
            except sqlite3.IntegrityError:
                raise EscalateError(
                    f"note #{id} would become identical to another note of {old.partner}",
                    "remove one of the two instead",
                ) from None
            return self.get_note(id)

    def remove_note(self, id: int) -> Note:
        """Delete a note; what it was, for saying what went."""
        with self._write():
            note = self.get_note(id)
            self._db.execute("DELETE FROM notes WHERE id = ?", (id,))
        return note

    # -- escalations: the history of assessments and briefs -------------------------------

    def record_escalation(
        self,
        partner: str | None,
        *,
        date: str,
        kind: str,
        verdict: str = "",
        reasons: Iterable[str] = (),
        signals: Iterable[str] = (),
        triggers: Iterable[str] = (),
        issue: str = "",
        root_cause: str = "",
        ask: str = "",
        customer: str = "",
        drafts: dict[str, Any] | None = None,
        commitments: Iterable[dict[str, Any]] = (),
        new: bool = False,
    ) -> Escalation:
        """Record an assessment or brief with the commitments made in it, in one transaction.

        `partner` None keeps it in the local history. A repeat is not doubled."""
        row = _escalation_row(
            date, kind, verdict, reasons, signals, triggers, issue, root_cause, ask, customer
        )
        promised = [
            (
                _commitment_row(
                    str(c.get("what") or ""),
                    str(c.get("owner") or ""),
                    str(c.get("due") or ""),
                    "",
                    str(c.get("source") or kind),
                ),
                c.get("agreed", True) is False,
            )
            for c in commitments
        ]
        with self._write():
            pid = None if partner is None else self._ensure(partner, new).id
            escalation_id = self._insert_escalation(pid, row, drafts or {}, _uid(), _now())[0]
            for promise, pending in promised:
                self._insert_commitment(pid, promise, pending, _now(), _uid())
            return self.get_escalation(escalation_id)

    def add_outcome(
        self, partner: str, text: str, date: str, escalation_id: int | None = None
    ) -> Escalation:
        """Add a dated outcome to the partner's latest escalation (or the one given);
        earlier outcomes stay: how it ended can change as the weeks go by."""
        clean = text.strip()
        if not clean:
            raise EscalateError("the outcome is empty", "say how it ended, in a sentence")
        with self._write():
            pid = self.find_partner(partner).id
            where = " AND e.id = ?" if escalation_id is not None else ""
            params = (pid,) if escalation_id is None else (pid, escalation_id)
            latest = self._read(
                _ESCALATION_SELECT + " WHERE e.partner_id = ?" + where
                + " ORDER BY e.date DESC, e.id DESC LIMIT 1",
                params,
            )  # fmt: skip
            if not latest:
                raise NotFoundError(
                    f"no escalation #{escalation_id} of {partner!r}"
                    if escalation_id
                    else f"no escalation is recorded for {partner!r}",
                    "`escalate history PARTNER` lists them; record one with "
                    "`escalate assess --partner` or `escalate brief --partner`",
                )
            found = latest[0]["id"]
            self._db.execute(
                "INSERT INTO outcomes (uid, escalation_id, date, text, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (_uid(), found, date.strip(), clean, _now()),
            )
            return self.get_escalation(found)

    def escalations(self, partner: str) -> list[Escalation]:
        """A partner's escalations, oldest first."""
        pid = self.find_partner(partner).id
        rows = self._read(
            _ESCALATION_SELECT + " WHERE e.partner_id = ? ORDER BY e.date, e.id", (pid,)
        )
        return self._escalations(rows)

    def history(self, partner: str | None = None) -> list[Escalation]:
        """Assessments and briefs, newest first: one partner's, or everyone's and the local
        ones."""
        if partner is None:
            rows = self._read(_ESCALATION_SELECT + " ORDER BY e.date DESC, e.id DESC")
        else:
            rows = self._read(
                _ESCALATION_SELECT + " WHERE e.partner_id = ? ORDER BY e.date DESC, e.id DESC",
                (self.find_partner(partner).id,),
            )
        return self._escalations(rows)

    # -- commitments ----------------------------------------------------------------------

    def add_commitment(
        self,
        partner: str,
        what: str,
        owner: str = "",
        due: str = "",
        source: str = "",
        pending: bool = False,
        new: bool = False,
    ) -> tuple[Commitment, bool]:
        """Record a promise (creating the partner); the same promise is returned, not doubled."""
        row = _commitment_row(what, owner, due, "", source)
        with self._write():
            pid = self._ensure(partner, new).id
            found, added = self._insert_commitment(pid, row, pending, _now(), _uid())
            return self.get_commitment(found), added

    def commitments(self, partner: str | None = None, open_only: bool = True) -> list[Commitment]:
        """Commitments, soonest due first and undated last; all partners unless one is named.
        Open ones include those still pending their owner's agreement."""
        return list(self.each_commitment(partner, open_only))

    def each_commitment(
        self,
        partner: str | None = None,
        open_only: bool = True,
        limit: int | None = None,
        due_before: str | None = None,
    ) -> Iterator[Commitment]:
        """`commitments`, as they are read; only the `limit` soonest, if given, and only
        those due before `due_before` (ISO: overdue on that day), if given."""
        sql, params = self._commitments_of(partner, open_only, due_before)
        sql += " ORDER BY c.due = '', c.due, c.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return map(_commitment, self._stream(sql, params))

    def count_commitments(
        self, partner: str | None = None, open_only: bool = True, due_before: str | None = None
    ) -> int:
        """How many commitments `each_commitment` reads without a limit."""
        return self._count(*self._commitments_of(partner, open_only, due_before))

    def _commitments_of(
        self, partner: str | None, open_only: bool, due_before: str | None
    ) -> tuple[str, list[Any]]:
        """The query of the commitments `each_commitment` reads, unordered."""
        where: list[str] = []
        params: list[Any] = []
        if partner is not None:
            where.append("c.partner_id = ?")
            params.append(self.find_partner(partner).id)
        if open_only:
            where.append("c.done_on = ''")
        if due_before is not None:
            where.append("c.due != '' AND c.due < ?")
            params.append(due_before)
        return _COMMITMENT_SELECT + (" WHERE " + " AND ".join(where) if where else ""), params

    def get_commitment(self, id: int) -> Commitment:
        rows = self._read(_COMMITMENT_SELECT + " WHERE c.id = ?", (id,))
        if not rows:
            raise NotFoundError(f"no commitment #{id}", NO_COMMITMENT)
        return _commitment(rows[0])

    def close_commitment(self, id: int, done_on: str) -> tuple[Commitment, bool]:
        """Mark a commitment done on that date; one already closed is left as it is
        (False: nothing changed)."""
        if not done_on.strip():
            raise EscalateError("a commitment is closed on a date", "give the date it was done")
        with self._write():
            changed = self._db.execute(
                "UPDATE commitments SET done_on = ?, updated = ? WHERE id = ? AND done_on = ''",
                (done_on.strip(), _now(), id),
            ).rowcount
            return self.get_commitment(id), bool(changed)

    def reopen_commitment(self, id: int) -> tuple[Commitment, bool]:
        """Open a closed commitment again (False: it was open, nothing changed)."""
        with self._write():
            changed = self._db.execute(
                "UPDATE commitments SET done_on = '', updated = ? WHERE id = ? AND done_on != ''",
                (_now(), id),
            ).rowcount
            return self.get_commitment(id), bool(changed)

    def edit_commitment(
        self,
        id: int,
        *,
        what: str | None = None,
        owner: str | None = None,
        due: str | None = None,
        pending: bool | None = None,
    ) -> Commitment:
        """Change the given fields; None leaves a field as it is, '' clears owner or due."""
        with self._write():
            old = self.get_commitment(id)
            row = _commitment_row(
                old.what if what is None else what,
                old.owner if owner is None else owner,
                old.due if due is None else due,
                old.done_on,
                old.source,
            )
            still = old.pending if pending is None else pending
            try:
                self._db.execute(
                    "UPDATE commitments SET what = ?, owner = ?, due = ?, pending = ?, "
                    "updated = ? WHERE id = ?",
                    (*row[:3], int(still), _now(), id),
                )
            except sqlite3.IntegrityError:
                raise EscalateError(
                    f"commitment #{id} would become identical to another one",
                    "remove one of the two instead",
                ) from None
            return self.get_commitment(id)

    def remove_commitment(self, id: int) -> Commitment:
        with self._write():
            item = self.get_commitment(id)
            self._db.execute("DELETE FROM commitments WHERE id = ?", (id,))
        return item

    # -- import ---------------------------------------------------------------------------

    def import_records(
        self,
        partner_name: str,
        notes: list[dict[str, Any]],
        escalations: list[dict[str, Any]],
        commitments: list[dict[str, Any]],
        new: bool = False,
        aliases: Sequence[str] = (),
    ) -> dict[str, Counts]:
        """Merge one partner's records and other names in one transaction: all or
        nothing (see `stage_import` and `import_staged`)."""
        groups = (
            ("notes", notes),
            ("escalations", escalations),
            ("commitments", commitments),
            ("aliases", aliases),
        )
        records = (
            (group, f"{group}[{i}]", item)
            for group, items in groups
            for i, item in enumerate(_items(items, group))
        )
        return self.import_staged(partner_name, self.stage_import(records), new)

    def stage_import(self, records: Iterable[tuple[str, str, Any]]) -> Staged:
        """Check each imported (group, where, item) and set it aside for `import_staged`:
        notes in a temporary table as they come (a file of a million holds no more memory
        than one of ten), escalations, commitments and aliases in memory. The store itself
        is not touched, nor locked: a malformed item (EscalateError naming `where`) or
        Ctrl-C here changes nothing."""
        now = _now()
        staged = Staged()

        def note_rows() -> Iterator[tuple[Any, ...]]:
            for group, where, item in records:
                try:
                    if group == "notes":
                        f = _checked(item, where, ("kind", "text"), NOTE_FIELDS)
                        row = _note_row(f["kind"], f["text"], f["date"], f["link"], f["by"])
                        created, uid = f["created"] or now, f["uid"] or _uid()
                        staged.notes += 1
                        yield (staged.notes, *row, created, uid, f["updated"] or created)
                    elif group == "escalations":
                        staged.escalations.append(_imported_escalation(item, where))
                    elif group == "aliases":
                        staged.aliases.append(_imported_alias(item))
                    else:
                        staged.commitments.append(_imported_commitment(item, where, now))
                except EscalateError as exc:  # every complaint names the item
                    if exc.message.startswith(where):
                        raise
                    raise EscalateError(f"{where}: {exc.message}", exc.hint) from None

        with self._staging():
            self._db.execute(
                """CREATE TEMP TABLE IF NOT EXISTS staged_notes (seq INTEGER PRIMARY KEY,
                kind TEXT, text TEXT, date TEXT, link TEXT, "by" TEXT, created TEXT,
                uid TEXT, updated TEXT)"""
            )
            self._db.execute("DELETE FROM staged_notes")
            self._db.executemany(
                """INSERT INTO staged_notes (seq, kind, text, date, link, "by", created, uid,
                updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                note_rows(),
            )
        return staged

    def import_staged(
        self, partner_name: str, staged: Staged, new: bool = False
    ) -> dict[str, Counts]:
        """Merge a staged import into the partner's records in one transaction.

        A record with a stable id (`uid`) this store already has is updated in place when
        the imported copy is newer (commitment states, notes) or adds to it (outcomes);
        one without is matched by its content. New notes go in with one statement, and
        into the full-text index with one more."""
        with self._write():
            pid = self._ensure(partner_name, new).id
            return {
                "notes": self._merge_notes(pid, staged.notes),
                "escalations": self._merge_escalations(pid, staged.escalations),
                "commitments": self._merge_commitments(pid, staged.commitments),
                "aliases": self._merge_aliases(pid, staged.aliases),
            }

    def _merge_notes(self, pid: int, count: int) -> Counts:
        """Staged notes into the partner's: ours updated where the import is newer (one
        by one: few are, and a change may collide with another note), the rest added."""
        updated, after = 0, 0
        while True:
            newer = self._read(
                """SELECT s.seq, s.kind, s.text, s.date, s.link, s."by", s.updated AS stamp,
                n.id, n.updated FROM staged_notes s JOIN notes n ON n.uid = s.uid
                AND n.uid != '' WHERE s.seq > ? AND s.updated > n.updated
                ORDER BY s.seq LIMIT ?""",
                (after, BATCH),
            )
            for row in newer:
                values = (row["kind"], row["text"], row["date"], row["link"], row["by"])
                updated += self._update_if_newer(
                    "notes", 'kind = ?, text = ?, date = ?, link = ?, "by" = ?', values, row,
                    row["stamp"],
                )  # fmt: skip
            if len(newer) < BATCH:
                break
            after = newer[-1]["seq"]
        with self._indexing_notes():
            added = self._db.execute(
                """INSERT OR IGNORE INTO notes (partner_id, kind, text, date, link, "by",
                created, uid, updated) SELECT ?, kind, text, date, link, "by", created, uid,
                updated FROM staged_notes s WHERE NOT EXISTS (SELECT 1 FROM notes n
                WHERE n.uid = s.uid AND n.uid != '') ORDER BY seq""",
                (pid,),
            ).rowcount
        return Counts(added, updated, count - added - updated)

    def _stored(self, table: str, uid: str) -> sqlite3.Row | None:
        """Our copy of an imported record, found by its stable id (notes or commitments);
        `uid != ''` lets SQLite use the notes' partial index instead of reading them all."""
        sql = f"SELECT id, updated FROM {table} WHERE uid = ? AND uid != ''"
        rows = self._read(sql, (uid,)) if uid else []
        return rows[0] if rows else None

    def _update_if_newer(
        self, table: str, columns: str, values: tuple[Any, ...], ours: sqlite3.Row, stamp: str
    ) -> int:
        """Overwrite `ours` when the imported copy (changed at `stamp`) is newer: 1 if it
        was, 0 if ours stands."""
        if stamp <= ours["updated"]:
            return 0
        with contextlib.suppress(sqlite3.IntegrityError):  # it would double another record
            return self._db.execute(
                f"UPDATE {table} SET {columns}, updated = ? WHERE id = ?",
                (*values, stamp, ours["id"]),
            ).rowcount
        return 0

    def _merge_escalations(self, pid: int, rows: list[Any]) -> Counts:
        added = updated = 0
        for row, drafts, uid, told in rows:
            old = self._read("SELECT id FROM history WHERE uid = ?", (uid,)) if uid else []
            if old:
                found, is_new = old[0]["id"], False
            else:
                found, is_new = self._insert_escalation(pid, row, drafts, uid or _uid(), _now())
            changed = 0
            for outcome in told:
                same = self._read(
                    "SELECT id, date, text FROM outcomes WHERE (uid = ? AND uid != '') OR "
                    "(escalation_id = ? AND date = ? AND text = ?)",
                    (outcome["uid"], found, outcome["date"], outcome["text"]),
                )
                if not same:
                    self._db.execute(
                        "INSERT INTO outcomes (uid, escalation_id, date, text, created) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (outcome["uid"] or _uid(), found, outcome["date"], outcome["text"],
                         _now()),
                    )  # fmt: skip
                    changed += 1
                elif (same[0]["date"], same[0]["text"]) != (outcome["date"], outcome["text"]):
                    changed += self._db.execute(
                        "UPDATE outcomes SET date = ?, text = ? WHERE id = ?",
                        (outcome["date"], outcome["text"], same[0]["id"]),
                    ).rowcount
            added += is_new
            updated += bool(changed) and not is_new
        return Counts(added, updated, len(rows) - added - updated)

    def _merge_commitments(self, pid: int, rows: list[Any]) -> Counts:
        added = updated = 0
        for row, pending, created, uid, stamp in rows:
            ours = self._stored("commitments", uid)
            if ours:
                updated += self._update_if_newer(
                    "commitments",
                    "what = ?, owner = ?, due = ?, done_on = ?, pending = ?",
                    (*row[:4], int(pending)),
                    ours,
                    stamp,
                )
                continue
            added += self._insert_commitment(pid, row, pending, created, uid or _uid(), stamp)[1]
        return Counts(added, updated, len(rows) - added - updated)

    def _merge_aliases(self, pid: int, names: list[str]) -> Counts:
        """The export's other names for the partner: each one no partner here is known by
        is added; one that already means this partner, or another, or one the user took
        away from this partner (`import` says so of both), is left as it is."""
        added = 0
        removed = self._read("SELECT key FROM removed_aliases WHERE partner_id = ?", (pid,))
        gone = {row["key"] for row in removed}
        for name in names:
            key = identity.name_key(name)
            if key not in gone and not self._known(key):
                self._insert_alias(pid, name)
                added += 1
        return Counts(added=added, unchanged=len(names) - added)

    def _insert_alias(self, pid: int, name: str) -> None:
        self._db.execute(
            "INSERT INTO aliases (partner_id, name, key, created) VALUES (?, ?, ?, ?)",
            (pid, name, identity.name_key(name), _now()),
        )

    # -- the records' own plumbing --------------------------------------------------------

    def _insert_escalation(
        self, pid: int | None, row: tuple[str, ...], drafts: dict[str, Any], uid: str, now: str
    ) -> tuple[int, bool]:
        """(id, whether new): an escalation identical to one recorded, drafts and all, is
        not doubled."""
        values = (*row, json.dumps(drafts, ensure_ascii=False) if drafts else "")
        same = self._read(
            f"SELECT id FROM history WHERE {_SAME_ESCALATION}", (pid, *values, values[-1])
        )
        if same:
            return same[0]["id"], False
        cursor = self._db.execute(
            f"INSERT INTO history (partner_id, {_HISTORY_COLUMNS}, uid, created) "
            f"VALUES ({', '.join('?' * (len(values) + 3))})",
            (pid, *values, uid, now),
        )
        return int(cursor.lastrowid or 0), True

    def _insert_commitment(
        self,
        pid: int | None,
        row: tuple[str, ...],
        pending: bool,
        created: str,
        uid: str,
        updated: str = "",
    ) -> tuple[int, bool]:
        """(id, whether new): the same promise to the same partner is not doubled."""
        same = self._read(
            "SELECT id FROM commitments WHERE partner_id IS ? AND what = ? AND owner = ? "
            "AND due = ?",
            (pid, *row[:3]),
        )
        if same:
            return same[0]["id"], False
        cursor = self._db.execute(
            """INSERT INTO commitments (partner_id, what, owner, due, done_on, source, pending,
            created, uid, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (pid, *row, int(pending), created, uid, updated or created),
        )
        return int(cursor.lastrowid or 0), True

    def get_escalation(self, id: int) -> Escalation:
        rows = self._read(_ESCALATION_SELECT + " WHERE e.id = ?", (id,))
        if not rows:
            raise NotFoundError(f"no history entry #{id}", "`escalate history` lists them")
        return self._escalations(rows)[0]

    def _escalations(self, rows: Sequence[sqlite3.Row]) -> list[Escalation]:
        """History rows as Escalations, the outcomes of all of them read at once rather
        than one query per entry."""
        told: dict[int, list[Outcome]] = {}
        outcomes = self._read_in(
            "SELECT escalation_id, id, date, text, uid FROM outcomes WHERE escalation_id",
            [row["id"] for row in rows],
            " ORDER BY date, id",
        )
        for o in outcomes:
            told.setdefault(o["escalation_id"], []).append(
                Outcome(o["id"], o["date"], o["text"], o["uid"])
            )
        return [
            Escalation(
                row["id"],
                row["partner"],
                row["date"],
                row["kind"],
                row["verdict"],
                json.loads(row["reasons"]),
                row["issue"],
                row["root_cause"],
                row["ask"],
                tuple(told.get(row["id"], ())),
                json.loads(row["signals"]),
                json.loads(row["triggers"]),
                row["customer"],
                row["uid"],
                json.loads(row["drafts"]) if row["drafts"] else {},
            )
            for row in rows
        ]

    def _match(self, clean: str, cutoff: float = identity.CLOSE_CUTOFF) -> identity.Match:
        """identity.match against every name a partner is known by. A name known as typed
        is found through the key index, without reading every partner; only a name that
        is new or mistyped reads them all. A name that means several partners at once is
        refused: which one is for the user to say (or to merge them)."""
        found = identity.match(clean, self._known(identity.name_key(clean)), cutoff)
        if not (found.exact or found.same):
            found = identity.match(clean, self._known(), cutoff)
        if found.same:
            names = [item.partner for item in found.same]
            raise EscalateError(
                f"{clean!r} could mean {len(names)} partners: "
                + " or ".join(repr(name) for name in names),
                "name it exactly as `escalate partners` lists it; if they are one partner, "
                f"make them one: {identity.merge_command(names)}{self.NAMESAKES_HINT}",
            )
        return found

    def _known(self, key: str | None = None) -> list[identity.Known]:
        """Every name a partner is known by (only those with this key, if given): its own
        first, then its aliases."""
        where = ("", "") if key is None else (" WHERE key = ?", " WHERE a.key = ?")
        rows = self._read(
            f"""SELECT id, name AS partner, name FROM partners{where[0]}
            UNION ALL SELECT p.id, p.name, a.name FROM aliases a
            JOIN partners p ON p.id = a.partner_id{where[1]}""",
            () if key is None else (key, key),
        )
        return [identity.Known(row["id"], row["partner"], row["name"]) for row in rows]

    # -- plumbing -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Check the file is ours before changing anything, then set it up and migrate."""
        with self._errors():
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._check_ours()
            self._use_wal()
        if self._pragma("user_version") < len(MIGRATIONS):
            with self._write():
                self._check_ours()  # again: another process may have migrated meanwhile
                for version in range(self._pragma("user_version"), len(MIGRATIONS)):
                    for step in MIGRATIONS[version]:
                        self._db.execute(step) if isinstance(step, str) else step(self._db)
                    self._db.execute(f"PRAGMA user_version = {version + 1}")
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        with self._errors():
            self._db.execute("PRAGMA foreign_keys = ON")  # not before: see MIGRATIONS
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.chmod(f"{self.path}{suffix}", 0o600)

    def _use_wal(self) -> None:
        """Switch the file to write-ahead logging, once. The switch needs the file to itself:
        when several processes open a new store at once, each holding a read lock while it
        asks for that, SQLite answers one of them "busy" at once instead of waiting (waiting
        could deadlock). So a busy switch is tried again, for up to 10 seconds, until this
        process or another has made it."""
        deadline = time.monotonic() + 10
        while self._pragma("journal_mode") != "wal":
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _check_ours(self) -> None:
        """Raise StoreError unless the file is empty or an escalate store this version reads.

        The identity is read in one statement (one snapshot), so a migration committing in
        another process cannot show us half of it; a file that looks foreign is looked at
        once more after any migration under way has finished, before we blame it."""
        app_id, version, tables = self._identity()
        if app_id != APPLICATION_ID and not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")  # waits for a migrating writer to finish
            try:
                app_id, version, tables = self._identity()
            finally:
                self._db.execute("ROLLBACK")
        if app_id != APPLICATION_ID:
            if app_id == 0 and version == 0 and tables == 0:
                return  # a new, empty database
            raise StoreError(
                f"{self.path}: is a SQLite database, but not one of escalate's", MOVE_ASIDE
            )
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: was written by a newer escalate (schema {version}, this one "
                f"reads up to {len(MIGRATIONS)})",
                "upgrade escalate, or use --home / ESCALATE_HOME for a separate store",
            )

    def _identity(self) -> tuple[int, int, int]:
        """(application_id, user_version, number of schema objects), from one snapshot."""
        row = self._read(
            """SELECT (SELECT application_id FROM pragma_application_id),
                (SELECT user_version FROM pragma_user_version),
                (SELECT count(*) FROM sqlite_master)"""
        )[0]
        return row[0], row[1], row[2]

    def _check_integrity(self) -> None:
        """Before the first write: refuse a damaged file rather than write into it.

        `PRAGMA quick_check` reads every page, so it runs only when the file changed since
        the last check or write of ours (size, times and inode in a stamp beside it)."""
        if _file_state(self.path) == _read_stamp(self._stamp_path()):
            return
        try:
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.OperationalError:
            raise  # busy or unreadable: `_errors` says which
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        if problems != ["ok"]:
            raise StoreError(
                f"{self.path}: the database is damaged ({problems[0][:80]})",
                "nothing was written; restore it from a backup, or move it aside and use "
                "`sqlite3 escalate.db .recover` on the copy",
            )
        self._restamp = True

    def _pragma(self, name: str) -> Any:
        return self._read(f"PRAGMA {name}")[0][0]

    def _ensure(self, name: str, new: bool = False) -> Partner:
        """ensure_partner's work, inside the caller's write transaction."""
        clean = _partner_name(name)
        found = self._match(clean)
        if found.exact:
            return Partner(found.exact.partner_id, found.exact.partner)
        if found.close and not new:
            raise CloseMatchError(clean, tuple(dict.fromkeys(k.partner for k in found.close)))
        cursor = self._db.execute(
            "INSERT INTO partners (name, key, created) VALUES (?, ?, ?)",
            (clean, identity.name_key(clean), _now()),
        )
        return Partner(int(cursor.lastrowid or 0), clean)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._errors():
            return self._db.execute(sql, params).fetchall()

    def _read_in(self, sql: str, values: Sequence[Any], tail: str = "") -> list[sqlite3.Row]:
        """`sql` ending in a column, ` IN (values)` and `tail` added, in batches of BATCH
        values: one query per batch for what would otherwise be one per value."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(values), BATCH):
            chunk = values[start : start + BATCH]
            rows += self._read(f"{sql} IN ({', '.join('?' * len(chunk))}){tail}", chunk)
        return rows

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Rows as SQLite steps to them, a batch at a time: a long list never sits in
        memory whole. Read them before the store is closed."""
        for batch in self._batches(sql, params):
            yield from batch

    def _batches(self, sql: str, params: Sequence[Any] = ()) -> Iterator[list[sqlite3.Row]]:
        """`_stream`, BATCH rows at a time."""
        with self._errors():
            cursor = self._db.execute(sql, params)
        while True:
            with self._errors():
                batch = cursor.fetchmany(BATCH)
            if not batch:
                return
            yield batch

    @contextlib.contextmanager
    def _staging(self) -> Iterator[None]:
        """One transaction on this connection's temporary tables only: the store is not
        locked, so other writers go on while an import is read and checked."""
        with self._errors():
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextlib.contextmanager
    def _indexing_notes(self) -> Iterator[None]:
        """Notes inserted inside go into the full-text index in one statement afterwards,
        instead of one trigger run per row (most of a large import's time). Inside the
        caller's transaction: if anything fails, the trigger is back as it was."""
        trigger = self._read(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'notes_fts_insert'"
        )[0]["sql"]
        last = self._read("SELECT coalesce(max(id), 0) AS last FROM notes")[0]["last"]
        self._db.execute("DROP TRIGGER notes_fts_insert")
        yield
        self._db.execute(
            "INSERT INTO notes_fts (rowid, text) SELECT id, text FROM notes WHERE id > ?", (last,)
        )
        self._db.execute(trigger)

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken up front so concurrent writers queue, not fail."""
        with self._errors():
            if not self._checked:
                self._checked = True
                self._check_integrity()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._restamp = True

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's failures as StoreError naming the file, with what the user can do."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
            raise  # a caller's case to handle, or a bug: not the file's fault
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if _is_busy(exc):
                raise StoreError(
                    f"{self.path}: the store stayed busy (another escalate is writing)",
                    "try again in a moment",
                ) from None
            raise StoreError(f"{self.path}: {text}", "check the file and its folder") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot be read as a database ({exc})", MOVE_ASIDE
            ) from None


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite does, so it is never readable by others."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot create the database: {exc.strerror}",
            "choose another place with --home or ESCALATE_HOME",
        ) from None


def _file_state(path: Path) -> str:
    """What changes whenever the file's bytes do: inode, size, modified and changed times."""
    try:
        info = path.stat()
    except OSError:
        return ""
    return f"{info.st_ino} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}"


def _read_stamp(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, ValueError):
        return None


def _write_stamp(path: Path, state: str) -> None:
    """A cache: a folder we cannot write only means the next write checks again."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(state)
        os.replace(temp, path)


def refuse_if_changed(seen: Note | None, now: Note) -> None:
    """No lost update: refuse an edit made from a copy of the note that is no longer current,
    naming the fields that changed (not their text: errors carry no user content)."""
    if seen is None or seen == now:
        return
    changed = [
        field for field in _EDITED_NOTE_FIELDS if getattr(seen, field) != getattr(now, field)
    ]
    raise EscalateError(
        f"note #{now.id} was changed by someone else since you read it "
        f"({', '.join(changed)} changed); nothing was saved",
        "look at the note again (escalate notes list PARTNER) and redo your edit",
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _uid() -> str:
    """A record's stable id: the same in every store an export is imported into."""
    return os.urandom(16).hex()


def _partner_name(name: str) -> str:
    """The name as stored (see identity.clean_name); a blank one is refused."""
    clean = identity.clean_name(name)
    if not clean:
        raise EscalateError("a partner needs a name", "give the customer or partner's name")
    return clean


def _note_kind(kind: str) -> str:
    clean = kind.strip().lower()
    if clean not in NOTE_KINDS:
        raise EscalateError(
            f"unknown note kind {kind!r}", "choose one of: " + ", ".join(NOTE_KINDS)
        )
    return clean


def _note_row(
    kind: str, text: str, date: str | None, link: str | None, by: str | None
) -> tuple[str, str, str, str, str]:
    """(kind, text, date, link, by) as stored: checked, trimmed, absent as ''."""
    clean = text.strip()
    if not clean:
        raise EscalateError(
            "a note needs some text",
            "write what happened or was said; to delete a note: escalate notes remove ID",
        )
    date, link, by = ((value or "").strip() for value in (date, link, by))
    return (_note_kind(kind), clean, date, link, by)


def _escalation_row(
    date: str,
    kind: str,
    verdict: str,
    reasons: Iterable[str],
    signals: Iterable[str],
    triggers: Iterable[str],
    issue: str,
    root_cause: str,
    ask: str,
    customer: str,
) -> tuple[str, ...]:
    """The history columns (_HISTORY_COLUMNS but drafts) as stored: lists as JSON."""
    if not date.strip():
        raise EscalateError("an escalation needs a date", "give it as YYYY-MM-DD")
    if kind not in ESCALATION_KINDS:
        raise EscalateError(
            f"unknown escalation kind {kind!r}", "choose one of: " + ", ".join(ESCALATION_KINDS)
        )
    return (
        date.strip(),
        kind,
        verdict.strip(),
        *(
            json.dumps([i.strip() for i in items], ensure_ascii=False)
            for items in (reasons, signals, triggers)
        ),
        *(text.strip() for text in (issue, root_cause, ask, customer)),
    )


def _commitment_row(
    what: str, owner: str, due: str, done_on: str, source: str
) -> tuple[str, str, str, str, str]:
    """(what, owner, due, done_on, source) as stored: checked and trimmed."""
    return (promised(what), owner.strip(), due.strip(), done_on.strip(), source.strip())


def promised(what: str) -> str:
    """What a commitment promises, trimmed; refused when it says nothing. `follow-up add`
    checks it first, so the error comes before anything else is said or asked."""
    clean = what.strip()
    if not clean:
        raise EscalateError(
            "a commitment needs to say what was promised",
            'say what was promised, e.g. "send the hotfix plan"',
        )
    return clean


def _items(items: object, name: str) -> list[Any]:
    if isinstance(items, tuple):
        items = list(items)
    if not isinstance(items, list):
        raise EscalateError(f"{name}: expected a list, got {type(items).__name__}", EXPORT_AGAIN)
    return items


def _checked(
    item: object,
    where: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    also: tuple[str, ...] = (),
) -> dict[str, str]:
    """An imported item's text fields ('' when absent), or EscalateError saying what is wrong.

    Fields in `also` are allowed but not text; the caller checks them.
    """
    if not isinstance(item, dict):
        raise EscalateError(f"{where}: expected a mapping, got {type(item).__name__}", EXPORT_AGAIN)
    known = (*required, *optional)
    allowed = {*known, *also, *_IMPORT_IGNORES}  # once, not once per key
    unknown = sorted(str(key) for key in item if key not in allowed)
    if unknown:
        raise EscalateError(
            f"{where}: unknown field(s) {', '.join(unknown)}",
            "known fields: " + ", ".join((*known, *also)),
        )
    fields = {}
    for key in known:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise EscalateError(
                f"{where}: {key!r} must be text, not {type(value).__name__}", EXPORT_AGAIN
            )
        if key in required and not (value or "").strip():
            raise EscalateError(f"{where}: {key!r} is missing", EXPORT_AGAIN)
        fields[key] = value or ""
    return fields


def _texts(item: dict[str, Any], key: str, where: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, (list, tuple)) or not all(isinstance(r, str) for r in value):
        raise EscalateError(f"{where}: {key!r} must be a list of text", EXPORT_AGAIN)
    return list(value)


def _outcomes(item: dict[str, Any], where: str) -> list[dict[str, str]]:
    """An imported escalation's outcomes: each with a date and text (uid optional)."""
    told = []
    for i, outcome in enumerate(_items(item.get("outcomes") or [], f"{where}.outcomes")):
        f = _checked(outcome, f"{where}.outcomes[{i}]", ("date", "text"), ("uid",))
        told.append({key: value.strip() for key, value in f.items()})
    return told


def _imported_escalation(item: Any, where: str) -> tuple[Any, ...]:
    """An imported escalation as `_merge_escalations` takes it, or EscalateError."""
    f = _checked(
        item, where, ("date", "kind"), ESCALATION_FIELDS, also=(*TEXT_LISTS, "outcomes", "drafts")
    )
    reasons, signals, triggers = (_texts(item, name, where) for name in TEXT_LISTS)
    values = _escalation_row(
        f["date"], f["kind"], f["verdict"], reasons, signals, triggers,
        f["issue"], f["root_cause"], f["ask"], f["customer"],
    )  # fmt: skip
    told = _outcomes(item, where)
    if f["outcome"] and not told:  # an export from before outcomes were a list
        told = [{"uid": "", "date": f["date"], "text": f["outcome"].strip()}]
    drafts = item.get("drafts") or {}
    if not isinstance(drafts, dict):
        raise EscalateError(f"{where}: 'drafts' must be a mapping", EXPORT_AGAIN)
    return (values, drafts, f["uid"], told)


def _imported_alias(item: Any) -> str:
    """An imported alias as stored, or EscalateError: a name, spaced as typed names are."""
    clean = identity.clean_name(item) if isinstance(item, str) else ""
    if not clean:
        raise EscalateError(f"an alias must be a name, not {item!r}", EXPORT_AGAIN)
    return clean


def _imported_commitment(item: Any, where: str, now: str) -> tuple[Any, ...]:
    """An imported commitment as `_merge_commitments` takes it, or EscalateError."""
    f = _checked(item, where, ("what",), COMMITMENT_FIELDS, ("pending",))
    row = _commitment_row(f["what"], f["owner"], f["due"], f["done_on"], f["source"])
    pending = item.get("pending") is True or item.get("state") == "pending"
    return (row, pending, f["created"] or now, f["uid"], f["updated"])


def _note(row: sqlite3.Row) -> Note:
    return Note(
        row["id"],
        row["partner"],
        row["kind"],
        row["text"],
        row["date"] or None,
        row["link"] or None,
        row["by"] or None,
        row["created"],
        row["uid"],
        row["updated"],
    )


def _commitment(row: sqlite3.Row) -> Commitment:
    return Commitment(
        row["id"],
        row["partner"],
        row["what"],
        row["owner"],
        row["due"],
        row["done_on"],
        row["source"],
        bool(row["pending"]),
        row["uid"],
        row["updated"],
    )


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up on a lock another connection holds ("locked", "busy")."""
    text = str(exc)
    return "locked" in text or "busy" in text
