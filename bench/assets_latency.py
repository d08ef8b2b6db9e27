"""List latency at 1M assets against 10k, over HTTP, one request at a time.

Both servers run side by side (``studio-bridge serve`` on a copy of each seeded file); one
``httpx.Client`` per server (keep-alive) sends one request at a time, never concurrently, so a
figure is a request's service time with no queueing (plus the client's own ~0.1-0.2 ms). The
sizes take turns round after round, so a noisy neighbour hits both alike. Every query's answer
is checked first (the right first item, the right total), so a fast wrong answer cannot pass.

The deep cursor is made with the server's own ``CursorCodec`` (its secret derives from the
signing key in the server's ``DATA_DIR``) for the key the seeder recorded: the item after 90%
of the studio's list. A cursor the server itself hands out is decoded first, to prove the
codec and the query identity match the server's.
"""

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from application.assets.ports import DEFAULT_ASSET_SORT
from bench.assets_cache import SeededStore
from bench.processes import RunningServer, server_env
from domain.shared.paging import CursorCodec, query_identity
from entrypoints.bootstrap import bootstrap
from entrypoints.settings import load_settings

ROUNDS = 10
WARMUP = 5  # requests per query and round, not timed
SAMPLES = 50  # timed requests per query and round
LIMIT = 20
# What the route binds cursors to for an unfiltered list in the default sort (newest first).
IDENTITY = query_identity("assets", {}, DEFAULT_ASSET_SORT)
# The figures the goal is about; the others are shown for context.
GOAL_QUERIES = ("page1", "cursor_deep")

type PathOf = Callable[[int], str]  # request number -> path


def cursor_codec(server: RunningServer) -> CursorCodec:
    port = urlsplit(server.url).port
    assert port is not None
    env = {**server_env(port, server.data_dir), **server.spec.env}
    return bootstrap(load_settings(env, env_file=None)).cursor_codec()


def compare_latency(
    servers: Mapping[str, RunningServer],
    stores: Mapping[str, SeededStore],
    headers: Mapping[str, Mapping[str, str]],  # per size: the signed-in admin's bearer header
) -> dict[str, Any]:
    clients, queries = {}, {}
    try:
        for size, server in servers.items():
            facts = stores[size].facts
            client = httpx.Client(base_url=server.url, timeout=30, headers=dict(headers[size]))
            clients[size] = client
            queries[size] = _checked_queries(client, facts, cursor_codec(server))
        timings: dict[tuple[str, str], list[float]] = {
            (size, name): [] for size in servers for name in queries[size]
        }
        for _ in range(ROUNDS):
            for size, client in clients.items():
                for name, path_of in queries[size].items():
                    _time(client, path_of, timings[size, name])
    finally:
        for client in clients.values():
            client.close()
    figures: dict[str, Any] = {size: {} for size in servers}
    for (size, name), samples in timings.items():
        cuts = statistics.quantiles(samples, n=100)
        figures[size][name] = {
            "p50_ms": round(cuts[49] * 1000, 2),
            "p90_ms": round(cuts[89] * 1000, 2),
            "p99_ms": round(cuts[98] * 1000, 2),
            "samples": len(samples),
        }
    small, large = figures["10k"], figures["1m"]
    return {
        "client": "httpx, one request at a time per server, keep-alive; the sizes alternate",
        "rounds": ROUNDS,
        "samples_per_round": SAMPLES,
        "by_size": figures,
        "ratio_p50_1m_over_10k": {
            name: round(large[name]["p50_ms"] / small[name]["p50_ms"], 2) for name in small
        },
        "goal_queries": list(GOAL_QUERIES),
        "queries": {
            "page1": "GET /assets?limit=20 (page mode: 20 rows and the total from counters)",
            "cursor_deep": "GET /assets?limit=20&cursor=<key of the item at 90% of the list>",
            "cursor_first": "GET /assets?limit=20&cursor= (the first page in cursor mode: no "
            "total); page mode stops at page x limit = 10,000, so it cannot reach 90% of 100k",
            "get": "GET /assets/{id}, cycling through the sample ids",
        },
    }


def _time(client: httpx.Client, path_of: PathOf, samples: list[float]) -> None:
    for number in range(WARMUP + SAMPLES):
        path = path_of(number)
        started = time.perf_counter()
        response = client.get(path)
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        if number >= WARMUP:
            samples.append(took)


def _checked_queries(
    client: httpx.Client, facts: Mapping[str, Any], codec: CursorCodec
) -> dict[str, PathOf]:
    """The queries, each checked once against what the seeder recorded."""
    handed_out = _json(client, f"/assets?limit={LIMIT}&cursor=")["meta"]["nextCursor"]
    codec.decode(handed_out, query=IDENTITY)  # raises unless the codec is the server's
    deep_cursor = quote(codec.encode((facts["deep_key"][0], facts["deep_key"][1]), query=IDENTITY))
    ids = facts["sample_ids"]
    queries: dict[str, PathOf] = {
        "page1": lambda _: f"/assets?limit={LIMIT}",
        "cursor_first": lambda _: f"/assets?limit={LIMIT}&cursor=",
        "cursor_deep": lambda _: f"/assets?limit={LIMIT}&cursor={deep_cursor}",
        "get": lambda number: f"/assets/{ids[number % len(ids)]}",
    }
    first = _json(client, queries["page1"](0))
    _expect(first["data"][0]["id"] == facts["newest_id"], "page 1 does not start with the newest")
    _expect(first["meta"]["total"] == facts["studio_live_assets"], "page 1's total is wrong")
    deep = _json(client, queries["cursor_deep"](0))["data"]
    _expect(deep[0]["id"] == facts["deep_first_id"], "the deep cursor page starts elsewhere")
    walked = _json(client, queries["cursor_first"](0))["data"]
    _expect(walked[0]["id"] == facts["newest_id"], "the first cursor page starts elsewhere")
    _expect(_json(client, queries["get"](0))["data"]["id"] == ids[0], "GET by id")
    return queries


def _json(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    response.raise_for_status()
    return response.json()


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(f"assets benchmark: {message}")
