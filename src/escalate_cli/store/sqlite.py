"""Partner memory: partners, notes, escalations and commitments in one SQLite file.

Several `escalate` processes may write at once, and the file holds what a relationship's
next owner needs, so: every write is one `BEGIN IMMEDIATE` transaction, the journal is WAL
with a busy timeout, the schema is versioned, files are 0600, and a file that is not ours
(corrupt, another program's, a newer escalate's) is reported and never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from escalate_cli.errors import EscalateError, NotFoundError, StoreError
from escalate_cli.kinds import NOTE_KINDS

DB_NAME = "escalate.db"
APPLICATION_ID = 0x45534341  # "ESCA": marks the file as ours in the SQLite header
ESCALATION_KINDS = ("assessment", "brief")
ESCALATING = ("escalate_now", "escalate")
MOVE_ASIDE = "move it aside (nothing in it was changed), or use --home / ESCALATE_HOME"

# One tuple of statements per schema version, applied in order. Never edit a released entry:
# add a new one. Absent text is stored as '' (not NULL) so UNIQUE constraints see it as equal.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
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
)


@dataclass(frozen=True)
class Partner:
    id: int
    name: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Escalation:
    """An assessment or a brief about a partner; `signals` and `triggers` are in words."""

    id: int
    partner: str
    date: str
    kind: str
    verdict: str
    reasons: list[str]
    issue: str
    root_cause: str
    ask: str
    outcome: str
    signals: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)

    @property
    def took_place(self) -> bool:
        """Whether this is an escalation that happened, not only advice about one: a brief,
        or an assessment that said escalate and whose outcome was recorded afterwards."""
        return self.kind == "brief" or (self.verdict in ESCALATING and bool(self.outcome))


@dataclass(frozen=True)
class Commitment:
    """Something promised; `due` and `done_on` are '' when there is none."""

    id: int
    partner: str
    what: str
    owner: str
    due: str
    done_on: str
    source: str


@dataclass(frozen=True)
class PartnerSummary:
    name: str
    notes: int
    last_escalation: Escalation | None
    open_commitments: int


_NOTE_SELECT = """SELECT n.id, p.name AS partner, n.kind, n.text, n.date, n.link, n."by",
    n.created FROM notes n JOIN partners p ON p.id = n.partner_id"""
_ESCALATION_SELECT = """SELECT e.id, p.name AS partner, e.date, e.kind, e.verdict, e.reasons,
    e.signals, e.triggers, e.issue, e.root_cause, e.ask, e.outcome FROM escalations e
    JOIN partners p ON p.id = e.partner_id"""
_ESCALATION_COLUMNS = """(partner_id, date, kind, verdict, reasons, signals, triggers, issue,
    root_cause, ask, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_COMMITMENT_SELECT = """SELECT c.id, p.name AS partner, c.what, c.owner, c.due, c.done_on,
    c.source FROM commitments c JOIN partners p ON p.id = c.partner_id"""
# Import: fields an export carries that are not used (identity belongs to this store),
# and each table's optional fields.
_IMPORT_IGNORES = ("id", "partner")
NOTE_FIELDS = ("partner", "kind", "text", "date", "link", "by")
ESCALATION_FIELDS = ("verdict", "issue", "root_cause", "ask", "outcome")
TEXT_LISTS = ("reasons", "signals", "triggers")  # an escalation's lists of sentences
COMMITMENT_FIELDS = ("owner", "due", "done_on", "source", "created")


class Store:
    """An open store. Use `Store.open(home)`, as a context manager so it is closed."""

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

    def ensure_partner(self, name: str) -> Partner:
        """The partner of that name, created on first use; names match ignoring case."""
        with self._write():
            return self._ensure(name)

    def find_partner(self, name: str) -> Partner:
        """The partner of that name, or NotFoundError suggesting the nearest names."""
        clean = _partner_name(name)
        rows = self._read("SELECT id, name FROM partners WHERE key = ?", (clean.casefold(),))
        if rows:
            return Partner(rows[0]["id"], rows[0]["name"])
        names = {row["key"]: row["name"] for row in self._read("SELECT key, name FROM partners")}
        close = difflib.get_close_matches(clean.casefold(), list(names), n=3, cutoff=0.6)
        if close:
            hint = "did you mean " + " or ".join(repr(names[key]) for key in close) + "?"
        elif names:
            hint = "known partners: " + ", ".join(sorted(names.values(), key=str.casefold))
        else:
            hint = "no partners are recorded yet"
        raise NotFoundError(f"no partner named {clean!r}", hint)

    def partners(self) -> list[PartnerSummary]:
        """Every partner with counts and the latest escalation, by name."""
        return list(self.each_partner())

    def each_partner(self) -> Iterator[PartnerSummary]:
        """`partners`, as they are read. Each figure is one index lookup per partner (see
        migration 3), so the list costs time in proportion to its length."""
        rows = self._stream(
            """SELECT p.name,
                (SELECT count(*) FROM notes WHERE partner_id = p.id) AS notes,
                (SELECT count(*) FROM commitments WHERE partner_id = p.id AND done_on = '')
                    AS open_commitments,
                e.id, p.name AS partner, e.date, e.kind, e.verdict, e.reasons, e.signals,
                e.triggers, e.issue, e.root_cause, e.ask, e.outcome
            FROM partners p LEFT JOIN escalations e ON e.id = (
                SELECT id FROM escalations WHERE partner_id = p.id
                ORDER BY date DESC, id DESC LIMIT 1)
            ORDER BY p.key"""
        )
        return map(_summary, rows)

    # -- notes ----------------------------------------------------------------------------

    def add_note(
        self,
        partner: str,
        kind: str,
        text: str,
        date: str | None = None,
        link: str | None = None,
        by: str | None = None,
    ) -> tuple[Note, bool]:
        """Remember a note (creating the partner); an identical note is returned, not doubled."""
        row = _note_row(kind, text, date, link, by)
        with self._write():
            pid = self._ensure(partner).id
            cursor = self._db.execute(
                """INSERT OR IGNORE INTO notes (partner_id, kind, text, date, link, "by", created)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (pid, *row, _now()),
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
        kind = None if kind is None else _note_kind(kind)
        params: list[Any]
        where, params = ["n.partner_id = ?"], [self.find_partner(partner).id]
        if kind is not None:
            where.append("n.kind = ?")
            params.append(kind)
        if since is not None:
            where.append("n.date >= ?")
            params.append(since)
        sql = _NOTE_SELECT + " WHERE " + " AND ".join(where)
        if limit is None:
            rows = self._stream(sql + " ORDER BY n.date, n.id", params)
        else:
            latest = sql + " ORDER BY n.date DESC, n.id DESC LIMIT ?"
            rows = self._stream(f"SELECT * FROM ({latest}) ORDER BY date, id", [*params, limit])
        return map(_note, rows)

    def search(self, words: str) -> list[Note]:
        """Notes containing every word, best match first."""
        return list(self.each_match(words))

    def each_match(
        self, words: str, since: str | None = None, limit: int | None = None
    ) -> Iterator[Note]:
        """`search`, as they are read: only notes dated `since` (ISO) or later, and only
        the `limit` best, if given.

        Each word becomes a quoted FTS5 string, so the user's text is never FTS syntax:
        quotes, `*`, `:`, `-`, NEAR or OR in it are searched for, never interpreted.
        """
        query = " ".join('"' + word.replace('"', '""') + '"' for word in words.split())
        if not query:
            return iter(())
        sql = _NOTE_SELECT + " JOIN notes_fts ON notes_fts.rowid = n.id WHERE notes_fts MATCH ?"
        params: list[Any] = [query]
        if since is not None:
            sql += " AND n.date >= ?"
            params.append(since)
        sql += " ORDER BY notes_fts.rank, n.date, n.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return map(_note, self._stream(sql, params))

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
                    'UPDATE notes SET kind = ?, text = ?, date = ?, link = ?, "by" = ?'
                    " WHERE id = ?",
                    (*row, id),
                )
            except sqlite3.IntegrityError:
                raise EscalateError(
                    f"note #{id} would become identical to another note of {old.partner}",
                    "remove one of the two instead",
                ) from None
            return self.get_note(id)

    def remove_note(self, id: int) -> None:
        with self._write():
            if self._db.execute("DELETE FROM notes WHERE id = ?", (id,)).rowcount == 0:
                raise NotFoundError(f"no note #{id}", "note ids are shown when notes are listed")

    # -- escalations ----------------------------------------------------------------------

    def record_escalation(
        self,
        partner: str,
        *,
        date: str,
        kind: str,
        verdict: str = "",
        reasons: Iterable[str] = (),
        issue: str = "",
        root_cause: str = "",
        ask: str = "",
        outcome: str = "",
        signals: Iterable[str] = (),
        triggers: Iterable[str] = (),
    ) -> Escalation:
        """Record an assessment or brief (creating the partner); a repeat is not doubled."""
        row = _escalation_row(
            date, kind, verdict, reasons, issue, root_cause, ask, outcome, signals, triggers
        )
        with self._write():
            pid = self._ensure(partner).id
            self._db.execute(
                "INSERT OR IGNORE INTO escalations " + _ESCALATION_COLUMNS, (pid, *row)
            )
            found = self._read(
                _ESCALATION_SELECT
                + """ WHERE e.partner_id = ? AND e.date = ? AND e.kind = ? AND e.verdict = ?
                AND e.reasons = ? AND e.signals = ? AND e.triggers = ? AND e.issue = ?
                AND e.root_cause = ? AND e.ask = ? AND e.outcome = ?""",
                (pid, *row),
            )
        return _escalation(found[0])

    def set_outcome(self, partner: str, outcome: str) -> Escalation:
        """Record how the partner's latest escalation ended (replacing an earlier outcome)."""
        text = outcome.strip()
        if not text:
            raise EscalateError("the outcome is empty", "say how it ended, in a sentence")
        with self._write():
            pid = self.find_partner(partner).id
            latest = self._read(
                _ESCALATION_SELECT + " WHERE e.partner_id = ? ORDER BY e.date DESC, e.id DESC"
                " LIMIT 1",
                (pid,),
            )
            if not latest:
                raise NotFoundError(
                    f"no escalation is recorded for {partner!r}",
                    "record one with `escalate assess --partner` or `escalate brief --partner`",
                )
            escalation_id = latest[0]["id"]
            try:
                self._db.execute(
                    "UPDATE escalations SET outcome = ? WHERE id = ?", (text, escalation_id)
                )
            except sqlite3.IntegrityError:
                raise EscalateError("that escalation already has this outcome") from None
            row = self._read(_ESCALATION_SELECT + " WHERE e.id = ?", (escalation_id,))
        return _escalation(row[0])

    def escalations(self, partner: str) -> list[Escalation]:
        """A partner's escalations, oldest first."""
        pid = self.find_partner(partner).id
        rows = self._read(
            _ESCALATION_SELECT + " WHERE e.partner_id = ? ORDER BY e.date, e.id", (pid,)
        )
        return [_escalation(row) for row in rows]

    # -- commitments ----------------------------------------------------------------------

    def add_commitment(
        self, partner: str, what: str, owner: str = "", due: str = "", source: str = ""
    ) -> tuple[Commitment, bool]:
        """Record a promise (creating the partner); the same promise is returned, not doubled."""
        row = _commitment_row(what, owner, due, "", source)
        with self._write():
            pid = self._ensure(partner).id
            cursor = self._db.execute(
                """INSERT OR IGNORE INTO commitments (partner_id, what, owner, due, done_on,
                source, created) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (pid, *row, _now()),
            )
            found = self._read(
                _COMMITMENT_SELECT
                + " WHERE c.partner_id = ? AND c.what = ? AND c.owner = ? AND c.due = ?",
                (pid, *row[:3]),
            )
        return _commitment(found[0]), cursor.rowcount == 1

    def commitments(self, partner: str | None = None, open_only: bool = True) -> list[Commitment]:
        """Commitments, soonest due first and undated last; all partners unless one is named."""
        return list(self.each_commitment(partner, open_only))

    def each_commitment(
        self, partner: str | None = None, open_only: bool = True, limit: int | None = None
    ) -> Iterator[Commitment]:
        """`commitments`, as they are read; only the `limit` soonest, if given."""
        where, params = [], []
        if partner is not None:
            where.append("c.partner_id = ?")
            params.append(self.find_partner(partner).id)
        if open_only:
            where.append("c.done_on = ''")
        sql = _COMMITMENT_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY c.due = '', c.due, c.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return map(_commitment, self._stream(sql, params))

    def close_commitment(self, id: int, done_on: str) -> Commitment:
        """Mark a commitment done on that date."""
        if not done_on.strip():
            raise EscalateError("a commitment is closed on a date", "give the date it was done")
        with self._write():
            changed = self._db.execute(
                "UPDATE commitments SET done_on = ? WHERE id = ?", (done_on.strip(), id)
            ).rowcount
            if not changed:
                raise NotFoundError(
                    f"no commitment #{id}", "commitment ids are shown when commitments are listed"
                )
            return _commitment(self._read(_COMMITMENT_SELECT + " WHERE c.id = ?", (id,))[0])

    # -- import ---------------------------------------------------------------------------

    def import_records(
        self,
        partner_name: str,
        notes: list[dict[str, Any]],
        escalations: list[dict[str, Any]],
        commitments: list[dict[str, Any]],
    ) -> dict[str, int]:
        """Add one partner's records in one transaction: all or nothing, repeats ignored.

        Everything is checked before anything is written, so a malformed item means
        nothing changes. Returns how many of each were new.
        """
        now = _now()
        note_rows, escalation_rows, commitment_rows = [], [], []
        for i, item in enumerate(_items(notes, "notes")):
            f = _checked(item, f"notes[{i}]", ("kind", "text"), ("date", "link", "by", "created"))
            row = _note_row(f["kind"], f["text"], f["date"], f["link"], f["by"])
            note_rows.append((*row, f["created"] or now))
        for i, item in enumerate(_items(escalations, "escalations")):
            where = f"escalations[{i}]"
            f = _checked(item, where, ("date", "kind"), ESCALATION_FIELDS, also=TEXT_LISTS)
            reasons, signals, triggers = (_text_list(item, name, where) for name in TEXT_LISTS)
            escalation_rows.append(
                _escalation_row(**f, reasons=reasons, signals=signals, triggers=triggers)
            )
        for i, item in enumerate(_items(commitments, "commitments")):
            f = _checked(item, f"commitments[{i}]", ("what",), COMMITMENT_FIELDS)
            row = _commitment_row(f["what"], f["owner"], f["due"], f["done_on"], f["source"])
            commitment_rows.append((*row, f["created"] or now))
        with self._write():
            pid = self._ensure(partner_name).id
            return {
                "notes": self._db.executemany(
                    """INSERT OR IGNORE INTO notes (partner_id, kind, text, date, link, "by",
                    created) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [(pid, *row) for row in note_rows],
                ).rowcount,
                "escalations": self._db.executemany(
                    "INSERT OR IGNORE INTO escalations " + _ESCALATION_COLUMNS,
                    [(pid, *row) for row in escalation_rows],
                ).rowcount,
                "commitments": self._db.executemany(
                    """INSERT OR IGNORE INTO commitments (partner_id, what, owner, due, done_on,
                    source, created) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [(pid, *row) for row in commitment_rows],
                ).rowcount,
            }

    # -- plumbing -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Check the file is ours before changing anything, then set it up and migrate."""
        with self._errors():
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._check_ours()
            if self._pragma("journal_mode") != "wal":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
        if self._pragma("user_version") < len(MIGRATIONS):
            with self._write():
                self._check_ours()  # again: another process may have migrated meanwhile
                for version in range(self._pragma("user_version"), len(MIGRATIONS)):
                    for statement in MIGRATIONS[version]:
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {version + 1}")
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.chmod(f"{self.path}{suffix}", 0o600)

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

    def _ensure(self, name: str) -> Partner:
        """ensure_partner's work, inside the caller's write transaction."""
        clean = _partner_name(name)
        self._db.execute(
            "INSERT OR IGNORE INTO partners (name, key, created) VALUES (?, ?, ?)",
            (clean, clean.casefold(), _now()),
        )
        row = self._read("SELECT id, name FROM partners WHERE key = ?", (clean.casefold(),))[0]
        return Partner(row["id"], row["name"])

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._errors():
            return self._db.execute(sql, params).fetchall()

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Rows as SQLite steps to them, a batch at a time: a long list never sits in
        memory whole. Read them before the store is closed."""
        with self._errors():
            cursor = self._db.execute(sql, params)
        while True:
            with self._errors():
                batch = cursor.fetchmany(500)
            if not batch:
                return
            yield from batch

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
            if "locked" in text or "busy" in text:
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
    changed = [field for field in NOTE_FIELDS if getattr(seen, field) != getattr(now, field)]
    raise EscalateError(
        f"note #{now.id} was changed by someone else since you read it "
        f"({', '.join(changed)} changed); nothing was saved",
        "look at the note again (escalate notes list PARTNER) and redo your edit",
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _partner_name(name: str) -> str:
    """Runs of whitespace become one space; the casefolded result is the partner's key."""
    clean = " ".join(name.split())
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
        raise EscalateError("a note needs some text")
    date, link, by = ((value or "").strip() for value in (date, link, by))
    return (_note_kind(kind), clean, date, link, by)


def _escalation_row(
    date: str,
    kind: str,
    verdict: str,
    reasons: Iterable[str],
    issue: str,
    root_cause: str,
    ask: str,
    outcome: str,
    signals: Iterable[str] = (),
    triggers: Iterable[str] = (),
) -> tuple[str, ...]:
    """(date, kind, verdict, reasons, signals, triggers, issue, root_cause, ask, outcome) as
    stored, the three lists as JSON."""
    if not date.strip():
        raise EscalateError("an escalation needs a date")
    if kind not in ESCALATION_KINDS:
        raise EscalateError(
            f"unknown escalation kind {kind!r}", "choose one of: " + ", ".join(ESCALATION_KINDS)
        )
    return (
        date.strip(),
        kind,
        verdict.strip(),
        *(
            json.dumps([line.strip() for line in lines], ensure_ascii=False)
            for lines in (reasons, signals, triggers)
        ),
        *(text.strip() for text in (issue, root_cause, ask, outcome)),
    )


def _commitment_row(
    what: str, owner: str, due: str, done_on: str, source: str
) -> tuple[str, str, str, str, str]:
    """(what, owner, due, done_on, source) as stored: checked and trimmed."""
    clean = what.strip()
    if not clean:
        raise EscalateError("a commitment needs to say what was promised")
    return (clean, owner.strip(), due.strip(), done_on.strip(), source.strip())


def _items(items: object, name: str) -> list[Any]:
    if not isinstance(items, list):
        raise EscalateError(f"{name}: expected a list, got {type(items).__name__}")
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
        raise EscalateError(f"{where}: expected a mapping, got {type(item).__name__}")
    known = (*required, *optional)
    unknown = sorted(str(key) for key in item if key not in (*known, *also, *_IMPORT_IGNORES))
    if unknown:
        raise EscalateError(
            f"{where}: unknown field(s) {', '.join(unknown)}",
            "known fields: " + ", ".join((*known, *also)),
        )
    fields = {}
    for key in known:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise EscalateError(f"{where}: {key!r} must be text, not {type(value).__name__}")
        if key in required and not (value or "").strip():
            raise EscalateError(f"{where}: {key!r} is missing")
        fields[key] = value or ""
    return fields


def _text_list(item: dict[str, Any], name: str, where: str) -> list[str]:
    lines = item.get(name) or []
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise EscalateError(f"{where}: {name!r} must be a list of text")
    return lines


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
    )


def _escalation(row: sqlite3.Row) -> Escalation:
    return Escalation(
        row["id"],
        row["partner"],
        row["date"],
        row["kind"],
        row["verdict"],
        json.loads(row["reasons"]),
        row["issue"],
        row["root_cause"],
        row["ask"],
        row["outcome"],
        json.loads(row["signals"]),
        json.loads(row["triggers"]),
    )


def _summary(row: sqlite3.Row) -> PartnerSummary:
    last = None if row["id"] is None else _escalation(row)
    return PartnerSummary(row["name"], row["notes"], last, row["open_commitments"])


def _commitment(row: sqlite3.Row) -> Commitment:
    return Commitment(
        row["id"],
        row["partner"],
        row["what"],
        row["owner"],
        row["due"],
        row["done_on"],
        row["source"],
    )
