"""The micro-drama catalogue over HTTP, end to end: a creator uploads a video, builds a series
and an episode and submits them; a moderator rejects or approves; viewers watch the result.

The full flow runs on both blob stores (the local folder, served by the app, and S3 through
moto's server, where the upload crosses a real socket), as the uploads tests do, and once
more with MongoDB (mongoeco's server) as the store instead of SQLite. The rules
that never reach a store (moderation with reasons, illegal moves, ``If-Match``, idempotency,
body shapes) run on the embedded default.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from litestar.testing import TestClient

from domain.identity.model import Role
from domain.media.model import Video, VideoStatus
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.http.test_uploads_and_videos import App, _opener
from tests.support.content_http import (
    CATALOG_EPISODE_KEYS,
    CATALOG_SERIES_KEYS,
    EPISODE_KEYS,
    SERIES_KEYS,
    act,
    data_of,
    items_of,
    local_video,
    new_episode,
    new_series,
    token_auth,
)
from tests.support.identity_http import (
    error_of,
    on_app_loop,
    seed_studio,
    sign_in_admin,
    signed_in_as,
)
from tests.support.s3_server import fresh_bucket, shared_s3_endpoint

Client = TestClient[Any]
ClientFactory = Callable[..., Client]
Auth = dict[str, str]


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """moto's S3 server, shared with the other suites (started lazily)."""
    return shared_s3_endpoint()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Iterator[str]:
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fresh_bucket(s3_endpoint)) as bucket,
    ):
        yield bucket


