"""The assets section's chart (PNG): throughput against the floor, and 10k against 1M latency.

matplotlib is imported inside the function, so nothing else in ``bench`` (nor the tests)
needs it loaded.
"""

from pathlib import Path
from typing import Any


def assets_chart(data: dict[str, Any], path: Path) -> None:
    """Left: the list's and the single GET's ratio to the floor (the median round; each round a
    dot), each goal a dashed line on its bar. Right: sequential p50 at 10k and 1M assets per
    query, the 1.5x limit on the 1M bar."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    from matplotlib import pyplot

    from bench.assets_report import GET_SHARE, LIST_SHARE, ZOU_REQUESTS_PER_S

    by_name = {target["name"]: target for target in data["targets"]}
    floor = by_name["floor"]["requests_per_s"]
    rounds = data["assets"].get("rounds") or []
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(12, 5), layout="constrained")

    # Left: each target's ratio to the floor (the goals are ratios), the median of the rounds
    # as the bar and every round as a dot, since one round can be far from the others here.
    names = ["assets-list", "asset-get"]
    labels = ["GET /assets?limit=20", "GET /assets/{id}"]
    ratios = [by_name[name]["ratio_to_floor"] for name in names]
    bars = left.bar(labels, ratios, color=["#3f7fbf", "#3fa36b"], width=0.5)
    for index, name in enumerate(names):
        dots = [one[name]["ratio_to_floor"] for one in rounds]
        left.scatter([index] * len(dots), dots, color="#333333", s=14, zorder=3)
    for bar, name in zip(bars, names, strict=True):
        target = by_name[name]
        zou = ""
        if name == "asset-get":
            factor = target["requests_per_s"] / ZOU_REQUESTS_PER_S
            zou = f"\n{factor:.1f}x Zou's {ZOU_REQUESTS_PER_S}"
        left.annotate(
            f"{target['ratio_to_floor']:.3f}x floor\n{target['requests_per_s']:,.0f} req/s, "
            f"p99 {target['p99_ms']:.1f} ms{zou}",
            (bar.get_x() + bar.get_width() / 2, 0.01),
            ha="center",
            va="bottom",
            fontsize=8,
            color="white",
        )
    for index, share in ((0, LIST_SHARE), (1, GET_SHARE)):
        bar = bars[index]
        x0, x1 = bar.get_x() - 0.05, bar.get_x() + bar.get_width() + 0.05
        left.hlines(share, x0, x1, colors="#c0392b", linestyles="dashed")
        left.annotate(f"goal {share:.2f}x", (x1, share), fontsize=7, color="#c0392b", va="center")
    left.set_ylabel("requests/s against the floor's")
    left.set_ylim(
        0, max([0.45, *ratios, *(r[n]["ratio_to_floor"] for r in rounds for n in names)]) * 1.15
    )
    rounds_text = f"median of {len(rounds)} rounds (dots)" if rounds else "one round"
    if data["assets"].get("server_processes", 1) > 1:
        rounds_text += f", WORKERS={data['assets']['server_processes']}"
    left.set_title(
        f"Against the floor ({floor:,.0f} req/s), {rounds_text}\n"
        "1M assets (100k in the studio), 64 connections",
        fontsize=10,
    )

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
