"""``SeriesRepository`` on the ``series`` collection.

A series' tags and title words are arrays on its own document, rewritten with it by every add
and save, so a catalogue search never sees a half-saved series (SQLite keeps them in a side
table written in the same transaction).
"""

from dataclasses import replace

from adapters.persistence.mongo.content.listing import (
    ContentFind,
    find_page,
    own_series_find,
    pending_series_find,
    published_series_find,
)
from adapters.persistence.mongo.content.mapping import series_from_doc, series_to_doc
from adapters.persistence.mongo.identity.mapping import without_id
from adapters.persistence.mongo.indexes import SERIES
from adapters.persistence.mongo.shared.codec import lookup_uuid, to_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import empty_page
from application.content.ports import OwnSeriesQuery, PendingQuery, PublishedSeriesQuery
from domain.content.errors import SeriesNotFoundError
from domain.content.model import Series, SeriesId
from domain.shared.ids import StudioId
from domain.shared.paging import Page, Window


class MongoSeriesRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._series = context.collection(SERIES)

    async def add(self, series: Series) -> None:
        with self._context.writing(SERIES):
            await self._series.insert_one(series_to_doc(series), session=self._context.session)

    async def get(self, studio_id: StudioId, series_id: SeriesId) -> Series:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(series_id)
        doc = None
        if tenant is not None and key is not None:
            doc = await self._series.find_one(
                {"studio_id": tenant, "_id": key}, session=self._context.session
            )
        if doc is None:
            raise SeriesNotFoundError()
        return series_from_doc(doc)

    async def save(self, series: Series, *, expected_revision: int) -> Series:
        """Compare-and-set on the revision; the derived fields are rewritten with the rest.
        ``popularity`` is left alone: only ``add_plays`` changes it."""
        saved = replace(series, revision=expected_revision + 1)
        fields = without_id(series_to_doc(saved))
        del fields["popularity"]
        await self._context.compare_and_set(
            SERIES,
            {"studio_id": to_uuid(series.studio_id), "_id": to_uuid(series.id)},
            fields,
            expected_revision=expected_revision,
            not_found=SeriesNotFoundError(),
        )
        return saved

    async def add_plays(self, studio_id: StudioId, series_id: SeriesId, plays: int) -> None:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(series_id)
        matched = 0
        if tenant is not None and key is not None:
            with self._context.writing(SERIES):
                result = await self._series.update_one(
                    {"studio_id": tenant, "_id": key},
                    {"$inc": {"popularity": plays}},
                    session=self._context.session,
                )
            matched = result.matched_count
        if matched != 1:
            raise SeriesNotFoundError()

    async def list_own(self, studio_id: StudioId, query: OwnSeriesQuery) -> Page[Series]:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return empty_page(query.window)
        return await self._page(own_series_find(tenant, query), query.window)

    async def list_pending(self, studio_id: StudioId, query: PendingQuery) -> Page[Series]:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return empty_page(query.window)
        return await self._page(pending_series_find(tenant, query), query.window)

    async def list_published(
        self, studio_id: StudioId, query: PublishedSeriesQuery
    ) -> Page[Series]:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return empty_page(query.window)
        return await self._page(published_series_find(tenant, query), query.window)

    async def _page(self, find: ContentFind, window: Window) -> Page[Series]:
        return await find_page(self._series, find, window, series_from_doc, self._context.session)
