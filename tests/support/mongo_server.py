"""A MongoDB-compatible test server (mongoeco's wire server) in its own process.

``python -m tests.support.mongo_server`` prints the server's URI on one line of standard output,
then serves until it is terminated (SIGTERM or SIGINT); ``MONGOECO_HOST`` and ``MONGOECO_PORT``
choose the address (127.0.0.1 and a free port by default). ``start_mongo_server()`` runs that
process and returns its URI and a function that stops it; a session-scoped fixture calls it once.
The process it starts also exits when its standard input closes, so a test run that dies
without cleaning up leaves no server behind.

Why a separate process: the server is pure Python. Inside the test process it would compete
with the code under test for the GIL and the event loop, and an in-process server cannot show
what a real network hop does (a closed port, a dropped connection, loop-bound clients).

The server keeps everything in memory (mongoeco's ``MemoryEngine``). Its inserts slow down as a
collection grows (DESIGN section 7): use a fresh database per test and keep data small.
"""

import asyncio
import contextlib
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
_EXIT_WITH_STDIN = "--exit-with-stdin"


def start_mongo_server() -> tuple[str, Callable[[], None]]:
    """Start the server process; return its URI and an idempotent ``stop()``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.mongo_server", _EXIT_WITH_STDIN],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first_line: list[str] = []
    # readline() blocks; a reader thread lets the wait time out if the server never answers.
    reader = threading.Thread(
        target=lambda: first_line.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    uri = first_line[0].strip() if first_line else ""

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

    if not uri.startswith("mongodb://"):
        stop()
        raise RuntimeError(
            f"the mongoeco server did not start (exit code {process.returncode}, said {uri!r})"
        )
    return uri, stop


async def _serve(host: str, port: int, *, exit_with_stdin: bool) -> None:
    # Imported here: only the server process needs mongoeco (a dev dependency).
    from mongoeco.engines.memory import MemoryEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    if exit_with_stdin:
        # The parent holds the other end of the pipe: EOF means it is gone.
        threading.Thread(
            target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stopping.set)),
            daemon=True,
        ).start()
    async with AsyncMongoEcoProxyServer(engine=MemoryEngine(), host=host, port=port) as server:
        print(server.address.uri, flush=True)
        await stopping.wait()


def main() -> None:
    host = os.environ.get("MONGOECO_HOST", "127.0.0.1")
    port = int(os.environ.get("MONGOECO_PORT", "0"))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(host, port, exit_with_stdin=_EXIT_WITH_STDIN in sys.argv[1:]))


if __name__ == "__main__":
    main()
