"""Where a served asset read spends its time: py-spy on the real server under wrk's load.

``python -m bench.assets_profile [--seconds 8] [--connections 64] [--rate 200]`` starts the
shipped service (``studio-bridge serve``) on a copy of the 1M-asset file, signs in, and for
``GET /assets?limit=20`` and ``GET /assets/{id}`` runs wrk while ``py-spy record --format raw
--threads --gil`` samples the process. Only samples of a thread holding the GIL count: the
serial Python work that bounds a one-process server (SQLite's own C code runs on the reader
threads with the GIL released and is not in these shares).

Each sample goes to one layer: walking from the innermost frame outwards, the first frame that
belongs to a layer of ``LAYERS`` decides, so a middleware is charged only for its own work,
not for what runs inside it. Writes ``bench/results/assets-profile-latest.json`` (shares and
the top innermost functions) and prints them; ``--keep`` also keeps py-spy's raw files there.
Needs py-spy (``.tools/bin/py-spy`` or on PATH).
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import wrk
from bench.assets import app_on, ids_script, sign_in
from bench.assets_cache import seeded
from bench.assets_seed import SHAPES
from bench.processes import ROOT, RunningServer, running
from bench.report import RESULTS_DIR

# (layer, markers): a frame belongs to the layer when its text ("function (file)") holds one of
# the markers. Checked in this order for each frame, innermost frame first.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("logging", ("logging/", "adapters/telemetry/logging")),
    ("JWT verification", ("adapters/security/jwt", "joserfc/", "cryptography/")),
    (
        "thread hop (run_in_executor, futures)",
        ("concurrent/futures", "asyncio/futures", "run_in_executor"),
    ),
    ("row -> Asset (asset_from_row)", ("asset_from_row",)),
    ("SQL on a reader (sqlite3, fetch_page)", ("sqlite/listing.py", "_fetch_one (adapters")),
    (
        "response: AssetOut + JSON",
        ("assets/schemas.py", "msgspec", "litestar/serialization", "litestar/response"),
    ),
    (
        "asset use case + repository",
        (
            "application/assets/",
            "sqlite/assets.py",
            "sqlite/channels.py",
            "sqlite/persistence.py",
            "sqlite/connections.py",
        ),
    ),
    (
        "authentication (actor, user load)",
        ("entrypoints/http/auth.py", "application/identity/authenticate", "sqlite/users.py"),
    ),
    (
        "asset routes (query parsing, cursor)",
        ("entrypoints/http/assets/", "entrypoints/http/listing.py", "domain/shared/paging.py"),
    ),
    ("Litestar kwargs + DI", ("litestar/_kwargs", "litestar/di", "dependency_injector")),
    ("rate limiter", ("rate_limit",)),
    ("metrics middleware", ("metrics", "prometheus")),
    (
        "Litestar route + handler plumbing",
        (
            "litestar/routes",
            "litestar/handlers",
            "litestar/_asgi",
            "litestar/middleware",
            "litestar/connection",
            "litestar/datastructures",
        ),
    ),
    ("request edge (request id, headers, envelope)", ("entrypoints/http/",)),
    ("uvicorn + httptools + event loop", ("uvicorn/", "httptools", "uvloop", "asyncio/")),
]


_LINE = re.compile(r":\d+\)$")


def layer_of(frames: Sequence[str]) -> str:
    for frame in reversed(frames):
        for layer, markers in LAYERS:
            if any(marker in frame for marker in markers):
                return layer
    return "other"


def summarise(raw: str) -> dict[str, Any]:
    """Shares of samples per thread, per layer, and the functions most often innermost."""
    threads: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        thread, _, rest = stack.partition(";")
        name = thread.split(": ", 1)[-1]
        kind = "event loop (MainThread)" if name == "MainThread" else name.rstrip("_0123456789")
        frames = rest.split(";")
        total += count
        threads[kind] += count
        layers[layer_of(frames)] += count
        leaves[_LINE.sub(")", frames[-1])] += count

    def shares(counter: Counter[str], top: int | None = None) -> dict[str, float]:
        return {key: round(100 * value / total, 1) for key, value in counter.most_common(top)}

    return {
        "samples": total,
        "threads_pct": shares(threads),
        "layers_pct": shares(layers),
        "top_innermost_pct": shares(leaves, 15),
    }


def py_spy() -> str:
    found = shutil.which("py-spy") or str(ROOT / ".tools/bin/py-spy")
    if not Path(found).is_file():
        raise SystemExit("py-spy not found: .tools/bin/pip install py-spy")
    return found


def profile(args: argparse.Namespace) -> dict[str, Any]:
    store = seeded(SHAPES["1m"])
    figures: dict[str, Any] = {"rate_hz": args.rate, "connections": args.connections}
    with tempfile.TemporaryDirectory(prefix="studio-bridge-assets-profile-") as folder:
        workdir = Path(folder)
        with running(app_on(store, workdir), workdir) as server:
            ids = ids_script(workdir / "ids.lua", store.facts["sample_ids"])
            loads = {"list": ("/assets?limit=20", None), "get": ("/assets", ids)}
            for name, (path, script) in loads.items():
                print(f"profiling {name} for {args.seconds}s ...", flush=True)
                headers = sign_in(server.url, store.facts)
                raw_path = workdir / f"{name}.raw"
                rate = _sampled(server, server.url + path, script, headers, args, raw_path)
                raw = raw_path.read_text()
                figures[name] = {"requests_per_s_while_sampled": rate, **summarise(raw)}
                if args.keep:
                    shutil.copyfile(raw_path, args.out / f"assets-profile-{name}.raw")
    return figures


def _sampled(
    server: RunningServer,
    url: str,
    script: Path | None,
    headers: dict[str, str],
    args: argparse.Namespace,
    raw_path: Path,
) -> float:
    """wrk's requests/s over a load that py-spy samples (after a warm-up of its own)."""
    options = wrk.WrkOptions(connections=args.connections)
    wrk.run(url, options, duration_s=2, headers=headers, script=script)
    with ThreadPoolExecutor(max_workers=1) as pool:
        load = pool.submit(
            wrk.run, url, options, duration_s=args.seconds + 3, headers=headers, script=script
        )
        time.sleep(1.5)  # sample the middle of the load, not its ramp
        subprocess.run(
            [
                py_spy(),
                "record",
                f"--rate={args.rate}",
                f"--duration={args.seconds}",
                "--format=raw",
                "--threads",
                "--gil",  # only samples holding the GIL: the serial work that bounds req/s
                f"--pid={server.process.pid}",
                f"--output={raw_path}",
            ],
            check=True,
            capture_output=True,
        )
        report, _ = load.result()
    return report.requests_per_s


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.assets_profile", description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="sampled seconds per load")
    parser.add_argument("--rate", type=int, default=200, help="samples per second")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--keep", action="store_true", help="keep py-spy's raw files")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    figures = profile(args)
    path = args.out / "assets-profile-latest.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    for name in ("list", "get"):
        run = figures[name]
        print(
            f"\n{name}: {run['requests_per_s_while_sampled']:,.0f} req/s while sampled, "
            f"{run['samples']:,} samples"
        )
        for title in ("threads_pct", "layers_pct", "top_innermost_pct"):
            print(f"  {title}:")
            for key, share in run[title].items():
                print(f"    {share:5.1f}%  {key}")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
