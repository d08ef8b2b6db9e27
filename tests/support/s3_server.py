"""moto's S3 server in its own process, reached over real HTTP.

``python -m tests.support.s3_server`` prints the server's endpoint URL on one line of standard
output, then serves until it is terminated (SIGTERM or SIGINT); ``MOTO_HOST`` and ``MOTO_PORT``
choose the address (127.0.0.1 and a free port by default). ``start_s3_server()`` runs that
process and returns its endpoint URL and a function that stops it; a session-scoped fixture
calls it once. The process it starts also exits when its standard input closes, so a test run
that dies without cleaning up leaves no server behind.

Why a separate process: moto's server is pure Python (werkzeug). Inside the test process it
would compete with the code under test for the GIL, and clients would never cross a real
socket: presigned URLs are then fetched with a plain HTTP client, exactly as a browser would.

What moto does not do that S3 does (checked against moto 5.2): it checks no signature of a
presigned URL and no expiry (``X-Amz-Expires``); it does enforce the 5 MiB minimum of every
multipart part but the last. The tests mark each gap with ``moto_gap``.
"""

import atexit
import contextlib
import functools
import logging
import os
import signal
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from tests.support.service_process import EXIT_WITH_STDIN, start_service_process

if TYPE_CHECKING:
    import aioboto3


# moto checks no credentials, but botocore signs nothing without some: any will do.
TEST_ACCESS_KEY_ID = "testing"
TEST_SECRET_ACCESS_KEY = "testing"
TEST_REGION = "us-east-1"


def start_s3_server() -> tuple[str, Callable[[], None]]:
    """Start the server process; return its endpoint URL and an idempotent ``stop()``."""
    return start_service_process(
        "tests.support.s3_server", expect_prefix="http://", name="moto's S3 server"
    )


_shared: tuple[str, Callable[[], None]] | None = None


def shared_s3_endpoint() -> str:
    """One server for the whole test process, started on first use, stopped at exit.

    Several suites (``tests/contract``, ``tests/storage``) each have a session fixture that
    calls this: they share the process instead of starting one each.
    """
    global _shared
    if _shared is None:
        _shared = start_s3_server()
        atexit.register(_shared[1])
    return _shared[0]


@functools.cache
def _admin_session() -> "aioboto3.Session":
    """One session for the helpers: loading botocore's service models costs ~0.3 s each time.

    A session holds no connection (clients do), so it is not bound to an event loop.
    """
    import aioboto3  # the test process only: the server process has no use for it

    return aioboto3.Session(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name=TEST_REGION,
    )


@asynccontextmanager
async def fresh_bucket(endpoint: str) -> AsyncIterator[str]:
    """A new, empty bucket for one test; emptied and removed after (moto keeps it in memory)."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    async with _admin_session().client("s3", endpoint_url=endpoint) as client:
        await client.create_bucket(Bucket=name)
        try:
            yield name
        finally:
            uploads = await client.list_multipart_uploads(Bucket=name)
            for upload in uploads.get("Uploads", []):
                await client.abort_multipart_upload(
                    Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                )
            listed = await client.list_objects_v2(Bucket=name)
            for item in listed.get("Contents", []):
                await client.delete_object(Bucket=name, Key=item["Key"])
            await client.delete_bucket(Bucket=name)


def _serve(host: str, port: int, *, exit_with_stdin: bool) -> None:
    # Imported here: only the server process needs moto (a dev dependency).
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request on standard error, which the parent shares: keep errors only.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    if exit_with_stdin:

        def stop_when_parent_goes() -> None:
            sys.stdin.read()  # the parent holds the other end of the pipe: EOF means it is gone
            stopping.set()

        threading.Thread(target=stop_when_parent_goes, daemon=True).start()
    # Port 0 lets the OS pick a free port at bind time: no race with another process.
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    try:
        bound_host, bound_port = server.get_host_and_port()
        print(f"http://{bound_host}:{bound_port}", flush=True)
        # Signal handlers run on the main thread between bytecodes: a timed wait gives them
        # a chance to run promptly however the platform treats a blocked lock acquire.
        while not stopping.wait(0.5):
            pass
    finally:
        server.stop()


def main() -> None:
    host = os.environ.get("MOTO_HOST", "127.0.0.1")
    port = int(os.environ.get("MOTO_PORT", "0"))
    with contextlib.suppress(KeyboardInterrupt):
        _serve(host, port, exit_with_stdin=EXIT_WITH_STDIN in sys.argv[1:])


if __name__ == "__main__":
    main()
