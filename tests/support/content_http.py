"""Helpers for the content routes over the in-process client: videos uploaded to the local
store through the app, series and episodes made and moved through the API, and the shapes
every content answer must have."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar.testing import TestClient

from tests.support.identity_http import bearer

Client = TestClient[Any]
Auth = dict[str, str]
VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(2000)

SERIES_KEYS = {
    "id",
    "title",
    "synopsis",
    "tags",
    "status",
    "ownerId",
    "rejection",
    "publishedEpisodes",
    "popularity",
    "submittedAt",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "revision",
}
EPISODE_KEYS = {
    "id",
    "seriesId",
    "number",
    "title",
    "videoId",
    "status",
    "ownerId",
    "rejection",
    "submittedAt",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "revision",
}
CATALOG_SERIES_KEYS = {
    "id",
    "title",
    "synopsis",
    "tags",
    "status",
    "ownerId",
    "publishedEpisodes",
    "popularity",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "preview",
}
CATALOG_EPISODE_KEYS = {
    "id",
    "seriesId",
    "number",
    "title",
    "status",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "free",
    "locked",
    "preview",
}
PAGE_META_KEYS = {"total", "page", "limit", "totalPages"}
CURSOR_META_KEYS = {"nextCursor", "limit"}


def token_auth(session: dict[str, Any]) -> Auth:
    return bearer(session["accessToken"])


def local_video(client: Client, auth: Auth, title: str = "Pilot") -> str:
    """Presign, PUT to the local store through the app, register: the new video's id."""
    presigned = client.post(
        "/uploads/presign",
        json={
            "filename": "pilot.mp4",
            "contentType": "video/mp4",
            "size": len(VIDEO_BYTES),
            "purpose": "video",
        },
        headers=auth,
    )
    assert presigned.status_code == 200, presigned.text
    data = presigned.json()["data"]
    url = urlsplit(data["uploadUrl"])
    sent = client.put(f"{url.path}?{url.query}", content=VIDEO_BYTES, headers=data["headers"])
    assert sent.status_code == 204, sent.text
    registered = client.post(
        "/creator/videos", json={"s3Key": data["s3Key"], "title": title}, headers=auth
    )
    assert registered.status_code == 201, registered.text
    video_id: str = registered.json()["data"]["id"]
    return video_id


def data_of(response: Any, status: int = 200) -> dict[str, Any]:
    """The ``data`` of a success answer, after checking its status and envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"data"}, body
    data: dict[str, Any] = body["data"]
    return data


def items_of(response: Any) -> list[dict[str, Any]]:
    """The items of a list answer, after checking its envelope and ``meta``."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "meta"}, body
    assert set(body["meta"]) in (PAGE_META_KEYS, CURSOR_META_KEYS), body["meta"]
    items: list[dict[str, Any]] = body["data"]
    return items


def new_series(client: Client, auth: Auth, title: str = "Rain Over Seoul", **body: Any) -> str:
    data = data_of(client.post("/creator/series", json={"title": title, **body}, headers=auth), 201)
    series_id: str = data["id"]
    return series_id


def new_episode(
    client: Client, auth: Auth, series_id: str, video_id: str, number: int = 1, **body: Any
) -> str:
    payload = {"number": number, "title": f"Episode {number}", "videoId": video_id, **body}
    answer = client.post(f"/creator/series/{series_id}/episodes", json=payload, headers=auth)
    episode_id: str = data_of(answer, 201)["id"]
    return episode_id


def act(client: Client, auth: Auth, path: str, body: dict[str, Any] | None = None) -> Any:
    """POST an action (``/admin/episodes/{id}/approve``...) and expect it to succeed."""
    return data_of(client.post(path, json=body, headers=auth))


@dataclass(frozen=True)
class Content:
    """A series and its first episode, both owned by one creator, with that creator's video."""

    series_id: str
    episode_id: str
    video_id: str


def content_in(
    client: Client, owner: Auth, moderator: Auth, video_id: str, state: str, title: str = "Drama"
) -> Content:
    """A series and its episode 1 in ``state``: draft, pending (both submitted), published
    (the episode approved, and the series with it) or archived (a draft series archived)."""
    initial = "pending" if state in ("pending", "published") else "draft"
    series_id = new_series(client, owner, title, status=initial)
    episode_id = new_episode(client, owner, series_id, video_id, status=initial)
    if state == "published":
        act(client, moderator, f"/admin/episodes/{episode_id}/approve")
    elif state == "archived":
        act(client, moderator, f"/admin/series/{series_id}/archive")
    return Content(series_id, episode_id, video_id)
