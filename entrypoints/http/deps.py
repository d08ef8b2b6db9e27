"""Route dependencies resolved one after another instead of in an anyio task group per request.

Litestar groups a route's dependencies into batches (those whose own dependencies are already
resolved) and resolves a batch of more than one in an anyio task group: two tasks, a cancel
scope and a trip through the event loop per request (litestar-org/litestar#4563). Every
authenticated route has such a batch (its use case handler and the token check), and in
process it cost ~120 us of a ~700 us ``GET /studio``. Our
dependencies are container lookups and one async token check, so nothing is lost by resolving
them in turn, in the batches' order, which keeps each after what it depends on.
"""

from litestar import Litestar
from litestar.routes import HTTPRoute


def resolve_dependencies_in_turn(app: Litestar) -> None:
    """Split every route's dependency batches into batches of one (same order, no task group)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for _, kwargs_model in route.route_handler_map.values():
            kwargs_model.dependency_batches = [
                {dependency} for batch in kwargs_model.dependency_batches for dependency in batch
            ]
