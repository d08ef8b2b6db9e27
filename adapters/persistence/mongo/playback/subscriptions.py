"""``SubscriptionRepository`` on ``subscriptions`` (one per user and studio) and
``subscription_changes`` (append-only, newest first).

A change is written in the unit of work's session with its subscription, so with a transaction
the two commit together. Its ``seq`` is the subscription revision it made (``add``: the first
revision; ``save``: ``expected_revision + 1``). The compare-and-set on the revision lets one
writer make each revision, so ``seq`` counts up in the order changes were appended, on every
replica, which an ObjectId (seconds, then a per-process counter) would not promise.
"""

from dataclasses import replace

from adapters.persistence.mongo.indexes import (
    SUBSCRIPTION_CHANGE_UNIQUE,
    SUBSCRIPTION_CHANGES,
    SUBSCRIPTION_UNIQUE,
    SUBSCRIPTIONS,
)
from adapters.persistence.mongo.playback.mapping import (
    change_from_doc,
    change_to_doc,
    subscription_from_doc,
    subscription_to_doc,
    user_scope,
)
from adapters.persistence.mongo.shared.context import MongoContext
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Page, PageWindow
from domain.subscriptions.errors import SubscriptionNotFoundError
from domain.subscriptions.model import Subscription, SubscriptionChange

# Newest first: the (studio_id, user_id, seq) index, read backwards.
HISTORY_ORDER = [("seq", -1)]


def _stale() -> StaleRevisionError:
    # Two first writes for one user raced: the loser's view is stale (it retries as a change).
    return StaleRevisionError(details={"reason": "subscription_exists"})


class MongoSubscriptionRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._subscriptions = context.collection(SUBSCRIPTIONS)
        self._changes = context.collection(SUBSCRIPTION_CHANGES)

    async def get(self, studio_id: StudioId, user_id: UserId) -> Subscription | None:
        scope = user_scope(studio_id, user_id)
        if scope is None:
            return None
        doc = await self._subscriptions.find_one(scope, session=self._context.session)
        return None if doc is None else subscription_from_doc(doc)

    async def add(self, subscription: Subscription, change: SubscriptionChange) -> None:
        with self._context.writing(SUBSCRIPTIONS, {SUBSCRIPTION_UNIQUE: _stale}):
            await self._subscriptions.insert_one(
                subscription_to_doc(subscription), session=self._context.session
            )
        await self._append(change, seq=subscription.revision)

    async def save(
        self, subscription: Subscription, change: SubscriptionChange, *, expected_revision: int
    ) -> Subscription:
        saved = replace(subscription, revision=expected_revision + 1)
        doc = subscription_to_doc(saved)
        await self._context.compare_and_set(
            SUBSCRIPTIONS,
            {"studio_id": doc["studio_id"], "user_id": doc["user_id"]},
            doc,
            expected_revision=expected_revision,
            not_found=SubscriptionNotFoundError(),
        )
        await self._append(change, seq=saved.revision)
        return saved

    async def history(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[SubscriptionChange]:
        scope = user_scope(studio_id, user_id)
        if scope is None:
            return Page((), window.limit, page=window.page, total=0)
        session = self._context.session
        total = await self._changes.count_documents(scope, session=session)
        cursor = self._changes.find(scope, session=session).sort(HISTORY_ORDER)
        docs = await cursor.skip(window.offset).limit(window.limit).to_list()
        items = tuple(change_from_doc(doc) for doc in docs)
        return Page(items, window.limit, page=window.page, total=total)

    async def _append(self, change: SubscriptionChange, *, seq: int) -> None:
        # A taken seq means another writer made this revision: our view was stale.
        with self._context.writing(SUBSCRIPTION_CHANGES, {SUBSCRIPTION_CHANGE_UNIQUE: _stale}):
            await self._changes.insert_one(
                change_to_doc(change, seq=seq), session=self._context.session
            )
