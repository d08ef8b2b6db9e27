"""Uploads and videos over HTTP, on both blob stores: presign, send the bytes, register, list.

Each test that touches the bytes runs once per store (the ``app`` fixture):

- ``local``: the embedded default. Its presigned URLs point at the app itself
  (``http://HOST:PORT``); in process they are sent through the same test client, and one test
  sends them over a real socket to a real server process.
- ``s3``: the real app configured with ``S3_BUCKET`` against moto's S3 server (its own
  process, a fresh bucket per test): every PUT to a presigned URL crosses a real socket.

Rules that never reach a store (roles, policy, key shapes, body fields) run on the embedded
default once. Where moto accepts what S3 refuses, the test says so (``moto_gap``) and asserts
each store's way.
"""

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aioboto3
import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from litestar.testing import TestClient

from application.media.ports import BlobInfo
from domain.identity.model import Role
from domain.media.model import VIDEO_TYPES, Upload, key_studio
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.identity_http import (
    STAFF_PASSWORD,
    ManualClock,
    bearer,
    error_of,
    on_app_loop,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
    unique_email,
    use_clock,
)
from tests.support.s3_server import (
    TEST_ACCESS_KEY_ID,
    TEST_REGION,
    TEST_SECRET_ACCESS_KEY,
    fresh_bucket,
    shared_s3_endpoint,
)
from tests.support.server import ROOT, running_server

Client = TestClient[Any]
ClientFactory = Callable[..., Client]

MIB = 1024 * 1024
BODY = os.urandom(3000)
KEY_SHAPE = re.compile(
    r"studios/(?P<studio>[0-9a-f-]{36})/video/(?P<upload>[0-9a-f-]{36})/(?P<name>[^/]+)"
)
# The local store's URLs name this app: http://HOST:PORT (the defaults, no PUBLIC_BASE_URL).
LOCAL_ORIGIN = "http://127.0.0.1:8000"
S3_PART_SIZE = 5 * MIB  # the smallest part S3 takes (every part but the last)
S3_SETTINGS = {
    "S3_REGION": TEST_REGION,
    "S3_MULTIPART_THRESHOLD_BYTES": str(S3_PART_SIZE),
    "S3_PART_SIZE_BYTES": str(S3_PART_SIZE),
}
MOTO_TAKES_ANY_BODY = (
    "moto checks no presigned signature: it stores a body of another length or type that S3 "
    "would refuse at the PUT (both are signed); the registration must catch it either way"
)


