"""Request-side hardening, run once a request is routed: its client's budget, JSON-only bodies.

``admission`` builds the app's ``before_request`` hook: it starts the request's metrics, counts
it against its client's budget (the stricter one on ``/auth/*``; routes whose ``opt`` has
``skip_rate_limit`` are never limited), then checks the body's media type. It runs before the
route's dependencies (the token check), as Litestar's rate-limit middleware did, without being
a middleware layer of its own.
"""

import mmap
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request
from litestar.exceptions import HTTPException, ImproperlyConfiguredException
from litestar.routes import HTTPRoute

from entrypoints.http.context import add_response_headers
from entrypoints.http.metrics import RouteMetrics
from entrypoints.http.rate_limit import ClientBudgets, FixedWindows, SharedWindows, Windows
from entrypoints.settings import Settings

if TYPE_CHECKING:
    from entrypoints.workers import WorkerSlot

SKIP_RATE_LIMIT = "skip_rate_limit"
ACCEPTS_ANY_BODY = "accepts_any_body"
AUTH_PREFIX = "/auth/"


def client_budgets(settings: Settings, worker: "WorkerSlot | None" = None) -> ClientBudgets:
    """Per client address, one window a minute: ``RATE_LIMIT_PER_MINUTE`` in general,
    ``AUTH_RATE_LIMIT_PER_MINUTE`` on ``/auth/*``; ``0`` switches one off. A worker of several
    (``WORKERS``) counts in the memory they share, so they all spend one budget."""

    def windows(limit: int, counts: mmap.mmap | None) -> Windows | None:
        if not limit:
            return None
        if worker is None:
            return FixedWindows(limit)
        if counts is None:
            raise ValueError("a worker with a budget needs the workers' shared counts")
        return SharedWindows(counts, limit, workers=worker.workers, worker=worker.index)

    return ClientBudgets(
        windows(settings.rate_limit_per_minute, worker.general_counts if worker else None),
        windows(settings.auth_rate_limit_per_minute, worker.strict_counts if worker else None),
        strict_prefix=AUTH_PREFIX,
    )


def admission(
    budgets: ClientBudgets, metrics: RouteMetrics | None
) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """The ``before_request`` hook: metrics, the client's budget, the body's media type."""

    # A coroutine on purpose: Litestar runs a plain function hook in a worker thread.
    async def admit(request: Request[Any, Any, Any]) -> None:
        scope = request.scope
        if metrics is not None:
            metrics.start(scope)
        if not request.route_handler.opt.get(SKIP_RATE_LIMIT):
            headers = budgets.admit(scope)
            if headers:
                add_response_headers(scope, headers)
        await require_json_body(request)

    return admit


def check_admission_everywhere(app: Litestar) -> None:
    """Refuse to start when a route, controller or router sets a ``before_request`` of its own:
    Litestar would run it instead of the app's, and that route would skip its client's budget,
    its metrics and the JSON-body check without a word."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for layer in handler.ownership_layers:
                if layer is not app and layer.before_request is not None:
                    raise ImproperlyConfiguredException(
                        f"{route.path} sets its own before_request; call admission's hook from "
                        "it or drop it (it would skip the rate limits, metrics and body check)."
                    )


async def require_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a non-JSON body with 415 unless the route takes raw bodies (``opt`` says so)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.route_handler.opt.get(ACCEPTS_ANY_BODY):
        return
    has_body = request.headers.get("content-length", "0") != "0" or (
        "chunked" in request.headers.get("transfer-encoding", "")
    )
    if not has_body:
        return
    media_type = request.content_type[0]
    if media_type == "application/json" or media_type.endswith("+json"):
        return
    raise HTTPException(
        status_code=415,
        detail="Send the body as application/json.",
        extra={"received": media_type or None},
    )
