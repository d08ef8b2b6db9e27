"""The server processes a run can start: the floor and the service, under uvicorn and granian.

Every process gets the same environment (``processes.server_env``): 127.0.0.1, a free port,
``APP_ENV=test``, a fresh ``DATA_DIR`` and a rate limit too large to ever trip.
"""

import dataclasses
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Granian set up like the shipped uvicorn server: one worker process, 127.0.0.1, HTTP/1.1,
# uvloop (uvicorn[standard] picks uvloop and httptools), no access log of its own.
GRANIAN_OPTIONS = (
    "--interface=asgi",
    "--host=127.0.0.1",
    "--workers=1",
    "--runtime-threads=1",
    "--http=1",
    "--loop=uvloop",
    "--no-access-log",
)


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server process; ``command(port)`` is its argv."""

    name: str  # unique, e.g. "app/uvicorn"
    server: str  # "uvicorn" or "granian"
    app: str  # "floor" or "app"
    command: Callable[[int], list[str]]
    ready_path: str  # answers 200 once the process serves
    env: Mapping[str, str] = field(default_factory=dict)  # on top of processes.server_env


def _python_module(module: str, *args: str) -> Callable[[int], list[str]]:
    # The port reaches these through the PORT variable (load_settings reads it).
    return lambda _port: [sys.executable, "-m", module, *args]


def _granian(target: str, *, factory: bool = False) -> Callable[[int], list[str]]:
    extra = ["--factory"] if factory else []
    return lambda port: [
        sys.executable,
        "-m",
        "granian",
        *GRANIAN_OPTIONS,
        f"--port={port}",
        *extra,
        target,
    ]


FLOOR_UVICORN = ServerSpec(
    name="floor/uvicorn",
    server="uvicorn",
    app="floor",
    command=_python_module("bench.floor_app"),
    ready_path="/",
)
FLOOR_GRANIAN = ServerSpec(
    name="floor/granian",
    server="granian",
    app="floor",
    command=_granian("bench.floor_app:app"),
    ready_path="/",
)
APP_UVICORN = ServerSpec(
    name="app/uvicorn",
    server="uvicorn",
    app="app",
    command=_python_module("entrypoints.cli.main", "serve"),  # exactly `studio-bridge serve`
    ready_path="/health",
)
# Diagnostic: the same process with LOG_LEVEL=WARNING, which drops the one-JSON-line-per-request
# access log. The service never ships like this; it shows what that log line costs.
APP_UVICORN_NO_ACCESS_LOG = ServerSpec(
    name="app/uvicorn LOG_LEVEL=WARNING",
    server="uvicorn",
    app="app",
    command=_python_module("entrypoints.cli.main", "serve"),
    ready_path="/health",
    env={"LOG_LEVEL": "WARNING"},
)
# Diagnostic: the same process with one extra route, /_bench/whoami (bench/probe_app.py), to
# measure authentication and the edge without any use case behind them.
APP_UVICORN_PROBE = ServerSpec(
    name="app/uvicorn +probe",
    server="uvicorn",
    app="app",
    command=_python_module("bench.probe_app"),
    ready_path="/health",
)
APP_GRANIAN = ServerSpec(
    name="app/granian",
    server="granian",
    app="app",
    command=_granian("bench.granian_app:create_app", factory=True),
    ready_path="/health",
)


def with_workers(spec: ServerSpec, workers: int) -> ServerSpec:
    """``spec``'s process (the floor or the service) with ``WORKERS=workers``: a supervisor
    and that many worker processes serving one port (``entrypoints/workers.py``)."""
    if workers == 1:
        return spec
    if spec.server != "uvicorn":
        raise ValueError("only the uvicorn processes take WORKERS")
    return dataclasses.replace(
        spec,
        name=f"{spec.name} WORKERS={workers}",
        env={**spec.env, "WORKERS": str(workers)},
    )
