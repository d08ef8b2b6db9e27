"""Every failure answers with the error contract, whatever produced it."""

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
import pytest
from litestar import get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.testing import TestClient

from domain.shared.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    StaleRevisionError,
    UnauthenticatedError,
)

ClientFactory = Callable[..., TestClient[Any]]


class ThingIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=8)]
    size_bytes: Annotated[int, msgspec.Meta(ge=0)]


@post("/things", sync_to_thread=False)
def create_thing(data: JSONBody[ThingIn]) -> dict[str, str]:
    return {"name": data.name}


@get("/things", sync_to_thread=False)
def list_things(limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20) -> dict[str, int]:
    return {"limit": limit}


DOMAIN_FAILURES: dict[str, DomainError] = {
    "missing": NotFoundError("No such asset."),
    "taken": ConflictError("Name taken.", code="asset_name_taken", details={"name": "Bob"}),
    "stale": StaleRevisionError(),
    "forbidden": ForbiddenError(),
    "invalid": InvalidInputError("Cycle.", code="dependency_cycle"),
    "anonymous": UnauthenticatedError(),
    "slow-down": RateLimitedError(retry_after=17, code="login_backoff"),
}


@get("/fail/{kind:str}", sync_to_thread=False)
def fail(kind: FromPath[str]) -> None:
    if kind == "crash":
        raise ZeroDivisionError("secret internals")
    raise DOMAIN_FAILURES[kind]


ROUTES = [create_thing, list_things, fail]


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient[Any]:
    return make_client(extra_routes=ROUTES)


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert the contract's shape and return the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert error["status"] == status
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["correlationId"] == response.headers["x-request-id"]
    assert set(error) <= {"code", "message", "status", "details", "correlationId"}
    return error


def test_unknown_route_is_404(client: TestClient[Any]) -> None:
    error_of(client.get("/no/such/route"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client: TestClient[Any]) -> None:
    response = client.delete("/health")
    error_of(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_body_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=ROUTES, MAX_REQUEST_BODY_BYTES="2048")
    big = b'{"name": "' + b"x" * 4096 + b'", "sizeBytes": 1}'
    response = client.post("/things", content=big, headers={"content-type": "application/json"})
    error_of(response, 413, "payload_too_large")


def test_non_json_body_is_415(client: TestClient[Any]) -> None:
    response = client.post(
        "/things", content=b'{"name":"a","sizeBytes":1}', headers={"content-type": "text/plain"}
    )
    error = error_of(response, 415, "unsupported_media_type")
    assert "application/json" in error["message"]


def test_json_variants_are_accepted(client: TestClient[Any]) -> None:
    response = client.post(
        "/things",
        content=b'{"name":"a","sizeBytes":1}',
        headers={"content-type": "application/merge-patch+json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_malformed_json_is_400(client: TestClient[Any]) -> None:
    response = client.post(
        "/things", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    error = error_of(response, 400, "malformed_json")
    assert error["details"]["reason"]


def test_missing_body_is_400(client: TestClient[Any]) -> None:
    response = client.post("/things", headers={"content-type": "application/json"})
    error_of(response, 400, "body_required")


def test_invalid_fields_are_422_with_one_detail_per_field(client: TestClient[Any]) -> None:
    response = client.post("/things", json={"name": "far-too-long-a-name", "sizeBytes": 1})
    error = error_of(response, 422, "validation_failed")
    assert error["details"]["fields"] == [
        {"field": "name", "message": "Expected `str` of length <= 8", "source": "body"}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "a"}, "sizeBytes"), ({"name": "a", "sizeBytes": 1, "colour": "red"}, "colour")],
)
def test_missing_and_unknown_fields_are_named(
    client: TestClient[Any], body: dict[str, Any], field: str
) -> None:
    error = error_of(client.post("/things", json=body), 422, "validation_failed")
    assert [f["field"] for f in error["details"]["fields"]] == [field]


def test_bad_query_parameter_is_400_and_named(client: TestClient[Any]) -> None:
    error = error_of(client.get("/things", params={"limit": "500"}), 400, "invalid_parameter")
    assert error["details"]["fields"][0]["field"] == "limit"
    assert error["details"]["fields"][0]["source"] == "query"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("missing", 404, "not_found"),
        ("taken", 409, "asset_name_taken"),
        ("stale", 412, "stale_revision"),
        ("forbidden", 403, "forbidden"),
        ("invalid", 422, "dependency_cycle"),
        ("anonymous", 401, "unauthenticated"),
        ("slow-down", 429, "login_backoff"),
    ],
)
def test_domain_categories_map_to_their_status(
    client: TestClient[Any], kind: str, status: int, code: str
) -> None:
    response = client.get(f"/fail/{kind}")
    error = error_of(response, status, code)
    if kind == "taken":
        assert error["details"] == {"name": "Bob"}
    if kind == "slow-down":
        assert response.headers["retry-after"] == "17"


def test_unexpected_failure_is_500_without_internals(client: TestClient[Any]) -> None:
    response = client.get("/fail/crash")
    error_of(response, 500, "internal_error")
    assert "ZeroDivisionError" not in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_rate_limit_is_429_with_retry_after(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=ROUTES, RATE_LIMIT_PER_MINUTE="3")
    statuses = [client.get("/things").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/things")
    error_of(response, 429, "rate_limited")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-remaining"] == "0"


def test_operations_endpoints_are_never_rate_limited(make_client: ClientFactory) -> None:
    client = make_client(RATE_LIMIT_PER_MINUTE="2")
    assert {client.get("/health").status_code for _ in range(10)} == {200}
    assert {client.get("/ready").status_code for _ in range(5)} == {200}


@get("/auth/ping", sync_to_thread=False)
def auth_ping() -> dict[str, bool]:
    return {"pong": True}


def test_auth_routes_have_their_own_stricter_budget(make_client: ClientFactory) -> None:
    client = make_client(
        extra_routes=[*ROUTES, auth_ping],
        RATE_LIMIT_PER_MINUTE="100",
        AUTH_RATE_LIMIT_PER_MINUTE="2",
    )
    assert [client.get("/auth/ping").status_code for _ in range(2)] == [200, 200]
    response = client.get("/auth/ping")
    error_of(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1
    # The general budget is separate: other routes still answer.
    assert client.get("/things").status_code == 200
