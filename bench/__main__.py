"""``python -m bench``: run every target (or those named), write the results, print a table."""

import argparse
import dataclasses
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report, runner
from bench.assets import ROUND_SECONDS, ROUND_WARMUP_SECONDS, ROUNDS, run_assets_bench
from bench.assets_report import table as assets_table
from bench.media import run_media_bench
from bench.persistence import run_persistence_bench
from bench.persistence_report import persistence_table
from bench.targets import TARGETS, Target
from bench.wrk import WrkOptions


def _parser() -> argparse.ArgumentParser:
    defaults = WrkOptions()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--duration",
        type=int,
        help=f"seconds per measurement (default {defaults.duration_s}; in the assets section "
        f"{ROUND_SECONDS} per round)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        help=f"seconds (default {defaults.warmup_s}; in the assets section "
        f"{ROUND_WARMUP_SECONDS} per round)",
    )
    parser.add_argument("--connections", type=int, default=defaults.connections)
    parser.add_argument("--threads", type=int, default=defaults.threads, help="wrk threads")
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="run the targets whose 'process name' contains TEXT (the floors always run)",
    )
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument(
        "--sections",
        default="http,persistence,media,assets",
        help="comma-separated: http (wrk against server processes), persistence (SQLite), "
        "media (a 200 MB upload to the local store: server memory), assets (issue 6's goals on "
        "1M seeded assets; writes assets-*.json and a chart)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="assets section only: serve the floor and the service by this many processes each "
        "(WORKERS; the service ships with WORKERS=1)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help="assets section only: load the floor, the list and the single GET in turn this "
        "many times; each ratio is the median round's",
    )
    parser.add_argument("--out", type=Path, default=report.RESULTS_DIR, help="results folder")
    return parser


def _chosen(only: Sequence[str] | None) -> list[Target]:
    if not only:
        return list(TARGETS)
    return [t for t in TARGETS if t.is_floor or any(text in t.key for text in only)]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    targets = _chosen(args.only)
    if args.list:
        width = max(len(target.key) for target in targets)
        for target in targets:
            print(f"{target.key:{width}}  {target.method} {target.path}  {target.description}")
        return 0
    defaults = WrkOptions()
    options = WrkOptions(
        duration_s=defaults.duration_s if args.duration is None else args.duration,
        warmup_s=defaults.warmup_s if args.warmup is None else args.warmup,
        connections=args.connections,
        threads=args.threads,
    )
    sections = {part.strip() for part in args.sections.split(",") if part.strip()}
    started = datetime.now(UTC)
    results: list[runner.TargetResult] = []
    outcomes: list[runner.ServerOutcome] = []
    if "http" in sections:
        with tempfile.TemporaryDirectory(prefix="studio-bridge-bench-") as workdir:
            results, outcomes = runner.run(targets, options, Path(workdir))
    data = report.to_json(results, outcomes, options, started)
    if "persistence" in sections:
        print("persistence: SQLite inserts and indexed lists at 10k and 1M rows ...", flush=True)
        data["persistence"] = run_persistence_bench()
    if "media" in sections:
        print("media: a 200 MB upload to the local store, server memory sampled ...", flush=True)
        data["media"] = run_media_bench()
    assets: dict[str, Any] = {}
    if "assets" in sections:
        print(
            "assets: /assets on 1M seeded assets against the floor; 1M against 10k ...", flush=True
        )
        per_round = dataclasses.replace(
            options,
            duration_s=ROUND_SECONDS if args.duration is None else args.duration,
            warmup_s=ROUND_WARMUP_SECONDS if args.warmup is None else args.warmup,
        )
        assets = run_assets_bench(
            per_round, args.out, started, workers=args.workers, rounds=args.rounds
        )
        data["assets"] = assets["assets"]
        data["problems"] += [f"assets: {problem}" for problem in assets["problems"]]
        data["warnings"] += [f"assets: {warning}" for warning in assets["warnings"]]
    # An assets-only run writes its own files only: latest.json keeps the last full run.
    paths = report.write(data, started, args.out) if sections - {"assets"} else []
    print()
    if "http" in sections:
        print(report.table(data))
        print()
    if "persistence" in sections:
        print(persistence_table(data["persistence"]))
        print()
    if "media" in sections:
        media = data["media"]
        print(
            f"local upload of {media['size_mb']} MB: {media['mb_per_s']} MB/s; server RSS "
            f"{media['rss_before_mb']} MB before, {media['rss_peak_mb']} MB peak during, "
            f"growth {media['rss_growth_mb']} MB"
        )
        print()
    if assets:
        print(assets_table(assets))
        print()
    for path in [*paths, *data.get("assets", {}).get("files", [])]:
        print(f"wrote {path}")
    for warning in data["warnings"]:
        print(f"WARNING: {warning}", file=sys.stderr)
    for problem in data["problems"]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if data["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
