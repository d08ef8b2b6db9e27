"""The floor or the service served by several worker processes on one port: a diagnostic.

    python -m bench.prefork --workers 2 floor      # bench.floor_app's app, N processes
    python -m bench.prefork --workers 2 service    # what `studio-bridge serve` builds, N processes

Measurement only (``python -m bench --sections assets --workers 2``): the service ships as one
process per container. It answers one question for issue 6: how the ratios to the floor move
when both are given one process per core. The parent forks before anything starts a thread;
each worker then builds its own app and binds its own socket with ``SO_REUSEPORT``, so the
kernel spreads connections over the workers. What a shipped multi-process mode would need on
top (rate-limit budgets and metrics shared by the workers, a supervisor restarting a dead
worker) is not here: the benchmark's limits never trip and it reads no metrics.
SIGTERM to the parent stops it (draining as ``serve`` does), then its workers; a worker whose
parent dies gets SIGTERM from the kernel.
"""

import argparse
import ctypes
import os
import signal
import socket
import sys
from collections.abc import Sequence
from typing import Any

from entrypoints.lifecycle import Lifecycle
from entrypoints.settings import Settings, load_settings

_PR_SET_PDEATHSIG = 1


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound with ``SO_REUSEPORT``. ``IPPROTO_TCP`` given explicitly: asyncio sets
    ``TCP_NODELAY`` only on sockets whose protocol says TCP (with 0 every small answer waited
    ~40 ms for a delayed ACK)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _app(kind: str, settings: Settings) -> tuple[Any, Lifecycle]:
    if kind == "floor":
        from bench.floor_app import app

        return app, Lifecycle()
    from adapters.telemetry.logging import configure_logging
    from entrypoints.bootstrap import bootstrap
    from entrypoints.http.app import create_app

    configure_logging(settings.log_level)
    container = bootstrap(settings)
    return create_app(container), container.lifecycle()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prefork", description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("kind", choices=("floor", "service"))
    args = parser.parse_args(argv)
    settings = load_settings()
    children: list[int] = []
    is_worker = False
    for _ in range(args.workers - 1):
        pid = os.fork()
        if pid == 0:
            is_worker = True
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
            break
        children.append(pid)
    from entrypoints.server import serve_app  # the server stack loads only when serving

    app, lifecycle = _app(args.kind, settings)
    serve_app(app, settings, lifecycle, sockets=[listening_socket(settings.host, settings.port)])
    if is_worker:
        return 0
    failed = 0
    for pid in children:
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
