"""Studios and users: add, get, save with revisions, delete, tenancy, list."""

from dataclasses import replace

import pytest

from application.identity.ports import UserQuery
from application.shared.ports import Persistence
from domain.identity.errors import (
    StudioNotFoundError,
    StudioSlugTakenError,
    UserEmailTakenError,
    UserNotFoundError,
)
from domain.identity.model import Role, Studio, StudioSettings, User
from domain.shared.errors import ConflictError, StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec
from tests.support import builders as make

pytestmark = pytest.mark.anyio


async def add_studio(persistence: Persistence, studio: Studio | None = None) -> Studio:
    studio = studio or make.studio()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.commit()
    return studio


async def add_users(persistence: Persistence, *users: User) -> None:
    async with persistence.unit_of_work() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()


async def test_a_studio_round_trips_by_id_and_slug(persistence: Persistence) -> None:
    studio = make.studio(
        "moonlit",
        settings=StudioSettings(
            self_signup_roles=frozenset({Role.VIEWER, Role.ARTIST}), free_episodes_per_series=5
        ),
    )
    await add_studio(persistence, studio)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.studios.get(studio.id) == studio
        assert await uow.studios.get_by_slug("moonlit") == studio
        assert await uow.studios.count() == 1


async def test_a_studio_slug_is_unique(persistence: Persistence) -> None:
    await add_studio(persistence, make.studio("moonlit"))
    with pytest.raises(StudioSlugTakenError):
        await add_studio(persistence, make.studio("moonlit"))


async def test_missing_studio_is_not_found(persistence: Persistence) -> None:
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(StudioNotFoundError):
            await uow.studios.get(StudioId(make.new_id()))
        with pytest.raises(StudioNotFoundError):
            await uow.studios.get_by_slug("nobody")


async def test_studio_save_bumps_the_revision_and_refuses_stale_writes(
    persistence: Persistence,
) -> None:
    studio = await add_studio(persistence)
    async with persistence.unit_of_work() as uow:
        saved = await uow.studios.save(studio.renamed("Sunlit", at=make.at(1)), expected_revision=1)
        await uow.commit()
    assert (saved.name, saved.revision) == ("Sunlit", 2)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(StaleRevisionError):
            await uow.studios.save(studio.renamed("Lost", at=make.at(2)), expected_revision=1)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.studios.get(studio.id) == saved


async def test_a_user_round_trips_exactly(persistence: Persistence) -> None:
    studio = await add_studio(persistence)
    user = make.user(studio, "ada@example.com", role=Role.DIRECTOR, active=False)
    await add_users(persistence, user)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(studio.id, user.id) == user
        assert await uow.users.find_by_email(studio.id, "ada@example.com") == user
        assert await uow.users.find_by_email(studio.id, "bob@example.com") is None


async def test_emails_are_unique_per_studio_not_across_studios(persistence: Persistence) -> None:
    first, second = await add_studio(persistence), await add_studio(persistence)
    await add_users(persistence, make.user(first, "ada@example.com"))
    with pytest.raises(UserEmailTakenError):
        await add_users(persistence, make.user(first, "ada@example.com"))
    await add_users(persistence, make.user(second, "ada@example.com"))


async def test_a_duplicate_id_is_a_conflict(persistence: Persistence) -> None:
    studio = await add_studio(persistence)
    user = make.user(studio)
    await add_users(persistence, user)
    with pytest.raises(ConflictError) as caught:
        await add_users(persistence, replace(user, email="other@example.com"))
    assert caught.value.code == "duplicate_id"


async def test_another_studios_user_is_not_found(persistence: Persistence) -> None:
    mine, theirs = await add_studio(persistence), await add_studio(persistence)
    their_user = make.user(theirs, "eve@example.com")
    await add_users(persistence, their_user)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(UserNotFoundError):
            await uow.users.get(mine.id, their_user.id)
        assert await uow.users.find_by_email(mine.id, "eve@example.com") is None
        with pytest.raises(UserNotFoundError):
            await uow.users.save(replace(their_user, studio_id=mine.id), expected_revision=1)
        with pytest.raises(UserNotFoundError):
            await uow.users.delete(mine.id, their_user.id)
        page = await uow.users.list(mine.id, UserQuery())
        assert page.items == ()
        assert page.total == 0


async def test_user_save_is_compare_and_set(persistence: Persistence) -> None:
    studio = await add_studio(persistence)
    user = make.user(studio)
    await add_users(persistence, user)
    async with persistence.unit_of_work() as uow:
        promoted = await uow.users.save(
            user.changed(role=Role.PRODUCER, at=make.at(5)), expected_revision=1
        )
        await uow.commit()
    assert promoted.revision == 2
    assert promoted.role is Role.PRODUCER
    async with persistence.unit_of_work() as uow:
        with pytest.raises(StaleRevisionError):
            await uow.users.save(user.changed(active=False, at=make.at(6)), expected_revision=1)
        with pytest.raises(UserNotFoundError):
            await uow.users.save(make.user(studio), expected_revision=1)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(studio.id, user.id) == promoted


async def test_user_save_cannot_take_another_users_email(persistence: Persistence) -> None:
    studio = await add_studio(persistence)
    ada, bob = make.user(studio, "ada@example.com"), make.user(studio, "bob@example.com")
    await add_users(persistence, ada, bob)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(UserEmailTakenError):
            await uow.users.save(replace(bob, email="ada@example.com"), expected_revision=1)


