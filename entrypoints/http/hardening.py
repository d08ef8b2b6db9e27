"""Request-side hardening: per-client rate limits (stricter on ``/auth/*``) and JSON-only bodies."""

from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware

from entrypoints.settings import Settings

SKIP_RATE_LIMIT = "skip_rate_limit"
ACCEPTS_ANY_BODY = "accepts_any_body"
AUTH_PREFIX = "/auth/"


class ApiRateLimitMiddleware(RateLimitMiddleware):
    """The general budget. A class of its own because Litestar keys counters by class name."""


class AuthRateLimitMiddleware(RateLimitMiddleware):
    """The stricter budget for sign-in, registration and token endpoints."""


def _is_auth(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(AUTH_PREFIX)


def _is_not_auth(request: Request[Any, Any, Any]) -> bool:
    return not _is_auth(request)


def rate_limit_configs(settings: Settings) -> list[RateLimitConfig]:
    """Litestar's limiter, twice: per client address, one window per minute, ``0`` switches one off.

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
