"""What a run measures: one ``Target`` per URL, served by one of ``bench.servers``.

To benchmark a new endpoint, append a ``Target``. ``headers`` are sent with every request;
``setup`` runs once the server is up (seed data, sign in) and returns more headers (a token);
``method`` and ``body`` are sent through a generated wrk Lua script.
"""

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.servers import (
    APP_GRANIAN,
    APP_UVICORN,
    APP_UVICORN_NO_ACCESS_LOG,
    APP_UVICORN_PROBE,
    FLOOR_GRANIAN,
    FLOOR_UVICORN,
    ServerSpec,
)


@dataclass(frozen=True)
class SetupContext:
    base_url: str  # e.g. http://127.0.0.1:41234
    data_dir: Path  # the server's DATA_DIR
    server: ServerSpec


SetupHook = Callable[[SetupContext], Mapping[str, str] | None]
# Load run beside wrk during the measurement; it fills the dict with figures of its own.
BackgroundHook = Callable[[SetupContext, dict[str, Any]], AbstractContextManager[None]]


@dataclass(frozen=True)
class Target:
    name: str
    server: ServerSpec
    path: str
    description: str
    expect_status: int = 200  # anything else is reported as non-2xx, not as a failure
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    setup: SetupHook | None = None
    background: BackgroundHook | None = None

    @property
    def key(self) -> str:
        return f"{self.server.name} {self.name}"

    @property
    def is_floor(self) -> bool:
        return self.server.app == "floor"


FLOOR = Target(
    name="floor",
    server=FLOOR_UVICORN,
    path="/",
    description="Bare Litestar, one GET returning a small dict, shipped uvicorn settings.",
)


def sign_in_as_admin(context: SetupContext) -> Mapping[str, str] | None:
    from bench.identity import sign_in_as_admin as sign_in

    return sign_in(context)


def _logins_in_background(
    context: SetupContext, figures: dict[str, Any]
) -> AbstractContextManager[None]:
    from bench.identity import logins_in_background

    return logins_in_background(context, figures)


TARGETS: list[Target] = [
    FLOOR,
    Target(
        name="floor",
        server=FLOOR_GRANIAN,
        path="/",
        description="The same bare Litestar app under granian (1 worker, HTTP/1.1, uvloop).",
    ),
    Target(
        name="health",
        server=APP_UVICORN,
        path="/health",
        description="Liveness: the app's whole edge (request id, access log line, security "
        "headers), no dependency; skips the rate limiter and metrics.",
    ),
    Target(
        name="ready",
        server=APP_UVICORN,
        path="/ready",
        description="Readiness: dependency injection plus every dependency probe (a file "
        "written in DATA_DIR in a worker thread, the store's ping) under a timeout; skips the "
        "rate limiter and metrics.",
    ),
    Target(
        name="not-found",
        server=APP_UVICORN,
        path="/no-such-route",
        expect_status=404,
        description="An unrouted path: the error contract (JSON error body with correlation "
        "id) and the edge; Litestar's route middleware (rate limiter, metrics) never runs.",
    ),
    Target(
        name="openapi",
        server=APP_UVICORN,
        path="/openapi.json",
        description="The OpenAPI document, encoded once per process and then served from "
        "memory; goes through the metrics middleware, skips the rate limiter.",
    ),
    Target(
        name="me",
        server=APP_UVICORN,
        path="/auth/me",
        description="An authenticated read, measured as in earlier runs (one admin token for "
        "every request): the token and the user's state (both remembered after the first "
        "request since issue 6), then the use case reads the user from the store, the JSON "
        "user; behind the /auth rate limiter.",
        setup=sign_in_as_admin,
    ),
    Target(
        name="studio",
        server=APP_UVICORN,
        path="/studio",
        description="An authenticated read of one resource by id, the shape of GET "
        "/assets/{id}: the token, the matrix check, one indexed read, the JSON studio; behind "
        "the general rate limiter and the metrics.",
        setup=sign_in_as_admin,
    ),
    Target(
        name="users",
        server=APP_UVICORN,
        path="/users?limit=20",
        description="An authenticated list: the token, the matrix check, one page of users "
        "with its total from the store.",
        setup=sign_in_as_admin,
    ),
    Target(
        name="health-during-logins",
        server=APP_UVICORN,
        path="/health",
        description="/health while 8 clients sign in back to back (argon2id, off the event "
        "loop behind a semaphore of 1): the rest of the API must keep answering.",
        background=_logins_in_background,
    ),
    Target(
        name="whoami",
        server=APP_UVICORN_PROBE,
        path="/_bench/whoami",
        description="Diagnostic: an authenticated route with no use case (bench/probe_app.py): "
        "the token, the user's state, the rate limiter, metrics, access log and headers; what "
        "every authenticated route pays before its own work.",
        setup=sign_in_as_admin,
    ),
    Target(
        name="health",
        server=APP_UVICORN_NO_ACCESS_LOG,
        path="/health",
        description="Diagnostic, not how the service ships: /health with the access log off "
        "(LOG_LEVEL=WARNING), to show what the JSON line per request costs.",
    ),
    Target(
        name="health",
        server=APP_GRANIAN,
        path="/health",
        description="/health of the same app under granian (comparison only; no drain).",
    ),
    Target(
        name="not-found",
        server=APP_GRANIAN,
        path="/no-such-route",
        expect_status=404,
        description="The unrouted 404 of the same app under granian.",
    ),
]
