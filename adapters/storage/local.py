"""``BlobStore`` on a local folder (the embedded default), with URLs the app itself serves.

``presign_upload`` and ``presign_download`` hand out ``{base_url}/media/upload?token=...`` and
``{base_url}/media/download?token=...``; the token (``local_tokens``) fixes what the URL may
do. The routes in ``entrypoints/http/media/local_routes.py`` call ``verify_upload`` /
``verify_download``, ``store_upload``, ``describe`` and ``read`` below.

Every filesystem call runs in a worker thread. No path leaves the root: keys are checked as
strings (``local_paths``) and resolved on disk. Uploads stream to a hidden ``.part`` file,
batched into ``WRITE_BATCH`` writes, and are published atomically, once per key
(``local_files``). A per-key lock orders publishing, describing and deleting inside the
process, so a reader never pairs a new file with an old sidecar.
"""

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from adapters.storage.local_files import (
    BlobChangedError,
    PartFile,
    StoredFile,
    check_writable,
    describe_file,
    open_same,
    remove,
    sweep_parts,
)
from adapters.storage.local_paths import blob_path
from adapters.storage.local_tokens import Grant, TokenSigner, expiry
from adapters.system.clock import SystemClock
from application.media.ports import (
    BlobInfo,
    CompletedPart,
    PresignedDownload,
    PresignedUpload,
)
from application.shared.ports import Clock
from domain.media.errors import UploadIncompleteError, UploadMismatchError

WRITE_BATCH = 1024 * 1024  # bytes gathered before one write: few thread hops, bounded memory
READ_CHUNK = 256 * 1024
# A part file this old belongs to no live upload, even in another process sharing the folder:
# upload URLs live an hour at most, and this leaves room for a slow upload begun at the end.
STALE_PART_SECONDS = 6 * 3600
_CONTENT_TYPE_LIMIT = 255


