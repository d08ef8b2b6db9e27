"""``GET /video/play/{episodeId}``: ask the entitlement policy, then hand out a short-lived URL.

The answer is a signed download URL valid for ``expires_in`` and its expiry; the storage key
itself never leaves this module. Each play of a published episode adds one to its series'
``popularity`` (what the catalogue sorts by). Another studio's episode is not found; in
one's own studio a refusal is ``PlaybackDeniedError`` with the policy's reason as its code,
counted and audited.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.audit.trail import AuditTrail
from application.content.access import episode_id_of
from application.media.ports import BlobStore
from application.playback.ports import PlaybackMetrics
from application.shared.ports import Clock, Persistence
from domain.content.errors import VideoNotReadyError
from domain.content.model import Episode
from domain.content.rules import PLAYABLE_VIDEO_STATUSES, viewer_sees
from domain.identity.access import Actor, Capability, authorize
from domain.identity.model import Role
from domain.media.errors import VideoNotFoundError
from domain.media.model import Video
from domain.playback.errors import PlaybackDeniedError
from domain.subscriptions.entitlement import Denial, Entitlement, entitlement


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayEpisode:
    actor: Actor
    episode_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Playback:
    episode: Episode
    url: str
    expires_at: datetime
    free: bool
    preview: bool  # staff playing what viewers cannot see yet


class PlayEpisodeHandler:
    def __init__(
        self,
        *,
        persistence: Persistence,
        blob_store: BlobStore,
        audit: AuditTrail,
        metrics: PlaybackMetrics,
        clock: Clock,
        expires_in: timedelta,
    ) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._audit = audit
        self._metrics = metrics
        self._clock = clock
        self._expires_in = expires_in

    async def __call__(self, command: PlayEpisode) -> Playback:
        actor = command.actor
        authorize(actor, Capability.PLAY_EPISODE)
        now = self._clock.now()
        async with self._persistence.unit_of_work(read_only=True) as uow:
            episode = await uow.episodes.get(actor.studio_id, episode_id_of(command.episode_id))
            series = await uow.series.get(actor.studio_id, episode.series_id)
            studio = await uow.studios.get(actor.studio_id)
            subscription = (
                await uow.subscriptions.get(actor.studio_id, actor.user_id)
                if actor.role is Role.VIEWER
                else None
            )
            decision = entitlement(
                published=viewer_sees(series, episode),
                number=episode.number,
                free_episodes=studio.settings.free_episodes_per_series,
                role=actor.role,
                subscription=subscription,
                at=now,
            )
            video: Video | None = None
            if decision.entitled:
                with suppress(VideoNotFoundError):  # deleted since: not playable
                    video = await uow.videos.get(actor.studio_id, episode.video_id)
        if decision.denial is not None:
            await self._deny(actor, episode, decision.denial, at=now)
        if video is None or video.status not in PLAYABLE_VIDEO_STATUSES:
            raise VideoNotReadyError(
                details={"videoStatus": "missing" if video is None else str(video.status)}
            )
        download = await self._blob_store.presign_download(
            key=video.storage_key, at=now, expires_in=self._expires_in
        )
        self._metrics.played()
        if not decision.preview:
            # The series' popularity: plays of what viewers can see (staff previews do not
            # count). A counter, not an edit: the series' revision stays.
            async with self._persistence.unit_of_work() as uow:
                await uow.series.add_plays(actor.studio_id, episode.series_id, 1)
                await uow.commit()
        return _playback(episode, decision, download.url, download.expires_at)

    async def _deny(self, actor: Actor, episode: Episode, denial: Denial, *, at: datetime) -> None:
        self._metrics.denied(denial)
        async with self._persistence.unit_of_work() as uow:
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="playback.denied",
                resource_type="episode",
                resource_id=episode.id,
                at=at,
                details={"reason": str(denial)},
            )
            await uow.commit()
        raise PlaybackDeniedError(
            _MESSAGES[denial], code=str(denial), details={"episodeId": episode.id}
        )


_MESSAGES = {
    Denial.NOT_PUBLISHED: "This episode is not published.",
    Denial.SUBSCRIPTION_REQUIRED: "This episode needs an active subscription.",
    Denial.SUBSCRIPTION_EXPIRED: "Your subscription has expired; renew it to watch this episode.",
}


def _playback(episode: Episode, decision: Entitlement, url: str, expires_at: datetime) -> Playback:
    return Playback(
        episode=episode,
        url=url,
        expires_at=expires_at,
        free=decision.free,
        preview=decision.preview,
    )
