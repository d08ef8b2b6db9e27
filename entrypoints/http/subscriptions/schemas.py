"""Bodies of the subscription routes (camelCase on the wire).

``SubscriptionIn`` is optional as a whole: no body, or ``{}``, toggles as the micro-drama API
does; ``{status, plan?, currentPeriodEnd?}`` sets that state. A subscription is shown with the
status that counts now (``expired`` once an active one's period is over) and, when that differs
from what is stored, ``storedStatus``.
"""

from datetime import datetime
from typing import Annotated

import msgspec

from application.subscriptions.manage import ExplicitSubscription, SubscriptionState
from domain.subscriptions.errors import InvalidSubscriptionError
from domain.subscriptions.model import MAX_PLAN, SubscriptionChange, SubscriptionStatus
from entrypoints.http.identity.schemas import Body

Plan = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_PLAN)]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class SubscriptionIn(Body):
    """Empty: toggle (active <-> canceled). With ``status``: exactly that state; ``plan``
    omitted keeps the current one; ``currentPeriodEnd`` omitted or null means no end."""

    status: SubscriptionStatus | None = None
    plan: Plan | None = None
    current_period_end: Instant | None = None

    def explicit(self) -> ExplicitSubscription | None:
        """None for a toggle; a plan or a period end without a status is refused."""
        if self.status is None:
            if self.plan is not None or self.current_period_end is not None:
                raise InvalidSubscriptionError(
                    "Send a status with a plan or a period end (or an empty body to toggle).",
                    details={"field": "status"},
                )
            return None
        return ExplicitSubscription(
            status=self.status, plan=self.plan, current_period_end=self.current_period_end
        )


class SubscriptionOut(msgspec.Struct, kw_only=True, rename="camel"):
    user_id: str
    status: SubscriptionStatus  # as it counts now
    stored_status: SubscriptionStatus | msgspec.UnsetType = msgspec.UNSET  # only when it differs
    plan: str
    current_period_end: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, state: SubscriptionState) -> "SubscriptionOut":
        subscription = state.subscription
        stored = subscription.status
        return cls(
            user_id=subscription.user_id,
            status=state.status,
            stored_status=stored if stored is not state.status else msgspec.UNSET,
            plan=subscription.plan,
            current_period_end=subscription.current_period_end,
            created_at=subscription.created_at,
            updated_at=subscription.updated_at,
        )

    @classmethod
    def of_optional(cls, state: SubscriptionState | None) -> "SubscriptionOut | None":
        return None if state is None else cls.of(state)


class SubscriptionChangeOut(msgspec.Struct, kw_only=True, rename="camel"):
    """One change: who (``actorId``), when (``at``), from (null for the first) and to."""

    actor_id: str
    at: datetime
    from_status: SubscriptionStatus | None = msgspec.field(name="from")
    to_status: SubscriptionStatus = msgspec.field(name="to")
    plan: str
    current_period_end: datetime | None

    @classmethod
    def of(cls, change: SubscriptionChange) -> "SubscriptionChangeOut":
        return cls(
            actor_id=change.actor_id,
            at=change.at,
            from_status=change.from_status,
            to_status=change.to_status,
            plan=change.plan,
            current_period_end=change.current_period_end,
        )
