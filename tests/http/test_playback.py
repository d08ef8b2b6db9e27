"""``GET /video/play/{episodeId}`` over HTTP: the entitlement policy case by case (free, locked,
subscribed, expired, canceled, unpublished, staff preview, another studio), the signed URL and
its lifetime, the storage key kept out of every answer, and the metrics and audit trail of
plays and denials.

A series of four published episodes (the studio's default three free, the fourth locked for
viewers), a fifth episode still a draft, and a second series never published. One flow (play,
subscribe, progress, continue) runs on each blob store (local, S3 via moto) and once with
MongoDB (mongoeco's server) as the store.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from litestar.testing import TestClient

from domain.identity.model import Role
from domain.media.model import Video, VideoStatus
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.http.test_content_catalog import published_series
from tests.http.test_uploads_and_videos import BODY, LOCAL_ORIGIN, App, _opener
from tests.support.content_http import (
    VIDEO_BYTES,
    data_of,
    items_of,
    new_episode,
    new_series,
    token_auth,
)
from tests.support.identity_http import (
    STAFF_PASSWORD,
    ManualClock,
    container,
    error_of,
    on_app_loop,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
    unique_email,
    use_clock,
)
from tests.support.s3_server import fresh_bucket, shared_s3_endpoint

Client = TestClient[Any]
ClientFactory = Callable[..., Client]
Auth = dict[str, str]
PLAY_KEYS = {"url", "expiresAt", "episodeId", "seriesId", "free", "preview"}
STAFF_ROLES = [Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN]


@dataclass(frozen=True)
class World:
    client: Client
    people: dict[Role, Auth]
    viewer_id: str
    studio_id: str
    series_id: str
    episodes: list[str]  # numbers 1..4, published
    draft_episode: str  # number 5 of the same series, never submitted
    hidden_episode: str  # episode 1 of a series that was never published
    video_id: str

    @property
    def admin(self) -> Auth:
        return self.people[Role.ADMIN]

    @property
    def viewer(self) -> Auth:
        return self.people[Role.VIEWER]

    def play(self, episode_id: str, auth: Auth | None = None) -> Any:
        return self.client.get(f"/video/play/{episode_id}", headers=auth or self.viewer)

    def subscribe(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        path = f"/admin/users/{self.viewer_id}/subscription"
        return data_of(self.client.post(path, json=body, headers=self.admin))

    def storage_key(self) -> str:
        async def fetch() -> str:
            async with container(self.client).persistence().unit_of_work(read_only=True) as uow:
                video: Video = await uow.videos.get(self.studio_id, self.video_id)
                return video.storage_key

        return on_app_loop(self.client, fetch)

    def fetch(self, url: str) -> httpx.Response:
        """GET a local play URL through the app (it serves the local store's URLs)."""
        assert url.startswith(f"{LOCAL_ORIGIN}/media/download?token="), url
        parts = urlsplit(url)
        return self.client.get(f"{parts.path}?{parts.query}")


def build_world(client: Client) -> World:
    admin_session = sign_in_admin(client)
    admin_token = admin_session["accessToken"]
    sessions = {role: signed_in_as(client, admin_token, role) for role in Role if role != "admin"}
    people = {role: token_auth(session) for role, session in sessions.items()}
    people[Role.ADMIN] = token_auth(admin_session)
    artist = people[Role.ARTIST]
    series_id, episodes = published_series(client, artist, people[Role.ADMIN], range(1, 5), "Paid")
    [first] = items_of(client.get("/creator/videos", headers=artist))
    draft = new_episode(client, artist, series_id, first["id"], 5)
    hidden_series = new_series(client, artist, "Not Yet")
    hidden = new_episode(client, artist, hidden_series, first["id"], 1, status="pending")
    viewer = sessions[Role.VIEWER]["user"]
    return World(
        client=client,
        people=people,
        viewer_id=viewer["id"],
        studio_id=viewer["studioId"],
        series_id=series_id,
        episodes=episodes,
        draft_episode=draft,
        hidden_episode=hidden,
        video_id=first["id"],
    )


@pytest.fixture
def world(make_client: ClientFactory) -> World:
    return build_world(make_client())


def metric(client: Client, name: str, labels: str = "") -> float:
    text = client.get("/metrics").text
    pattern = rf"^{re.escape(name)}{re.escape(labels)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


# -- the cases of the policy ------------------------------------------------------------------


def test_a_free_episode_plays_with_a_short_lived_url_and_no_storage_key(world: World) -> None:
    clock = use_clock(world.client, ManualClock())
    answer = world.play(world.episodes[0])
    played = data_of(answer)
    assert set(played) == PLAY_KEYS
    assert (played["episodeId"], played["seriesId"]) == (world.episodes[0], world.series_id)
    assert (played["free"], played["preview"]) == (True, False)
    assert datetime.fromisoformat(played["expiresAt"]) == clock.now() + timedelta(seconds=300)
    assert answer.headers["cache-control"] == "no-store"
    key = world.storage_key()
    assert key not in answer.text
    for name in ("s3Key", "storageKey", "storage_key", "key"):
        assert f'"{name}"' not in answer.text

    fetched = world.fetch(played["url"])
    assert fetched.status_code == 200, fetched.text
    assert fetched.content == VIDEO_BYTES


def test_the_url_lifetime_is_a_setting(make_client: ClientFactory) -> None:
    world = build_world(make_client(PLAYBACK_URL_SECONDS="60"))
    clock = use_clock(world.client, ManualClock())
    played = data_of(world.play(world.episodes[0]))
    assert datetime.fromisoformat(played["expiresAt"]) == clock.now() + timedelta(seconds=60)


def test_a_locked_episode_needs_a_subscription_and_a_subscribed_viewer_plays_it(
    world: World,
) -> None:
    locked = world.episodes[3]
    error = error_of(world.play(locked), 403, "subscription_required")
    assert error["details"] == {"episodeId": locked}
    assert "subscription" in error["message"]
    # The catalogue agrees, before and after.
    shown = data_of(world.client.get(f"/content/episodes/{locked}", headers=world.viewer))
    assert (shown["free"], shown["locked"]) == (False, True)

    world.subscribe()  # the admin's toggle: active for 30 days
    played = data_of(world.play(locked))
    assert (played["free"], played["preview"]) == (False, False)
    assert world.fetch(played["url"]).content == VIDEO_BYTES
    shown = data_of(world.client.get(f"/content/episodes/{locked}", headers=world.viewer))
    assert (shown["free"], shown["locked"]) == (False, False)
    # Free episodes stay free for a subscriber.
    assert data_of(world.play(world.episodes[0]))["free"] is True


def test_an_expired_subscription_is_refused_as_expired(world: World) -> None:
    clock = use_clock(world.client, ManualClock())
    end = clock.now() + timedelta(minutes=5)
    world.subscribe({"status": "active", "currentPeriodEnd": end.isoformat()})
    locked = world.episodes[3]
    assert world.play(locked).status_code == 200
    clock.advance(300)  # the period end: nobody wrote anything
    error_of(world.play(locked), 403, "subscription_expired")
    shown = data_of(world.client.get(f"/content/episodes/{locked}", headers=world.viewer))
    assert shown["locked"] is True
    assert world.play(world.episodes[2]).status_code == 200  # free ones still play
    # Stored as expired by an admin: the same answer.
    world.subscribe({"status": "expired"})
    error_of(world.play(locked), 403, "subscription_expired")
    # Renewed: plays again.
    world.subscribe()
    assert world.play(locked).status_code == 200


def test_a_canceled_subscription_is_refused_as_required(world: World) -> None:
    world.subscribe()
    assert world.subscribe()["status"] == "canceled"  # the toggle again
    error_of(world.play(world.episodes[3]), 403, "subscription_required")
    world.subscribe({"status": "canceled", "currentPeriodEnd": "2099-01-01T00:00:00Z"})
    error_of(world.play(world.episodes[3]), 403, "subscription_required")


def test_unpublished_episodes_are_refused_to_viewers_and_previewed_by_staff(
    world: World,
) -> None:
    for episode_id in (world.draft_episode, world.hidden_episode):
        error_of(world.play(episode_id), 403, "not_published")
    # A subscription does not change that.
    world.subscribe()
    error_of(world.play(world.draft_episode), 403, "not_published")
    for role in STAFF_ROLES:
        for episode_id, free in ((world.draft_episode, False), (world.hidden_episode, True)):
            played = data_of(world.play(episode_id, world.people[role]))
            assert (played["preview"], played["free"]) == (True, free), role
        # Published episodes, locked or not, play for staff without a subscription.
        played = data_of(world.play(world.episodes[3], world.people[role]))
        assert (played["preview"], played["free"]) == (False, False)
    # An episode unpublished by a moderator is refused again.
    world.client.post(f"/admin/episodes/{world.episodes[0]}/unpublish", headers=world.admin)
    error_of(world.play(world.episodes[0]), 403, "not_published")


def test_plays_of_published_episodes_make_a_series_popular(world: World) -> None:
    client, artist = world.client, world.people[Role.ARTIST]
    other_id, other_episodes = published_series(client, artist, world.admin, range(1, 3), "Other")

    def popularity() -> list[tuple[str, int]]:
        answer = client.get(
            "/content/series", params={"sort": "popularity:desc"}, headers=world.viewer
        )
        return [(item["id"], item["popularity"]) for item in items_of(answer)]

    for _ in range(2):
        data_of(world.play(other_episodes[0]))
    data_of(world.play(world.episodes[0]))
    assert popularity() == [(other_id, 2), (world.series_id, 1)]
    # Refusals and staff previews of unpublished episodes are not plays of the catalogue.
    error_of(world.play(world.episodes[3]), 403, "subscription_required")
    data_of(world.play(world.draft_episode, world.people[Role.DIRECTOR]))
    data_of(world.play(world.episodes[0], world.people[Role.DIRECTOR]))
    assert popularity() == [(other_id, 2), (world.series_id, 2)]
    # Counting plays is not an edit: the creator's ETag still holds.
    series = client.get(f"/creator/series/{world.series_id}", headers=artist)
    patched = client.patch(
        f"/creator/series/{world.series_id}",
        json={"title": "Paid, renamed"},
        headers={**artist, "if-match": series.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert data_of(patched)["popularity"] == 2


def test_another_studios_episode_is_not_found_for_every_role(world: World) -> None:
    client = world.client
    email = unique_email("rival-admin")
    seed_studio(client, "rival", admin_email=email)
    rival_admin = token_auth(sign_in(client, email, STAFF_PASSWORD, studio="rival"))
    rival_viewer = token_auth(
        signed_in_as(client, rival_admin["Authorization"][7:], Role.VIEWER, studio="rival")
    )
    for auth in (rival_admin, rival_viewer):
        for episode_id in (*world.episodes, world.draft_episode, world.hidden_episode):
            error = error_of(world.play(episode_id, auth), 404, "episode_not_found")
            assert "details" not in error
    for malformed in ("nope", "0" * 40):
        error_of(world.play(malformed), 404, "episode_not_found")
    error_of(world.client.get(f"/video/play/{world.episodes[0]}"), 401, "authentication_required")


def test_an_episode_whose_video_is_not_playable_is_409(world: World) -> None:
    async def mark(status: VideoStatus) -> None:
        async with container(world.client).persistence().unit_of_work() as uow:
            video: Video = await uow.videos.get(world.studio_id, world.video_id)
            await uow.videos.save(replace(video, status=status), expected_revision=video.revision)
            await uow.commit()

    on_app_loop(world.client, lambda: mark(VideoStatus.FAILED))
    error = error_of(world.play(world.episodes[0]), 409, "video_not_ready")
    assert error["details"] == {"videoStatus": "failed"}
    # A refusal by the policy comes first: nothing about the video is told.
    error_of(world.play(world.episodes[3]), 403, "subscription_required")


# -- counted and audited ----------------------------------------------------------------------


def test_plays_and_denials_are_counted_and_denials_audited(world: World) -> None:
    client = world.client
    denials = "studio_bridge_play_denials_total"
    plays_before = metric(client, "studio_bridge_plays_total")
    required_before = metric(client, denials, '{reason="subscription_required"}')
    unpublished_before = metric(client, denials, '{reason="not_published"}')

    world.play(world.episodes[0])
    world.play(world.episodes[1])
    error_of(world.play(world.episodes[3]), 403, "subscription_required")
    error_of(world.play(world.draft_episode), 403, "not_published")
    world.play(world.draft_episode, world.people[Role.ARTIST])  # a preview is a play too

    assert metric(client, "studio_bridge_plays_total") == plays_before + 3
    assert metric(client, denials, '{reason="subscription_required"}') == required_before + 1
    assert metric(client, denials, '{reason="not_published"}') == unpublished_before + 1

    events = items_of(
        client.get(
            "/audit",
            params={"resourceType": "episode", "resourceId": world.episodes[3]},
            headers=world.admin,
        )
    )
    denied = [e for e in events if e["action"] == "playback.denied"]
    assert len(denied) == 1
    assert denied[0]["actorId"] == world.viewer_id
    assert denied[0]["details"] == {"reason": "subscription_required"}
    # A play that was allowed writes no audit event.
    events = items_of(
        client.get(
            "/audit",
            params={"resourceType": "episode", "resourceId": world.episodes[0]},
            headers=world.admin,
        )
    )
    assert [e for e in events if e["action"].startswith("playback.")] == []


# -- the URL on S3 as well --------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
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
    client = make_client(MONGODB_URI=mongo_uri, MONGODB_DATABASE=f"play_{uuid.uuid4().hex[:8]}")
    # Only the embedded store seeds the demo studio: make it, with the same admin.
    seed_studio(client, "demo", admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD)
    return App("local", client)


def test_play_subscribe_and_progress_on_each_store(app: App) -> None:
    admin = app.admin()
    artist = app.staff(Role.ARTIST, admin)
    viewer = app.staff(Role.VIEWER, admin)
    key = app.upload(artist)
    video = data_of(app.register(artist, key), 201)
    client = app.client
    client.patch("/studio", json={"freeEpisodesPerSeries": 1}, headers=admin.auth)
    series_id = new_series(client, artist.auth, "On Every Store")
    episodes = [
        new_episode(client, artist.auth, series_id, video["id"], number, status="pending")
        for number in (1, 2)
    ]
    for episode_id in episodes:
        client.post(f"/admin/episodes/{episode_id}/approve", headers=admin.auth)

    answer = client.get(f"/video/play/{episodes[0]}", headers=viewer.auth)
    played = data_of(answer)
    assert set(played) == PLAY_KEYS
    assert '"s3Key"' not in answer.text
    if app.kind == "local":
        assert key not in answer.text
        parts = urlsplit(played["url"])
        fetched = client.get(f"{parts.path}?{parts.query}")
    else:
        # An S3 URL names its object in the path (as every presigned S3 URL does); the
        # answer carries no key of its own, and the URL works for a plain client.
        assert played["url"].startswith(f"{app.s3_endpoint}/{app.bucket}/")
        fetched = httpx.get(played["url"], timeout=30)
    assert fetched.status_code == 200, fetched.text
    assert fetched.content == BODY

    # Locked, subscribed, played; the subscription and its history are on the store.
    locked = f"/video/play/{episodes[1]}"
    error_of(client.get(locked, headers=viewer.auth), 403, "subscription_required")
    path = f"/admin/users/{viewer.user_id}/subscription"
    assert data_of(client.post(path, headers=admin.auth))["status"] == "active"
    assert data_of(client.get(locked, headers=viewer.auth))["free"] is False
    me = data_of(client.get("/auth/me", headers=viewer.auth))
    assert me["subscription"]["status"] == "active"
    assert len(items_of(client.get(f"{path}/history", headers=admin.auth))) == 1

    # Progress, out of order, then continue-watching.
    base = datetime.now(UTC) - timedelta(minutes=5)
    writes = [(episodes[0], 60.0, 10), (episodes[1], 20.0, 30), (episodes[1], 5.0, 20)]
    for episode_id, position, seconds in writes:
        body = {
            "episodeId": episode_id,
            "position": position,
            "duration": 60.0,
            "watchedAt": (base + timedelta(seconds=seconds)).isoformat(),
        }
        assert client.post("/video/progress", json=body, headers=viewer.auth).status_code == 200
    entries = items_of(client.get("/video/history", headers=viewer.auth))
    assert [(e["episodeId"], e["position"], e["completed"]) for e in entries] == [
        (episodes[1], 20.0, False),
        (episodes[0], 60.0, True),
    ]
    [resume] = client.get("/video/continue", headers=viewer.auth).json()["data"]
    assert (resume["episodeId"], resume["position"]) == (episodes[1], 20.0)
