"""Run wrk against one URL and read its report (requests/s, latency percentiles, errors)."""

import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([\d.]+)(us|ms|s|m|h)"
_SUMMARY = re.compile(r"^\s*(\d+) requests in " + _TIME + ",", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+" + _TIME + r"\s*$", re.M)
_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)", re.M)


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkOptions:
    duration_s: int = 10
    warmup_s: int = 2
    connections: int = 64
    threads: int = 2
    timeout_s: int = 5


@dataclass(frozen=True)
class WrkReport:
    requests: int
    duration_s: float
    requests_per_s: float
    latency_ms: dict[str, float]  # percentile ("50", "75", "90", "99") -> milliseconds
    non_2xx: int  # wrk counts every status >= 400 here
    socket_errors: dict[str, int]  # connect, read, write, timeout

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values())


def _ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS_MS[unit]


def parse(output: str) -> WrkReport:
    """Read wrk's text report (run with ``--latency``)."""
    summary = _SUMMARY.search(output)
    rate = _RATE.search(output)
    if summary is None or rate is None:
        raise WrkError(f"cannot read wrk's report:\n{output}")
    percentiles = {m.group(1): _ms(m.group(2), m.group(3)) for m in _PERCENTILE.finditer(output)}
    sockets = _SOCKET_ERRORS.search(output)
    socket_errors = dict.fromkeys(("connect", "read", "write", "timeout"), 0)
    if sockets is not None:
        socket_errors = dict(zip(socket_errors, map(int, sockets.groups()), strict=True))
    non_2xx = _NON_2XX.search(output)
    return WrkReport(
        requests=int(summary.group(1)),
        duration_s=_ms(summary.group(2), summary.group(3)) / 1000,
        requests_per_s=float(rate.group(1)),
        latency_ms=percentiles,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
    )


def lua_script(path: Path, *, method: str, body_file: Path | None) -> Path:
    """A wrk script setting the request method and body (the body is read from a file)."""
    lines = [f"wrk.method = [==[{method}]==]"]
    if body_file is not None:
        lines += [
            f"local f = assert(io.open([==[{body_file}]==], 'rb'))",
            "wrk.body = f:read('*a')",
            "f:close()",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def version() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "missing"
    # `wrk -v` prints its version then the usage, and exits 1.
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0].strip()


def run(
    url: str,
    options: WrkOptions,
    *,
    duration_s: int,
    headers: Mapping[str, str] | None = None,
    script: Path | None = None,
) -> tuple[WrkReport, str]:
    """Load ``url`` for ``duration_s`` seconds; return the report and wrk's own text."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkError("wrk is not installed: run `python tools/system_deps.py bench`")
    argv = [
        wrk,
        f"--threads={options.threads}",
        f"--connections={options.connections}",
        f"--duration={duration_s}s",
        f"--timeout={options.timeout_s}s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        argv += ["--header", f"{name}: {value}"]
    if script is not None:
        argv += ["--script", str(script)]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return parse(done.stdout), done.stdout
