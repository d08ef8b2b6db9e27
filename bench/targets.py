"""What a run measures: one ``Target`` per URL, served by one of ``bench.servers``.

To benchmark a new endpoint, append a ``Target``. ``headers`` are sent with every request;
``setup`` runs once the server is up (seed data, sign in) and returns more headers (a token);
``method`` and ``body`` are sent through a generated wrk Lua script.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.servers import (
    APP_GRANIAN,
    APP_UVICORN,
    APP_UVICORN_NO_ACCESS_LOG,
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
        description="The only route behind the rate limiter and metrics middleware today; "
        "also turns the cached OpenAPI schema into a ~2.6 kB dict per request.",
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
