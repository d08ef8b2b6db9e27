"""Who may play an episode: one pure function of everything that decides it.

Entitled = the episode is published and (it is among the studio's free episodes of its series,
or the viewer's subscription is active at that instant). Staff (artists and above) may preview
anything in their studio, published or not. The studio itself is checked before this is asked:
another studio's episode is not found, never denied.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.identity.access import MATRIX, Capability
from domain.identity.model import Role
from domain.subscriptions.model import Subscription, SubscriptionStatus

# The roles that see their studio's unpublished content (as ``domain.content.rules``).
STAFF = MATRIX[Capability.CREATE_CONTENT]


class Denial(StrEnum):
    """Why a play is refused: the error code the caller sees."""

    NOT_PUBLISHED = "not_published"
    SUBSCRIPTION_REQUIRED = "subscription_required"  # none, or canceled
    SUBSCRIPTION_EXPIRED = "subscription_expired"  # active once, its period over


@dataclass(frozen=True, slots=True, kw_only=True)
class Entitlement:
    denial: Denial | None  # None: entitled
    free: bool  # among the studio's free episodes of the series
    preview: bool  # staff playing what viewers cannot see (not published)

    @property
    def entitled(self) -> bool:
        return self.denial is None


def entitlement(
    *,
    published: bool,
    number: int,
    free_episodes: int,
    role: Role,
    subscription: Subscription | None,
    at: datetime,
) -> Entitlement:
    """``published``: the episode and its series are what viewers see. ``number``: the
    episode's number in its series; free when ``number <= free_episodes``."""
    free = number <= free_episodes
    if role in STAFF:
        return Entitlement(denial=None, free=free, preview=not published)
    if not published:
        return Entitlement(denial=Denial.NOT_PUBLISHED, free=free, preview=False)
    if free:
        return Entitlement(denial=None, free=True, preview=False)
    status = None if subscription is None else subscription.status_at(at)
    if status is SubscriptionStatus.ACTIVE:
        return Entitlement(denial=None, free=False, preview=False)
    if status is SubscriptionStatus.EXPIRED:
        return Entitlement(denial=Denial.SUBSCRIPTION_EXPIRED, free=False, preview=False)
    return Entitlement(denial=Denial.SUBSCRIPTION_REQUIRED, free=False, preview=False)
