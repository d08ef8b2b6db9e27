"""``BlobStore`` on S3, or any S3-compatible store, through aioboto3.

Clients never send bytes through the app: they PUT to presigned URLs and GET from presigned
URLs. A presigned PUT signs ``Content-Type`` and ``Content-Length``, so S3 refuses a body of
another type or size; a multipart upload signs each part's exact length.

Clients are opened in ``start()`` and closed in ``close()``, never at import or in
``__init__``: aiobotocore's HTTP session belongs to the event loop that opened it.

Two clients when ``public_endpoint_url`` is set: the app talks to the store by an internal
name (``http://minio:9000``) while browsers reach it by a public one, and the host is part of
the SigV4 signature, so URLs for clients are signed by a client made for the public name.
Presigning is local computation: that client never opens a connection.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import aioboto3
from botocore.exceptions import BotoCoreError, ClientError

from adapters.storage import s3_multipart
from adapters.storage.s3_config import check_sizes, client_config
from adapters.storage.s3_rules import (
    MIB,
    content_disposition,
    error_code,
    is_missing_bucket,
    is_missing_object,
    part_sizes,
    url_lifetime,
)
from application.media.ports import BlobInfo, CompletedPart, PresignedDownload, PresignedUpload
from domain.media.errors import UploadIncompleteError

_HASH_CHUNK = 1024 * 1024

if TYPE_CHECKING:  # the stubs are a dev dependency: types only
    from aiobotocore.session import ClientCreatorContext
    from types_aiobotocore_s3 import S3Client


class S3UnavailableError(RuntimeError):
    """The store did not answer, or the bucket is missing or closed to these credentials."""


class S3BlobStore:
    """Objects in one bucket. ``await start()`` before use, ``await close()`` after."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        multipart_threshold: int = 64 * MIB,
        part_size: int = 16 * MIB,
        public_endpoint_url: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        if (access_key_id is None) != (secret_access_key is None):
            raise ValueError("give both the access key id and the secret access key, or neither")
        check_sizes(multipart_threshold=multipart_threshold, part_size=part_size)
        self.bucket = bucket
        self._endpoint_url = endpoint_url
        self._public_endpoint_url = public_endpoint_url
        self._multipart_threshold = multipart_threshold
        self._part_size = part_size
        self._ping_timeout = connect_timeout
        # Credentials left out fall back to botocore's chain (environment, instance role).
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._config = client_config(
            path_style=bool(endpoint_url or public_endpoint_url),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
        )
        self._clients: AsyncExitStack | None = None
        self._client: S3Client | None = None
        self._presigner: S3Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"S3BlobStore(bucket={self.bucket!r}, started={self._client is not None})"

    async def start(self) -> None:
        """Open the clients (no request is made: ``ping()`` checks the bucket). Idempotent."""
        if self._clients is not None:
            return
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(self._open_client(self._endpoint_url))
            presigner = client
            if self._public_endpoint_url is not None:
                presigner = await stack.enter_async_context(
                    self._open_client(self._public_endpoint_url)
                )
            # Keep the clients open past this block: close() unwinds the moved stack.
            self._clients = stack.pop_all()
        self._client, self._presigner = client, presigner
        self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        clients, self._clients = self._clients, None
        self._client = self._presigner = None
        if clients is not None:
            await clients.aclose()

    async def presign_upload(
        self, *, key: str, content_type: str, size: int, at: datetime, expires_in: timedelta
    ) -> PresignedUpload:
        client, presigner = self._require_client(), self._require_presigner()
        lifetime = url_lifetime(expires_in)
        # S3 counts the lifetime from the signing time (this machine's clock), not from ``at``.
        expires_at = at + timedelta(seconds=lifetime)
        if size < self._multipart_threshold:
            url = await presigner.generate_presigned_url(
                "put_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ContentType": content_type,
                    "ContentLength": size,
                },
                ExpiresIn=lifetime,
                HttpMethod="PUT",
            )
            headers = {"Content-Type": content_type, "Content-Length": str(size)}
            return PresignedUpload(url=url, method="PUT", headers=headers, expires_at=expires_at)
        upload_id, parts = await s3_multipart.create(
            client,
            presigner,
            bucket=self.bucket,
            key=key,
            content_type=content_type,
            sizes=part_sizes(size, self._part_size),
            lifetime=lifetime,
        )
        # No headers: the type was fixed when the upload was created, each part's length is
        # signed in its URL (and any HTTP client sends Content-Length by itself).
        return PresignedUpload(
            url=None,
            method="PUT",
            headers={},
            expires_at=expires_at,
            multipart_id=upload_id,
            parts=parts,
        )

    async def complete_multipart(
        self, *, key: str, multipart_id: str, parts: Sequence[CompletedPart]
    ) -> None:
        assembled = await s3_multipart.complete(
            self._require_client(), bucket=self.bucket, key=key, upload_id=multipart_id, parts=parts
        )
        # S3 forgets an upload once completed: a retry after a lost answer finds the object
        # (only this upload's URLs could write to this key); an aborted one finds nothing.
        if not assembled and await self.stat(key) is None:
            raise UploadIncompleteError("This multipart upload no longer exists.")

    async def abort_multipart(self, *, key: str, multipart_id: str) -> None:
        """Drop the parts sent so far; an upload already gone (aborted, completed) is fine."""
        await s3_multipart.abort(
            self._require_client(), bucket=self.bucket, key=key, upload_id=multipart_id
        )

    async def presign_download(
        self,
        *,
        key: str,
        at: datetime,
        expires_in: timedelta,
        filename: str | None = None,
        disposition: Literal["inline", "attachment"] = "inline",
    ) -> PresignedDownload:
        presigner = self._require_presigner()
        lifetime = url_lifetime(expires_in)
        params = {"Bucket": self.bucket, "Key": key}
        header = content_disposition(disposition, filename)
        if header is not None:
            # S3 sends this back as the response's Content-Disposition; it is signed too.
            params["ResponseContentDisposition"] = header
        url = await presigner.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=lifetime, HttpMethod="GET"
        )
        return PresignedDownload(url=url, expires_at=at + timedelta(seconds=lifetime))

    async def stat(self, key: str) -> BlobInfo | None:
        client = self._require_client()
        try:
            head = await client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if is_missing_object(exc):
                return None
            raise
        etag = head.get("ETag")
        return BlobInfo(
            key=key,
            size=head["ContentLength"],
            # S3 stores "binary/octet-stream" when a PUT named no type; never missing there.
            content_type=head.get("ContentType", ""),
            checksum=etag.strip('"') if etag else None,
        )

    async def sha256(self, key: str) -> str | None:
        """Read the object through once (streamed, constant memory) and hash it: S3's ETag is
        not a SHA-256, and a checksum the client declared is only as honest as the client."""
        client = self._require_client()
        try:
            found = await client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if is_missing_object(exc):
                return None
            raise
        digest = hashlib.sha256()
        stream = found["Body"]
        async with stream:  # gives the connection back however the loop ends
            while chunk := await stream.read(_HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    async def delete(self, key: str) -> None:
        # S3 answers 204 for an absent key too: nothing to tell apart.
        await self._require_client().delete_object(Bucket=self.bucket, Key=key)

    async def ping(self) -> None:
        """Return when the bucket answers; ``S3UnavailableError`` (within the connect timeout)
        when the store is unreachable or the bucket is missing or refused."""
        client = self._require_client()
        try:
            async with asyncio.timeout(self._ping_timeout):
                await client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if is_missing_bucket(exc):
                raise S3UnavailableError(f"the bucket {self.bucket!r} does not exist") from exc
            raise S3UnavailableError(
                f"the bucket {self.bucket!r} refused the request ({error_code(exc)})"
            ) from exc
        except TimeoutError as exc:
            raise S3UnavailableError(
                f"the S3 store did not answer within {self._ping_timeout} s"
            ) from exc
        except (BotoCoreError, OSError) as exc:
            # botocore's messages name the endpoint and the cause, never the credentials.
            raise S3UnavailableError(f"the S3 store did not answer: {exc}") from exc

    def _open_client(self, endpoint_url: str | None) -> "ClientCreatorContext[S3Client]":
        return self._session.client("s3", endpoint_url=endpoint_url, config=self._config)

    def _require_client(self) -> "S3Client":
        if self._client is None:
            raise RuntimeError("S3BlobStore is not started: await start() first")
        if self._loop is not asyncio.get_running_loop():
            # aiohttp would fail later and obscurely: the clients belong to start()'s loop.
            raise RuntimeError("S3BlobStore was started on another event loop")
        return self._client

    def _require_presigner(self) -> "S3Client":
        self._require_client()
        assert self._presigner is not None
        return self._presigner
