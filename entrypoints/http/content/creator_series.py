"""``/creator/series``: a creator's own series (artists and above; directors and above may open
and change anyone's in their studio), and sending them to review.

Single-series answers carry ``ETag``; changes honour ``If-Match`` when sent (never required,
see ``headers.py``). ``POST`` honours ``Idempotency-Key``.
"""

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from application.content.ports import DEFAULT_OWN_SERIES_SORT, OWN_SERIES_SORTS
from application.content.series import (
    CreateSeries,
    CreateSeriesHandler,
    GetOwnSeries,
    GetOwnSeriesHandler,
    ListOwnSeries,
    ListOwnSeriesHandler,
    UpdateSeries,
    UpdateSeriesHandler,
)
from application.content.status import ChangeSeriesStatusHandler
from domain.content.model import ContentAction, SeriesStatus
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
from entrypoints.http.content.moves import move_series
from entrypoints.http.content.schemas import SeriesCreateIn, SeriesOut, SeriesPatchIn
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

StatusFilter = Annotated[SeriesStatus | None, QueryParameter(description="Only this status.")]


class CreatorSeriesController(Controller):
    path = "/creator/series"
    tags = ["creator"]
    dependencies = {"actor": Provide(current_actor)}

    @post("/", status_code=201)
    async def create_series(
        self,
        data: JSONBody[SeriesCreateIn],
        actor: NamedDependency[Actor],
        create_series: NamedDependency[CreateSeriesHandler],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Data[SeriesOut]]:
        """Create a series owned by the caller, as a draft or already submitted (pending)."""
        created = await create_series(
            CreateSeries(
                actor=actor,
                title=data.title,
                synopsis=data.synopsis,
                tags=data.tags,
                status=SeriesStatus(data.status),
                idempotency_key=idempotency_key,
            )
        )
        series = created.series
        headers = {"Location": f"/creator/series/{series.id}", **etag_of(series)}
        if created.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(Data(data=SeriesOut.of(series)), status_code=201, headers=headers)

    @get("/")
    async def list_own_series(
        self,
        actor: NamedDependency[Actor],
        list_own_series: NamedDependency[ListOwnSeriesHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
        sort: SortParam = None,
        status: StatusFilter = None,
        cursor: CursorParam = None,
    ) -> ListOf[SeriesOut]:
        """The caller's own series, any status (or one): paged or walked with a cursor."""
        spec = parse_sort(sort, allowed=OWN_SERIES_SORTS, default=DEFAULT_OWN_SERIES_SORT)
        filters = {"owner": actor.user_id, "status": status}
        identity = query_identity("creator-series", filters, spec)
        chosen = window(page=page, limit=limit, cursor=cursor, codec=cursor_codec, query=identity)
        result = await list_own_series(
            ListOwnSeries(actor=actor, status=status, sort=spec, window=chosen)
        )
        items = [SeriesOut.of(series) for series in result.items]
        return list_of(result, items, codec=cursor_codec, query=identity)

    @get("/{series_id:str}")
    async def get_own_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_own_series: NamedDependency[GetOwnSeriesHandler],
        if_none_match: IfNoneMatch = None,
    ) -> Response[Data[SeriesOut] | None]:
        """One series, any status, with its ETag (``If-None-Match`` with it answers 304)."""
        series = await get_own_series(GetOwnSeries(actor=actor, series_id=series_id))
        if if_none_match == series.etag:
            return Response(None, status_code=304, headers=etag_of(series))
        return Response(Data(data=SeriesOut.of(series)), headers=etag_of(series))

    @patch("/{series_id:str}")
    async def update_series(
        self,
        series_id: FromPath[str],
        data: JSONBody[SeriesPatchIn],
        actor: NamedDependency[Actor],
        update_series: NamedDependency[UpdateSeriesHandler],
        if_match: IfMatch = None,
    ) -> Response[Data[SeriesOut]]:
        """Change the title, synopsis or tags (not of an archived series)."""
        fields = {
            name: value
            for name in SeriesPatchIn.__struct_fields__
            if (value := getattr(data, name)) is not msgspec.UNSET
        }
        if not fields:
            raise InvalidInputError("Send at least one field to change.", code="empty_patch")
        series = await update_series(
            UpdateSeries(
                actor=actor,
                series_id=series_id,
                expected_revision=expected_revision(if_match),
                **fields,
            )
        )
        return Response(Data(data=SeriesOut.of(series)), headers=etag_of(series))

    @post("/{series_id:str}/submit", status_code=200)
    async def submit_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> Response[Data[SeriesOut]]:
        """Send a draft or rejected series to review (pending)."""
        return await move_series(
            change_series_status, actor, series_id, ContentAction.SUBMIT, if_match=if_match
        )

    @post("/{series_id:str}/withdraw", status_code=200)
    async def withdraw_series(
        self,
        series_id: FromPath[str],
        actor: NamedDependency[Actor],
        change_series_status: NamedDependency[ChangeSeriesStatusHandler],
        if_match: IfMatch = None,
    ) -> Response[Data[SeriesOut]]:
        """Take a pending series back from review (draft)."""
        return await move_series(
            change_series_status, actor, series_id, ContentAction.WITHDRAW, if_match=if_match
        )
