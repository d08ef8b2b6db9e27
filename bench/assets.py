"""``python -m bench --sections assets``: issue 6's goals for reading assets, measured in one run.

1. The floor (``bench/floor_app.py``) under the shipped uvicorn settings, as in the http section.
2. The service as shipped (``studio-bridge serve``, the common benchmark environment) on a copy
   of a seeded SQLite file with 1M assets, 100k of them in the benchmark studio: wrk loads
   ``GET /assets?limit=20`` and ``GET /assets/{id}`` (a Lua script cycles through 5,000 ids
   spread over the studio), signed in as the studio's admin.
3. ``bench.assets_latency``: a second server on a 10k-asset file beside the first, and a
   sequential client timing the first page and a deep cursor page on both.

The files come from ``bench.assets_cache`` (built once, then reused). Figures go to
``bench/results/assets-<start>.json`` and ``assets-latest.json``, the chart to
``assets-latest.png``; ``bench.assets_report`` says which goals were met.
"""

import dataclasses
import resource
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench import runner, wrk
from bench.assets_cache import SeededStore, seeded
from bench.assets_latency import compare_latency
from bench.assets_report import summary, write
from bench.assets_seed import SHAPES
from bench.processes import (
    BENCH_ADMIN_PASSWORD,
    RunningServer,
    http_status,
    machine_busy_cpu_seconds,
    process_tree_cpu_seconds,
    running,
)
from bench.servers import APP_UVICORN, ServerSpec, with_workers
from bench.targets import FLOOR, SetupContext, Target

LIST_PATH = "/assets?limit=20"


# Nine rounds of 3 s (1 s of warm-up) take the wall time three rounds of 10 s took, and keep
# each target seconds from its floor: the median of nine moved less than that of three (whose
# rounds of one run measured a single GET at 0.41, 0.26 and 0.28x the floor).
ROUNDS = 9
ROUND_SECONDS = 3
ROUND_WARMUP_SECONDS = 1


def run_assets_bench(
    options: wrk.WrkOptions,
    out: Path,
    started: datetime,
    *,
    progress: Callable[[str], None] = print,
    workers: int = 1,
    rounds: int = ROUNDS,
) -> dict[str, Any]:
    """Seed (or reuse) the files, measure, write the JSON and the chart; return the summary.

    The floor and the 1M service run side by side (the idle one costs nothing) and are loaded
    in turn, ``rounds`` times: floor, list, single GET, floor, ... Each target's ratio is the
    median of its per-round ratios to the floor of the same round, and the figures reported
    for it (req/s, latencies, CPU) are those of that median round. This machine's speed drifts
    by up to ~1.5x within a minute; a ratio of two figures taken seconds apart, in turn, is
    what stays put (one floor measured before the service started moved ratios by 1.5x).

    ``workers`` > 1 serves the floor and the service each by that many processes
    (``WORKERS``, ``entrypoints/workers.py``), written to ``assets-workers<N>-*`` files.
    """
    floor_target = dataclasses.replace(FLOOR, server=with_workers(FLOOR.server, workers))
    stores = {name: seeded(SHAPES[name], progress=progress) for name in ("1m", "10k")}
    outcomes: list[runner.ServerOutcome] = []
    with tempfile.TemporaryDirectory(prefix="studio-bridge-assets-bench-") as folder:
        workdir = Path(folder)
        copy_started = time.perf_counter()
        big, small = (app_on(stores[name], workdir, workers) for name in ("1m", "10k"))
        copy_seconds = time.perf_counter() - copy_started
        progress(f"  copied the files in {copy_seconds:.1f} s")
        progress(f"starting {floor_target.server.name} and {big.name}")
        with running(floor_target.server, workdir) as floor, running(big, workdir) as server:
            facts = stores["1m"].facts
            list_target, get_target = targets(big, facts)
            ids = facts["sample_ids"]
            measured: list[Round] = []
            for number in range(1, rounds + 1):
                progress(
                    f"  round {number}/{rounds}: GET {floor_target.path} (floor), GET "
                    f"{LIST_PATH}, GET /assets/{{id}} ({len(ids):,} ids): "
                    f"{options.duration_s}s each"
                )
                measured.append(
                    Round(
                        floor=runner.measure(floor, floor_target, options, workdir),
                        listing=runner.measure(server, list_target, options, workdir),
                        single=measure_ids(server, get_target, options, workdir, ids),
                    )
                )
            progress(f"starting {small.name}; sequential latency, 1M against 10k assets")
            with running(small, workdir) as other:
                both = {"1m": server, "10k": other}
                headers = {size: sign_in(both[size].url, stores[size].facts) for size in both}
                latency = compare_latency(both, stores, headers)
            outcomes.append(_outcome(other))
        outcomes += [_outcome(floor), _outcome(server)]
        results, ratios = median_rounds(measured)
    data = summary(results, outcomes, options, started, stores, latency, ratios=ratios)
    data["assets"]["rounds"] = [round_figures(one) for one in measured]
    data["assets"]["copy_seconds"] = round(copy_seconds, 1)
    data["assets"]["server_processes"] = workers
    data["assets"]["files"] = write(data, started, out, workers=workers)
    return data


@dataclasses.dataclass(frozen=True)
class Round:
    """One turn of the three loads, seconds apart."""

    floor: runner.TargetResult
    listing: runner.TargetResult
    single: runner.TargetResult

    def ratio(self, result: runner.TargetResult) -> float:
        return result.report.requests_per_s / self.floor.report.requests_per_s


