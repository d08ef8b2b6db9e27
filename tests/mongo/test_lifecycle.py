"""Start-up, indexes, database choice, ping and shutdown of ``MongoPersistence``."""

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from pymongo import AsyncMongoClient

import adapters.persistence.mongo.persistence as persistence_module
from adapters.persistence.mongo.errors import MongoUnavailableError, TransactionsUnsupportedError
from adapters.persistence.mongo.indexes import (
    COLLECTIONS,
    INDEXES,
    USERS,
    IndexMismatchError,
    IndexSpec,
)
from adapters.persistence.mongo.persistence import MongoPersistence
from tests.mongo.conftest import MongoServer, PersistenceFactory, RawDatabase
from tests.support import builders as make
from tests.support.mongo_server import start_mongo_server
from tests.support.server import free_port

pytestmark = pytest.mark.anyio


def with_path(uri: str, database: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def test_the_client_is_created_in_start_not_before(
    make_persistence: PersistenceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[str] = []
    real = AsyncMongoClient

    def recording(*args: Any, **kwargs: Any) -> AsyncMongoClient[Any]:
        created.append("client")
        return real(*args, **kwargs)

    monkeypatch.setattr(persistence_module, "AsyncMongoClient", recording)
    persistence = make_persistence()
    assert created == []
    with pytest.raises(RuntimeError, match="not started"):
        async with persistence.unit_of_work():
            pass
    with pytest.raises(RuntimeError, match="not started"):
        await persistence.ping()
    await persistence.start()
    await persistence.start()  # a second call on a started instance does nothing
    assert created == ["client"]


async def test_every_index_exists_after_start(mongo: MongoPersistence, raw_db: RawDatabase) -> None:
    for spec in INDEXES:
        info = await raw_db[spec.collection].index_information()
        assert spec.name in info, spec
        keys = [(field, int(direction)) for field, direction in info[spec.name]["key"]]
        assert keys == [(field, 1) for field in spec.fields]
        assert bool(info[spec.name].get("unique")) is spec.unique
        # Every query is scoped by a tenant, but for a studio's slug and the uploads sweep.
        if spec.name not in ("studios_slug_unique", "uploads_status_expires"):
            assert spec.fields[0] == "studio_id"


async def test_starting_again_on_an_existing_database_changes_nothing(
    mongo: MongoPersistence, make_persistence: PersistenceFactory, raw_db: RawDatabase
) -> None:
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(make.studio())
        await uow.commit()
    second = make_persistence()
    await second.start()
    assert await second.migrate() == [
        f"{spec.collection}.{spec.name}: present" for spec in _in_collection_order()
    ]
    async with second.unit_of_work(read_only=True) as uow:
        assert await uow.studios.count() == 1


async def test_migrate_creates_what_is_missing(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    await raw_db[USERS].drop_index("users_studio_name")
    report = await mongo.migrate()
    assert "users.users_studio_name: created" in report
    assert sum(line.endswith(": created") for line in report) == 1


async def test_an_index_of_ours_with_other_keys_is_refused_not_dropped(
    make_persistence: PersistenceFactory, raw_db: RawDatabase
) -> None:
    await raw_db[USERS].create_index([("name", 1)], name="users_studio_name")
    with pytest.raises(IndexMismatchError, match="users_studio_name"):
        await make_persistence().start()
    assert "users_studio_name" in await raw_db[USERS].index_information()


async def test_the_database_comes_from_the_uri_path_first(
    server: MongoServer, make_persistence: PersistenceFactory, database_name: str
) -> None:
    named_by_argument = make_persistence()
    await named_by_argument.start()
    assert named_by_argument.database_name == database_name
    in_uri = MongoPersistence(with_path(server.uri, database_name), database="ignored_here")
    await in_uri.start()
    try:
        assert in_uri.database_name == database_name
    finally:
        await in_uri.close()


async def test_the_default_database_is_studio_bridge(mongoeco_uri: str) -> None:
    """mongoeco only: on a real server this would write to its ``studio_bridge`` database."""
    persistence = MongoPersistence(mongoeco_uri)
    await persistence.start()
    try:
        assert persistence.database_name == "studio_bridge"
    finally:
        await persistence.close()
        await _drop(mongoeco_uri, "studio_bridge")


async def test_ping_answers(mongo: MongoPersistence) -> None:
    await mongo.ping()


async def test_start_fails_cleanly_and_quickly_against_a_closed_port() -> None:
    port = free_port()
    persistence = MongoPersistence(
        f"mongodb://admin:s3cret-pass@127.0.0.1:{port}/?directConnection=true",
        server_selection_timeout_ms=300,
        connect_timeout_ms=300,
    )
    started = time.monotonic()
    with pytest.raises(MongoUnavailableError, match="did not answer within 300 ms") as caught:
        await persistence.start()
    assert time.monotonic() - started < 5
    assert "s3cret-pass" not in str(caught.value)
    with pytest.raises(RuntimeError, match="not started"):
        await persistence.ping()


async def test_ping_fails_cleanly_once_the_server_is_gone() -> None:
    uri, stop = start_mongo_server()  # a server of its own, to stop under the adapter
    persistence = MongoPersistence(
        uri, database="gone", server_selection_timeout_ms=300, connect_timeout_ms=300
    )
    try:
        await persistence.start()
        await persistence.ping()
        stop()
        started = time.monotonic()
        with pytest.raises(MongoUnavailableError):
            await persistence.ping()
        assert time.monotonic() - started < 5
    finally:
        stop()
        await persistence.close()


async def test_a_numeric_write_concern_is_accepted(make_persistence: PersistenceFactory) -> None:
    persistence = make_persistence(write_concern=1)
    await persistence.start()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(make.studio())
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.studios.count() == 1


async def test_require_transactions_refuses_a_standalone_server(
    make_persistence: PersistenceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def standalone(*_: object) -> bool:
        return False

    monkeypatch.setattr(persistence_module, "_supports_transactions", standalone)
    persistence = make_persistence(require_transactions=True)
    with pytest.raises(TransactionsUnsupportedError, match="replica set"):
        await persistence.start()
    with pytest.raises(RuntimeError, match="not started"):
        await persistence.ping()


def test_a_started_persistence_refuses_another_event_loop(
    server: MongoServer, database_name: str
) -> None:
    persistence = MongoPersistence(server.uri, database=database_name)
    with asyncio.Runner() as home, asyncio.Runner() as elsewhere:
        home.run(persistence.start())
        try:

            async def use_elsewhere() -> None:
                async with persistence.unit_of_work(read_only=True) as uow:
                    await uow.studios.count()

            with pytest.raises(RuntimeError, match="another event loop"):
                elsewhere.run(use_elsewhere())
        finally:
            home.run(persistence.close())
            home.run(_drop(server.uri, database_name))


def _in_collection_order() -> list[IndexSpec]:
    return [spec for collection in COLLECTIONS for spec in INDEXES if spec.collection == collection]


async def _drop(uri: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    await client.drop_database(database)
    await client.close()
