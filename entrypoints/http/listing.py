"""List parameters and the list envelope shared by every list endpoint.

``page``/``limit`` give numbered pages with a total; ``cursor`` (empty to start) walks the
list with opaque signed cursors instead, for deep scans.
"""

from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from domain.shared.paging import (
    DEFAULT_LIMIT,
    CursorCodec,
    KeysetWindow,
    Page,
    PageWindow,
    Window,
)

PageParam = Annotated[int, QueryParameter(ge=1, le=10_000, description="Page number, from 1.")]
LimitParam = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page, 1 to 100.")]
CursorParam = Annotated[
    str | None,
    QueryParameter(
        max_length=512,
        description="Walk with cursors instead of pages: empty to start, then meta.nextCursor.",
    ),
]
SortParam = Annotated[
    str | None, QueryParameter(max_length=40, description="field:asc or field:desc.")
]


class ListMeta(msgspec.Struct, kw_only=True, rename="camel"):
    """Page mode: ``total``, ``page``, ``limit``, ``totalPages``. Cursor mode: ``nextCursor``
    (null at the end) and ``limit``. Fields of the other mode are absent, not null."""

    limit: int
    total: int | msgspec.UnsetType = msgspec.UNSET
    page: int | msgspec.UnsetType = msgspec.UNSET
    total_pages: int | msgspec.UnsetType = msgspec.UNSET
    next_cursor: str | msgspec.UnsetType | None = msgspec.UNSET


class ListOf[T](msgspec.Struct, kw_only=True):
    data: list[T]
    meta: ListMeta


def window(*, page: int, limit: int, cursor: str | None, codec: CursorCodec, query: str) -> Window:
    if cursor is None:
        return PageWindow(page, limit)
    after = codec.decode(cursor, query=query) if cursor else None
    return KeysetWindow(after=after, limit=limit)


def list_of[T, Out](
    page: Page[T], items: list[Out], *, codec: CursorCodec, query: str
) -> ListOf[Out]:
    if page.total is not None:
        meta = ListMeta(
            total=page.total,
            page=page.page or 1,
            limit=page.limit,
            total_pages=page.total_pages or 1,
        )
    else:
        next_cursor = codec.encode(page.next_after, query=query) if page.next_after else None
        meta = ListMeta(next_cursor=next_cursor, limit=page.limit)
    return ListOf(data=items, meta=meta)


__all__ = ["DEFAULT_LIMIT", "CursorParam", "LimitParam", "ListOf", "PageParam", "SortParam"]
