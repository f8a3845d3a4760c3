"""Scale benchmark for partner memory on both engines: a store of 100,000 notes.

    eval "$(.ci/postgres start /tmp/escalate-pg)"      # or any server you may create DBs on
    .venv/bin/python benchmarks/team_bench.py          # --runs N, --json

It fills a local SQLite store and a fresh team database (created on the server that
ESCALATE_TEST_PG_DSN names, as its superuser, and dropped afterwards) with the same
100,000 notes: one partner, "Big", with 10,000, and 90,000 spread over 300 others. Then it
times whole `escalate` processes, as a person waits for them, the median of --runs runs:

- `handover Big` (Markdown of the 10,000-note partner), target under a second;
- `notes search` for a word in 100 notes across partners, target under a second.

On PostgreSQL the commands run as an ordinary team member, so row-level security is part
of what is measured. Without ESCALATE_TEST_PG_DSN only SQLite is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NOTES = 100_000
BIG = 10_000
OTHERS = 300
KINDS = ("note", "trigger", "escalation", "communication", "decision", "lesson")


def notes_for(partner: int, count: int, start: int) -> list[dict[str, str]]:
    return [
        {
            "kind": KINDS[i % len(KINDS)],
            "text": f"call {i} with partner {partner}: renewal topic{i % 1000} discussed",
            "date": f"2026-{i % 12 + 1:02}-{i % 28 + 1:02}",
        }
        for i in range(start, start + count)
    ]


def fill(store: Any) -> None:
    """The same 100,000 notes in either engine, through the store's own import."""
    store.import_records("Big", notes_for(0, BIG, 0), [], [])
    per = (NOTES - BIG) // OTHERS
    for p in range(1, OTHERS + 1):
        store.import_records(f"Partner {p}", notes_for(p, per, BIG + p * per), [], [])


def timed(argv: list[str], env: dict[str, str], runs: int, expect: str) -> float:
    took = []
    for _ in range(runs + 1):  # the first run warms caches and is not counted
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        took.append(time.perf_counter() - started)
        if done.returncode != 0 or expect not in done.stdout:
            sys.exit(f"team_bench: {' '.join(argv[1:])} failed: {done.stderr.strip()}")
    return statistics.median(took[1:])


def measure(escalate: str, env: dict[str, str], runs: int) -> dict[str, float]:
    return {
        "handover Big (10,000 notes)": timed(
            [escalate, "handover", "Big"], env, runs, "renewal topic999"
        ),
        "notes search topic7 (100 hits)": timed(
            [escalate, "notes", "search", "topic7", "-f", "json"], env, runs, "topic7"
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    escalate = str(Path(sys.executable).with_name("escalate"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    results: dict[str, dict[str, float]] = {}

    from escalate_cli.store import Store

    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        with Store.open(Path(home)) as store:
            fill(store)
        print(f"sqlite: filled in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        results["sqlite"] = measure(escalate, {**base, "ESCALATE_HOME": home}, args.runs)

    dsn = os.environ.get("ESCALATE_TEST_PG_DSN")
    if dsn:
        results["postgresql"] = measure_postgres(dsn, escalate, base, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for engine, figures in results.items():
            for name, seconds in figures.items():
                print(f"{engine:10}  {name:32}  {seconds:.3f} s")
    return 0


def measure_postgres(dsn: str, escalate: str, base: dict[str, str], runs: int) -> dict[str, float]:
    """A fresh database with the schema, a team and a member login; dropped afterwards."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from escalate_cli.store.postgres import PostgresStore

    dbname, member = f"escalate_bench_{os.getpid()}", "escalate_bench_member"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {dbname}")
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (member,)).fetchone():
            admin.execute(f"CREATE ROLE {member} LOGIN")
    params = {**conninfo_to_dict(dsn), "dbname": dbname}
    owner_dsn = make_conninfo("", **params)
    member_dsn = make_conninfo("", **{**params, "user": member})
    try:
        with PostgresStore.open(owner_dsn, migrate=True) as owner:
            owner.add_team("Bench")
            owner.grant("Bench", member)
        started = time.perf_counter()
        with PostgresStore.open(member_dsn) as store:
            fill(store)
        with psycopg.connect(owner_dsn, autocommit=True) as conn:
            conn.execute("ANALYZE")
        print(f"postgresql: filled in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        return measure(escalate, {**base, "ESCALATE_DATABASE_URL": member_dsn}, runs)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
