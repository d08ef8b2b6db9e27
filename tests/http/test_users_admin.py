"""``/users`` for a studio's admins: lists, creation, role and access changes, tenancy."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.support.identity_http import (
    STAFF_PASSWORD,
    add_user,
    bearer,
    error_of,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
    unique_email,
)

Client = TestClient[Any]
NON_ADMINS = [Role.VIEWER, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER]
# (name, role) of the staff every list test starts with, besides the demo admin.
STAFF = [
    ("Quentin", Role.ARTIST),
    ("Beatrix", Role.VIEWER),
    ("Marlowe", Role.ARTIST),
    ("Dorian", Role.DIRECTOR),
    ("Anselm", Role.PRODUCER),
    ("Yvette", Role.ARTIST),
    ("Cosima", Role.VIEWER),
]


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client(AUTH_RATE_LIMIT_PER_MINUTE="1000")


@pytest.fixture
def admin(client: Client) -> dict[str, Any]:
    return sign_in_admin(client)


@pytest.fixture
def auth(admin: dict[str, Any]) -> dict[str, str]:
    return bearer(admin["accessToken"])


@pytest.fixture
def staff(client: Client, auth: dict[str, str]) -> list[dict[str, Any]]:
    """The demo studio's users, in the order they were created (the admin first)."""
    created = []
    for name, role in STAFF:
        body = {"email": unique_email(name.lower()), "name": name, "role": role}
        response = client.post("/users", json=body | {"password": STAFF_PASSWORD}, headers=auth)
        assert response.status_code == 201, response.text
        created.append(response.json()["data"])
    admin_user = client.get("/auth/me", headers=auth).json()["data"]
    del admin_user["subscription"]  # /auth/me adds it; a user as /users shows it has none
    return [admin_user, *created]


def list_users(client: Client, auth: dict[str, str], **params: Any) -> Any:
    return client.get("/users", params=params, headers=auth)


def listed(client: Client, auth: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = list_users(client, auth, **params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


# --- Lists ----------------------------------------------------------------------------------


def test_users_come_in_numbered_pages_with_a_total(
    client: Client, auth: dict[str, str], staff: list[dict[str, Any]]
) -> None:
    seen = []
    for page in (1, 2, 3):
        response = list_users(client, auth, page=page, limit=3)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["meta"] == {"total": 8, "page": page, "limit": 3, "totalPages": 3}
        assert len(body["data"]) == (3 if page < 3 else 2)
        seen += body["data"]
    assert seen == staff  # by creation, oldest first, by default
    assert listed(client, auth, page=4, limit=3) == []
    assert "passwordHash" not in str(seen)


def test_users_sort_by_an_allowed_field(
    client: Client, auth: dict[str, str], staff: list[dict[str, Any]]
) -> None:
    by_email_desc = listed(client, auth, sort="email:desc", limit=100)
    assert [u["email"] for u in by_email_desc] == sorted((u["email"] for u in staff), reverse=True)
    by_name = listed(client, auth, sort="name", limit=100)
    assert [u["name"] for u in by_name] == sorted(u["name"] for u in staff)
    assert listed(client, auth, sort="name:asc", limit=100) == by_name
    by_created_desc = listed(client, auth, sort="createdAt:desc", limit=100)
    assert [u["id"] for u in by_created_desc] == [u["id"] for u in reversed(staff)]


def test_users_filter_by_role(
    client: Client, auth: dict[str, str], staff: list[dict[str, Any]]
) -> None:
    response = list_users(client, auth, role="artist", sort="name")
    assert response.json()["meta"]["total"] == 3
    assert [u["name"] for u in response.json()["data"]] == ["Marlowe", "Quentin", "Yvette"]
    assert {u["role"] for u in listed(client, auth, role="viewer")} == {"viewer"}
    error_of(list_users(client, auth, role="emperor"), 400, "invalid_parameter")


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "email:desc"}, {"sort": "name"}, {"role": "artist"}],
    ids=["default", "email desc", "name", "artists"],
)
def test_a_cursor_walk_visits_every_user_once(
    client: Client, auth: dict[str, str], staff: list[dict[str, Any]], params: dict[str, str]
) -> None:
    expected = listed(client, auth, limit=100, **params)
    walked: list[dict[str, Any]] = []
    cursor = ""  # empty: start a walk
    for _ in range(20):
        response = list_users(client, auth, cursor=cursor, limit=2, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body["meta"]) == {"nextCursor", "limit"}  # no total in cursor mode
        walked += body["data"]
        cursor = body["meta"]["nextCursor"]
        if cursor is None:
            break
    assert walked == expected  # the same order, every user once, none twice
    assert len({u["id"] for u in walked}) == len(walked)


