"""Series and episode lists as MongoDB ``find``s: their filter, sort and keyset condition.

Built by pure functions from the queries, so the tests explain exactly what the repositories
run. Every list names its studio, and each filter and sort has its index (``indexes``):

- a creator's own series: (studio_id, owner_id, [status,] sort, _id);
- the moderation queues: (studio_id, status, submitted_at, _id), on series and on episodes;
- the catalogue: (studio_id, visible, [tags,] sort, _id); a ``q`` search ranges over
  (studio_id, visible, words), then sorts its matches;
- a series' episodes: (studio_id, series_id, [status,] number). Numbers are unique in a series,
  so they sort alone and a keyset window resumes after the number (the key's id is checked but
  places nothing).
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from adapters.persistence.mongo.shared.codec import (
    Document,
    to_principal,
)
from adapters.persistence.mongo.shared.keyset import (
    SortOrder,
    after_filter,
    key_id,
    sort_key,
    sort_order,
    stored_value,
)
from application.content.ports import (
    EpisodeQuery,
    OwnSeriesQuery,
    PendingQuery,
    PublishedSeriesQuery,
)
from domain.content.model import EpisodeStatus, SeriesStatus
from domain.shared.paging import Direction, KeysetWindow, Page, SortSpec, Window

# API sort names to document fields: ``title`` sorts by the case-folded title.
SERIES_SORT_FIELDS = {
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "title": "title_key",
    "publishedAt": "published_at",
    "popularity": "popularity",
    "submittedAt": "submitted_at",
}
EPISODE_SORT_FIELDS = {"number": "number", "submittedAt": "submitted_at"}
INSTANTS = frozenset({"created_at", "updated_at", "published_at", "submitted_at"})
_WHOLE = frozenset({"popularity", "number"})


@dataclass(frozen=True, slots=True)
class ContentFind:
    match: Document  # the filter, with a keyset window's condition
    order: SortOrder
    field: str  # the document field sorted by, first


def own_series_find(tenant: uuid.UUID, query: OwnSeriesQuery) -> ContentFind:
    match: Document = {"studio_id": tenant, "owner_id": to_principal(query.owner_id)}
    if query.status is not None:
        match["status"] = query.status.value
    return _sorted(match, SERIES_SORT_FIELDS, query.sort, query.window)


def pending_series_find(tenant: uuid.UUID, query: PendingQuery) -> ContentFind:
    match: Document = {"studio_id": tenant, "status": SeriesStatus.PENDING.value}
    return _sorted(match, SERIES_SORT_FIELDS, query.sort, query.window)


def published_series_find(tenant: uuid.UUID, query: PublishedSeriesQuery) -> ContentFind:
    """Visible series only (the stored ``visible``: published with a published episode)."""
    match: Document = {"studio_id": tenant, "visible": True}
    if query.tag is not None:
        match["tags"] = query.tag  # an array: equal to one of its elements
    if query.words:
        # Each word begins a word of the title: an anchored prefix regex on the words array,
        # which a multikey index reads as a range. (mongoeco matches no document for regexes
        # inside ``$all``, so it is one ``$and`` clause per word.)
        match["$and"] = [{"words": {"$regex": f"^{re.escape(word)}"}} for word in query.words]
    return _sorted(match, SERIES_SORT_FIELDS, query.sort, query.window)


def series_episodes_find(tenant: uuid.UUID, series: uuid.UUID, query: EpisodeQuery) -> ContentFind:
    match: Document = {"studio_id": tenant, "series_id": series}
    if query.published_only:
        match["status"] = EpisodeStatus.PUBLISHED.value
    direction = query.sort.direction
    window = query.window
    if isinstance(window, KeysetWindow) and window.after is not None:
        key_id(window.after)  # the shape is checked; the number alone places the episode
        number = stored_value("number", window.after, instants=INSTANTS, whole_numbers=_WHOLE)
        match["number"] = {"$gt" if direction is Direction.ASC else "$lt": number}
    order = [("number", 1 if direction is Direction.ASC else -1)]
    return ContentFind(match, order, "number")


def pending_episodes_find(tenant: uuid.UUID, query: PendingQuery) -> ContentFind:
    match: Document = {"studio_id": tenant, "status": EpisodeStatus.PENDING.value}
    return _sorted(match, EPISODE_SORT_FIELDS, query.sort, query.window)


def _sorted(match: Document, fields: dict[str, str], sort: SortSpec, window: Window) -> ContentFind:
    """``match`` sorted by (field, _id); a keyset window's ``after`` joins the filter, and a key
    of the wrong shape for the sort is ``invalid_cursor``."""
    field = fields[sort.field]
    if isinstance(window, KeysetWindow) and window.after is not None:
        value = stored_value(field, window.after, instants=INSTANTS, whole_numbers=_WHOLE)
        match = match | after_filter(field, value, key_id(window.after), sort.direction)
    return ContentFind(match, sort_order(field, sort.direction), field)


async def find_page[T](
    collection: AsyncCollection[Document],
    find: ContentFind,
    window: Window,
    from_doc: Callable[[Document], T],
    session: AsyncClientSession | None,
) -> Page[T]:
    """One window of ``find``: a page with its total, or a keyset window with the next key."""
    cursor = collection.find(find.match, session=session).sort(find.order)
    if not isinstance(window, KeysetWindow):
        total = await collection.count_documents(find.match, session=session)
        docs = await cursor.skip(window.offset).limit(window.limit).to_list()
        return Page(
            tuple(from_doc(doc) for doc in docs), window.limit, page=window.page, total=total
        )
    # One more than asked: whether anything follows, without a second query.
    docs = await cursor.limit(window.limit + 1).to_list()
    items = tuple(from_doc(doc) for doc in docs[: window.limit])
    more = len(docs) > window.limit
    next_after = sort_key(find.field, docs[window.limit - 1], instants=INSTANTS) if more else None
    return Page(items, window.limit, next_after=next_after)
