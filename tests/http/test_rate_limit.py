"""The per-client limiter keeps a count per window, not a history: O(1) whatever the budget."""

import time
from collections.abc import Callable
from typing import Any

from litestar import get
from litestar.testing import TestClient

from tests.support.identity_http import error_of

ClientFactory = Callable[..., TestClient[Any]]
API_KEY = "ApiRateLimitMiddleware::testclient"  # Litestar's key: class name and client address
AUTH_KEY = "AuthRateLimitMiddleware::testclient"


@get("/limited", sync_to_thread=False)
def limited() -> dict[str, bool]:
    return {"ok": True}


@get("/auth/limited", sync_to_thread=False)
def auth_limited() -> dict[str, bool]:
    return {"ok": True}


def stored(client: TestClient[Any], key: str) -> bytes | None:
    store = client.app.stores.get("rate_limit")
    value: bytes | None = client.blocking_portal.call(store.get, key)
    return value


def count_of(client: TestClient[Any], key: str) -> int:
    value = stored(client, key)
    return 0 if value is None else int(value.split()[0])


def put(client: TestClient[Any], key: str, value: bytes) -> None:
    store = client.app.stores.get("rate_limit")
    client.blocking_portal.call(store.set, key, value)


def test_the_stored_window_stays_a_count_whatever_the_budget(make_client: ClientFactory) -> None:
    budget = 100_000_000
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE=str(budget))
    for _ in range(200):
        response = client.get("/limited")
    assert response.status_code == 200
    assert response.headers["ratelimit-limit"] == str(budget)
    assert response.headers["ratelimit-remaining"] == str(budget - 200)
    assert response.headers["ratelimit-policy"] == f"{budget}; w=60"
    assert 0 < int(response.headers["ratelimit-reset"]) <= 60

    value = stored(client, API_KEY)
    assert value is not None
    count, reset = (int(part) for part in value.split())
    # Litestar's own limiter would hold 200 timestamps here (over 2 kB), growing with traffic.
    assert (count, len(value)) == (200, len(f"200 {reset}"))
    assert 0 < reset - time.time() <= 60


def test_each_budget_counts_only_its_own_routes(make_client: ClientFactory) -> None:
    client = make_client(
        extra_routes=[limited, auth_limited],
        RATE_LIMIT_PER_MINUTE="100",
        AUTH_RATE_LIMIT_PER_MINUTE="50",
    )
    for _ in range(3):
        client.get("/limited")
    client.get("/auth/limited")
    assert (count_of(client, API_KEY), count_of(client, AUTH_KEY)) == (3, 1)


def test_a_window_that_has_ended_starts_a_new_count(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE="2")
    assert [client.get("/limited").status_code for _ in range(2)] == [200, 200]
    error_of(client.get("/limited"), 429, "rate_limited")

    put(client, API_KEY, b"2 %d" % (int(time.time()) - 1))  # the window ended a second ago
    response = client.get("/limited")
    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"] == "1"


def test_a_value_in_another_format_starts_a_new_window(make_client: ClientFactory) -> None:
    # What Litestar's own limiter stores (a rollout sharing a store would meet it): no crash.
    client = make_client(extra_routes=[limited], RATE_LIMIT_PER_MINUTE="5")
    put(client, API_KEY, b'{"history":[1,2,3],"reset":99999999999}')
    response = client.get("/limited")
    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"] == "4"


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
