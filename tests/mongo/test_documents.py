"""What the adapter stores: native UUIDs, BSON dates, strings for enums; and how ids order."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import Binary
from bson.binary import UUID_SUBTYPE

from adapters.persistence.mongo.persistence import MongoPersistence
from application.audit.ports import AuditQuery
from application.identity.ports import UserQuery
from domain.identity.errors import SessionNotFoundError, StudioNotFoundError, UserNotFoundError
from domain.identity.model import Role
from domain.shared.errors import InvalidInputError
from domain.shared.ids import SessionId, StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, SortSpec
from tests.mongo.conftest import RawDatabase
from tests.support import builders as make

pytestmark = pytest.mark.anyio


def is_native_uuid(value: object, expected: str) -> bool:
    """Binary subtype 4 holding the UUID's 16 bytes (not its 36 characters of text)."""
    return (
        isinstance(value, Binary)
        and value.subtype == UUID_SUBTYPE
        and bytes(value) == uuid.UUID(expected).bytes
    )


async def test_documents_use_native_uuids_dates_and_plain_strings(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    studio = make.studio()
    user = make.user(studio, role=Role.DIRECTOR)
    session = make.session(user)
    event = make.audit_event(studio, actor_id=user.id)
    record = make.idempotency_record(studio)
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.sessions.add(session)
        await uow.audit.record(event)
        await uow.idempotency.put(record, at=make.T0)
        await uow.commit()

    async def only(collection: str) -> dict[str, Any]:
        docs = await raw_db[collection].find().to_list()
        assert len(docs) == 1
        return docs[0]

    studio_doc, user_doc = await only("studios"), await only("users")
    session_doc, event_doc = await only("sessions"), await only("audit_events")
    record_doc = await only("idempotency_records")

    assert is_native_uuid(studio_doc["_id"], studio.id)
    assert studio_doc["settings"] == {
        "self_signup_roles": ["viewer"],
        "free_episodes_per_series": 3,
    }
    assert is_native_uuid(user_doc["_id"], user.id)
    assert is_native_uuid(user_doc["studio_id"], studio.id)
    assert user_doc["role"] == "director"
    assert user_doc["created_at"] == make.T0  # a BSON date, read back aware
    assert is_native_uuid(session_doc["user_id"], user.id)
    assert session_doc["revoked_at"] is None
    assert is_native_uuid(event_doc["actor_id"], user.id)
    assert event_doc["resource_id"] == event.resource_id  # free text, not necessarily a UUID
    assert is_native_uuid(record_doc["studio_id"], studio.id)
    assert record_doc["response"] == record.response


async def test_dates_come_back_as_utc_to_the_millisecond(mongo: MongoPersistence) -> None:
    studio = make.studio(created_at=datetime(2026, 11, 1, 9, 30, 0, 999000, tzinfo=UTC))
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.commit()
    async with mongo.unit_of_work(read_only=True) as uow:
        stored = await uow.studios.get(studio.id)
    assert stored.created_at == studio.created_at
    assert stored.created_at.tzinfo is UTC


async def test_uuid_tie_breaks_follow_the_canonical_text_order(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    """Binary subtype 4 compares bytewise, as the lowercase hex text does (SQLite's order)."""
    studio = make.studio()
    # Ties on every sort field, so the id alone decides; ids spread over the first byte.
    users = [
        make.user(
            studio,
            id=UserId(str(uuid.UUID(bytes=bytes([i * 9 % 256]) + uuid.uuid4().bytes[1:]))),
            name="Same",
            created_at=make.T0,
        )
        for i in range(24)
    ]
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    by_text = sorted(user.id for user in users)

    raw = [
        str(uuid.UUID(bytes=bytes(doc["_id"]))) async for doc in raw_db.users.find().sort("_id", 1)
    ]
    assert raw == by_text
    for direction in Direction:
        walked: list[str] = []
        after = None
        async with mongo.unit_of_work(read_only=True) as uow:
            while True:
                query = UserQuery(
                    sort=SortSpec("name", direction), window=KeysetWindow(after=after, limit=5)
                )
                page = await uow.users.list(studio.id, query)
                walked.extend(user.id for user in page.items)
                if page.next_after is None:
                    break
                after = page.next_after
        assert walked == (by_text if direction is Direction.ASC else by_text[::-1])


async def test_created_at_keys_are_epoch_milliseconds(mongo: MongoPersistence) -> None:
    studio = make.studio()
    first, second = (
        make.user(studio, created_at=make.at(0)),
        make.user(studio, created_at=make.at(1)),
    )
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(first)
        await uow.users.add(second)
        await uow.commit()
    async with mongo.unit_of_work(read_only=True) as uow:
        page = await uow.users.list(studio.id, UserQuery(window=KeysetWindow(limit=1)))
    assert page.next_after == (int(make.T0.timestamp() * 1000), first.id)


async def test_malformed_ids_name_nothing(mongo: MongoPersistence) -> None:
    studio = make.studio()
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.commit()
    async with mongo.unit_of_work(read_only=True) as uow:
        with pytest.raises(StudioNotFoundError):
            await uow.studios.get(StudioId("not-a-uuid"))
        with pytest.raises(UserNotFoundError):
            await uow.users.get(studio.id, UserId("not-a-uuid"))
        with pytest.raises(SessionNotFoundError):
            await uow.sessions.get(studio.id, SessionId(""))
        assert (await uow.users.list(StudioId("nope"), UserQuery())).items == ()
        assert (await uow.audit.list(StudioId("nope"), AuditQuery())).items == ()


@pytest.mark.parametrize(
    ("sort_field", "after"),
    [("createdAt", ("text", "00000000-0000-0000-0000-000000000000")), ("name", (5, "x"))],
)
async def test_a_sort_key_of_the_wrong_shape_is_an_invalid_cursor(
    mongo: MongoPersistence, sort_field: str, after: tuple[str | int, str]
) -> None:
    query = UserQuery(sort=SortSpec(sort_field), window=KeysetWindow(after=after))
    async with mongo.unit_of_work(read_only=True) as uow:
        with pytest.raises(InvalidInputError) as caught:
            await uow.users.list(StudioId(make.new_id()), query)
    assert caught.value.code == "invalid_cursor"