def test_a_tampered_or_foreign_cursor_is_refused(
    client: Client, auth: dict[str, str], staff: list[dict[str, Any]]
) -> None:
    cursor = list_users(client, auth, cursor="", limit=2).json()["meta"]["nextCursor"]
    assert cursor
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    for bad in (flipped, cursor + "AA", "not-a-cursor", cursor[::-1]):
        error_of(list_users(client, auth, cursor=bad, limit=2), 422, "invalid_cursor")
    # A cursor belongs to its query: not to another sort or filter.
    error_of(list_users(client, auth, cursor=cursor, sort="name"), 422, "invalid_cursor")
    error_of(list_users(client, auth, cursor=cursor, role="artist"), 422, "invalid_cursor")
    assert list_users(client, auth, cursor=cursor, limit=2).status_code == 200


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"sort": "password"}, 422, "sort_not_allowed"),
        ({"sort": "passwordHash:asc"}, 422, "sort_not_allowed"),
        ({"sort": "email:sideways"}, 422, "sort_not_allowed"),
        ({"limit": 101}, 400, "invalid_parameter"),
        ({"limit": 0}, 400, "invalid_parameter"),
        ({"page": 0}, 400, "invalid_parameter"),
        ({"page": "two"}, 400, "invalid_parameter"),
    ],
)
def test_list_parameters_out_of_bounds_are_refused(
    client: Client, auth: dict[str, str], params: dict[str, Any], status: int, code: str
) -> None:
    error = error_of(list_users(client, auth, **params), status, code)
    if code == "sort_not_allowed" and ":" not in params["sort"]:
        assert error["details"]["allowed"] == ["email", "name", "createdAt"]
    if code == "invalid_parameter":
        assert [f["field"] for f in error["details"]["fields"]] == list(params)


# --- Who may manage users ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_see_itself(
    client: Client, admin: dict[str, Any], role: Role
) -> None:  # BROWSE_CATALOG
    session = admin if role is Role.ADMIN else signed_in_as(client, admin["accessToken"], role)
    response = client.get("/auth/me", headers=bearer(session["accessToken"]))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["role"] == role


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_list_users(client: Client, admin: dict[str, Any], role: Role) -> None:
    session = admin if role is Role.ADMIN else signed_in_as(client, admin["accessToken"], role)
    response = list_users(client, bearer(session["accessToken"]))
    if role is Role.ADMIN:
        assert response.status_code == 200, response.text
    else:
        error = error_of(response, 403, "forbidden")
        assert error["details"] == {"capability": "manage_users", "role": str(role)}


