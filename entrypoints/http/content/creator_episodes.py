"""``/creator/series/{seriesId}/episodes``: the episodes of a series its creator may edit
(artists their own; directors and above anyone's), and sending them to review.

An episode is addressed under its own series: under another series' path it is not found.
Single-episode answers carry ``ETag``; changes honour ``If-Match`` when sent (never
required). ``POST`` honours ``Idempotency-Key``.
"""

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from application.content.access import series_id_of
from application.content.episodes import (
    CreateEpisode,
    CreateEpisodeHandler,
    GetOwnEpisode,
    GetOwnEpisodeHandler,
    ListSeriesEpisodes,
    ListSeriesEpisodesHandler,
    UpdateEpisode,
    UpdateEpisodeHandler,
)
from application.content.ports import DEFAULT_EPISODE_SORT, EPISODE_SORTS
from application.content.status import ChangeEpisodeStatusHandler
from domain.content.errors import EpisodeNotFoundError
from domain.content.model import ContentAction, Episode, EpisodeStatus
from domain.identity.access import Actor
from domain.shared.errors import InvalidInputError
from domain.shared.paging import DEFAULT_LIMIT, CursorCodec, parse_sort, query_identity
from entrypoints.http.auth import current_actor
from entrypoints.http.content.headers import (
    IdempotencyKey,
    IfMatch,
    IfNoneMatch,
    etag_of,
    expected_revision,
)
from entrypoints.http.content.moves import move_episode
from entrypoints.http.content.schemas import EpisodeCreateIn, EpisodeOut, EpisodePatchIn
from entrypoints.http.envelope import Data
from entrypoints.http.listing import (
    CursorParam,
    LimitParam,
    ListOf,
    PageParam,
    SortParam,
    list_of,
    window,
)


async def _in_series(
    get_own_episode: GetOwnEpisodeHandler, actor: Actor, series_id: str, episode_id: str
) -> Episode:
    """The episode, if the caller may edit it and it belongs to the series of the path."""
    episode = await get_own_episode(GetOwnEpisode(actor=actor, episode_id=episode_id))
    if episode.series_id != series_id_of(series_id):
        raise EpisodeNotFoundError()
    return episode


class CreatorEpisodesController(Controller):
    path = "/creator/series/{series_id:str}/episodes"
    tags = ["creator"]
    dependencies = {"actor": Provide(current_actor)}

    @post("/", status_code=201)
    async def create_episode(
        self,
        series_id: FromPath[str],
        data: JSONBody[EpisodeCreateIn],
        actor: NamedDependency[Actor],
        create_episode: NamedDependency[CreateEpisodeHandler],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Data[EpisodeOut]]:
        """Add an episode with one of the series owner's videos (``POST /creator/videos``),
        as a draft or already submitted (pending)."""
        created = await create_episode(
            CreateEpisode(
                actor=actor,
                series_id=series_id,
                number=data.number,
                title=data.title,
                video_id=data.video_id,
                status=EpisodeStatus(data.status),
                idempotency_key=idempotency_key,
            )
        )
        episode = created.episode
        location = f"/creator/series/{episode.series_id}/episodes/{episode.id}"
        headers = {"Location": location, **etag_of(episode)}
        if created.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(Data(data=EpisodeOut.of(episode)), status_code=201, headers=headers)

    @get("/")
    async def list_series_episodes(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        list_series_episodes: NamedDependency[ListSeriesEpisodesHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        cursor: CursorParam = None,
    ) -> ListOf[EpisodeOut]:
        """Every episode of the series, any status, by number."""
        spec = parse_sort(sort, allowed=EPISODE_SORTS, default=DEFAULT_EPISODE_SORT)
        identity = query_identity(f"creator/series/{series_id_of(series_id)}/episodes", {}, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_series_episodes(
            ListSeriesEpisodes(actor=actor, series_id=series_id, sort=spec, window=chosen)
        )
        items = [EpisodeOut.of(episode) for episode in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get("/{episode_id:str}")
    async def get_own_episode(
        self,
        series_id: FromPath[str],
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_own_episode: NamedDependency[GetOwnEpisodeHandler],
        if_none_match: IfNoneMatch = None,
    ) -> Response[Data[EpisodeOut] | None]:
        """One episode, any status, with its ETag (``If-None-Match`` with it answers 304)."""
        episode = await _in_series(get_own_episode, actor, series_id, episode_id)
        if if_none_match == episode.etag:
            return Response(None, status_code=304, headers=etag_of(episode))
        return Response(Data(data=EpisodeOut.of(episode)), headers=etag_of(episode))

    @patch("/{episode_id:str}")
    async def update_episode(
        self,
        series_id: FromPath[str],
        episode_id: FromPath[str],
        data: JSONBody[EpisodePatchIn],
        actor: NamedDependency[Actor],
        get_own_episode: NamedDependency[GetOwnEpisodeHandler],
        update_episode: NamedDependency[UpdateEpisodeHandler],
        if_match: IfMatch = None,
    ) -> Response[Data[EpisodeOut]]:
        """Change the number, title or video of a draft or rejected episode."""
        fields = {
            name: value
            for name in EpisodePatchIn.__struct_fields__
            if (value := getattr(data, name)) is not msgspec.UNSET
        }
        if not fields:
            raise InvalidInputError("Send at least one field to change.", code="empty_patch")
        expected = expected_revision(if_match)
        await _in_series(get_own_episode, actor, series_id, episode_id)
        episode = await update_episode(
            UpdateEpisode(actor=actor, episode_id=episode_id, expected_revision=expected, **fields)
        )
        return Response(Data(data=EpisodeOut.of(episode)), headers=etag_of(episode))

    @post("/{episode_id:str}/submit", status_code=200)
    async def submit_episode(
        self,
        series_id: FromPath[str],
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_own_episode: NamedDependency[GetOwnEpisodeHandler],
        change_episode_status: NamedDependency[ChangeEpisodeStatusHandler],
        if_match: IfMatch = None,
    ) -> Response[Data[EpisodeOut]]:
        """Send a draft or rejected episode to review (pending)."""
        await _in_series(get_own_episode, actor, series_id, episode_id)
        return await move_episode(
            change_episode_status, actor, episode_id, ContentAction.SUBMIT, if_match=if_match
        )

    @post("/{episode_id:str}/withdraw", status_code=200)
    async def withdraw_episode(
        self,
        series_id: FromPath[str],
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_own_episode: NamedDependency[GetOwnEpisodeHandler],
        change_episode_status: NamedDependency[ChangeEpisodeStatusHandler],
        if_match: IfMatch = None,
    ) -> Response[Data[EpisodeOut]]:
        """Take a pending episode back from review (draft), to edit it."""
        await _in_series(get_own_episode, actor, series_id, episode_id)
        return await move_episode(
            change_episode_status, actor, episode_id, ContentAction.WITHDRAW, if_match=if_match
        )
