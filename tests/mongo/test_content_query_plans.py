"""Every series and episode list the adapter runs is served by an index of ours.

The finds come from ``content.listing``, the functions the repositories run, so what is checked
here is exactly what runs: each list with each filter (and none), each sort, both directions,
first page and a keyset window.

- Always: an index of ours has the list's equality fields first (in any order), then its sort
  fields (then a ``q`` search's ``words``), so a page is read in index order.
- Against a real MongoDB (``TEST_MONGODB_URI``): the planner's winning plan is an index scan of
  ours, never a collection scan, with no sort step unless the list is a ``q`` search. mongoeco
  has no planner (its ``explain`` describes a Python scan, filter and sort); that is asserted.
"""

import uuid
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from adapters.persistence.mongo.content.listing import (
    EPISODE_SORT_FIELDS,
    INSTANTS,
    SERIES_SORT_FIELDS,
    ContentFind,
    own_series_find,
    pending_episodes_find,
    pending_series_find,
    published_series_find,
    series_episodes_find,
)
from adapters.persistence.mongo.content.mapping import episode_to_doc, series_to_doc
from adapters.persistence.mongo.indexes import EPISODES, INDEXES, SERIES
from adapters.persistence.mongo.persistence import MongoPersistence
from adapters.persistence.mongo.shared.keyset import sort_key
from application.content.ports import (
    EPISODE_SORTS,
    OWN_SERIES_SORTS,
    PENDING_SORTS,
    PUBLISHED_SERIES_SORTS,
    EpisodeQuery,
    OwnSeriesQuery,
    PendingQuery,
    PublishedSeriesQuery,
)
from domain.content.model import Episode, EpisodeStatus, Series, SeriesStatus
from domain.content.values import query_words
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec, Window
from tests.mongo.conftest import MongoServer
from tests.mongo.test_asset_query_plans import stages
from tests.support import builders
from tests.support import content as make

pytestmark = pytest.mark.anyio

OURS = {
    collection: {s.name for s in INDEXES if s.collection == collection}
    for collection in (SERIES, EPISODES)
}
STUDIO = StudioId(builders.new_id())
TENANT = uuid.UUID(STUDIO)
OWNER = UserId(builders.new_id())
OTHER = UserId(builders.new_id())
TAGS = ["romance", "revenge", "ceo"]
TITLES = ["Love in Seoul", "Seoul Revenge", "The CEO's Love", "Lovely Paris", "Revenge"]


def seeded() -> tuple[list[Series], list[Episode]]:
    statuses = list(SeriesStatus)
    series = []
    for n in range(40):
        status = statuses[n % len(statuses)]
        published = status is SeriesStatus.PUBLISHED
        series.append(
            make.series(
                STUDIO,
                OWNER if n % 3 else OTHER,
                f"{TITLES[n % len(TITLES)]} {n}",
                status=status,
                published_episodes=n % 2 if published else 0,
                published_by_hand=published and n % 2 == 0,
                tags=(TAGS[n % 3], TAGS[(n + 1) % 3]),
                popularity=n % 4,
                submitted_at=builders.at(n % 6) if status is not SeriesStatus.DRAFT else None,
                published_at=builders.at(n % 5) if published else None,
                created_at=builders.at(n % 7),
                updated_at=builders.at(n % 5),
            )
        )
    episode_statuses = list(EpisodeStatus)
    episodes = [
        make.episode(
            series[n % 4],
            n + 1,
            status=episode_statuses[n % len(episode_statuses)],
            submitted_at=builders.at(n % 3),
        )
        for n in range(40)
    ]
    return series, episodes


SAMPLE_SERIES = make.series(STUDIO, OWNER, "Love", SeriesStatus.PUBLISHED, published_episodes=1)
SAMPLE_EPISODE = make.episode(SAMPLE_SERIES, 3, status=EpisodeStatus.PENDING)


def windows(key: tuple[str | int, str]) -> dict[str, Window]:
    return {"page": PageWindow(1, 5), "key": KeysetWindow(key, limit=5)}


def series_key(sort: SortSpec) -> tuple[str | int, str]:
    return sort_key(SERIES_SORT_FIELDS[sort.field], series_to_doc(SAMPLE_SERIES), instants=INSTANTS)


def episode_key(sort: SortSpec) -> tuple[str | int, str]:
    return sort_key(
        EPISODE_SORT_FIELDS[sort.field], episode_to_doc(SAMPLE_EPISODE), instants=INSTANTS
    )