def median_rounds(rounds: Sequence[Round]) -> tuple[list[runner.TargetResult], dict[str, float]]:
    """The median round of each target (by ratio; the floor by req/s) and the median ratios."""
    middle = (len(rounds) - 1) // 2  # the lower median for an even count: never flattering
    floor = sorted((one.floor for one in rounds), key=lambda r: r.report.requests_per_s)[middle]
    chosen, ratios = [floor], {}
    for field in ("listing", "single"):
        ranked = sorted(rounds, key=lambda one: one.ratio(getattr(one, field)))
        result: runner.TargetResult = getattr(ranked[middle], field)
        chosen.append(result)
        ratios[result.target.name] = ranked[middle].ratio(result)
    return chosen, ratios


def round_figures(one: Round) -> dict[str, Any]:
    """A round as the JSON keeps it: each target's req/s, p99 and ratio to this round's floor."""
    return {
        result.target.name: {
            "requests_per_s": round(result.report.requests_per_s, 1),
            "p99_ms": result.report.latency_ms.get("99"),
            "ratio_to_floor": round(one.ratio(result), 4),
        }
        for result in (one.floor, one.listing, one.single)
    }


def app_on(store: SeededStore, workdir: Path, workers: int = 1) -> ServerSpec:
    """The shipped service process (``APP_UVICORN``) on a fresh copy of ``store``'s file."""
    data_dir = workdir / f"data-{store.shape.name}"
    store.copy_to(data_dir)
    spec = with_workers(APP_UVICORN, workers)
    return dataclasses.replace(
        spec,
        name=f"{spec.name} {store.shape.name} assets",
        env={**spec.env, "DATA_DIR": str(data_dir)},  # replaces the empty DATA_DIR
    )


def sign_in(base_url: str, facts: Mapping[str, Any]) -> dict[str, str]:
    """The benchmark studio's admin: a bearer header (a fresh token; they last 15 minutes)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        response = client.post(
            "/auth/login",
            json={
                "email": facts["admin_email"],
                "password": BENCH_ADMIN_PASSWORD,
                "studio": facts["studio_slug"],
            },
        )
        response.raise_for_status()
        token = response.json()["data"]["accessToken"]
    return {"Authorization": f"Bearer {token}"}


def targets(server: ServerSpec, facts: Mapping[str, Any]) -> tuple[Target, Target]:
    def setup(context: SetupContext) -> Mapping[str, str]:
        return sign_in(context.base_url, facts)

    listing = Target(
        name="assets-list",
        server=server,
        path=LIST_PATH,
        description="Page 1 of the benchmark studio's 100k assets (of 1M), newest first, with "
        "its total from the trigger-kept counters; signed in as the studio's admin.",
        setup=setup,
    )
    single = Target(
        name="asset-get",
        server=server,
        path="/assets/{id}",
        description=f"One asset by id, cycling through {len(facts['sample_ids']):,} ids spread "
        "over the studio (a wrk Lua script); signed in as the studio's admin.",
        setup=setup,
    )
    return listing, single


def ids_script(path: Path, ids: Sequence[str], prefix: str = "/assets/") -> Path:
    """A wrk script asking for ``<prefix><id>``, cycling through ``ids``; each wrk thread starts
    at another place in the list."""
    listing = ",\n".join(f'"{asset_id}"' for asset_id in ids)
    path.write_text(
        f"ids = {{\n{listing}\n}}\n"
        "offset = 0\n"
        "counter = -1\n"
        "function setup(thread)\n"
        "  started = (started or 0) + 1\n"
        '  thread:set("offset", started * 997)\n'
        "end\n"
        "function request()\n"
        "  if counter < 0 then counter = offset end\n"
        "  counter = counter + 1\n"
        f'  return wrk.format(nil, "{prefix}" .. ids[(counter % #ids) + 1])\n'
        "end\n",
        encoding="utf-8",
    )
    return path


def measure_ids(
    server: RunningServer,
    target: Target,
    options: wrk.WrkOptions,
    workdir: Path,
    ids: Sequence[str],
) -> runner.TargetResult:
    """``runner.measure`` for a target whose path a script chooses per request."""
    assert target.setup is not None
    context = SetupContext(base_url=server.url, data_dir=server.data_dir, server=server.spec)
    headers = {**target.headers, **(target.setup(context) or {})}
    probe = http_status(f"{server.url}/assets/{ids[0]}", headers=headers)
    script = ids_script(workdir / "asset-ids.lua", ids)
    url = server.url + "/assets"  # the script replaces the path on every request
    if options.warmup_s > 0:
        wrk.run(url, options, duration_s=options.warmup_s, headers=headers, script=script)
    pid = server.process.pid
    busy, server_cpu = machine_busy_cpu_seconds(), process_tree_cpu_seconds(pid)
    wrk_cpu = _children_cpu_seconds()
    started = time.monotonic()
    report, _ = wrk.run(url, options, duration_s=options.duration_s, headers=headers, script=script)
    elapsed = time.monotonic() - started
    server_cpu = process_tree_cpu_seconds(pid) - server_cpu
    wrk_cpu = _children_cpu_seconds() - wrk_cpu
    other = machine_busy_cpu_seconds() - busy - server_cpu - wrk_cpu
    return runner.TargetResult(
        target=target,
        url=f"{server.url}/assets/{{id}}",
        probe_status=probe,
        report=report,
        server_cpu_cores=server_cpu / elapsed,
        wrk_cpu_cores=wrk_cpu / elapsed,
        other_cpu_cores=max(other, 0.0) / elapsed,
    )


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is this process's child
    return usage.ru_utime + usage.ru_stime


def _outcome(server: RunningServer) -> runner.ServerOutcome:
    return runner.ServerOutcome(
        spec=server.spec,
        command=server.command,
        exit_code=server.exit_code,
        stdout_lines=server.log_line_count(),
    )
