"""The subscription repository: one subscription per user and studio, and its history."""

from typing import Protocol

from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Page, PageWindow
from domain.subscriptions.model import Subscription, SubscriptionChange


class SubscriptionRepository(Protocol):
    async def get(self, studio_id: StudioId, user_id: UserId) -> Subscription | None: ...

    async def add(self, subscription: Subscription, change: SubscriptionChange) -> None:
        """A user's first subscription with its first change. ``StaleRevisionError`` when the
        user already has one (two first writes raced: the loser retries as a change)."""
        ...

    async def save(
        self, subscription: Subscription, change: SubscriptionChange, *, expected_revision: int
    ) -> Subscription:
        """Store ``subscription`` as revision ``expected_revision + 1`` and append ``change``;
        ``StaleRevisionError`` when the stored revision is another."""
        ...

    async def history(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[SubscriptionChange]:
        """The user's changes, newest first (the order they were appended in, reversed)."""
        ...
