"""Every asset list the API offers is served by an index on SQLite.

The statements come from ``asset_list_statements``, the function the repository runs, for every
filter combination x sort x direction x window (first page, a deep page, a cursor page), on
an empty schema and after ``ANALYZE`` on a populated one:

- nothing scans the assets table;
- lists filtered by nothing, ``type``, ``status`` or ``owner`` read in index order (no sort
  step), so their cost does not grow with the studio;
- ``tag`` and ``q`` lists start from an index search on the terms (then sort their matches).
"""

import random
import sqlite3
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest

from adapters.persistence.sqlite.assets import asset_list_statements, asset_to_row
from adapters.persistence.sqlite.listing import prefix_range
from adapters.persistence.sqlite.migrations import apply_migrations
from application.assets.ports import ASSET_SORTS, AssetQuery
from domain.assets.model import AssetStatus, AssetType
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec, Window
from tests.support import builders as make

STUDIO = StudioId("00000000-0000-7000-8000-000000000001")
OWNER = UserId("00010001-0000-7000-8000-000000000000")
KEY_VALUES: dict[str, str | int] = {
    "name": "m",
    "createdAt": 1_000,
    "updatedAt": 1_000,
    "type": "prop",
    "status": "draft",
}
FILTERS: list[dict[str, Any]] = [
    {},
    {"type": AssetType.PROP},
    {"status": AssetStatus.DRAFT},
    {"owner_id": OWNER},
    {"type": AssetType.PROP, "status": AssetStatus.DRAFT},
    {"type": AssetType.RIG, "owner_id": OWNER},
    {"tag": "forest"},
    {"tag": "forest", "type": AssetType.PROP},
    {"words": ("tre",)},
    {"words": ("red", "her")},
    {"words": ("her",), "status": AssetStatus.APPROVED},
]


def windows(sort: str, fixed: bool) -> list[Window]:
    value: str | int = "00000000-0000-7000-8000-0000000000aa" if fixed else KEY_VALUES[sort]
    after = (value, "00000000-0000-7000-8000-0000000000aa")
    return [PageWindow(1, 20), PageWindow(50, 20), KeysetWindow(after=after, limit=20)]


@pytest.fixture(params=["empty", "analyzed"])
def connection(request: pytest.FixtureRequest) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", autocommit=True)
    apply_migrations(db)
    if request.param == "analyzed":
        _populate(db)
        db.execute("ANALYZE")
    yield db
    db.close()


def _populate(db: sqlite3.Connection) -> None:
    rng = random.Random(7)
    studio = make.studio(id=STUDIO)
    people = [make.user(studio, id=OWNER), *(make.user(studio) for _ in range(5))]
    rows, terms = [], []
    for i in range(3000):
        asset = make.asset(
            rng.choice(people),
            f"{rng.choice(['Red', 'Blue', 'Old'])} {rng.choice(['Tree', 'Hero', 'Rock'])} {i}",
            type=rng.choice(list(AssetType)),
            status=rng.choice(list(AssetStatus)),
            tags=tuple(rng.sample(["forest", "hero", "night", "sea"], 2)),
        )
        rows.append(asset_to_row(asset))
        terms += [(STUDIO, "tag", tag, asset.id) for tag in asset.tags]
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO assets VALUES ({', '.join('?' * len(rows[0]))})", rows)
    db.executemany("INSERT INTO asset_terms VALUES (?, ?, ?, ?)", terms)
    db.execute("COMMIT")


def plan(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> str:
    return " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_every_asset_list_is_served_by_an_index(
    connection: sqlite3.Connection, filters: dict[str, Any]
) -> None:
    searched = "tag" in filters or "words" in filters
    for sort, direction in product(ASSET_SORTS, Direction):
        fixed = (sort == "type" and "type" in filters) or (sort == "status" and "status" in filters)
        for window in windows(sort, fixed):
            query = AssetQuery(sort=SortSpec(sort, direction), window=window, **filters)
            statements = asset_list_statements(STUDIO, query)
            shown = plan(connection, statements.select.sql, statements.select.params)
            where = f"{filters} {sort}:{direction} {window}: {shown}"
            assert "SCAN a" not in shown, where
            assert "SCAN assets" not in shown, where
            if searched:
                assert "SEARCH t USING" in shown or "SEARCH asset_terms USING" in shown, where
            else:
                assert "TEMP B-TREE" not in shown, where
                assert "USING INDEX assets_live" in shown, where
            if statements.count is not None:
                counted = plan(connection, statements.count.sql, statements.count.params)
                assert "SCAN assets" not in counted, (where, counted)


def test_prefix_ranges_hold_exactly_the_strings_that_start_with_the_prefix() -> None:
    assert prefix_range("her") == ("her", "hes")
    assert prefix_range("a\U0010ffff") == ("a\U0010ffff", "b")
    assert prefix_range("\U0010ffff") == ("\U0010ffff", None)
    assert prefix_range("\ud7ff"[0]) == ("\ud7ff", "\ue000")
