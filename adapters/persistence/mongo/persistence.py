"""``Persistence`` on MongoDB, through pymongo's asyncio client.

Transactions. With a replica set (even of one member) or a sharded cluster, every write unit
of work is one multi-document transaction: a change and its audit event commit together or not
at all. A standalone ``mongod`` cannot run transactions; there the adapter falls back to
single-document writes: each write is applied when it is made, ``commit()`` does nothing, and
leaving a unit of work without committing undoes nothing. What is lost: atomicity across
documents. A crash or an error half-way can leave an audit event without its change or a
change without its audit event, a deleted user with sessions left, and a unit of work that
raises keeps what it wrote before. Production must run a replica set (``rs.initiate()`` on a
single node is enough); ``require_transactions=True`` makes ``start()`` refuse a standalone.
See docs/persistence-mongodb.md.

The client is made in ``start()``, never at import or in ``__init__``: an ``AsyncMongoClient``
is bound to the event loop it was created on, so it must be created on the loop that serves.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError
from pymongo.write_concern import WriteConcern

from adapters.persistence.mongo.errors import MongoUnavailableError, TransactionsUnsupportedError
from adapters.persistence.mongo.indexes import STUDIOS, ensure_indexes
from adapters.persistence.mongo.shared.codec import Document
from adapters.persistence.mongo.unit_of_work import MongoUnitOfWork

DEFAULT_DATABASE = "studio_bridge"
DEFAULT_APPNAME = "studio-bridge"


class MongoPersistence:
    """Opens units of work on one MongoDB database. ``start()`` before use, ``close()`` after."""

    def __init__(
        self,
        uri: str,
        *,
        database: str | None = None,
        write_concern: str | int = "majority",
        server_selection_timeout_ms: int = 5000,
        connect_timeout_ms: int = 5000,
        socket_timeout_ms: int = 10000,
        appname: str = DEFAULT_APPNAME,
        require_transactions: bool = False,
    ) -> None:
        self._uri = uri  # may hold credentials: never logged, never in an error message
        self._database_name = database
        self._write_concern = write_concern
        self._server_selection_timeout_ms = server_selection_timeout_ms
        self._connect_timeout_ms = connect_timeout_ms
        self._socket_timeout_ms = socket_timeout_ms
        self._appname = appname
        self._require_transactions = require_transactions
        self._client: AsyncMongoClient[Document] | None = None
        self._database: AsyncDatabase[Document] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transactions = False

    def __repr__(self) -> str:
        name = self._database.name if self._database is not None else self._database_name
        return f"MongoPersistence(database={name!r}, started={self._client is not None})"

    @property
    def database_name(self) -> str:
        """The database in use (known once started: the URI's path wins over ``database``)."""
        if self._database is None:
            raise RuntimeError("MongoPersistence is not started: await start() first")
        return self._database.name

    @property
    def supports_transactions(self) -> bool:
        return self._transactions

    async def start(self) -> None:
        """Connect, check the server answers, ensure the indexes, detect transaction support.

        Calling it again on a started instance does nothing.
        """
        if self._client is not None:
            return
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            self._uri,
            uuidRepresentation="standard",
            tz_aware=True,
            tzinfo=UTC,
            serverSelectionTimeoutMS=self._server_selection_timeout_ms,
            connectTimeoutMS=self._connect_timeout_ms,
            socketTimeoutMS=self._socket_timeout_ms,
            retryWrites=True,
            w=self._write_concern,
            appname=self._appname,
        )
        try:
            await self._ping(client)
            database = client.get_default_database(self._database_name or DEFAULT_DATABASE)
            await ensure_indexes(database)
            transactions = await _supports_transactions(client, database)
            if self._require_transactions and not transactions:
                raise TransactionsUnsupportedError(
                    "MongoDB is a standalone server, which cannot run transactions; "
                    "run a replica set (one member is enough)"
                )
        except BaseException:
            await client.close()
            raise
        self._client, self._database = client, database
        self._transactions = transactions
        self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        client, self._client, self._database = self._client, None, None
        if client is not None:
            await client.close()

    async def ping(self) -> None:
        """Return when MongoDB answers; ``MongoUnavailableError`` within the timeouts if not."""
        await self._ping(self._require_client())

    async def migrate(self) -> list[str]:
        """Ensure the indexes exist; one line per index saying what was done.

        Works started or not: a CLI can create the indexes without starting the store (it
        then connects just for this, and disconnects).
        """
        if self._client is not None:
            return await ensure_indexes(self._require_database())
        await self.start()  # start() ensures the indexes too: report what that did
        try:
            return await ensure_indexes(self._require_database())
        finally:
            await self.close()

    @asynccontextmanager
    async def unit_of_work(self, *, read_only: bool = False) -> AsyncIterator[MongoUnitOfWork]:
        database = self._require_database()
        if read_only or not self._transactions:
            yield MongoUnitOfWork(database, read_only=read_only)
            return
        client = self._require_client()
        async with client.start_session() as session:
            uow = MongoUnitOfWork(
                database, session, write_concern=WriteConcern(w=self._write_concern)
            )
            await uow.begin()
            try:
                yield uow
            finally:
                # An abort that fails (the server is gone) must not hide why we are leaving;
                # the server drops an abandoned transaction on its own after a minute.
                with suppress(PyMongoError):
                    await uow.rollback()

    async def _ping(self, client: AsyncMongoClient[Document]) -> None:
        try:
            await client.admin.command("ping")
        except ConnectionFailure as exc:
            # pymongo's message names the hosts and the cause, not the credentials.
            cause = str(exc).split(", Timeout:")[0][:300]
            raise MongoUnavailableError(
                f"MongoDB did not answer within {self._server_selection_timeout_ms} ms: {cause}"
            ) from exc

    def _require_client(self) -> AsyncMongoClient[Document]:
        if self._client is None:
            raise RuntimeError("MongoPersistence is not started: await start() first")
        if self._loop is not asyncio.get_running_loop():
            # pymongo would fail later and obscurely: the client belongs to start()'s loop.
            raise RuntimeError("MongoPersistence was started on another event loop")
        return self._client

    def _require_database(self) -> AsyncDatabase[Document]:
        self._require_client()
        assert self._database is not None
        return self._database


async def _supports_transactions(
    client: AsyncMongoClient[Document], database: AsyncDatabase[Document]
) -> bool:
    """A replica set member (``setName``) or a mongos (``isdbgrid``) runs transactions.

    Otherwise ask the server once: a standalone ``mongod`` refuses a transaction
    (IllegalOperation), while a MongoDB-compatible server that answers ``hello`` like a
    standalone may accept them (mongoeco, the test server, does).
    """
    hello: dict[str, Any] = await client.admin.command("hello")
    if hello.get("setName") or hello.get("msg") == "isdbgrid":
        return True
    try:
        async with client.start_session() as session:
            await session.start_transaction()
            await database[STUDIOS].find_one({}, session=session)
            await session.abort_transaction()
    except OperationFailure:
        return False
    return True
