"""The local store's URLs, served by the real app: uploads that are exact, downloads with Range.

In process through Litestar's test client (the whole app, with the local store the embedded
default chooses), plus one real server process for a streamed, chunked upload over HTTP.
"""

import asyncio
import hashlib
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import TestClient

from adapters.storage.local import LocalBlobStore
from domain.media.model import UploadPurpose, storage_key
from domain.shared.ids import StudioId
from entrypoints.bootstrap import bootstrap
from entrypoints.settings import load_settings
from tests.support.identity_http import bearer, error_of, on_app_loop, sign_in_admin
from tests.support.server import running_server

Client = TestClient[Any]
ClientFactory = Callable[..., Client]

STUDIO = StudioId("0193a4a0-0000-7000-8000-0000000000aa")
BODY = os.urandom(5000)
MIB = 1024 * 1024


def new_key(name: str = "clip.mp4") -> str:
    return storage_key(STUDIO, UploadPurpose.VIDEO, os.urandom(16).hex(), name)


def local_path(url: str) -> str:
    """The presigned URL as the in-process client reaches it (the origin is not a socket)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


class Media:
    """The app's own local store, and the presigned URLs it hands out."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.store: LocalBlobStore = client.app.state.container.blob_store()
        assert isinstance(self.store, LocalBlobStore)
        self.root = client.app.state.container.settings().data_dir / "media"

    def upload_url(
        self, key: str, size: int, content_type: str = "video/mp4", *, ttl: float = 300
    ) -> str:
        at = datetime.now(UTC)

        async def presign() -> str:
            presigned = await self.store.presign_upload(
                key=key,
                content_type=content_type,
                size=size,
                at=at,
                expires_in=timedelta(seconds=ttl),
            )
            assert presigned.url is not None
            return presigned.url

        return local_path(on_app_loop(self.client, presign))

    def download_url(
        self,
        key: str,
        *,
        filename: str | None = None,
        disposition: Literal["inline", "attachment"] = "inline",
        ttl: float = 300,
    ) -> str:
        at = datetime.now(UTC)

        async def presign() -> str:
            presigned = await self.store.presign_download(
                key=key,
                at=at,
                expires_in=timedelta(seconds=ttl),
                filename=filename,
                disposition=disposition,
            )
            return presigned.url

        return local_path(on_app_loop(self.client, presign))

    def put(self, key: str, body: bytes, content_type: str = "video/mp4") -> httpx.Response:
        url = self.upload_url(key, len(body), content_type)
        return self.client.put(url, content=body, headers={"Content-Type": content_type})

    def files(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())


@pytest.fixture
def media(make_client: ClientFactory) -> Media:
    return Media(make_client())


@pytest.fixture
def stored(media: Media) -> str:
    """A key holding ``BODY`` (video/mp4)."""
    key = new_key()
    assert media.put(key, BODY).status_code == 204
    return key


# -- upload -----------------------------------------------------------------------------------


def test_put_then_get_gives_back_the_bytes(media: Media) -> None:
    key = new_key()
    answer = media.put(key, BODY)
    assert answer.status_code == 204, answer.text
    assert answer.headers["etag"] == f'"{hashlib.sha256(BODY).hexdigest()}"'
    assert answer.content == b""
    got = media.client.get(media.download_url(key, filename="Épisode 1.mp4"))
    assert got.status_code == 200
    assert got.content == BODY
    assert got.headers["content-type"] == "video/mp4"
    assert got.headers["content-length"] == str(len(BODY))
    assert got.headers["accept-ranges"] == "bytes"
    assert got.headers["etag"] == answer.headers["etag"]
    assert "last-modified" in got.headers
    assert got.headers["cache-control"].startswith("private, max-age=")
    assert got.headers["content-disposition"] == (
        "inline; filename=\"Episode 1.mp4\"; filename*=UTF-8''%C3%89pisode%201.mp4"
    )


def test_a_body_beyond_the_app_wide_limit_is_streamed_in(media: Media) -> None:
    body = os.urandom(3 * MIB)  # the JSON routes refuse anything above 1 MiB

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 256 * 1024):
            yield body[start : start + 256 * 1024]

    key = new_key()
    url = media.upload_url(key, len(body))
    answer = media.client.put(url, content=chunks(), headers={"Content-Type": "video/mp4"})
    assert answer.status_code == 204, answer.text
    assert media.client.get(media.download_url(key)).content == body


def test_the_same_bytes_again_are_fine_other_bytes_conflict(media: Media) -> None:
    key = new_key()
    url = media.upload_url(key, len(BODY))
    headers = {"Content-Type": "video/mp4"}
    assert media.client.put(url, content=BODY, headers=headers).status_code == 204
    assert media.client.put(url, content=BODY, headers=headers).status_code == 204
    other = bytes(reversed(BODY))
    error_of(media.client.put(url, content=other, headers=headers), 409, "upload_exists")
    assert media.client.get(media.download_url(key)).content == BODY


