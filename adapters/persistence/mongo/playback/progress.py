"""``ProgressRepository`` on ``watch_progress`` (one entry per user and episode) and
``series_progress`` (the latest entry per user and series, for "continue watching").

A write keeps an entry only if it was observed strictly later than the stored one, whatever
order writes arrive in, with no read-then-write race: a conditional update matches only an
older stored entry; when nothing matched and nothing is stored, an insert, guarded by the
unique key. Entries are never deleted, so one retry settles a race between two first writes
(see ``keep_latest``). ``series_progress`` moves the same way, in the same unit of work.
"""

from pymongo import ReturnDocument

from adapters.persistence.mongo.indexes import (
    PROGRESS_UNIQUE,
    SERIES_PROGRESS,
    SERIES_PROGRESS_UNIQUE,
    WATCH_PROGRESS,
)
from adapters.persistence.mongo.playback.mapping import (
    progress_from_doc,
    progress_to_doc,
    series_progress_to_doc,
    to_reference,
    user_scope,
)
from adapters.persistence.mongo.shared.codec import Document, epoch_ms
from adapters.persistence.mongo.shared.context import MongoContext
from domain.playback.progress import WatchProgress
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Page, PageWindow

# Most recently watched first, ties by id descending: each collection's time index, backwards.
HISTORY_ORDER = [("watched_at", -1), ("episode_id", -1)]
IN_PROGRESS_ORDER = [("watched_at", -1), ("series_id", -1)]


# Each retry follows a concurrent write that made the entry exist; one settles it, the rest
# is margin.
_ATTEMPTS = 4


def _raced() -> StaleRevisionError:
    return StaleRevisionError(details={"reason": "concurrent_first_write"})


async def keep_latest(
    context: MongoContext, collection: str, unique_index: str, key: Document, doc: Document
) -> Document:
    """Store ``doc`` at ``key`` unless the stored document's ``watched_at`` is the same or
    later; answer the document stored after.

    Inside a transaction, a concurrent write of the same key is a write conflict (at the write
    on MongoDB, at commit on mongoeco): ``StaleRevisionError``, and the caller starts over.
    Without one (a standalone server), writes interleave: an older entry may be inserted
    between our update and our read, or win the insert; the update is then tried again.
    Entries are never deleted, so once one exists the next update settles it.
    """
    documents = context.collection(collection)
    session = context.session
    observed = epoch_ms(doc["watched_at"])  # what BSON keeps: milliseconds
    older = {**key, "watched_at": {"$lt": doc["watched_at"]}}
    for _ in range(_ATTEMPTS):
        with context.writing(collection):
            stored: Document | None = await documents.find_one_and_update(
                older, {"$set": doc}, return_document=ReturnDocument.AFTER, session=session
            )
        if stored is not None:
            return stored
        # Nothing older was stored: read before inserting, since in a transaction a refused
        # insert would abort all of it.
        stored = await documents.find_one(key, session=session)
        if stored is not None:
            if epoch_ms(stored["watched_at"]) >= observed:
                return stored  # the same observation or a later one: ours loses
            continue  # an older entry was inserted since our update looked
        inserted = dict(doc)  # insert_one adds the server-made _id to what it is given
        try:
            with context.writing(collection, {unique_index: _raced}):
                await documents.insert_one(inserted, session=session)
        except StaleRevisionError:
            if session is not None:
                raise  # the transaction is aborted: the caller starts over
            continue  # a concurrent first write won the insert
        # Read back, as the other paths answer: BSON keeps milliseconds, not microseconds.
        stored = await documents.find_one({"_id": inserted["_id"]}, session=session)
        return inserted if stored is None else stored
    raise StaleRevisionError(details={"reason": "progress_write_contended"})


class MongoProgressRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._progress = context.collection(WATCH_PROGRESS)
        self._series = context.collection(SERIES_PROGRESS)

    async def get(
        self, studio_id: StudioId, user_id: UserId, episode_id: str
    ) -> WatchProgress | None:
        scope = user_scope(studio_id, user_id)
        if scope is None:
            return None
        doc = await self._progress.find_one(
            {**scope, "episode_id": to_reference(episode_id)}, session=self._context.session
        )
        return None if doc is None else progress_from_doc(doc)

    async def put(self, progress: WatchProgress) -> WatchProgress:
        doc = progress_to_doc(progress)
        scope = {"studio_id": doc["studio_id"], "user_id": doc["user_id"]}
        stored = await keep_latest(
            self._context,
            WATCH_PROGRESS,
            PROGRESS_UNIQUE,
            {**scope, "episode_id": doc["episode_id"]},
            doc,
        )
        # Written after the episode's entry (which is never deleted), so a series' latest
        # entry always names an episode entry, even read outside a transaction.
        await keep_latest(
            self._context,
            SERIES_PROGRESS,
            SERIES_PROGRESS_UNIQUE,
            {**scope, "series_id": doc["series_id"]},
            series_progress_to_doc(progress),
        )
        return progress_from_doc(stored)

    async def history(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[WatchProgress]:
        scope = user_scope(studio_id, user_id)
        if scope is None:
            return Page((), window.limit, page=window.page, total=0)
        session = self._context.session
        total = await self._progress.count_documents(scope, session=session)
        cursor = self._progress.find(scope, session=session).sort(HISTORY_ORDER)
        docs = await cursor.skip(window.offset).limit(window.limit).to_list()
        items = tuple(progress_from_doc(doc) for doc in docs)
        return Page(items, window.limit, page=window.page, total=total)

    async def in_progress_series(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[WatchProgress]:
        """A page of ``series_progress``, then the episode entries it names (one ``$in``)."""
        scope = user_scope(studio_id, user_id)
        if scope is None:
            return Page((), window.limit, page=window.page, total=0)
        session = self._context.session
        total = await self._series.count_documents(scope, session=session)
        cursor = self._series.find(scope, {"episode_id": 1}, session=session)
        latest = cursor.sort(IN_PROGRESS_ORDER).skip(window.offset).limit(window.limit)
        episodes = [doc["episode_id"] for doc in await latest.to_list()]
        entries: dict[object, Document] = {}
        if episodes:
            found = self._progress.find({**scope, "episode_id": {"$in": episodes}}, session=session)
            entries = {doc["episode_id"]: doc async for doc in found}
        items = tuple(progress_from_doc(entries[e]) for e in episodes if e in entries)
        return Page(items, window.limit, page=window.page, total=total)
