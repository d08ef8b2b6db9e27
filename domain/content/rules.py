"""Rules across a series and its episodes: moving an episode (and with it, its series), who
sees what, and which episodes are free or locked for whom."""

from dataclasses import dataclass
from datetime import datetime

from domain.content.errors import (
    SeriesArchivedError,
    SeriesNotPublishableError,
    VideoNotReadyError,
)
from domain.content.model import (
    ContentAction,
    Episode,
    EpisodeStatus,
    Rejection,
    Series,
    SeriesStatus,
)
from domain.identity.access import Actor, Capability, can
from domain.identity.model import Role
from domain.media.model import VideoStatus

# Videos an episode may be published with. ``uploaded`` counts until a processing pipeline
# exists to move videos to ``ready``; ``processing`` and ``failed`` never do.
PLAYABLE_VIDEO_STATUSES = frozenset({VideoStatus.READY, VideoStatus.UPLOADED})
# A series whose episode is approved is published with it when it was one of these.
PUBLISHABLE_SERIES_STATUSES = frozenset(
    {SeriesStatus.DRAFT, SeriesStatus.PENDING, SeriesStatus.PUBLISHED}
)


def episode_transition(
    series: Series,
    episode: Episode,
    action: ContentAction,
    *,
    video_status: VideoStatus | None,
    rejection: Rejection | None = None,
    at: datetime,
) -> tuple[Series, Episode]:
    """The series and the episode after ``action`` on the episode.

    ``video_status`` is the status of the episode's video (None if it is gone). The episode's
    table is asked first (``illegal_transition``); then nothing moves in an archived series
    (``series_archived``); an approval needs a publishable series (``series_not_publishable``)
    and a playable video (``video_not_ready``), and publishes the series with the episode; an
    unpublish may take the series back to draft.
    """
    if episode.series_id != series.id or episode.studio_id != series.studio_id:
        raise ValueError("the episode does not belong to this series")
    moved = episode.transitioned(action, rejection=rejection, at=at)
    if series.status is SeriesStatus.ARCHIVED:
        raise SeriesArchivedError()
    if action is ContentAction.APPROVE:
        if series.status not in PUBLISHABLE_SERIES_STATUSES:
            raise SeriesNotPublishableError(details={"seriesStatus": str(series.status)})
        if video_status not in PLAYABLE_VIDEO_STATUSES:
            raise VideoNotReadyError(
                details={"videoStatus": str(video_status) if video_status else "missing"}
            )
        return series.episode_published(at=at), moved
    if action is ContentAction.UNPUBLISH:
        return series.episode_unpublished(at=at), moved
    return series, moved


def sees_unpublished(actor: Actor) -> bool:
    """Staff (artists and above) see their studio's unpublished content, marked as a preview."""
    return can(actor, Capability.CREATE_CONTENT)


def viewer_sees(series: Series, episode: Episode | None = None) -> bool:
    """What anyone may see: a visible series, and its published episodes."""
    return series.visible and (episode is None or episode.status is EpisodeStatus.PUBLISHED)


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeAccess:
    """``free``: among the studio's free episodes of each series. ``locked``: this caller may
    not play it (a viewer without an active subscription, past the free episodes)."""

    free: bool
    locked: bool


def episode_access(
    number: int, *, free_episodes: int, role: Role, subscribed: bool
) -> EpisodeAccess:
    """Free = ``number <= free_episodes`` (the studio's setting). Staff roles play everything;
    viewers play free episodes, and the others with an active subscription."""
    free = number <= free_episodes
    return EpisodeAccess(free=free, locked=role is Role.VIEWER and not free and not subscribed)
