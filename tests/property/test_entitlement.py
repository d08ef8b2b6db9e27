"""The entitlement policy over all its inputs (issue 8): who may play an episode, and why not.

Each property is stated from the rule in DESIGN section 3, not from the code: entitled =
published and (free or an active subscription at that instant); staff preview anything.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId
from domain.subscriptions.entitlement import STAFF, Denial, Entitlement, entitlement
from domain.subscriptions.model import Subscription, SubscriptionStatus

type Case = dict[str, Any]  # entitlement()'s keyword arguments

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
instants = st.integers(min_value=-86_400 * 60, max_value=86_400 * 60).map(
    lambda seconds: T0 + timedelta(seconds=seconds)
)
period_ends = st.none() | instants


@st.composite
def subscriptions(draw: st.DrawFn) -> Subscription | None:
    if draw(st.booleans()):
        return None
    return Subscription(
        studio_id=StudioId("studio"),
        user_id=UserId("viewer"),
        status=draw(st.sampled_from(SubscriptionStatus)),
        plan=draw(st.sampled_from(["monthly", "yearly", "promo-2026"])),
        current_period_end=draw(period_ends),
        created_at=T0 - timedelta(days=90),
        updated_at=T0 - timedelta(days=90),
    )


inputs = st.fixed_dictionaries(
    {
        "published": st.booleans(),
        "number": st.integers(min_value=1, max_value=200),
        "free_episodes": st.integers(min_value=0, max_value=200),
        "role": st.sampled_from(Role),
        "subscription": subscriptions(),
        "at": instants,
    }
)


def active_at(subscription: Subscription | None, at: datetime) -> bool:
    if subscription is None or subscription.status is not SubscriptionStatus.ACTIVE:
        return False
    end = subscription.current_period_end
    return end is None or at < end


@given(inputs)
def test_entitled_exactly_as_the_rule_says(case: Case) -> None:
    result = entitlement(**case)
    free = case["number"] <= case["free_episodes"]
    staff = case["role"] in STAFF
    rule = staff or (case["published"] and (free or active_at(case["subscription"], case["at"])))
    assert result.entitled is rule
    assert result.free is free
    assert result.preview is (staff and not case["published"])


@given(inputs)
def test_every_denial_names_its_reason(case: Case) -> None:
    result = entitlement(**case)
    if result.entitled:
        assert result.denial is None
        return
    assert case["role"] is Role.VIEWER  # nobody else is ever denied
    subscription, at = case["subscription"], case["at"]
    if not case["published"]:
        assert result.denial is Denial.NOT_PUBLISHED
    elif subscription is not None and subscription.status_at(at) is SubscriptionStatus.EXPIRED:
        assert result.denial is Denial.SUBSCRIPTION_EXPIRED
    else:  # none at all, or canceled
        assert subscription is None or subscription.status is SubscriptionStatus.CANCELED
        assert result.denial is Denial.SUBSCRIPTION_REQUIRED


@given(inputs, st.integers(min_value=1, max_value=50))
def test_more_free_episodes_never_take_a_play_away(case: Case, more: int) -> None:
    before = entitlement(**case)
    after = entitlement(**{**case, "free_episodes": case["free_episodes"] + more})
    assert not before.entitled or after.entitled


@given(inputs, st.integers(min_value=0, max_value=86_400 * 90))
def test_time_only_ever_expires_a_subscription(case: Case, seconds: int) -> None:
    """Later, nothing becomes playable that was not (no one touched the subscription)."""
    earlier = entitlement(**case)
    later = entitlement(**{**case, "at": case["at"] + timedelta(seconds=seconds)})
    assert not later.entitled or earlier.entitled
    if earlier.denial is Denial.SUBSCRIPTION_EXPIRED:
        assert later.denial is Denial.SUBSCRIPTION_EXPIRED


@given(inputs)
def test_staff_may_play_whatever_a_viewer_may_and_more(case: Case) -> None:
    as_viewer = entitlement(**{**case, "role": Role.VIEWER})
    for role in STAFF:
        as_staff = entitlement(**{**case, "role": role})
        assert as_staff.entitled
        assert as_staff.free is as_viewer.free


def test_an_active_subscription_expires_at_its_period_end_exactly() -> None:
    end = T0 + timedelta(hours=1)
    subscription = Subscription(
        studio_id=StudioId("s"),
        user_id=UserId("u"),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=end,
        created_at=T0,
        updated_at=T0,
    )
    common: Case = {"published": True, "number": 9, "free_episodes": 3, "role": Role.VIEWER}
    just_before = entitlement(
        **common, subscription=subscription, at=end - timedelta(microseconds=1)
    )
    at_end = entitlement(**common, subscription=subscription, at=end)
    assert just_before == Entitlement(denial=None, free=False, preview=False)
    assert at_end.denial is Denial.SUBSCRIPTION_EXPIRED
