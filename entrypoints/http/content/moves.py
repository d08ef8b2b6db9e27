"""The one way the action routes (submit, withdraw, approve, reject, unpublish, archive,
restore) move a series or an episode: the handler, ``If-Match`` when sent, and the answer
with its ``ETag``."""

from litestar import Response

from application.content.status import (
    ChangeEpisodeStatus,
    ChangeEpisodeStatusHandler,
    ChangeSeriesStatus,
    ChangeSeriesStatusHandler,
)
from domain.content.model import ContentAction, Rejection
from domain.identity.access import Actor
from entrypoints.http.content.headers import etag_of, expected_revision
from entrypoints.http.content.schemas import EpisodeOut, SeriesOut
from entrypoints.http.envelope import Data


async def move_series(
    change_series_status: ChangeSeriesStatusHandler,
    actor: Actor,
    series_id: str,
    action: ContentAction,
    *,
    if_match: str | None,
    rejection: Rejection | None = None,
) -> Response[Data[SeriesOut]]:
    series = await change_series_status(
        ChangeSeriesStatus(
            actor=actor,
            series_id=series_id,
            action=action,
            rejection=rejection,
            expected_revision=expected_revision(if_match),
        )
    )
    return Response(Data(data=SeriesOut.of(series)), headers=etag_of(series))


async def move_episode(
    change_episode_status: ChangeEpisodeStatusHandler,
    actor: Actor,
    episode_id: str,
    action: ContentAction,
    *,
    if_match: str | None,
    rejection: Rejection | None = None,
) -> Response[Data[EpisodeOut]]:
    moved = await change_episode_status(
        ChangeEpisodeStatus(
            actor=actor,
            episode_id=episode_id,
            action=action,
            rejection=rejection,
            expected_revision=expected_revision(if_match),
        )
    )
    return Response(Data(data=EpisodeOut.of(moved.episode)), headers=etag_of(moved.episode))
