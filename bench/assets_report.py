"""The assets section's figures: issue 6's goals checked, the JSON files, a table, the chart."""

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import report, runner, wrk
from bench.assets_cache import SeededStore

ZOU_REQUESTS_PER_S = 400  # Zou's single GET, the figure issue 6 compares with
P99_LIMIT_MS = 50
LIST_SHARE, GET_SHARE, ZOU_FACTOR, GROWTH_LIMIT = 0.30, 0.40, 10, 1.5


def summary(
    results: list[runner.TargetResult],
    outcomes: list[runner.ServerOutcome],
    options: wrk.WrkOptions,
    started: datetime,
    stores: Mapping[str, SeededStore],
    latency: dict[str, Any],
    *,
    ratios: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The http section's JSON for these targets, plus ``assets``: the goals and the data.

    ``ratios``: a target's ratio to the floor by its name, when it was not measured against
    the one floor in ``results`` (the median of rounds, ``bench.assets``).
    """
    data = report.to_json(results, outcomes, options, started)
    by_name = {target["name"]: target for target in data["targets"]}
    for name, ratio in (ratios or {}).items():
        by_name[name]["ratio_to_floor"] = round(ratio, 4)
    goals = _goals(by_name["assets-list"], by_name["asset-get"], latency)
    data["assets"] = {
        "goals": goals,
        "all_goals_met": all(goal["met"] for goal in goals),
        "latency": latency,
        "stores": {
            size: {key: value for key, value in store.facts.items() if key != "sample_ids"}
            for size, store in stores.items()
        },
        "get_ids": len(stores["1m"].facts["sample_ids"]),
    }
    return data


def _goals(
    listing: dict[str, Any], single: dict[str, Any], latency: dict[str, Any]
) -> list[dict[str, Any]]:
    def goal(name: str, measured: float, limit: float, *, at_most: bool = False) -> dict[str, Any]:
        met = measured <= limit if at_most else measured >= limit
        return {"goal": name, "measured": round(measured, 3), "limit": limit, "met": met}

    ratios = latency["ratio_p50_1m_over_10k"]
    return [
        goal("list req/s / floor req/s >= 0.30", listing["ratio_to_floor"], LIST_SHARE),
        goal("list p99 ms < 50", listing["p99_ms"], P99_LIMIT_MS, at_most=True),
        goal("get req/s / floor req/s >= 0.40", single["ratio_to_floor"], GET_SHARE),
        goal("get p99 ms < 50", single["p99_ms"], P99_LIMIT_MS, at_most=True),
        goal(
            "get req/s / Zou's 400 >= 10",
            single["requests_per_s"] / ZOU_REQUESTS_PER_S,
            ZOU_FACTOR,
        ),
        goal("page 1 p50, 1M / 10k <= 1.5", ratios["page1"], GROWTH_LIMIT, at_most=True),
        goal("deep cursor p50, 1M / 10k <= 1.5", ratios["cursor_deep"], GROWTH_LIMIT, at_most=True),
    ]


def write(
    data: dict[str, Any], started: datetime, directory: Path, *, workers: int = 1
) -> list[str]:
    """``assets-<start>.json``, ``assets-latest.json`` and the chart ``assets-latest.png``
    (``assets-workers<N>-...`` for a run with N server processes each)."""
    directory.mkdir(parents=True, exist_ok=True)
    name = "assets" if workers == 1 else f"assets-workers{workers}"
    paths = [directory / f"{name}-{started:%Y%m%dT%H%M%SZ}.json", directory / f"{name}-latest.json"]
    chart = directory / f"{name}-latest.png"
    data["assets"]["chart"] = chart.name
    text = json.dumps(data, indent=2) + "\n"
    for path in paths:
        path.write_text(text, encoding="utf-8")
    from bench.chart import assets_chart  # matplotlib loads only here

    assets_chart(data, chart)
    return [str(path) for path in [*paths, chart]]


def table(data: dict[str, Any]) -> str:
    """Targets with their goals, then the 1M against 10k latencies."""
    rows: list[tuple[str, ...]] = [("target", "req/s", "p50 ms", "p99 ms", "x floor", "other CPU")]
    for target in data["targets"]:
        rows.append(
            (
                f"{target['process']} {target['name']} {target['path']}",
                f"{target['requests_per_s']:,.0f}",
                f"{target['p50_ms']:.2f}",
                f"{target['p99_ms']:.2f}",
                f"{target['ratio_to_floor']:.2f}",
                f"{target['other_cpu_cores']:.2f}",
            )
        )
    lines = _aligned(rows)
    latency = data["assets"]["latency"]
    lines += ["", "sequential p50 / p99 ms (one request at a time):"]
    rows = [("query", "10k assets", "1M assets", "p50 1M / 10k")]  # a new table
    for name, ratio in latency["ratio_p50_1m_over_10k"].items():
        small, large = latency["by_size"]["10k"][name], latency["by_size"]["1m"][name]
        rows.append(
            (
                name,
                f"{small['p50_ms']:.2f} / {small['p99_ms']:.2f}",
                f"{large['p50_ms']:.2f} / {large['p99_ms']:.2f}",
                f"{ratio:.2f}",
            )
        )
    lines += _aligned(rows)
    lines += ["", "goals:"]
    for goal in data["assets"]["goals"]:
        lines.append(
            f"  {'met' if goal['met'] else 'NOT met':8} {goal['goal']}: {goal['measured']}"
        )
    return "\n".join(lines)


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
