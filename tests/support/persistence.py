"""Open each persistence adapter the way the suites need it: fresh, isolated, closed after."""

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from application.shared.ports import Persistence

ADAPTERS = ["sqlite-memory", "sqlite-file", "mongo"]
if os.environ.get("TEST_MONGODB_URI"):
    ADAPTERS.append("mongodb")


@asynccontextmanager
async def open_persistence(
    kind: str, tmp_path: Path, mongo_uri: Callable[[], str]
) -> AsyncIterator[Persistence]:
    """A started adapter of ``kind`` with an empty store; closed (and dropped) on exit.

    ``mongo_uri`` is called only for ``mongo``, so the test server starts only when needed.
    """
    if kind.startswith("sqlite"):
        from adapters.persistence.sqlite.persistence import SqlitePersistence

        path = (
            ":memory:"
            if kind == "sqlite-memory"
            else tmp_path / f"var-{uuid.uuid4().hex[:8]}" / "studio.db"
        )
        sqlite = SqlitePersistence(path)
        await sqlite.start()
        try:
            yield sqlite
        finally:
            await sqlite.close()
        return

    from pymongo import AsyncMongoClient

    from adapters.persistence.mongo.persistence import MongoPersistence

    uri = mongo_uri() if kind == "mongo" else os.environ["TEST_MONGODB_URI"]
    database = f"test_{uuid.uuid4().hex[:12]}"
    mongo = MongoPersistence(uri, database=database)
    await mongo.start()
    try:
        yield mongo
    finally:
        await mongo.close()
        cleaner: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        try:
            await cleaner.drop_database(database)
        finally:
            await cleaner.close()
