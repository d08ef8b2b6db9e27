"""Serve the HTTP app with uvicorn, draining gracefully on SIGTERM.

On the first SIGTERM the process turns ``/ready`` to 503 at once and keeps serving for
``SHUTDOWN_DRAIN_SECONDS`` (time for a load balancer to notice), then stops accepting,
lets in-flight requests finish (at most ``SHUTDOWN_TIMEOUT_SECONDS``), closes resources and
exits 0. SIGINT (Ctrl+C) skips the drain delay; a second signal stops waiting.
"""

import gc
import signal
import socket
import threading
from types import FrameType
from typing import Any

import uvicorn

from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app
from entrypoints.lifecycle import Lifecycle
from entrypoints.settings import Settings


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, lifecycle: Lifecycle, drain_seconds: float):
        super().__init__(config)
        self._lifecycle = lifecycle
        self._drain_seconds = drain_seconds
        self._timer: threading.Timer | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        freeze_startup_objects()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # uvicorn's own handler re-raises the signal after shutdown, which would end the
        # process with "killed by SIGTERM" instead of exit status 0: this one does not.
        if self._lifecycle.draining:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True
            return
        self._lifecycle.start_draining()
        if sig == signal.SIGTERM and self._drain_seconds > 0:
            self._timer = threading.Timer(self._drain_seconds, self._stop)
            self._timer.daemon = True
            self._timer.start()
        else:
            self._stop()

    def _stop(self) -> None:
        self.should_exit = True


def freeze_startup_objects() -> None:
    """Keep what start-up built (routes, schemas, modules: ~100k objects) out of every GC pass.

    A full collection walks every tracked object; with the start-up objects in it, one took
    ~150 ms under load, stalling every request in flight. ``gc.freeze()`` moves them to a
    generation that is never collected; they live as long as the process anyway.
    Called once the app has started and before the first request is read.
    """
    gc.collect()
    gc.freeze()


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    """The server settings the service ships with (the benchmark's floor app uses them too)."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        # The standard event loop, not uvloop (which uvicorn[standard] would pick): with a few
        # hundred microseconds of Python per request, uvicorn on uvloop let some requests wait
        # 10-20 times the median under load (p99 150-500 ms against a p50 of ~20 ms); on the
        # standard loop the same app gave a p99 within 2x its p50 at the same requests/s
        # (docs/benchmarks.md, "Tail latency").
        loop="asyncio",
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        timeout_keep_alive=5,
    )


def serve_app(
    app: Any,
    settings: Settings,
    lifecycle: Lifecycle,
    *,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Serve any ASGI app with the shipped server settings and the draining behaviour.

    ``sockets``: listen on these (already bound) instead of binding ``HOST``:``PORT``.
    """
    server = DrainingServer(
        server_config(app, settings),
        lifecycle=lifecycle,
        drain_seconds=settings.shutdown_drain_seconds,
    )
    server.run(sockets=sockets)


def serve(settings: Settings) -> int:
    """Build the service for ``settings`` and serve it until a signal stops it; the exit status.

    With ``WORKERS`` > 1 a supervisor forks that many worker processes, each serving the port
    (``entrypoints/workers.py``).
    """
    if settings.workers > 1:
        from entrypoints.workers import Supervisor

        return Supervisor(settings).run()
    container = bootstrap(settings)
    serve_app(create_app(container), settings, container.lifecycle())
    return 0
