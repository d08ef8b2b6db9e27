"""Versioned schema migrations: ``migrations/NNNN_name.sql``, applied in order, each once.

``schema_migrations`` records what was applied. Each migration runs in its own transaction
together with its record, so a failed migration leaves neither a half-built schema nor a
record claiming it was applied. ``BEGIN IMMEDIATE`` takes the write lock before checking the
record, so two processes migrating at once (a CLI beside a server) apply each migration once.
"""

import sqlite3
import time
from dataclasses import dataclass
from importlib import resources

_PACKAGE = "adapters.persistence.sqlite"  # the .sql files sit in its migrations/ folder
CREATE_SCHEMA_MIGRATIONS_SQL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " name TEXT NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT"
)


@dataclass(frozen=True, slots=True)
class Migration:
    name: str  # the file name without ".sql": "0001_initial"
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with the adapter, in the order they apply."""
    folder = resources.files(_PACKAGE).joinpath("migrations")
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")),
        key=lambda entry: entry.name,
    )
    return [Migration(entry.name.removesuffix(".sql"), entry.read_text("utf-8")) for entry in files]


def apply_migrations(
    connection: sqlite3.Connection, migrations: list[Migration] | None = None
) -> list[str]:
    """Apply what is not applied yet; return the names applied now (none the second time)."""
    connection.execute(CREATE_SCHEMA_MIGRATIONS_SQL)
    applied: list[str] = []
    for migration in available_migrations() if migrations is None else migrations:
        if _apply(connection, migration):
            applied.append(migration.name)
    return applied


def applied_migrations(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    return [name for (name,) in rows]


def _apply(connection: sqlite3.Connection, migration: Migration) -> bool:
    connection.execute("BEGIN IMMEDIATE")
    try:
        done = connection.execute(
            "SELECT 1 FROM schema_migrations WHERE name = ?", (migration.name,)
        ).fetchone()
        if done is None:
            # In autocommit mode executescript() does not commit first: the script runs
            # inside the transaction opened above (DDL included, SQLite's DDL is transactional).
            connection.executescript(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, time.time_ns() // 1_000_000),
            )
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return done is None
