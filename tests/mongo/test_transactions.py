"""Units of work: one transaction per write when the server has them, and the fallback."""

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

import adapters.persistence.mongo.persistence as persistence_module
from adapters.persistence.mongo.errors import ReadOnlyUnitOfWorkError, TransactionAbortedError
from adapters.persistence.mongo.persistence import MongoPersistence
from domain.identity.errors import UserEmailTakenError
from domain.shared.errors import StaleRevisionError
from tests.mongo.conftest import MongoServer, PersistenceFactory, RawDatabase
from tests.support import builders as make

pytestmark = pytest.mark.anyio


@pytest.mark.mongoeco_gap(
    reason="mongoeco answers hello like a standalone (no setName) yet runs transactions; "
    "the adapter then finds them by trying one"
)
async def test_transaction_support_is_detected(
    server: MongoServer, mongo: MongoPersistence
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri)
    try:
        hello = await client.admin.command("hello")
    finally:
        await client.close()
    if server.is_mongoeco:
        assert "setName" not in hello
        assert hello.get("msg") != "isdbgrid"
        assert mongo.supports_transactions
    else:
        # A real mongod: replica set member or mongos runs them; a standalone refuses them.
        expected = bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"
        assert mongo.supports_transactions is expected


async def test_a_write_unit_of_work_that_raises_leaves_nothing(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    if not mongo.supports_transactions:
        pytest.fail("this server cannot run transactions; run MongoDB as a replica set")
    studio = make.studio()

    async def failing_use_case() -> None:
        async with mongo.unit_of_work() as uow:
            assert uow.transactional
            await uow.studios.add(studio)
            await uow.users.add(make.user(studio))
            await uow.audit.record(make.audit_event(studio))
            # Inside, the transaction sees its own writes; outside, nothing yet.
            assert await uow.studios.count() == 1
            assert await raw_db.studios.count_documents({}) == 0
            raise RuntimeError("the use case failed half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        await failing_use_case()
    for collection in ("studios", "users", "audit_events"):
        assert await raw_db[collection].count_documents({}) == 0


async def test_read_only_units_of_work_open_no_transaction(mongo: MongoPersistence) -> None:
    async with mongo.unit_of_work(read_only=True) as uow:
        assert not uow.transactional
        await uow.commit()  # harmless


async def test_writes_after_a_commit_need_their_own_commit(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    first, second = make.studio(), make.studio()
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(first)
        await uow.commit()
        await uow.studios.add(second)
    assert [doc["slug"] async for doc in raw_db.studios.find()] == [first.slug]


async def test_after_a_refused_write_the_unit_of_work_cannot_go_on(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    """MongoDB aborts a transaction whose write fails; the adapter says so on both servers."""
    studio = make.studio()
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(make.user(studio, "ada@example.com"))
        await uow.commit()
    async with mongo.unit_of_work() as uow:
        await uow.users.add(make.user(studio, "bob@example.com"))
        with pytest.raises(UserEmailTakenError):
            await uow.users.add(make.user(studio, "ada@example.com"))
        with pytest.raises(TransactionAbortedError, match="user_email_taken"):
            await uow.users.find_by_email(studio.id, "bob@example.com")
        with pytest.raises(TransactionAbortedError):
            await uow.commit()
    assert await raw_db.users.count_documents({}) == 1


@pytest.mark.mongoeco_gap(
    reason="mongoeco keeps a transaction open after a duplicate key; MongoDB aborts it "
    "(hence the adapter's own guard, tested above on both)"
)
async def test_what_the_server_does_after_a_duplicate_key_in_a_transaction(
    server: MongoServer, raw_db: RawDatabase
) -> None:
    client = raw_db.client
    collection = raw_db.things
    await collection.insert_one({"_id": 1})
    async with client.start_session() as session:
        await session.start_transaction()
        with pytest.raises(OperationFailure):
            await collection.insert_one({"_id": 1}, session=session)
        if server.is_mongoeco:
            await collection.insert_one({"_id": 2}, session=session)
            await session.abort_transaction()
        else:
            with pytest.raises(OperationFailure):
                await collection.insert_one({"_id": 2}, session=session)


@pytest.mark.mongoeco_gap(
    reason="MongoDB refuses the second of two conflicting transactional writes at once "
    "(WriteConflict, code 112); mongoeco accepts it and refuses the commit, without a code"
)
async def test_two_transactions_writing_one_document_one_loses_stale(
    server: MongoServer, mongo: MongoPersistence
) -> None:
    studio = make.studio()
    user = make.user(studio)
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.commit()

    both_saved = asyncio.Barrier(2)
    failed_at: list[str] = []

    async def rename(name: str) -> None:
        step = "save"
        try:
            async with mongo.unit_of_work() as uow:
                await uow.users.save(user.changed(name=name, at=make.at(1)), expected_revision=1)
                step = "commit"
                await both_saved.wait()
                await uow.commit()
        except StaleRevisionError:
            failed_at.append(step)
            if step == "save":
                await both_saved.wait()

    async with asyncio.timeout(10):
        await asyncio.gather(rename("One"), rename("Two"))
    assert failed_at == (["commit"] if server.is_mongoeco else ["save"])
    async with mongo.unit_of_work(read_only=True) as uow:
        stored = await uow.users.get(studio.id, user.id)
    assert stored.revision == 2
    assert stored.name in {"One", "Two"}


async def test_without_transactions_writes_apply_one_by_one(
    make_persistence: PersistenceFactory, raw_db: RawDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented fallback for a standalone server: no rollback, commit is a no-op."""

    async def standalone(*_: object) -> bool:
        return False

    monkeypatch.setattr(persistence_module, "_supports_transactions", standalone)
    persistence = make_persistence()
    await persistence.start()
    assert not persistence.supports_transactions
    studio = make.studio()

    async def failing_use_case() -> None:
        async with persistence.unit_of_work() as uow:
            assert not uow.transactional
            await uow.studios.add(studio)
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    assert await raw_db.studios.count_documents({}) == 1  # kept: nothing to roll back
    async with persistence.unit_of_work() as uow:
        await uow.users.add(make.user(studio, "ada@example.com"))
        with pytest.raises(UserEmailTakenError):
            await uow.users.add(make.user(studio, "ada@example.com"))
        # No transaction to abort: the unit of work goes on.
        await uow.users.add(make.user(studio, "bob@example.com"))
        await uow.commit()
    assert await raw_db.users.count_documents({}) == 2


async def test_a_read_only_unit_of_work_refuses_writes(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    async with mongo.unit_of_work(read_only=True) as uow:
        with pytest.raises(ReadOnlyUnitOfWorkError):
            await uow.studios.add(make.studio())
    assert await raw_db.studios.count_documents({}) == 0
