"""``/content``: the published catalogue, for every signed-in user of a studio.

Viewers see published series that have a published episode, and those episodes; anything
else is 404, exactly as another studio's content. Staff (artists and above) may also open
their studio's unpublished series and episodes, marked ``preview: true``. Each episode says
whether it is ``free`` (within the studio's free episodes per series) and ``locked`` for the
caller (a viewer without an active subscription, past the free ones).
"""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from application.content.access import series_id_of
from application.content.catalog import (
    GetPublishedEpisode,
    GetPublishedEpisodeHandler,
    GetPublishedSeries,
    GetPublishedSeriesHandler,
    ListPublishedEpisodes,
    ListPublishedEpisodesHandler,
    ListPublishedSeries,
    ListPublishedSeriesHandler,
)
from application.content.ports import (
    DEFAULT_EPISODE_SORT,
    DEFAULT_PUBLISHED_SERIES_SORT,
    PUBLISHED_SERIES_SORTS,
)
from domain.content.values import MAX_TAG, check_tag, query_words
from domain.identity.access import Actor
from domain.shared.paging import DEFAULT_LIMIT, CursorCodec, parse_sort, query_identity
from entrypoints.http.auth import current_actor
from entrypoints.http.content.schemas import CatalogEpisodeOut, CatalogSeriesOut
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

TagParam = Annotated[
    str | None,
    QueryParameter(min_length=1, max_length=MAX_TAG, description="Only series with this tag."),
]
SearchParam = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=200,
        description="Title search: each word must begin a word of the title.",
    ),
]


class ContentController(Controller):
    path = "/content"
    tags = ["content"]
    dependencies = {"actor": Provide(current_actor)}

    @get("/series")
    async def list_published_series(
        self,
        actor: NamedDependency[Actor],
        list_published_series: NamedDependency[ListPublishedSeriesHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        tag: TagParam = None,
        q: SearchParam = None,
        cursor: CursorParam = None,
    ) -> ListOf[CatalogSeriesOut]:
        """Published series (each with at least one published episode); sort by
        ``publishedAt`` (default, newest first), ``title`` or ``popularity``."""
        spec = parse_sort(
            sort, allowed=PUBLISHED_SERIES_SORTS, default=DEFAULT_PUBLISHED_SERIES_SORT
        )
        tag_key = check_tag(tag) if tag is not None else None
        words = query_words(q) if q is not None else ()
        filters = {"tag": tag_key, "q": " ".join(words) or None}
        identity = query_identity("content-series", filters, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_published_series(
            ListPublishedSeries(actor=actor, tag=tag, q=q, sort=spec, window=chosen)
        )
        items = [CatalogSeriesOut.of(series) for series in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get("/series/{series_id:str}")
    async def get_published_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_published_series: NamedDependency[GetPublishedSeriesHandler],
    ) -> Data[CatalogSeriesOut]:
        """One series: published for everyone; unpublished for staff, as a preview."""
        shown = await get_published_series(GetPublishedSeries(actor=actor, series_id=series_id))
        return Data(data=CatalogSeriesOut.of_view(shown))

    @get("/series/{series_id:str}/episodes")
    async def list_published_episodes(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        list_published_episodes: NamedDependency[ListPublishedEpisodesHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        cursor: CursorParam = None,
    ) -> ListOf[CatalogEpisodeOut]:
        """The series' episodes in number order, each marked ``free`` and ``locked`` for the
        caller: published ones for viewers; every one for staff (unpublished as previews)."""
        identity = query_identity(
            f"content/series/{series_id_of(series_id)}/episodes", {}, DEFAULT_EPISODE_SORT
        )
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        listing = await list_published_episodes(
            ListPublishedEpisodes(actor=actor, series_id=series_id, window=chosen)
        )
        items = [CatalogEpisodeOut.of(view) for view in listing.episodes.items]
        return list_of(listing.episodes, items, codec=cursor_codec, query=identity)

    @get("/episodes/{episode_id:str}")
    async def get_published_episode(
        self,
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_published_episode: NamedDependency[GetPublishedEpisodeHandler],
    ) -> Data[CatalogEpisodeOut]:
        """One episode, marked ``free`` and ``locked`` for the caller (a preview for staff
        when it or its series is not published)."""
        view = await get_published_episode(GetPublishedEpisode(actor=actor, episode_id=episode_id))
        return Data(data=CatalogEpisodeOut.of(view))