@pytest.mark.parametrize("role", NON_ADMINS)
def test_non_admins_cannot_add_read_or_change_users(
    client: Client, admin: dict[str, Any], role: Role
) -> None:
    session = signed_in_as(client, admin["accessToken"], role)
    auth = bearer(session["accessToken"])
    me = session["user"]
    email = unique_email("sneaky")
    created = client.post(
        "/users", json={"email": email, "name": "X", "role": "admin"}, headers=auth
    )
    error_of(created, 403, "forbidden")
    error_of(client.get(f"/users/{admin['user']['id']}", headers=auth), 403, "forbidden")
    for target, change in ((me["id"], {"role": "admin"}), (admin["user"]["id"], {"active": False})):
        error_of(client.patch(f"/users/{target}", json=change, headers=auth), 403, "forbidden")
    # Nothing changed.
    admin_auth = bearer(admin["accessToken"])
    assert client.get(f"/users/{me['id']}", headers=admin_auth).json()["data"]["role"] == role
    assert all(u["email"] != email for u in listed(client, admin_auth, limit=100))


def test_no_token_no_users(client: Client) -> None:
    error_of(client.get("/users"), 401, "authentication_required")
    error_of(client.post("/users", json={}), 401, "authentication_required")


# --- Adding and changing users ----------------------------------------------------------------


def test_an_added_user_without_a_password_gets_one_generated_that_signs_in(
    client: Client, auth: dict[str, str]
) -> None:
    email = unique_email("newcomer")
    response = client.post(
        "/users", json={"email": email, "name": "Newcomer", "role": "director"}, headers=auth
    )
    assert response.status_code == 201, response.text
    user = response.json()["data"]
    assert response.headers["location"] == f"/users/{user['id']}"
    password = user["initialPassword"]
    assert isinstance(password, str)
    assert len(password) >= 12
    assert (user["email"], user["role"], user["active"]) == (email, "director", True)

    fetched = client.get(response.headers["location"], headers=auth).json()["data"]
    assert "initialPassword" not in fetched
    assert fetched["id"] == user["id"]
    assert sign_in(client, email, password)["user"]["role"] == "director"


def test_a_chosen_password_is_not_echoed(client: Client, auth: dict[str, str]) -> None:
    email = unique_email("chosen")
    body = {"email": email, "name": "Chosen", "role": "artist", "password": STAFF_PASSWORD}
    response = client.post("/users", json=body, headers=auth)
    assert response.status_code == 201, response.text
    assert "initialPassword" not in response.json()["data"]  # only a generated one is shown
    assert STAFF_PASSWORD not in response.text
    error_of(client.post("/users", json=body, headers=auth), 409, "user_email_taken")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"role": "emperor"}, 422, "validation_failed"),
        ({"active": False}, 422, "validation_failed"),
        ({"password": "short"}, 422, "password_too_short"),
        ({"email": "not-an-email"}, 422, "invalid_email"),
    ],
)
def test_adding_a_user_checks_the_body(
    client: Client, auth: dict[str, str], body: dict[str, Any], status: int, code: str
) -> None:
    base = {"email": unique_email(), "name": "Someone", "role": "artist"}
    error_of(client.post("/users", json=base | body, headers=auth), status, code)


