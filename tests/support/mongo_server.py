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

One fix is applied to the server: a transaction whose commit fails (mongoeco finds write
conflicts at commit) is aborted, as MongoDB aborts it. mongoeco 4.11 leaves it open instead,
and since pymongo reuses the session id for its next operations (pooled sessions), those then
ran inside the dead transaction: a retried write read its stale snapshot and failed at commit
again, forever, and a plain read saw the dead transaction's writes.
"""

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from tests.support.service_process import EXIT_WITH_STDIN, start_service_process


def start_mongo_server() -> tuple[str, Callable[[], None]]:
    """Start the server process; return its URI and an idempotent ``stop()``."""
    return start_service_process(
        "tests.support.mongo_server", expect_prefix="mongodb://", name="the mongoeco server"
    )


def _abort_failed_commits() -> None:
    """Make a failed ``commitTransaction`` leave no transaction open (see the module's doc)."""
    from mongoeco.wire.sessions import WireSessionStore

    commit = WireSessionStore.commit_transaction

    def commit_or_abort(self: WireSessionStore, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return commit(self, body)
        except Exception:
            session = self._require_session(body)
            if session.transaction_active:
                session.abort_transaction()
            raise

    # A patch of mongoeco's wire server, the test double (see the module's doc): mypy refuses any
    # assignment to a method, which is what a patch is.
    WireSessionStore.commit_transaction = commit_or_abort  # type: ignore[method-assign]


async def _serve(host: str, port: int, *, exit_with_stdin: bool) -> None:
    # Imported here: only the server process needs mongoeco (a dev dependency).
    from mongoeco.engines.memory import MemoryEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    _abort_failed_commits()

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
        asyncio.run(_serve(host, port, exit_with_stdin=EXIT_WITH_STDIN in sys.argv[1:]))


if __name__ == "__main__":
    main()
