"""Every asset list the adapter runs is an index scan of ours, never a collection scan.

The finds come from ``asset_list_find``, the function the repository runs, so what is explained
here is exactly what runs: each filter (and none) with each sort, both directions, first page
and a keyset window. Without a search (``q``), the index also gives the order: no sort step.

Only a real MongoDB (``TEST_MONGODB_URI``) has a query planner to ask. mongoeco's ``explain``
describes a Python scan, filter and sort whatever the indexes; that is asserted instead.
"""

import uuid
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from adapters.persistence.mongo.assets.listing import AssetFind, asset_list_find
from adapters.persistence.mongo.indexes import ASSETS, INDEXES
from adapters.persistence.mongo.persistence import MongoPersistence
from application.assets.ports import ASSET_SORTS, AssetQuery
from domain.assets.model import Asset, AssetStatus, AssetType, query_words
from domain.identity.model import User
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec
from tests.mongo.conftest import MongoServer
from tests.support import builders as make
from tests.support.asset_model import sort_key

pytestmark = pytest.mark.anyio

ASSET_INDEXES = {spec.name for spec in INDEXES if spec.collection == ASSETS}
TYPES, STATUSES = list(AssetType), list(AssetStatus)
TAGS = ["hero", "prop", "tree", "rig"]


def filters(owner: str) -> dict[str, dict[str, Any]]:
    return {
        "nothing": {},
        "type": {"type": AssetType.PROP},
        "status": {"status": AssetStatus.DRAFT},
        "owner": {"owner_id": owner},
        "tag": {"tag": "hero"},
        "words": {"words": query_words("red he")},
    }


def stages(plan: Any) -> Iterator[dict[str, Any]]:
    """Every stage of a plan, however the server nests them (inputStage(s), queryPlan...)."""
    if isinstance(plan, dict):
        if "stage" in plan:
            yield plan
        for value in plan.values():
            yield from stages(value)
    elif isinstance(plan, list):
        for value in plan:
            yield from stages(value)


def seeded(owner_a: User, owner_b: User) -> list[Asset]:
    return [
        make.asset(
            owner_a if n % 3 else owner_b,
            f"{['Red', 'Blue', 'Green'][n % 3]} Hero {n}",
            type=TYPES[n % len(TYPES)],
            status=STATUSES[n % len(STATUSES)],
            tags=(TAGS[n % 4], TAGS[(n + 1) % 4]),
            created_at=make.at(n % 7),
            updated_at=make.at(n % 5),
            deleted_at=make.at(9) if n % 10 == 0 else None,
        )
        for n in range(60)
    ]


@pytest.mark.mongoeco_gap(
    reason="mongoeco has no query planner: its explain reports a Python scan, filter and "
    "sort for every find; only a real MongoDB can show which index a list uses"
)
async def test_every_asset_list_is_an_index_scan_of_ours(
    server: MongoServer, mongo: MongoPersistence, database_name: str
) -> None:
    studio = make.studio()
    ada, bob = make.user(studio), make.user(studio)
    assets = seeded(ada, bob)
    # mongoeco's explain is the same with or without data: seed only the real server.
    async with mongo.unit_of_work() as uow:
        for asset in [] if server.is_mongoeco else assets:
            await uow.assets.add(asset)
        await uow.commit()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        server.uri, uuidRepresentation="standard"
    )
    try:
        collection = client[database_name][ASSETS]
        tenant = uuid.UUID(studio.id)

        async def explain(query: AssetQuery) -> dict[str, Any]:
            find = asset_list_find(tenant, query)
            assert isinstance(find, AssetFind)
            cursor = collection.find(find.match).sort(find.order).limit(query.window.limit)
            explained: dict[str, Any] = await cursor.explain()
            return explained

        if server.is_mongoeco:
            explained = await explain(AssetQuery(tag="hero", sort=SortSpec("name")))
            assert "queryPlanner" not in explained
            assert [step["phase"] for step in explained["execution_lineage"]][:3] == [
                "scan",
                "filter",
                "sort",
            ]
            return

        combinations = product(filters(ada.id).items(), ASSET_SORTS, Direction, ("page", "key"))
        for (name, given), field, direction, mode in combinations:
            sort = SortSpec(field, direction)
            window = (
                PageWindow(1, 5)
                if mode == "page"
                else KeysetWindow(sort_key(assets[1], sort), limit=5)
            )
            query = AssetQuery(sort=sort, window=window, **given)
            planned = list(stages((await explain(query))["queryPlanner"]["winningPlan"]))
            kinds = [stage["stage"] for stage in planned]
            used = {stage.get("indexName") for stage in planned if stage["stage"] == "IXSCAN"}
            where = f"{name} sorted by {sort} ({mode}): {kinds} {used}"
            assert "COLLSCAN" not in kinds, where
            assert used, where
            assert used <= ASSET_INDEXES, where
            if name != "words" and mode == "page":
                assert "SORT" not in kinds, where
    finally:
        await client.close()