class LocalBlobStore:
    """Files under ``root``; URLs under ``base_url``, signed with ``secret`` (32+ bytes)."""

    def __init__(
        self, root: Path, *, base_url: str, secret: bytes, clock: Clock | None = None
    ) -> None:
        self._root = root.absolute()
        self._base_url = base_url.rstrip("/")
        self._signer = TokenSigner(secret)
        self._clock = clock or SystemClock()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self._root)!r}, base_url={self._base_url!r})"

    # -- BlobStore ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Create the root; remove what uploads cut short by a crash left (hidden ``.part``)."""
        await asyncio.to_thread(self._root.mkdir, parents=True, exist_ok=True)
        cutoff = time.time() - STALE_PART_SECONDS
        await asyncio.to_thread(sweep_parts, self._root, older_than=cutoff)

    async def close(self) -> None:
        """Nothing to release: every file is closed when its request ends."""

    async def presign_upload(
        self, *, key: str, content_type: str, size: int, at: datetime, expires_in: timedelta
    ) -> PresignedUpload:
        """Always one PUT of exactly ``size`` bytes of ``content_type`` (never multipart)."""
        blob_path(self._root, key)  # refuse a key that could not be stored, now
        if size < 0:
            raise ValueError("size must not be negative")
        if not (content_type.isascii() and content_type.isprintable()) or not (
            0 < len(content_type) <= _CONTENT_TYPE_LIMIT
        ):
            raise ValueError("content type must be printable ASCII, 1 to 255 characters")
        expires_at = at + expires_in
        grant = Grant(
            op="put", key=key, exp=expiry(expires_at), size=size, content_type=content_type
        )
        return PresignedUpload(
            url=f"{self._base_url}/media/upload?token={self._signer.sign(grant)}",
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=expires_at,
        )

    async def complete_multipart(
        self, *, key: str, multipart_id: str, parts: Sequence[CompletedPart]
    ) -> None:
        """``presign_upload`` never starts a multipart upload here, so none can be completed."""
        raise UploadIncompleteError("This store takes each file in one request, never in parts.")

    async def abort_multipart(self, *, key: str, multipart_id: str) -> None:
        """Nothing to abort: no multipart upload exists here (a failed PUT leaves nothing)."""

    async def presign_download(
        self,
        *,
        key: str,
        at: datetime,
        expires_in: timedelta,
        filename: str | None = None,
        disposition: Literal["inline", "attachment"] = "inline",
    ) -> PresignedDownload:
        blob_path(self._root, key)
        expires_at = at + expires_in
        grant = Grant(
            op="get",
            key=key,
            exp=expiry(expires_at),
            filename=filename[:255] if filename else None,
            disposition=disposition,
        )
        return PresignedDownload(
            url=f"{self._base_url}/media/download?token={self._signer.sign(grant)}",
            expires_at=expires_at,
        )

    async def stat(self, key: str) -> BlobInfo | None:
        found = await self.describe(key)
        if found is None:
            return None
        return BlobInfo(
            key=key, size=found.size, content_type=found.content_type, checksum=found.sha256
        )

    async def sha256(self, key: str) -> str | None:
        found = await self.describe(key)
        if found is None:
            return None
        if found.sha256 is not None:  # written by this store as the bytes came in
            return found.sha256
        fd = await asyncio.to_thread(open_same, found)  # the bytes described, or a refusal
        try:
            return await asyncio.to_thread(_digest, fd)
        finally:
            await asyncio.shield(asyncio.to_thread(os.close, fd))

    async def delete(self, key: str) -> None:
        path = blob_path(self._root, key)
        async with self._holding(key):
            await asyncio.to_thread(remove, self._root, path)

    async def ping(self) -> None:
        """Return when the root exists (created if missing) and a file can be written in it."""
        await asyncio.to_thread(check_writable, self._root)

    # -- what the local routes use -----------------------------------------------------------

    def verify_upload(self, token: str) -> Grant:
        return self._signer.verify(token, op="put", now=self._clock.now())

    def verify_download(self, token: str) -> Grant:
        return self._signer.verify(token, op="get", now=self._clock.now())

    async def store_upload(self, grant: Grant, chunks: AsyncIterable[bytes]) -> BlobInfo:
        """Write ``chunks`` to ``grant.key`` if they are exactly what the grant allows.

        Raises ``UploadMismatchError`` (and keeps nothing) when the body is not exactly
        ``grant.size`` bytes, ``ConflictError`` (code ``upload_exists``) when the key already
        holds other bytes. Cancellation and any error leave nothing behind either.
        """
        # Grants come from ``verify_upload``, which checks all three.
        assert grant.op == "put"
        assert grant.size is not None
        assert grant.content_type is not None
        path = blob_path(self._root, grant.key)
        part = await asyncio.to_thread(PartFile, self._root, path)
        try:
            batch = bytearray()
            async for chunk in chunks:
                if part.size + len(batch) + len(chunk) > grant.size:
                    raise UploadMismatchError("The body is longer than this link allows.")
                batch += chunk
                if len(batch) >= WRITE_BATCH:
                    await asyncio.to_thread(part.write, batch)
                    batch = bytearray()  # a fresh one: never touch a buffer a thread was given
            if batch:
                await asyncio.to_thread(part.write, batch)
            if part.size != grant.size:
                raise UploadMismatchError("The body is shorter than this link requires.")
            await asyncio.to_thread(part.seal, grant.content_type)
            async with self._holding(grant.key):
                await asyncio.to_thread(part.publish)
        finally:
            # Shielded: a cancelled request must still remove its partial file.
            await asyncio.shield(asyncio.to_thread(part.discard))
        return BlobInfo(
            key=grant.key, size=part.size, content_type=grant.content_type, checksum=part.sha256
        )

    async def describe(self, key: str) -> StoredFile | None:
        """The file at ``key`` with its validators (size, mtime, sha256), or None."""
        path = blob_path(self._root, key)
        async with self._holding(key):
            return await asyncio.to_thread(describe_file, self._root, path)

    async def read(self, stored: StoredFile, start: int, length: int) -> AsyncIterator[bytes]:
        """``length`` bytes from ``start``, in chunks; ``BlobChangedError`` if the file moved."""
        fd = await asyncio.to_thread(open_same, stored)
        try:
            offset, end = start, start + length
            while offset < end:
                chunk = await asyncio.to_thread(os.pread, fd, min(READ_CHUNK, end - offset), offset)
                if not chunk:
                    raise BlobChangedError(f"{stored.path} was truncated while being sent")
                offset += len(chunk)
                yield chunk
        finally:
            await asyncio.shield(asyncio.to_thread(os.close, fd))

    # -- helpers -----------------------------------------------------------------------------

    @asynccontextmanager
    async def _holding(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _digest(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, READ_CHUNK, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()
