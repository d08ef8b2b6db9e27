"""Request metrics for ``/metrics``: the series Litestar's Prometheus middleware records, cheaply.

Litestar's ``PrometheusMiddleware`` builds a ``Request`` and a label dict and looks every
metric's labelled child up again (four ``labels()`` calls, each taking a lock and checking its
values) on every request, and as a route middleware it also makes Litestar wrap every route
in a second exception layer. ``RouteMetrics`` records the same metrics, with the same names
and labels (method, route template, status, app name; metrics made through
``PrometheusMiddleware``'s own factory, so ``PrometheusController`` serves them as before),
and keeps each labelled child once it exists. It is driven from the two places that already
see every request: the ``before_request`` hook starts a request (the route is known there) and
the outermost edge layer finishes it with the status actually sent, a refusal by the rate
limiter (429) included.
"""

from time import perf_counter
from typing import Any

from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.types import HTTPScope, Receive, Scope, Send

_STARTED = "metrics_started"  # scope state: (in-progress gauge, perf_counter at the start)


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the metric factory is not an ASGI layer")


class RouteMetrics:
    """Requests by method, route and status: counts, durations, errors, and those in progress.

    Routes whose template is in ``excluded`` (the probes and ``/metrics``) are not counted.
    """

    def __init__(self, config: PrometheusConfig, *, excluded: frozenset[str]) -> None:
        if config.labels or config.exemplars or not config.group_path:
            raise ValueError("RouteMetrics records the default labels by route template only")
        self._factory = PrometheusMiddleware(_never_called, config)
        self._app_name = config.app_name
        self._excluded = excluded
        self._in_progress: dict[tuple[str, str], Any] = {}
        self._finished: dict[tuple[str, str, int], tuple[Any, Any, Any | None]] = {}

    def start(self, scope: HTTPScope) -> None:
        """A routed request begins (call once its route is known)."""
        path = scope["path_template"]
        if path in self._excluded:
            return
        method = scope["method"]
        gauge = self._in_progress.get((method, path)) or self._gauge(method, path)
        gauge.inc()
        scope["state"][_STARTED] = (gauge, perf_counter())

    def finish(self, scope: HTTPScope, status: int) -> None:
        """The request that ``start`` saw has been answered with ``status`` (or has failed)."""
        started = scope["state"].pop(_STARTED, None)
        if started is None:
            return
        gauge, at = started
        duration = perf_counter() - at
        gauge.dec()
        method, path = scope["method"], scope["path_template"]
        count, time, errors = self._finished.get((method, path, status)) or self._children(
            method, path, status
        )
        if errors is not None:
            errors.inc()
        count.inc()
        time.observe(duration)

    def _labels(self, method: str, path: str, status: int) -> dict[str, str | int | float]:
        # The order of Litestar's default labels: the metrics' label names come from these keys.
        return {"method": method, "path": path, "status_code": status, "app_name": self._app_name}

    def _gauge(self, method: str, path: str) -> Any:
        labels = self._labels(method, path, 200)  # Litestar labels in-progress requests 200
        gauge = self._factory.requests_in_progress(labels).labels(*labels.values())
        self._in_progress[(method, path)] = gauge
        return gauge

    def _children(self, method: str, path: str, status: int) -> tuple[Any, Any, Any | None]:
        labels = self._labels(method, path, status)
        values = [*labels.values()]
        factory = self._factory
        # The error counter (and its series) exists only once a 5xx happened, as in Litestar's.
        errors = factory.requests_error_count(labels).labels(*values) if status >= 500 else None
        children = (
            factory.request_count(labels).labels(*values),
            factory.request_time(labels).labels(*values),
            errors,
        )
        self._finished[(method, path, status)] = children
        return children
