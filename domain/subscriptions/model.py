"""A viewer's subscription to one studio, and the record of every change made to it.

A subscription is ``active``, ``canceled`` or ``expired``. An active subscription whose period
has ended counts as expired from that instant on, without anyone touching it: what a caller
acts on is ``status_at(now)``, never the stored status alone. Every change produces a
``SubscriptionChange`` (who, when, from, to), stored beside the subscription, append-only.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self

from domain.shared.ids import StudioId, UserId
from domain.subscriptions.errors import InvalidSubscriptionError

DEFAULT_PLAN = "monthly"
DEFAULT_PERIOD = timedelta(days=30)  # what an activation without a period end grants
MAX_PLAN = 64
_PLAN = re.compile(r"[a-z0-9][a-z0-9._-]*")


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELED = "canceled"
    EXPIRED = "expired"


def check_plan(plan: str) -> str:
    """A plan is a short machine name: lower-case letters, digits, ``.``, ``_`` and ``-``."""
    if not 1 <= len(plan) <= MAX_PLAN or not _PLAN.fullmatch(plan):
        raise InvalidSubscriptionError(
            f"A plan is 1 to {MAX_PLAN} characters: a-z, 0-9, '.', '_' or '-', starting with a"
            " letter or digit.",
            details={"field": "plan"},
        )
    return plan


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionChange:
    """One change, as the history shows it. ``from_status`` is None for the first one."""

    studio_id: StudioId
    user_id: UserId
    actor_id: UserId  # who made it (an admin, or a service identity)
    at: datetime
    from_status: SubscriptionStatus | None
    to_status: SubscriptionStatus
    plan: str
    current_period_end: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    studio_id: StudioId
    user_id: UserId
    status: SubscriptionStatus
    plan: str = DEFAULT_PLAN
    current_period_end: datetime | None = None  # None: no end (until canceled)
    created_at: datetime
    updated_at: datetime
    revision: int = 1

    def __post_init__(self) -> None:
        check_plan(self.plan)
        end = self.current_period_end
        if end is not None and end.tzinfo is None:
            raise InvalidSubscriptionError("A period end needs a time zone.")

    def status_at(self, at: datetime) -> SubscriptionStatus:
        """The status that counts at ``at``: an active one past its period end is expired."""
        end = self.current_period_end
        if self.status is SubscriptionStatus.ACTIVE and end is not None and at >= end:
            return SubscriptionStatus.EXPIRED
        return self.status

    def active_at(self, at: datetime) -> bool:
        return self.status_at(at) is SubscriptionStatus.ACTIVE

    def changed_to(
        self,
        status: SubscriptionStatus,
        *,
        plan: str | None = None,
        current_period_end: datetime | None,
        by: UserId,
        at: datetime,
    ) -> tuple[Self, SubscriptionChange]:
        """The subscription set to exactly this state, and the change to record."""
        changed = replace(
            self,
            status=status,
            plan=self.plan if plan is None else check_plan(plan),
            current_period_end=current_period_end,
            updated_at=at,
        )
        return changed, _change(changed, from_status=self.status_at(at), by=by, at=at)

    def toggled(self, *, by: UserId, at: datetime) -> tuple[Self, SubscriptionChange]:
        """The micro-drama API's toggle: active (at ``at``) becomes canceled; canceled or
        expired becomes active for a new default period from ``at``, on the same plan."""
        if self.active_at(at):
            return self.changed_to(
                SubscriptionStatus.CANCELED,
                current_period_end=self.current_period_end,
                by=by,
                at=at,
            )
        return self.changed_to(
            SubscriptionStatus.ACTIVE, current_period_end=at + DEFAULT_PERIOD, by=by, at=at
        )


def new_subscription(
    studio_id: StudioId,
    user_id: UserId,
    status: SubscriptionStatus,
    *,
    plan: str = DEFAULT_PLAN,
    current_period_end: datetime | None,
    by: UserId,
    at: datetime,
) -> tuple[Subscription, SubscriptionChange]:
    """A user's first subscription, and its first change (``from_status`` None)."""
    subscription = Subscription(
        studio_id=studio_id,
        user_id=user_id,
        status=status,
        plan=plan,
        current_period_end=current_period_end,
        created_at=at,
        updated_at=at,
    )
    return subscription, _change(subscription, from_status=None, by=by, at=at)


def first_toggle(
    studio_id: StudioId, user_id: UserId, *, by: UserId, at: datetime
) -> tuple[Subscription, SubscriptionChange]:
    """Toggling a user who never had a subscription activates one for the default period."""
    return new_subscription(
        studio_id,
        user_id,
        SubscriptionStatus.ACTIVE,
        current_period_end=at + DEFAULT_PERIOD,
        by=by,
        at=at,
    )


def _change(
    subscription: Subscription,
    *,
    from_status: SubscriptionStatus | None,
    by: UserId,
    at: datetime,
) -> SubscriptionChange:
    return SubscriptionChange(
        studio_id=subscription.studio_id,
        user_id=subscription.user_id,
        actor_id=by,
        at=at,
        from_status=from_status,
        to_status=subscription.status,
        plan=subscription.plan,
        current_period_end=subscription.current_period_end,
    )
