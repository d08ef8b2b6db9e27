"""Request-side hardening: per-client rate limits (stricter on ``/auth/*``) and JSON-only bodies."""

from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.base import Store

from entrypoints.http.rate_limit import FastLockMemoryStore, FixedWindowRateLimitMiddleware
from entrypoints.settings import Settings

SKIP_RATE_LIMIT = "skip_rate_limit"
ACCEPTS_ANY_BODY = "accepts_any_body"
AUTH_PREFIX = "/auth/"


class ApiRateLimitMiddleware(FixedWindowRateLimitMiddleware):
    """The general budget. A class of its own because Litestar keys counters by class name."""


class AuthRateLimitMiddleware(FixedWindowRateLimitMiddleware):
    """The stricter budget for sign-in, registration and token endpoints."""


# Coroutines on purpose: Litestar runs a plain function given as ``check_throttle_handler`` in a
# worker thread, a thread hop per limiter on every request.
async def _is_auth(request: Request[Any, Any, Any]) -> bool:
    return str(request.scope["path"]).startswith(AUTH_PREFIX)


async def _is_not_auth(request: Request[Any, Any, Any]) -> bool:
    return not str(request.scope["path"]).startswith(AUTH_PREFIX)


def rate_limit_configs(settings: Settings) -> list[RateLimitConfig]:
    """Litestar's limiter (as a fixed-window counter), twice: per client address, one window per
    minute; ``0`` switches one off.

    The client address is the socket peer, or the ``X-Forwarded-For`` hop when the peer is one
    of ``TRUSTED_PROXIES`` (the server rewrites it; see ``entrypoints/server.py``).
    """
    configs = []
    if settings.rate_limit_per_minute:
        configs.append(
            RateLimitConfig(
                rate_limit=("minute", settings.rate_limit_per_minute),
                exclude_opt_key=SKIP_RATE_LIMIT,
                check_throttle_handler=_is_not_auth,
                middleware_class=ApiRateLimitMiddleware,
            )
        )
    if settings.auth_rate_limit_per_minute:
        configs.append(
            RateLimitConfig(
                rate_limit=("minute", settings.auth_rate_limit_per_minute),
                exclude_opt_key=SKIP_RATE_LIMIT,
                check_throttle_handler=_is_auth,
                middleware_class=AuthRateLimitMiddleware,
            )
        )
    return configs


def rate_limit_stores() -> dict[str, Store]:
    """The app's ``stores``: where both limiters keep their windows (``RateLimitConfig.store``)."""
    return {"rate_limit": FastLockMemoryStore()}


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
