"""One benchmark run: start each server once, load each of its targets with wrk, stop it."""

import contextlib
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk
from bench.processes import (
    RunningServer,
    http_status,
    machine_busy_cpu_seconds,
    process_tree_cpu_seconds,
    running,
)
from bench.servers import ServerSpec
from bench.targets import SetupContext, Target


@dataclass(frozen=True)
class TargetResult:
    target: Target
    url: str
    probe_status: int  # one request before the warm-up
    report: wrk.WrkReport
    server_cpu_cores: float  # CPU seconds the server's processes used per second of load
    wrk_cpu_cores: float  # the same for wrk, which shares the machine
    other_cpu_cores: float  # everything else on the machine meanwhile: noise
    background: dict[str, Any] = field(default_factory=dict)  # figures of a background load


@dataclass(frozen=True)
class ServerOutcome:
    spec: ServerSpec
    command: list[str]
    exit_code: int | None
    stdout_lines: int  # the service logs one JSON line per request


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    server: RunningServer, target: Target, options: wrk.WrkOptions, workdir: Path
) -> TargetResult:
    headers = dict(target.headers)
    context = SetupContext(base_url=server.url, data_dir=server.data_dir, server=server.spec)
    if target.setup is not None:
        headers.update(target.setup(context) or {})
    url = server.url + target.path
    probe = http_status(url, method=target.method, headers=headers, body=target.body)
    script = None
    if target.method != "GET" or target.body is not None:
        body_file = None
        if target.body is not None:
            body_file = workdir / f"{id(target)}.body"
            body_file.write_bytes(target.body)
        script = wrk.lua_script(
            workdir / f"{id(target)}.lua", method=target.method, body_file=body_file
        )
    background: dict[str, Any] = {}
    with target.background(context, background) if target.background else contextlib.nullcontext():
        return _measure(server, target, options, url, probe, headers, script, background)


def _measure(
    server: RunningServer,
    target: Target,
    options: wrk.WrkOptions,
    url: str,
    probe: int,
    headers: dict[str, str],
    script: Path | None,
    background: dict[str, Any],
) -> TargetResult:
    if options.warmup_s > 0:
        wrk.run(url, options, duration_s=options.warmup_s, headers=headers, script=script)
    pid = server.process.pid
    busy, server_cpu, wrk_cpu = (
        machine_busy_cpu_seconds(),
        process_tree_cpu_seconds(pid),
        _children_cpu_seconds(),
    )
    started = time.monotonic()
    report, _ = wrk.run(url, options, duration_s=options.duration_s, headers=headers, script=script)
    elapsed = time.monotonic() - started
    server_cpu = process_tree_cpu_seconds(pid) - server_cpu
    wrk_cpu = _children_cpu_seconds() - wrk_cpu
    other = machine_busy_cpu_seconds() - busy - server_cpu - wrk_cpu
    return TargetResult(
        target=target,
        url=url,
        probe_status=probe,
        report=report,
        server_cpu_cores=server_cpu / elapsed,
        wrk_cpu_cores=wrk_cpu / elapsed,
        other_cpu_cores=max(other, 0.0) / elapsed,
        background=background,
    )


def run(
    targets: list[Target],
    options: wrk.WrkOptions,
    workdir: Path,
    *,
    progress: Callable[[str], None] = print,
) -> tuple[list[TargetResult], list[ServerOutcome]]:
    """Measure ``targets`` in order, grouped by server (each server process starts once)."""
    specs: list[ServerSpec] = []
    for target in targets:
        if target.server not in specs:
            specs.append(target.server)
    results: list[TargetResult] = []
    outcomes: list[ServerOutcome] = []
    for spec in specs:
        progress(f"starting {spec.name}")
        with running(spec, workdir) as server:
            for target in (t for t in targets if t.server == spec):
                progress(f"  {target.method} {target.path}: {options.duration_s}s")
                results.append(measure(server, target, options, workdir))
        outcomes.append(
            ServerOutcome(
                spec=spec,
                command=server.command,
                exit_code=server.exit_code,
                stdout_lines=server.log_line_count(),
            )
        )
    return results, outcomes
