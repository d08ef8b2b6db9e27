"""SQLite connections and the threads they live on: one writer thread, a pool of reader threads.

sqlite3 calls block, so reads of unknown cost and every write run on those threads. A read
bounded to a few index seeks (a row by its key, a page of an index read in order) costs
microseconds, much less than the hop to a thread and back: ``ReaderPool.run_now`` runs it at once
on the calling thread's own reading connection, which never waits for a lock (it reports
``database is locked`` instead, and the caller retries on a reader thread). Every connection is
opened in autocommit mode (``autocommit=True``): the driver never starts or ends a transaction
on its own; this adapter issues ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` itself.
"""

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Protocol

MEMORY = ":memory:"
# Each connection's page cache, at most (pages are allocated as they are read). SQLite's own
# default is 2 MiB: on a large catalogue most point reads then went to the OS for their pages.
DEFAULT_CACHE_MIB = 64

type Work[T] = Callable[[sqlite3.Connection], T]


class Runner(Protocol):
    """Runs blocking work on a connection, on a thread that owns it."""

    async def run[T](self, work: Work[T]) -> T: ...

    def run_now[T](self, work: Work[T]) -> T:
        """Run ``work`` (a few index seeks at most) on the calling thread, without waiting on
        a lock: raises ``sqlite3.OperationalError`` where a reader thread would wait."""
        ...


def is_busy(error: sqlite3.OperationalError) -> bool:
    """The error says another connection holds a lock (``SQLITE_BUSY`` or ``SQLITE_LOCKED``)."""
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def open_writer(
    path: str, *, busy_timeout_ms: int, durable: bool = True, cache_mib: int = DEFAULT_CACHE_MIB
) -> sqlite3.Connection:
    """The connection that writes. Call it on the thread that will use it.

    ``durable=False`` is for throwaway databases (the ``:memory:`` mode): no fsync at all.
    """
    connection = sqlite3.connect(path, autocommit=True, timeout=busy_timeout_ms / 1000)
    _set_cache(connection, cache_mib)
    if path != MEMORY:
        # WAL: readers keep reading the last committed state while the writer writes.
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            connection.close()
            raise sqlite3.OperationalError(f"{path}: cannot use WAL journal mode (got {mode!r})")
    # FULL: the WAL is synced at every commit, so an acknowledged write survives power loss.
    connection.execute(f"PRAGMA synchronous = {'FULL' if durable else 'OFF'}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def open_reader(
    path: str, *, busy_timeout_ms: int, cache_mib: int = DEFAULT_CACHE_MIB
) -> sqlite3.Connection:
    """A connection that may only read (``query_only``), whatever a bug asks of it.

    ``check_same_thread=False`` only so that ``ReaderPool.close`` can close it from another
    thread once its own thread has stopped; it is otherwise used by one thread only.
    """
    connection = sqlite3.connect(
        path, autocommit=True, timeout=busy_timeout_ms / 1000, check_same_thread=False
    )
    _set_cache(connection, cache_mib)
    connection.execute("PRAGMA query_only = ON")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _set_cache(connection: sqlite3.Connection, cache_mib: int) -> None:
    if cache_mib < 1:
        raise ValueError("a SQLite page cache needs at least 1 MiB")
    connection.execute(f"PRAGMA cache_size = -{cache_mib * 1024}")  # negative: KiB, not pages


class WriterThread:
    """The single writing connection, on its own thread.

    SQLite admits one writer at a time; serializing writes here (``lock`` is held by a write
    unit of work for its whole life) means they never wait on SQLite's busy handler.
    """

    def __init__(
        self,
        path: str,
        *,
        busy_timeout_ms: int,
        durable: bool = True,
        cache_mib: int = DEFAULT_CACHE_MIB,
    ) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._durable = durable
        self._cache_mib = cache_mib
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._connection: sqlite3.Connection | None = None
        self.lock = asyncio.Lock()

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        opener = partial(
            open_writer,
            self._path,
            busy_timeout_ms=self._busy_timeout_ms,
            durable=self._durable,
            cache_mib=self._cache_mib,
        )
        self._connection = await loop.run_in_executor(self._executor, opener)

    async def run[T](self, work: Work[T]) -> T:
        connection = self._connection
        if connection is None:
            raise RuntimeError("the SQLite writer is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, connection)

    async def close(self) -> None:
        if self._connection is not None:
            await self.run(_close_writer)
            self._connection = None
        self._executor.shutdown(wait=False)  # nothing is queued any more


def _close_writer(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    # Keeps the planner's statistics fresh, as SQLite advises at close; the analysis limit
    # bounds the work on a large table (approximate statistics, milliseconds not seconds).
    connection.execute("PRAGMA analysis_limit = 400")
    connection.execute("PRAGMA optimize")
    connection.close()


class ReaderPool:
    """Reading connections, one per pool thread (thread-local), opened on first use."""

    def __init__(
        self, path: str, *, size: int, busy_timeout_ms: int, cache_mib: int = DEFAULT_CACHE_MIB
    ) -> None:
        if size < 1:
            raise ValueError("a reader pool needs at least one reader")
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._cache_mib = cache_mib
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        self._closed = False

    async def run[T](self, work: Work[T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, self._on_thread, work
        )

    def run_now[T](self, work: Work[T]) -> T:
        if self._closed:
            raise RuntimeError("the SQLite readers are closed")
        connection: sqlite3.Connection | None = getattr(self._local, "now", None)
        if connection is None:
            # Its own connection per calling thread (in the service: the event loop's), which
            # never waits on SQLite's busy handler: the loop must not block on a lock.
            connection = self._local.now = self._open(busy_timeout_ms=0)
        return _reading(connection, work)

    def _on_thread[T](self, work: Work[T]) -> T:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._open(busy_timeout_ms=self._busy_timeout_ms)
        return _reading(connection, work)

    def _open(self, *, busy_timeout_ms: int) -> sqlite3.Connection:
        connection = open_reader(
            self._path, busy_timeout_ms=busy_timeout_ms, cache_mib=self._cache_mib
        )
        with self._opened_lock:
            self._opened.append(connection)
        return connection

    async def close(self) -> None:
        self._closed = True  # no new read at once from here on; queued ones still run
        await asyncio.to_thread(self._shutdown)

    def _shutdown(self) -> None:
        self._executor.shutdown(wait=True)
        with self._opened_lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()


def _reading[T](connection: sqlite3.Connection, work: Work[T]) -> T:
    try:
        return work(connection)
    finally:
        if connection.in_transaction:
            # Never hand the next read a snapshot left open by this one: it would be stale.
            connection.execute("ROLLBACK")
