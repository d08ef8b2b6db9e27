"""Blob stores: every adapter keeps the same promises, proven over real HTTP.

Bytes go up with a real PUT to the presigned URL, sending exactly the method and headers the
store handed out, and come back with a real GET of a presigned download URL. Where moto's S3
server is laxer than S3 (it checks no presigned signature and no expiry), a test carries
``moto_gap`` and asserts what each store does; ``tests/storage/test_s3_store.py`` then shows,
by recomputing the signature as S3 does, that S3 itself would refuse.
"""

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from application.media.ports import BlobInfo, CompletedPart, PresignedUpload
from domain.media.errors import UploadIncompleteError
from domain.media.model import UploadPurpose, storage_key
from domain.shared.ids import StudioId
from tests.support.blob_stores import BLOB_STORES, StoreUnderTest, open_blob_store
from tests.support.s3_server import shared_s3_endpoint

pytestmark = [pytest.mark.anyio, pytest.mark.server]

FIVE_MINUTES = timedelta(minutes=5)


@pytest.fixture(params=BLOB_STORES)
async def blob(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreUnderTest]:
    async with open_blob_store(request.param, tmp_path, shared_s3_endpoint) as opened:
        yield opened


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


def new_key(filename: str = "clip.mp4") -> str:
    return storage_key(
        StudioId(str(uuid.uuid4())), UploadPurpose.VIDEO, str(uuid.uuid4()), filename
    )


def now() -> datetime:
    # Real time: S3 signs with the wall clock, whatever ``at`` says.
    return datetime.now(UTC)


async def presign(
    blob: StoreUnderTest, key: str, body: bytes, content_type: str
) -> PresignedUpload:
    return await blob.store.presign_upload(
        key=key, content_type=content_type, size=len(body), at=now(), expires_in=FIVE_MINUTES
    )


async def send_whole(
    http: httpx.AsyncClient, upload: PresignedUpload, body: bytes, **headers: str
) -> httpx.Response:
    """One PUT with exactly the headers handed out (``headers`` replaces some, for misuse)."""
    assert upload.url is not None
    sent = {**upload.headers, **{name.replace("_", "-"): v for name, v in headers.items()}}
    return await http.request(upload.method, upload.url, headers=sent, content=body)


async def send_parts(
    http: httpx.AsyncClient, upload: PresignedUpload, body: bytes
) -> list[CompletedPart]:
    done, offset = [], 0
    for part in upload.parts:
        chunk = body[offset : offset + part.size]
        response = await http.request(
            upload.method, part.url, headers=upload.headers, content=chunk
        )
        assert response.status_code == 200, response.text
        done.append(CompletedPart(number=part.number, etag=response.headers["ETag"]))
        offset += part.size
    assert offset == len(body)
    return done


async def put_file(
    blob: StoreUnderTest,
    http: httpx.AsyncClient,
    key: str,
    body: bytes,
    content_type: str = "video/mp4",
) -> None:
    """Upload as a client would: one PUT, or every part then the completion."""
    upload = await presign(blob, key, body, content_type)
    if upload.multipart_id is None:
        response = await send_whole(http, upload, body)
        assert response.is_success, response.text
        return
    parts = await send_parts(http, upload, body)
    await blob.store.complete_multipart(key=key, multipart_id=upload.multipart_id, parts=parts)


async def fetch(blob: StoreUnderTest, http: httpx.AsyncClient, key: str) -> httpx.Response:
    download = await blob.store.presign_download(key=key, at=now(), expires_in=FIVE_MINUTES)
    return await http.get(download.url)


# Round trips ----------------------------------------------------------------------------------


