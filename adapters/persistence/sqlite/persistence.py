"""``SqlitePersistence``: the ``Persistence`` port on one SQLite file.

One writer connection on its own thread (write units of work take turns on it, each holding a
lock for its whole life) and a pool of reader connections on theirs; in WAL mode readers see
the last committed state and never wait for the writer.

``":memory:"`` (fast tests) cannot be SQLite's own in-memory database: that exists inside one
connection only, so a reader would share the writer's connection and see its uncommitted
writes. It is instead a private database file in a fresh temporary folder (on the RAM-backed
``/dev/shm`` where there is one), with syncing off, deleted on ``close()``: the same WAL,
connections and isolation as a file, nothing kept.
"""

import asyncio
import os
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cached_property
from pathlib import Path

from adapters.persistence.sqlite.assets import SqliteAssetRepository
from adapters.persistence.sqlite.audit import SqliteAuditLog
from adapters.persistence.sqlite.channels import ReadChannel, WriteChannel
from adapters.persistence.sqlite.connections import (
    DEFAULT_CACHE_MIB,
    MEMORY,
    ReaderPool,
    Runner,
    WriterThread,
    open_writer,
)
from adapters.persistence.sqlite.content import SqliteEpisodeRepository, SqliteSeriesRepository
from adapters.persistence.sqlite.idempotency import SqliteIdempotencyStore
from adapters.persistence.sqlite.migrations import apply_migrations
from adapters.persistence.sqlite.playback import (
    SqliteProgressRepository,
    SqliteSubscriptionRepository,
)
from adapters.persistence.sqlite.sessions import SqliteSessionRepository
from adapters.persistence.sqlite.studios import SqliteStudioRepository
from adapters.persistence.sqlite.throttles import SqliteLoginThrottleRepository
from adapters.persistence.sqlite.uploads import SqliteUploadRepository
from adapters.persistence.sqlite.users import SqliteUserRepository
from adapters.persistence.sqlite.videos import SqliteVideoRepository
from application.assets.ports import AssetRepository
from application.audit.ports import AuditLog
from application.content.ports import EpisodeRepository, SeriesRepository
from application.identity.ports import (
    LoginThrottleRepository,
    SessionRepository,
    StudioRepository,
    UserRepository,
)
from application.media.ports import UploadRepository, VideoRepository
from application.playback.ports import ProgressRepository
from application.shared.idempotency import IdempotencyStore
from application.shared.ports import UnitOfWork
from application.subscriptions.ports import SubscriptionRepository


class SqliteUnitOfWork:
    """The repositories over one channel: a write transaction, or reads of committed state.

    Each repository is made on first use: a request touches one or two of the thirteen.
    """

    def __init__(self, channel: ReadChannel | WriteChannel) -> None:
        self._channel = channel

    @cached_property
    def studios(self) -> StudioRepository:
        return SqliteStudioRepository(self._channel)

    @cached_property
    def users(self) -> UserRepository:
        return SqliteUserRepository(self._channel)

    @cached_property
    def sessions(self) -> SessionRepository:
        return SqliteSessionRepository(self._channel)

    @cached_property
    def audit(self) -> AuditLog:
        return SqliteAuditLog(self._channel)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return SqliteIdempotencyStore(self._channel)

    @cached_property
    def throttles(self) -> LoginThrottleRepository:
        return SqliteLoginThrottleRepository(self._channel)

    @cached_property
    def uploads(self) -> UploadRepository:
        return SqliteUploadRepository(self._channel)

    @cached_property
    def videos(self) -> VideoRepository:
        return SqliteVideoRepository(self._channel)

    @cached_property
    def assets(self) -> AssetRepository:
        return SqliteAssetRepository(self._channel)

    @cached_property
    def series(self) -> SeriesRepository:
        return SqliteSeriesRepository(self._channel)

    @cached_property
    def episodes(self) -> EpisodeRepository:
        return SqliteEpisodeRepository(self._channel)

    @cached_property
    def subscriptions(self) -> SubscriptionRepository:
        return SqliteSubscriptionRepository(self._channel)

    @cached_property
    def progress(self) -> ProgressRepository:
        return SqliteProgressRepository(self._channel)

    async def commit(self) -> None:
        await self._channel.commit()


