"""``VideoRepository`` on the ``videos`` collection: a creator's list is newest first."""

from dataclasses import replace

from adapters.persistence.mongo.identity.mapping import without_id
from adapters.persistence.mongo.indexes import VIDEOS
from adapters.persistence.mongo.media.mapping import video_from_doc, video_to_doc
from adapters.persistence.mongo.shared.codec import (
    Document,
    epoch_ms,
    from_epoch_ms,
    from_uuid,
    lookup_uuid,
    to_uuid,
)
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import after_filter, invalid_key, key_id, sort_order
from application.media.ports import VideoQuery
from domain.media.errors import VideoNotFoundError
from domain.media.model import Video, VideoId
from domain.shared.ids import StudioId
from domain.shared.paging import Direction, KeysetWindow, Page

_ORDER = sort_order("created_at", Direction.DESC)


class MongoVideoRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._videos = context.collection(VIDEOS)

    async def add(self, video: Video) -> None:
        with self._context.writing(VIDEOS):
            await self._videos.insert_one(video_to_doc(video), session=self._context.session)

    async def get(self, studio_id: StudioId, video_id: VideoId) -> Video:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(video_id)
        doc = None
        if tenant is not None and key is not None:
            doc = await self._videos.find_one(
                {"studio_id": tenant, "_id": key}, session=self._context.session
            )
        if doc is None:
            raise VideoNotFoundError(details={"video_id": video_id})
        return video_from_doc(doc)

    async def save(self, video: Video, *, expected_revision: int) -> Video:
        saved = replace(video, revision=expected_revision + 1)
        await self._context.compare_and_set(
            VIDEOS,
            {"studio_id": to_uuid(video.studio_id), "_id": to_uuid(video.id)},
            without_id(video_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=VideoNotFoundError(details={"video_id": video.id}),
        )
        return saved

    # Last in the class: a method named ``list`` shadows the builtin for what follows.
    async def list(self, studio_id: StudioId, query: VideoQuery) -> Page[Video]:
        window = query.window
        tenant, owner = lookup_uuid(studio_id), lookup_uuid(query.owner_id)
        if tenant is None or owner is None:
            if isinstance(window, KeysetWindow):
                return Page((), window.limit)
            return Page((), window.limit, page=window.page, total=0)
        match: Document = {"studio_id": tenant, "owner_id": owner}
        session = self._context.session
        if not isinstance(window, KeysetWindow):
            total = await self._videos.count_documents(match, session=session)
            cursor = self._videos.find(match, session=session).sort(_ORDER)
            docs = await cursor.skip(window.offset).limit(window.limit).to_list()
            items = tuple(video_from_doc(doc) for doc in docs)
            return Page(items, window.limit, page=window.page, total=total)
        if window.after is not None:
            created_ms = window.after[0]
            if not isinstance(created_ms, int) or isinstance(created_ms, bool):
                raise invalid_key()
            match |= after_filter(
                "created_at", from_epoch_ms(created_ms), key_id(window.after), Direction.DESC
            )
        cursor = self._videos.find(match, session=session).sort(_ORDER)
        # One more than asked: whether anything follows, without a second query.
        docs = await cursor.limit(window.limit + 1).to_list()
        items = tuple(video_from_doc(doc) for doc in docs[: window.limit])
        next_after = None
        if len(docs) > window.limit:
            last = docs[window.limit - 1]
            next_after = (epoch_ms(last["created_at"]), from_uuid(last["_id"]))
        return Page(items, window.limit, next_after=next_after)
