"""Time the app in process: ASGI calls straight into ``create_app``, no HTTP, no server.

    .venv/bin/python -m bench.inprocess                       # the default paths
    .venv/bin/python -m bench.inprocess /health /studio --requests 5000
    .venv/bin/python -m bench.inprocess '/assets/{asset}' '/assets?limit=20'  # 50 assets seeded
    .venv/bin/python -m bench.inprocess '/assets/{asset}' '/_bench/raw-asset/{asset}'  # ceiling

Far steadier than wrk on a shared 2-core machine (DESIGN section 7), and the way to see what
one change buys. The app is built as ``studio-bridge serve`` builds it (the benchmark's
settings, JSON access lines written to a file, the real container) with the probe routes of
``bench.probe_app``; every request carries the demo admin's token. Per path: the median and
the best of five rounds, in wall time and in CPU time of the whole process (threads included),
per request; the bare floor app is timed the same way first.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.telemetry.logging import configure_logging
from bench.probe_app import WHOAMI_PATH, raw_asset, whoami
from bench.processes import BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD, RATE_LIMIT_PER_MINUTE
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings

DEFAULT_PATHS = ("/health", WHOAMI_PATH, "/auth/me", "/studio", "/users?limit=20")
ROUNDS = 5

Headers = list[tuple[bytes, bytes]]


async def call(app: Any, method: str, path: str, headers: Headers, body: bytes = b"") -> Any:
    """One request through the ASGI app; its status and body."""
    path_only, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path_only,
        "raw_path": path_only.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[Any] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def time_path(app: Any, path: str, headers: Headers, requests: int) -> dict[str, Any]:
    for _ in range(min(500, requests)):  # warm-up: caches, lazily opened connections
        status, _ = await call(app, "GET", path, headers)
    per_round = max(1, requests // ROUNDS)
    wall, cpu = [], []
    for _ in range(ROUNDS):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(per_round):
            await call(app, "GET", path, headers)
        wall.append((time.perf_counter() - started) / per_round * 1e6)
        cpu.append((time.process_time() - cpu_started) / per_round * 1e6)
    wall.sort()
    cpu.sort()
    return {
        "path": path,
        "status": status,
        "wall_us_median": round(wall[ROUNDS // 2], 1),
        "wall_us_best": round(wall[0], 1),
        "cpu_us_median": round(cpu[ROUNDS // 2], 1),
        "cpu_us_best": round(cpu[0], 1),
    }


async def run(paths: Sequence[str], requests: int) -> list[dict[str, Any]]:
    from bench.floor_app import app as floor

    async with floor.lifespan():
        results = [{**await time_path(floor, "/", [], requests), "path": "floor /"}]
    data_dir = Path(tempfile.mkdtemp(prefix="studio-bridge-inprocess-"))
    settings = load_settings(
        {
            "APP_ENV": "test",
            "DATA_DIR": str(data_dir),
            "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
            "AUTH_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
            "BOOTSTRAP_ADMIN_EMAIL": BENCH_ADMIN_EMAIL,
            "BOOTSTRAP_ADMIN_PASSWORD": BENCH_ADMIN_PASSWORD,
        },
        env_file=None,
    )
    with (data_dir / "stdout.log").open("w") as log:
        configure_logging(settings.log_level, stream=log)
        app = create_app(bootstrap(settings), extra_routes=[whoami, raw_asset])
        async with app.lifespan():
            credentials = json.dumps({"email": BENCH_ADMIN_EMAIL, "password": BENCH_ADMIN_PASSWORD})
            json_body = [(b"content-type", b"application/json")]
            status, body = await call(app, "POST", "/auth/login", json_body, credentials.encode())
            if status != 200:
                raise RuntimeError(f"sign-in failed: {status} {body[:200]!r}")
            token = json.loads(body)["data"]["accessToken"]
            headers = [(b"authorization", f"Bearer {token}".encode())]
            wants_asset = any("{asset}" in path for path in paths)
            asset_id = await _seed_assets(app, headers) if wants_asset else ""
            for path in paths:
                timed = await time_path(app, path.replace("{asset}", asset_id), headers, requests)
                results.append({**timed, "path": path})
    return results


async def _seed_assets(app: Any, headers: Headers, count: int = 50) -> str:
    """Create ``count`` assets (so lists have a page to fill); the id of the last one."""
    json_headers = [*headers, (b"content-type", b"application/json")]
    body = b""
    for number in range(count):
        asset = {"name": f"bench asset {number}", "type": "prop", "tags": ["bench"]}
        status, body = await call(app, "POST", "/assets", json_headers, json.dumps(asset).encode())
        if status != 201:
            raise RuntimeError(f"creating an asset failed: {status} {body[:200]!r}")
    return str(json.loads(body)["data"]["id"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--requests", type=int, default=5000, help="per path, over 5 rounds")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.paths, args.requests))  # the loop the server runs on
    floor = results[0]["cpu_us_median"]
    print(f"{'path':24} {'status':>6} {'wall us':>9} {'cpu us':>8} {'best':>8} {'x floor cpu':>11}")
    for row in results:
        print(
            f"{row['path']:24} {row['status']:>6} {row['wall_us_median']:>9} "
            f"{row['cpu_us_median']:>8} {row['cpu_us_best']:>8} "
            f"{row['cpu_us_median'] / floor:>11.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