@pytest.fixture(params=["local", "s3", "mongo"])
def app(
    request: pytest.FixtureRequest, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> App:
    """The real app on each blob store (SQLite), and once on MongoDB (local media)."""
    if request.param != "mongo":
        return _opener(request.param, request, make_client, monkeypatch)()
    mongo_uri: str = request.getfixturevalue("mongo_uri")
    database = f"content_{uuid.uuid4().hex[:8]}"
    client = make_client(MONGODB_URI=mongo_uri, MONGODB_DATABASE=database)
    # Only the embedded store seeds the demo studio: make it, with the same admin.
    seed_studio(client, "demo", admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD)
    return App("local", client)


# -- the whole flow, on both stores -----------------------------------------------------------


def test_upload_create_submit_approve_and_watch(app: App) -> None:
    client = app.client
    admin = app.admin()
    artist = app.staff(Role.ARTIST, admin)
    viewer = app.staff(Role.VIEWER, admin)

    # The creator uploads the bytes to the store and registers the video.
    key = app.upload(artist)
    registered = app.register(artist, key, title="Ep 1 master")
    video = data_of(registered, 201)
    secrets = [key, key.rsplit("/", 2)[-2]]  # the storage key and its upload id
    answers = [registered]

    # A series, then its first episode with that video.
    created = client.post(
        "/creator/series",
        json={"title": "  Rain   Over Seoul ", "synopsis": "Two strangers.", "tags": ["Romance"]},
        headers=artist.auth,
    )
    series = data_of(created, 201)
    assert set(series) == SERIES_KEYS
    assert created.headers["location"] == f"/creator/series/{series['id']}"
    assert created.headers["etag"] == '"1"'
    assert series | {"id": "", "createdAt": "", "updatedAt": ""} == {
        "id": "",
        "title": "Rain Over Seoul",
        "synopsis": "Two strangers.",
        "tags": ["romance"],
        "status": "draft",
        "ownerId": artist.user_id,
        "rejection": None,
        "publishedEpisodes": 0,
        "popularity": 0,
        "submittedAt": None,
        "publishedAt": None,
        "createdAt": "",
        "updatedAt": "",
        "revision": 1,
    }
    series_id = series["id"]
    made = client.post(
        f"/creator/series/{series_id}/episodes",
        json={"number": 1, "title": "The Bus Stop", "videoId": video["id"]},
        headers=artist.auth,
    )
    episode = data_of(made, 201)
    assert set(episode) == EPISODE_KEYS
    assert made.headers["location"] == f"/creator/series/{series_id}/episodes/{episode['id']}"
    assert made.headers["etag"] == '"1"'
    assert (episode["seriesId"], episode["videoId"], episode["status"]) == (
        series_id,
        video["id"],
        "draft",
    )
    episode_id = episode["id"]
    answers += [created, made]

    # Nothing of it shows in the catalogue yet.
    assert items_of(client.get("/content/series", headers=viewer.auth)) == []
    error_of(
        client.get(f"/content/series/{series_id}", headers=viewer.auth), 404, "series_not_found"
    )

    # Submitted: the series and the episode wait in the moderation queues.
    submitted = client.post(f"/creator/series/{series_id}/submit", headers=artist.auth)
    assert data_of(submitted)["status"] == "pending"
    assert submitted.headers["etag"] == '"2"'
    path = f"/creator/series/{series_id}/episodes/{episode_id}/submit"
    assert data_of(client.post(path, headers=artist.auth))["status"] == "pending"
    pending_series = client.get("/admin/series/pending", headers=admin.auth)
    pending_episodes = client.get("/admin/episodes/pending", headers=admin.auth)
    assert [s["id"] for s in items_of(pending_series)] == [series_id]
    assert [e["id"] for e in items_of(pending_episodes)] == [episode_id]
    assert pending_episodes.json()["meta"] == {"total": 1, "page": 1, "limit": 20, "totalPages": 1}
    assert set(items_of(pending_episodes)[0]) == EPISODE_KEYS
    answers += [pending_series, pending_episodes]

    # Approving the episode publishes it, and the pending series with it.
    approved = client.post(f"/admin/episodes/{episode_id}/approve", headers=admin.auth)
    assert data_of(approved)["status"] == "published"
    assert data_of(approved)["publishedAt"] is not None
    assert items_of(client.get("/admin/series/pending", headers=admin.auth)) == []
    own = data_of(client.get(f"/creator/series/{series_id}", headers=artist.auth))
    assert (own["status"], own["publishedEpisodes"]) == ("published", 1)
    assert own["publishedAt"] is not None

    # A viewer finds it, opens it, lists its episodes and opens the episode.
    listed = client.get("/content/series", headers=viewer.auth)
    [shown] = items_of(listed)
    assert set(shown) == CATALOG_SERIES_KEYS
    assert (shown["id"], shown["title"], shown["preview"]) == (series_id, "Rain Over Seoul", False)
    opened = client.get(f"/content/series/{series_id}", headers=viewer.auth)
    assert data_of(opened) == shown
    episodes = client.get(f"/content/series/{series_id}/episodes", headers=viewer.auth)
    [listed_episode] = items_of(episodes)
    assert set(listed_episode) == CATALOG_EPISODE_KEYS
    assert listed_episode | {"publishedAt": "", "createdAt": "", "updatedAt": ""} == {
        "id": episode_id,
        "seriesId": series_id,
        "number": 1,
        "title": "The Bus Stop",
        "status": "published",
        "publishedAt": "",
        "createdAt": "",
        "updatedAt": "",
        "free": True,
        "locked": False,
        "preview": False,
    }
    single = client.get(f"/content/episodes/{episode_id}", headers=viewer.auth)
    assert data_of(single) == listed_episode
    answers += [submitted, approved, listed, opened, episodes, single]

    # Where the file lives is the server's business: in no answer, under no name.
    for answer in answers:
        for secret in secrets:
            assert secret not in answer.text
        for name in ("s3Key", "storageKey", "storage_key", "key"):
            assert f'"{name}"' not in answer.text


# -- moderation with reasons, and what is refused ---------------------------------------------


@pytest.fixture
def client(make_client: ClientFactory) -> Client:
    return make_client()


@pytest.fixture
def admin(client: Client) -> Auth:
    return token_auth(sign_in_admin(client))


@pytest.fixture
def artist(client: Client, admin: Auth) -> Auth:
    return token_auth(signed_in_as(client, admin["Authorization"][7:], Role.ARTIST))


def test_rejected_with_a_reason_edited_resubmitted_and_approved(
    client: Client, admin: Auth, artist: Auth
) -> None:
    video_id = local_video(client, artist)
    series_id = new_series(client, artist, status="pending")
    episode_id = new_episode(client, artist, series_id, video_id, status="pending")
    base = f"/creator/series/{series_id}/episodes/{episode_id}"

    note = "The sound drops at 0:42."
    rejected = act(
        client,
        admin,
        f"/admin/episodes/{episode_id}/reject",
        {"reason": "low_quality", "note": note},
    )
    assert rejected["status"] == "rejected"
    assert rejected["rejection"] == {"reason": "low_quality", "note": note}
    seen = data_of(client.get(base, headers=artist))
    assert seen["rejection"] == {"reason": "low_quality", "note": note}
    assert [e["id"] for e in items_of(client.get("/admin/episodes/pending", headers=admin))] == []

    # The creator fixes it (a rejected episode may be edited) and sends it again.
    fixed = data_of(client.patch(base, json={"title": "Episode 1 (remastered)"}, headers=artist))
    assert (fixed["status"], fixed["title"]) == ("rejected", "Episode 1 (remastered)")
    again = act(client, artist, f"{base}/submit")
    assert (again["status"], again["rejection"]) == ("pending", None)
    approved = act(client, admin, f"/admin/episodes/{episode_id}/approve")
    assert approved["status"] == "published"

    # A series is rejected the same way; "other" needs a note.
    other = new_series(client, artist, "Another Story", status="pending")
    error_of(
        client.post(f"/admin/series/{other}/reject", json={"reason": "other"}, headers=admin),
        422,
        "invalid_content",
    )
    series = act(
        client,
        admin,
        f"/admin/series/{other}/reject",
        {"reason": "other", "note": "Too close to an existing title."},
    )
    assert series["rejection"] == {"reason": "other", "note": "Too close to an existing title."}
    resubmitted = act(client, artist, f"/creator/series/{other}/submit")
    assert (resubmitted["status"], resubmitted["rejection"]) == ("pending", None)


def test_an_unknown_reason_or_field_is_refused(client: Client, admin: Auth, artist: Auth) -> None:
    video_id = local_video(client, artist)
    series_id = new_series(client, artist, status="pending")
    episode_id = new_episode(client, artist, series_id, video_id, status="pending")
    for path in (f"/admin/episodes/{episode_id}/reject", f"/admin/series/{series_id}/reject"):
        error = error_of(
            client.post(path, json={"reason": "boring"}, headers=admin), 422, "validation_failed"
        )
        assert error["details"]["fields"][0]["field"] == "reason"
        error_of(client.post(path, json={}, headers=admin), 422, "validation_failed")
        error_of(
            client.post(path, json={"reason": "copyright", "by": "me"}, headers=admin),
            422,
            "validation_failed",
        )
        error_of(
            client.post(path, json={"reason": "copyright", "note": "x" * 2001}, headers=admin),
            422,
            "validation_failed",
        )
    # Nothing moved.
    assert (
        data_of(client.get(f"/creator/series/{series_id}", headers=artist))["status"] == "pending"
    )

    episodes = f"/creator/series/{series_id}/episodes"
    refused = [
        ("/creator/series", {"title": "T", "ownerId": "someone"}, "ownerId"),
        ("/creator/series", {"title": "T", "status": "published"}, "status"),
        ("/creator/series", {"title": ""}, "title"),
        ("/creator/series", {"title": "x" * 201}, "title"),
        ("/creator/series", {"title": "T", "tags": ["x" * 41]}, "tags[0]"),
        ("/creator/series", {"title": "T", "synopsis": "x" * 5001}, "synopsis"),
        (episodes, {"number": 0, "title": "T", "videoId": video_id}, "number"),
        (
            episodes,
            {"number": 2, "title": "T", "videoId": video_id, "status": "published"},
            "status",
        ),
        (episodes, {"number": 2, "title": "T", "videoId": video_id, "seriesId": "x"}, "seriesId"),
        (episodes, {"number": 2, "title": "T"}, "videoId"),
    ]
    for path, body, field in refused:
        error = error_of(client.post(path, json=body, headers=artist), 422, "validation_failed")
        assert [f["field"] for f in error["details"]["fields"]] == [field], (body, error)
    patches = [
        (f"/creator/series/{series_id}", {"status": "published"}),
        (f"/creator/series/{series_id}", {"title": None}),
        (f"{episodes}/{episode_id}", {"seriesId": series_id}),
    ]
    for path, body in patches:
        error_of(client.patch(path, json=body, headers=artist), 422, "validation_failed")
    error_of(
        client.patch(f"/creator/series/{series_id}", json={}, headers=artist), 422, "empty_patch"
    )


def test_an_episode_whose_video_is_not_playable_is_not_approved(
    client: Client, admin: Auth, artist: Auth
) -> None:
    video_id = local_video(client, artist)
    series_id = new_series(client, artist)
    episode_id = new_episode(client, artist, series_id, video_id, status="pending")
    service = client.app.state.container

    studio_id = data_of(client.get("/studio", headers=artist))["id"]

    async def mark(status: VideoStatus) -> None:
        async with service.persistence().unit_of_work() as uow:
            video: Video = await uow.videos.get(studio_id, video_id)
            await uow.videos.save(replace(video, status=status), expected_revision=video.revision)
            await uow.commit()

    for status in (VideoStatus.PROCESSING, VideoStatus.FAILED):
        on_app_loop(client, partial(mark, status))
        error = error_of(
            client.post(f"/admin/episodes/{episode_id}/approve", headers=admin),
            409,
            "video_not_ready",
        )
        assert error["details"] == {"videoStatus": str(status)}
    on_app_loop(client, lambda: mark(VideoStatus.READY))
    assert act(client, admin, f"/admin/episodes/{episode_id}/approve")["status"] == "published"


def test_illegal_moves_are_409_with_their_codes(client: Client, admin: Auth, artist: Auth) -> None:
    video_id = local_video(client, artist)
    series_id = new_series(client, artist)
    episode_id = new_episode(client, artist, series_id, video_id)
    base = f"/creator/series/{series_id}/episodes/{episode_id}"

    moves = [
        (admin, f"/admin/episodes/{episode_id}/approve", "illegal_transition"),  # a draft
        (admin, f"/admin/episodes/{episode_id}/unpublish", "illegal_transition"),
        (artist, f"{base}/withdraw", "illegal_transition"),
        (artist, f"/creator/series/{series_id}/withdraw", "illegal_transition"),
        (admin, f"/admin/series/{series_id}/approve", "illegal_transition"),
        (admin, f"/admin/series/{series_id}/unpublish", "illegal_transition"),
        (admin, f"/admin/series/{series_id}/restore", "illegal_transition"),
    ]
    for auth, path, code in moves:
        error = error_of(client.post(path, headers=auth), 409, code)
        assert error["details"]["status"] == "draft", error

    # Under review, an episode is locked: withdraw it first.
    act(client, artist, f"{base}/submit")
    error_of(client.post(f"{base}/submit", headers=artist), 409, "illegal_transition")
    error_of(client.patch(base, json={"title": "New"}, headers=artist), 409, "episode_locked")
    assert act(client, artist, f"{base}/withdraw")["status"] == "draft"

    # Numbers are unique in a series; the video must be the series owner's.
    error_of(
        client.post(
            f"/creator/series/{series_id}/episodes",
            json={"number": 1, "title": "Again", "videoId": video_id},
            headers=artist,
        ),
        409,
        "episode_number_taken",
    )
    admins_video = local_video(client, admin)
    error_of(
        client.post(
            f"/creator/series/{series_id}/episodes",
            json={"number": 2, "title": "Theirs", "videoId": admins_video},
            headers=artist,
        ),
        422,
        "unknown_video",
    )

    # A rejected series publishes nothing; an archived one changes nothing.
    act(client, artist, f"/creator/series/{series_id}/submit")
    act(client, admin, f"/admin/series/{series_id}/reject", {"reason": "copyright"})
    act(client, artist, f"{base}/submit")
    error_of(
        client.post(f"/admin/episodes/{episode_id}/approve", headers=admin),
        409,
        "series_not_publishable",
    )
    act(client, admin, f"/admin/series/{series_id}/archive")
    error_of(
        client.patch(f"/creator/series/{series_id}", json={"title": "New"}, headers=artist),
        409,
        "series_archived",
    )
    error_of(
        client.post(f"/admin/series/{series_id}/archive", headers=admin), 409, "illegal_transition"
    )
    assert act(client, admin, f"/admin/series/{series_id}/restore")["status"] == "draft"


def test_if_match_is_honoured_when_sent_and_never_required(
    client: Client, admin: Auth, artist: Auth
) -> None:
    video_id = local_video(client, artist)
    series_id = new_series(client, artist)
    episode_id = new_episode(client, artist, series_id, video_id)
    series_path = f"/creator/series/{series_id}"
    episode_path = f"{series_path}/episodes/{episode_id}"

    # Without If-Match (the front end never sends it): applied, no 428.
    changed = client.patch(series_path, json={"synopsis": "One."}, headers=artist)
    assert data_of(changed)["revision"] == 2
    assert changed.headers["etag"] == '"2"'
    # With the current ETag: applied; with an old one or one that names no revision: 412.
    current = client.patch(
        series_path, json={"synopsis": "Two."}, headers=artist | {"If-Match": '"2"'}
    )
    assert current.headers["etag"] == '"3"'
    for stale in ('"2"', '"99"', "W/3", "3", '"three"'):
        error_of(
            client.patch(series_path, json={"synopsis": "x"}, headers=artist | {"If-Match": stale}),
            412,
            "stale_revision",
        )
    assert data_of(client.get(series_path, headers=artist))["synopsis"] == "Two."
    assert (
        client.patch(
            series_path, json={"synopsis": "Any."}, headers=artist | {"If-Match": "*"}
        ).status_code
        == 200
    )

    # The same on episodes and on the action routes.
    error_of(
        client.patch(episode_path, json={"title": "x"}, headers=artist | {"If-Match": '"7"'}),
        412,
        "stale_revision",
    )
    error_of(
        client.post(f"{episode_path}/submit", headers=artist | {"If-Match": '"7"'}),
        412,
        "stale_revision",
    )
    submitted = client.post(f"{episode_path}/submit", headers=artist | {"If-Match": '"1"'})
    assert submitted.headers["etag"] == '"2"'
    error_of(
        client.post(f"/admin/episodes/{episode_id}/approve", headers=admin | {"If-Match": '"1"'}),
        412,
        "stale_revision",
    )
    approved = client.post(
        f"/admin/episodes/{episode_id}/approve", headers=admin | {"If-Match": '"2"'}
    )
    assert data_of(approved)["status"] == "published"
    assert approved.headers["etag"] == '"3"'

    # The ETag of a GET: If-None-Match with it is 304.
    got = client.get(episode_path, headers=artist)
    assert got.headers["etag"] == '"3"'
    assert client.get(episode_path, headers=artist | {"If-None-Match": '"3"'}).status_code == 304


def test_creating_posts_honour_idempotency_keys(client: Client, artist: Auth) -> None:
    video_id = local_video(client, artist)
    keyed = artist | {"Idempotency-Key": "series-create-1"}
    body = {"title": "Once Only", "tags": ["a"]}
    first = client.post("/creator/series", json=body, headers=keyed)
    again = client.post("/creator/series", json=body, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    error_of(
        client.post("/creator/series", json={"title": "Something Else"}, headers=keyed),
        422,
        "idempotency_key_reused",
    )
    assert len(items_of(client.get("/creator/series", headers=artist))) == 1

    series_id = first.json()["data"]["id"]
    episode = {"number": 1, "title": "Pilot", "videoId": video_id}
    keyed = artist | {"Idempotency-Key": "episode-create-1"}
    path = f"/creator/series/{series_id}/episodes"
    made = client.post(path, json=episode, headers=keyed)
    replayed = client.post(path, json=episode, headers=keyed)
    assert (made.status_code, replayed.status_code) == (201, 201)
    assert replayed.json() == made.json()
    assert replayed.headers["location"] == made.headers["location"]
    assert len(items_of(client.get(path, headers=artist))) == 1
    bad_key = artist | {"Idempotency-Key": "has space"}
    error_of(client.post(path, json=episode, headers=bad_key), 400, "invalid_parameter")


def test_an_episode_is_addressed_under_its_own_series(client: Client, artist: Auth) -> None:
    video_id = local_video(client, artist)
    first = new_series(client, artist, "First")
    second = new_series(client, artist, "Second")
    episode_id = new_episode(client, artist, first, video_id)
    wrong = f"/creator/series/{second}/episodes/{episode_id}"
    for answer in (
        client.get(wrong, headers=artist),
        client.patch(wrong, json={"title": "Moved?"}, headers=artist),
        client.post(f"{wrong}/submit", headers=artist),
        client.post(f"{wrong}/withdraw", headers=artist),
    ):
        error_of(answer, 404, "episode_not_found")
    right = data_of(client.get(f"/creator/series/{first}/episodes/{episode_id}", headers=artist))
    assert (right["title"], right["status"], right["revision"]) == ("Episode 1", "draft", 1)
    for malformed in ("nope", "0" * 40):
        error_of(
            client.get(f"/creator/series/{malformed}", headers=artist), 404, "series_not_found"
        )
        error_of(
            client.get(f"/content/episodes/{malformed}", headers=artist), 404, "episode_not_found"
        )


def test_the_content_routes_are_in_the_api_reference(client: Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/creator/series": {"get", "post"},
        "/creator/series/{series_id}": {"get", "patch"},
        "/creator/series/{series_id}/submit": {"post"},
        "/creator/series/{series_id}/withdraw": {"post"},
        "/creator/series/{series_id}/episodes": {"get", "post"},
        "/creator/series/{series_id}/episodes/{episode_id}": {"get", "patch"},
        "/creator/series/{series_id}/episodes/{episode_id}/submit": {"post"},
        "/creator/series/{series_id}/episodes/{episode_id}/withdraw": {"post"},
        "/admin/series/pending": {"get"},
        "/admin/episodes/pending": {"get"},
        "/content/series": {"get"},
        "/content/series/{series_id}": {"get"},
        "/content/series/{series_id}/episodes": {"get"},
        "/content/episodes/{episode_id}": {"get"},
    }
    for action in ("approve", "reject", "unpublish"):
        expected[f"/admin/episodes/{{episode_id}}/{action}"] = {"post"}
    for action in ("approve", "reject", "unpublish", "archive", "restore"):
        expected[f"/admin/series/{{series_id}}/{action}"] = {"post"}
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path

    def headers_of(path: str, method: str) -> set[str]:
        parameters = paths[path][method].get("parameters", [])
        return {p["name"] for p in parameters if p["in"] == "header"}

    assert "idempotency-key" in headers_of("/creator/series", "post")
    assert "if-match" in headers_of("/creator/series/{series_id}", "patch")
    assert "if-match" in headers_of("/admin/episodes/{episode_id}/approve", "post")
    reject = paths["/admin/episodes/{episode_id}/reject"]["post"]
    assert "requestBody" in reject
