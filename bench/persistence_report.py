"""The persistence section's figures as a readable table."""

from typing import Any


def persistence_table(figures: dict[str, Any]) -> str:
    inserts = figures["inserts"]
    lines = [
        f"SQLite {figures['sqlite']} (synchronous={figures['synchronous']}), one file",
        f"  committed inserts through the adapter: {inserts['per_s']:,.0f}/s "
        f"({inserts['count']:,} inserts, one unit of work each)",
        "  list one studio's users (p50 / p99, microseconds; 'direct' = same SQL, no adapter):",
        f"  {'query':<12} {'10k rows':>22} {'1M rows':>22} {'1M / 10k':>9}",
    ]
    small, large = figures["lists_at_10000_rows"], figures["lists_at_1000000_rows"]
    for query, ratio in figures["ratio_p50_1m_over_10k"].items():
        row = (_cell(small[query]), _cell(large[query]))
        lines.append(f"  {query:<12} {row[0]:>22} {row[1]:>22} {ratio:>9.2f}")
    return "\n".join(lines)


def _cell(run: dict[str, Any]) -> str:
    return f"{run['p50_us']:.0f} / {run['p99_us']:.0f} ({run['direct_p50_us']:.0f})"
