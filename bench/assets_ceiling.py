"""How fast ``GET /assets/{id}`` could get without Litestar's handler layer: a diagnostic.

``python -m bench.assets_ceiling [--duration 10] [--rounds 2]`` measures, in one run on the
1M-asset file of ``make bench``: the floor, then the probe process of ``bench.probe_app``
alternating between the real route (``/assets/{id}``) and ``/_bench/raw-asset/{id}``, the
same work (token, use case, the same JSON body and ETag) as a bare ASGI route: Litestar's
routing, its exception layer and our edge still run; its kwargs, dependencies and
``Response`` do not, nor do the rate limiter and metrics. The ratio of the two says what that
layer costs under load; the raw route's ratio to the floor is a ceiling for this stack on one
process. Prints the figures; writes nothing.
"""

import argparse
import dataclasses
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import wrk
from bench.assets import ids_script, sign_in
from bench.assets_cache import seeded
from bench.assets_seed import SHAPES
from bench.processes import process_tree_cpu_seconds, running
from bench.servers import APP_UVICORN_PROBE, FLOOR_UVICORN

ROUTES = {"route": "/assets/", "raw": "/_bench/raw-asset/"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.assets_ceiling", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the two routes")
    args = parser.parse_args(argv)
    options = wrk.WrkOptions(duration_s=args.duration)
    store = seeded(SHAPES["1m"])
    with tempfile.TemporaryDirectory(prefix="studio-bridge-ceiling-") as folder:
        workdir = Path(folder)
        with running(FLOOR_UVICORN, workdir) as floor:
            wrk.run(floor.url + "/", options, duration_s=options.warmup_s)
            report, _ = wrk.run(floor.url + "/", options, duration_s=options.duration_s)
        floor_rps = report.requests_per_s
        print(f"floor                {floor_rps:>8,.0f} req/s")
        data_dir = workdir / "data"
        store.copy_to(data_dir)
        env = {**APP_UVICORN_PROBE.env, "DATA_DIR": str(data_dir)}
        with running(dataclasses.replace(APP_UVICORN_PROBE, env=env), workdir) as server:
            headers = sign_in(server.url, store.facts)
            ids = store.facts["sample_ids"]
            for _ in range(args.rounds):
                for name, prefix in ROUTES.items():
                    script = ids_script(workdir / f"{name}.lua", ids, prefix)
                    url = server.url + "/assets"  # the script sets each request's path
                    wrk.run(
                        url, options, duration_s=options.warmup_s, headers=headers, script=script
                    )
                    cpu, started = process_tree_cpu_seconds(server.process.pid), time.monotonic()
                    report, _ = wrk.run(
                        url, options, duration_s=options.duration_s, headers=headers, script=script
                    )
                    cores = (process_tree_cpu_seconds(server.process.pid) - cpu) / (
                        time.monotonic() - started
                    )
                    failed = report.non_2xx + report.errors
                    p50, p99 = report.latency_ms["50"], report.latency_ms["99"]
                    print(
                        f"{name:6} {prefix:20} {report.requests_per_s:>8,.0f} req/s "
                        f"= {report.requests_per_s / floor_rps:.3f}x floor, "
                        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, server {cores:.2f} cores"
                        + (f", {failed} FAILED" if failed else "")
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