# -- the app under test, on one store --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in user."""

    token: str
    user_id: str
    studio_id: str

    @classmethod
    def of(cls, session: dict[str, Any]) -> "Staff":
        user = session["user"]
        return cls(token=session["accessToken"], user_id=user["id"], studio_id=user["studioId"])

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass(frozen=True, slots=True)
class App:
    """The real app (in process) on the ``kind`` store, and how to reach what it hands out."""

    kind: str
    client: Client
    s3_endpoint: str | None = None
    bucket: str | None = None

    @property
    def container(self) -> Any:
        return self.client.app.state.container

    # people

    def admin(self) -> Staff:
        return Staff.of(sign_in_admin(self.client))

    def staff(self, role: Role = Role.ARTIST, admin: Staff | None = None) -> Staff:
        admin = admin or self.admin()
        return Staff.of(signed_in_as(self.client, admin.token, role))

    # the API

    def presign(
        self,
        who: Staff,
        *,
        size: int = len(BODY),
        content_type: str = "video/mp4",
        purpose: str = "video",
        filename: str = "pilot.mp4",
    ) -> httpx.Response:
        body = {"filename": filename, "contentType": content_type, "size": size}
        return self.client.post(
            "/uploads/presign", json={**body, "purpose": purpose}, headers=who.auth
        )

    def presigned(self, who: Staff, **kwargs: Any) -> dict[str, Any]:
        answer = self.presign(who, **kwargs)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def upload(self, who: Staff, body: bytes = BODY, **kwargs: Any) -> str:
        """Presign and send ``body`` exactly as told; the storage key."""
        data = self.presigned(who, size=len(body), **kwargs)
        answer = self.send(data["uploadUrl"], body, data["headers"])
        assert answer.status_code in (200, 204), answer.text
        key: str = data["s3Key"]
        return key

    def register(self, who: Staff, key: str, title: str = "Pilot") -> httpx.Response:
        return self.client.post(
            "/creator/videos", json={"s3Key": key, "title": title}, headers=who.auth
        )

    def videos(self, who: Staff, **params: str | int) -> dict[str, Any]:
        answer = self.client.get("/creator/videos", params=params, headers=who.auth)
        assert answer.status_code == 200, answer.text
        listed: dict[str, Any] = answer.json()
        return listed

    def titles(self, who: Staff) -> list[str]:
        return [video["title"] for video in self.videos(who, limit=100)["data"]]

    # the store, as a client and behind the app's back

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        """PUT to a presigned URL: moto over a real socket, the local store through the app."""
        if self.kind == "local":
            assert url.startswith(f"{LOCAL_ORIGIN}/media/upload?token="), url
            parts = urlsplit(url)
            return self.client.put(f"{parts.path}?{parts.query}", content=body, headers=headers)
        assert self.s3_endpoint is not None
        assert url.startswith(f"{self.s3_endpoint}/{self.bucket}/studios/"), url
        return httpx.put(url, content=body, headers=headers, timeout=30)

    def stat(self, key: str) -> BlobInfo | None:
        """What the app's own blob store holds at ``key``."""
        found: BlobInfo | None = on_app_loop(
            self.client, lambda: self.container.blob_store().stat(key)
        )
        return found

    def upload_record(self, key: str) -> Upload | None:
        async def fetch() -> Upload | None:
            async with self.container.persistence().unit_of_work(read_only=True) as uow:
                found: Upload | None = await uow.uploads.get_by_key(key_studio(key), key)
                return found

        return on_app_loop(self.client, fetch)

    def sweep(self) -> int:
        """The sweep the CLI runs, on the app's loop and clock (a test's manual clock)."""
        swept: int = on_app_loop(self.client, lambda: self.container.sweep_uploads()())
        return swept

    def multipart_uploads(self) -> list[str]:
        """Keys of the multipart uploads S3 still holds in the bucket (s3 only)."""

        async def fetch() -> list[str]:
            session = aioboto3.Session(
                aws_access_key_id=TEST_ACCESS_KEY_ID,
                aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
                region_name=TEST_REGION,
            )
            async with session.client("s3", endpoint_url=self.s3_endpoint) as s3:
                listed = await s3.list_multipart_uploads(Bucket=self.bucket or "")
                return [upload["Key"] for upload in listed.get("Uploads", [])]

        return asyncio.run(fetch())


AppFactory = Callable[..., App]


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """moto's S3 server, in its own process, shared with the other suites (started lazily)."""
    return shared_s3_endpoint()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Iterator[str]:
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fresh_bucket(s3_endpoint)) as bucket,
    ):
        yield bucket


