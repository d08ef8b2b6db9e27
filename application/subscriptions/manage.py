"""Setting a user's subscription (admins), reading it (admins, and every user their own).

``POST /admin/users/{userId}/subscription`` toggles active/canceled as the micro-drama API
does, or sets an explicit ``{status, plan, currentPeriodEnd}``. Every change is recorded in
the subscription's history and the audit log, in the same transaction as the change.
"""

from dataclasses import dataclass, field
from datetime import datetime

from application.audit.trail import AuditTrail
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.identity.access import Actor, Capability, authorize
from domain.identity.errors import UserNotFoundError
from domain.shared.errors import InvalidInputError
from domain.shared.ids import StudioId, UserId, canonical_id
from domain.shared.paging import Page, PageWindow
from domain.subscriptions.model import (
    DEFAULT_PLAN,
    Subscription,
    SubscriptionChange,
    SubscriptionStatus,
    first_toggle,
    new_subscription,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionState:
    """A subscription as it counts at ``at`` (``status`` is then ``expired`` past its end)."""

    subscription: Subscription
    status: SubscriptionStatus
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ExplicitSubscription:
    status: SubscriptionStatus
    plan: str | None = None  # None keeps the current plan (the default one for a first)
    current_period_end: datetime | None = None  # None: no end


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSubscription:
    actor: Actor
    user_id: str
    explicit: ExplicitSubscription | None = None  # None: toggle active <-> canceled


def _user_id(text: str) -> UserId:
    try:
        return UserId(canonical_id(text))
    except InvalidInputError:
        raise UserNotFoundError() from None  # a malformed id names nobody


class SetSubscriptionHandler:
    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: SetSubscription) -> SubscriptionState:
        actor = command.actor
        authorize(actor, Capability.MANAGE_SUBSCRIPTIONS)
        user_id = _user_id(command.user_id)
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            await uow.users.get(actor.studio_id, user_id)  # another studio's user: not found
            before = await uow.subscriptions.get(actor.studio_id, user_id)
            after, change = _changed(before, command.explicit, actor, user_id, at=now)
            if before is None:
                await uow.subscriptions.add(after, change)
                saved = after
            else:
                saved = await uow.subscriptions.save(
                    after, change, expected_revision=before.revision
                )
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="subscription.changed",
                resource_type="user",
                resource_id=user_id,
                at=now,
                details=_details(change),
            )
            await uow.commit()
        return SubscriptionState(subscription=saved, status=saved.status_at(now), at=now)


def _changed(
    before: Subscription | None,
    explicit: ExplicitSubscription | None,
    actor: Actor,
    user_id: UserId,
    *,
    at: datetime,
) -> tuple[Subscription, SubscriptionChange]:
    studio_id = actor.studio_id
    if explicit is None:
        if before is None:
            return first_toggle(studio_id, user_id, by=actor.user_id, at=at)
        return before.toggled(by=actor.user_id, at=at)
    if before is None:
        return new_subscription(
            studio_id,
            user_id,
            explicit.status,
            plan=DEFAULT_PLAN if explicit.plan is None else explicit.plan,
            current_period_end=explicit.current_period_end,
            by=actor.user_id,
            at=at,
        )
    return before.changed_to(
        explicit.status,
        plan=explicit.plan,
        current_period_end=explicit.current_period_end,
        by=actor.user_id,
        at=at,
    )


def _details(change: SubscriptionChange) -> dict[str, str]:
    details = {
        "from": str(change.from_status) if change.from_status else "none",
        "to": str(change.to_status),
        "plan": change.plan,
    }
    if change.current_period_end is not None:
        details["currentPeriodEnd"] = change.current_period_end.isoformat()
    return details


@dataclass(frozen=True, slots=True, kw_only=True)
class GetSubscription:
    actor: Actor
    user_id: str | None = None  # None: the actor's own (anyone); another user's: admins


class GetSubscriptionHandler:
    """A user's subscription as it counts now; ``None`` when they never had one."""

    def __init__(self, *, persistence: Persistence, clock: Clock) -> None:
        self._persistence = persistence
        self._clock = clock

    async def __call__(self, query: GetSubscription) -> SubscriptionState | None:
        actor = query.actor
        if query.user_id is None:
            user_id = actor.user_id
        else:
            authorize(actor, Capability.MANAGE_SUBSCRIPTIONS)
            user_id = _user_id(query.user_id)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            if query.user_id is not None:
                await uow.users.get(actor.studio_id, user_id)
            return await current(uow, actor.studio_id, user_id, at=self._clock.now())


async def current(
    uow: UnitOfWork, studio_id: StudioId, user_id: UserId, *, at: datetime
) -> SubscriptionState | None:
    subscription = await uow.subscriptions.get(studio_id, user_id)
    if subscription is None:
        return None
    return SubscriptionState(subscription=subscription, status=subscription.status_at(at), at=at)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSubscriptionHistory:
    actor: Actor
    user_id: str
    window: PageWindow = field(default_factory=PageWindow)


class ListSubscriptionHistoryHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListSubscriptionHistory) -> Page[SubscriptionChange]:
        actor = query.actor
        authorize(actor, Capability.MANAGE_SUBSCRIPTIONS)
        user_id = _user_id(query.user_id)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            await uow.users.get(actor.studio_id, user_id)
            return await uow.subscriptions.history(actor.studio_id, user_id, query.window)


class StoredSubscriptions:
    """The catalogue's ``SubscriptionCheck``: is the user's subscription active at ``at``."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def is_subscribed(self, studio_id: StudioId, user_id: UserId, *, at: datetime) -> bool:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            subscription = await uow.subscriptions.get(studio_id, user_id)
        return subscription is not None and subscription.active_at(at)
