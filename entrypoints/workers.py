"""``WORKERS`` > 1: a supervisor process forks that many workers, all serving one port.

One Python process serves on one core. With the embedded SQLite store the service cannot run
as several replicas (the file is local), so on one machine its workers are how it uses more
than one core. The supervisor opens nothing of the service and starts no thread: it makes the
memory the workers share (the rate-limit counts) and a folder for their metrics, then forks
the workers and waits. Each worker builds the service as ``serve`` does (its own container,
store connections and event loop) and listens on a socket of its own bound with
``SO_REUSEPORT``, so the kernel spreads new connections over the workers. They share the
store file (SQLite's locks order their writes), the signing key and the demo studio (both
agreed on at a first start), every client's rate-limit budget (``SharedWindows``) and the
request metrics (``WorkerMetrics``): ``/metrics`` on any worker answers for all of them.

- SIGTERM or SIGINT to the supervisor goes to every worker; each drains as ``serve`` does
  (``/ready`` answers 503, requests in flight finish) and the supervisor exits 0 once all of
  them have exited 0.
- A worker that dies otherwise is replaced in the same slot, so its rate-limit counts carry
  on. Workers dying within ``QUICK_EXIT_SECONDS`` of their start ``QUICK_EXITS_TO_GIVE_UP``
  times in a row mean they cannot start (a port in use, a store they cannot open): the
  supervisor stops the others and exits 1.
- A worker whose supervisor dies gets SIGTERM from the kernel (Linux), so none is left behind.
"""

import contextlib
import ctypes
import logging
import mmap
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from entrypoints.http.metrics import forget_in_progress
from entrypoints.http.rate_limit import shared_table
from entrypoints.lifecycle import Lifecycle
from entrypoints.settings import Settings

QUICK_EXIT_SECONDS = 5.0
QUICK_EXITS_TO_GIVE_UP = 3
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}

log = logging.getLogger("studio_bridge.workers")


@dataclass(frozen=True, slots=True)
class WorkerSlot:
    """What one worker shares with the others: its place among them, each budget's counts
    (``None`` when that budget is off) and the folder where each worker's metrics are kept."""

    index: int
    workers: int
    general_counts: mmap.mmap | None
    strict_counts: mmap.mmap | None
    metrics_dir: Path


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` with ``SO_REUSEPORT`` (one per worker).

    ``IPPROTO_TCP`` is given explicitly: asyncio turns Nagle's algorithm off only on sockets
    whose protocol says TCP, and with 0 every small answer waited ~40 ms for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


def _port_in_use(host: str, port: int) -> str | None:
    """Why the port cannot be ours, or None. ``SO_REUSEPORT`` would let the workers share it
    with another server of the same user (a second instance, started by mistake) and split
    its clients between the two: a plain bind first fails as a single process would."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


type AppBuilder = Callable[[Settings, WorkerSlot], tuple[Any, Lifecycle]]


def build_service(settings: Settings, worker: WorkerSlot) -> tuple[Any, Lifecycle]:
    """The service's app, as ``serve`` builds it, for one worker."""
    from entrypoints.bootstrap import bootstrap  # the service loads in the worker only
    from entrypoints.http.app import create_app

    container = bootstrap(settings, worker=worker)
    return create_app(container), container.lifecycle()


class Supervisor:
    """Forks ``settings.workers`` workers, replaces those that die, stops them all on a signal.

    ``build`` makes a worker's ASGI app and lifecycle (the service unless told otherwise: the
    benchmark's floor app is served the same way).
    """

    def __init__(self, settings: Settings, build: AppBuilder = build_service) -> None:
        self._settings = settings
        self._build = build
        self._workers: dict[int, tuple[int, float]] = {}  # pid -> (slot index, started at)
        self._stopping = False
        self._quick_exits = 0
        self._failed = False

    def run(self) -> int:
        """Serve until a signal stops every worker; the process's exit status."""
        settings = self._settings
        problem = _port_in_use(settings.host, settings.port)
        if problem is not None:
            log.error("cannot serve %s:%d: %s", settings.host, settings.port, problem)
            return 1
        budgets = settings.rate_limit_per_minute, settings.auth_rate_limit_per_minute
        metrics_dir = Path(tempfile.mkdtemp(prefix="studio-bridge-metrics-"))
        general = shared_table(settings.workers) if budgets[0] else None
        strict = shared_table(settings.workers) if budgets[1] else None
        slots = [
            WorkerSlot(index, settings.workers, general, strict, metrics_dir)
            for index in range(settings.workers)
        ]
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        try:
            for slot in slots:
                self._start(slot)
            while self._workers:
                self._reap_one(slots)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            shutil.rmtree(metrics_dir, ignore_errors=True)
        return 1 if self._failed else 0

    def _start(self, slot: WorkerSlot) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        # Held back across the fork: the child must not run the supervisor's handler (it would
        # signal its siblings), and the parent must know the child before it passes one on.
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            supervisor = os.getpid()
            pid = os.fork()
            if pid == 0:
                os._exit(_worker_main(self._settings, slot, self._build, supervisor))
            self._workers[pid] = (slot.index, time.monotonic())
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        log.info("worker %d started (pid %d)", slot.index, pid)

    def _reap_one(self, slots: list[WorkerSlot]) -> None:
        pid, status = os.waitpid(-1, 0)  # a signal runs its handler, then the wait goes on
        started = self._workers.pop(pid, None)
        if started is None:
            return  # not one of ours (a grandchild handed to us): nothing to do
        index, at = started
        code = os.waitstatus_to_exitcode(status)
        forget_in_progress(slots[index].metrics_dir, pid)
        if self._stopping:
            if code != 0:
                self._failed = True
                log.error("worker %d (pid %d) stopped with status %d", index, pid, code)
            return
        quick = time.monotonic() - at < QUICK_EXIT_SECONDS
        self._quick_exits = self._quick_exits + 1 if quick else 0
        if self._quick_exits >= QUICK_EXITS_TO_GIVE_UP:
            log.error(
                "worker %d (pid %d) exited with status %d: workers keep failing at start, "
                "stopping the others",
                index,
                pid,
                code,
            )
            self._failed = True
            self._stop_all(signal.SIGTERM)
            return
        log.error("worker %d (pid %d) exited with status %d; starting another", index, pid, code)
        self._start(slots[index])

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self._stop_all(sig)

    def _stop_all(self, sig: int) -> None:
        # A second SIGINT is passed on too: a worker stops waiting for its requests then.
        self._stopping = True
        for pid in list(self._workers):
            with contextlib.suppress(ProcessLookupError):  # it has just exited: the wait says so
                os.kill(pid, sig)


def _worker_main(settings: Settings, slot: WorkerSlot, build: AppBuilder, supervisor: int) -> int:
    """The forked worker's whole life; its exit status (never returns to the supervisor's code)."""
    try:
        if sys.platform == "linux":
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != supervisor:
            return 1  # the supervisor died before the line above: nobody would stop this one
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own once serving
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked across the fork
        from entrypoints.server import serve_app

        app, lifecycle = build(settings, slot)
        serve_app(
            app, settings, lifecycle, sockets=[listening_socket(settings.host, settings.port)]
        )
        return 0
    except SystemExit as stop:  # uvicorn exits 3 when the app fails to start
        return stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
