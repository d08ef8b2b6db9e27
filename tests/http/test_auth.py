"""``/auth`` through the real app: sign-up, sign-in, back-off, refresh rotation, password, JWKS."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.security.forge import parts
from tests.support.identity_http import (
    STAFF_PASSWORD,
    ManualClock,
    add_user,
    bearer,
    error_of,
    seed_studio,
    sign_in,
    sign_in_admin,
    unique_email,
    use_clock,
)

Client = TestClient[Any]
ClientFactory = Callable[..., Client]
NEW_PASSWORD = "marble-kettle-harbour-9"
COMMON_PASSWORD = "qwerty123456"  # on adapters/security/data/common-passwords.txt, 12 characters
USER_FIELDS = {"id", "studioId", "email", "name", "role", "active", "createdAt", "updatedAt"}


@pytest.fixture
def client(make_client: ClientFactory) -> Client:
    # The per-IP /auth budget is tested on its own below; here it must not interfere.
    return make_client(AUTH_RATE_LIMIT_PER_MINUTE="1000")


def register(client: Client, **fields: str) -> Any:
    body = {"email": unique_email("signup"), "password": STAFF_PASSWORD, "name": "Nia"} | fields
    return client.post("/auth/register", json=body)


def refresh(client: Client, token: str) -> Any:
    return client.post("/auth/refresh", json={"refreshToken": token})


def me(client: Client, access_token: str) -> Any:
    return client.get("/auth/me", headers=bearer(access_token))


def failed_login(client: Client, email: str, password: str = "not-the-password-1") -> Any:
    return client.post("/auth/login", json={"email": email, "password": password})


# --- Signing in ----------------------------------------------------------------------------


def test_login_answers_a_bearer_session_without_any_password_hash(client: Client) -> None:
    before = datetime.now(UTC)
    response = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"data"}
    session = response.json()["data"]
    assert set(session) == {
        "accessToken",
        "tokenType",
        "expiresIn",
        "expiresAt",
        "refreshToken",
        "refreshExpiresAt",
        "user",
    }
    assert session["tokenType"] == "Bearer"
    assert 895 <= session["expiresIn"] <= 900
    expires_at = datetime.fromisoformat(session["expiresAt"])
    assert 880 <= (expires_at - before).total_seconds() <= 905
    refresh_expires_at = datetime.fromisoformat(session["refreshExpiresAt"])
    assert 29 <= (refresh_expires_at - before).days <= 30
    assert session["accessToken"].count(".") == 2  # a JWT
    assert session["refreshToken"] != session["accessToken"]
    user = session["user"]
    assert set(user) == USER_FIELDS
    assert (user["email"], user["role"], user["active"]) == (ADMIN_EMAIL, "admin", True)
    assert not secret_looking_keys(session)
    assert "$argon2" not in response.text


def secret_looking_keys(value: object) -> list[str]:
    """Keys anywhere in a JSON value that name a password or a hash."""
    if isinstance(value, dict):
        found = [k for k in value if "password" in k.lower() or "hash" in k.lower()]
        return found + [k for v in value.values() for k in secret_looking_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in secret_looking_keys(v)]
    return []


def test_me_names_the_signed_in_user(client: Client) -> None:
    session = sign_in_admin(client)
    response = me(client, session["accessToken"])
    assert response.status_code == 200, response.text
    # The user, and their subscription (none: staff need none to play).
    assert response.json()["data"] == session["user"] | {"subscription": None}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": "Bearer "}],
    ids=["no header", "basic", "empty bearer"],
)
def test_me_without_a_bearer_token_is_401_authentication_required(
    client: Client, headers: dict[str, str]
) -> None:
    response = client.get("/auth/me", headers=headers)
    error_of(response, 401, "authentication_required")
    # RFC 6750 section 3.1: no token presented, so no error attribute, just the challenge.
    assert response.headers["www-authenticate"] == 'Bearer realm="studio-bridge"'


# --- Registration --------------------------------------------------------------------------


def test_registration_makes_a_viewer_of_the_default_studio_and_signs_them_in(
    client: Client,
) -> None:
    admin = sign_in_admin(client)["user"]
    email = unique_email("viewer")
    response = register(client, email=email.upper())
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/auth/me"
    session = response.json()["data"]
    user = session["user"]
    assert set(user) == USER_FIELDS
    assert (user["email"], user["role"]) == (email, "viewer")  # stored lower-case
    assert user["studioId"] == admin["studioId"]
    assert me(client, session["accessToken"]).json()["data"]["id"] == user["id"]
    assert sign_in(client, email, STAFF_PASSWORD)["user"]["id"] == user["id"]
    assert not secret_looking_keys(response.json())


def test_asking_for_the_viewer_role_by_name_is_allowed(client: Client) -> None:
    response = register(client, role="viewer")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["user"]["role"] == "viewer"


@pytest.mark.parametrize("role", ["creator", "artist"])
def test_artists_register_only_where_the_studio_allows_it(client: Client, role: str) -> None:
    error = error_of(register(client, role=role), 403, "role_not_allowed")
    assert error["details"] == {"allowed": ["viewer"]}

    seed_studio(
        client,
        "inkwell",
        admin_email=unique_email("ink-admin"),
        self_signup_roles=frozenset({Role.VIEWER, Role.ARTIST}),
    )
    response = register(client, role=role, studio="inkwell")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["user"]["role"] == "artist"  # "creator" is the artist's alias
    viewer = register(client, studio="inkwell")
    assert viewer.json()["data"]["user"]["role"] == "viewer"


@pytest.mark.parametrize("role", ["director", "producer", "admin"])
def test_self_signup_never_grants_a_staff_role(client: Client, role: str) -> None:
    seed_studio(
        client,
        "openhouse",
        admin_email=unique_email("open-admin"),
        self_signup_roles=frozenset({Role.VIEWER, Role.ARTIST}),
    )
    email = unique_email(role)
    for studio in (None, "openhouse"):
        fields = {"role": role, "email": email} | ({"studio": studio} if studio else {})
        error_of(register(client, **fields), 403, "role_not_allowed")
    # Nothing was created on the way.
    error_of(failed_login(client, email, STAFF_PASSWORD), 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "0192f5a4-0000-7000-8000-000000000001"), ("studioId", "x"), ("active", False)],
)
def test_registration_refuses_fields_it_does_not_take(
    client: Client, field: str, value: object
) -> None:
    body = {"email": unique_email(), "password": STAFF_PASSWORD, "name": "Mal", field: value}
    error = error_of(client.post("/auth/register", json=body), 422, "validation_failed")
    assert [problem["field"] for problem in error["details"]["fields"]] == [field]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-pass1", "password_too_short"),
        (COMMON_PASSWORD, "password_too_common"),
        (COMMON_PASSWORD.upper(), "password_too_common"),
    ],
)
def test_weak_passwords_are_refused_saying_why(client: Client, password: str, code: str) -> None:
    email = unique_email()
    error_of(register(client, email=email, password=password), 422, code)
    error_of(failed_login(client, email, password), 401, "invalid_credentials")


def test_an_email_registers_once_whatever_its_case(client: Client) -> None:
    email = unique_email("twice")
    assert register(client, email=email).status_code == 201
    error_of(register(client, email=email), 409, "user_email_taken")
    error_of(register(client, email=email.upper()), 409, "user_email_taken")
    error_of(register(client, email=ADMIN_EMAIL), 409, "user_email_taken")


# --- Failed sign-ins and back-off -------------------------------------------------------------


def comparable(response: Any) -> tuple[int, dict[str, Any], set[str]]:
    error = dict(response.json()["error"])
    error.pop("correlationId")
    return response.status_code, error, set(response.headers.keys())


def test_unknown_email_and_wrong_password_look_the_same(client: Client) -> None:
    unknown = failed_login(client, unique_email("nobody"))
    wrong = failed_login(client, ADMIN_EMAIL)
    error_of(unknown, 401, "invalid_credentials")
    error_of(wrong, 401, "invalid_credentials")
    assert comparable(unknown) == comparable(wrong)


def test_a_deactivated_account_cannot_sign_in_and_looks_like_any_failure(client: Client) -> None:
    admin = sign_in_admin(client)
    user = add_user(client, admin["accessToken"], Role.ARTIST)
    patched = client.patch(
        f"/users/{user['id']}", json={"active": False}, headers=bearer(admin["accessToken"])
    )
    assert patched.status_code == 200, patched.text
    inactive = failed_login(client, user["email"], STAFF_PASSWORD)
    error_of(inactive, 401, "invalid_credentials")
    assert comparable(inactive) == comparable(failed_login(client, unique_email("nobody")))


def test_sign_in_to_an_unknown_studio_is_invalid_credentials(client: Client) -> None:
    response = client.post(
        "/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "studio": "no-such-studio"},
    )
    error_of(response, 401, "invalid_credentials")


@pytest.mark.parametrize("account", ["existing", "non-existent"])
def test_five_failures_block_the_email_for_a_while(client: Client, account: str) -> None:
    clock = use_clock(client, ManualClock())
    email = ADMIN_EMAIL if account == "existing" else unique_email("ghost")
    for _ in range(5):
        error_of(failed_login(client, email), 401, "invalid_credentials")

    blocked = failed_login(client, email)
    error_of(blocked, 429, "login_blocked")
    retry_after = int(blocked.headers["retry-after"])
    assert retry_after >= 1
    # The right password does not get through a block either (nor tell that it was right).
    blocked_again = failed_login(client, email, ADMIN_PASSWORD)
    error_of(blocked_again, 429, "login_blocked")
    assert comparable(blocked_again)[:2] == comparable(blocked)[:2]

    clock.advance(retry_after)
    if account == "existing":
        assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)["user"]["email"] == ADMIN_EMAIL
    else:
        error_of(failed_login(client, email), 401, "invalid_credentials")


def test_a_block_is_for_one_email_only(client: Client) -> None:
    use_clock(client, ManualClock())
    ghost = unique_email("ghost")
    for _ in range(6):
        failed_login(client, ghost)
    error_of(failed_login(client, ghost), 429, "login_blocked")
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)["user"]["email"] == ADMIN_EMAIL


def test_a_blocked_existing_email_and_a_blocked_unknown_one_answer_alike(client: Client) -> None:
    use_clock(client, ManualClock())
    ghost = unique_email("ghost")
    for _ in range(5):
        failed_login(client, ghost)
        failed_login(client, ADMIN_EMAIL)
    assert comparable(failed_login(client, ghost)) == comparable(failed_login(client, ADMIN_EMAIL))


# --- Refresh tokens ----------------------------------------------------------------------------


def test_refresh_rotates_and_a_reused_token_ends_the_whole_session(client: Client) -> None:
    first = sign_in_admin(client)
    second = refresh(client, first["refreshToken"])
    assert second.status_code == 200, second.text
    rotated = second.json()["data"]
    assert rotated["refreshToken"] != first["refreshToken"]
    assert rotated["user"]["email"] == ADMIN_EMAIL
    assert me(client, rotated["accessToken"]).status_code == 200
    third = refresh(client, rotated["refreshToken"])
    assert third.status_code == 200, third.text
    newest = third.json()["data"]["refreshToken"]

    # The first token comes back: someone else may hold it, so the family is revoked.
    error_of(refresh(client, first["refreshToken"]), 401, "refresh_token_reused")
    error_of(refresh(client, newest), 401, "invalid_refresh_token")
    # Another sign-in is another family, untouched.
    assert refresh(client, sign_in_admin(client)["refreshToken"]).status_code == 200


def refresh_twice_at_once(client: Client, token: str) -> list[Any]:
    barrier = threading.Barrier(2, timeout=30)
    answers: list[Any] = []

    def attempt() -> None:
        barrier.wait()
        answers.append(refresh(client, token))

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_of_two_concurrent_refreshes_exactly_one_wins(client: Client) -> None:
    for _ in range(3):
        answers = refresh_twice_at_once(client, sign_in_admin(client)["refreshToken"])
        assert sorted(answer.status_code for answer in answers) == [200, 401]
        loser = next(answer for answer in answers if answer.status_code == 401)
        winner = next(answer for answer in answers if answer.status_code == 200)
        # Two tabs refreshing together: the loser is refused, the winner stays signed in.
        error_of(loser, 401, "invalid_refresh_token")
        assert refresh(client, winner.json()["data"]["refreshToken"]).status_code == 200


def test_the_just_spent_token_counts_as_reuse_once_the_grace_has_passed(
    client: Client,
) -> None:
    clock = use_clock(client, ManualClock())
    first = sign_in_admin(client)
    second = refresh(client, first["refreshToken"]).json()["data"]
    # Within the grace: refused, and the session lives on.
    error_of(refresh(client, first["refreshToken"]), 401, "invalid_refresh_token")
    clock.advance(seconds=11)
    # Later: a theft, as far as anyone can tell. The whole session ends.
    error_of(refresh(client, first["refreshToken"]), 401, "refresh_token_reused")
    error_of(refresh(client, second["refreshToken"]), 401, "invalid_refresh_token")


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", "0192f5a4-0000-7000-8000-000000000001." * 2 + "secret", "x" * 512],
)
def test_refresh_with_a_made_up_token_is_401(client: Client, token: str) -> None:
    response = refresh(client, token)
    error_of(response, 401, "invalid_refresh_token")
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_logout_ends_the_session_and_always_answers_204(client: Client) -> None:
    session = sign_in_admin(client)
    response = client.post("/auth/logout", json={"refreshToken": session["refreshToken"]})
    assert response.status_code == 204
    assert response.content == b""
    error_of(refresh(client, session["refreshToken"]), 401, "invalid_refresh_token")
    for token in (session["refreshToken"], "garbage", "a.b.c"):
        assert client.post("/auth/logout", json={"refreshToken": token}).status_code == 204


# --- Changing one's password -------------------------------------------------------------------


def change_password(client: Client, access_token: str, current: str, new: str) -> Any:
    return client.post(
        "/auth/password",
        json={"currentPassword": current, "newPassword": new},
        headers=bearer(access_token),
    )


def test_a_wrong_current_password_changes_nothing(client: Client) -> None:
    session = sign_in_admin(client)
    response = change_password(client, session["accessToken"], "not-my-password-1", NEW_PASSWORD)
    error_of(response, 422, "current_password_incorrect")
    assert refresh(client, session["refreshToken"]).status_code == 200
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)


def test_the_new_password_must_follow_the_policy(client: Client) -> None:
    session = sign_in_admin(client)
    response = change_password(client, session["accessToken"], ADMIN_PASSWORD, COMMON_PASSWORD)
    error_of(response, 422, "password_too_common")
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)


def test_changing_the_password_ends_every_other_session(client: Client) -> None:
    phone = sign_in_admin(client)
    laptop = sign_in_admin(client)
    response = change_password(client, laptop["accessToken"], ADMIN_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 200, response.text
    fresh = response.json()["data"]
    assert fresh["tokenType"] == "Bearer"
    assert fresh["refreshToken"] not in (phone["refreshToken"], laptop["refreshToken"])

    for old in (phone["refreshToken"], laptop["refreshToken"]):
        error_of(refresh(client, old), 401, "invalid_refresh_token")
    assert me(client, fresh["accessToken"]).status_code == 200
    assert refresh(client, fresh["refreshToken"]).status_code == 200
    error_of(failed_login(client, ADMIN_EMAIL, ADMIN_PASSWORD), 401, "invalid_credentials")
    assert sign_in(client, ADMIN_EMAIL, NEW_PASSWORD)


# --- Keys and budgets ---------------------------------------------------------------------------


def test_jwks_publishes_the_access_tokens_key_and_nothing_private(client: Client) -> None:
    session = sign_in_admin(client)
    header, _, _ = parts(session["accessToken"])
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    keys = response.json()["keys"]
    assert header["kid"] in {key["kid"] for key in keys}
    for key in keys:
        assert "d" not in key
        assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", header["alg"])


def test_auth_routes_share_a_stricter_budget_per_client(make_client: ClientFactory) -> None:
    client = make_client(AUTH_RATE_LIMIT_PER_MINUTE="3")
    session = sign_in_admin(client)  # 1
    assert me(client, session["accessToken"]).status_code == 200  # 2
    assert refresh(client, session["refreshToken"]).status_code == 200  # 3
    response = register(client)  # 4: another /auth route, the same budget
    error_of(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1
    error_of(me(client, session["accessToken"]), 429, "rate_limited")
    # The general budget is separate: the rest of the API still answers.
    assert client.get("/users", headers=bearer(session["accessToken"])).status_code == 200
