"""Test services (a MongoDB-compatible server, an S3 server) each in a process of its own.

The child prints its address on its first line of standard output, then serves until SIGTERM,
or until its standard input closes: the parent holds that pipe, so a test run that dies
without cleaning up leaves no server behind.
"""

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
EXIT_WITH_STDIN = "--exit-with-stdin"


def start_service_process(
    module: str, *, expect_prefix: str, name: str
) -> tuple[str, Callable[[], None]]:
    """Run ``python -m module``; return the address it prints and an idempotent ``stop()``."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, EXIT_WITH_STDIN],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    first_line: list[str] = []
    # readline() blocks; a reader thread lets the wait time out if the server never answers.
    reader = threading.Thread(
        target=lambda: first_line.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    address = first_line[0].strip() if first_line else ""

    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    if not address.startswith(expect_prefix):
        stop()
        raise RuntimeError(
            f"{name} did not start (exit code {process.returncode}, said {address!r})"
        )
    return address, stop
