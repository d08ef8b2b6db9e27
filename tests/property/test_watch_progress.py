"""Watch progress rules (issue 8): completion, order-independence of writes, continue-watching."""

import math
from datetime import UTC, datetime, timedelta
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.playback.errors import InvalidProgressError
from domain.playback.progress import (
    WatchProgress,
    continue_from,
    latest_per_series,
    progress,
)
from domain.shared.ids import StudioId, UserId

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def entry(
    *,
    episode: str = "e1",
    series: str = "s1",
    number: int = 1,
    position: float = 10.0,
    duration: float = 100.0,
    seconds: int = 0,
) -> WatchProgress:
    return progress(
        studio_id=StudioId("studio"),
        user_id=UserId("viewer"),
        episode_id=episode,
        series_id=series,
        episode_number=number,
        position=position,
        duration=duration,
        watched_at=T0 + timedelta(seconds=seconds),
    )


@pytest.mark.parametrize(
    ("position", "completed"), [(0, False), (94.9, False), (95, True), (100, True), (130, True)]
)
def test_completed_within_the_last_five_percent(position: float, completed: bool) -> None:
    written = entry(position=position, duration=100)
    assert written.completed is completed
    assert written.position == min(position, 100)  # past the end is the end


@pytest.mark.parametrize(
    ("position", "duration", "field"),
    [
        (-1, 100, "position"),
        (math.nan, 100, "position"),
        (1, 0, "duration"),
        (1, -5, "duration"),
        (1, math.inf, "duration"),
        (1, 90_000, "duration"),
    ],
)
def test_bad_times_are_refused_with_their_field(
    position: float, duration: float, field: str
) -> None:
    with pytest.raises(InvalidProgressError) as raised:
        entry(position=position, duration=duration)
    assert raised.value.code == "invalid_progress"
    assert raised.value.details == {"field": field}


writes = st.lists(
    st.tuples(st.integers(0, 60), st.floats(0, 200, allow_nan=False)), min_size=1, max_size=12
)


@given(writes, st.randoms())
def test_the_latest_observation_wins_whatever_order_writes_arrive_in(
    observed: list[tuple[int, float]], random: Random
) -> None:
    entries = [entry(seconds=s, position=p, duration=200) for s, p in observed]
    shuffled = list(entries)
    random.shuffle(shuffled)

    def apply(arrivals: list[WatchProgress]) -> WatchProgress | None:
        stored = None
        for write in arrivals:
            if write.supersedes(stored):
                stored = write
        return stored

    final = apply(shuffled)
    assert final is not None
    assert final.watched_at == max(e.watched_at for e in entries)
    assert apply(shuffled + shuffled) == final  # every write twice: the same state
    assert not final.supersedes(final)


def test_continue_resumes_an_unfinished_episode_where_it_stopped() -> None:
    latest = entry(episode="e2", number=2, position=42)
    resumed = continue_from(latest, next_episode=("e3", 3))
    assert resumed is not None
    assert (resumed.episode_id, resumed.position) == ("e2", 42)


def test_continue_moves_to_the_start_of_the_next_episode_after_a_completed_one() -> None:
    latest = entry(episode="e2", number=2, position=99)
    resumed = continue_from(latest, next_episode=("e3", 3))
    assert resumed is not None
    assert (resumed.episode_id, resumed.episode_number, resumed.position) == ("e3", 3, 0.0)
    assert continue_from(latest, next_episode=None) is None  # the series is finished


def test_the_latest_entry_of_each_series_most_recent_first() -> None:
    entries = [
        entry(series="a", episode="a1", number=1, seconds=10),
        entry(series="a", episode="a2", number=2, seconds=30),
        entry(series="b", episode="b1", number=1, seconds=20),
    ]
    latest = latest_per_series(entries)
    assert [(e.series_id, e.episode_id) for e in latest] == [("a", "a2"), ("b", "b1")]
