"""Units of work: all or nothing; reads are not blocked by a writer."""

import asyncio

import pytest

from application.audit.ports import AuditQuery
from application.identity.ports import UserQuery
from application.shared.ports import Persistence
from domain.identity.errors import StudioNotFoundError
from tests.support import builders as make

pytestmark = pytest.mark.anyio


async def test_nothing_is_kept_without_commit(persistence: Persistence) -> None:
    studio = make.studio()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(make.user(studio))
        await uow.audit.record(make.audit_event(studio))
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(StudioNotFoundError):
            await uow.studios.get(studio.id)
        assert await uow.studios.count() == 0


async def test_an_exception_rolls_every_write_back(persistence: Persistence) -> None:
    studio = make.studio()

    async def failing_use_case() -> None:
        async with persistence.unit_of_work() as uow:
            await uow.studios.add(studio)
            await uow.users.add(make.user(studio))
            raise RuntimeError("the use case failed half-way")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.studios.count() == 0


async def test_a_change_and_its_audit_event_commit_together(persistence: Persistence) -> None:
    studio = make.studio()
    user = make.user(studio)
    event = make.audit_event(studio, resource_id=user.id)
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.audit.record(event)
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(studio.id, user.id) == user
        history = await uow.audit.list(
            studio.id, AuditQuery(resource_type="user", resource_id=user.id)
        )
    assert list(history.items) == [event]


async def test_a_unit_of_work_sees_its_own_writes(persistence: Persistence) -> None:
    studio = make.studio()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        assert await uow.studios.get(studio.id) == studio
        await uow.commit()


async def test_reads_proceed_while_a_write_is_open(persistence: Persistence) -> None:
    studio = make.studio()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.commit()

    writer_holding = asyncio.Event()
    release_writer = asyncio.Event()

    async def slow_writer() -> None:
        async with persistence.unit_of_work() as uow:
            await uow.users.add(make.user(studio))
            writer_holding.set()
            await release_writer.wait()
            await uow.commit()

    writer = asyncio.create_task(slow_writer())
    await writer_holding.wait()
    try:
        async with asyncio.timeout(5):
            async with persistence.unit_of_work(read_only=True) as uow:
                assert await uow.studios.get(studio.id) == studio
                # The open write is not visible to readers before it commits.
                assert (await uow.users.list(studio.id, UserQuery())).total == 0
    finally:
        release_writer.set()
        await writer
    async with persistence.unit_of_work(read_only=True) as uow:
        assert (await uow.users.list(studio.id, UserQuery())).total == 1


async def test_ping_answers(persistence: Persistence) -> None:
    await persistence.ping()
