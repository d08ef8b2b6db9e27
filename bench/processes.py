"""Start a server process on a free 127.0.0.1 port, wait until it answers, always stop it."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from bench.servers import ServerSpec
from entrypoints.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
# Far above what wrk can send in a minute: the limiter runs on every limited route, never trips.
RATE_LIMIT_PER_MINUTE = 100_000_000
BENCH_ADMIN_EMAIL = "bench-admin@demo.example.com"
BENCH_ADMIN_PASSWORD = "bench-admin-passphrase-0001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(port: int, data_dir: Path) -> dict[str, str]:
    """The process environment: none of the caller's app settings, the benchmark's instead."""
    settings_names = {field.name.upper() for field in msgspec.structs.fields(Settings)}
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in settings_names and not name.startswith(("OTEL_", "GRANIAN_", "ENV_FILE"))
    }
    pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(
        {
            "HOST": HOST,
            "PORT": str(port),
            "APP_ENV": "test",
            "DATA_DIR": str(data_dir),
            "ENV_FILE": "",  # with the working directory below, no .env file is read
            "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
            "AUTH_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
            # The demo studio's admin, so targets can sign in (bench/identity.py).
            "BOOTSTRAP_ADMIN_EMAIL": BENCH_ADMIN_EMAIL,
            "BOOTSTRAP_ADMIN_PASSWORD": BENCH_ADMIN_PASSWORD,
            "SHUTDOWN_DRAIN_SECONDS": "0",  # stop at once when the run is over
            "PYTHONPATH": os.pathsep.join(pythonpath),
        }
    )
    return env


@dataclass
class RunningServer:
    spec: ServerSpec
    url: str
    command: list[str]
    process: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    exit_code: int | None = field(default=None)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_line_count(self) -> int:
        with self.log_path.open("rb") as log:
            return sum(1 for _ in log)


def http_status(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10,
) -> int:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@contextmanager
def running(
    spec: ServerSpec, workdir: Path, *, startup_timeout: float = 30
) -> Iterator[RunningServer]:
    """Start ``spec`` with its standard output in a file; yield once ``ready_path`` gives 200."""
    port = free_port()
    home = workdir / spec.name.replace("/", "-")
    home.mkdir(parents=True)
    log_path = home / "stdout.log"
    data_dir = home / "data"
    command = spec.command(port)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=home,
            env={**server_env(port, data_dir), **spec.env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so granian's worker can be reaped
        )
    server = RunningServer(spec, f"http://{HOST}:{port}", command, process, log_path, data_dir)
    try:
        _wait_until_ready(server, startup_timeout)
        yield server
    finally:
        server.exit_code = stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM, wait; if it does not end in time, SIGKILL its whole process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def _wait_until_ready(server: RunningServer, timeout: float) -> None:
    url = server.url + server.spec.ready_path
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.spec.name} exited with {server.process.returncode}:\n" + server.log_tail()
            )
        try:
            if http_status(url, timeout=1) == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.spec.name} did not answer {url} in time:\n" + server.log_tail())


def machine_busy_cpu_seconds() -> float:
    """CPU time every processor spent busy since boot (``/proc/stat``), in seconds."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants (Linux ``/proc``), in seconds."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo += [child for child, parent in parents.items() if parent == current]
    return total
