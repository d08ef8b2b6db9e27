"""``/admin/series`` and ``/admin/episodes``: the moderation queue and the moderators' actions
(producers and admins).

Approving an episode publishes it, and its series with it when the series was a draft or
pending; rejecting needs ``{reason, note}`` (``reason`` from the fixed list, ``other`` needs a
note). Actions honour ``If-Match`` when sent (never required) and answer with ``ETag``.
"""

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from application.content.moderation import (
    ListPendingEpisodes,
    ListPendingEpisodesHandler,
    ListPendingSeries,
    ListPendingSeriesHandler,
)
from application.content.ports import DEFAULT_PENDING_SORT, PENDING_SORTS
from application.content.status import ChangeEpisodeStatusHandler, ChangeSeriesStatusHandler
from domain.content.model import ContentAction
from domain.identity.access import Actor
from domain.shared.paging import DEFAULT_LIMIT, CursorCodec, parse_sort, query_identity
from entrypoints.http.auth import current_actor
from entrypoints.http.content.headers import IfMatch
from entrypoints.http.content.moves import move_episode, move_series
from entrypoints.http.content.schemas import EpisodeOut, RejectIn, SeriesOut
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

SeriesAnswer = Response[Data[SeriesOut]]
EpisodeAnswer = Response[Data[EpisodeOut]]


class ModerationController(Controller):
    path = "/admin"
    tags = ["moderation"]
    dependencies = {"actor": Provide(current_actor)}

    @get("/series/pending")
    async def list_pending_series(
        self,
        actor: NamedDependency[Actor],
        list_pending_series: NamedDependency[ListPendingSeriesHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        cursor: CursorParam = None,
    ) -> ListOf[SeriesOut]:
        """Series waiting for review, oldest submission first."""
        spec = parse_sort(sort, allowed=PENDING_SORTS, default=DEFAULT_PENDING_SORT)
        identity = query_identity("pending-series", {}, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_pending_series(ListPendingSeries(actor=actor, sort=spec, window=chosen))
        items = [SeriesOut.of(series) for series in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get("/episodes/pending")
    async def list_pending_episodes(
        self,
        actor: NamedDependency[Actor],
        list_pending_episodes: NamedDependency[ListPendingEpisodesHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        cursor: CursorParam = None,
    ) -> ListOf[EpisodeOut]:
        """Episodes waiting for review, of every series, oldest submission first."""
        spec = parse_sort(sort, allowed=PENDING_SORTS, default=DEFAULT_PENDING_SORT)
        identity = query_identity("pending-episodes", {}, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_pending_episodes(
            ListPendingEpisodes(actor=actor, sort=spec, window=chosen)
        )
        items = [EpisodeOut.of(episode) for episode in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @post("/episodes/{episode_id:str}/approve", status_code=200)
    async def approve_episode(
        self,
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_episode_status: NamedDependency[ChangeEpisodeStatusHandler],
        if_match: IfMatch = None,
    ) -> EpisodeAnswer:
        """Publish a pending episode (its video must be uploaded or ready), and its series
        with it when the series is a draft or pending."""
        return await move_episode(
            change_episode_status, actor, episode_id, ContentAction.APPROVE, if_match=if_match
        )

    @post("/episodes/{episode_id:str}/reject", status_code=200)
    async def reject_episode(
        self,
        episode_id: FromPath[str],
        data: JSONBody[RejectIn],
        actor: NamedDependency[Actor],
        change_episode_status: NamedDependency[ChangeEpisodeStatusHandler],
        if_match: IfMatch = None,
    ) -> EpisodeAnswer:
        """Send a pending episode back to its creator with a reason (and a note)."""
        return await move_episode(
            change_episode_status,
            actor,
            episode_id,
            ContentAction.REJECT,
            if_match=if_match,
            rejection=data.rejection(),
        )

    @post("/episodes/{episode_id:str}/unpublish", status_code=200)
    async def unpublish_episode(
        self,
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_episode_status: NamedDependency[ChangeEpisodeStatusHandler],
        if_match: IfMatch = None,
    ) -> EpisodeAnswer:
        """Take a published episode back to draft (its series too, if it was the last)."""
        return await move_episode(
            change_episode_status, actor, episode_id, ContentAction.UNPUBLISH, if_match=if_match
        )

    @post("/series/{series_id:str}/approve", status_code=200)
    async def approve_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> SeriesAnswer:
        """Publish a pending series (viewers see it once it has a published episode)."""
        return await move_series(
            change_series_status, actor, series_id, ContentAction.APPROVE, if_match=if_match
        )

    @post("/series/{series_id:str}/reject", status_code=200)
    async def reject_series(
        self,
        series_id: FromPath[str],
        data: JSONBody[RejectIn],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> SeriesAnswer:
        """Send a pending series back to its creator with a reason (and a note)."""
        return await move_series(
            change_series_status,
            actor,
            series_id,
            ContentAction.REJECT,
            if_match=if_match,
            rejection=data.rejection(),
        )

    @post("/series/{series_id:str}/unpublish", status_code=200)
    async def unpublish_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> SeriesAnswer:
        """Take a published series back to draft, with all its published episodes."""
        return await move_series(
            change_series_status, actor, series_id, ContentAction.UNPUBLISH, if_match=if_match
        )

    @post("/series/{series_id:str}/archive", status_code=200)
    async def archive_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> SeriesAnswer:
        """Archive a series: its published and pending episodes go back to draft."""
        return await move_series(
            change_series_status, actor, series_id, ContentAction.ARCHIVE, if_match=if_match
        )

    @post("/series/{series_id:str}/restore", status_code=200)
    async def restore_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> SeriesAnswer:
        """Bring an archived series back, as a draft."""
        return await move_series(
            change_series_status, actor, series_id, ContentAction.RESTORE, if_match=if_match
        )
