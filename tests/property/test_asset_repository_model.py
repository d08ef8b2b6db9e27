"""A state machine drives random asset writes and lists on the adapters against a dict model.

Creates, edits, soft deletes, restores and purges assets in two studios, and after each step
may list them with random filters, sorts and windows (page mode and whole keyset walks). The
model answers with ``tests.support.asset_model`` (``matches_query`` for words, (key, id)
order); names are unique per studio without regard to case, deleted ones included.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from application.assets.ports import ASSET_SORTS, AssetQuery
from application.shared.ports import Persistence, UnitOfWork
from domain.assets.errors import AssetNameTakenError, AssetNotFoundError
from domain.assets.model import Asset, AssetId, AssetStatus, AssetType, name_key, query_words
from domain.identity.model import Studio, User
from domain.shared.ids import StudioId
from domain.shared.paging import Direction, KeysetWindow, Page, PageWindow, SortKey, SortSpec
from tests.support import builders as make
from tests.support.asset_model import expected_list
from tests.support.persistence import open_persistence

# Words that make names collide without regard to case ("Straße" and "STRASSE" too), share
# prefixes ("Red", "Redwood") and need case folding to be found. Distinct names end in a number.
NAME_WORDS = ["Red", "red", "Redwood", "Hero", "Héros", "Rig", "Straße", "STRASSE", "Oak", "2"]
# Prefixes that should find names, and inner parts ("ero", "wood") that should not.
SEARCH_WORDS = ["re", "red", "he", "hero", "hé", "rig", "stras", "straß", "oak", "2", "ero", "wood"]
TAGS = ["hero", "tree", "wip"]
TYPES = [AssetType.RIG, AssetType.PROP, AssetType.CHARACTER]
SORTS = [SortSpec(field, direction) for field in ASSET_SORTS for direction in Direction]

names = st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join)
tag_sets = st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple)
seconds = st.integers(0, 3)  # few instants: many ties, broken by id


@dataclass(frozen=True, slots=True)
class AssetSpec:
    studio: int  # which of the two studios
    name: str
    distinct: bool  # made distinct by a number, or left to collide
    type: AssetType
    status: AssetStatus
    tags: tuple[str, ...]
    owner: int  # which of the studio's two users
    created: int
    updated: int


asset_specs = st.builds(
    AssetSpec,
    studio=st.integers(0, 1),
    name=names,
    distinct=st.booleans(),
    type=st.sampled_from(TYPES),
    status=st.sampled_from(list(AssetStatus)),
    tags=tag_sets,
    owner=st.integers(0, 1),
    created=seconds,
    updated=seconds,
)


@dataclass(frozen=True, slots=True)
class Filters:
    type: AssetType | None
    status: AssetStatus | None
    tag: str | None
    owner: int | None  # which of the studio's users (2 is a stranger's)
    words: tuple[str, ...]


FILTER_KINDS = ("type", "status", "tag", "owner", "words")


@st.composite
def filters(draw: st.DrawFn) -> Filters:
    """At most two filters at once, so that lists keep enough assets to page through."""
    chosen = draw(st.lists(st.sampled_from(FILTER_KINDS), max_size=2, unique=True))
    search = st.lists(st.sampled_from(SEARCH_WORDS), min_size=1, max_size=2)
    return Filters(
        type=draw(st.sampled_from(TYPES)) if "type" in chosen else None,
        status=draw(st.sampled_from(list(AssetStatus))) if "status" in chosen else None,
        tag=draw(st.sampled_from([*TAGS, "nope"])) if "tag" in chosen else None,
        owner=draw(st.integers(0, 2)) if "owner" in chosen else None,
        words=query_words(" ".join(draw(search))) if "words" in chosen else (),
    )


async def add_studio(uow: UnitOfWork, *, studio: Studio, people: list[User]) -> None:
    await uow.studios.add(studio)
    for user in people:
        await uow.users.add(user)


async def list_assets(uow: UnitOfWork, *, studio_id: StudioId, query: AssetQuery) -> Page[Asset]:
    return await uow.assets.list(studio_id, query)


async def existing(
    uow: UnitOfWork, *, studio_id: StudioId, asset_ids: list[AssetId]
) -> set[AssetId]:
    return await uow.assets.existing(studio_id, asset_ids)


# (examples, steps) per adapter: mongoeco's wire server is the slow one.
BUDGET = {"sqlite-memory": (50, 35), "mongo": (6, 25)}


class AssetStoreMachine(RuleBasedStateMachine):
    # Set by each test: opens a fresh, empty store of one adapter.
    open_store: ClassVar[Callable[[], AbstractAsyncContextManager[Persistence]]]

    assets = Bundle("assets")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.store_context = type(self).open_store()
        self.store: Persistence = self.runner.run(self.store_context.__aenter__())
        self.studios: list[Studio] = []
        self.users: dict[str, list[User]] = {}  # studio id -> its two users
        self.model: dict[str, dict[AssetId, Asset]] = {}  # studio id -> asset id -> asset
        self.made = 0

    def teardown(self) -> None:
        try:
            self.runner.run(self.store_context.__aexit__(None, None, None))
        finally:
            self.runner.close()

    def write[T](self, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async def go() -> T:
            async with self.store.unit_of_work() as uow:
                result = await step(uow)
                await uow.commit()
                return result

        return self.runner.run(go())

    def read[T](self, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async def go() -> T:
            async with self.store.unit_of_work(read_only=True) as uow:
                return await step(uow)

        return self.runner.run(go())

    def new_asset_id(self) -> AssetId:
        """Deterministic ids (so failures replay) whose order is not the order of creation."""
        self.made += 1
        return str(uuid.UUID(int=(self.made * 0x9E3779B97F4A7C15F39CC0605CEDC835) % 2**128))

    @initialize(target=assets, seed=st.lists(asset_specs, min_size=4, max_size=14))
    def two_studios_with_assets(self, seed: list[AssetSpec]) -> MultipleResults[Asset]:
        for slug in ("north", "south"):
            studio = make.studio(slug)
            people = [make.user(studio), make.user(studio)]
            self.write(partial(add_studio, studio=studio, people=people))
            self.studios.append(studio)
            self.users[studio.id] = people
            self.model[studio.id] = {}
        created = (self.add(spec) for spec in seed)
        return multiple(*(asset for asset in created if asset is not None))

    def name_taken(self, studio_id: str, name: str, by_other_than: AssetId) -> bool:
        key = name_key(name)
        return any(
            name_key(a.name) == key and a.id != by_other_than
            for a in self.model[studio_id].values()
        )

    @rule(target=assets, spec=asset_specs)
    def create(self, spec: AssetSpec) -> Asset | None:
        return self.add(spec)

    def add(self, spec: AssetSpec) -> Asset | None:
        studio = self.studios[spec.studio]
        asset_id = self.new_asset_id()
        name = f"{spec.name} {self.made}" if spec.distinct else spec.name
        asset = make.asset(
            self.users[studio.id][spec.owner],
            name,
            id=asset_id,
            type=spec.type,
            status=spec.status,
            tags=spec.tags,
            created_at=make.at(spec.created),
            updated_at=make.at(spec.updated),
        )
        taken = self.name_taken(studio.id, name, by_other_than=asset.id)
        try:
            self.write(lambda uow: uow.assets.add(asset))
        except AssetNameTakenError:
            assert taken, f"{name!r} is free in the model"
            return None
        assert not taken, f"{name!r} was taken, yet added"
        self.model[studio.id][asset.id] = asset
        return asset

    @rule(
        asset=assets,
        name=st.none() | names,
        kind=st.sampled_from(TYPES),
        status=st.sampled_from(list(AssetStatus)),
        tags=tag_sets,
        owner=st.integers(0, 1),
        updated=seconds,
    )
    def edit(
        self,
        asset: Asset | None,
        name: str | None,
        kind: AssetType,
        status: AssetStatus,
        tags: tuple[str, ...],
        owner: int,
        updated: int,
    ) -> None:
        if asset is None:
            return
        current = self.model[asset.studio_id].get(asset.id)
        base = current or asset
        changed = replace(
            base,
            name=name or base.name,
            type=kind,
            status=status,
            tags=tags,
            owner_id=self.users[asset.studio_id][owner].id,
            updated_at=make.at(updated),
        )
        self.save(asset, current, changed)

    @rule(asset=assets, deleted=st.booleans(), when=seconds)
    def delete_or_restore(self, asset: Asset | None, deleted: bool, when: int) -> None:
        if asset is None:
            return
        current = self.model[asset.studio_id].get(asset.id)
        base = current or asset
        at = make.at(10 + when)
        self.save(asset, current, base.deleted(at=at) if deleted else base.restored(at=at))

    def save(self, asset: Asset, current: Asset | None, changed: Asset) -> None:
        revision = changed.revision
        try:
            saved = self.write(lambda uow: uow.assets.save(changed, expected_revision=revision))
        except AssetNotFoundError:
            assert current is None, "a stored asset was not found"
            return
        except AssetNameTakenError:
            assert current is not None
            assert self.name_taken(asset.studio_id, changed.name, by_other_than=asset.id)
            return
        assert current is not None, "a purged asset was saved"
        assert not self.name_taken(asset.studio_id, changed.name, by_other_than=asset.id)
        assert saved == replace(changed, revision=revision + 1)
        self.model[asset.studio_id][asset.id] = saved

    @rule(asset=consumes(assets))
    def purge_if_deleted(self, asset: Asset | None) -> None:
        if asset is None:
            return
        current = self.model[asset.studio_id].get(asset.id)
        if current is not None and current.deleted_at is None:
            return  # only deleted assets are purged (the use case's rule)
        try:
            self.write(lambda uow: uow.assets.purge(asset.studio_id, asset.id))
        except AssetNotFoundError:
            assert current is None
            return
        assert current is not None
        del self.model[asset.studio_id][asset.id]

    def query_for(self, studio: Studio, chosen: Filters, sort: SortSpec) -> AssetQuery:
        owners = [*self.users[studio.id], *self.users[self.other(studio).id]]
        return AssetQuery(
            type=chosen.type,
            status=chosen.status,
            tag=chosen.tag,
            owner_id=None if chosen.owner is None else owners[chosen.owner].id,
            words=chosen.words,
            sort=sort,
        )

    def other(self, studio: Studio) -> Studio:
        return next(s for s in self.studios if s.id != studio.id)

    @rule(
        which=st.integers(0, 1),
        chosen=filters(),
        sort=st.sampled_from(SORTS),
        page=st.integers(1, 4),
        limit=st.integers(1, 4),
    )
    def list_a_page(
        self, which: int, chosen: Filters, sort: SortSpec, page: int, limit: int
    ) -> None:
        studio = self.studios[which]
        query = replace(self.query_for(studio, chosen, sort), window=PageWindow(page, limit))
        result = self.read(lambda uow: uow.assets.list(studio.id, query))
        expected = expected_list(self.model[studio.id].values(), query)
        assert result.total == len(expected)
        assert list(result.items) == expected[(page - 1) * limit : page * limit]

    @rule(
        which=st.integers(0, 1),
        chosen=filters(),
        sort=st.sampled_from(SORTS),
        limit=st.integers(1, 3),
    )
    def walk_with_keysets(self, which: int, chosen: Filters, sort: SortSpec, limit: int) -> None:
        studio = self.studios[which]
        query = self.query_for(studio, chosen, sort)
        expected = expected_list(self.model[studio.id].values(), query)
        walked: list[Asset] = []
        after: SortKey | None = None
        for _ in range(len(expected) + 2):
            window = replace(query, window=KeysetWindow(after, limit=limit))
            result = self.read(partial(list_assets, studio_id=studio.id, query=window))
            walked.extend(result.items)
            if result.next_after is None:
                break
            after = result.next_after
        assert walked == expected

    @invariant()
    def each_studio_sees_exactly_its_live_assets(self) -> None:
        if not self.studios:
            return
        everyone = [asset_id for assets in self.model.values() for asset_id in assets]
        for studio in self.studios:
            live = {a.id for a in self.model[studio.id].values() if a.deleted_at is None}
            found = self.read(partial(existing, studio_id=studio.id, asset_ids=everyone))
            assert found == live


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(BUDGET))
def test_asset_lists_behave_like_the_model(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    examples, steps = BUDGET[kind]

    class Machine(AssetStoreMachine):
        open_store = staticmethod(
            lambda: open_persistence(kind, tmp_path, lambda: request.getfixturevalue("mongo_uri"))
        )

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
