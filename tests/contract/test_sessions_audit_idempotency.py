"""Refresh sessions, the audit log and idempotency records."""

import asyncio

import pytest

from application.audit.ports import AuditQuery
from application.shared.idempotency import IdempotencyKeyInUseError
from application.shared.ports import Persistence
from domain.audit.model import AuditEvent
from domain.identity.errors import SessionNotFoundError
from domain.identity.model import Studio, User
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import SessionId
from domain.shared.paging import KeysetWindow
from tests.support import builders as make

pytestmark = pytest.mark.anyio


async def studio_with_user(persistence: Persistence) -> tuple[Studio, User]:
    studio = make.studio()
    user = make.user(studio)
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.commit()
    return studio, user


async def test_a_session_round_trips_and_rotates(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    session = make.session(user)
    async with persistence.unit_of_work() as uow:
        await uow.sessions.add(session)
        await uow.commit()
    rotated = session.rotated("new-token-hash", at=make.at(60))
    async with persistence.unit_of_work() as uow:
        saved = await uow.sessions.save(rotated, expected_revision=1)
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        stored = await uow.sessions.get(studio.id, session.id)
    assert stored == saved
    assert stored.token_hash == "new-token-hash"
    assert stored.spent_hashes == (session.token_hash,)
    assert stored.revision == 2


async def test_two_concurrent_rotations_exactly_one_wins(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    session = make.session(user)
    async with persistence.unit_of_work() as uow:
        await uow.sessions.add(session)
        await uow.commit()

    async def rotate(token_hash: str) -> str:
        try:
            async with persistence.unit_of_work() as uow:
                await uow.sessions.save(
                    session.rotated(token_hash, at=make.at(1)), expected_revision=1
                )
                await uow.commit()
        except StaleRevisionError:
            return "lost"
        return "won"

    outcomes = await asyncio.gather(rotate("hash-a"), rotate("hash-b"))
    assert sorted(outcomes) == ["lost", "won"]
    async with persistence.unit_of_work(read_only=True) as uow:
        stored = await uow.sessions.get(studio.id, session.id)
    assert stored.token_hash == ("hash-a" if outcomes[0] == "won" else "hash-b")


async def test_revoke_all_sessions_of_a_user(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    other = make.user(studio)
    mine = [make.session(user) for _ in range(3)]
    already = make.session(user, revoked_at=make.at(5))
    theirs = make.session(other)
    async with persistence.unit_of_work() as uow:
        await uow.users.add(other)
        for session in (*mine, already, theirs):
            await uow.sessions.add(session)
        await uow.commit()
    async with persistence.unit_of_work() as uow:
        assert await uow.sessions.revoke_all_for_user(studio.id, user.id, make.at(10)) == 3
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        for session in mine:
            stored = await uow.sessions.get(studio.id, session.id)
            assert stored.revoked_at == make.at(10)
            assert stored.revision == 2  # a rotation racing the revocation loses
        assert (await uow.sessions.get(studio.id, already.id)).revoked_at == make.at(5)
        assert (await uow.sessions.get(studio.id, theirs.id)).revoked_at is None


async def test_expired_sessions_are_swept_per_studio(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    old = make.session(user, expires_at=make.at(10))
    live = make.session(user, expires_at=make.at(1000))
    async with persistence.unit_of_work() as uow:
        await uow.sessions.add(old)
        await uow.sessions.add(live)
        await uow.commit()
    async with persistence.unit_of_work() as uow:
        assert await uow.sessions.delete_expired(studio.id, make.at(100)) == 1
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(SessionNotFoundError):
            await uow.sessions.get(studio.id, old.id)
        assert await uow.sessions.get(studio.id, live.id) == live


async def test_another_studios_session_is_not_found(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    other_studio, _ = await studio_with_user(persistence)
    session = make.session(user)
    async with persistence.unit_of_work() as uow:
        await uow.sessions.add(session)
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(SessionNotFoundError):
            await uow.sessions.get(other_studio.id, session.id)
        with pytest.raises(SessionNotFoundError):
            await uow.sessions.get(other_studio.id, SessionId(make.new_id()))


async def test_audit_log_lists_newest_first_per_studio_and_resource(
    persistence: Persistence,
) -> None:
    studio, _ = await studio_with_user(persistence)
    other, _ = await studio_with_user(persistence)
    asset_id = make.new_id()
    events = [
        make.audit_event(
            studio,
            at=make.at(i // 2),  # pairs share a timestamp: id breaks the tie
            resource_type="asset",
            resource_id=asset_id if i % 3 == 0 else make.new_id(),
            action=f"asset.step{i}",
        )
        for i in range(7)
    ]
    async with persistence.unit_of_work() as uow:
        for event in (*events, make.audit_event(other)):
            await uow.audit.record(event)
        await uow.commit()
    newest_first = sorted(events, key=lambda e: (e.at, e.id), reverse=True)

    walked: list[AuditEvent] = []
    after = None
    async with persistence.unit_of_work(read_only=True) as uow:
        while True:
            page = await uow.audit.list(
                studio.id, AuditQuery(window=KeysetWindow(after=after, limit=3))
            )
            walked.extend(page.items)
            if page.next_after is None:
                break
            after = page.next_after
        one = await uow.audit.list(
            studio.id, AuditQuery(resource_type="asset", resource_id=asset_id)
        )
    assert walked == newest_first
    assert list(one.items) == [e for e in newest_first if e.resource_id == asset_id]


async def test_idempotency_records_are_per_caller_and_expire(persistence: Persistence) -> None:
    studio, _ = await studio_with_user(persistence)
    record = make.idempotency_record(studio, "create-asset-1", expires_at=make.at(100))
    async with persistence.unit_of_work() as uow:
        await uow.idempotency.put(record, at=make.at(0))
        await uow.commit()
    async with persistence.unit_of_work() as uow:
        assert await uow.idempotency.get(studio.id, record.scope, record.key, at=make.at(50)) == (
            record
        )
        # Another caller's key of the same name is another record.
        assert await uow.idempotency.get(studio.id, "someone-else", record.key, at=make.at(50)) is (
            None
        )
        with pytest.raises(IdempotencyKeyInUseError):
            await uow.idempotency.put(record, at=make.at(50))
        # Once expired it counts as absent and may be replaced.
        assert await uow.idempotency.get(studio.id, record.scope, record.key, at=make.at(100)) is (
            None
        )
        fresh = make.idempotency_record(
            studio,
            record.key,
            scope=record.scope,
            fingerprint="sha256:new",
            expires_at=make.at(300),
        )
        await uow.idempotency.put(fresh, at=make.at(150))
        await uow.commit()
    async with persistence.unit_of_work() as uow:
        assert await uow.idempotency.get(studio.id, record.scope, record.key, at=make.at(200)) == (
            fresh
        )
        assert await uow.idempotency.delete_expired(studio.id, make.at(400)) == 1
        await uow.commit()