@pytest.mark.parametrize("size", [len(BODY) - 1, len(BODY) + 1], ids=["shorter", "longer"])
def test_a_body_of_another_length_is_refused_and_leaves_nothing(media: Media, size: int) -> None:
    url = media.upload_url(new_key(), len(BODY))
    body = os.urandom(size)
    answer = media.client.put(url, content=body, headers={"Content-Type": "video/mp4"})
    if size > len(BODY):
        error = error_of(answer, 413, "payload_too_large")
    else:
        error = error_of(answer, 400, "upload_size_mismatch")
        assert error["details"] == {"expected": len(BODY), "received": size}
    assert media.files() == []


@pytest.mark.parametrize("size", [len(BODY) - 1, len(BODY) + 1], ids=["shorter", "longer"])
def test_a_chunked_body_of_another_length_is_refused_and_leaves_nothing(
    media: Media, size: int
) -> None:
    url = media.upload_url(new_key(), len(BODY))
    body = os.urandom(size)
    answer = media.client.put(
        url, content=iter([body[:1000], body[1000:]]), headers={"Content-Type": "video/mp4"}
    )
    assert answer.status_code == (413 if size > len(BODY) else 400)
    assert media.files() == []


@pytest.mark.parametrize("content_type", ["video/webm", "application/json", None])
def test_another_content_type_is_refused(media: Media, content_type: str | None) -> None:
    url = media.upload_url(new_key(), len(BODY))
    headers = {"Content-Type": content_type} if content_type else {}
    error = error_of(
        media.client.put(url, content=BODY, headers=headers), 415, "unsupported_media_type"
    )
    assert error["details"]["expected"] == "video/mp4"
    assert media.files() == []


def test_expired_tampered_missing_and_wrong_tokens_are_refused(media: Media) -> None:
    key = new_key()
    headers = {"Content-Type": "video/mp4"}
    expired = media.upload_url(key, len(BODY), ttl=-1)
    error = error_of(
        media.client.put(expired, content=BODY, headers=headers), 403, "invalid_media_token"
    )
    assert error["details"] == {"reason": "expired"}
    good = media.upload_url(key, len(BODY))
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    error_of(media.client.put(tampered, content=BODY, headers=headers), 403, "invalid_media_token")
    error_of(
        media.client.put("/media/upload", content=BODY, headers=headers), 403, "invalid_media_token"
    )
    download_token = media.download_url(key).replace("/media/download", "/media/upload")
    error_of(
        media.client.put(download_token, content=BODY, headers=headers), 403, "invalid_media_token"
    )
    assert media.files() == []


def test_download_tokens_are_checked_too(media: Media, stored: str) -> None:
    error_of(media.client.get(media.download_url(stored, ttl=-1)), 403, "invalid_media_token")
    upload_token = media.upload_url(stored, 1).replace("/media/upload", "/media/download")
    error_of(media.client.get(upload_token), 403, "invalid_media_token")
    error_of(media.client.get("/media/download?token=abc.def"), 403, "invalid_media_token")


def test_a_missing_file_is_404(media: Media) -> None:
    error_of(media.client.get(media.download_url(new_key())), 404, "media_not_found")


# -- download: ranges, validators, HEAD -------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=4000-", 4000, 4999),
        ("bytes=-500", 4500, 4999),
        ("bytes=4990-999999", 4990, 4999),
        ("bytes=-999999", 0, 4999),
    ],
)
def test_a_single_range_is_206(
    media: Media, stored: str, header: str, start: int, end: int
) -> None:
    answer = media.client.get(media.download_url(stored), headers={"Range": header})
    assert answer.status_code == 206
    assert answer.content == BODY[start : end + 1]
    assert answer.headers["content-range"] == f"bytes {start}-{end}/{len(BODY)}"
    assert answer.headers["content-length"] == str(end - start + 1)
    assert answer.headers["content-type"] == "video/mp4"


@pytest.mark.parametrize("header", ["bytes=5000-", "bytes=9999-10000", "bytes=-0"])
def test_an_unsatisfiable_range_is_416_in_the_error_contract(
    media: Media, stored: str, header: str
) -> None:
    answer = media.client.get(media.download_url(stored), headers={"Range": header})
    error = error_of(answer, 416, "range_not_satisfiable")
    assert answer.headers["content-range"] == f"bytes */{len(BODY)}"
    assert error["details"] == {"size": len(BODY)}


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-3", "lines=0-3", "bytes=x-"])
def test_several_or_malformed_ranges_get_the_whole_file(
    media: Media, stored: str, header: str
) -> None:
    answer = media.client.get(media.download_url(stored), headers={"Range": header})
    assert answer.status_code == 200
    assert answer.content == BODY


