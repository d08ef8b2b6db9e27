"""The S3 adapter's own behaviour, against moto's S3 server over real HTTP.

What every blob store must do is in ``tests/contract/test_blob_stores.py``; here is what only
S3 has: the bucket check, the public endpoint, what the URLs sign, multipart plans and aborts,
and the clients' life cycle. moto checks no presigned signature, so ``tests.storage.sigv4``
recomputes it as S3 would.
"""

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from adapters.storage.s3 import S3BlobStore, S3UnavailableError
from adapters.storage.s3_rules import MAX_URL_SECONDS, MIB
from application.media.ports import CompletedPart, PresignedUpload
from domain.media.errors import UploadIncompleteError
from tests.storage.conftest import S3StoreFactory
from tests.storage.sigv4 import read_presigned, signature_matches
from tests.support.s3_server import TEST_SECRET_ACCESS_KEY
from tests.support.server import free_port

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

pytestmark = [pytest.mark.anyio, pytest.mark.server]

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
FIFTEEN_MINUTES = timedelta(minutes=15)
KEY = "studios/s1/video/u1/clip.mp4"


def signed_for(url: str, headers: dict[str, str], **options: Any) -> bool:
    return signature_matches(
        url, method="PUT", headers=headers, secret_access_key=TEST_SECRET_ACCESS_KEY, **options
    )


async def send(upload: PresignedUpload, body: bytes) -> httpx.Response:
    assert upload.url is not None
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.request(upload.method, upload.url, headers=upload.headers, content=body)


async def send_parts(upload: PresignedUpload, body: bytes) -> list[CompletedPart]:
    done, offset = [], 0
    async with httpx.AsyncClient(timeout=30) as http:
        for part in upload.parts:
            response = await http.request(
                upload.method,
                part.url,
                headers=upload.headers,
                content=body[offset : offset + part.size],
            )
            assert response.status_code == 200, response.text
            done.append(CompletedPart(number=part.number, etag=response.headers["ETag"]))
            offset += part.size
    return done


# The bucket check -----------------------------------------------------------------------------


async def test_ping_answers_for_an_existing_bucket(s3_store: S3BlobStore) -> None:
    await s3_store.ping()


async def test_ping_names_a_missing_bucket(make_s3_store: S3StoreFactory) -> None:
    store = make_s3_store(bucket="no-such-bucket-here")
    await store.start()
    with pytest.raises(S3UnavailableError, match="'no-such-bucket-here' does not exist"):
        await store.ping()


async def test_ping_fails_clearly_when_the_store_is_unreachable(
    make_s3_store: S3StoreFactory,
) -> None:
    # Nothing listens there; one attempt keeps the test short (the default retries).
    store = make_s3_store(endpoint_url=f"http://127.0.0.1:{free_port()}", max_attempts=1)
    await store.start()
    with pytest.raises(S3UnavailableError, match="did not answer"):
        await store.ping()


# What the URLs sign ---------------------------------------------------------------------------