async def test_deleting_a_user(persistence: Persistence) -> None:
    studio = await add_studio(persistence)
    user = make.user(studio)
    await add_users(persistence, user)
    async with persistence.unit_of_work() as uow:
        await uow.users.delete(studio.id, user.id)
        await uow.commit()
    async with persistence.unit_of_work() as uow:
        with pytest.raises(UserNotFoundError):
            await uow.users.get(studio.id, user.id)
        with pytest.raises(UserNotFoundError):
            await uow.users.delete(studio.id, user.id)
    # The email is free again.
    await add_users(persistence, make.user(studio, user.email))


async def seeded_users(persistence: Persistence) -> tuple[Studio, list[User]]:
    studio, other = await add_studio(persistence), await add_studio(persistence)
    names = ["Zoe", "ada", "Bob", "Émile", "bob", "Ada", "Ünal", "carl"]
    users = [
        make.user(
            studio,
            f"{name.lower()}{index}@example.com",
            name=name,
            role=Role.ARTIST if index % 3 else Role.VIEWER,
            created_at=make.at(index % 4),  # ties on createdAt, broken by id
        )
        for index, name in enumerate(names)
    ]
    await add_users(persistence, *users, make.user(other, "intruder@example.com", name="Aaron"))
    return studio, users


def expected_order(users: list[User], sort: SortSpec) -> list[User]:
    def key(user: User) -> tuple[str | int, str]:
        if sort.field == "createdAt":
            return (int(user.created_at.timestamp() * 1000), user.id)
        return (getattr(user, sort.field), user.id)

    # Binary (code point) order: what SQLite's BINARY and MongoDB's default both use.
    return sorted(users, key=key, reverse=sort.direction is Direction.DESC)


SORTS = [
    SortSpec(field, direction)
    for field in ("email", "name", "createdAt")
    for direction in Direction
]


@pytest.mark.parametrize("sort", SORTS, ids=str)
async def test_page_mode_sorts_pages_and_counts(persistence: Persistence, sort: SortSpec) -> None:
    studio, users = await seeded_users(persistence)
    expected = expected_order(users, sort)
    async with persistence.unit_of_work(read_only=True) as uow:
        pages = [
            await uow.users.list(studio.id, UserQuery(sort=sort, window=PageWindow(page, 3)))
            for page in (1, 2, 3, 4)
        ]
    assert [p.total for p in pages] == [8, 8, 8, 8]
    assert pages[0].total_pages == 3
    assert [u.id for p in pages for u in p.items] == [u.id for u in expected]
    assert pages[3].items == ()


@pytest.mark.parametrize("sort", SORTS, ids=str)
async def test_keyset_mode_walks_everything_once(persistence: Persistence, sort: SortSpec) -> None:
    studio, users = await seeded_users(persistence)
    seen: list[User] = []
    after = None
    async with persistence.unit_of_work(read_only=True) as uow:
        for _ in range(10):
            page = await uow.users.list(
                studio.id, UserQuery(sort=sort, window=KeysetWindow(after=after, limit=3))
            )
            seen.extend(page.items)
            if page.next_after is None:
                break
            after = page.next_after
    assert [u.id for u in seen] == [u.id for u in expected_order(users, sort)]


async def test_keyset_mode_ends_exactly_at_the_last_item(persistence: Persistence) -> None:
    studio, _ = await seeded_users(persistence)
    async with persistence.unit_of_work(read_only=True) as uow:
        first = await uow.users.list(studio.id, UserQuery(window=KeysetWindow(limit=4)))
        assert first.next_after is not None
        second = await uow.users.list(
            studio.id, UserQuery(window=KeysetWindow(after=first.next_after, limit=4))
        )
    assert len(second.items) == 4
    assert second.next_after is None  # nothing after: no empty third page to fetch


async def test_keyset_pages_are_stable_under_concurrent_inserts(persistence: Persistence) -> None:
    studio, users = await seeded_users(persistence)
    sort = SortSpec("name", Direction.ASC)
    async with persistence.unit_of_work(read_only=True) as uow:
        first = await uow.users.list(studio.id, UserQuery(sort=sort, window=KeysetWindow(limit=4)))
    # Someone adds users before and after the position reached.
    await add_users(
        persistence,
        make.user(studio, "aardvark@example.com", name="AAA"),
        make.user(studio, "zed@example.com", name="zzz"),
    )
    async with persistence.unit_of_work(read_only=True) as uow:
        rest = await uow.users.list(
            studio.id, UserQuery(sort=sort, window=KeysetWindow(after=first.next_after, limit=50))
        )
    walked = [u.name for u in (*first.items, *rest.items)]
    original = [u.name for u in expected_order(users, sort)]
    assert [name for name in walked if name not in ("AAA", "zzz")] == original
    assert "zzz" in walked  # inserted after the position: seen
    assert "AAA" not in walked  # inserted before it: not repeated, not shifting anything


async def test_filter_by_role(persistence: Persistence) -> None:
    studio, users = await seeded_users(persistence)
    async with persistence.unit_of_work(read_only=True) as uow:
        page = await uow.users.list(studio.id, UserQuery(role=Role.VIEWER))
    viewers = [u for u in users if u.role is Role.VIEWER]
    assert page.total == len(viewers)
    assert {u.id for u in page.items} == {u.id for u in viewers}


async def test_get_unknown_user_id_is_not_found(persistence: Persistence) -> None:
    studio = await add_studio(persistence)
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(UserNotFoundError):
            await uow.users.get(studio.id, UserId(make.new_id()))