async def test_a_file_sent_to_its_upload_url_comes_back_from_its_download_url(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key, body = new_key(), b"\x00\x01frame data\xff" * 100
    await put_file(blob, http, key, body)
    response = await fetch(blob, http, key)
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "video/mp4"


async def test_stat_tells_the_size_and_type_stored(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key = new_key("poster.png")
    await put_file(blob, http, key, b"\x89PNG" + b"p" * 500, content_type="image/png")
    info = await blob.store.stat(key)
    assert info is not None
    assert (info.key, info.size, info.content_type) == (key, 504, "image/png")
    assert info.checksum  # an ETag or a sha256: something that changes with the bytes


async def test_sha256_is_read_from_the_stored_bytes(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key, body = new_key("model.glb"), bytes(range(256)) * 40
    await put_file(blob, http, key, body, content_type="model/gltf-binary")
    assert await blob.store.sha256(key) == hashlib.sha256(body).hexdigest()
    assert await blob.store.sha256(new_key()) is None


async def test_stat_of_nothing_is_none(blob: StoreUnderTest) -> None:
    assert await blob.store.stat(new_key()) is None


async def test_a_deleted_file_is_gone_and_deleting_nothing_is_fine(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key = new_key()
    await put_file(blob, http, key, b"short-lived")
    await blob.store.delete(key)
    assert await blob.store.stat(key) is None
    assert (await fetch(blob, http, key)).status_code == 404
    await blob.store.delete(key)
    await blob.store.delete(new_key())


async def test_an_attachment_download_names_the_file(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key, filename = new_key(), 'Épisode 1 "final" \u2013 cut.mp4'  # non-ASCII, quotes
    await put_file(blob, http, key, b"movie")
    download = await blob.store.presign_download(
        key=key, at=now(), expires_in=FIVE_MINUTES, filename=filename, disposition="attachment"
    )
    response = await http.get(download.url)
    assert response.status_code == 200
    header = response.headers["content-disposition"]
    assert header.startswith("attachment;")
    params = dict(part.strip().split("=", 1) for part in header.split(";")[1:] if "=" in part)
    assert unquote(params["filename*"].removeprefix("UTF-8''")) == filename
    assert params["filename"].isascii()


async def test_urls_expire_when_they_say(blob: StoreUnderTest) -> None:
    at = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    upload = await blob.store.presign_upload(
        key=new_key(), content_type="video/mp4", size=10, at=at, expires_in=FIVE_MINUTES
    )
    download = await blob.store.presign_download(key=new_key(), at=at, expires_in=FIVE_MINUTES)
    assert upload.expires_at == at + FIVE_MINUTES
    assert download.expires_at == at + FIVE_MINUTES


# Large files ----------------------------------------------------------------------------------


async def test_a_large_file_round_trips_in_whatever_shape_the_store_hands_out(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    # Just over 5 MiB: two parts where a store splits (5 MiB and the rest, valid on real S3).
    key, body = new_key(), bytes(range(256)) * (5 * 4096 + 5)
    upload = await presign(blob, key, body, "video/mp4")
    if blob.multipart_threshold is not None and len(body) >= blob.multipart_threshold:
        assert upload.url is None
        assert [part.number for part in upload.parts] == [1, 2]
        assert sum(part.size for part in upload.parts) == len(body)
    else:
        assert upload.url is not None
        assert upload.parts == ()
    await put_file(blob, http, key, body)
    info = await blob.store.stat(key)
    assert info is not None
    assert (info.size, info.content_type) == (len(body), "video/mp4")
    assert (await fetch(blob, http, key)).content == body


async def test_completing_without_every_part_is_incomplete(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key = new_key()
    if blob.multipart_threshold is None:
        # A store that never splits has no multipart upload to complete.
        with pytest.raises(UploadIncompleteError):
            await blob.store.complete_multipart(
                key=key, multipart_id="never-made", parts=[CompletedPart(number=1, etag="x")]
            )
        return
    body = b"p" * (2 * blob.multipart_threshold + 1)
    upload = await presign(blob, key, body, "video/mp4")
    assert upload.multipart_id is not None
    first, _, last = await send_parts(http, upload, body)
    with pytest.raises(UploadIncompleteError):
        await blob.store.complete_multipart(
            key=key, multipart_id=upload.multipart_id, parts=[first, last]
        )
    assert await blob.store.stat(key) is None
    await blob.store.abort_multipart(key=key, multipart_id=upload.multipart_id)


# What a presigned URL refuses -----------------------------------------------------------------


async def assert_refused_or_visible(
    blob: StoreUnderTest, response: httpx.Response, key: str, sent: BlobInfo
) -> None:
    """Refused at the PUT (nothing stored), or stored as sent, so that the registration's
    check against the announced size and type sees the difference and deletes it."""
    info = await blob.store.stat(key)
    if blob.refuses_other_bodies:
        assert 400 <= response.status_code < 500, response.text
        assert info is None
    else:
        assert response.status_code == 200
        assert info is not None
        assert (info.size, info.content_type) == (sent.size, sent.content_type)


@pytest.mark.moto_gap(
    reason="moto checks no presigned signature: it stores a body of another type; "
    "S3 refuses it (Content-Type is signed)"
)
async def test_a_body_of_another_type_is_refused_or_shows(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key, body = new_key(), b"<script>alert(1)</script>"
    upload = await presign(blob, key, body, "video/mp4")
    response = await send_whole(http, upload, body, Content_Type="text/html")
    sent = BlobInfo(key=key, size=len(body), content_type="text/html")
    await assert_refused_or_visible(blob, response, key, sent)


@pytest.mark.moto_gap(
    reason="moto checks no presigned signature: it stores a body of another length; "
    "S3 refuses it (Content-Length is signed)"
)
async def test_a_body_of_another_size_is_refused_or_shows(
    blob: StoreUnderTest, http: httpx.AsyncClient
) -> None:
    key, announced = new_key(), b"x" * 100
    upload = await presign(blob, key, announced, "video/mp4")
    bigger = announced * 3
    # A client cannot send 300 bytes under "Content-Length: 100": it sends the true length.
    response = await send_whole(http, upload, bigger, Content_Length=str(len(bigger)))
    sent = BlobInfo(key=key, size=len(bigger), content_type="video/mp4")
    await assert_refused_or_visible(blob, response, key, sent)


@pytest.mark.moto_gap(
    reason="moto ignores X-Amz-Expires: expired upload and download URLs still work there; "
    "S3 refuses them (403)"
)
async def test_an_expired_url_is_refused(blob: StoreUnderTest, http: httpx.AsyncClient) -> None:
    stored_key, new = new_key(), new_key()
    await put_file(blob, http, stored_key, b"kept")
    body = b"late"
    one_second = timedelta(seconds=1)
    upload = await blob.store.presign_upload(
        key=new, content_type="video/mp4", size=len(body), at=now(), expires_in=one_second
    )
    download = await blob.store.presign_download(key=stored_key, at=now(), expires_in=one_second)
    await asyncio.sleep(2.1)
    put = await send_whole(http, upload, body)
    get = await http.get(download.url)
    if blob.refuses_expired_urls:
        assert 400 <= put.status_code < 500, put.text
        assert 400 <= get.status_code < 500, get.text
        assert await blob.store.stat(new) is None
    else:
        assert (put.status_code, get.status_code) == (200, 200)
        assert get.content == b"kept"
