"""Schema migrations and connection settings of the SQLite adapter."""

import sqlite3
from pathlib import Path

import pytest

from adapters.persistence.sqlite import SqlitePersistence
from adapters.persistence.sqlite.connections import open_reader, open_writer
from adapters.persistence.sqlite.migrations import (
    Migration,
    applied_migrations,
    apply_migrations,
    available_migrations,
)

pytestmark = pytest.mark.anyio

TABLES = {
    "studios",
    "users",
    "sessions",
    "audit_events",
    "idempotency_records",
    "login_throttles",
    "uploads",
    "videos",
}


def read(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


async def test_start_creates_the_folder_and_migrates_once(db_path: Path) -> None:
    assert not db_path.parent.exists()
    names = [migration.name for migration in available_migrations()]
    assert names[0] == "0001_initial"
    for _ in range(2):
        store = SqlitePersistence(db_path)
        await store.start()
        assert await store.migrate() == []  # start() applied everything already
        await store.close()
    rows = read(db_path, "SELECT name FROM schema_migrations ORDER BY name")
    assert [name for (name,) in rows] == names
    tables = {name for (name,) in read(db_path, "SELECT name FROM sqlite_schema")}
    assert tables >= TABLES
    assert read(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert read(db_path, "PRAGMA integrity_check") == [("ok",)]


async def test_migrate_works_without_starting_the_store(db_path: Path) -> None:
    store = SqlitePersistence(db_path)
    assert await store.migrate() == [m.name for m in available_migrations()]
    assert await store.migrate() == []
    await store.start()
    assert await store.migrate() == []
    await store.close()


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "db", autocommit=True)
    apply_migrations(connection)
    broken = Migration("9999_broken", "CREATE TABLE half (x INTEGER); SELECT * FROM nowhere;")
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        apply_migrations(connection, [*available_migrations(), broken])
    assert not connection.in_transaction
    assert connection.execute("SELECT name FROM sqlite_schema WHERE name = 'half'").fetchall() == []
    assert applied_migrations(connection) == [m.name for m in available_migrations()]
    connection.close()


def test_connections_are_set_up_for_durability_and_safety(tmp_path: Path) -> None:
    writer = open_writer(str(tmp_path / "db"), busy_timeout_ms=1234)
    reader = open_reader(str(tmp_path / "db"), busy_timeout_ms=1234)
    try:
        assert writer.autocommit is True
        assert reader.autocommit is True
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert writer.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert writer.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert writer.execute("PRAGMA busy_timeout").fetchone() == (1234,)
        assert reader.execute("PRAGMA query_only").fetchone() == (1,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("CREATE TABLE t (x INTEGER)")
    finally:
        writer.close()
        reader.close()
