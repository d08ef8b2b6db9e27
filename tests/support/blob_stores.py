"""Open each blob store the way the contract suite needs it: fresh, reachable over HTTP, closed.

- ``s3``: ``S3BlobStore`` on a fresh bucket of moto's S3 server (its own process, 127.0.0.1).
- ``local``: ``LocalBlobStore`` on a fresh folder; its URLs point at the app, so its two routes
  (``entrypoints/http/media/local_routes``) are served for the test by uvicorn on a real
  socket, in the test's own event loop, with the app's error mapping.

Each store says what it enforces, so one test can assert each store's way: see
``StoreUnderTest``. A new adapter (or a real S3) is one more branch in ``open_blob_store``.
"""

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from litestar import Litestar

from adapters.storage.local import LocalBlobStore
from adapters.storage.s3 import S3BlobStore
from application.media.ports import BlobStore
from entrypoints.http.errors import exception_handlers
from entrypoints.http.media.local_routes import local_media_routes
from tests.support.s3_server import (
    TEST_ACCESS_KEY_ID,
    TEST_REGION,
    TEST_SECRET_ACCESS_KEY,
    fresh_bucket,
)

BLOB_STORES = ["s3", "local"]
MIB = 1024 * 1024
# The smallest multipart setting real S3 accepts (5 MiB parts): tests stay valid on S3.
S3_PART_SIZE = 5 * MIB


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreUnderTest:
    kind: str
    store: BlobStore
    # Refuses, at the PUT, a body whose type or length differs from what was presigned.
    refuses_other_bodies: bool
    # Refuses a URL once its lifetime is over.
    refuses_expired_urls: bool
    # Uploads of this size or more are handed out as parts (None: always one PUT).
    multipart_threshold: int | None


@asynccontextmanager
async def open_blob_store(
    kind: str, tmp_path: Path, s3_endpoint: Callable[[], str]
) -> AsyncIterator[StoreUnderTest]:
    """A started store of ``kind``; ``s3_endpoint`` is called for ``s3`` only (lazy server)."""
    if kind == "s3":
        async with _s3(s3_endpoint()) as opened:
            yield opened
    elif kind == "local":
        async with _local(tmp_path) as opened:
            yield opened
    else:
        raise ValueError(f"no blob store called {kind!r}")


@asynccontextmanager
async def _s3(endpoint: str) -> AsyncIterator[StoreUnderTest]:
    async with fresh_bucket(endpoint) as bucket:
        store = S3BlobStore(
            bucket=bucket,
            endpoint_url=endpoint,
            region=TEST_REGION,
            access_key_id=TEST_ACCESS_KEY_ID,
            secret_access_key=TEST_SECRET_ACCESS_KEY,
            multipart_threshold=S3_PART_SIZE,
            part_size=S3_PART_SIZE,
        )
        await store.start()
        try:
            yield StoreUnderTest(
                kind="s3",
                store=store,
                # moto checks neither signatures nor expiry (tests/support/s3_server.py); S3
                # does both. Tests that depend on it carry ``moto_gap``.
                refuses_other_bodies=False,
                refuses_expired_urls=False,
                multipart_threshold=S3_PART_SIZE,
            )
        finally:
            await store.close()


@asynccontextmanager
async def _local(tmp_path: Path) -> AsyncIterator[StoreUnderTest]:
    # Bound before the store is made: the store's URLs must name the port that serves them.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    store = LocalBlobStore(
        tmp_path / "media", base_url=f"http://127.0.0.1:{port}", secret=secrets.token_bytes(32)
    )
    await store.start()
    async with _serving(store, sock):
        try:
            yield StoreUnderTest(
                kind="local",
                store=store,
                refuses_other_bodies=True,
                refuses_expired_urls=True,
                multipart_threshold=None,
            )
        finally:
            await store.close()


@asynccontextmanager
async def _serving(store: LocalBlobStore, sock: socket.socket) -> AsyncIterator[None]:
    app = Litestar(
        route_handlers=local_media_routes(store), exception_handlers=exception_handlers()
    )
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # raises what stopped it
                raise RuntimeError("the local media server stopped before it started")
            await asyncio.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        await serving
        sock.close()
