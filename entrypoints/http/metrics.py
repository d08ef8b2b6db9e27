"""Request metrics for ``/metrics``: the series Litestar's Prometheus middleware records, cheaply.

Litestar's ``PrometheusMiddleware`` builds a ``Request`` and a label dict and updates four
``prometheus_client`` children on every request (each update takes a lock; a histogram's
also walks its buckets in Python): ~10 us a request even with the children cached. As a
route middleware it also makes Litestar wrap every route in a second exception layer.

``RouteMetrics`` keeps the same series in plain numbers (the event loop is the only writer)
and hands them to ``prometheus_client`` only when ``/metrics`` is scraped, as a custom
collector: same names, labels (method, route template, status, app name), buckets and types
as Litestar's (``studio_bridge_requests_total``, ``..._request_duration_seconds``,
``..._requests_in_progress``, ``..._requests_error_total``, the last only once a 5xx
happened). It is driven from the two places that already see every request: the
``before_request`` hook starts a request (the route is known there) and the outermost edge
layer finishes it with the status actually sent, a refusal by the rate limiter included.
"""

import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from time import perf_counter
from typing import ClassVar

import msgspec
from litestar.types import HTTPScope
from prometheus_client import REGISTRY, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

_STARTED = "metrics_started"  # scope state: (series key, perf_counter at the start)
LABELS = ["method", "path", "status_code", "app_name"]
BUCKETS = tuple(float(bound) for bound in Histogram.DEFAULT_BUCKETS if bound != float("inf"))


class _Finished:
    """One (method, route, status) series: the count, the summed seconds, a count per bucket."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * (len(BUCKETS) + 1)  # the last one is +Inf


class _Snapshot(msgspec.Struct, array_like=True):
    """One process's numbers, as a worker publishes them for the others (``WorkerMetrics``)."""

    in_progress: list[tuple[str, str, str, int]]
    finished: list[tuple[str, str, int, str, int, float, list[int]]]


