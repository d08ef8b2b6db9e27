"""Subscriptions and watch progress on every adapter (issue 8): round trips, compare-and-set,
the append-only history, tenancy, and progress that never moves backwards in time."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from application.shared.ports import Persistence, UnitOfWork
from domain.playback.progress import WatchProgress, progress
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import PageWindow
from domain.subscriptions.model import SubscriptionStatus, first_toggle, new_subscription
from tests.support import builders

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
VIEWER = UserId("0192f5a4-0000-7000-8000-0000000000f1")
OTHER_VIEWER = UserId("0192f5a4-0000-7000-8000-0000000000f2")
ADMIN = UserId("0192f5a4-0000-7000-8000-0000000000f9")


@pytest.fixture
async def studio(persistence: Persistence) -> StudioId:
    made = builders.studio()
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(made)
        await uow.commit()
    return made.id


async def write[T](persistence: Persistence, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async with persistence.unit_of_work() as uow:
        result = await step(uow)
        await uow.commit()
    return result


async def read[T](persistence: Persistence, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async with persistence.unit_of_work(read_only=True) as uow:
        return await step(uow)


async def test_a_subscription_round_trips_with_its_history(
    persistence: Persistence, studio: StudioId
) -> None:
    first, change = first_toggle(studio, VIEWER, by=ADMIN, at=T0)
    await write(persistence, lambda uow: uow.subscriptions.add(first, change))
    assert await read(persistence, lambda uow: uow.subscriptions.get(studio, VIEWER)) == first
    later = T0 + timedelta(days=1)
    canceled, change2 = first.toggled(by=ADMIN, at=later)
    saved = await write(
        persistence,
        lambda uow: uow.subscriptions.save(canceled, change2, expected_revision=first.revision),
    )
    assert saved.revision == first.revision + 1
    assert await read(persistence, lambda uow: uow.subscriptions.get(studio, VIEWER)) == saved
    history = await read(
        persistence, lambda uow: uow.subscriptions.history(studio, VIEWER, PageWindow(limit=10))
    )
    assert [c.to_status for c in history.items] == [
        SubscriptionStatus.CANCELED,
        SubscriptionStatus.ACTIVE,
    ]  # newest first
    assert history.items == (change2, change)
    assert history.total == 2


async def test_a_stale_save_and_a_second_first_subscription_are_refused(
    persistence: Persistence, studio: StudioId
) -> None:
    first, change = first_toggle(studio, VIEWER, by=ADMIN, at=T0)
    await write(persistence, lambda uow: uow.subscriptions.add(first, change))
    again, change_again = new_subscription(
        studio, VIEWER, SubscriptionStatus.CANCELED, current_period_end=None, by=ADMIN, at=T0
    )
    with pytest.raises(StaleRevisionError):
        await write(persistence, lambda uow: uow.subscriptions.add(again, change_again))
    canceled, change2 = first.toggled(by=ADMIN, at=T0 + timedelta(hours=1))
    await write(
        persistence,
        lambda uow: uow.subscriptions.save(canceled, change2, expected_revision=first.revision),
    )
    with pytest.raises(StaleRevisionError):
        await write(
            persistence,
            lambda uow: uow.subscriptions.save(canceled, change2, expected_revision=first.revision),
        )
    history = await read(
        persistence, lambda uow: uow.subscriptions.history(studio, VIEWER, PageWindow())
    )
    assert history.total == 2  # the refused writes appended nothing


async def test_subscriptions_are_scoped_by_studio_and_user(
    persistence: Persistence, studio: StudioId
) -> None:
    first, change = first_toggle(studio, VIEWER, by=ADMIN, at=T0)
    await write(persistence, lambda uow: uow.subscriptions.add(first, change))
    other = StudioId("0192f5a4-0000-7000-8000-00000000aaaa")
    assert await read(persistence, lambda uow: uow.subscriptions.get(other, VIEWER)) is None
    assert await read(persistence, lambda uow: uow.subscriptions.get(studio, OTHER_VIEWER)) is None
    empty = await read(
        persistence, lambda uow: uow.subscriptions.history(other, VIEWER, PageWindow())
    )
    assert (empty.items, empty.total) == ((), 0)


def entry(
    studio: StudioId,
    *,
    episode: str,
    series: str = "series-a",
    number: int = 1,
    position: float = 10.0,
    seconds: int = 0,
    user: UserId = VIEWER,
) -> WatchProgress:
    return progress(
        studio_id=studio,
        user_id=user,
        episode_id=episode,
        series_id=series,
        episode_number=number,
        position=position,
        duration=100.0,
        watched_at=T0 + timedelta(seconds=seconds),
    )


async def test_progress_keeps_the_latest_observation_whatever_the_arrival_order(
    persistence: Persistence, studio: StudioId
) -> None:
    newer = entry(studio, episode="e1", position=50, seconds=20)
    older = entry(studio, episode="e1", position=30, seconds=10)
    assert await write(persistence, lambda uow: uow.progress.put(newer)) == newer
    # The late, older write changes nothing and answers what is stored.
    assert await write(persistence, lambda uow: uow.progress.put(older)) == newer
    assert await write(persistence, lambda uow: uow.progress.put(newer)) == newer  # idempotent
    stored = await read(persistence, lambda uow: uow.progress.get(studio, VIEWER, "e1"))
    assert stored == newer
    finished = entry(studio, episode="e1", position=99, seconds=30)
    stored = await write(persistence, lambda uow: uow.progress.put(finished))
    assert stored.completed
    assert stored.position == 99


async def test_history_and_series_in_progress_are_newest_first_and_paged(
    persistence: Persistence, studio: StudioId
) -> None:
    writes = [
        entry(studio, episode="a1", series="a", number=1, seconds=10),
        entry(studio, episode="b1", series="b", number=1, seconds=20),
        entry(studio, episode="a2", series="a", number=2, seconds=30),
        entry(studio, episode="c1", series="c", number=1, seconds=40),
        entry(studio, episode="x1", series="x", number=1, seconds=50, user=OTHER_VIEWER),
    ]
    async with persistence.unit_of_work() as uow:
        for written in writes:
            await uow.progress.put(written)
        await uow.commit()
    first = await read(
        persistence, lambda uow: uow.progress.history(studio, VIEWER, PageWindow(limit=3))
    )
    assert [e.episode_id for e in first.items] == ["c1", "a2", "b1"]
    assert first.total == 4
    second = await read(
        persistence, lambda uow: uow.progress.history(studio, VIEWER, PageWindow(page=2, limit=3))
    )
    assert [e.episode_id for e in second.items] == ["a1"]
    series = await read(
        persistence,
        lambda uow: uow.progress.in_progress_series(studio, VIEWER, PageWindow(limit=10)),
    )
    assert [(e.series_id, e.episode_id) for e in series.items] == [
        ("c", "c1"),
        ("a", "a2"),
        ("b", "b1"),
    ]
    assert series.total == 3
    # A late write for an earlier episode of a series does not move the series back.
    await write(
        persistence,
        lambda uow: uow.progress.put(entry(studio, episode="a1", series="a", seconds=25)),
    )
    series = await read(
        persistence,
        lambda uow: uow.progress.in_progress_series(studio, VIEWER, PageWindow(limit=10)),
    )
    assert [(e.series_id, e.episode_id) for e in series.items][1] == ("a", "a2")
    other_studio = StudioId("0192f5a4-0000-7000-8000-00000000bbbb")
    nothing = await read(
        persistence, lambda uow: uow.progress.history(other_studio, VIEWER, PageWindow())
    )
    assert nothing.total == 0
