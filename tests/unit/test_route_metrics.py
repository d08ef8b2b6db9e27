"""Request metrics kept as plain numbers read out like prometheus_client's own series."""

import itertools
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from entrypoints.http.metrics import RouteMetrics, forget_in_progress

_prefixes = itertools.count()
LABELS = ["method", "path", "status_code", "app_name"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def scope(path: str = "/assets/{asset_id:str}") -> Any:
    return {"method": "GET", "path_template": path, "state": {}}


def samples(registry: CollectorRegistry, prefix: str) -> dict[tuple[str, tuple[Any, ...]], float]:
    found = {}
    for family in registry.collect():
        if family.name.startswith(prefix):
            for sample in family.samples:
                if not sample.name.endswith("_created"):
                    found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@given(
    st.lists(
        st.tuples(
            st.sampled_from([200, 404, 429, 500]),
            st.sampled_from([0.0, 0.0049, 0.0051, 0.1, 0.3, 9.99, 12.5]),
        ),
        max_size=30,
    )
)
def test_the_series_are_the_ones_prometheus_client_would_hold(
    requests: list[tuple[int, float]],
) -> None:
    prefix = f"metrics_test_{next(_prefixes)}"
    clock = Clock()
    metrics = RouteMetrics(prefix=prefix, app_name="app", excluded=frozenset(), clock=clock)
    expected = CollectorRegistry()
    count = Counter(f"{prefix}_requests_total", "", LABELS, registry=expected)
    errors = Counter(f"{prefix}_requests_error_total", "", LABELS, registry=expected)
    time = Histogram(f"{prefix}_request_duration_seconds", "", LABELS, registry=expected)
    for status, seconds in requests:
        request = scope()
        clock.now = 100.0
        metrics.start(request)
        clock.now = 100.0 + seconds
        metrics.finish(request, status)
        labels = ("GET", "/assets/{asset_id:str}", str(status), "app")
        count.labels(*labels).inc()
        time.labels(*labels).observe(seconds)
        if status >= 500:
            errors.labels(*labels).inc()

    ours = samples(REGISTRY, prefix)
    in_progress = {key: value for key, value in ours.items() if "in_progress" in key[0]}
    assert set(in_progress.values()) <= {0}
    rest = {key: value for key, value in ours.items() if "in_progress" not in key[0]}
    theirs = samples(expected, prefix)
    assert rest.keys() == theirs.keys()
    for key, value in theirs.items():
        assert abs(rest[key] - value) < 1e-9, key


def test_requests_in_progress_are_counted_until_they_finish() -> None:
    prefix = f"metrics_test_{next(_prefixes)}"
    metrics = RouteMetrics(prefix=prefix, app_name="app", excluded=frozenset({"/health"}))
    first, second, probe = scope(), scope(), scope("/health")
    for request in (first, second, probe):
        metrics.start(request)
    gauge = f"{prefix}_requests_in_progress"
    labels = (("app_name", "app"), ("method", "GET"), ("path", "/assets/{asset_id:str}"))
    assert samples(REGISTRY, prefix)[(gauge, (*labels, ("status_code", "200")))] == 2
    metrics.finish(first, 200)
    metrics.finish(probe, 200)  # an excluded route is neither in progress nor counted
    assert samples(REGISTRY, prefix)[(gauge, (*labels, ("status_code", "200")))] == 1
    assert not any("/health" in str(key) for key in samples(REGISTRY, prefix))


def test_a_worker_answers_for_every_worker_of_its_server(tmp_path: Path) -> None:
    prefix = f"metrics_test_{next(_prefixes)}"
    mine = RouteMetrics(prefix=prefix, app_name="app", excluded=frozenset())
    mine.share(tmp_path).publish()
    # Another worker of the same server: its own numbers, published to the same folder.
    theirs = RouteMetrics(prefix=f"{prefix}_other", app_name="app", excluded=frozenset())
    peer = theirs.share(tmp_path)
    peer.path = tmp_path / "4242.json"  # as if written by process 4242
    for metrics, statuses in ((mine, [200, 404]), (theirs, [200, 200, 500])):
        for status in statuses:
            request = scope()
            metrics.start(request)
            metrics.finish(request, status)
    still_running = scope()
    theirs.start(still_running)
    peer.publish()
    (tmp_path / "garbage.json").write_text("{not ours")  # ignored, not a failed scrape

    found = samples(REGISTRY, prefix)
    labels = (("app_name", "app"), ("method", "GET"), ("path", "/assets/{asset_id:str}"))
    total = f"{prefix}_requests_total"
    assert found[(total, (*labels, ("status_code", "200")))] == 3
    assert found[(total, (*labels, ("status_code", "404")))] == 1
    assert found[(total, (*labels, ("status_code", "500")))] == 1
    assert found[(f"{prefix}_requests_error_total", (*labels, ("status_code", "500")))] == 1
    gauge = (f"{prefix}_requests_in_progress", (*labels, ("status_code", "200")))
    assert found[gauge] == 1
    count = (f"{prefix}_request_duration_seconds_count", (*labels, ("status_code", "200")))
    assert found[count] == 3

    forget_in_progress(tmp_path, 4242)  # that worker exited: its counts stay, its gauge goes
    after = samples(REGISTRY, prefix)
    assert after[gauge] == 0
    assert after[(total, (*labels, ("status_code", "200")))] == 3
