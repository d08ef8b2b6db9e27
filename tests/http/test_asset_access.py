"""Who may do what on ``/assets``, route by route, and tenancy: another studio's asset is 404.

The expected statuses restate DESIGN section 3 for assets: viewers see nothing; artists read,
create and change their own; directors change anyone's and review; producers and admins also
delete anyone's and purge.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.support.identity_http import (
    bearer,
    error_of,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
    unique_email,
)

Client = TestClient[Any]
Auth = dict[str, str]
ROLES = [Role.VIEWER, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN]


@dataclass(frozen=True)
class Route:
    name: str
    call: Callable[[Client, str, Auth], Any]  # (client, asset id, auth) -> response
    # The status each role gets on an asset it does not own, and on its own (None: same).
    others: dict[Role, int]
    own: dict[Role, int] | None = None
    deleted_first: bool = False  # the route acts on a soft-deleted asset


def _everyone_but_viewers(ok: int) -> dict[Role, int]:
    return {Role.VIEWER: 403} | dict.fromkeys(ROLES[1:], ok)


def _leads(ok: int) -> dict[Role, int]:
    return {Role.VIEWER: 403, Role.ARTIST: 403} | dict.fromkeys(ROLES[2:], ok)


def _producers(ok: int) -> dict[Role, int]:
    return dict.fromkeys(ROLES[:3], 403) | {Role.PRODUCER: ok, Role.ADMIN: ok}


ROUTES = [
    Route("get", lambda c, i, a: c.get(f"/assets/{i}", headers=a), _everyone_but_viewers(200)),
    Route(
        "patch",
        lambda c, i, a: c.patch(
            f"/assets/{i}", json={"description": "x"}, headers=a | {"If-Match": '"1"'}
        ),
        _leads(200),
        own=_everyone_but_viewers(200),
    ),
    Route(
        "delete",
        lambda c, i, a: c.delete(f"/assets/{i}", headers=a),
        _producers(204),
        own=_everyone_but_viewers(204),
    ),
    Route(
        "restore",
        lambda c, i, a: c.post(f"/assets/{i}/restore", headers=a),
        _producers(200),
        own=_everyone_but_viewers(200),
        deleted_first=True,
    ),
    Route(
        "purge",
        lambda c, i, a: c.post(f"/assets/{i}/purge", headers=a),
        _producers(204),
        deleted_first=True,
    ),
    Route(
        "submit",
        lambda c, i, a: c.post(f"/assets/{i}/review", json={"action": "submit"}, headers=a),
        _leads(200),
        own=_everyone_but_viewers(200),
    ),
    Route(
        "approve",  # an asset still in draft: reviewers get past the matrix to the 409
        lambda c, i, a: c.post(f"/assets/{i}/review", json={"action": "approve"}, headers=a),
        _leads(409),
    ),
    Route(
        "dependencies",
        lambda c, i, a: c.put(f"/assets/{i}/dependencies", json={"dependencies": []}, headers=a),
        _leads(200),
        own=_everyone_but_viewers(200),
    ),
    Route(
        "dependents",
        lambda c, i, a: c.get(f"/assets/{i}/dependents", headers=a),
        _everyone_but_viewers(200),
    ),
    Route(
        "all dependents",
        lambda c, i, a: c.get(f"/assets/{i}/dependents/all", headers=a),
        _everyone_but_viewers(200),
    ),
    Route(
        "versions",
        lambda c, i, a: c.get(f"/assets/{i}/versions", headers=a),
        _everyone_but_viewers(200),
    ),
    Route(
        "add version",  # no such upload: editors get past the matrix to the 404 of the upload
        lambda c, i, a: c.post(
            f"/assets/{i}/versions",
            json={"s3Key": f"studios/{'0' * 8}-0000-4000-8000-{'0' * 12}/asset_version/x/y"},
            headers=a,
        ),
        _leads(422),
        own=_everyone_but_viewers(422),
    ),
    Route(
        "download",  # no version 1 yet: readers get past the matrix to its 404
        lambda c, i, a: c.get(f"/assets/{i}/versions/1/download", headers=a),
        _everyone_but_viewers(404),
    ),
]


@pytest.fixture(scope="module")
def world(make_client_module: Callable[..., Client]) -> dict[str, Any]:
    client = make_client_module()
    admin_token = sign_in_admin(client)["accessToken"]
    sessions = {role: signed_in_as(client, admin_token, role) for role in ROLES}
    return {
        "client": client,
        "admin": bearer(admin_token),
        "auth": {role: bearer(session["accessToken"]) for role, session in sessions.items()},
    }


def fresh_asset(client: Client, auth: Auth, *, deleted: bool = False) -> str:
    response = client.post(
        "/assets", json={"name": f"Asset {unique_email('a')}", "type": "prop"}, headers=auth
    )
    assert response.status_code == 201, response.text
    asset_id: str = response.json()["data"]["id"]
    if deleted:
        assert client.delete(f"/assets/{asset_id}", headers=auth).status_code == 204
    return asset_id


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_each_role_on_each_asset_route(world: dict[str, Any], route: Route, role: Role) -> None:
    client: Client = world["client"]
    auth: Auth = world["auth"][role]
    someone_elses = fresh_asset(client, world["admin"], deleted=route.deleted_first)
    response = route.call(client, someone_elses, auth)
    assert response.status_code == route.others[role], (route.name, role, response.text)
    if response.status_code == 403:
        assert response.json()["error"]["code"] == "forbidden"
    if route.own is not None and role is not Role.VIEWER:
        own = fresh_asset(client, auth, deleted=route.deleted_first)
        mine = route.call(client, own, auth)
        assert mine.status_code == route.own[role], (route.name, role, "own", mine.text)


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_lists_and_creation_by_role(world: dict[str, Any], role: Role) -> None:
    client: Client = world["client"]
    auth: Auth = world["auth"][role]
    listed = client.get("/assets", headers=auth)
    created = client.post("/assets", json={"name": f"By {role}", "type": "rig"}, headers=auth)
    expected = 403 if role is Role.VIEWER else None
    if expected:
        error_of(listed, 403, "forbidden")
        error_of(created, 403, "forbidden")
    else:
        assert listed.status_code == 200
        assert created.status_code == 201


def test_another_studios_asset_is_not_found_on_every_route(
    make_client: Callable[..., Client],
) -> None:
    client = make_client()
    admin = bearer(sign_in_admin(client)["accessToken"])
    theirs = fresh_asset(client, admin)
    deleted = fresh_asset(client, admin, deleted=True)
    seed_studio(client, "rival", admin_email="boss@rival.example.com")
    rival = bearer(
        sign_in(client, "boss@rival.example.com", "lantern-quill-orchard-42", studio="rival")[
            "accessToken"
        ]
    )
    for route in ROUTES:
        target = deleted if route.deleted_first else theirs
        response = route.call(client, target, rival)
        error = error_of(response, 404, "asset_not_found")
        assert "data" not in response.json()
        assert theirs not in str(error.get("details", ""))
    # Their lists hold none of ours, and filtering by our owner id finds nothing either.
    owner = client.get(f"/assets/{theirs}", headers=admin).json()["data"]["ownerId"]
    assert client.get("/assets", headers=rival).json()["meta"]["total"] == 0
    assert client.get("/assets", params={"owner": owner}, headers=rival).json()["data"] == []
    # Depending on another studio's asset is refused as unknown, not as forbidden.
    mine = fresh_asset(client, rival)
    error_of(
        client.put(f"/assets/{mine}/dependencies", json={"dependencies": [theirs]}, headers=rival),
        422,
        "unknown_dependency",
    )