class SqlitePersistence:
    """The embedded store. ``await start()`` before use, ``await close()`` after.

    ``cache_mib`` bounds each connection's page cache (the writer, every reader thread and the
    event loop's reader: up to ``readers + 2`` caches).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        readers: int = 4,
        busy_timeout_ms: int = 5000,
        cache_mib: int = DEFAULT_CACHE_MIB,
    ) -> None:
        self._path = str(path)
        self._readers_size = readers
        self._busy_timeout_ms = busy_timeout_ms
        self._cache_mib = cache_mib
        self._writer: WriterThread | None = None
        self._readers: ReaderPool | None = None
        self._scratch_folder: str | None = None  # the ":memory:" database's private folder

    @property
    def path(self) -> str:
        return self._path

    @property
    def cache_mib(self) -> int:
        return self._cache_mib

    @property
    def in_memory(self) -> bool:
        return self._path == MEMORY

    async def start(self) -> None:
        """Create the parent folder, open the connections, apply pending migrations."""
        if self._writer is not None:
            raise RuntimeError("SqlitePersistence is already started")
        if self.in_memory:
            self._scratch_folder = await asyncio.to_thread(_make_scratch_folder)
            database = os.path.join(self._scratch_folder, "studio-bridge.db")
        else:
            database = self._path
            await asyncio.to_thread(_make_parent, database)
        writer = WriterThread(
            database,
            busy_timeout_ms=self._busy_timeout_ms,
            durable=not self.in_memory,
            cache_mib=self._cache_mib,
        )
        try:
            await writer.open()
            await writer.run(apply_migrations)
        except BaseException:
            await writer.close()
            await self._remove_scratch_folder()
            raise
        self._writer = writer
        self._readers = ReaderPool(
            database,
            size=self._readers_size,
            busy_timeout_ms=self._busy_timeout_ms,
            cache_mib=self._cache_mib,
        )

    async def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied now (none when up to date).

        Works started or not: a CLI can migrate a file without starting the store.
        """
        if self._writer is None:
            return await asyncio.to_thread(_migrate_file, self._path, self._busy_timeout_ms)
        async with self._writer.lock:
            return await self._writer.run(apply_migrations)

    async def close(self) -> None:
        """Close every connection; an open write unit of work is waited for, not cut short.

        Safe on a store that was never started, and a second time.
        """
        writer, readers = self._writer, self._readers
        self._writer = self._readers = None
        if readers is not None:
            await readers.close()
        if writer is not None:
            async with writer.lock:
                await writer.close()
        await self._remove_scratch_folder()

    async def _remove_scratch_folder(self) -> None:
        folder, self._scratch_folder = self._scratch_folder, None
        if folder is not None:
            await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)

    async def ping(self) -> None:
        """The store answers a query, and its file is still where it was opened.

        An open connection keeps answering after its file was deleted or moved, but every
        write from then on is lost at the next restart: that is not ready.
        """
        await self._started_readers().run(_select_one)
        if not self.in_memory and not await asyncio.to_thread(os.path.isfile, self._path):
            raise FileNotFoundError(f"the database file {self._path} is gone")

    def unit_of_work(self, *, read_only: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        if read_only:
            return _ReadUnitOfWork(self._started_readers())
        if self._writer is None:
            raise _not_started()
        return _write_unit_of_work(self._writer)

    def _started_readers(self) -> Runner:
        if self._readers is None:
            raise _not_started()
        return self._readers


class _ReadUnitOfWork:
    """``unit_of_work(read_only=True)``: nothing to hold or release, so no generator either."""

    __slots__ = ("_readers",)

    def __init__(self, readers: Runner) -> None:
        self._readers = readers

    async def __aenter__(self) -> UnitOfWork:
        return SqliteUnitOfWork(ReadChannel(self._readers))

    async def __aexit__(self, *exc_info: object) -> None:
        return None


@asynccontextmanager
async def _write_unit_of_work(writer: WriterThread) -> AsyncIterator[UnitOfWork]:
    async with writer.lock:
        channel = WriteChannel(writer)
        try:
            yield SqliteUnitOfWork(channel)
        finally:
            await channel.release()


def _make_scratch_folder() -> str:
    shm = "/dev/shm"  # noqa: S108 - a private mkdtemp folder inside it, not a fixed file name
    ram = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="studio-bridge-sqlite-", dir=ram)


def _make_parent(path: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)


def _migrate_file(path: str, busy_timeout_ms: int) -> list[str]:
    if path != MEMORY:
        _make_parent(path)
    connection = open_writer(path, busy_timeout_ms=busy_timeout_ms)
    try:
        return apply_migrations(connection)
    finally:
        connection.close()


def _select_one(connection: sqlite3.Connection) -> None:
    connection.execute("SELECT 1").fetchone()


def _not_started() -> RuntimeError:
    return RuntimeError("SqlitePersistence.start() has not been awaited (or it was closed)")
