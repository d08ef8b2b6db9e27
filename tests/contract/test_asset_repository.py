"""The asset repository on every adapter: round trips, unique names, tenancy, compare-and-set,
soft delete and purge, the dependency graph, versions, and lists (filters, sorts, windows)."""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import pytest

from application.assets.ports import ASSET_SORTS, AssetQuery
from application.shared.ports import Persistence, UnitOfWork
from domain.assets.errors import (
    AssetNameTakenError,
    AssetNotFoundError,
    AssetVersionNotFoundError,
    VersionNotForwardError,
)
from domain.assets.model import (
    MAX_DEPENDENCIES,
    Asset,
    AssetId,
    AssetStatus,
    AssetType,
    AssetVersion,
    query_words,
)
from domain.identity.model import Studio, User
from domain.shared.errors import InvalidInputError, NotFoundError, StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortKey, SortSpec
from tests.support import builders as make
from tests.support.asset_model import expected_list, sort_key

pytestmark = pytest.mark.anyio

MALFORMED_IDS = ["not-a-uuid", "", "00000000-0000-0000-0000-00000000000Z"]


async def studio_with_user(persistence: Persistence) -> tuple[Studio, User]:
    studio = make.studio()
    user = make.user(studio)
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.commit()
    return studio, user


async def add_assets(persistence: Persistence, *assets: Asset) -> None:
    async with persistence.unit_of_work() as uow:
        for asset in assets:
            await uow.assets.add(asset)
        await uow.commit()


async def add_versions(persistence: Persistence, *versions: AssetVersion) -> None:
    async with persistence.unit_of_work() as uow:
        for version in versions:
            await uow.assets.add_version(version)
        await uow.commit()


async def save(persistence: Persistence, asset: Asset, *, expected_revision: int) -> Asset:
    async with persistence.unit_of_work() as uow:
        saved = await uow.assets.save(asset, expected_revision=expected_revision)
        await uow.commit()
    return saved


async def get(persistence: Persistence, asset: Asset, *, include_deleted: bool = False) -> Asset:
    async with persistence.unit_of_work(read_only=True) as uow:
        return await uow.assets.get(asset.studio_id, asset.id, include_deleted=include_deleted)


async def listed(persistence: Persistence, studio_id: StudioId, **filters: object) -> list[Asset]:
    """Every match of one query, in page mode (one page holds them all)."""
    query = AssetQuery(window=PageWindow(1, 100), **filters)  # type: ignore[arg-type]
    async with persistence.unit_of_work(read_only=True) as uow:
        page = await uow.assets.list(studio_id, query)
    assert page.total == len(page.items)
    return list(page.items)


async def visible_versions(
    uow: UnitOfWork, studio_id: StudioId, asset_id: AssetId
) -> tuple[AssetVersion, ...]:
    """The versions a caller sees; "no such asset" is as good as none."""
    try:
        return (await uow.assets.versions(studio_id, asset_id, PageWindow(1, 100))).items
    except NotFoundError:
        return ()


def edges(found: Mapping[AssetId, tuple[AssetId, ...]]) -> dict[AssetId, set[AssetId]]:
    """Stored dependencies as sets; an asset without any may be left out or map to ()."""
    return {asset_id: set(deps) for asset_id, deps in found.items() if deps}


def ids(assets: list[Asset] | tuple[Asset, ...]) -> list[AssetId]:
    return [asset.id for asset in assets]


# Round trips