def lists() -> Iterator[tuple[str, str, ContentFind, bool]]:
    """(what, collection, find, whether it is a q search) for every list the ports offer."""
    series = uuid.UUID(SAMPLE_SERIES.id)
    for status, field, direction in product(
        (None, SeriesStatus.DRAFT), OWN_SERIES_SORTS, Direction
    ):
        sort = SortSpec(field, direction)
        for mode, window in windows(series_key(sort)).items():
            own = OwnSeriesQuery(owner_id=OWNER, status=status, sort=sort, window=window)
            yield (
                f"own status={status} {sort} {mode}",
                SERIES,
                own_series_find(TENANT, own),
                False,
            )
    for field, direction in product(PENDING_SORTS, Direction):
        sort = SortSpec(field, direction)
        for mode, window in windows(series_key(sort)).items():
            pending = PendingQuery(sort=sort, window=window)
            yield (
                f"pending series {sort} {mode}",
                SERIES,
                pending_series_find(TENANT, pending),
                False,
            )
        for mode, window in windows(episode_key(sort)).items():
            pending = PendingQuery(sort=sort, window=window)
            find = pending_episodes_find(TENANT, pending)
            yield f"pending episodes {sort} {mode}", EPISODES, find, False
    searches: dict[str, dict[str, Any]] = {
        "nothing": {},
        "tag": {"tag": "romance"},
        "words": {"words": query_words("lov seo")},
        "tag and words": {"tag": "romance", "words": query_words("lov")},
    }
    for (name, search), field, direction in product(
        searches.items(), PUBLISHED_SERIES_SORTS, Direction
    ):
        sort = SortSpec(field, direction)
        for mode, window in windows(series_key(sort)).items():
            catalogue = PublishedSeriesQuery(sort=sort, window=window, **search)
            find = published_series_find(TENANT, catalogue)
            # A search with a tag is served in order by the tag's index; words alone are not.
            yield f"catalogue {name} {sort} {mode}", SERIES, find, name == "words"
    for published_only, field, direction in product((False, True), EPISODE_SORTS, Direction):
        sort = SortSpec(field, direction)
        for mode, window in windows(episode_key(sort)).items():
            query = EpisodeQuery(published_only=published_only, sort=sort, window=window)
            find = series_episodes_find(TENANT, series, query)
            yield f"episodes published_only={published_only} {sort} {mode}", EPISODES, find, False


def equalities(match: dict[str, Any]) -> set[str]:
    """The fields a find compares for equality (operators and keyset conditions aside)."""
    return {
        field
        for field, value in match.items()
        if not field.startswith("$") and not isinstance(value, dict)
    }


def serving_indexes(collection: str, find: ContentFind, search: bool) -> list[str]:
    """Our indexes with the find's equality fields first, then its sort (or ``words``)."""
    equal = equalities(find.match)
    after = ("words",) if search else tuple(field for field, _ in find.order)
    return [
        spec.name
        for spec in INDEXES
        if spec.collection == collection
        and set(spec.fields[: len(equal)]) == equal
        and spec.fields[len(equal) : len(equal) + len(after)] == after
    ]


def test_every_list_filter_and_sort_has_its_index() -> None:
    checked, serving = 0, set()
    for what, collection, find, search in lists():
        names = serving_indexes(collection, find, search)
        assert names, what
        assert "studio_id" in equalities(find.match), what  # scoped by the tenant
        serving.update(names)
        checked += 1
    assert checked == 24 + 8 + 48 + 8
    # And no index of ours goes unused: each serves a list.
    assert serving == OURS[SERIES] | OURS[EPISODES]
    # MongoDB allows 64 indexes per collection, _id_ included.
    assert all(len(names) + 1 <= 64 for names in OURS.values())


def test_visible_and_pending_are_equalities_on_stored_fields() -> None:
    """The catalogue and the queues name what they show by equality: no $ne, no $in."""
    catalogue = published_series_find(TENANT, PublishedSeriesQuery())
    assert catalogue.match == {"studio_id": TENANT, "visible": True}
    assert pending_series_find(TENANT, PendingQuery()).match["status"] == "pending"
    assert pending_episodes_find(TENANT, PendingQuery()).match["status"] == "pending"


@pytest.mark.mongoeco_gap(
    reason="mongoeco has no query planner: its explain reports a Python scan, filter and "
    "sort for every find; only a real MongoDB can show which index a list uses"
)
async def test_every_content_list_is_an_index_scan_of_ours(
    server: MongoServer, mongo: MongoPersistence, database_name: str
) -> None:
    series, episodes = seeded()
    # mongoeco's explain is the same with or without data: seed only the real server.
    async with mongo.unit_of_work() as uow:
        for item in [] if server.is_mongoeco else series:
            await uow.series.add(item)
        for episode in [] if server.is_mongoeco else episodes:
            await uow.episodes.add(episode)
        await uow.commit()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        server.uri, uuidRepresentation="standard"
    )
    try:
        database = client[database_name]

        async def explain(collection: str, find: ContentFind) -> dict[str, Any]:
            cursor = database[collection].find(find.match).sort(find.order).limit(5)
            explained: dict[str, Any] = await cursor.explain()
            return explained

        if server.is_mongoeco:
            find = published_series_find(TENANT, PublishedSeriesQuery(tag="romance"))
            explained = await explain(SERIES, find)
            assert "queryPlanner" not in explained
            phases = [step["phase"] for step in explained["execution_lineage"]]
            assert phases[:3] == ["scan", "filter", "sort"]
            return

        for what, collection, find, search in lists():
            planned = list(stages((await explain(collection, find))["queryPlanner"]["winningPlan"]))
            kinds = [stage["stage"] for stage in planned]
            used = {stage.get("indexName") for stage in planned if stage["stage"] == "IXSCAN"}
            where = f"{what}: {kinds} {used}"
            assert "COLLSCAN" not in kinds, where
            assert used, where
            assert used <= OURS[collection], where
            if not search and what.endswith("page"):
                assert "SORT" not in kinds, where
    finally:
        await client.close()
