"""Bounded reads run at once on the event loop's own connection, and never block the loop.

``ReadChannel.read_now`` reads on the calling thread with no busy wait; when a lock is held it
hands the read to a reader thread, which waits for the lock as every other read does.
"""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from adapters.persistence.sqlite.channels import ReadChannel
from adapters.persistence.sqlite.connections import ReaderPool, WriterThread
from adapters.persistence.sqlite.persistence import SqlitePersistence
from entrypoints.bootstrap import bootstrap
from entrypoints.settings import load_settings

pytestmark = pytest.mark.anyio


def _database(path: Path) -> str:
    connection = sqlite3.connect(path, autocommit=True)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE t (x INTEGER)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.close()
    return str(path)


def _count(connection: sqlite3.Connection) -> tuple[int, str]:
    count: int = connection.execute("SELECT count(*) FROM t").fetchone()[0]
    return count, threading.current_thread().name


async def test_a_bounded_read_runs_on_the_calling_thread(tmp_path: Path) -> None:
    readers = ReaderPool(_database(tmp_path / "db"), size=2, busy_timeout_ms=5_000)
    try:
        count, thread = await ReadChannel(readers).read_now(_count)
        assert count == 1
        assert thread == threading.current_thread().name  # no hop to "sqlite-reader-..."
        _, pooled = await ReadChannel(readers).read(_count)
        assert pooled.startswith("sqlite-reader")
    finally:
        await readers.close()


async def test_a_locked_database_sends_the_read_to_a_reader_thread(tmp_path: Path) -> None:
    path = _database(tmp_path / "db")
    # A connection in exclusive locking mode holding a write: every other reader is BUSY.
    locker = sqlite3.connect(path, autocommit=True, check_same_thread=False)
    locker.execute("PRAGMA locking_mode = EXCLUSIVE")
    locker.execute("BEGIN EXCLUSIVE")
    locker.execute("INSERT INTO t VALUES (2)")
    readers = ReaderPool(path, size=2, busy_timeout_ms=5_000)
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(ticking())
    try:
        read = asyncio.create_task(ReadChannel(readers).read_now(_count))
        await asyncio.sleep(0.3)
        assert not read.done()  # waiting on a reader thread for the lock...
        assert ticks >= 10  # ...while the event loop kept running
        locker.execute("COMMIT")
        locker.close()
        count, thread = await asyncio.wait_for(read, timeout=5)
        assert count == 2  # the locker's committed row is seen: nothing was read before
        assert thread.startswith("sqlite-reader")
    finally:
        ticker.cancel()
        await readers.close()


async def test_reads_after_close_are_refused(tmp_path: Path) -> None:
    readers = ReaderPool(_database(tmp_path / "db"), size=1, busy_timeout_ms=5_000)
    await ReadChannel(readers).read_now(_count)
    await readers.close()
    with pytest.raises(RuntimeError, match="closed"):
        await ReadChannel(readers).read_now(_count)


async def test_every_connection_gets_the_configured_page_cache(tmp_path: Path) -> None:
    # A 2 MiB cache (SQLite's default) sent most point reads of a large catalogue to the OS.
    path = _database(tmp_path / "db")
    writer = WriterThread(path, busy_timeout_ms=5_000, cache_mib=8)
    readers = ReaderPool(path, size=1, busy_timeout_ms=5_000, cache_mib=8)
    await writer.open()
    try:
        kib = {
            "writer": await writer.run(_cache_size),
            "reader thread": await readers.run(_cache_size),
            "event loop": readers.run_now(_cache_size),
        }
    finally:
        await readers.close()
        await writer.close()
    assert kib == {"writer": -8192, "reader thread": -8192, "event loop": -8192}  # KiB


def test_the_service_sizes_the_cache_from_its_setting(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path), "SQLITE_CACHE_MIB": "8"}, env_file=None)
    persistence = bootstrap(settings).persistence()
    assert isinstance(persistence, SqlitePersistence)
    assert persistence.cache_mib == 8
    assert load_settings({}, env_file=None).sqlite_cache_mib == 64


def _cache_size(connection: sqlite3.Connection) -> int:
    size: int = connection.execute("PRAGMA cache_size").fetchone()[0]
    return size
