"""Bodies of the ``/video`` routes (camelCase on the wire).

A play answer is a signed URL and its expiry, never the storage key. Progress positions and
durations are seconds; their bounds are the domain's (422 ``invalid_progress``).
"""

from datetime import datetime
from typing import Annotated

import msgspec

from application.playback.play import Playback
from domain.playback.progress import ContinueFrom, WatchProgress
from entrypoints.http.identity.schemas import Body

EpisodeIdText = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class PlaybackOut(msgspec.Struct, kw_only=True, rename="camel"):
    url: str  # a signed GET URL (HTTP Range works on it), valid until ``expiresAt``
    expires_at: datetime
    episode_id: str
    series_id: str
    free: bool  # among the studio's free episodes of the series
    preview: bool  # staff playing what viewers cannot see (not published)

    @classmethod
    def of(cls, playback: Playback) -> "PlaybackOut":
        return cls(
            url=playback.url,
            expires_at=playback.expires_at,
            episode_id=playback.episode.id,
            series_id=playback.episode.series_id,
            free=playback.free,
            preview=playback.preview,
        )


class ProgressIn(Body):
    """Where the player is (``position``) in an episode of ``duration`` seconds; ``watchedAt``
    is when it was there (default: when the server receives it)."""

    episode_id: EpisodeIdText
    position: float
    duration: float
    watched_at: Instant | None = None


class ProgressOut(msgspec.Struct, kw_only=True, rename="camel"):
    episode_id: str
    series_id: str
    episode_number: int
    position: float
    duration: float
    completed: bool
    watched_at: datetime

    @classmethod
    def of(cls, entry: WatchProgress) -> "ProgressOut":
        return cls(
            episode_id=entry.episode_id,
            series_id=entry.series_id,
            episode_number=entry.episode_number,
            position=entry.position,
            duration=entry.duration,
            completed=entry.completed,
            watched_at=entry.watched_at,
        )


class ContinueOut(msgspec.Struct, kw_only=True, rename="camel"):
    """Where to pick a series up: this episode, from ``position`` seconds."""

    series_id: str
    episode_id: str
    episode_number: int
    position: float
    last_watched_at: datetime

    @classmethod
    def of(cls, resume: ContinueFrom) -> "ContinueOut":
        return cls(
            series_id=resume.series_id,
            episode_id=resume.episode_id,
            episode_number=resume.episode_number,
            position=resume.position,
            last_watched_at=resume.last_watched_at,
        )
