"""Who may do what on the content routes, route by route, and tenancy: another studio's series
or episode is 404 on every route, with nothing of it in the answer.

The expected statuses restate DESIGN section 3 for content: viewers browse the catalogue
only; artists create and change their own series and episodes; directors and above change
anyone's; producers and admins moderate.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.support.content_http import Content, content_in, local_video, token_auth
from tests.support.identity_http import (
    STAFF_PASSWORD,
    error_of,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
)

Client = TestClient[Any]
Auth = dict[str, str]
ROLES = [Role.VIEWER, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN]
HOME_TITLE = "Secret Home Drama"


@dataclass(frozen=True)
class Route:
    name: str
    state: str  # what the content is in before the call: draft, pending, published, archived
    call: Callable[[Client, Content, Auth], Any]
    # The status each role gets on content it does not own, and on its own (None: not asked).
    others: dict[Role, int]
    own: dict[Role, int] | None = None


def _staff(ok: int) -> dict[Role, int]:
    return {Role.VIEWER: 403} | dict.fromkeys(ROLES[1:], ok)


def _leads(ok: int) -> dict[Role, int]:
    return {Role.VIEWER: 403, Role.ARTIST: 403} | dict.fromkeys(ROLES[2:], ok)


def _moderators(ok: int) -> dict[Role, int]:
    return dict.fromkeys(ROLES[:3], 403) | {Role.PRODUCER: ok, Role.ADMIN: ok}


def _everyone(ok: int) -> dict[Role, int]:
    return dict.fromkeys(ROLES, ok)


def _series(c: Content) -> str:
    return f"/creator/series/{c.series_id}"


def _episode(c: Content) -> str:
    return f"/creator/series/{c.series_id}/episodes/{c.episode_id}"


def _paths(c: Content) -> tuple[str, str, str]:
    return (_series(c), _episode(c), f"{_series(c)}/episodes")


REJECTION = {"reason": "misleading_metadata", "note": "The synopsis promises a wedding."}
ROUTES = [
    # creators
    Route(
        "get series",
        "draft",
        lambda cl, c, a: cl.get(_series(c), headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "patch series",
        "draft",
        lambda cl, c, a: cl.patch(_series(c), json={"synopsis": "New."}, headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "submit series",
        "draft",
        lambda cl, c, a: cl.post(f"{_series(c)}/submit", headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "withdraw series",
        "pending",
        lambda cl, c, a: cl.post(f"{_series(c)}/withdraw", headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "create episode",
        "draft",
        lambda cl, c, a: cl.post(
            f"{_series(c)}/episodes",
            json={"number": 2, "title": "Two", "videoId": c.video_id},
            headers=a,
        ),
        _leads(201),
        _staff(201),
    ),
    Route(
        "list episodes",
        "draft",
        lambda cl, c, a: cl.get(f"{_series(c)}/episodes", headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "get episode",
        "draft",
        lambda cl, c, a: cl.get(_episode(c), headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "patch episode",
        "draft",
        lambda cl, c, a: cl.patch(_episode(c), json={"title": "Renamed"}, headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "submit episode",
        "draft",
        lambda cl, c, a: cl.post(f"{_episode(c)}/submit", headers=a),
        _leads(200),
        _staff(200),
    ),
    Route(
        "withdraw episode",
        "pending",
        lambda cl, c, a: cl.post(f"{_episode(c)}/withdraw", headers=a),
        _leads(200),
        _staff(200),
    ),
    # moderators (their own content is no exception)
    Route(
        "approve episode",
        "pending",
        lambda cl, c, a: cl.post(f"/admin/episodes/{c.episode_id}/approve", headers=a),
        _moderators(200),
        _moderators(200),
    ),
    Route(
        "reject episode",
        "pending",
        lambda cl, c, a: cl.post(
            f"/admin/episodes/{c.episode_id}/reject", json=REJECTION, headers=a
        ),
        _moderators(200),
    ),
    Route(
        "unpublish episode",
        "published",
        lambda cl, c, a: cl.post(f"/admin/episodes/{c.episode_id}/unpublish", headers=a),
        _moderators(200),
    ),
    Route(
        "approve series",
        "pending",
        lambda cl, c, a: cl.post(f"/admin/series/{c.series_id}/approve", headers=a),
        _moderators(200),
        _moderators(200),
    ),
    Route(
        "reject series",
        "pending",
        lambda cl, c, a: cl.post(f"/admin/series/{c.series_id}/reject", json=REJECTION, headers=a),
        _moderators(200),
    ),
    Route(
        "unpublish series",
        "published",
        lambda cl, c, a: cl.post(f"/admin/series/{c.series_id}/unpublish", headers=a),
        _moderators(200),
    ),
    Route(
        "archive series",
        "draft",
        lambda cl, c, a: cl.post(f"/admin/series/{c.series_id}/archive", headers=a),
        _moderators(200),
    ),
    Route(
        "restore series",
        "archived",
        lambda cl, c, a: cl.post(f"/admin/series/{c.series_id}/restore", headers=a),
        _moderators(200),
    ),
    # the catalogue
    Route(
        "content series",
        "published",
        lambda cl, c, a: cl.get(f"/content/series/{c.series_id}", headers=a),
        _everyone(200),
    ),
    Route(
        "content episodes",
        "published",
        lambda cl, c, a: cl.get(f"/content/series/{c.series_id}/episodes", headers=a),
        _everyone(200),
    ),
    Route(
        "content episode",
        "published",
        lambda cl, c, a: cl.get(f"/content/episodes/{c.episode_id}", headers=a),
        _everyone(200),
    ),
]
LISTS = {
    "/creator/series": _staff(200),
    "/admin/series/pending": _moderators(200),
    "/admin/episodes/pending": _moderators(200),
    "/content/series": _everyone(200),
}


class World:
    """One app and studio: a signed-in user of each role, an artist owning "someone else's"
    content, and a video of each creator's (made once, used by many episodes)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        admin_token = sign_in_admin(client)["accessToken"]
        self.moderator = token_auth({"accessToken": admin_token})
        self.auth = {role: token_auth(signed_in_as(client, admin_token, role)) for role in ROLES}
        self.owner = token_auth(signed_in_as(client, admin_token, Role.ARTIST))
        self._videos: dict[str, str] = {}

    def video_of(self, auth: Auth) -> str:
        token = auth["Authorization"]
        if token not in self._videos:
            self._videos[token] = local_video(self.client, auth)
        return self._videos[token]

    def content(self, owner: Auth, state: str, title: str = HOME_TITLE) -> Content:
        video_id = self.video_of(owner)
        return content_in(self.client, owner, self.moderator, video_id, state, title)


