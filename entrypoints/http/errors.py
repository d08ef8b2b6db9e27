"""The one mapping from failures to the error contract.

Every error leaves as ``{"error": {"code", "message", "status", "details"?, "correlationId"}}``:
domain categories by their category, Litestar's own HTTP errors (unknown route, wrong method,
body too large, validation) by status, anything else as a 500 that is logged with its trace
and never shows it.
"""

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.exceptions.base_exceptions import SerializationException
from litestar.types import ExceptionHandlersMap

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
from entrypoints.http.context import request_id

logger = logging.getLogger("studio_bridge.http")

# Checked in order: the first category an error belongs to decides its status.
CATEGORY_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFoundError, 404),
    (StaleRevisionError, 412),
    (ConflictError, 409),
    (ForbiddenError, 403),
    (UnauthenticatedError, 401),
    (InvalidInputError, 422),
    (RateLimitedError, 429),
)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    503: "service_unavailable",
}
_HTTP_MESSAGES = {
    404: "No resource at this address.",
    405: "This method is not allowed on this resource.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    429: "Too many requests; try again later.",
}
REALM = "studio-bridge"
# Codes of a presented access token that was refused (RFC 6750 section 3.1 "invalid_token").
_TOKEN_REFUSED = frozenset({"invalid_token", "token_expired"})
_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_NAMED_FIELD = re.compile(r"field `(?P<field>[^`]+)`")


class ErrorDetail(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    code: str
    message: str
    status: int
    correlation_id: str
    details: dict[str, Any] | None = None


class ErrorBody(msgspec.Struct, kw_only=True):
    error: ErrorDetail


def error_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    request.scope["state"]["error_code"] = code  # the access log line names it
    if status == 401:
        # RFC 7235 section 3.1: a 401 must say how to authenticate (RFC 6750 for Bearer).
        headers = {"WWW-Authenticate": _bearer_challenge(code), **(headers or {})}
    body = ErrorBody(
        error=ErrorDetail(
            code=code,
            message=message,
            status=status,
            correlation_id=request_id(request.scope),
            details=details,
        )
    )
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _bearer_challenge(code: str) -> str:
    if code in _TOKEN_REFUSED:
        return f'Bearer realm="{REALM}", error="invalid_token"'
    return f'Bearer realm="{REALM}"'


def status_for(error: DomainError) -> int:
    for category, status in CATEGORY_STATUS:
        if isinstance(error, category):
            return status
    return 400


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[ErrorBody]:
    status = status_for(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
    details = dict(exc.details) if exc.details else None
    return error_response(
        request, status=status, code=exc.code, message=exc.message, details=details, headers=headers
    )


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    if status >= 500:
        return handle_unexpected(request, exc)
    if isinstance(exc.__cause__, SerializationException) or "JSON is malformed" in str(exc.detail):
        return error_response(
            request,
            status=400,
            code="malformed_json",
            message="The request body is not valid JSON.",
            details={
                "reason": str(exc.__cause__ or exc.detail).removeprefix("JSON is malformed: ")
            },
        )
    if isinstance(exc, ValidationException):
        return _validation_response(request, exc)
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        # Litestar's limiter sends RateLimit-Reset (seconds left in the window) but no Retry-After.
        headers["Retry-After"] = str(max(1, int(headers.get("RateLimit-Reset", "1") or 1)))
    if status == 405 and isinstance(exc.extra, dict) and exc.extra.get("allowed"):
        headers["Allow"] = ", ".join(exc.extra["allowed"])
    message = _HTTP_MESSAGES.get(status) or str(exc.detail) or "The request could not be served."
    return error_response(
        request,
        status=status,
        code=_HTTP_CODES.get(status, "http_error"),
        message=message,
        headers=headers or None,
    )


def _validation_response(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[ErrorBody]:
    cause = str(exc.__cause__) if exc.__cause__ else ""
    if "missing required field `data`" in cause:
        return error_response(
            request, status=400, code="body_required", message="This request needs a JSON body."
        )
    problems = [_field_problem(item) for item in (exc.extra or []) if isinstance(item, dict)]
    if problems and all(p["source"] == "body" for p in problems):
        return error_response(
            request,
            status=422,
            code="validation_failed",
            message="The request body is not valid.",
            details={"fields": problems},
        )
    return error_response(
        request,
        status=400,
        code="invalid_parameter",
        message="A request parameter is not valid.",
        details={"fields": problems},
    )


def _field_problem(item: dict[str, Any]) -> dict[str, str]:
    """Turn one Litestar/msgspec validation item into ``{field, message, source}``."""
    raw_source = item.get("source") or "body"
    source = str(getattr(raw_source, "value", raw_source))  # Litestar gives a ParamType enum
    raw = str(item.get("message", ""))
    match = _AT_PATH.match(raw)
    message = match.group("message") if match else raw
    path = (match.group("path") if match else "") or ""
    field = path.removeprefix(".data").lstrip(".") if source == "body" else str(item.get("key", ""))
    named = _NAMED_FIELD.search(message)
    if named and source == "body":
        # "missing required field `x`" and "unknown field `x`" name the field in the message.
        field = f"{field}.{named.group('field')}" if field else named.group("field")
    return {"field": field or str(item.get("key", "")), "message": message, "source": source}


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    logger.error(
        "unhandled error on %s %s",
        request.method,
        request.scope.get("path_template") or request.url.path,
        exc_info=exc,
    )
    return error_response(
        request,
        status=500,
        code="internal_error",
        message="Something went wrong on our side. Quote the correlation id when reporting it.",
    )


def exception_handlers() -> ExceptionHandlersMap:
    return {
        DomainError: handle_domain_error,
        HTTPException: handle_http_error,
        Exception: handle_unexpected,
    }
