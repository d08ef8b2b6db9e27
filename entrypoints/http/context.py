"""Per-request context: the request id, the access log line, the headers every response carries.

The request id is, in order of preference: the client's ``X-Request-ID`` when well-formed, the
trace id of the current span (so it matches what the tracing backend shows), the trace id of an
incoming W3C ``traceparent``, or a fresh random id. It is computed once and kept in the scope.
"""

import logging
import os
import random
import re
import time
from collections.abc import Mapping
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from opentelemetry import trace

from adapters.telemetry.logging import DirectLines, log_context, scrub
from entrypoints.http.metrics import RouteMetrics

REQUEST_ID_HEADER = b"x-request-id"
MEDIA_PREFIX = "/media/"
_WELL_FORMED_ID = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
_TRACEPARENT = re.compile(rb"^[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_ZERO_TRACE = b"0" * 32
_EXTRA_HEADERS = "edge_headers"  # scope state: headers inner steps want on the response

access_logger = logging.getLogger("studio_bridge.access")
_ids = random.Random()  # noqa: S311 - request ids are not secrets; reseeded in every fork:
os.register_at_fork(after_in_child=_ids.seed)
_random_bits = _ids.getrandbits


def _header(scope: Scope | Mapping[str, Any], name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the request header ``name`` (lower case), read from the raw ASGI
    pairs: for one value, building Litestar's header mapping costs more than the lookup."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def request_id(scope: Scope | Mapping[str, Any]) -> str:
    """The request's id, computed on first use and then stable for the whole request."""
    # Read-only Mappings are accepted for convenience; every ASGI scope is a real dict.
    state = scope.setdefault("state", {})  # type: ignore[union-attr]
    existing = state.get("request_id")
    if existing:
        return str(existing)
    chosen = _choose_request_id(scope)
    state["request_id"] = chosen
    return chosen


def _choose_request_id(scope: Scope | Mapping[str, Any]) -> str:
    given = _header(scope, REQUEST_ID_HEADER)
    if given and _WELL_FORMED_ID.match(given):
        return given.decode()
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        return format(span_context.trace_id, "032x")
    parent = _header(scope, b"traceparent")
    if parent:
        match = _TRACEPARENT.match(parent.strip().lower())
        if match and match.group("trace") != _ZERO_TRACE:
            return match.group("trace").decode()
    # 128 random bits, like a UUID4 without its object. Not a secret (the client sees it), so
    # the process's seeded generator, not a getrandom() call on every request.
    return f"{_random_bits(128):032x}"


def _trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


class RequestEdge:
    """Outermost ASGI layer: every HTTP request passes here once, routed or not.

    It answers every response with the security headers, the request id and any headers an
    inner step asked for (``add_response_headers``: the rate limit's), finishes the request's
    metrics with the status actually sent, and writes one access line. One layer doing all of
    it costs one send wrapper per request instead of one per concern; it wraps Litestar's whole
    handler chain, so requests that match no route get the headers and the line too.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        production: bool,
        metrics: RouteMetrics | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access = DirectLines(access_logger)
        fixed = security_headers(production=production)
        self._fixed = fixed
        self._media_fixed = [
            (name, b"cross-origin" if name == b"cross-origin-resource-policy" else value)
            for name, value in fixed
        ]
        # Headers the edge owns: a value an inner layer set for one of them is replaced.
        self._owned = frozenset(name for name, _ in fixed) | {REQUEST_ID_HEADER}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        state: dict[str, Any] = scope.setdefault("state", {})

        def fields() -> Mapping[str, object]:
            return {
                "request_id": request_id(scope),
                "trace_id": _trace_id(),
                "studio": state.get("studio_id"),
                "user": state.get("user_id"),
            }

        async def edge_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = self._headers(scope, state, message.get("headers", ()))
            await send(message)

        token = log_context.set(fields)
        try:
            await self.app(scope, receive, edge_send)
        finally:
            if self.metrics is not None:
                self.metrics.finish(scope, status)
            if self.access.enabled(logging.INFO):
                self._access_line(scope, state, status, started)
            log_context.reset(token)

    def _headers(
        self, scope: Scope, state: dict[str, Any], given: Any
    ) -> list[tuple[bytes, bytes]]:
        owned = self._owned
        headers = [header for header in given if header[0].lower() not in owned]
        extra = state.get(_EXTRA_HEADERS)
        if extra:
            headers.extend(extra)
        headers.extend(self._media_fixed if scope["path"].startswith(MEDIA_PREFIX) else self._fixed)
        headers.append((REQUEST_ID_HEADER, request_id(scope).encode()))
        return headers

    def _access_line(
        self, scope: HTTPScope, state: dict[str, Any], status: int, started: float
    ) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        route = scope.get("path_template") if "route_handler" in scope else None
        method = scrub(scope["method"])
        path = scrub(scope["path"])
        self.access.write(
            logging.INFO,
            f"{method} {route or path} {status}",
            {
                "method": method,
                "route": route,  # a template of our own routes
                "path": path,
                "status": status,
                "error_code": state.get("error_code"),  # one of our own codes
                "duration_ms": duration_ms,
                "client": (scope.get("client") or ("", 0))[0],  # an address, from the server
            },
            scrubbed=True,
        )


def add_response_headers(scope: Scope, headers: list[tuple[bytes, bytes]]) -> None:
    """Have the edge add ``headers`` (lower-case raw pairs) to this request's response."""
    state = scope["state"]
    existing = state.get(_EXTRA_HEADERS)
    state[_EXTRA_HEADERS] = [*existing, *headers] if existing else headers


def security_headers(*, production: bool) -> list[tuple[bytes, bytes]]:
    """The headers helmet sets by default (helmet 8), as raw ASGI header pairs."""
    csp = (
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';"
        "frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';"
        "script-src-attr 'none';style-src 'self' https: 'unsafe-inline'"
    )
    if production:
        # Helmet adds this too; on a plain-HTTP development server it would break every page.
        csp += ";upgrade-insecure-requests"
    headers = {
        "content-security-policy": csp,
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "origin-agent-cluster": "?1",
        "referrer-policy": "no-referrer",
        "strict-transport-security": "max-age=31536000; includeSubDomains",
        "x-content-type-options": "nosniff",
        "x-dns-prefetch-control": "off",
        "x-download-options": "noopen",
        "x-frame-options": "SAMEORIGIN",
        "x-permitted-cross-domain-policies": "none",
        "x-xss-protection": "0",
    }
    return [(k.encode(), v.encode()) for k, v in headers.items()]
