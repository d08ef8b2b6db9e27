"""Units of work on SQLite: readers beside the writer, one writer at a time, and rollback."""

import asyncio
from pathlib import Path

import pytest

from adapters.persistence.sqlite import SqlitePersistence
from adapters.persistence.sqlite.channels import ReadOnlyUnitOfWorkError
from application.identity.ports import UserQuery
from domain.identity.errors import UserNotFoundError
from domain.identity.model import User
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId
from tests.sqlite.factories import T0, make_user

pytestmark = pytest.mark.anyio

STUDIO = StudioId("s1")


async def add(store: SqlitePersistence, user: User) -> None:
    async with store.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.commit()


async def exists(store: SqlitePersistence, user: User) -> bool:
    async with store.unit_of_work(read_only=True) as uow:
        try:
            await uow.users.get(user.studio_id, user.id)
        except UserNotFoundError:
            return False
        return True


async def test_reads_run_while_a_write_holds_the_writer(file_store: SqlitePersistence) -> None:
    committed, pending = make_user(STUDIO), make_user(STUDIO)
    await add(file_store, committed)
    second_writer_in = asyncio.Event()

    async def second_writer() -> None:
        async with file_store.unit_of_work() as uow:
            second_writer_in.set()
            await uow.commit()

    async with file_store.unit_of_work() as uow:
        await uow.users.add(pending)  # the write transaction is open now
        queued = asyncio.create_task(second_writer())
        async with asyncio.timeout(5):
            async with file_store.unit_of_work(read_only=True) as reader:
                page = await reader.users.list(STUDIO, UserQuery())
        assert page.items == (committed,)  # the committed state, not the open transaction
        await asyncio.sleep(0.05)
        assert not second_writer_in.is_set()  # writers take turns
        await uow.commit()
    await asyncio.wait_for(queued, 5)
    assert await exists(file_store, pending)


async def test_of_two_saves_from_one_revision_exactly_one_wins(store: SqlitePersistence) -> None:
    user = make_user(STUDIO)
    await add(store, user)
    both_read = asyncio.Barrier(2)

    async def rename(name: str) -> User:
        loaded = user  # both start from revision 1, as two clients holding the same ETag
        await both_read.wait()
        async with store.unit_of_work() as uow:
            saved = await uow.users.save(loaded.changed(at=T0, name=name), expected_revision=1)
            await uow.commit()
            return saved

    results = await asyncio.gather(rename("A"), rename("B"), return_exceptions=True)
    winners = [result for result in results if isinstance(result, User)]
    losers = [result for result in results if isinstance(result, StaleRevisionError)]
    assert (len(winners), len(losers)) == (1, 1), results
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(STUDIO, user.id) == winners[0]


async def test_an_exception_rolls_the_unit_of_work_back(store: SqlitePersistence) -> None:
    user = make_user(STUDIO)

    async def add_then_fail() -> None:
        async with store.unit_of_work() as uow:
            await uow.users.add(user)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail()
    assert not await exists(store, user)


async def test_leaving_without_commit_rolls_back(store: SqlitePersistence) -> None:
    kept, dropped = make_user(STUDIO), make_user(STUDIO)
    async with store.unit_of_work() as uow:
        await uow.users.add(kept)
        await uow.commit()
        await uow.users.add(dropped)  # after the commit: a new transaction, never committed
    assert await exists(store, kept)
    assert not await exists(store, dropped)


async def test_a_cancelled_unit_of_work_rolls_back_and_frees_the_writer(
    store: SqlitePersistence,
) -> None:
    user = make_user(STUDIO)
    started = asyncio.Event()

    async def never_finishes() -> None:
        async with store.unit_of_work() as uow:
            await uow.users.add(user)
            started.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(never_finishes())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(5):
        await add(store, make_user(STUDIO))
    assert not await exists(store, user)


async def test_a_read_only_unit_of_work_refuses_writes(store: SqlitePersistence) -> None:
    async with store.unit_of_work(read_only=True) as uow:
        with pytest.raises(ReadOnlyUnitOfWorkError):
            await uow.users.add(make_user(STUDIO))
        await uow.commit()  # nothing to commit, and no error


async def test_ping_answers_and_a_closed_store_refuses_work(db_path: Path) -> None:
    store = SqlitePersistence(db_path, readers=1)
    with pytest.raises(RuntimeError, match="start"):
        store.unit_of_work()
    await store.start()
    await store.ping()
    await store.close()
    with pytest.raises(RuntimeError, match="start"):
        await store.ping()
