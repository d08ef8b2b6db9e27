"""``EpisodeRepository`` on the ``episodes`` collection: numbers unique in a series."""

from dataclasses import replace
from datetime import datetime

from adapters.persistence.mongo.content.listing import (
    ContentFind,
    find_page,
    pending_episodes_find,
    series_episodes_find,
)
from adapters.persistence.mongo.content.mapping import episode_from_doc, episode_to_doc
from adapters.persistence.mongo.identity.mapping import without_id
from adapters.persistence.mongo.indexes import EPISODE_NUMBER_UNIQUE, EPISODES
from adapters.persistence.mongo.shared.codec import lookup_uuid, to_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import empty_page
from application.content.ports import EpisodeQuery, PendingQuery
from domain.content.errors import EpisodeNotFoundError, EpisodeNumberTakenError
from domain.content.model import Episode, EpisodeId, EpisodeStatus, SeriesId
from domain.shared.ids import StudioId
from domain.shared.paging import Page, Window

_UNIQUE = {EPISODE_NUMBER_UNIQUE: EpisodeNumberTakenError}


class MongoEpisodeRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._episodes = context.collection(EPISODES)

    async def add(self, episode: Episode) -> None:
        with self._context.writing(EPISODES, _UNIQUE):
            await self._episodes.insert_one(episode_to_doc(episode), session=self._context.session)

    async def get(self, studio_id: StudioId, episode_id: EpisodeId) -> Episode:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(episode_id)
        doc = None
        if tenant is not None and key is not None:
            doc = await self._episodes.find_one(
                {"studio_id": tenant, "_id": key}, session=self._context.session
            )
        if doc is None:
            raise EpisodeNotFoundError()
        return episode_from_doc(doc)

    async def save(self, episode: Episode, *, expected_revision: int) -> Episode:
        saved = replace(episode, revision=expected_revision + 1)
        await self._context.compare_and_set(
            EPISODES,
            {"studio_id": to_uuid(episode.studio_id), "_id": to_uuid(episode.id)},
            without_id(episode_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=EpisodeNotFoundError(),
            unique=_UNIQUE,
        )
        return saved

    async def move_to_draft(
        self,
        studio_id: StudioId,
        series_id: SeriesId,
        statuses: frozenset[EpisodeStatus],
        *,
        at: datetime,
    ) -> int:
        """One ``update_many``: the fields ``Episode.moved_to_draft`` changes, and the revision
        bumped (in the unit of work's transaction, with the series' own save)."""
        tenant, series = lookup_uuid(studio_id), lookup_uuid(series_id)
        if tenant is None or series is None or not statuses:
            return 0
        match = {
            "studio_id": tenant,
            "series_id": series,
            "status": {"$in": sorted(status.value for status in statuses)},
        }
        change = {
            "$set": {"status": EpisodeStatus.DRAFT.value, "published_at": None, "updated_at": at},
            "$inc": {"revision": 1},
        }
        with self._context.writing(EPISODES):
            result = await self._episodes.update_many(match, change, session=self._context.session)
        return result.modified_count

    async def list_in_series(
        self, studio_id: StudioId, series_id: SeriesId, query: EpisodeQuery
    ) -> Page[Episode]:
        tenant, series = lookup_uuid(studio_id), lookup_uuid(series_id)
        if tenant is None or series is None:
            return empty_page(query.window)
        return await self._page(series_episodes_find(tenant, series, query), query.window)

    async def list_pending(self, studio_id: StudioId, query: PendingQuery) -> Page[Episode]:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return empty_page(query.window)
        return await self._page(pending_episodes_find(tenant, query), query.window)

    async def _page(self, find: ContentFind, window: Window) -> Page[Episode]:
        return await find_page(
            self._episodes, find, window, episode_from_doc, self._context.session
        )
