"""Watch progress: where a viewer is in an episode, and what to watch next.

A viewer has at most one progress per episode. A write carries the instant it was observed
(``watched_at``): a write observed before the stored one is late and changes nothing, so
progress never moves backwards in time, whatever order writes arrive in; the same write
twice changes nothing either. An episode is completed once the position is within the last
``COMPLETION_SHARE`` of its duration.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.playback.errors import InvalidProgressError
from domain.shared.ids import StudioId, UserId

COMPLETION_SHARE = 0.05  # the last 5% (credits) counts as watched to the end
MAX_DURATION_SECONDS = 24 * 3600.0


def check_times(*, position: float, duration: float) -> tuple[float, float]:
    """``0 < duration <= 24 h`` and ``0 <= position``; a position past the end is the end
    (players report a few ms over)."""
    if not 0 < duration <= MAX_DURATION_SECONDS:
        raise InvalidProgressError(
            f"A duration is more than 0 and at most {MAX_DURATION_SECONDS:.0f} seconds.",
            details={"field": "duration"},
        )
    if not position >= 0:  # also refuses NaN
        raise InvalidProgressError(
            "A position is 0 or more seconds.", details={"field": "position"}
        )
    return min(position, duration), duration


def is_completed(*, position: float, duration: float) -> bool:
    return position >= duration * (1 - COMPLETION_SHARE)


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchProgress:
    studio_id: StudioId
    user_id: UserId
    episode_id: str
    series_id: str
    episode_number: int  # what "the next episode" is counted from
    position: float  # seconds
    duration: float  # seconds
    completed: bool
    watched_at: datetime  # when the player observed this position (the write's own instant)

    def __post_init__(self) -> None:
        position, duration = check_times(position=self.position, duration=self.duration)
        if (position, duration) != (self.position, self.duration):
            raise InvalidProgressError("Store progress in its checked form.")
        if self.completed != is_completed(position=position, duration=duration):
            raise InvalidProgressError("Completed iff within the last part of the duration.")

    def supersedes(self, stored: "WatchProgress | None") -> bool:
        """Whether this write replaces ``stored``: only a strictly later observation does."""
        return stored is None or self.watched_at > stored.watched_at


def progress(
    *,
    studio_id: StudioId,
    user_id: UserId,
    episode_id: str,
    series_id: str,
    episode_number: int,
    position: float,
    duration: float,
    watched_at: datetime,
) -> WatchProgress:
    """A checked progress: position clamped to the duration, completion decided here."""
    position, duration = check_times(position=position, duration=duration)
    return WatchProgress(
        studio_id=studio_id,
        user_id=user_id,
        episode_id=episode_id,
        series_id=series_id,
        episode_number=episode_number,
        position=position,
        duration=duration,
        completed=is_completed(position=position, duration=duration),
        watched_at=watched_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ContinueFrom:
    """Where to pick a series up: an episode and the position to start at."""

    series_id: str
    episode_id: str
    episode_number: int
    position: float  # 0 for the next episode after a completed one
    last_watched_at: datetime


def latest_per_series(entries: Iterable[WatchProgress]) -> list[WatchProgress]:
    """The most recently watched entry of each series, most recent first."""
    latest: dict[str, WatchProgress] = {}
    for entry in entries:
        kept = latest.get(entry.series_id)
        if kept is None or (entry.watched_at, entry.episode_number) > (
            kept.watched_at,
            kept.episode_number,
        ):
            latest[entry.series_id] = entry
    return sorted(latest.values(), key=lambda e: (e.watched_at, e.series_id), reverse=True)


def continue_from(
    latest: WatchProgress, next_episode: tuple[str, int] | None
) -> ContinueFrom | None:
    """Resume the series at its latest entry; after a completed episode, at the start of the
    next published one (``next_episode``: its id and number), or nowhere if it was the last."""
    if not latest.completed:
        return ContinueFrom(
            series_id=latest.series_id,
            episode_id=latest.episode_id,
            episode_number=latest.episode_number,
            position=latest.position,
            last_watched_at=latest.watched_at,
        )
    if next_episode is None:
        return None
    episode_id, number = next_episode
    return ContinueFrom(
        series_id=latest.series_id,
        episode_id=episode_id,
        episode_number=number,
        position=0.0,
        last_watched_at=latest.watched_at,
    )