def test_an_admin_changes_a_users_role(client: Client, admin: dict[str, Any]) -> None:
    auth = bearer(admin["accessToken"])
    artist = signed_in_as(client, admin["accessToken"], Role.ARTIST)
    user_id = artist["user"]["id"]
    response = client.patch(f"/users/{user_id}", json={"role": "director"}, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["role"] == "director"
    assert client.get(f"/users/{user_id}", headers=auth).json()["data"]["role"] == "director"
    # The role is read on every request: their existing token now acts as a director.
    me = client.get("/auth/me", headers=bearer(artist["accessToken"]))
    assert me.json()["data"]["role"] == "director"
    renamed = client.patch(f"/users/{user_id}", json={"name": "Dee"}, headers=auth)
    assert (renamed.json()["data"]["name"], renamed.json()["data"]["role"]) == ("Dee", "director")


def test_deactivating_a_user_ends_their_sessions(client: Client, admin: dict[str, Any]) -> None:
    auth = bearer(admin["accessToken"])
    producer = signed_in_as(client, admin["accessToken"], Role.PRODUCER)
    response = client.patch(
        f"/users/{producer['user']['id']}", json={"active": False}, headers=auth
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["active"] is False
    error_of(
        client.post("/auth/refresh", json={"refreshToken": producer["refreshToken"]}),
        401,
        "invalid_refresh_token",
    )
    error_of(client.get("/auth/me", headers=bearer(producer["accessToken"])), 401, "invalid_token")
    error_of(
        client.post(
            "/auth/login", json={"email": producer["user"]["email"], "password": STAFF_PASSWORD}
        ),
        401,
        "invalid_credentials",
    )


@pytest.mark.parametrize(
    "change",
    [{"active": False}, {"role": "viewer"}, {"role": "admin"}, {"role": "admin", "name": "Me"}],
)
def test_an_admin_cannot_change_their_own_access(
    client: Client, admin: dict[str, Any], change: dict[str, Any]
) -> None:
    auth = bearer(admin["accessToken"])
    response = client.patch(f"/users/{admin['user']['id']}", json=change, headers=auth)
    error_of(response, 409, "cannot_change_own_access")
    me = client.get("/auth/me", headers=auth).json()["data"]
    assert (me["role"], me["active"], me["name"]) == ("admin", True, admin["user"]["name"])


def test_an_admin_may_rename_themselves(client: Client, admin: dict[str, Any]) -> None:
    auth = bearer(admin["accessToken"])
    response = client.patch(f"/users/{admin['user']['id']}", json={"name": "Boss"}, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["name"] == "Boss"


# --- Tenancy -------------------------------------------------------------------------------


def test_another_studios_users_do_not_exist_for_an_admin(
    client: Client, admin: dict[str, Any], staff: list[dict[str, Any]]
) -> None:
    other_admin_email = unique_email("b-admin")
    seed_studio(client, "studio-b", admin_email=other_admin_email)
    other = sign_in(client, other_admin_email, STAFF_PASSWORD, studio="studio-b")
    auth = bearer(other["accessToken"])
    assert other["user"]["studioId"] != admin["user"]["studioId"]
    assert [u["id"] for u in listed(client, auth, limit=100)] == [other["user"]["id"]]

    def answers(user_id: str) -> list[tuple[int, dict[str, Any]]]:
        results = []
        for response in (
            client.get(f"/users/{user_id}", headers=auth),
            client.patch(f"/users/{user_id}", json={"role": "viewer"}, headers=auth),
            client.patch(f"/users/{user_id}", json={"active": False}, headers=auth),
        ):
            error = dict(error_of(response, 404, "user_not_found"))
            error.pop("correlationId")
            results.append((response.status_code, error))
        return results

    someone_elses = answers(staff[1]["id"])
    # Exactly as for an id that names nobody, and for one that is not even an id.
    assert someone_elses == answers(str(uuid.uuid4()))
    assert someone_elses == answers("not-a-uuid")
    assert someone_elses == answers(admin["user"]["id"])

    # And nothing happened to studio A's users.
    a_users = listed(client, bearer(admin["accessToken"]), limit=100)
    assert a_users == staff


def test_a_user_added_by_one_studio_is_not_seen_by_another(
    client: Client, admin: dict[str, Any]
) -> None:
    other_admin_email = unique_email("c-admin")
    seed_studio(client, "studio-c", admin_email=other_admin_email)
    other = sign_in(client, other_admin_email, STAFF_PASSWORD, studio="studio-c")
    # The same email may exist once per studio.
    shared = unique_email("shared")
    add_user(client, admin["accessToken"], Role.ARTIST, email=shared)
    add_user(client, other["accessToken"], Role.VIEWER, email=shared)
    in_a = sign_in(client, shared, STAFF_PASSWORD)
    in_c = sign_in(client, shared, STAFF_PASSWORD, studio="studio-c")
    assert (in_a["user"]["role"], in_c["user"]["role"]) == ("artist", "viewer")
    assert in_a["user"]["id"] != in_c["user"]["id"]
