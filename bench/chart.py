"""The assets section's chart (PNG): throughput against the floor, and 10k against 1M latency.

matplotlib is imported inside the function, so nothing else in ``bench`` (nor the tests)
needs it loaded.
"""

from pathlib import Path
from typing import Any


def assets_chart(data: dict[str, Any], path: Path) -> None:
    """Left: req/s of the floor, the list and the single GET, each goal a dashed line on its
    bar. Right: sequential p50 at 10k and 1M assets per query, the 1.5x limit on the 1M bar."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    from matplotlib import pyplot

    by_name = {target["name"]: target for target in data["targets"]}
    floor = by_name["floor"]["requests_per_s"]
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(12, 5), layout="constrained")

    names = ["floor", "assets-list", "asset-get"]
    labels = ["floor GET /", "GET /assets?limit=20", "GET /assets/{id}"]
    values = [by_name[name]["requests_per_s"] for name in names]
    bars = left.bar(labels, values, color=["#9e9e9e", "#3f7fbf", "#3fa36b"])
    for bar, name in zip(bars, names, strict=True):
        target = by_name[name]
        left.annotate(
            f"{target['requests_per_s']:,.0f} req/s\n{target['ratio_to_floor']:.2f}x floor\n"
            f"p99 {target['p99_ms']:.1f} ms",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    goals = [(1, 0.30 * floor, "30% of floor"), (2, 0.40 * floor, "40% of floor")]
    goals.append((2, 4_000, "10x Zou (4,000)"))
    for index, value, text in goals:
        bar = bars[index]
        x0, x1 = bar.get_x() - 0.05, bar.get_x() + bar.get_width() + 0.05
        left.hlines(value, x0, x1, colors="#c0392b", linestyles="dashed")
        left.annotate(text, (x0, value), fontsize=7, color="#c0392b", va="bottom")
    left.set_ylabel("requests/s (wrk, 64 connections)")
    left.set_ylim(0, max(values) * 1.3)
    left.set_title("Throughput against the floor (1M assets, 100k in the studio)", fontsize=10)

    latency = data["assets"]["latency"]
    queries = list(latency["ratio_p50_1m_over_10k"])
    small = [latency["by_size"]["10k"][name]["p50_ms"] for name in queries]
    large = [latency["by_size"]["1m"][name]["p50_ms"] for name in queries]
    width = 0.38
    xs = range(len(queries))
    right.bar([x - width / 2 for x in xs], small, width, label="10k assets", color="#a6c8e6")
    right.bar([x + width / 2 for x in xs], large, width, label="1M assets", color="#2c5d8f")
    for x, name, low, high in zip(xs, queries, small, large, strict=True):
        if name in latency["goal_queries"]:
            limit = 1.5 * low
            right.hlines(limit, x, x + width, colors="#c0392b", linestyles="dashed")
            right.annotate("1.5x 10k", (x + width, limit), fontsize=7, color="#c0392b")
        right.annotate(
            f"{high / low:.2f}x", (x + width / 2, high), ha="center", va="bottom", fontsize=8
        )
    right.set_xticks(list(xs), queries)
    right.set_ylabel("p50 ms (one request at a time)")
    right.set_title("Latency at 1M against 10k assets", fontsize=10)
    right.legend(fontsize=8)
    figure.suptitle(f"Studio Bridge assets benchmark, {data['started_at']}", fontsize=11)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
