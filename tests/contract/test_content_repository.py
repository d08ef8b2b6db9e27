"""The series and episode repositories on every adapter: round trips, compare-and-set,
tenancy, unique episode numbers, moving a series' episodes to draft, and every list (filters,
sorts, page and keyset windows)."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

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
from application.shared.ports import Persistence, UnitOfWork
from domain.content.errors import EpisodeNotFoundError, EpisodeNumberTakenError, SeriesNotFoundError
from domain.content.model import (
    Episode,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesStatus,
)
from domain.content.values import matches_query, query_words, title_key
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, Page, PageWindow, SortKey, SortSpec
from tests.support import builders
from tests.support import content as make
from tests.support.builders import at

pytestmark = pytest.mark.anyio


@pytest.fixture
async def studio(persistence: Persistence) -> StudioId:
    made = builders.studio()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(made)
        await uow.commit()
    return made.id


OWNER = UserId("0192f5a4-0000-7000-8000-0000000000e1")
OTHER_OWNER = UserId("0192f5a4-0000-7000-8000-0000000000e2")


async def write[T](persistence: Persistence, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async with persistence.unit_of_work() as uow:
        result = await step(uow)
        await uow.commit()
    return result


async def add(persistence: Persistence, *items: Series | Episode) -> None:
    async with persistence.unit_of_work() as uow:
        for item in items:
            if isinstance(item, Series):
                await uow.series.add(item)
            else:
                await uow.episodes.add(item)
        await uow.commit()


async def get_series(persistence: Persistence, studio: StudioId, series_id: str) -> Series:
    async with persistence.unit_of_work(read_only=True) as uow:
        return await uow.series.get(studio, series_id)


async def get_episode(persistence: Persistence, studio: StudioId, episode_id: str) -> Episode:
    async with persistence.unit_of_work(read_only=True) as uow:
        return await uow.episodes.get(studio, episode_id)


async def read[T](persistence: Persistence, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async with persistence.unit_of_work(read_only=True) as uow:
        return await step(uow)


def ms(instant: datetime | None) -> int:
    """Epoch milliseconds: how instants appear in keyset keys."""
    assert instant is not None
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


SERIES_VALUES: dict[str, Callable[[Series], str | int]] = {
    "createdAt": lambda s: ms(s.created_at),
    "updatedAt": lambda s: ms(s.updated_at),
    "title": lambda s: title_key(s.title),
    "publishedAt": lambda s: ms(s.published_at),
    "popularity": lambda s: s.popularity,
    "submittedAt": lambda s: ms(s.submitted_at),
}


def ordered[T: (Series, Episode)](
    items: Sequence[T], sort: SortSpec, value: Callable[[T], str | int]
) -> list[T]:
    return sorted(items, key=lambda i: (value(i), i.id), reverse=sort.direction is Direction.DESC)


async def walk[T](list_page: Callable[[KeysetWindow], Any], limit: int = 2) -> list[T]:
    """Every item of a list, through keyset windows of ``limit``."""
    walked: list[T] = []
    after: SortKey | None = None
    for _ in range(100):
        page: Page[T] = await list_page(KeysetWindow(after, limit=limit))
        walked.extend(page.items)
        if page.next_after is None:
            return walked
        after = page.next_after
    raise AssertionError("the walk did not end")


# Round trips and compare-and-set


async def test_every_series_field_round_trips(persistence: Persistence, studio: StudioId) -> None:
    full = make.series(
        studio,
        OWNER,
        "Héroïne — Love in Seoul",
        status=SeriesStatus.PUBLISHED,
        published_episodes=3,
        published_by_hand=True,
        synopsis="A CEO, a barista,\nand ünïcode.",
        tags=("romance", "ceo"),
        popularity=42,
        submitted_at=at(1.5),
        published_at=at(2.25),
        created_at=at(0.001),
        updated_at=at(3),
        revision=7,
    )
    rejected = make.series(studio, OWNER, status=SeriesStatus.REJECTED)
    bare = make.series(studio, OWNER, "x")
    await add(persistence, full, rejected, bare)
    for series in (full, rejected, bare):
        assert await get_series(persistence, studio, series.id) == series


async def test_every_episode_field_round_trips(persistence: Persistence, studio: StudioId) -> None:
    series = make.series(studio, OWNER, status=SeriesStatus.PUBLISHED, published_episodes=1)
    note = Rejection(reason=RejectionReason.OTHER, note="Crop the watermark; ünïcode ok.")
    episodes = [
        make.episode(series, 1, status=EpisodeStatus.PUBLISHED, title="Pilot — Part 1"),
        make.episode(series, 2, status=EpisodeStatus.REJECTED, rejection=note, revision=4),
        make.episode(series, 100_000, status=EpisodeStatus.PENDING, submitted_at=at(9.5)),
    ]
    await add(persistence, series, *episodes)
    for episode in episodes:
        found = await get_episode(persistence, studio, episode.id)
        assert found == episode


async def test_save_bumps_the_revision_and_refuses_a_stale_one(
    persistence: Persistence, studio: StudioId
) -> None:
    series = make.series(studio, OWNER, tags=("a",))
    episode = make.episode(series)
    await add(persistence, series, episode)
    changed = replace(series, title="Renamed", tags=("b", "c"), updated_at=at(5))
    saved = await write(persistence, lambda uow: uow.series.save(changed, expected_revision=1))
    assert saved == replace(changed, revision=2)
    assert await read(persistence, lambda uow: uow.series.get(studio, series.id)) == saved
    with pytest.raises(StaleRevisionError):
        await write(persistence, lambda uow: uow.series.save(changed, expected_revision=1))
    renumbered = replace(episode, number=9, title="Nine")
    kept = await write(persistence, lambda uow: uow.episodes.save(renumbered, expected_revision=1))
    assert kept.revision == 2
    with pytest.raises(StaleRevisionError):
        await write(persistence, lambda uow: uow.episodes.save(renumbered, expected_revision=1))
    ghost, ghost_episode = make.series(studio, OWNER), make.episode(series, 50)
    with pytest.raises(SeriesNotFoundError):
        await write(persistence, lambda uow: uow.series.save(ghost, expected_revision=1))
    with pytest.raises(EpisodeNotFoundError):
        await write(persistence, lambda uow: uow.episodes.save(ghost_episode, expected_revision=1))


async def test_plays_add_to_popularity_without_an_edit_and_survive_an_older_save(
    persistence: Persistence, studio: StudioId
) -> None:
    series = make.series(studio, OWNER, popularity=5)
    await add(persistence, series)
    read_before_plays = await get_series(persistence, studio, series.id)
    await write(persistence, lambda uow: uow.series.add_plays(studio, series.id, 1))
    await write(persistence, lambda uow: uow.series.add_plays(studio, series.id, 2))
    counted = await get_series(persistence, studio, series.id)
    assert (counted.popularity, counted.revision) == (8, 1)  # not an edit: If-Match holds
    # A moderator's save from a read taken before the plays keeps them.
    renamed = replace(read_before_plays, title="Renamed", updated_at=at(4))
    await write(persistence, lambda uow: uow.series.save(renamed, expected_revision=1))
    saved = await get_series(persistence, studio, series.id)
    assert (saved.title, saved.popularity, saved.revision) == ("Renamed", 8, 2)
    other = StudioId("0192f5a4-0000-7000-8000-00000000cccc")
    with pytest.raises(SeriesNotFoundError):
        await write(persistence, lambda uow: uow.series.add_plays(other, series.id, 1))
    with pytest.raises(SeriesNotFoundError):
        await write(persistence, lambda uow: uow.series.add_plays(studio, make.new_id(), 1))
    assert (await get_series(persistence, studio, series.id)).popularity == 8


async def test_nothing_is_kept_without_commit(persistence: Persistence, studio: StudioId) -> None:
    series = make.series(studio, OWNER)
    async with persistence.unit_of_work() as uow:
        await uow.series.add(series)
        await uow.episodes.add(make.episode(series))
        assert await uow.series.get(studio, series.id) == series  # its own writes
    with pytest.raises(SeriesNotFoundError):
        await read(persistence, lambda uow: uow.series.get(studio, series.id))
    page = await read(
        persistence, lambda uow: uow.episodes.list_in_series(studio, series.id, EpisodeQuery())
    )
    assert page.items == ()


# Episode numbers


async def test_episode_numbers_are_unique_in_a_series(
    persistence: Persistence, studio: StudioId
) -> None:
    first, second = make.series(studio, OWNER), make.series(studio, OWNER)
    one, two = make.episode(first, 1), make.episode(first, 2)
    await add(persistence, first, second, one, two)
    with pytest.raises(EpisodeNumberTakenError) as raised:
        await add(persistence, make.episode(first, 1))
    assert raised.value.code == "episode_number_taken"
    with pytest.raises(EpisodeNumberTakenError):
        await write(
            persistence, lambda uow: uow.episodes.save(replace(two, number=1), expected_revision=1)
        )
    await add(persistence, make.episode(second, 1))  # another series: free
    page = await read(
        persistence, lambda uow: uow.episodes.list_in_series(studio, first.id, EpisodeQuery())
    )
    assert [e.number for e in page.items] == [1, 2]


# Tenancy


async def test_another_studio_finds_nothing_and_changes_nothing(
    persistence: Persistence, studio: StudioId
) -> None:
    theirs = make.series(
        studio, OWNER, status=SeriesStatus.PUBLISHED, published_episodes=1, tags=("romance",)
    )
    pending = make.series(studio, OWNER, status=SeriesStatus.PENDING)
    episode = make.episode(theirs, status=EpisodeStatus.PUBLISHED)
    waiting = make.episode(pending, status=EpisodeStatus.PENDING)
    await add(persistence, theirs, pending, episode, waiting)
    mine = builders.studio()
    await write(persistence, lambda uow: uow.studios.add(mine))

    async def look(uow: UnitOfWork) -> None:
        with pytest.raises(SeriesNotFoundError):
            await uow.series.get(mine.id, theirs.id)
        with pytest.raises(EpisodeNotFoundError):
            await uow.episodes.get(mine.id, episode.id)
        for page in (
            await uow.series.list_own(mine.id, OwnSeriesQuery(owner_id=OWNER)),
            await uow.series.list_pending(mine.id, PendingQuery()),
            await uow.series.list_published(mine.id, PublishedSeriesQuery()),
            await uow.series.list_published(mine.id, PublishedSeriesQuery(tag="romance")),
            await uow.episodes.list_in_series(mine.id, theirs.id, EpisodeQuery()),
            await uow.episodes.list_pending(mine.id, PendingQuery()),
        ):
            assert (page.items, page.total) == ((), 0)

    await read(persistence, look)
    stolen = replace(theirs, studio_id=mine.id, title="Stolen")
    with pytest.raises(SeriesNotFoundError):
        await write(persistence, lambda uow: uow.series.save(stolen, expected_revision=1))
    stolen_episode = replace(episode, studio_id=mine.id, title="Stolen")
    with pytest.raises(EpisodeNotFoundError):
        await write(persistence, lambda uow: uow.episodes.save(stolen_episode, expected_revision=1))
    moved = await write(
        persistence,
        lambda uow: uow.episodes.move_to_draft(
            mine.id, theirs.id, frozenset(EpisodeStatus), at=at(9)
        ),
    )
    assert moved == 0
    assert await read(persistence, lambda uow: uow.series.get(studio, theirs.id)) == theirs
    assert await read(persistence, lambda uow: uow.episodes.get(studio, episode.id)) == episode


# Moving a series' episodes to draft


async def test_move_to_draft_moves_only_the_named_statuses_of_that_series(
    persistence: Persistence, studio: StudioId
) -> None:
    series = make.series(studio, OWNER, status=SeriesStatus.PUBLISHED, published_episodes=2)
    other = make.series(studio, OWNER, status=SeriesStatus.PUBLISHED, published_episodes=1)
    episodes = {
        status: make.episode(series, number, status=status)
        for number, status in enumerate(EpisodeStatus, start=1)
    }
    elsewhere = make.episode(other, 1, status=EpisodeStatus.PUBLISHED)
    await add(persistence, series, other, *episodes.values(), elsewhere)
    reset = frozenset({EpisodeStatus.PUBLISHED, EpisodeStatus.PENDING})
    count = await write(
        persistence, lambda uow: uow.episodes.move_to_draft(studio, series.id, reset, at=at(20))
    )
    assert count == 2
    for status, episode in episodes.items():
        found = await get_episode(persistence, studio, episode.id)
        if status in reset:
            expected = replace(episode.moved_to_draft(at=at(20)), revision=episode.revision + 1)
            assert found == expected
        else:
            assert found == episode
    assert await read(persistence, lambda uow: uow.episodes.get(studio, elsewhere.id)) == elsewhere


# Lists


async def own_world(persistence: Persistence, studio: StudioId) -> list[Series]:
    """Series of two owners, in every status, with ties on every sort value."""
    made = []
    for i, status in enumerate(list(SeriesStatus) * 2):
        made.append(
            make.series(
                studio,
                OWNER if i % 3 else OTHER_OWNER,
                ["Love", "love", "Revenge", "CEO"][i % 4] + (f" {i}" if i % 2 else ""),
                status=status,
                created_at=at(i % 3),
                updated_at=at(i % 4),
            )
        )
    await add(persistence, *made)
    return made


@pytest.mark.parametrize("status", [None, SeriesStatus.DRAFT, SeriesStatus.PUBLISHED])
async def test_a_creators_own_series_in_every_sort(
    persistence: Persistence, studio: StudioId, status: SeriesStatus | None
) -> None:
    made = await own_world(persistence, studio)
    own = [s for s in made if s.owner_id == OWNER and (status is None or s.status is status)]
    for field in OWN_SERIES_SORTS:
        for direction in Direction:
            sort = SortSpec(field, direction)
            expected = ordered(own, sort, SERIES_VALUES[field])

            def query(window: Any, sort: SortSpec = sort) -> OwnSeriesQuery:
                return OwnSeriesQuery(owner_id=OWNER, status=status, sort=sort, window=window)

            async def listed(window: Any, q: Any = query) -> Page[Series]:
                async with persistence.unit_of_work(read_only=True) as uow:
                    return await uow.series.list_own(studio, q(window))

            page = await listed(PageWindow(1, 3))
            assert (list(page.items), page.total) == (expected[:3], len(expected)), sort

            assert await walk(listed) == expected, sort


async def test_the_moderation_queues_are_oldest_first(
    persistence: Persistence, studio: StudioId
) -> None:
    series = [
        make.series(studio, OWNER, status=status, submitted_at=at(10 - i % 3))
        for i, status in enumerate(list(SeriesStatus) * 2)
    ]
    host = make.series(studio, OWNER)
    episodes = [
        make.episode(host, i + 1, status=status, submitted_at=at(5 + i % 2))
        for i, status in enumerate(list(EpisodeStatus) * 2)
    ]
    await add(persistence, *series, host, *episodes)
    for direction in Direction:
        sort = SortSpec(PENDING_SORTS[0], direction)
        pending_series = [s for s in series if s.status is SeriesStatus.PENDING]
        pending_episodes = [e for e in episodes if e.status is EpisodeStatus.PENDING]

        async def series_page(window: Any, sort: SortSpec = sort) -> Page[Series]:
            query = PendingQuery(sort=sort, window=window)
            return await read(persistence, lambda uow: uow.series.list_pending(studio, query))

        async def episode_page(window: Any, sort: SortSpec = sort) -> Page[Episode]:
            query = PendingQuery(sort=sort, window=window)
            return await read(persistence, lambda uow: uow.episodes.list_pending(studio, query))

        by_submission = SERIES_VALUES["submittedAt"]
        expected_series = ordered(pending_series, sort, by_submission)
        expected_episodes = ordered(pending_episodes, sort, lambda e: ms(e.submitted_at))
        assert list((await series_page(PageWindow())).items) == expected_series
        assert await walk(series_page, limit=1) == expected_series
        assert list((await episode_page(PageWindow())).items) == expected_episodes
        assert await walk(episode_page, limit=1) == expected_episodes


async def catalogue_world(persistence: Persistence, studio: StudioId) -> list[Series]:
    titles = ["Love in Seoul", "Seoul Revenge", "The CEO's Love", "Lovely Paris", "Revenge"]
    made = []
    for i, title in enumerate(titles * 2):
        visible = i % 4 != 3
        made.append(
            make.series(
                studio,
                OWNER if i % 2 else OTHER_OWNER,
                title,
                status=SeriesStatus.PUBLISHED,
                published_episodes=1 if visible else 0,  # the others: by hand, no episodes
                tags=(("romance",) if i % 2 else ("revenge", "romance")),
                popularity=i % 3,
                published_at=at(i % 4),
            )
        )
    # Never in the catalogue: every other status.
    made += [
        make.series(studio, OWNER, "Love Draft", status=status, tags=("romance",))
        for status in SeriesStatus
        if status is not SeriesStatus.PUBLISHED
    ]
    await add(persistence, *made)
    return made


SEARCHES: list[dict[str, Any]] = [
    {},
    {"tag": "romance"},
    {"tag": "revenge"},
    {"tag": "nope"},
    {"words": query_words("lov")},
    {"words": query_words("seoul LOVE")},
    {"words": query_words("ove")},  # not a word prefix: nothing
]


@pytest.mark.parametrize("search", SEARCHES, ids=lambda s: str(s) or "none")
async def test_the_catalogue_shows_visible_series_only_in_every_sort(
    persistence: Persistence, studio: StudioId, search: dict[str, Any]
) -> None:
    made = await catalogue_world(persistence, studio)
    shown = [
        s
        for s in made
        if s.visible
        and ("tag" not in search or search["tag"] in s.tags)
        and matches_query(s.title, search.get("words", ()))
    ]
    for field in PUBLISHED_SERIES_SORTS:
        for direction in Direction:
            sort = SortSpec(field, direction)
            expected = ordered(shown, sort, SERIES_VALUES[field])

            async def listed(
                window: Any, sort: SortSpec = sort, search: dict[str, Any] = search
            ) -> Page[Series]:
                query = PublishedSeriesQuery(sort=sort, window=window, **search)
                return await read(persistence, lambda uow: uow.series.list_published(studio, query))

            page = await listed(PageWindow(1, 4))
            assert (list(page.items), page.total) == (expected[:4], len(expected)), sort
            assert await walk(listed) == expected, sort


async def test_a_saved_series_is_found_by_its_new_tags_and_title(
    persistence: Persistence, studio: StudioId
) -> None:
    series = make.series(
        studio, OWNER, "Love", status=SeriesStatus.PUBLISHED, published_episodes=1, tags=("a",)
    )
    await add(persistence, series)
    changed = replace(series, title="Revenge", tags=("b",))
    await write(persistence, lambda uow: uow.series.save(changed, expected_revision=1))

    async def found(**search: Any) -> list[str]:
        query = PublishedSeriesQuery(**search)
        page = await read(persistence, lambda uow: uow.series.list_published(studio, query))
        return [s.id for s in page.items]

    assert await found(tag="a") == []
    assert await found(words=("love",)) == []
    assert await found(tag="b") == [series.id] == await found(words=("rev",))


@pytest.mark.parametrize("published_only", [False, True])
async def test_a_series_episodes_by_number(
    persistence: Persistence, studio: StudioId, published_only: bool
) -> None:
    series = make.series(studio, OWNER, status=SeriesStatus.PUBLISHED, published_episodes=3)
    other = make.series(studio, OWNER)
    statuses = list(EpisodeStatus) * 2
    episodes = [
        make.episode(series, number, status=statuses[i])
        for i, number in enumerate([5, 1, 100, 2, 40, 3, 7, 8])
    ]
    await add(persistence, series, other, *episodes, make.episode(other, 4))
    shown = [e for e in episodes if not published_only or e.status is EpisodeStatus.PUBLISHED]
    for direction in Direction:
        sort = SortSpec(EPISODE_SORTS[0], direction)
        expected = ordered(shown, sort, lambda e: e.number)

        async def listed(window: Any, sort: SortSpec = sort) -> Page[Episode]:
            query = EpisodeQuery(published_only=published_only, sort=sort, window=window)
            return await read(
                persistence, lambda uow: uow.episodes.list_in_series(studio, series.id, query)
            )

        page = await listed(PageWindow(1, 3))
        assert (list(page.items), page.total) == (expected[:3], len(expected))
        assert await walk(listed) == expected
