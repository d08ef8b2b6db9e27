"""Route dependencies resolve one after another, each after those it depends on."""

from collections.abc import Callable
from typing import Any

from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

ClientFactory = Callable[..., TestClient[Any]]
resolved: list[str] = []


async def first() -> str:
    resolved.append("first")
    return "first"


def second(first: NamedDependency[str]) -> str:
    resolved.append("second")
    return f"{first}+second"


def third() -> str:
    resolved.append("third")
    return "third"


@get(
    "/deps",
    dependencies={
        "first": Provide(first),
        "second": Provide(second, sync_to_thread=False),
        "third": Provide(third, sync_to_thread=False),
    },
    sync_to_thread=False,
)
def uses_dependencies(second: NamedDependency[str], third: NamedDependency[str]) -> dict[str, str]:
    return {"second": second, "third": third}


def test_dependencies_resolve_in_turn_and_in_order(make_client: ClientFactory) -> None:
    client = make_client(extra_routes=[uses_dependencies])
    resolved.clear()
    response = client.get("/deps")
    assert response.json() == {"second": "first+second", "third": "third"}
    assert sorted(resolved) == ["first", "second", "third"]
    assert resolved.index("first") < resolved.index("second")


def test_no_route_resolves_two_dependencies_at_once(make_client: ClientFactory) -> None:
    # A batch of two or more would be resolved in an anyio task group (litestar#4563).
    client = make_client(extra_routes=[uses_dependencies])
    models = [
        model
        for route in client.app.routes
        if isinstance(route, HTTPRoute)
        for _, model in route.route_handler_map.values()
    ]
    assert any(len(model.dependency_batches) >= 3 for model in models)
    assert all(len(batch) == 1 for model in models for batch in model.dependency_batches)
