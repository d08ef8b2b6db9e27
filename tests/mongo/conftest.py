"""Fixtures for the Mongo adapter's own tests, over the wire with the real pymongo driver.

``server`` is mongoeco's wire server (always) and a real MongoDB when ``TEST_MONGODB_URI`` is
set. Where mongoeco behaves unlike MongoDB, a test carries ``@pytest.mark.mongoeco_gap(reason=)``
and asserts each server's behaviour explicitly: nothing is skipped silently.
"""

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from adapters.persistence.mongo.persistence import MongoPersistence
from tests.support.mongo_server import start_mongo_server

SERVERS = ["mongoeco", *(["mongodb"] if os.environ.get("TEST_MONGODB_URI") else [])]

RawDatabase = AsyncDatabase[dict[str, Any]]
PersistenceFactory = Callable[..., MongoPersistence]


@dataclass(frozen=True)
class MongoServer:
    kind: str  # "mongoeco" or "mongodb"
    uri: str

    @property
    def is_mongoeco(self) -> bool:
        return self.kind == "mongoeco"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def mongoeco_uri(request: pytest.FixtureRequest) -> Iterator[str]:
    """The suite-wide mongoeco server when the root conftest provides one, else our own."""
    try:
        yield request.getfixturevalue("mongo_uri")
        return
    except pytest.FixtureLookupError:
        pass
    uri, stop = start_mongo_server()
    try:
        yield uri
    finally:
        stop()


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest) -> MongoServer:
    if request.param == "mongoeco":
        return MongoServer("mongoeco", request.getfixturevalue("mongoeco_uri"))
    return MongoServer("mongodb", os.environ["TEST_MONGODB_URI"])


@pytest.fixture
def database_name() -> str:
    """A fresh database per test: mongoeco slows down as collections grow (DESIGN section 7)."""
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def raw_db(server: MongoServer, database_name: str) -> AsyncIterator[RawDatabase]:
    """The test's database via a plain client (UUIDs decode as raw ``Binary``); dropped after."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri, tz_aware=True)
    try:
        yield client[database_name]
    finally:
        await client.drop_database(database_name)
        await client.close()


@pytest.fixture
async def make_persistence(
    server: MongoServer, database_name: str, raw_db: RawDatabase
) -> AsyncIterator[PersistenceFactory]:
    """Unstarted ``MongoPersistence`` instances on the test's database; closed after."""
    made: list[MongoPersistence] = []

    def make(**options: Any) -> MongoPersistence:
        options.setdefault("database", database_name)
        persistence = MongoPersistence(server.uri, **options)
        made.append(persistence)
        return persistence

    yield make
    for persistence in made:
        await persistence.close()


@pytest.fixture
async def mongo(make_persistence: PersistenceFactory) -> MongoPersistence:
    persistence = make_persistence()
    await persistence.start()
    return persistence


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("mongoeco_gap")
        if marker is not None and not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: mongoeco_gap needs reason=")