async def test_a_single_upload_signs_its_type_and_length(s3_store: S3BlobStore) -> None:
    upload = await s3_store.presign_upload(
        key=KEY, content_type="video/mp4", size=1234, at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.url is not None
    assert upload.method == "PUT"
    assert upload.multipart_id is None
    assert upload.parts == ()
    assert dict(upload.headers) == {"Content-Type": "video/mp4", "Content-Length": "1234"}
    assert set(read_presigned(upload.url).signed_headers) == {
        "content-length",
        "content-type",
        "host",
    }
    # What S3 checks (moto does not): the returned headers pass, any other type or length not.
    headers = dict(upload.headers)
    assert signed_for(upload.url, headers)
    assert not signed_for(upload.url, {**headers, "Content-Type": "text/html"})
    assert not signed_for(upload.url, {**headers, "Content-Length": "1235"})
    assert not signed_for(upload.url, {"Content-Length": "1234"})


async def test_urls_live_as_long_as_asked_within_seven_days(s3_store: S3BlobStore) -> None:
    upload = await s3_store.presign_upload(
        key=KEY, content_type="video/mp4", size=10, at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.url is not None
    assert read_presigned(upload.url).lifetime == FIFTEEN_MINUTES
    assert upload.expires_at == AT + FIFTEEN_MINUTES

    download = await s3_store.presign_download(key=KEY, at=AT, expires_in=timedelta(days=30))
    assert read_presigned(download.url).lifetime == timedelta(seconds=MAX_URL_SECONDS)
    assert download.expires_at == AT + timedelta(days=7)


async def test_urls_are_signed_for_the_public_endpoint_when_one_is_set(
    make_s3_store: S3StoreFactory, s3_endpoint: str
) -> None:
    # The same server under another name, as a browser would reach it.
    public = s3_endpoint.replace("127.0.0.1", "localhost")
    store = make_s3_store(public_endpoint_url=public)
    await store.start()
    upload = await store.presign_upload(
        key=KEY, content_type="text/plain", size=5, at=AT, expires_in=FIFTEEN_MINUTES
    )
    download = await store.presign_download(key=KEY, at=AT, expires_in=FIFTEEN_MINUTES)
    assert upload.url is not None
    public_host = public.removeprefix("http://")
    assert read_presigned(upload.url).host == public_host
    assert read_presigned(download.url).host == public_host
    headers = dict(upload.headers)
    assert signed_for(upload.url, headers)
    # The host is signed: the same URL sent to the internal name would be refused by S3.
    assert not signed_for(upload.url, headers, host=s3_endpoint.removeprefix("http://"))

    assert (await send(upload, b"hello")).status_code == 200
    info = await store.stat(KEY)  # the app itself still talks to the internal endpoint
    assert info is not None
    assert info.size == 5


async def test_without_a_public_endpoint_urls_name_the_endpoint(
    s3_store: S3BlobStore, s3_endpoint: str
) -> None:
    download = await s3_store.presign_download(key=KEY, at=AT, expires_in=FIFTEEN_MINUTES)
    assert download.url.startswith(f"{s3_endpoint}/{s3_store.bucket}/studios/s1/")


# Multipart ------------------------------------------------------------------------------------


async def test_at_the_threshold_the_upload_is_split_into_exact_parts(
    make_s3_store: S3StoreFactory, raw_s3: "S3Client"
) -> None:
    store = make_s3_store(multipart_threshold=6 * MIB, part_size=5 * MIB)
    await store.start()
    below = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=6 * MIB - 1, at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert below.url is not None
    assert below.multipart_id is None

    upload = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=12 * MIB + 3, at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.url is None
    assert upload.multipart_id is not None
    assert upload.expires_at == AT + FIFTEEN_MINUTES
    assert [(part.number, part.size) for part in upload.parts] == [
        (1, 5 * MIB),
        (2, 5 * MIB),
        (3, 2 * MIB + 3),
    ]
    for part in upload.parts:
        assert f"partNumber={part.number}" in part.url
        assert set(read_presigned(part.url).signed_headers) == {"content-length", "host"}
        # Each part URL takes exactly its own length.
        assert signed_for(part.url, {"Content-Length": str(part.size)})
        assert not signed_for(part.url, {"Content-Length": str(part.size + 1)})
    # The type is fixed once, when the upload is created.
    listed = await raw_s3.list_multipart_uploads(Bucket=store.bucket)
    assert [item["UploadId"] for item in listed["Uploads"]] == [upload.multipart_id]


async def test_a_part_missing_in_the_middle_is_refused_before_s3_makes_a_short_file(
    make_s3_store: S3StoreFactory,
) -> None:
    store = make_s3_store(multipart_threshold=5 * MIB, part_size=5 * MIB)
    await store.start()
    body = b"m" * (10 * MIB + 7)
    upload = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=len(body), at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.multipart_id is not None
    first, _, third = await send_parts(upload, body)
    # S3 itself would assemble parts 1 and 3 into a 5 MiB + 7 byte file.
    with pytest.raises(UploadIncompleteError):
        await store.complete_multipart(
            key=KEY, multipart_id=upload.multipart_id, parts=[first, third]
        )
    with pytest.raises(UploadIncompleteError):
        await store.complete_multipart(key=KEY, multipart_id=upload.multipart_id, parts=[])
    with pytest.raises(UploadIncompleteError):  # a part number given twice
        await store.complete_multipart(
            key=KEY, multipart_id=upload.multipart_id, parts=[first, first]
        )
    assert await store.stat(KEY) is None


async def test_a_part_that_was_not_sent_as_named_is_refused(
    make_s3_store: S3StoreFactory,
) -> None:
    store = make_s3_store(multipart_threshold=5 * MIB, part_size=5 * MIB)
    await store.start()
    body = b"e" * (5 * MIB + 1)
    upload = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=len(body), at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.multipart_id is not None
    first, second = await send_parts(upload, body)
    forged = CompletedPart(number=2, etag='"0123456789abcdef0123456789abcdef"')
    with pytest.raises(UploadIncompleteError):
        await store.complete_multipart(
            key=KEY, multipart_id=upload.multipart_id, parts=[first, forged]
        )
    # Still open: the right ETags complete it, and completing twice is harmless (a retry).
    for _ in range(2):
        await store.complete_multipart(
            key=KEY, multipart_id=upload.multipart_id, parts=[second, first]
        )
    info = await store.stat(KEY)
    assert info is not None
    assert info.size == len(body)


async def test_a_non_last_part_under_five_mib_is_refused(make_s3_store: S3StoreFactory) -> None:
    # Only a client that ignores the part sizes it was given gets here; S3 and moto agree.
    store = make_s3_store(multipart_threshold=5 * MIB, part_size=5 * MIB)
    await store.start()
    upload = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=5 * MIB + 1, at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.multipart_id is not None
    done = []
    async with httpx.AsyncClient(timeout=30) as http:
        for part in upload.parts:
            response = await http.put(part.url, content=b"x" * 100)
            done.append(CompletedPart(number=part.number, etag=response.headers["ETag"]))
    with pytest.raises(UploadIncompleteError):
        await store.complete_multipart(key=KEY, multipart_id=upload.multipart_id, parts=done)


async def test_abort_leaves_nothing_behind(
    make_s3_store: S3StoreFactory, raw_s3: "S3Client"
) -> None:
    store = make_s3_store(multipart_threshold=5 * MIB, part_size=5 * MIB)
    await store.start()
    body = b"a" * (5 * MIB + 1)
    upload = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=len(body), at=AT, expires_in=FIFTEEN_MINUTES
    )
    assert upload.multipart_id is not None
    await send_parts(upload, body)
    await store.abort_multipart(key=KEY, multipart_id=upload.multipart_id)
    listed = await raw_s3.list_multipart_uploads(Bucket=store.bucket)
    assert listed.get("Uploads", []) == []
    assert await store.stat(KEY) is None
    # The sweep may abort an upload that is already gone.
    await store.abort_multipart(key=KEY, multipart_id=upload.multipart_id)


# Life cycle -----------------------------------------------------------------------------------


async def test_close_closes_every_client_it_opened(make_s3_store: S3StoreFactory) -> None:
    store = make_s3_store(public_endpoint_url="http://media.example.com")
    opened: list[str | None] = []
    closed: list[str | None] = []
    real_open = store._open_client

    @asynccontextmanager
    async def recording_open(endpoint_url: str | None) -> AsyncIterator[object]:
        async with real_open(endpoint_url) as client:
            opened.append(endpoint_url)
            yield client
        closed.append(endpoint_url)

    store._open_client = recording_open  # type: ignore[method-assign,assignment]
    await store.start()
    await store.start()  # idempotent: no second pair of clients
    await store.ping()
    assert len(opened) == 2
    assert "http://media.example.com" in opened
    await store.close()
    assert sorted(closed, key=str) == sorted(opened, key=str)
    with pytest.raises(RuntimeError, match="not started"):
        await store.stat(KEY)
    await store.close()  # closing twice is harmless


async def test_a_closed_store_can_start_again(make_s3_store: S3StoreFactory) -> None:
    store = make_s3_store()
    await store.start()
    await store.close()
    await store.start()
    await store.ping()


async def test_a_store_is_used_on_the_loop_that_started_it(s3_store: S3BlobStore) -> None:
    errors: list[BaseException] = []

    def on_another_loop() -> None:
        try:
            asyncio.run(s3_store.stat(KEY))
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=on_another_loop)
    thread.start()
    thread.join(10)
    assert [str(error) for error in errors] == ["S3BlobStore was started on another event loop"]


def test_settings_that_s3_would_refuse_later_are_refused_now() -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3BlobStore(bucket="b", endpoint_url=None, part_size=1 * MIB)
    with pytest.raises(ValueError, match="multipart_threshold"):
        S3BlobStore(bucket="b", endpoint_url=None, multipart_threshold=6 * 1024 * MIB)
    with pytest.raises(ValueError, match="both"):
        S3BlobStore(bucket="b", endpoint_url=None, access_key_id="only-the-id")


def test_making_a_store_opens_nothing() -> None:
    store = S3BlobStore(bucket="b", endpoint_url="http://127.0.0.1:9")
    assert repr(store) == "S3BlobStore(bucket='b', started=False)"
