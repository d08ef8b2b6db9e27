"""Start the real ``studio-bridge serve`` process on a free port and talk to it over HTTP."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A running server: its base URL, its process, and its captured standard output."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path  # standard output: the JSON log lines, and nothing else
    stderr_path: Path  # standard error: what is shown once to an operator
    exit_code: int | None = field(default=None)

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, **kwargs)

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def stderr_lines(self) -> list[str]:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def output(self) -> str:
        """Both streams, for failure messages."""
        return "\n".join([*self.log_lines(), "--- stderr ---", *self.stderr_lines()])

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.exit_code = self.process.wait(timeout=timeout)
        return self.exit_code


def server_env(tmp_path: Path, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "APP_"))}
    env.update(
        {
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATA_DIR": str(tmp_path / "var"),
            "APP_ENV": "test",
            "ENV_FILE": "",
            "SHUTDOWN_DRAIN_SECONDS": "0.5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


@contextmanager
def running_server(
    tmp_path: Path,
    env: Mapping[str, str] | None = None,
    *,
    faulty: bool = False,
    startup_timeout: float = 30,
) -> Iterator[ServerProcess]:
    """Start ``studio-bridge serve``; yield once ``/health`` answers; stop it with SIGTERM.

    ``faulty=True`` serves the same app with two probe routes (see ``tests/support/faulty_app``).
    """
    command = (
        ["-m", "tests.support.faulty_app"] if faulty else ["-m", "entrypoints.cli.main", "serve"]
    )
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    stderr_path = tmp_path / f"server-{port}.stderr"
    with log_path.open("wb") as log, stderr_path.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=tmp_path,
            env={**server_env(tmp_path, port, env), "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=errors,
        )
    server = ServerProcess(
        url=f"http://127.0.0.1:{port}",
        process=process,
        log_path=log_path,
        stderr_path=stderr_path,
    )
    try:
        _wait_until_up(server, startup_timeout)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"server exited with {server.process.returncode}:\n" + server.output()
            )
        try:
            if httpx.get(server.url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not answer /health in time:\n" + server.output())
