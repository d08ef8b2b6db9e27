"""``POST /video/progress``, ``GET /video/history`` and ``GET /video/continue``.

Writes are idempotent (the same write twice changes nothing), never move progress backwards
in time (``WatchProgress.supersedes``: a write observed earlier than the stored one loses,
whenever it arrives), and are throttled per viewer (``ProgressThrottle``). Progress is kept
only on what the caller may see: another studio's episode, or one viewers cannot see, is not
found (staff may preview).
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.content.access import episode_id_of
from application.content.ports import EpisodeQuery
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.content.errors import EpisodeNotFoundError, SeriesNotFoundError
from domain.content.model import EpisodeStatus
from domain.content.rules import sees_unpublished, viewer_sees
from domain.identity.access import Actor, Capability, authorize
from domain.playback.errors import InvalidProgressError
from domain.playback.progress import (
    ContinueFrom,
    WatchProgress,
    check_times,
    continue_from,
    progress,
)
from domain.shared.errors import RateLimitedError, StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import KeysetWindow, Page, PageWindow

# A write that lost a race with another of the same viewer is tried again this many times.
_WRITE_ATTEMPTS = 3
# A player's clock may run a little ahead of ours; a write from further in the future is refused.
MAX_CLOCK_SKEW = timedelta(minutes=5)


class ProgressThrottle:
    """At most ``burst`` writes at once per viewer, refilled at ``per_second`` (a token
    bucket), kept in this process for the ``max_viewers`` most recent viewers. Players report
    every few seconds; a runaway one gets 429 ``progress_throttled`` with ``Retry-After``."""

    def __init__(
        self,
        *,
        per_second: float = 1.0,
        burst: int = 5,
        max_viewers: int = 100_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a throttle needs a positive rate and a burst of at least 1")
        self._rate = per_second
        self._burst = float(burst)
        self._max_viewers = max_viewers
        self._monotonic = monotonic
        self._buckets: OrderedDict[tuple[StudioId, UserId], tuple[float, float]] = OrderedDict()

    def take(self, studio_id: StudioId, user_id: UserId) -> None:
        key = (studio_id, user_id)
        now = self._monotonic()
        tokens, since = self._buckets.pop(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - since) * self._rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            raise RateLimitedError(
                "Progress is written too often; keep the last position and send it later.",
                code="progress_throttled",
                retry_after=math.ceil((1 - tokens) / self._rate),
            )
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > self._max_viewers:
            self._buckets.popitem(last=False)  # the least recently writing viewer


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordProgress:
    actor: Actor
    episode_id: str
    position: float
    duration: float
    watched_at: datetime | None = None  # when the player saw this position; None: now


class RecordProgressHandler:
    def __init__(
        self, *, persistence: Persistence, throttle: ProgressThrottle, clock: Clock
    ) -> None:
        self._persistence = persistence
        self._throttle = throttle
        self._clock = clock

    async def __call__(self, command: RecordProgress) -> WatchProgress:
        actor = command.actor
        authorize(actor, Capability.BROWSE_CATALOG)
        episode_id = episode_id_of(command.episode_id)
        check_times(position=command.position, duration=command.duration)
        now = self._clock.now()
        watched_at = command.watched_at or now
        if watched_at.tzinfo is None or watched_at > now + MAX_CLOCK_SKEW:
            raise InvalidProgressError(
                "watchedAt is an instant with a time zone, not in the future.",
                details={"field": "watchedAt"},
            )
        self._throttle.take(actor.studio_id, actor.user_id)
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                return await self._write(actor, command, episode_id, watched_at)
            except StaleRevisionError:
                # A concurrent write of this viewer won (MongoDB refuses one of two overlapping
                # transactions). The write is idempotent and ordered by watched_at: do it again.
                if attempt == _WRITE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _write(
        self, actor: Actor, command: RecordProgress, episode_id: str, watched_at: datetime
    ) -> WatchProgress:
        async with self._persistence.unit_of_work() as uow:
            episode = await uow.episodes.get(actor.studio_id, episode_id)
            series = await uow.series.get(actor.studio_id, episode.series_id)
            if not viewer_sees(series, episode) and not sees_unpublished(actor):
                raise EpisodeNotFoundError()
            entry = progress(
                studio_id=actor.studio_id,
                user_id=actor.user_id,
                episode_id=episode.id,
                series_id=series.id,
                episode_number=episode.number,
                position=command.position,
                duration=command.duration,
                watched_at=watched_at,
            )
            stored = await uow.progress.put(entry)
            await uow.commit()
        return stored


@dataclass(frozen=True, slots=True, kw_only=True)
class ListHistory:
    actor: Actor
    window: PageWindow = field(default_factory=PageWindow)


class ListHistoryHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListHistory) -> Page[WatchProgress]:
        actor = query.actor
        authorize(actor, Capability.BROWSE_CATALOG)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.progress.history(actor.studio_id, actor.user_id, query.window)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContinueWatching:
    actor: Actor
    limit: int = 20


# Series whose last episode was watched to the end have nothing to continue: a few pages of
# series in progress are read to fill ``limit`` entries, no more.
_MAX_PAGES = 5


class ContinueWatchingHandler:
    """Per series in progress (most recent first): the episode to watch and where to start."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ContinueWatching) -> list[ContinueFrom]:
        actor = query.actor
        authorize(actor, Capability.BROWSE_CATALOG)
        found: list[ContinueFrom] = []
        async with self._persistence.unit_of_work(read_only=True) as uow:
            for number in range(1, _MAX_PAGES + 1):
                window = PageWindow(page=number, limit=query.limit)
                page = await uow.progress.in_progress_series(actor.studio_id, actor.user_id, window)
                for latest in page.items:
                    resumed = await _resume(uow, actor, latest)
                    if resumed is not None:
                        found.append(resumed)
                    if len(found) == query.limit:
                        return found
                if number * query.limit >= (page.total or 0):
                    break
        return found


async def _resume(uow: UnitOfWork, actor: Actor, latest: WatchProgress) -> ContinueFrom | None:
    try:
        series = await uow.series.get(actor.studio_id, latest.series_id)
    except SeriesNotFoundError:
        return None
    staff = sees_unpublished(actor)
    if not viewer_sees(series) and not staff:
        return None  # unpublished since: nothing to continue for a viewer
    if not latest.completed and (staff or await _published(uow, actor, latest.episode_id)):
        return continue_from(latest, None)
    after = KeysetWindow(after=(latest.episode_number, latest.episode_id), limit=1)
    following = await uow.episodes.list_in_series(
        actor.studio_id, series.id, EpisodeQuery(published_only=not staff, window=after)
    )
    upcoming = following.items[0] if following.items else None
    if latest.completed:
        return continue_from(latest, None if upcoming is None else (upcoming.id, upcoming.number))
    if upcoming is None:
        return None
    # The unfinished episode was unpublished since: a viewer goes on with the next one.
    return ContinueFrom(
        series_id=series.id,
        episode_id=upcoming.id,
        episode_number=upcoming.number,
        position=0.0,
        last_watched_at=latest.watched_at,
    )


async def _published(uow: UnitOfWork, actor: Actor, episode_id: str) -> bool:
    try:
        episode = await uow.episodes.get(actor.studio_id, episode_id_of(episode_id))
    except EpisodeNotFoundError:
        return False
    return episode.status is EpisodeStatus.PUBLISHED
