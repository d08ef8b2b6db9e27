"""The per-client limiter keeps a count per window, not a history: O(1) whatever the budget."""

from collections.abc import Callable
from typing import Any

import pytest
from litestar import get
from litestar.exceptions import ImproperlyConfiguredException
from litestar.testing import TestClient

from entrypoints.http.rate_limit import FixedWindows
from tests.support.identity_http import error_of

ClientFactory = Callable[..., TestClient[Any]]


@get("/limited", sync_to_thread=False)
def limited() -> dict[str, bool]:
    return {"ok": True}


@get("/auth/limited", sync_to_thread=False)
def auth_limited() -> dict[str, bool]:
    return {"ok": True}


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_window_is_a_count_and_a_reset_whatever_the_budget() -> None:
    clock = FakeClock()
    windows = FixedWindows(100_000_000, clock=clock)
    for _ in range(200):
        allowed, remaining, reset = windows.take("10.0.0.1")
    assert (allowed, remaining, reset) == (True, 100_000_000 - 200, 60)
    clock.now += 15
    assert windows.take("10.0.0.1") == (True, 100_000_000 - 201, 45)
    # Litestar's own limiter would hold 201 timestamps for this client, growing with traffic.
    assert windows._windows == {"10.0.0.1": [201, 1_000_060]}


def test_over_the_budget_is_refused_and_not_counted_until_the_window_ends() -> None:
    clock = FakeClock()
    windows = FixedWindows(2, clock=clock)
    assert [windows.take("a")[0] for _ in range(4)] == [True, True, False, False]
    assert windows.take("b") == (True, 1, 60)  # another client has its own window
    clock.now += 59
    assert windows.take("a") == (False, 0, 1)
    clock.now += 1  # the window has ended: a new one starts with this request
    assert windows.take("a") == (True, 1, 60)


def test_ended_windows_leave_memory() -> None:
    clock = FakeClock()
    windows = FixedWindows(5, clock=clock)
    for client in range(1000):
        windows.take(f"10.0.{client // 256}.{client % 256}")
    assert windows.clients() == 1000
    clock.now += 61
    windows.take("10.9.9.9")
    assert windows.clients() == 1


def test_a_budget_needs_a_request_and_a_window() -> None:
    with pytest.raises(ValueError, match="at least one request"):
        FixedWindows(0)
    with pytest.raises(ValueError, match="at least one request"):
        FixedWindows(1, seconds=0)


def test_every_limited_answer_says_what_is_left(make_client: ClientFactory) -> None:
    budget = 100_000_000
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE=str(budget))
    for _ in range(200):
        response = client.get("/limited")
    assert response.status_code == 200
    assert response.headers["ratelimit-limit"] == str(budget)
    assert response.headers["ratelimit-remaining"] == str(budget - 200)
    assert response.headers["ratelimit-policy"] == f"{budget}; w=60"
    assert 0 < int(response.headers["ratelimit-reset"]) <= 60
    assert "ratelimit-limit" not in client.get("/health").headers  # the probes are not limited


def test_each_budget_counts_only_its_own_routes(make_client: ClientFactory) -> None:
    client = make_client(
        extra_routes=[limited, auth_limited],
        RATE_LIMIT_PER_MINUTE="100",
        AUTH_RATE_LIMIT_PER_MINUTE="50",
    )
    for _ in range(3):
        general = client.get("/limited")
    strict = client.get("/auth/limited")
    assert (general.headers["ratelimit-limit"], general.headers["ratelimit-remaining"]) == (
        "100",
        "97",
    )
    assert (strict.headers["ratelimit-limit"], strict.headers["ratelimit-remaining"]) == (
        "50",
        "49",
    )


def test_the_refusal_says_when_to_come_back(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE="2")
    assert [client.get("/limited").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/limited")
    error_of(refused, 429, "rate_limited")
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["retry-after"] == refused.headers["ratelimit-reset"]


def test_a_budget_of_zero_switches_the_limit_off(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE="0")
    responses = [client.get("/limited") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "ratelimit-limit" not in responses[-1].headers


def test_a_refused_request_is_counted_in_the_metrics_as_429(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE="1")
    assert [client.get("/limited").status_code for _ in range(2)] == [200, 429]
    lines = client.get("/metrics").text.splitlines()
    refused = [
        line
        for line in lines
        if line.startswith("studio_bridge_requests_total{")
        and 'path="/limited"' in line
        and 'status_code="429"' in line
    ]
    assert len(refused) == 1
    assert float(refused[0].rsplit(" ", 1)[1]) >= 1


async def _own_hook(request: Any) -> None:
    return None


@get("/own-hook", sync_to_thread=False, before_request=_own_hook)
def own_hook() -> dict[str, bool]:
    return {"ok": True}


def test_a_route_with_its_own_before_request_is_refused_at_start(
    make_client: ClientFactory,
) -> None:
    # Litestar would run the route's hook instead of the app's: no budget, no metrics.
    with pytest.raises(ImproperlyConfiguredException, match="/own-hook sets its own"):
        make_client(extra_routes=[own_hook])
