"""How a unit of work reaches its connection: writes through the writer, reads through a reader.

A repository hands a channel a blocking function of a connection; the channel runs it on the
right thread, inside the right transaction. One repository call is one thread hop at most:
bounded reads (`read_now`) run at once on the event loop unless a lock is held.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Protocol

from adapters.persistence.sqlite.connections import Runner, Work, WriterThread, is_busy


class ReadOnlyUnitOfWorkError(RuntimeError):
    """A write was attempted through ``unit_of_work(read_only=True)``: a bug in the caller."""


class Channel(Protocol):
    async def read[T](self, work: Work[T]) -> T: ...

    async def read_now[T](self, work: Work[T]) -> T:
        """``read`` for work bounded to a few index seeks (a row by its key, an index range
        read in order up to a small limit): no thread hop when nothing holds a lock."""
        ...

    async def write[T](self, work: Work[T]) -> T: ...


@contextmanager
def read_snapshot(connection: sqlite3.Connection) -> Iterator[None]:
    """Several statements reading one committed state (a count and its page agree).

    Inside a write transaction the writer's own state is already one consistent view.
    """
    if connection.in_transaction:
        yield
        return
    connection.execute("BEGIN")
    try:
        yield
    finally:
        connection.execute("COMMIT")  # nothing was written: this only ends the snapshot


class ReadChannel:
    """Each call reads the latest committed state, on whichever reader is free."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    async def read[T](self, work: Work[T]) -> T:
        return await self._runner.run(work)

    async def read_now[T](self, work: Work[T]) -> T:
        try:
            return self._runner.run_now(work)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        return await self._runner.run(work)  # a reader thread waits for the lock instead

    async def write[T](self, work: Work[T]) -> T:
        raise ReadOnlyUnitOfWorkError("this unit of work was opened with read_only=True")

    async def commit(self) -> None:
        """Nothing to commit: this channel only reads."""


class WriteChannel:
    """Every call, reads included, runs on the writer inside this unit of work's transaction.

    The transaction starts (``BEGIN IMMEDIATE``) in the same thread hop as the first call, so a
    unit of work that touches nothing costs no hop at all; the writer lock, held since the
    unit of work opened, already keeps every other writer of this process out.
    """

    def __init__(self, writer: WriterThread) -> None:
        self._writer = writer
        # Work was queued since the last commit: leaving without a commit must roll it back.
        self._pending = False

    async def read[T](self, work: Work[T]) -> T:
        return await self.write(work)

    async def read_now[T](self, work: Work[T]) -> T:
        return await self.write(work)  # inside this unit of work's transaction, on the writer

    async def write[T](self, work: Work[T]) -> T:
        self._pending = True
        return await self._writer.run(partial(_in_transaction, work))

    async def commit(self) -> None:
        if self._pending:
            await self._writer.run(_commit)
            self._pending = False

    async def release(self) -> None:
        """End the unit of work: roll back whatever was not committed.

        The rollback is queued on the writer's only thread before the writer lock is released,
        so it runs before the next unit of work's first statement even if this await is
        cancelled.
        """
        if self._pending:
            self._pending = False
            await self._writer.run(_rollback)


def _in_transaction[T](work: Work[T], connection: sqlite3.Connection) -> T:
    if not connection.in_transaction:
        # IMMEDIATE takes the write lock now, so a read-then-write cannot be beaten to its
        # write by another process (a CLI next to the server): it fails here or not at all.
        connection.execute("BEGIN IMMEDIATE")
    return work(connection)


def _commit(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        connection.execute("COMMIT")


def _rollback(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        connection.execute("ROLLBACK")
