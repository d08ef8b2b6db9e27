"""Loading a series or an episode for an actor (the id checked, the studio scoped, the matrix
asked), checking the video an episode points at, and saving a change with its audit event."""

from collections.abc import Mapping

from application.audit.trail import AuditTrail
from application.shared.ports import UnitOfWork
from domain.content.errors import EpisodeNotFoundError, SeriesNotFoundError, UnknownVideoError
from domain.content.model import Episode, EpisodeId, Series, SeriesId
from domain.identity.access import Actor, Capability, Owned, authorize
from domain.media.errors import VideoNotFoundError
from domain.media.model import Video
from domain.shared.errors import InvalidInputError, StaleRevisionError
from domain.shared.ids import UserId, canonical_id


def series_id_of(text: str) -> SeriesId:
    """A caller's series id in canonical form; a malformed one names no series (404)."""
    try:
        return canonical_id(text)
    except InvalidInputError:
        raise SeriesNotFoundError() from None


def episode_id_of(text: str) -> EpisodeId:
    try:
        return canonical_id(text)
    except InvalidInputError:
        raise EpisodeNotFoundError() from None


def owned(item: Series | Episode) -> Owned:
    return Owned(studio_id=item.studio_id, owner_id=item.owner_id)


async def load_series(
    uow: UnitOfWork, actor: Actor, series_id: str, capability: Capability
) -> Series:
    """The actor's studio's series, if ``capability`` allows this actor to use it on it."""
    series = await uow.series.get(actor.studio_id, series_id_of(series_id))
    authorize(actor, capability, owned(series), not_found=SeriesNotFoundError)
    return series


async def load_episode(
    uow: UnitOfWork, actor: Actor, episode_id: str, capability: Capability
) -> Episode:
    episode = await uow.episodes.get(actor.studio_id, episode_id_of(episode_id))
    authorize(actor, capability, owned(episode), not_found=EpisodeNotFoundError)
    return episode


async def video_of(uow: UnitOfWork, series: Series, video_id: str) -> Video:
    """The video an episode of ``series`` may use: one of the series owner's, in its studio.

    Missing, malformed, another studio's or another creator's: ``unknown_video`` (422), the
    same answer for each, so nothing is learnt about other people's videos.
    """
    try:
        video = await uow.videos.get(series.studio_id, canonical_id(video_id))
    except (InvalidInputError, VideoNotFoundError):
        raise UnknownVideoError(details={"field": "videoId"}) from None
    if video.owner_id != series.owner_id:
        raise UnknownVideoError(details={"field": "videoId"})
    return video


def check_revision(item: Series | Episode, expected_revision: int | None) -> None:
    """``If-Match``: when the caller names a revision, it must be the current one."""
    if expected_revision is not None and expected_revision != item.revision:
        raise StaleRevisionError(details={"expected": expected_revision, "current": item.revision})


async def save_series(
    uow: UnitOfWork,
    audit: AuditTrail,
    actor: Actor | UserId,
    before: Series,
    after: Series,
    *,
    action: str,
    details: Mapping[str, str] | None = None,
) -> Series:
    """Store ``after`` over ``before`` (compare-and-set on its revision) and record ``action``
    in the same unit of work: every series change goes through here."""
    saved = await uow.series.save(after, expected_revision=before.revision)
    await audit.record(
        uow,
        studio_id=before.studio_id,
        actor=actor,
        action=action,
        resource_type="series",
        resource_id=before.id,
        at=after.updated_at,
        details=details,
    )
    return saved


async def save_episode(
    uow: UnitOfWork,
    audit: AuditTrail,
    actor: Actor | UserId,
    before: Episode,
    after: Episode,
    *,
    action: str,
    details: Mapping[str, str] | None = None,
) -> Episode:
    """As ``save_series``, for an episode."""
    saved = await uow.episodes.save(after, expected_revision=before.revision)
    await audit.record(
        uow,
        studio_id=before.studio_id,
        actor=actor,
        action=action,
        resource_type="episode",
        resource_id=before.id,
        at=after.updated_at,
        details={"seriesId": before.series_id, **(details or {})},
    )
    return saved