async def test_every_field_round_trips(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    rig, texture = make.asset(user, "Base Rig"), make.asset(user, "Skin Texture")
    full = make.asset(
        user,
        "Héroïne — Red Hero Rig",
        type=AssetType.CHARACTER,
        status=AssetStatus.DRAFT,
        description="Main character.\nRigged for the forest chase; ünïcode ok.",
        tags=("hero", "rigged", "v2"),
        metadata={"fps": "24", "artist": "Zoë", "render.engine": "cycles", "empty": ""},
        current_version=3,
        dependencies=(texture.id, rig.id),  # order is the user's, and kept
        review_note="Fix the left hand weights.",
        created_at=make.at(1),
        updated_at=make.at(90.5),
        revision=4,
    )
    bare = make.asset(user, "x")  # no tags, metadata, dependencies, version, note
    trashed = make.asset(user, "Old Prop", deleted_at=make.at(100), updated_at=make.at(100))
    await add_assets(persistence, rig, texture, full, bare, trashed)
    assert await get(persistence, full) == full
    assert await get(persistence, bare) == bare
    assert await get(persistence, trashed, include_deleted=True) == trashed


async def test_metadata_keys_that_look_like_operators_or_paths_round_trip(
    persistence: Persistence,
) -> None:
    _, user = await studio_with_user(persistence)
    asset = make.asset(
        user, metadata={"$cost": "12", "a.b.c": "dotted", "_id": "mine", "ключ": "значение"}
    )
    await add_assets(persistence, asset)
    assert await get(persistence, asset) == asset
    changed = replace(asset, metadata={"$set": "x", "shot.010": "y", "$ref": "shots", "$id": "7"})
    saved = await save(persistence, changed, expected_revision=1)
    assert await get(persistence, asset) == saved == replace(changed, revision=2)


async def test_save_stores_every_field_and_bumps_the_revision(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    dep = make.asset(user, "Dependency")
    asset = make.asset(user, "Lamp", tags=("light",), metadata={"watts": "40"})
    await add_assets(persistence, dep, asset)
    changed = replace(
        asset,
        name="Desk Lamp",
        type=AssetType.ENVIRONMENT,
        status=AssetStatus.IN_REVIEW,
        description="Now with a shade.",
        tags=("light", "desk"),
        metadata={"watts": "60", "shade": "green"},
        current_version=2,
        dependencies=(dep.id,),
        review_note="Too bright.",
        updated_at=make.at(30),
    )
    saved = await save(persistence, changed, expected_revision=1)
    assert saved == replace(changed, revision=2)
    assert await get(persistence, asset) == saved
    cleared = replace(saved, tags=(), metadata={}, dependencies=(), review_note=None)
    again = await save(persistence, cleared, expected_revision=2)
    assert again.revision == 3
    assert await get(persistence, asset) == again


# Unique names


@pytest.mark.parametrize(("first", "second"), [("Hero", "hero"), ("Straße", "STRASSE")])
async def test_names_are_unique_per_studio_without_regard_to_case(
    persistence: Persistence, first: str, second: str
) -> None:
    _, user = await studio_with_user(persistence)
    await add_assets(persistence, make.asset(user, first))
    with pytest.raises(AssetNameTakenError):
        await add_assets(persistence, make.asset(user, second))
    with pytest.raises(AssetNameTakenError):
        await add_assets(persistence, make.asset(user, first))


async def test_the_same_name_is_free_in_another_studio(persistence: Persistence) -> None:
    _, ada = await studio_with_user(persistence)
    other, eve = await studio_with_user(persistence)
    await add_assets(persistence, make.asset(ada, "Hero"))
    theirs = make.asset(eve, "HERO")
    await add_assets(persistence, theirs)
    assert [a.name for a in await listed(persistence, other.id)] == ["HERO"]


async def test_save_cannot_take_another_assets_name(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    hero, villain = make.asset(user, "Hero"), make.asset(user, "Villain")
    await add_assets(persistence, hero, villain)
    with pytest.raises(AssetNameTakenError):
        await save(persistence, replace(villain, name="hero"), expected_revision=1)
    assert (await get(persistence, villain)).name == "Villain"
    # An asset may change the case of its own name.
    recased = await save(persistence, replace(hero, name="HERO"), expected_revision=1)
    assert (await get(persistence, hero)).name == recased.name == "HERO"
    with pytest.raises(AssetNameTakenError):
        await save(persistence, replace(villain, name="Hero"), expected_revision=1)


async def test_a_soft_deleted_asset_keeps_its_name_until_purged(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    hero, villain = make.asset(user, "Hero"), make.asset(user, "Villain")
    await add_assets(persistence, hero, villain)
    deleted = await save(persistence, hero.deleted(at=make.at(5)), expected_revision=1)
    with pytest.raises(AssetNameTakenError):
        await add_assets(persistence, make.asset(user, "hero"))
    with pytest.raises(AssetNameTakenError):
        await save(persistence, replace(villain, name="HERO"), expected_revision=1)
    async with persistence.unit_of_work() as uow:
        await uow.assets.purge(studio.id, deleted.id)
        await uow.commit()
    reborn = make.asset(user, "hero")
    await add_assets(persistence, reborn)
    assert await get(persistence, reborn) == reborn


async def test_a_name_added_without_commit_stays_free(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    abandoned = make.asset(user, "Hero")
    async with persistence.unit_of_work() as uow:
        await uow.assets.add(abandoned)
        assert await uow.assets.get(studio.id, abandoned.id) == abandoned  # its own writes
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.get(studio.id, abandoned.id, include_deleted=True)
    kept = make.asset(user, "hero")
    await add_assets(persistence, kept)
    assert await listed(persistence, studio.id) == [kept]


async def test_two_concurrent_adds_of_one_name_exactly_one_wins(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    first, second = make.asset(user, "Hero"), make.asset(user, "HERO")

    async def create(asset: Asset) -> str:
        try:
            await add_assets(persistence, asset)
        except AssetNameTakenError:
            return "taken"
        return asset.name

    outcomes = await asyncio.gather(create(first), create(second))
    assert sorted(outcomes) in (["HERO", "taken"], ["Hero", "taken"])
    assert [a.name for a in await listed(persistence, studio.id)] == [
        name for name in outcomes if name != "taken"
    ]


# Tenancy and malformed ids


async def test_another_studio_finds_nothing_and_changes_nothing(persistence: Persistence) -> None:
    theirs_studio, eve = await studio_with_user(persistence)
    mine, _ = await studio_with_user(persistence)
    base = make.asset(eve, "Base")
    theirs = make.asset(eve, "Secret Rig", tags=("rig",), dependencies=(base.id,))
    trashed = make.asset(eve, "Trashed", deleted_at=make.at(3))
    await add_assets(persistence, base, theirs, trashed)
    await add_versions(persistence, make.asset_version(theirs, 1))
    async with persistence.unit_of_work() as uow:
        for asset in (theirs, trashed):
            for include_deleted in (False, True):
                with pytest.raises(AssetNotFoundError):
                    await uow.assets.get(mine.id, asset.id, include_deleted=include_deleted)
        assert await uow.assets.existing(mine.id, [theirs.id, base.id]) == set()
        assert edges(await uow.assets.dependencies_of(mine.id, [theirs.id])) == {}
        assert (await uow.assets.dependents(mine.id, base.id, KeysetWindow())).items == ()
        assert await visible_versions(uow, mine.id, theirs.id) == ()
        with pytest.raises(AssetVersionNotFoundError):
            await uow.assets.get_version(mine.id, theirs.id, 1)
        for query in (AssetQuery(), AssetQuery(owner_id=eve.id), AssetQuery(tag="rig")):
            page = await uow.assets.list(mine.id, query)
            assert (page.items, page.total) == ((), 0)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.save(
                replace(theirs, studio_id=mine.id, name="Stolen"), expected_revision=1
            )
    async with persistence.unit_of_work() as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.purge(mine.id, trashed.id)
    # Nothing of theirs moved.
    assert await get(persistence, theirs) == theirs
    assert await get(persistence, trashed, include_deleted=True) == trashed
    async with persistence.unit_of_work(read_only=True) as uow:
        assert len(await visible_versions(uow, theirs_studio.id, theirs.id)) == 1


@pytest.mark.parametrize("malformed", MALFORMED_IDS)
async def test_malformed_ids_name_nothing(persistence: Persistence, malformed: str) -> None:
    studio, user = await studio_with_user(persistence)
    asset = make.asset(user)
    await add_assets(persistence, asset)
    await add_versions(persistence, make.asset_version(asset, 1))
    nowhere = StudioId(malformed)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.get(studio.id, malformed, include_deleted=True)
        with pytest.raises(AssetNotFoundError):
            await uow.assets.get(nowhere, asset.id)
        assert await uow.assets.existing(studio.id, [malformed, asset.id]) == {asset.id}
        assert await uow.assets.existing(nowhere, [asset.id]) == set()
        assert edges(await uow.assets.dependencies_of(studio.id, [malformed])) == {}
        assert (await uow.assets.dependents(studio.id, malformed, KeysetWindow())).items == ()
        assert (await uow.assets.dependents(nowhere, asset.id, KeysetWindow())).items == ()
        assert await visible_versions(uow, studio.id, malformed) == ()
        assert await visible_versions(uow, nowhere, asset.id) == ()
        with pytest.raises(AssetVersionNotFoundError):
            await uow.assets.get_version(studio.id, malformed, 1)
        with pytest.raises(AssetVersionNotFoundError):
            await uow.assets.get_version(nowhere, asset.id, 1)
        for studio_id, query in [
            (nowhere, AssetQuery()),
            (studio.id, AssetQuery(owner_id=UserId(malformed))),
        ]:
            page = await uow.assets.list(studio_id, query)
            assert (page.items, page.total) == ((), 0)
            walked = await uow.assets.list(studio_id, replace(query, window=KeysetWindow()))
            assert (walked.items, walked.next_after) == ((), None)
    for studio_id, asset_id in [(studio.id, malformed), (nowhere, asset.id)]:
        async with persistence.unit_of_work() as uow:
            with pytest.raises(AssetNotFoundError):
                await uow.assets.purge(studio_id, asset_id)
    assert await get(persistence, asset) == asset


# Compare-and-set


async def test_save_is_compare_and_set(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    asset = make.asset(user, "Lamp")
    await add_assets(persistence, asset)
    first = await save(persistence, replace(asset, description="one"), expected_revision=1)
    assert first.revision == 2
    with pytest.raises(StaleRevisionError):
        await save(persistence, replace(asset, description="lost"), expected_revision=1)
    with pytest.raises(StaleRevisionError):
        await save(persistence, replace(asset, description="future"), expected_revision=3)
    assert await get(persistence, asset) == first
    second = await save(persistence, replace(first, description="two"), expected_revision=2)
    assert second.revision == 3
    with pytest.raises(AssetNotFoundError):
        await save(persistence, make.asset(user, "Never Added"), expected_revision=1)
    assert await get(persistence, asset) == second


async def test_two_concurrent_saves_from_one_revision_exactly_one_wins(
    persistence: Persistence,
) -> None:
    _, user = await studio_with_user(persistence)
    asset = make.asset(user, "Lamp")
    await add_assets(persistence, asset)

    async def edit(description: str) -> str:
        try:
            await save(persistence, replace(asset, description=description), expected_revision=1)
        except StaleRevisionError:
            return "lost"
        return description

    outcomes = await asyncio.gather(edit("by ada"), edit("by bob"))
    winners = [outcome for outcome in outcomes if outcome != "lost"]
    assert len(winners) == 1
    stored = await get(persistence, asset)
    assert (stored.description, stored.revision) == (winners[0], 2)


# Soft delete, restore and purge


async def test_a_soft_deleted_asset_is_hidden_until_restored(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    base = make.asset(user, "Base")
    asset = make.asset(user, "Prop", tags=("junk",), dependencies=(base.id,))
    await add_assets(persistence, base, asset)
    deleted = await save(persistence, asset.deleted(at=make.at(5)), expected_revision=1)
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.get(studio.id, asset.id)
        assert await uow.assets.get(studio.id, asset.id, include_deleted=True) == deleted
        assert await uow.assets.existing(studio.id, [asset.id, base.id]) == {base.id}
        assert (await uow.assets.dependents(studio.id, base.id, KeysetWindow())).items == ()
    assert ids(await listed(persistence, studio.id, tag="junk")) == []
    assert ids(await listed(persistence, studio.id, words=("prop",))) == []
    assert ids(await listed(persistence, studio.id)) == [base.id]
    restored = await save(persistence, deleted.restored(at=make.at(6)), expected_revision=2)
    assert await get(persistence, asset) == restored
    assert ids(await listed(persistence, studio.id, tag="junk")) == [asset.id]
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.assets.existing(studio.id, [asset.id]) == {asset.id}
        page = await uow.assets.dependents(studio.id, base.id, KeysetWindow())
        assert page.items == (restored,)


async def test_purge_removes_the_asset_and_answers_its_versions(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    base = make.asset(user, "Base")
    doomed = make.asset(user, "Doomed", dependencies=(base.id,), current_version=3)
    kept = make.asset(user, "Kept")
    await add_assets(persistence, base, doomed, kept)
    doomed_versions = [make.asset_version(doomed, n) for n in (1, 2, 3)]
    kept_version = make.asset_version(kept, 1)
    await add_versions(persistence, *doomed_versions, kept_version)
    await save(persistence, doomed.deleted(at=make.at(9)), expected_revision=1)
    async with persistence.unit_of_work() as uow:
        removed = await uow.assets.purge(studio.id, doomed.id)
        await uow.commit()
    assert sorted(removed, key=lambda v: v.number) == doomed_versions
    async with persistence.unit_of_work() as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.get(studio.id, doomed.id, include_deleted=True)
        for number in (1, 2, 3):
            with pytest.raises(AssetVersionNotFoundError):
                await uow.assets.get_version(studio.id, doomed.id, number)
        assert await visible_versions(uow, studio.id, doomed.id) == ()
        assert edges(await uow.assets.dependencies_of(studio.id, [doomed.id])) == {}
        assert await uow.assets.existing(studio.id, [doomed.id]) == set()
        # The rest of the studio is untouched.
        assert await uow.assets.get_version(studio.id, kept.id, 1) == kept_version
        assert await uow.assets.get(studio.id, base.id) == base
    async with persistence.unit_of_work() as uow:
        with pytest.raises(AssetNotFoundError):
            await uow.assets.purge(studio.id, doomed.id)


# The dependency graph


async def test_dependencies_of_answers_the_stored_edges(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    leaf, middle = make.asset(user, "Leaf"), make.asset(user, "Middle")
    middle = replace(middle, dependencies=(leaf.id,))
    top = make.asset(user, "Top", dependencies=(middle.id, leaf.id))
    await add_assets(persistence, leaf, middle, top)
    async with persistence.unit_of_work(read_only=True) as uow:
        found = await uow.assets.dependencies_of(
            studio.id, [top.id, middle.id, leaf.id, make.new_id()]
        )
        only_top = await uow.assets.dependencies_of(studio.id, [top.id])
        nothing = await uow.assets.dependencies_of(studio.id, [])
    assert edges(found) == {top.id: {middle.id, leaf.id}, middle.id: {leaf.id}}
    assert edges(only_top) == {top.id: {middle.id, leaf.id}}
    assert edges(nothing) == {}
    # Saving replaces the edges.
    await save(persistence, replace(top, dependencies=(leaf.id,)), expected_revision=1)
    await save(persistence, replace(middle, dependencies=()), expected_revision=1)
    async with persistence.unit_of_work(read_only=True) as uow:
        found = await uow.assets.dependencies_of(studio.id, [top.id, middle.id])
        assert (await uow.assets.dependents(studio.id, middle.id, KeysetWindow())).items == ()
        assert ids((await uow.assets.dependents(studio.id, leaf.id, KeysetWindow())).items) == [
            top.id
        ]
    assert edges(found) == {top.id: {leaf.id}}


async def test_existing_answers_the_live_assets_among_those_asked(
    persistence: Persistence,
) -> None:
    studio, user = await studio_with_user(persistence)
    _, stranger = await studio_with_user(persistence)
    live = [make.asset(user, f"Live {n}") for n in range(3)]
    trashed = make.asset(user, "Trashed", deleted_at=make.at(1))
    theirs = make.asset(stranger, "Theirs")
    await add_assets(persistence, *live, trashed)
    await add_assets(persistence, theirs)
    unknown = make.new_id()
    async with persistence.unit_of_work(read_only=True) as uow:
        asked = [live[0].id, live[2].id, trashed.id, theirs.id, unknown, live[0].id]
        assert await uow.assets.existing(studio.id, asked) == {live[0].id, live[2].id}
        assert await uow.assets.existing(studio.id, iter([live[1].id])) == {live[1].id}
        assert await uow.assets.existing(studio.id, []) == set()


async def test_dependents_walk_by_id_with_keyset_windows(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    target, other = make.asset(user, "Target"), make.asset(user, "Other")
    dependents = [
        make.asset(user, f"User {n}", dependencies=(target.id,) if n % 2 else (other.id, target.id))
        for n in range(5)
    ]
    unrelated = make.asset(user, "Unrelated", dependencies=(other.id,))
    trashed = make.asset(user, "Trashed", dependencies=(target.id,), deleted_at=make.at(2))
    await add_assets(persistence, target, other, *dependents, unrelated, trashed)
    expected = sorted(dependents, key=lambda a: a.id)
    walked: list[Asset] = []
    keys: list[SortKey] = []
    after: SortKey | None = None
    async with persistence.unit_of_work(read_only=True) as uow:
        for _ in range(10):
            page = await uow.assets.dependents(studio.id, target.id, KeysetWindow(after, limit=2))
            walked.extend(page.items)
            if page.next_after is None:
                break
            keys.append(page.next_after)
            after = page.next_after
        nothing = await uow.assets.dependents(studio.id, unrelated.id, KeysetWindow())
    assert walked == expected
    assert keys == [("", expected[1].id), ("", expected[3].id)]
    assert (nothing.items, nothing.next_after) == ((), None)


# Versions


async def test_versions_round_trip_and_list_newest_first(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    asset, sibling = make.asset(user, "Rig"), make.asset(user, "Sibling")
    await add_assets(persistence, asset, sibling)
    versions = [make.asset_version(asset, n) for n in range(1, 5)]
    versions.append(
        make.asset_version(
            asset, 5, size=5 * 1024**3, note="", content_type="image/png", created_at=make.at(50)
        )
    )
    await add_versions(persistence, *versions, make.asset_version(sibling, 1))
    newest_first = versions[::-1]
    async with persistence.unit_of_work(read_only=True) as uow:
        for version in versions:
            assert await uow.assets.get_version(studio.id, asset.id, version.number) == version
        pages = [
            await uow.assets.versions(studio.id, asset.id, PageWindow(page, 2))
            for page in (1, 2, 3, 4)
        ]
        walked: list[AssetVersion] = []
        keys: list[SortKey] = []
        after: SortKey | None = None
        for _ in range(10):
            window = await uow.assets.versions(studio.id, asset.id, KeysetWindow(after, limit=2))
            walked.extend(window.items)
            if window.next_after is None:
                break
            keys.append(window.next_after)
            after = window.next_after
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert pages[0].total_pages == 3
    assert [v for p in pages for v in p.items] == newest_first
    assert pages[3].items == ()
    assert walked == newest_first
    assert keys == [(4, asset.id), (2, asset.id)]


async def test_missing_versions_are_not_found(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    asset, bare = make.asset(user, "Rig"), make.asset(user, "Bare")
    await add_assets(persistence, asset, bare)
    await add_versions(persistence, make.asset_version(asset, 1), make.asset_version(asset, 2))
    async with persistence.unit_of_work(read_only=True) as uow:
        for asset_id, number in [(asset.id, 3), (asset.id, 0), (bare.id, 1), (make.new_id(), 1)]:
            with pytest.raises(AssetVersionNotFoundError):
                await uow.assets.get_version(studio.id, asset_id, number)
        empty = await uow.assets.versions(studio.id, bare.id, PageWindow())
        assert (empty.items, empty.total) == ((), 0)


async def test_a_version_number_is_taken_once_per_asset(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    asset, sibling = make.asset(user, "Rig"), make.asset(user, "Sibling")
    await add_assets(persistence, asset, sibling)
    first = make.asset_version(asset, 1)
    await add_versions(persistence, first)
    with pytest.raises(VersionNotForwardError):
        await add_versions(persistence, make.asset_version(asset, 1, note="again"))
    await add_versions(persistence, make.asset_version(sibling, 1))  # another asset's 1 is free
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.assets.get_version(studio.id, asset.id, 1) == first
        assert (await uow.assets.versions(studio.id, asset.id, PageWindow())).total == 1


async def test_versions_reject_a_cursor_of_the_wrong_type(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    asset = make.asset(user)
    await add_assets(persistence, asset)
    async with persistence.unit_of_work(read_only=True) as uow:
        with pytest.raises(InvalidInputError) as caught:
            await uow.assets.versions(studio.id, asset.id, KeysetWindow(after=("3", asset.id)))
    assert caught.value.code == "invalid_cursor"


# Lists


@dataclass(frozen=True, slots=True)
class Seeded:
    studio: Studio
    creator: User
    colleague: User
    live: list[Asset]  # the studio's live assets; a deleted one and a stranger's exist too


async def seeded_assets(persistence: Persistence) -> Seeded:
    """Nine live assets sharing created_at, updated_at, type and status in pairs and threes."""
    studio, creator = await studio_with_user(persistence)
    _, stranger = await studio_with_user(persistence)
    colleague = make.user(studio)
    async with persistence.unit_of_work() as uow:
        await uow.users.add(colleague)
        await uow.commit()
    t, s = AssetType, AssetStatus
    rows = [
        # name, type, status, tags, owner, created, updated
        ("Red Hero Rig", t.RIG, s.DRAFT, ("hero", "rig"), creator, 0, 5),
        ("red herring", t.PROP, s.IN_REVIEW, ("fish",), creator, 0, 5),
        ("Hero Cape", t.PROP, s.APPROVED, ("hero", "cloth"), colleague, 1, 2),
        ("Émile Portrait", t.TEXTURE, s.DRAFT, (), creator, 1, 2),
        ("zebra Crossing", t.ENVIRONMENT, s.DRAFT, ("street",), colleague, 1, 7),
        ("Anvil", t.PROP, s.DRAFT, ("hero",), creator, 2, 7),
        ("Oak Tree 2", t.ENVIRONMENT, s.APPROVED, ("tree",), creator, 2, 3),
        ("Redwood", t.ENVIRONMENT, s.ARCHIVED, ("tree",), colleague, 3, 3),
        ("Straße Sign", t.PROP, s.IN_REVIEW, ("street",), creator, 3, 5),
    ]
    live = [
        make.asset(
            owner,
            name,
            type=kind,
            status=status,
            tags=tags,
            created_at=make.at(created),
            updated_at=make.at(updated),
        )
        for name, kind, status, tags, owner, created, updated in rows
    ]
    trashed = make.asset(
        creator, "Red Hero Double", type=t.RIG, tags=("hero",), deleted_at=make.at(9)
    )
    await add_assets(persistence, *live, trashed)
    await add_assets(persistence, make.asset(stranger, "Red Hero Rig", tags=("hero",)))
    return Seeded(studio, creator, colleague, live)


FILTERS: dict[str, dict[str, object]] = {
    "nothing": {},
    "type": {"type": AssetType.PROP},
    "type-none": {"type": AssetType.AUDIO},
    "status": {"status": AssetStatus.DRAFT},
    "tag": {"tag": "hero"},
    "tag-unknown": {"tag": "nope"},
    "words-prefixes": {"words": query_words("red he")},  # Red Hero Rig, red herring
    "words-one": {"words": query_words("hero")},
    "words-any-order": {"words": query_words("tree oak")},
    "words-digit": {"words": query_words("2")},
    "words-casefolded": {"words": query_words("STRASSE")},
    "words-accented": {"words": query_words("émi")},
    "words-no-accent-folding": {"words": query_words("emile")},
    "words-mid-word": {"words": query_words("erring")},
    "everything-at-once": {
        "type": AssetType.PROP,
        "status": AssetStatus.DRAFT,
        "tag": "hero",
        "words": query_words("an"),
    },
}


@pytest.mark.parametrize("name", list(FILTERS))
async def test_each_filter_finds_exactly_the_matching_assets(
    persistence: Persistence, name: str
) -> None:
    seeded = await seeded_assets(persistence)
    for owner in (None, seeded.colleague.id):
        query = AssetQuery(owner_id=owner, window=PageWindow(1, 100), **FILTERS[name])  # type: ignore[arg-type]
        expected = expected_list(seeded.live, query)
        async with persistence.unit_of_work(read_only=True) as uow:
            page = await uow.assets.list(seeded.studio.id, query)
        assert ids(page.items) == ids(expected)
        assert page.total == len(expected)
        assert list(page.items) == expected  # whole assets, not just their ids


async def test_the_filters_select_what_a_user_expects(persistence: Persistence) -> None:
    """The oracle itself, checked on the seed: the names a user would expect to see."""
    seeded = await seeded_assets(persistence)
    studio = seeded.studio.id

    async def names(**filters: object) -> set[str]:
        return {asset.name for asset in await listed(persistence, studio, **filters)}

    assert await names(words=query_words("red he")) == {"Red Hero Rig", "red herring"}
    assert await names(words=query_words("hero")) == {"Red Hero Rig", "Hero Cape"}
    assert await names(words=query_words("strasse")) == {"Straße Sign"}
    assert await names(tag="hero") == {"Red Hero Rig", "Hero Cape", "Anvil"}
    assert await names(owner_id=seeded.colleague.id, type=AssetType.ENVIRONMENT) == {
        "zebra Crossing",
        "Redwood",
    }


SORTS = [SortSpec(field, direction) for field in ASSET_SORTS for direction in Direction]


@pytest.mark.parametrize("sort", SORTS, ids=str)
async def test_page_mode_sorts_with_ties_by_id(persistence: Persistence, sort: SortSpec) -> None:
    seeded = await seeded_assets(persistence)
    expected = expected_list(seeded.live, AssetQuery(sort=sort))
    async with persistence.unit_of_work(read_only=True) as uow:
        pages = [
            await uow.assets.list(seeded.studio.id, AssetQuery(sort=sort, window=PageWindow(p, 4)))
            for p in (1, 2, 3, 4)
        ]
    assert [p.total for p in pages] == [9, 9, 9, 9]
    assert pages[0].total_pages == 3
    assert [a.name for p in pages for a in p.items] == [a.name for a in expected]
    assert pages[3].items == ()


@pytest.mark.parametrize("sort", SORTS, ids=str)
async def test_keyset_mode_walks_every_asset_once_in_order(
    persistence: Persistence, sort: SortSpec
) -> None:
    seeded = await seeded_assets(persistence)
    expected = expected_list(seeded.live, AssetQuery(sort=sort))
    walked, keys = await walk(persistence, seeded.studio.id, AssetQuery(sort=sort), limit=3)
    assert [a.name for a in walked] == [a.name for a in expected]
    # Each window's position is the (value, id) of its last asset; nine by three: two positions.
    assert keys == [sort_key(expected[2], sort), sort_key(expected[5], sort)]


async def walk(
    persistence: Persistence,
    studio_id: StudioId,
    query: AssetQuery,
    *,
    limit: int,
    start: SortKey | None = None,
) -> tuple[list[Asset], list[SortKey]]:
    """Follow keyset windows from ``start`` to the end: the assets met and the positions."""
    walked: list[Asset] = []
    keys: list[SortKey] = []
    after = start
    async with persistence.unit_of_work(read_only=True) as uow:
        for _ in range(50):
            window = KeysetWindow(after, limit=limit)
            page = await uow.assets.list(studio_id, replace(query, window=window))
            walked.extend(page.items)
            if page.next_after is None:
                return walked, keys
            assert len(page.items) == limit
            keys.append(page.next_after)
            after = page.next_after
    raise AssertionError("the walk never ended")


# Filtered lists walked with keysets: (filters on the seed, sort).
FILTERED_WALKS: dict[str, tuple[Callable[[Seeded], dict[str, object]], SortSpec]] = {
    "tag": (lambda _: {"tag": "hero"}, SortSpec("name", Direction.DESC)),
    "words": (lambda _: {"words": query_words("re")}, SortSpec("updatedAt", Direction.ASC)),
    "type": (lambda _: {"type": AssetType.ENVIRONMENT}, SortSpec("status", Direction.DESC)),
    "owner": (lambda s: {"owner_id": s.colleague.id}, SortSpec("createdAt", Direction.ASC)),
    # The filter fixes the sort value: ties all the way, broken by id.
    "type-by-type": (lambda _: {"type": AssetType.PROP}, SortSpec("type", Direction.ASC)),
    "status-by-status": (
        lambda _: {"status": AssetStatus.DRAFT},
        SortSpec("status", Direction.DESC),
    ),
}


def filtered_query(name: str, seeded: Seeded) -> AssetQuery:
    filters, sort = FILTERED_WALKS[name]
    return AssetQuery(sort=sort, **filters(seeded))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(FILTERED_WALKS))
async def test_keyset_mode_walks_a_filtered_list(persistence: Persistence, name: str) -> None:
    seeded = await seeded_assets(persistence)
    query = filtered_query(name, seeded)
    expected = expected_list(seeded.live, query)
    assert len(expected) >= 3
    walked, keys = await walk(persistence, seeded.studio.id, query, limit=2)
    assert walked == expected
    # Positions are (sort value, id), whatever the filter.
    assert keys == [sort_key(expected[i], query.sort) for i in range(1, len(expected) - 1, 2)]


@pytest.mark.parametrize("name", list(FILTERED_WALKS))
async def test_a_walk_resumes_from_any_assets_position(persistence: Persistence, name: str) -> None:
    """A position made by the key convention, (sort value, id), continues right after it."""
    seeded = await seeded_assets(persistence)
    query = filtered_query(name, seeded)
    expected = expected_list(seeded.live, query)
    async with persistence.unit_of_work(read_only=True) as uow:
        for index, asset in enumerate(expected):
            window = KeysetWindow(after=sort_key(asset, query.sort), limit=100)
            page = await uow.assets.list(seeded.studio.id, replace(query, window=window))
            assert ids(page.items) == ids(expected[index + 1 :]), asset.name


@pytest.mark.parametrize(
    "sort", [SortSpec("name", Direction.ASC), SortSpec("createdAt", Direction.DESC)], ids=str
)
async def test_a_keyset_walk_is_stable_under_inserts(
    persistence: Persistence, sort: SortSpec
) -> None:
    seeded = await seeded_assets(persistence)
    expected = expected_list(seeded.live, AssetQuery(sort=sort))
    async with persistence.unit_of_work(read_only=True) as uow:
        first = await uow.assets.list(
            seeded.studio.id, AssetQuery(sort=sort, window=KeysetWindow(limit=4))
        )
    assert first.next_after is not None
    # Someone adds one asset before the position reached and one after it.
    before, after = (
        (make.asset(seeded.creator, "AAA first"), make.asset(seeded.creator, "zzz last"))
        if sort.field == "name"
        else (
            make.asset(seeded.creator, "Newest", created_at=make.at(60)),
            make.asset(seeded.creator, "Oldest", created_at=make.at(-60)),
        )
    )
    await add_assets(persistence, before, after)
    rest, _ = await walk(
        persistence,
        seeded.studio.id,
        AssetQuery(sort=sort),
        limit=3,
        start=first.next_after,
    )
    walked = [*first.items, *rest]
    assert [a.id for a in walked if a.id not in (before.id, after.id)] == ids(expected)
    assert after.id in ids(walked)  # past the position: reached
    assert before.id not in ids(walked)  # behind it: neither repeated nor shifting anything


CURSOR_MISFITS: list[tuple[str, SortKey]] = [
    ("createdAt", ("yesterday", "00000000-0000-0000-0000-000000000000")),
    ("updatedAt", ("2026-11-01T09:30:00Z", "00000000-0000-0000-0000-000000000000")),
    ("name", (5, "00000000-0000-0000-0000-000000000000")),
    ("type", (1, "00000000-0000-0000-0000-000000000000")),
    ("status", (0, "00000000-0000-0000-0000-000000000000")),
]


@pytest.mark.parametrize(("field", "after"), CURSOR_MISFITS, ids=[f for f, _ in CURSOR_MISFITS])
async def test_a_cursor_key_of_the_wrong_type_is_an_invalid_cursor(
    persistence: Persistence, field: str, after: SortKey
) -> None:
    seeded = await seeded_assets(persistence)
    for direction in Direction:
        query = AssetQuery(sort=SortSpec(field, direction), window=KeysetWindow(after=after))
        async with persistence.unit_of_work(read_only=True) as uow:
            with pytest.raises(InvalidInputError) as caught:
                await uow.assets.list(seeded.studio.id, query)
        assert caught.value.code == "invalid_cursor"


async def test_totals_follow_every_change(persistence: Persistence) -> None:
    seeded = await seeded_assets(persistence)
    studio = seeded.studio.id
    current = {asset.id: asset for asset in seeded.live}

    async def saved(asset: Asset) -> None:
        stored = current[asset.id]
        current[asset.id] = await save(persistence, asset, expected_revision=stored.revision)

    first, second, third, fourth, fifth = seeded.live[:5]
    await saved(replace(first, status=AssetStatus.APPROVED))
    await saved(replace(second, type=AssetType.AUDIO))
    await saved(third.deleted(at=make.at(20)))
    await saved(fourth.deleted(at=make.at(20)))
    await saved(current[fourth.id].restored(at=make.at(21)))
    await saved(fifth.deleted(at=make.at(20)))
    async with persistence.unit_of_work() as uow:
        await uow.assets.purge(studio, fifth.id)
        await uow.commit()
    del current[fifth.id]
    # Writes that did not happen change nothing.
    with pytest.raises(StaleRevisionError):
        await save(persistence, replace(first, type=AssetType.VIDEO), expected_revision=1)
    with pytest.raises(AssetNameTakenError):
        await add_assets(persistence, make.asset(seeded.creator, first.name.upper()))
    async with persistence.unit_of_work() as uow:
        await uow.assets.add(make.asset(seeded.creator, "Never Committed"))
    queries: list[dict[str, object]] = [{}]
    queries += [{"type": kind} for kind in AssetType]
    queries += [{"status": status} for status in AssetStatus]
    queries += [{"type": k, "status": s} for k in TOTAL_TYPES for s in AssetStatus]
    for filters in queries:
        # The second page of one: the total cannot be read off the rows fetched.
        query = AssetQuery(window=PageWindow(2, 1), **filters)  # type: ignore[arg-type]
        expected = expected_list(current.values(), query)
        async with persistence.unit_of_work(read_only=True) as uow:
            page = await uow.assets.list(studio, query)
        assert (page.total, ids(page.items)) == (len(expected), ids(expected[1:2])), filters


TOTAL_TYPES = [AssetType.PROP, AssetType.ENVIRONMENT, AssetType.AUDIO, AssetType.RIG]


async def test_existing_and_dependencies_of_take_many_ids_at_once(
    persistence: Persistence,
) -> None:
    studio, user = await studio_with_user(persistence)
    far = [make.new_id() for _ in range(MAX_DEPENDENCIES)]
    # The most dependencies an asset may have (the ids need not exist for the repository).
    hub = make.asset(user, "Hub", dependencies=tuple(far))
    spokes = [make.asset(user, f"Spoke {n}", dependencies=(hub.id,)) for n in range(3)]
    await add_assets(persistence, hub, *spokes)
    assert await get(persistence, hub) == hub
    asked = [make.new_id() for _ in range(1_200)]
    for position, spoke in zip((0, 500, 1_199), spokes, strict=True):
        asked[position] = spoke.id
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.assets.existing(studio.id, asked) == {s.id for s in spokes}
        found = await uow.assets.dependencies_of(studio.id, [*asked, hub.id])
        dependents = await uow.assets.dependents(studio.id, hub.id, KeysetWindow(limit=100))
    assert edges(found) == {hub.id: set(far), **{s.id: {hub.id} for s in spokes}}
    assert found[hub.id] == tuple(far)
    assert ids(dependents.items) == sorted(s.id for s in spokes)


async def test_saved_changes_move_an_asset_between_filters(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    colleague = make.user(studio)
    async with persistence.unit_of_work() as uow:
        await uow.users.add(colleague)
        await uow.commit()
    asset = make.asset(user, "Red Hero Rig", type=AssetType.RIG, tags=("hero", "wip"))
    await add_assets(persistence, asset)
    changed = replace(
        asset,
        name="Blue Villain",
        type=AssetType.CHARACTER,
        status=AssetStatus.IN_REVIEW,
        owner_id=colleague.id,
        tags=("villain",),
        updated_at=make.at(40),
    )
    await save(persistence, changed, expected_revision=1)
    gone: list[dict[str, object]] = [
        {"words": query_words("red")},
        {"words": query_words("hero")},
        {"tag": "hero"},
        {"tag": "wip"},
        {"type": AssetType.RIG},
        {"status": AssetStatus.DRAFT},
        {"owner_id": user.id},
    ]
    found: list[dict[str, object]] = [
        {"words": query_words("blue vil")},
        {"tag": "villain"},
        {"type": AssetType.CHARACTER},
        {"status": AssetStatus.IN_REVIEW},
        {"owner_id": colleague.id},
    ]
    for filters in gone:
        assert await listed(persistence, studio.id, **filters) == [], filters
    for filters in found:
        assert ids(await listed(persistence, studio.id, **filters)) == [asset.id], filters
    by_update = SortSpec("updatedAt", Direction.DESC)
    walked, _ = await walk(persistence, studio.id, AssetQuery(sort=by_update), limit=1)
    assert ids(walked) == [asset.id]
    async with persistence.unit_of_work(read_only=True) as uow:
        page = await uow.assets.list(
            studio.id, AssetQuery(sort=by_update, window=KeysetWindow(limit=1))
        )
    assert page.next_after is None  # the only asset: no window after it
