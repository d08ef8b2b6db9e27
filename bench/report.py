"""Turn a run into JSON (``bench/results/``) and a readable table."""

import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench import wrk
from bench.processes import RATE_LIMIT_PER_MINUTE, ROOT
from bench.runner import ServerOutcome, TargetResult

RESULTS_DIR = Path(__file__).resolve().parent / "results"
_PACKAGES = ("litestar", "msgspec", "uvicorn", "uvloop", "httptools", "granian")


def _floor_rps(results: list[TargetResult], server: str) -> float | None:
    for result in results:
        if result.target.is_floor and result.target.server.server == server:
            return result.report.requests_per_s
    return None


def _ratio(value: float, floor: float | None) -> float | None:
    return round(value / floor, 3) if floor else None


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def source() -> dict[str, Any]:
    """The commit measured, and whether the working tree had uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain"))}


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def problems(results: list[TargetResult], outcomes: list[ServerOutcome]) -> list[str]:
    """What makes a figure untrustworthy: wrong status, unexpected errors, an unclean exit."""
    found = []
    for result in results:
        target, report = result.target, result.report
        if result.probe_status != target.expect_status:
            found.append(
                f"{target.key}: answered {result.probe_status}, expected {target.expect_status}"
            )
        if target.expect_status < 400 and report.non_2xx:
            found.append(f"{target.key}: {report.non_2xx} responses with status >= 400")
        if report.errors:
            found.append(f"{target.key}: socket errors {report.socket_errors}")
    for outcome in outcomes:
        if outcome.exit_code != 0:
            found.append(f"{outcome.spec.name}: exit status {outcome.exit_code} after SIGTERM")
    return found


# Other processes busier than this during a measurement make its figures suspect.
NOISE_CORES = 0.25


def warnings(results: list[TargetResult]) -> list[str]:
    """Noise: the machine was not quiet while a target was measured."""
    return [
        f"{result.target.key}: other processes used {result.other_cpu_cores:.2f} CPU cores "
        "during the measurement (noisy; rerun when the machine is quiet)"
        for result in results
        if result.other_cpu_cores > NOISE_CORES
    ]


def to_json(
    results: list[TargetResult],
    outcomes: list[ServerOutcome],
    options: wrk.WrkOptions,
    started: datetime,
) -> dict[str, Any]:
    floors = {server: _floor_rps(results, server) for server in ("uvicorn", "granian")}
    uvicorn_floor = floors["uvicorn"]
    targets = []
    for result in results:
        target, report = result.target, result.report
        targets.append(
            {
                "name": target.name,
                "server": target.server.server,
                "app": target.server.app,
                "process": target.server.name,
                "method": target.method,
                "path": target.path,
                "url": result.url,
                "description": target.description,
                "background": result.background or None,
                "expect_status": target.expect_status,
                "probe_status": result.probe_status,
                "requests": report.requests,
                "duration_s": round(report.duration_s, 3),
                "requests_per_s": report.requests_per_s,
                "p50_ms": report.latency_ms.get("50"),
                "p75_ms": report.latency_ms.get("75"),
                "p90_ms": report.latency_ms.get("90"),
                "p99_ms": report.latency_ms.get("99"),
                "non_2xx": report.non_2xx,
                "non_2xx_expected": target.expect_status >= 400,
                "errors": report.errors,
                "socket_errors": report.socket_errors,
                "ratio_to_floor": _ratio(report.requests_per_s, uvicorn_floor),
                "ratio_to_same_server_floor": _ratio(
                    report.requests_per_s, floors[target.server.server]
                ),
                "server_cpu_cores": round(result.server_cpu_cores, 2),
                "wrk_cpu_cores": round(result.wrk_cpu_cores, 2),
                "other_cpu_cores": round(result.other_cpu_cores, 2),
            }
        )
    return {
        "started_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "source": source(),
        "machine": machine(),
        "versions": {
            "python": sys.version.split()[0],
            "wrk": wrk.version(),
            **{name: _package_version(name) for name in _PACKAGES},
        },
        "load": {
            "tool": "wrk",
            "host": "127.0.0.1",
            "connections": options.connections,
            "threads": options.threads,
            "warmup_s": options.warmup_s,
            "duration_s": options.duration_s,
            "timeout_s": options.timeout_s,
        },
        "app_environment": {
            "APP_ENV": "test",
            "RATE_LIMIT_PER_MINUTE": RATE_LIMIT_PER_MINUTE,
            "SHUTDOWN_DRAIN_SECONDS": 0,
            "LOG_LEVEL": "INFO (default): one JSON access line per request, stdout to a file",
            "DATA_DIR": "a fresh temporary directory per process",
        },
        "floor_requests_per_s": floors,
        "granian_floor_to_uvicorn_floor": (
            _ratio(floors["granian"], uvicorn_floor) if floors["granian"] else None
        ),
        "ratio_to_floor_means": "target requests/s divided by the uvicorn floor's requests/s",
        "targets": targets,
        "servers": [
            {
                "name": outcome.spec.name,
                "server": outcome.spec.server,
                "app": outcome.spec.app,
                "command": [
                    Path(arg).name if arg == sys.executable else arg for arg in outcome.command
                ],
                "extra_env": dict(outcome.spec.env),
                "exit_code": outcome.exit_code,
                "stdout_lines": outcome.stdout_lines,
            }
            for outcome in outcomes
        ],
        "problems": problems(results, outcomes),
        "warnings": warnings(results),
    }


def write(data: dict[str, Any], started: datetime, directory: Path = RESULTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2) + "\n"
    paths = [directory / f"{started:%Y%m%dT%H%M%SZ}.json", directory / "latest.json"]
    for path in paths:
        path.write_text(text, encoding="utf-8")
    return paths


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


Column = tuple[str, str, Callable[[dict[str, Any]], str]]  # header, alignment, cell


def table(data: dict[str, Any]) -> str:
    columns: list[Column] = [
        ("process", "<", lambda t: t["process"]),
        ("target", "<", lambda t: t["name"]),
        ("path", "<", lambda t: t["path"]),
        ("req/s", ">", lambda t: _num(t["requests_per_s"], 0)),
        ("p50 ms", ">", lambda t: _num(t["p50_ms"])),
        ("p99 ms", ">", lambda t: _num(t["p99_ms"])),
        (
            "non-2xx",
            ">",
            lambda t: f"{t['non_2xx']}{' (expected)' if t['non_2xx_expected'] else ''}",
        ),
        ("errors", ">", lambda t: str(t["errors"])),
        ("x floor", ">", lambda t: _num(t["ratio_to_floor"])),
        ("server CPU", ">", lambda t: _num(t["server_cpu_cores"])),
        ("wrk CPU", ">", lambda t: _num(t["wrk_cpu_cores"])),
        ("other CPU", ">", lambda t: _num(t["other_cpu_cores"])),
    ]
    rows = [[str(header) for header, _, _ in columns]]
    rows += [[cell(target) for _, _, cell in columns] for target in data["targets"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            f"{cell:{align}{width}}"
            for cell, (_, align, _), width in zip(row, columns, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    load = data["load"]
    lines += [
        "",
        f"x floor = req/s / uvicorn floor req/s; granian floor / uvicorn floor = "
        f"{_num(data['granian_floor_to_uvicorn_floor'])}. CPU = cores busy during the "
        f"{load['duration_s']}s load ({data['machine']['cpus']} CPUs, shared by wrk, the "
        "server and anything else running: 'other').",
    ]
    return "\n".join(lines)
