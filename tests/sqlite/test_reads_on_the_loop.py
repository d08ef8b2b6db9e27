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
from adapters.persistence.sqlite.connections import ReaderPool

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