def test_if_none_match_and_if_modified_since_give_304(media: Media, stored: str) -> None:
    url = media.download_url(stored)
    first = media.client.get(url)
    for headers in (
        {"If-None-Match": first.headers["etag"]},
        {"If-None-Match": f'"other", W/{first.headers["etag"]}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": first.headers["last-modified"]},
    ):
        answer = media.client.get(url, headers=headers)
        assert answer.status_code == 304, headers
        assert answer.content == b""
        assert answer.headers["etag"] == first.headers["etag"]
    assert media.client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert media.client.get(url, headers={"If-Modified-Since": old}).status_code == 200


def test_if_range_keeps_the_range_only_while_the_file_is_the_same(
    media: Media, stored: str
) -> None:
    url = media.download_url(stored)
    tag = media.client.get(url).headers["etag"]
    same = media.client.get(url, headers={"Range": "bytes=0-9", "If-Range": tag})
    assert (same.status_code, same.content) == (206, BODY[:10])
    changed = media.client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert (changed.status_code, changed.content) == (200, BODY)


def test_head_gives_the_headers_only(media: Media, stored: str) -> None:
    url = media.download_url(stored, filename="clip.mp4", disposition="attachment")
    answer = media.client.head(url)
    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-length"] == str(len(BODY))
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.headers["content-disposition"].startswith('attachment; filename="clip.mp4"')
    ranged = media.client.head(url, headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206
    assert ranged.content == b""
    assert ranged.headers["content-range"] == f"bytes 10-19/{len(BODY)}"
    assert ranged.headers["content-length"] == "10"


def test_types_a_browser_could_run_are_always_downloads(media: Media) -> None:
    key = new_key("page.html")
    assert media.put(key, b"<script>alert(1)</script>", "text/html").status_code == 204
    answer = media.client.get(media.download_url(key, disposition="inline"))
    assert answer.headers["content-disposition"] == "attachment"
    assert answer.headers["content-type"] == "text/html"
    assert answer.headers["x-content-type-options"] == "nosniff"


# -- how the routes sit in the app ------------------------------------------------------------


def test_downloads_skip_the_rate_limit_uploads_do_not(make_client: ClientFactory) -> None:
    media = Media(make_client(RATE_LIMIT_PER_MINUTE="3"))
    key = new_key()
    assert media.put(key, BODY).status_code == 204
    url = media.download_url(key)
    for _ in range(10):  # a player seeking around
        assert media.client.get(url, headers={"Range": "bytes=0-9"}).status_code == 206
    answers = [media.put(new_key(), BODY).status_code for _ in range(3)]
    assert answers == [204, 204, 429]


def test_the_routes_stay_out_of_the_api_document(media: Media) -> None:
    paths = media.client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/media")]


def test_presign_put_register_through_the_api(media: Media) -> None:
    token = sign_in_admin(media.client)["accessToken"]
    presigned = media.client.post(
        "/uploads/presign",
        json={
            "filename": "pilot.mp4",
            "contentType": "video/mp4",
            "size": len(BODY),
            "purpose": "video",
        },
        headers=bearer(token),
    )
    assert presigned.status_code == 200, presigned.text
    data = presigned.json()["data"]
    assert data["method"] == "PUT"
    put = media.client.put(local_path(data["uploadUrl"]), content=BODY, headers=data["headers"])
    assert put.status_code == 204, put.text
    video = media.client.post(
        "/creator/videos", json={"s3Key": data["s3Key"], "title": "Pilot"}, headers=bearer(token)
    )
    assert video.status_code == 201, video.text
    assert video.json()["data"]["size"] == len(BODY)


# -- over real HTTP ---------------------------------------------------------------------------


@pytest.mark.server
def test_a_chunked_upload_streams_through_a_real_server(tmp_path: Path) -> None:
    body = os.urandom(8 * MIB + 123)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    with running_server(tmp_path) as server:
        settings = load_settings(
            {"DATA_DIR": str(tmp_path / "var"), "APP_ENV": "test"}, env_file=None
        )
        store = bootstrap(settings).blob_store()
        assert isinstance(store, LocalBlobStore)
        key = new_key()
        presigned = asyncio.run(
            store.presign_upload(
                key=key,
                content_type="video/mp4",
                size=len(body),
                at=datetime.now(UTC),
                expires_in=timedelta(minutes=5),
            )
        )
        download = asyncio.run(
            store.presign_download(key=key, at=datetime.now(UTC), expires_in=timedelta(minutes=5))
        )
        with server.client() as client:
            answer = client.put(
                local_path(presigned.url or ""), content=chunks(), headers=dict(presigned.headers)
            )
            assert answer.status_code == 204, answer.text
            assert answer.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
            got = client.get(local_path(download.url))
            assert got.content == body
            tail = client.get(local_path(download.url), headers={"Range": "bytes=-1000"})
            assert (tail.status_code, tail.content) == (206, body[-1000:])
