"""Every series and episode list is served by an index on SQLite.

The statements come from the functions the repositories run (``adapters/persistence/sqlite/
content.py``), for every list x sort x direction x window (first page, a deep page, a cursor
page), on an empty schema and after ``ANALYZE`` on a populated one:

- nothing scans the series or episodes table;
- lists without a tag or q search read in index order (no sort step), so their cost does not
  grow with the studio;
- catalogue ``tag`` and ``q`` searches start from an index search on the terms.
"""

import random
import sqlite3
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest

from adapters.persistence.sqlite.content import (
    episode_to_row,
    own_series_statements,
    pending_episodes_statements,
    pending_series_statements,
    published_series_statements,
    series_episodes_statements,
    series_to_row,
)
from adapters.persistence.sqlite.listing import ListStatements
from adapters.persistence.sqlite.migrations import apply_migrations
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
from domain.content.model import EpisodeStatus, SeriesStatus
from domain.content.values import title_words
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec, Window
from tests.support import content as make

STUDIO = StudioId("00000000-0000-7000-8000-000000000001")
OWNER = UserId("00010001-0000-7000-8000-000000000000")
SERIES = "00000000-0000-7000-8000-0000000000bb"
ANY_ID = "00000000-0000-7000-8000-0000000000aa"
KEY_VALUES: dict[str, str | int] = {
    "createdAt": 1_000,
    "updatedAt": 1_000,
    "title": "m",
    "publishedAt": 1_000,
    "popularity": 3,
    "submittedAt": 1_000,
    "number": 7,
}


def windows(sort: str) -> list[Window]:
    after = (KEY_VALUES[sort], ANY_ID)
    return [PageWindow(1, 20), PageWindow(50, 20), KeysetWindow(after=after, limit=20)]


def sorts(fields: tuple[str, ...]) -> list[SortSpec]:
    return [SortSpec(field, direction) for field, direction in product(fields, Direction)]


@pytest.fixture(scope="module", params=["empty", "analyzed"])
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
    owners = [OWNER, *(UserId(make.new_id()) for _ in range(5))]
    series_rows, terms, episode_rows = [], [], []
    for i in range(1500):
        status = rng.choice(list(SeriesStatus))
        episodes = rng.choice([1, 2]) if status is SeriesStatus.PUBLISHED else 0
        series = make.series(
            STUDIO,
            rng.choice(owners),
            f"{rng.choice(['Love', 'Revenge', 'CEO'])} {rng.choice(['Seoul', 'Paris'])} {i}",
            status=status,
            published_episodes=episodes,
            published_by_hand=status is SeriesStatus.PUBLISHED and episodes == 0,
            id=SERIES if i == 0 else make.new_id(),
            tags=tuple(rng.sample(["romance", "revenge", "ceo", "family"], 2)),
            popularity=rng.randrange(1000),
        )
        series_rows.append(series_to_row(series))
        terms += [(STUDIO, "tag", tag, series.id) for tag in series.tags]
        terms += [(STUDIO, "word", word, series.id) for word in title_words(series.title)]
        for number in range(1, rng.choice([2, 5, 40])):
            status_of = rng.choice(list(EpisodeStatus))
            episode_rows.append(episode_to_row(make.episode(series, number, status=status_of)))
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO series VALUES ({', '.join('?' * 18)})", series_rows)
    db.executemany("INSERT INTO series_terms VALUES (?, ?, ?, ?)", terms)
    db.executemany(f"INSERT INTO episodes VALUES ({', '.join('?' * 15)})", episode_rows)
    db.execute("COMMIT")


def plan(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> str:
    return " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def check(
    db: sqlite3.Connection, statements: ListStatements, *, index: str, searched: bool, where: str
) -> None:
    shown = plan(db, statements.select.sql, statements.select.params)
    where = f"{where}: {shown}"
    for table in ("series", "s", "episodes", "series_terms", "t"):
        assert f"SCAN {table} " not in f"{shown} ", where
    if searched:
        assert "SEARCH t USING" in shown or "SEARCH series_terms USING" in shown, where
    else:
        assert "TEMP B-TREE" not in shown, where
        assert f"USING INDEX {index}" in shown, where
    if statements.count is not None:
        counted = plan(db, statements.count.sql, statements.count.params)
        assert "SCAN series" not in counted, (where, counted)
        assert "SCAN episodes" not in counted, (where, counted)


OWN_INDEXES = {
    "createdAt": "series_owner_by_created",
    "updatedAt": "series_owner_by_updated",
    "title": "series_owner_by_title",
}


@pytest.mark.parametrize("status", [None, SeriesStatus.REJECTED])
def test_a_creators_own_series_by_each_sort(
    connection: sqlite3.Connection, status: SeriesStatus | None
) -> None:
    for sort in sorts(OWN_SERIES_SORTS):
        for window in windows(sort.field):
            query = OwnSeriesQuery(owner_id=OWNER, status=status, sort=sort, window=window)
            check(
                connection,
                own_series_statements(STUDIO, query),
                index=OWN_INDEXES[sort.field],
                searched=False,
                where=f"own {status} {sort} {window}",
            )


def test_the_moderation_queues(connection: sqlite3.Connection) -> None:
    for sort in sorts(PENDING_SORTS):
        for window in windows(sort.field):
            query = PendingQuery(sort=sort, window=window)
            check(
                connection,
                pending_series_statements(STUDIO, query),
                index="series_pending_by_submitted",
                searched=False,
                where=f"pending series {sort} {window}",
            )
            check(
                connection,
                pending_episodes_statements(STUDIO, query),
                index="episodes_pending_by_submitted",
                searched=False,
                where=f"pending episodes {sort} {window}",
            )


VISIBLE_INDEXES = {
    "publishedAt": "series_visible_by_published",
    "title": "series_visible_by_title",
    "popularity": "series_visible_by_popularity",
}
SEARCHES: list[dict[str, Any]] = [
    {},
    {"tag": "romance"},
    {"words": ("lov",)},
    {"words": ("love", "se")},
]


@pytest.mark.parametrize("search", SEARCHES, ids=lambda s: ",".join(s) or "none")
def test_the_catalogue_by_each_sort(connection: sqlite3.Connection, search: dict[str, Any]) -> None:
    for sort in sorts(PUBLISHED_SERIES_SORTS):
        for window in windows(sort.field):
            query = PublishedSeriesQuery(sort=sort, window=window, **search)
            check(
                connection,
                published_series_statements(STUDIO, query),
                index=VISIBLE_INDEXES[sort.field],
                searched=bool(search),
                where=f"catalogue {search} {sort} {window}",
            )


@pytest.mark.parametrize("published_only", [False, True])
def test_a_series_episodes_by_number(connection: sqlite3.Connection, published_only: bool) -> None:
    for sort in sorts(EPISODE_SORTS):
        for window in windows(sort.field):
            query = EpisodeQuery(published_only=published_only, sort=sort, window=window)
            check(
                connection,
                series_episodes_statements(STUDIO, SERIES, query),
                index="episodes_number_unique",
                searched=False,
                where=f"episodes published_only={published_only} {sort} {window}",
            )


def test_moving_a_series_episodes_to_draft_uses_the_series_index(
    connection: sqlite3.Connection,
) -> None:
    from adapters.persistence.sqlite.content import MOVE_TO_DRAFT_SQL

    sql = MOVE_TO_DRAFT_SQL.format(statuses="?, ?")
    shown = plan(connection, sql, (1, STUDIO, SERIES, "pending", "published"))
    assert "USING INDEX episodes_number_unique" in shown, shown
