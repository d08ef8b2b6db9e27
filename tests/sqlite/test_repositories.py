"""The SQLite repositories, on a file and in memory: round trips, conflicts, revisions, scoping.

The contract suite (tests/contract) holds every adapter to the ports; these cover what is
particular to SQLite: the row mapping, constraint names turned into domain errors, and a
multi-call write unit of work.
"""

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.persistence.sqlite import SqlitePersistence
from application.identity.ports import UserQuery
from application.shared.idempotency import IdempotencyKeyInUseError
from domain.identity.errors import (
    SessionNotFoundError,
    StudioNotFoundError,
    StudioSlugTakenError,
    UserEmailTakenError,
    UserNotFoundError,
)
from domain.identity.model import Role, StudioSettings, User
from domain.shared.errors import ConflictError, StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortKey, SortSpec
from tests.sqlite.factories import (
    T0,
    make_record,
    make_session,
    make_studio,
    make_user,
)

pytestmark = pytest.mark.anyio


async def test_a_studio_round_trips_with_its_settings(store: SqlitePersistence) -> None:
    settings = StudioSettings(
        self_signup_roles=frozenset({Role.VIEWER, Role.ARTIST}), free_episodes_per_series=5
    )
    studio = make_studio("north", settings=settings)
    async with store.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.studios.get(studio.id) == studio
        assert await uow.studios.get_by_slug("north") == studio
        assert await uow.studios.count() == 1
        with pytest.raises(StudioNotFoundError):
            await uow.studios.get_by_slug("south")


async def test_unique_keys_and_ids_become_their_conflicts(store: SqlitePersistence) -> None:
    studio = make_studio("north")
    user = make_user(studio.id, "a@example.com")
    async with store.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        with pytest.raises(StudioSlugTakenError):
            await uow.studios.add(make_studio("north"))
        with pytest.raises(UserEmailTakenError):
            await uow.users.add(make_user(studio.id, "a@example.com"))
        with pytest.raises(ConflictError) as duplicate:
            await uow.users.add(make_user(studio.id, "b@example.com", id=user.id))
        assert duplicate.value.code == "duplicate_id"
        # The failed statements left the transaction usable: the first writes still commit.
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(studio.id, user.id) == user
        # The same email in another studio is another user.
        assert await uow.users.find_by_email(StudioId("other"), "a@example.com") is None


async def test_save_is_compare_and_set_on_the_revision(store: SqlitePersistence) -> None:
    studio_id = StudioId("s1")
    user = make_user(studio_id, "a@example.com")
    taken = make_user(studio_id, "b@example.com")
    async with store.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.users.add(taken)
        saved = await uow.users.save(user.changed(at=T0, name="New"), expected_revision=1)
        assert saved.revision == 2
        with pytest.raises(StaleRevisionError):
            await uow.users.save(user.changed(at=T0, name="Old"), expected_revision=1)
        with pytest.raises(UserEmailTakenError):
            await uow.users.save(replace(saved, email="b@example.com"), expected_revision=2)
        with pytest.raises(UserNotFoundError):
            await uow.users.save(replace(user, studio_id=StudioId("s2")), expected_revision=2)
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(studio_id, user.id) == saved


async def test_deleting_a_user_takes_its_sessions(store: SqlitePersistence) -> None:
    studio_id = StudioId("s1")
    user = make_user(studio_id)
    session = make_session(studio_id, user.id, spent_hashes=("h2", "h1"))
    async with store.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.sessions.add(session)
        assert await uow.sessions.get(studio_id, session.id) == session
        await uow.users.delete(studio_id, user.id)
        with pytest.raises(UserNotFoundError):
            await uow.users.delete(studio_id, user.id)
        with pytest.raises(SessionNotFoundError):
            await uow.sessions.get(studio_id, session.id)
        await uow.commit()


