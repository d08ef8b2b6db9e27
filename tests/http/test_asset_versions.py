# ruff: noqa: F811 - pytest fixtures imported from the media tests are requested by name
"""Asset versions over HTTP on both blob stores: upload, register (verified, SHA-256 from the
stored bytes), list newest first, download through a short-lived URL; and the refusals."""

import hashlib
import os
from typing import Any
from urllib.parse import urlsplit

import httpx

from domain.identity.model import Role
from tests.http.test_uploads_and_videos import (  # noqa: F401 - fixtures used by name
    LOCAL_ORIGIN,
    App,
    Staff,
    app,
    open_app,
    s3_bucket,
    s3_endpoint,
)
from tests.support.identity_http import error_of

MODEL = os.urandom(4096)
TEXTURE = os.urandom(2500)


def new_asset(app: App, who: Staff, name: str = "Hero Rig") -> dict[str, Any]:
    response = app.client.post("/assets", json={"name": name, "type": "rig"}, headers=who.auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def upload(app: App, who: Staff, body: bytes, content_type: str, filename: str) -> str:
    presigned = app.client.post(
        "/uploads/presign",
        json={
            "filename": filename,
            "contentType": content_type,
            "size": len(body),
            "purpose": "asset_version",
        },
        headers=who.auth,
    )
    assert presigned.status_code == 200, presigned.text
    data = presigned.json()["data"]
    sent = app.send(data["uploadUrl"], body, data["headers"])
    assert sent.status_code in (200, 204), sent.text
    key: str = data["s3Key"]
    return key


def fetch(app: App, url: str) -> bytes:
    if app.kind == "local":
        assert url.startswith(f"{LOCAL_ORIGIN}/media/download?token="), url
        parts = urlsplit(url)
        response = app.client.get(f"{parts.path}?{parts.query}")
    else:
        response = httpx.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return response.content


def test_versions_are_registered_listed_and_downloaded(app: App) -> None:
    artist = app.staff(Role.ARTIST)
    asset = new_asset(app, artist)
    url = f"/assets/{asset['id']}/versions"

    first_key = upload(app, artist, MODEL, "application/octet-stream", "hero.blend")
    first = app.client.post(url, json={"s3Key": first_key, "note": "blocking"}, headers=artist.auth)
    assert first.status_code == 201, first.text
    version = first.json()["data"]
    assert version["number"] == 1
    assert version["sha256"] == hashlib.sha256(MODEL).hexdigest()
    assert (version["size"], version["contentType"]) == (len(MODEL), "application/octet-stream")
    assert version["authorId"] == artist.user_id
    assert not {"s3Key", "storageKey"} & set(version)
    assert first.headers["location"] == f"{url}/1/download"

    second_key = upload(app, artist, TEXTURE, "image/png", "hero.png")
    second = app.client.post(url, json={"s3Key": second_key}, headers=artist.auth)
    assert second.status_code == 201, second.text
    assert second.json()["data"]["number"] == 2

    current = app.client.get(f"/assets/{asset['id']}", headers=artist.auth).json()["data"]
    assert current["currentVersion"] == 2
    listed = app.client.get(url, headers=artist.auth).json()
    assert [v["number"] for v in listed["data"]] == [2, 1]
    assert listed["meta"]["total"] == 2

    for number, body in ((1, MODEL), (2, TEXTURE)):
        answer = app.client.get(f"{url}/{number}/download", headers=artist.auth)
        assert answer.status_code == 200, answer.text
        assert fetch(app, answer.json()["data"]["url"]) == body
    error_of(
        app.client.get(f"{url}/3/download", headers=artist.auth), 404, "asset_version_not_found"
    )

    # An upload becomes a version once.
    again = app.client.post(url, json={"s3Key": first_key}, headers=artist.auth)
    error_of(again, 404, "upload_not_found")
    events = app.client.get(
        "/audit",
        params={"resourceType": "asset", "resourceId": asset["id"]},
        headers=app.admin().auth,
    ).json()["data"]
    assert [e["action"] for e in events][:2] == ["asset.version_added", "asset.version_added"]


def test_a_version_needs_a_finished_upload_of_its_own_kind(app: App) -> None:
    artist = app.staff(Role.ARTIST)
    asset = new_asset(app, artist)
    url = f"/assets/{asset['id']}/versions"
    # Presigned but never sent: nothing to register, and the asset is unchanged.
    presigned = app.client.post(
        "/uploads/presign",
        json={
            "filename": "x.png",
            "contentType": "image/png",
            "size": 10,
            "purpose": "asset_version",
        },
        headers=artist.auth,
    ).json()["data"]
    error_of(
        app.client.post(url, json={"s3Key": presigned["s3Key"]}, headers=artist.auth),
        409,
        "upload_incomplete",
    )
    # An upload made for a video is not an asset version.
    video = app.client.post(
        "/uploads/presign",
        json={"filename": "v.mp4", "contentType": "video/mp4", "size": 10, "purpose": "video"},
        headers=artist.auth,
    ).json()["data"]
    app.send(video["uploadUrl"], b"0123456789", video["headers"])
    error_of(
        app.client.post(url, json={"s3Key": video["s3Key"]}, headers=artist.auth),
        404,
        "upload_not_found",
    )
    # Someone else's upload is not yours to register.
    other = app.staff(Role.ARTIST)
    theirs = upload(app, other, MODEL, "application/octet-stream", "theirs.blend")
    error_of(
        app.client.post(url, json={"s3Key": theirs}, headers=artist.auth), 404, "upload_not_found"
    )
    after = app.client.get(f"/assets/{asset['id']}", headers=artist.auth).json()["data"]
    assert (after["currentVersion"], after["revision"]) == (None, 1)