def _opener(
    kind: str,
    request: pytest.FixtureRequest,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> AppFactory:
    if kind == "local":
        return lambda **env: App("local", make_client(**env))
    endpoint: str = request.getfixturevalue("s3_endpoint")
    bucket: str = request.getfixturevalue("s3_bucket")
    # The app names no credentials: botocore's chain finds them in the environment.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", TEST_REGION)
    settings = {**S3_SETTINGS, "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint}

    def open_app(**env: str) -> App:
        return App("s3", make_client(**{**settings, **env}), endpoint, bucket)

    return open_app


@pytest.fixture(params=["local", "s3"])
def open_app(
    request: pytest.FixtureRequest, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> AppFactory:
    """Opens the real app on each store; keyword arguments are more environment variables."""
    return _opener(request.param, request, make_client, monkeypatch)


@pytest.fixture
def app(open_app: AppFactory) -> App:
    return open_app()


@pytest.fixture
def s3_app(
    request: pytest.FixtureRequest, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> App:
    return _opener("s3", request, make_client, monkeypatch)()


@pytest.fixture
def local_app(make_client: ClientFactory) -> App:
    return App("local", make_client())


# -- the happy path ---------------------------------------------------------------------------


def test_an_artist_presigns_uploads_exactly_and_registers_a_video(app: App) -> None:
    artist = app.staff()
    before = datetime.now(UTC)
    data = app.presigned(artist, filename="Épisode 1 (final).mp4")

    assert set(data) == {"s3Key", "uploadUrl", "method", "headers", "expiresAt"}
    key = data["s3Key"]
    shape = KEY_SHAPE.fullmatch(key)
    assert shape is not None, key
    assert shape["studio"] == artist.studio_id
    assert shape["name"] == "Episode-1-final-.mp4"
    assert data["method"] == "PUT"
    if app.kind == "s3":
        assert data["headers"] == {"Content-Type": "video/mp4", "Content-Length": str(len(BODY))}
    else:
        assert data["headers"] == {"Content-Type": "video/mp4"}
    expires_at = datetime.fromisoformat(data["expiresAt"])
    assert (
        before + timedelta(seconds=895) <= expires_at <= datetime.now(UTC) + timedelta(seconds=905)
    )

    put = app.send(data["uploadUrl"], BODY, data["headers"])
    assert put.status_code == (200 if app.kind == "s3" else 204), put.text
    stored = app.stat(key)
    assert stored is not None
    assert (stored.size, stored.content_type) == (len(BODY), "video/mp4")

    answer = app.register(artist, key, title="  Episode 1  ")
    assert answer.status_code == 201, answer.text
    video = answer.json()["data"]
    assert answer.headers["location"] == f"/creator/videos/{video['id']}"
    assert video == {
        "id": video["id"],
        "title": "Episode 1",
        "contentType": "video/mp4",
        "size": len(BODY),
        "status": "uploaded",
        "durationSeconds": None,
        "width": None,
        "height": None,
        "createdAt": video["createdAt"],
        "updatedAt": video["createdAt"],
    }
    # Where the file lives is the server's business: not the key, nor its upload id.
    for secret in (key, shape["upload"]):
        assert secret not in answer.text
        assert secret not in answer.headers["location"]

    listed = app.client.get("/creator/videos", headers=artist.auth)
    assert listed.status_code == 200
    assert listed.json() == {
        "data": [video],
        "meta": {"total": 1, "page": 1, "limit": 20, "totalPages": 1},
    }
    assert key not in listed.text
    assert shape["upload"] not in listed.text
    assert app.stat(key) is not None  # registering keeps the file


def test_creators_list_their_own_videos_newest_first_by_page_or_cursor(app: App) -> None:
    admin = app.admin()
    artist, other = app.staff(admin=admin), app.staff(admin=admin)
    for title in ("One", "Two", "Three"):
        assert app.register(artist, app.upload(artist), title=title).status_code == 201

    # Another artist of the same studio sees none of them; nor does the admin (own only).
    assert app.videos(other) == {
        "data": [],
        "meta": {"total": 0, "page": 1, "limit": 20, "totalPages": 1},
    }
    assert app.videos(admin)["data"] == []

    first = app.videos(artist, limit=2)
    assert [v["title"] for v in first["data"]] == ["Three", "Two"]
    assert first["meta"] == {"total": 3, "page": 1, "limit": 2, "totalPages": 2}
    second = app.videos(artist, limit=2, page=2)
    assert [v["title"] for v in second["data"]] == ["One"]
    assert second["meta"] == {"total": 3, "page": 2, "limit": 2, "totalPages": 2}

    walked: list[str] = []
    listed = app.videos(artist, limit=2, cursor="")
    while True:
        assert set(listed["meta"]) == {"limit", "nextCursor"}
        walked += [v["title"] for v in listed["data"]]
        if listed["meta"]["nextCursor"] is None:
            break
        listed = app.videos(artist, limit=2, cursor=listed["meta"]["nextCursor"])
    assert walked == ["Three", "Two", "One"]

    # A cursor is for the query it came from: another user's walk cannot reuse it.
    cursor = app.videos(artist, limit=1, cursor="")["meta"]["nextCursor"]
    answer = app.client.get(
        "/creator/videos", params={"limit": 1, "cursor": cursor}, headers=other.auth
    )
    error_of(answer, 422, "invalid_cursor")


# -- refused: nothing is registered -----------------------------------------------------------

OTHER_BODIES = {
    # variant: (body, Content-Type sent, the local store's status at the PUT)
    "longer": (BODY + b"!", "video/mp4", 413),
    "shorter": (BODY[:-1], "video/mp4", 400),
    "another-type": (BODY, "video/webm", 415),
}


@pytest.mark.moto_gap(reason=MOTO_TAKES_ANY_BODY)
@pytest.mark.parametrize("variant", list(OTHER_BODIES))
def test_a_body_of_another_size_or_type_never_becomes_a_video(app: App, variant: str) -> None:
    artist = app.staff()
    data = app.presigned(artist)
    key = data["s3Key"]
    body, content_type, local_status = OTHER_BODIES[variant]
    # A client that lies consistently: its headers describe the body it really sends.
    headers = {**data["headers"], "Content-Type": content_type}
    if "Content-Length" in headers:
        headers["Content-Length"] = str(len(body))
    put = app.send(data["uploadUrl"], body, headers)

    if app.kind == "local":
        assert put.status_code == local_status, put.text
        assert app.stat(key) is None
        error_of(app.register(artist, key), 409, "upload_incomplete")
    else:
        assert put.status_code == 200, put.text  # moto_gap: S3 answers 403 here
        assert app.stat(key) is not None
        error = error_of(app.register(artist, key), 409, "upload_mismatch")
        assert error["details"] == {
            "expected": {"size": len(BODY), "contentType": "video/mp4"},
            "received": {"size": len(body), "contentType": content_type},
        }
        assert app.stat(key) is None  # the wrong file is deleted, not left behind
        # And a second attempt finds nothing at all.
        error_of(app.register(artist, key), 409, "upload_incomplete")
    assert app.titles(artist) == []

    # Nothing was consumed: the right bytes, sent as told, still register.
    assert app.send(data["uploadUrl"], BODY, data["headers"]).status_code in (200, 204)
    assert app.register(artist, key).status_code == 201
    assert app.titles(artist) == ["Pilot"]


def test_registering_before_uploading_is_incomplete(app: App) -> None:
    artist = app.staff()
    data = app.presigned(artist)
    error_of(app.register(artist, data["s3Key"]), 409, "upload_incomplete")
    assert app.titles(artist) == []
    assert app.send(data["uploadUrl"], BODY, data["headers"]).status_code in (200, 204)
    assert app.register(artist, data["s3Key"]).status_code == 201


def test_an_expired_upload_cannot_be_registered(open_app: AppFactory) -> None:
    app = open_app(UPLOAD_URL_TTL_SECONDS="60")
    artist = app.staff()  # signed in before the clock moves: tokens are not the point here
    clock = use_clock(app.client, ManualClock())
    in_time, too_late = app.upload(artist), app.upload(artist)

    clock.advance(59)
    assert app.register(artist, in_time, title="In time").status_code == 201
    clock.advance(2)
    error_of(app.register(artist, too_late), 404, "upload_not_found")
    assert app.titles(artist) == ["In time"]


def test_a_tampered_local_token_is_refused(local_app: App) -> None:
    artist = local_app.staff()
    data = local_app.presigned(artist)
    url = data["uploadUrl"]
    tampered = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    error_of(local_app.send(tampered, BODY, data["headers"]), 403, "invalid_media_token")
    error_of(local_app.register(artist, data["s3Key"]), 409, "upload_incomplete")
    assert local_app.titles(artist) == []


def test_another_studios_upload_is_not_found(app: App) -> None:
    artist = app.staff()
    email = unique_email("b-admin")
    seed_studio(app.client, "studio-b", admin_email=email)
    other = Staff.of(sign_in(app.client, email, STAFF_PASSWORD, studio="studio-b"))
    assert other.studio_id != artist.studio_id
    key = app.upload(other)

    error_of(app.register(artist, key), 404, "upload_not_found")
    # The same upload id under the caller's own studio is no upload of theirs either.
    forged = key.replace(other.studio_id, artist.studio_id)
    error_of(app.register(artist, forged), 404, "upload_not_found")
    assert app.titles(artist) == []
    # The upload is untouched: its owner registers it in their studio.
    assert app.register(other, key).status_code == 201
    assert app.titles(other) == ["Pilot"]
    assert app.titles(artist) == []


def test_someone_elses_upload_in_the_same_studio_is_not_found(app: App) -> None:
    admin = app.admin()
    owner, other = app.staff(admin=admin), app.staff(admin=admin)
    key = app.upload(owner)
    error_of(app.register(other, key), 404, "upload_not_found")
    error_of(app.register(admin, key), 404, "upload_not_found")  # not even an admin's to take
    assert app.titles(other) == app.titles(admin) == app.titles(owner) == []
    assert app.register(owner, key).status_code == 201


def test_an_upload_registers_once(app: App) -> None:
    artist = app.staff()
    key = app.upload(artist)
    assert app.register(artist, key, title="First").status_code == 201
    error_of(app.register(artist, key, title="Second"), 404, "upload_not_found")
    assert app.titles(artist) == ["First"]


def test_an_asset_version_upload_is_not_a_video(app: App) -> None:
    artist = app.staff()
    key = app.upload(artist, purpose="asset_version", filename="turnaround.mp4")
    assert "/asset_version/" in key
    error_of(app.register(artist, key), 404, "upload_not_found")
    assert app.titles(artist) == []


@pytest.mark.parametrize(
    "key",
    [
        "studios/{studio}/video/{upload}/..",
        "studios/{studio}/video/{upload}/../../{upload}/x.mp4",
        "studios/{studio}/video/{upload}/x..mp4",
        "../../etc/passwd",
        "/studios/{studio}/video/{upload}/x.mp4",
        "studios/{studio}/video/{upload}",
        "studios/{studio}/video/{upload}/a/b.mp4",
        "studios/{studio}/thumbnail/{upload}/x.png",
        "studios/{studio}/video/{upload}/x.mp4\n",
        "s3://bucket/studios/{studio}/video/{upload}/x.mp4",
        "studios/{studio}/video/{upload}/x y.mp4",
    ],
)
def test_a_key_this_server_could_not_have_made_is_invalid(local_app: App, key: str) -> None:
    artist = local_app.staff()
    made = local_app.upload(artist)
    shape = KEY_SHAPE.fullmatch(made)
    assert shape is not None
    bad = key.format(studio=artist.studio_id, upload=shape["upload"])
    error_of(local_app.register(artist, bad), 422, "invalid_storage_key")
    answer = local_app.client.post(
        "/uploads/complete",
        json={"s3Key": bad, "parts": [{"partNumber": 1, "etag": '"x"'}]},
        headers=artist.auth,
    )
    error_of(answer, 422, "invalid_storage_key")
    assert local_app.titles(artist) == []


# -- policy -----------------------------------------------------------------------------------


def test_who_may_presign(local_app: App) -> None:
    admin = local_app.admin()
    viewer = local_app.staff(Role.VIEWER, admin=admin)
    error = error_of(local_app.presign(viewer), 403, "forbidden")
    assert error["details"] == {"capability": "upload", "role": "viewer"}
    error_of(local_app.register(viewer, "studios/x"), 403, "forbidden")
    error_of(local_app.client.get("/creator/videos", headers=viewer.auth), 403, "forbidden")
    anonymous = local_app.client.post(
        "/uploads/presign",
        json={"filename": "a.mp4", "contentType": "video/mp4", "size": 1, "purpose": "video"},
    )
    assert anonymous.status_code == 401
    for role in (Role.ARTIST, Role.DIRECTOR, Role.PRODUCER):
        local_app.presigned(local_app.staff(role, admin=admin))
    local_app.presigned(admin)


@pytest.mark.parametrize(
    "content_type", ["image/png", "text/html", "application/octet-stream", "video/mp4; x=y"]
)
def test_a_video_must_be_of_a_video_type(local_app: App, content_type: str) -> None:
    answer = local_app.presign(local_app.staff(), content_type=content_type)
    error = error_of(answer, 422, "content_type_not_allowed")
    assert error["details"] == {"allowed": sorted(VIDEO_TYPES)}


def test_every_allowed_video_type_can_be_presigned(local_app: App) -> None:
    artist = local_app.staff()
    for content_type in sorted(VIDEO_TYPES):
        assert local_app.presigned(artist, content_type=content_type)["headers"] == {
            "Content-Type": content_type
        }


def test_a_video_over_max_video_bytes_is_too_large(make_client: ClientFactory) -> None:
    app = App("local", make_client(MAX_VIDEO_BYTES="1000"))
    artist = app.staff()
    error = error_of(app.presign(artist, size=1001), 422, "file_too_large")
    assert error["details"] == {"maxSize": 1000}
    app.presigned(artist, size=1000)
    error_of(app.presign(artist, size=0), 422, "validation_failed")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/uploads/presign",
            {
                "filename": "a.mp4",
                "contentType": "video/mp4",
                "size": 10,
                "purpose": "video",
                "key": "studios/mine.mp4",
            },
            "key",
        ),
        ("/creator/videos", {"s3Key": "k", "title": "t", "status": "ready"}, "status"),
        ("/creator/videos", {"s3Key": "k", "title": "t", "ownerId": "someone"}, "ownerId"),
        (
            "/uploads/complete",
            {"s3Key": "k", "parts": [{"partNumber": 1, "etag": "e"}], "multipartId": "m"},
            "multipartId",
        ),
    ],
)
def test_unknown_body_fields_are_refused(
    local_app: App, path: str, body: dict[str, Any], field: str
) -> None:
    answer = local_app.client.post(path, json=body, headers=local_app.staff().auth)
    error = error_of(answer, 422, "validation_failed")
    assert [f["field"] for f in error["details"]["fields"]] == [field]


def test_the_local_store_never_has_parts_to_complete(local_app: App) -> None:
    artist = local_app.staff()
    key = local_app.upload(artist)
    answer = local_app.client.post(
        "/uploads/complete",
        json={"s3Key": key, "parts": [{"partNumber": 1, "etag": '"x"'}]},
        headers=artist.auth,
    )
    error_of(answer, 404, "upload_not_found")
    assert local_app.register(artist, key).status_code == 201


# -- multipart on S3 --------------------------------------------------------------------------


def test_a_large_video_goes_to_s3_in_parts(s3_app: App) -> None:
    app = s3_app
    artist = app.staff()
    size = 2 * S3_PART_SIZE + MIB  # 11 MiB: two full parts and a short last one
    data = app.presigned(artist, size=size, filename="feature.mp4")
    key = data["s3Key"]
    assert data["uploadUrl"] is None
    assert data["headers"] == {}
    assert data["multipartId"]
    parts = data["parts"]
    assert [(p["partNumber"], p["size"]) for p in parts] == [
        (1, S3_PART_SIZE),
        (2, S3_PART_SIZE),
        (3, MIB),
    ]

    body = os.urandom(size)
    completed, offset = [], 0
    for part in parts:
        assert part["url"].startswith(f"{app.s3_endpoint}/{app.bucket}/{key}?")
        chunk = body[offset : offset + part["size"]]
        offset += part["size"]
        answer = httpx.put(part["url"], content=chunk, timeout=60)
        assert answer.status_code == 200, answer.text
        completed.append({"partNumber": part["partNumber"], "etag": answer.headers["etag"]})
    assert offset == size

    # The parts are not a file until they are assembled.
    error_of(app.register(artist, key), 409, "upload_incomplete")
    answer = app.client.post(
        "/uploads/complete", json={"s3Key": key, "parts": completed}, headers=artist.auth
    )
    assert answer.status_code == 204, answer.text
    assert app.multipart_uploads() == []

    registered = app.register(artist, key, title="Feature")
    assert registered.status_code == 201, registered.text
    assert registered.json()["data"]["size"] == size
    assert key not in registered.text
    stored = app.stat(key)
    assert stored is not None
    assert (stored.size, stored.content_type) == (size, "video/mp4")
    assert app.titles(artist) == ["Feature"]


# -- the sweep --------------------------------------------------------------------------------


def test_the_sweep_removes_expired_uploads_and_nothing_else(open_app: AppFactory) -> None:
    app = open_app(UPLOAD_URL_TTL_SECONDS="60")
    artist = app.staff()
    clock = use_clock(app.client, ManualClock())
    registered = app.upload(artist)
    assert app.register(artist, registered).status_code == 201
    sent = app.upload(artist)  # bytes sent, never registered
    never_sent = app.presigned(artist)["s3Key"]
    expiring = [sent, never_sent]
    if app.kind == "s3":
        parts = app.presigned(artist, size=2 * S3_PART_SIZE + 1)
        assert parts["parts"]
        expiring.append(parts["s3Key"])
        assert app.multipart_uploads() == [parts["s3Key"]]
    assert app.stat(sent) is not None

    assert app.sweep() == 0  # nothing has expired yet
    clock.advance(61)
    alive = app.presigned(artist)["s3Key"]  # presigned just now: good for another minute

    assert app.sweep() == len(expiring)
    for key in expiring:
        assert app.upload_record(key) is None, key
        assert app.stat(key) is None, key
    if app.kind == "s3":
        assert app.multipart_uploads() == []
    # A registered video keeps its file; an upload still in time keeps its record.
    assert app.stat(registered) is not None
    assert app.titles(artist) == ["Pilot"]
    assert app.upload_record(alive) is not None
    assert app.sweep() == 0


def test_the_sweep_command_with_nothing_expired(local_app: App, tmp_path: Path) -> None:
    key = local_app.presigned(local_app.staff())["s3Key"]  # pending, in time
    data_dir = local_app.container.settings().data_dir
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli.main", "uploads", "sweep"],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "DATA_DIR": str(data_dir),
            "APP_ENV": "test",
            "LOG_LEVEL": "WARNING",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Removed 0 expired upload(s).", done.stdout
    assert local_app.upload_record(key) is not None


# -- readiness with S3 ------------------------------------------------------------------------


def test_ready_checks_the_bucket(s3_app: App) -> None:
    answer = s3_app.client.get("/ready")
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["checks"] == {"data_dir": "ok", "sqlite": "ok", "s3": "ok"}


def test_ready_is_503_naming_s3_when_the_bucket_is_missing(
    make_client: ClientFactory, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", TEST_REGION)
    missing = f"missing-{uuid.uuid4().hex[:12]}"
    client = make_client(S3_BUCKET=missing, S3_ENDPOINT_URL=s3_endpoint, **S3_SETTINGS)
    error = error_of(client.get("/ready"), 503, "not_ready")
    assert "s3" in error["message"]
    checks = error["details"]["checks"]
    assert checks["data_dir"] == checks["sqlite"] == "ok"
    assert missing in checks["s3"]
    assert "does not exist" in checks["s3"]


# -- over real HTTP: a real server process and the local store --------------------------------


@pytest.mark.server
def test_presign_put_register_list_through_a_real_server(tmp_path: Path) -> None:
    env = {"BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with running_server(tmp_path, env) as server, server.client() as http:

        def login(email: str, password: str) -> dict[str, str]:
            answer = http.post("/auth/login", json={"email": email, "password": password})
            assert answer.status_code == 200, answer.text
            return bearer(answer.json()["data"]["accessToken"])

        admin = login(ADMIN_EMAIL, ADMIN_PASSWORD)
        email = unique_email("artist")
        made = http.post(
            "/users",
            json={"email": email, "name": "Ann", "role": "artist", "password": STAFF_PASSWORD},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        artist = login(email, STAFF_PASSWORD)

        presigned = http.post(
            "/uploads/presign",
            json={
                "filename": "pilot.mp4",
                "contentType": "video/mp4",
                "size": len(BODY),
                "purpose": "video",
            },
            headers=artist,
        )
        assert presigned.status_code == 200, presigned.text
        data = presigned.json()["data"]
        # The URL names the server itself (HOST:PORT): a plain HTTP client can use it as is.
        assert data["uploadUrl"].startswith(f"{server.url}/media/upload?token=")
        put = httpx.put(data["uploadUrl"], content=BODY, headers=data["headers"], timeout=10)
        assert put.status_code == 204, put.text

        registered = http.post(
            "/creator/videos", json={"s3Key": data["s3Key"], "title": "Pilot"}, headers=artist
        )
        assert registered.status_code == 201, registered.text
        assert data["s3Key"] not in registered.text
        listed = http.get("/creator/videos", headers=artist)
        assert [v["title"] for v in listed.json()["data"]] == ["Pilot"]
        assert data["s3Key"] not in listed.text
        assert http.get("/creator/videos", headers=admin).json()["data"] == []