class _Series(Collector):
    """The numbers behind one metric prefix, shared by every app of the process (as
    ``prometheus_client``'s registry is), turned into metric families at scrape time.

    ``peers``, when set, answers the other workers' latest numbers, added in at scrape time.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.in_progress: dict[tuple[str, str, str], int] = {}
        self.finished: dict[tuple[str, str, int, str], _Finished] = {}
        self.peers: Callable[[], list[_Snapshot]] | None = None

    def snapshot(self) -> _Snapshot:
        # list() copies each dict in one step under the GIL: never one changing while read.
        return _Snapshot(
            in_progress=[(*key, value) for key, value in list(self.in_progress.items())],
            finished=[
                (*key, series.count, series.seconds, list(series.buckets))
                for key, series in list(self.finished.items())
            ],
        )

    def collect(self) -> Iterator[Metric]:
        in_progress: dict[tuple[str, str, str], int] = {}
        finished: dict[tuple[str, str, int, str], _Finished] = {}
        for snapshot in [self.snapshot(), *(self.peers() if self.peers else [])]:
            for method, path, app_name, value in snapshot.in_progress:
                key = (method, path, app_name)
                in_progress[key] = in_progress.get(key, 0) + value
            for method, path, status, app_name, count, seconds, buckets in snapshot.finished:
                total = finished.setdefault((method, path, status, app_name), _Finished())
                total.count += count
                total.seconds += seconds
                total.buckets = [a + b for a, b in zip(total.buckets, buckets, strict=True)]
        return self._families(in_progress.items(), finished.items())

    def _families(
        self,
        in_progress: Iterable[tuple[tuple[str, str, str], int]],
        finished: Iterable[tuple[tuple[str, str, int, str], _Finished]],
    ) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            f"{self.prefix}_requests_in_progress",
            "Total requests currently in progress",
            labels=LABELS,
        )
        for (method, path, app_name), value in in_progress:
            gauge.add_metric([method, path, "200", app_name], value)  # Litestar labels them 200
        count = CounterMetricFamily(f"{self.prefix}_requests", "Total requests", labels=LABELS)
        errors = CounterMetricFamily(
            f"{self.prefix}_requests_error", "Total errors in requests", labels=LABELS
        )
        time = HistogramMetricFamily(
            f"{self.prefix}_request_duration_seconds",
            "Request duration, in seconds",
            labels=LABELS,
        )
        for (method, path, status, app_name), series in finished:
            labels = [method, path, str(status), app_name]
            count.add_metric(labels, series.count)
            if status >= 500:
                errors.add_metric(labels, series.count)
            cumulative, buckets = 0, []
            for bound, hits in zip((*BUCKETS, float("inf")), series.buckets, strict=True):
                cumulative += hits
                buckets.append((_bound_text(bound), cumulative))
            time.add_metric(labels, buckets, series.seconds)
        yield gauge
        yield count
        if errors.samples:
            yield errors
        yield time


def _bound_text(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)


class RouteMetrics:
    """Requests by method, route and status: counts, durations, errors, and those in progress.

    Routes whose template is in ``excluded`` (the probes and ``/metrics``) are not counted.
    """

    _shared: ClassVar[dict[str, _Series]] = {}

    def __init__(
        self,
        *,
        prefix: str,
        app_name: str,
        excluded: frozenset[str],
        clock: Callable[[], float] = perf_counter,
    ) -> None:
        series = RouteMetrics._shared.get(prefix)
        if series is None:
            series = RouteMetrics._shared[prefix] = _Series(prefix)
            REGISTRY.register(series)
        self._series = series
        self._app_name = app_name
        self._excluded = excluded
        self._clock = clock

    def start(self, scope: HTTPScope) -> None:
        """A routed request begins (call once its route is known)."""
        path = scope["path_template"]
        if path in self._excluded:
            return
        key = (scope["method"], path, self._app_name)
        in_progress = self._series.in_progress
        in_progress[key] = in_progress.get(key, 0) + 1
        scope["state"][_STARTED] = (key, self._clock())

    def finish(self, scope: HTTPScope, status: int) -> None:
        """The request that ``start`` saw has been answered with ``status`` (or has failed)."""
        started = scope["state"].pop(_STARTED, None)
        if started is None:
            return
        key, at = started
        seconds = self._clock() - at
        self._series.in_progress[key] -= 1
        method, path, app_name = key
        finished = self._series.finished
        series = finished.get((method, path, status, app_name))
        if series is None:
            series = finished[(method, path, status, app_name)] = _Finished()
        series.count += 1
        series.seconds += seconds
        series.buckets[bisect_left(BUCKETS, seconds)] += 1

    def share(self, folder: Path) -> "WorkerMetrics":
        """Be one of several workers: publish to ``folder``, and answer for all of them."""
        shared = WorkerMetrics(self._series, folder)
        self._series.peers = shared.peers
        return shared


class WorkerMetrics:
    """A worker's request metrics, published for the other workers of its server.

    Each worker writes its numbers to ``<folder>/<pid>.json`` (``publish``, every second from
    the app's lifespan and once more at its end); a scrape of any worker adds the others'
    latest files to its own live numbers. So ``/metrics`` answers for the whole server, the
    other workers' share at most a second old. A file stays when its worker has exited (the
    supervisor zeroes its in-progress gauge), so the counters never go back when a worker is
    replaced.
    """

    def __init__(self, series: _Series, folder: Path) -> None:
        self._series = series
        self.folder = folder
        self.path = folder / f"{os.getpid()}.json"

    def publish(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_bytes(_encode_snapshot(self._series.snapshot()))
        os.replace(temporary, self.path)  # a reader sees the old file or the new one, whole

    def peers(self) -> list[_Snapshot]:
        found = []
        for path in self.folder.glob("*.json"):
            if path == self.path:
                continue
            try:
                found.append(_decode_snapshot(path.read_bytes()))
            except (OSError, msgspec.DecodeError):
                continue  # vanished or not ours: the next scrape reads it again
        return found


_encode_snapshot = msgspec.json.Encoder().encode
_decode_snapshot = msgspec.json.Decoder(_Snapshot).decode


def forget_in_progress(folder: Path, pid: int) -> None:
    """An exited worker's requests are no longer in progress (its counts stay)."""
    path = folder / f"{pid}.json"
    try:
        snapshot = _decode_snapshot(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        return
    snapshot.in_progress = []
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(_encode_snapshot(snapshot))
    os.replace(temporary, path)