async def test_sessions_revoke_and_expire_by_studio(store: SqlitePersistence) -> None:
    studio_id, user_id = StudioId("s1"), UserId("u1")
    live = [make_session(studio_id, user_id) for _ in range(3)]
    revoked = make_session(studio_id, user_id, revoked_at=T0)
    elsewhere = make_session(StudioId("s2"), user_id, expires_at=T0)
    async with store.unit_of_work() as uow:
        for session in [*live, revoked, elsewhere]:
            await uow.sessions.add(session)
        later = T0 + timedelta(minutes=1)
        assert await uow.sessions.revoke_all_for_user(studio_id, user_id, later) == 3
        again = await uow.sessions.get(studio_id, live[0].id)
        assert (again.revoked_at, again.revision) == (later, 2)
        assert (await uow.sessions.get(studio_id, revoked.id)).revision == 1
        assert await uow.sessions.delete_expired(studio_id, T0 + timedelta(days=31)) == 4
        assert await uow.sessions.get(StudioId("s2"), elsewhere.id) == elsewhere
        await uow.commit()


async def test_idempotency_records_are_replaced_only_once_expired(
    store: SqlitePersistence,
) -> None:
    record = make_record("s1")
    expired_at = record.expires_at
    async with store.unit_of_work() as uow:
        await uow.idempotency.put(record, at=T0)
        assert await uow.idempotency.get(StudioId("s1"), "user-1", "key-1", at=T0) == record
        assert await uow.idempotency.get(StudioId("s2"), "user-1", "key-1", at=T0) is None
        assert await uow.idempotency.get(StudioId("s1"), "user-1", "key-1", at=expired_at) is None
        with pytest.raises(IdempotencyKeyInUseError):
            await uow.idempotency.put(replace(record, fingerprint="f2"), at=T0)
        newer = replace(record, fingerprint="f2", expires_at=expired_at + timedelta(days=1))
        await uow.idempotency.put(newer, at=expired_at)
        assert await uow.idempotency.get(StudioId("s1"), "user-1", "key-1", at=expired_at) == newer
        assert await uow.idempotency.delete_expired(StudioId("s1"), expired_at) == 0
        assert await uow.idempotency.delete_expired(StudioId("s1"), newer.expires_at) == 0
        far = newer.expires_at + timedelta(milliseconds=1)
        assert await uow.idempotency.delete_expired(StudioId("s1"), far) == 1
        await uow.commit()


@pytest.mark.parametrize("sort", ["email", "name", "createdAt"])
@pytest.mark.parametrize("direction", list(Direction))
async def test_keyset_walk_matches_page_walk(
    store: SqlitePersistence, sort: str, direction: Direction
) -> None:
    studio_id = StudioId("s1")
    users = [
        make_user(
            studio_id,
            f"u{i:02}@example.com",
            name=["Zoë", "adam", "Adam", "bob"][i % 4],
            created_at=T0 + timedelta(milliseconds=i % 5),
            role=Role.VIEWER if i % 3 else Role.ARTIST,
        )
        for i in range(23)
    ]
    async with store.unit_of_work() as uow:
        for user in [*users, make_user(StudioId("s2"))]:
            await uow.users.add(user)
        await uow.commit()
    spec = SortSpec(sort, direction)
    async with store.unit_of_work(read_only=True) as uow:
        paged: list[User] = []
        for page in (1, 2, 3):
            found = await uow.users.list(
                studio_id, UserQuery(sort=spec, window=PageWindow(page, 10))
            )
            assert found.total == 23
            paged += found.items
        walked: list[User] = []
        after: SortKey | None = None
        while True:
            query = UserQuery(sort=spec, window=KeysetWindow(after, 7))
            found = await uow.users.list(studio_id, query)
            walked += found.items
            if (after := found.next_after) is None:
                break
    # Python compares str by code point, which is UTF-8 byte order: SQLite's BINARY collation.
    column = {"email": "email", "name": "name", "createdAt": "created_at"}[sort]
    expected = sorted(
        users,
        key=lambda user: (getattr(user, column), user.id),
        reverse=direction is Direction.DESC,
    )
    assert paged == walked == expected