@pytest.fixture(scope="module")
def world(make_client_module: Callable[..., Client]) -> World:
    # Hundreds of requests from one client address: the per-minute budget is not under test.
    return World(make_client_module(RATE_LIMIT_PER_MINUTE="0"))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_each_role_on_each_content_route(world: World, route: Route, role: Role) -> None:
    client, auth = world.client, world.auth[role]
    someone_elses = world.content(world.owner, route.state)
    response = route.call(client, someone_elses, auth)
    assert response.status_code == route.others[role], (route.name, role, response.text)
    if response.status_code == 403:
        error_of(response, 403, "forbidden")
    if route.own is not None and role is not Role.VIEWER:
        own = world.content(auth, route.state)
        mine = route.call(client, own, auth)
        assert mine.status_code == route.own[role], (route.name, role, "own", mine.text)


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_lists_and_creation_by_role(world: World, role: Role) -> None:
    client, auth = world.client, world.auth[role]
    for path, expected in LISTS.items():
        listed = client.get(path, headers=auth)
        if expected[role] == 403:
            error_of(listed, 403, "forbidden")
        else:
            assert listed.status_code == 200, (path, role, listed.text)
    created = client.post("/creator/series", json={"title": f"By {role}"}, headers=auth)
    if role is Role.VIEWER:
        error_of(created, 403, "forbidden")
    else:
        assert created.status_code == 201, created.text


def test_artists_list_only_their_own_series(world: World) -> None:
    client = world.client
    theirs = world.content(world.owner, "draft", "Owner Only")
    artist = world.auth[Role.ARTIST]
    mine = world.content(artist, "draft", "Artist Only")
    listed = {s["id"] for s in client.get("/creator/series", headers=artist).json()["data"]}
    assert mine.series_id in listed
    assert theirs.series_id not in listed


def test_another_studios_content_is_not_found_on_every_route(world: World) -> None:
    client = world.client
    seed_studio(client, "rival", admin_email="boss@rival.example.com")
    rival_admin = token_auth(
        sign_in(client, "boss@rival.example.com", STAFF_PASSWORD, studio="rival")
    )
    rival_viewer = token_auth(
        signed_in_as(client, rival_admin["Authorization"][7:], Role.VIEWER, studio="rival")
    )
    probes = [(route, rival_admin) for route in ROUTES]
    probes += [(route, rival_viewer) for route in ROUTES if route.name.startswith("content")]
    for route, auth in probes:
        home = world.content(world.owner, route.state)
        before = [client.get(path, headers=world.moderator).json() for path in _paths(home)]
        response = route.call(client, home, auth)
        assert response.status_code == 404, (route.name, response.text)
        body = response.json()
        assert set(body) == {"error"}, body
        assert body["error"]["code"] in ("series_not_found", "episode_not_found"), body
        for secret in (home.series_id, home.episode_id, home.video_id, HOME_TITLE):
            assert secret not in response.text, (route.name, secret)
        # ...and nothing changed at home.
        after = [client.get(path, headers=world.moderator).json() for path in _paths(home)]
        assert after == before, route.name

    # Their lists hold nothing of ours.
    published = world.content(world.owner, "published")
    pending = world.content(world.owner, "pending")
    for path in LISTS:
        listed = client.get(path, headers=rival_admin)
        assert listed.status_code == 200, listed.text
        assert listed.json()["data"] == [], (path, listed.text)
        for secret in (published.series_id, pending.series_id, pending.episode_id, HOME_TITLE):
            assert secret not in listed.text
    assert client.get("/content/series", headers=rival_viewer).json()["data"] == []
