"""Subscriptions: status at an instant, the toggle, explicit changes and their history."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.shared.ids import StudioId, UserId
from domain.subscriptions.errors import InvalidSubscriptionError
from domain.subscriptions.model import (
    DEFAULT_PERIOD,
    SubscriptionStatus,
    first_toggle,
    new_subscription,
)

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
STUDIO, VIEWER, ADMIN = StudioId("studio"), UserId("viewer"), UserId("admin")
ACTIVE, CANCELED, EXPIRED = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.CANCELED,
    SubscriptionStatus.EXPIRED,
)


def test_the_first_toggle_activates_for_the_default_period_and_records_who() -> None:
    subscription, change = first_toggle(STUDIO, VIEWER, by=ADMIN, at=T0)
    assert subscription.status is ACTIVE
    assert subscription.current_period_end == T0 + DEFAULT_PERIOD
    assert (change.actor_id, change.at, change.from_status, change.to_status) == (
        ADMIN,
        T0,
        None,
        ACTIVE,
    )


def test_an_active_subscription_past_its_period_end_counts_as_expired_untouched() -> None:
    subscription, _ = first_toggle(STUDIO, VIEWER, by=ADMIN, at=T0)
    end = T0 + DEFAULT_PERIOD
    assert subscription.status_at(end - timedelta(milliseconds=1)) is ACTIVE
    assert subscription.status_at(end) is EXPIRED
    assert subscription.status is ACTIVE  # nothing was written


def test_toggling_cancels_an_active_one_and_reactivates_a_canceled_or_expired_one() -> None:
    subscription, _ = first_toggle(STUDIO, VIEWER, by=ADMIN, at=T0)
    canceled, change = subscription.toggled(by=ADMIN, at=T0 + timedelta(days=1))
    assert canceled.status is CANCELED
    assert (change.from_status, change.to_status) == (ACTIVE, CANCELED)
    later = T0 + timedelta(days=2)
    again, change = canceled.toggled(by=ADMIN, at=later)
    assert again.status is ACTIVE
    assert again.current_period_end == later + DEFAULT_PERIOD
    assert (change.from_status, change.to_status) == (CANCELED, ACTIVE)
    # Expired (period over, status still "active" as stored): the toggle renews it.
    after_end = T0 + DEFAULT_PERIOD + timedelta(days=5)
    renewed, change = subscription.toggled(by=ADMIN, at=after_end)
    assert renewed.status is ACTIVE
    assert renewed.active_at(after_end)
    assert (change.from_status, change.to_status) == (EXPIRED, ACTIVE)


def test_an_explicit_state_is_taken_as_given() -> None:
    subscription, _ = new_subscription(
        STUDIO, VIEWER, CANCELED, current_period_end=None, by=ADMIN, at=T0
    )
    end = T0 + timedelta(days=365)
    changed, change = subscription.changed_to(
        ACTIVE, plan="yearly", current_period_end=end, by=ADMIN, at=T0
    )
    assert (changed.status, changed.plan, changed.current_period_end) == (ACTIVE, "yearly", end)
    assert (change.plan, change.current_period_end) == ("yearly", end)
    no_end, _ = changed.changed_to(ACTIVE, current_period_end=None, by=ADMIN, at=T0)
    assert no_end.active_at(T0 + timedelta(days=10_000))


@pytest.mark.parametrize("plan", ["", "Gold", "gold plan", "-x", "x" * 65, "gold\n"])
def test_a_plan_is_a_short_machine_name(plan: str) -> None:
    with pytest.raises(InvalidSubscriptionError) as raised:
        new_subscription(
            STUDIO, VIEWER, ACTIVE, plan=plan, current_period_end=None, by=ADMIN, at=T0
        )
    assert raised.value.code == "invalid_subscription"


def test_a_period_end_needs_a_time_zone() -> None:
    with pytest.raises(InvalidSubscriptionError):
        new_subscription(
            STUDIO, VIEWER, ACTIVE, current_period_end=datetime(2027, 1, 1), by=ADMIN, at=T0
        )
