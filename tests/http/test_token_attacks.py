"""Forged, altered, stale and orphaned access tokens, each refused at ``GET /auth/me``.

Every refusal is a 401 in the error contract with an RFC 6750 challenge. The forging helpers
are first shown to produce a token the app accepts, so each refusal below is caused by the
one thing its test changes.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.security.keys import generate_signing_key, key_id
from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId
from tests.security.forge import (
    b64url_decode,
    claims_at,
    ed25519_signer,
    forge,
    hs256_signer,
    parts,
    segment,
)
from tests.support.identity_http import (
    STAFF_PASSWORD,
    ManualClock,
    add_user,
    bearer,
    container,
    error_of,
    on_app_loop,
    sign_in,
    sign_in_admin,
    use_clock,
)

Client = TestClient[Any]
INVALID_TOKEN_CHALLENGE = 'Bearer realm="studio-bridge", error="invalid_token"'


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client(AUTH_RATE_LIMIT_PER_MINUTE="1000")


@pytest.fixture
def admin(client: Client) -> dict[str, Any]:
    return sign_in_admin(client)


@pytest.fixture
def artist(client: Client, admin: dict[str, Any]) -> dict[str, Any]:
    """A signed-in artist of the demo studio: their session."""
    user = add_user(client, admin["accessToken"], Role.ARTIST)
    return sign_in(client, user["email"], STAFF_PASSWORD)


def me(client: Client, token: str) -> Any:
    return client.get("/auth/me", headers=bearer(token))


def refused(client: Client, token: str, code: str = "invalid_token") -> dict[str, Any]:
    response = me(client, token)
    error = error_of(response, 401, code)
    assert response.headers["www-authenticate"] == INVALID_TOKEN_CHALLENGE
    return error


def good_claims(client: Client, session: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The claims the app itself would write for ``session``'s user now (``...`` drops one)."""
    settings = container(client).settings()
    user = session["user"]
    claims = claims_at(
        container(client).clock().now(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        user=user["id"],
        studio=user["studioId"],
    )
    claims["role"] = user["role"]
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ...}


def real_header(client: Client, **changes: Any) -> dict[str, Any]:
    fields = {"typ": "JWT", "alg": "EdDSA", "kid": key_id(container(client).signing_key())}
    return fields | changes


def signed_with_the_real_key(client: Client, claims: dict[str, Any], **header: Any) -> str:
    return forge(
        real_header(client, **header), claims, ed25519_signer(container(client).signing_key())
    )


def issued_at(client: Client, session: dict[str, Any], shift: timedelta) -> str:
    """A genuine token of ``session``'s user, issued ``shift`` away from now."""
    user = session["user"]
    issued = (
        container(client)
        .access_tokens()
        .issue(
            user_id=UserId(user["id"]),
            studio_id=StudioId(user["studioId"]),
            role=Role(user["role"]),
            at=container(client).clock().now() + shift,
        )
    )
    token: str = issued.token
    return token


def test_a_token_forged_with_the_real_key_is_accepted(
    client: Client, artist: dict[str, Any]
) -> None:
    token = signed_with_the_real_key(client, good_claims(client, artist))
    response = me(client, token)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["id"] == artist["user"]["id"]


def test_alg_none_is_refused(client: Client, artist: dict[str, Any]) -> None:
    claims = good_claims(client, artist)
    refused(client, forge(real_header(client, alg="none"), claims, None))
    refused(client, forge({"typ": "JWT", "alg": "none"}, claims, None))


def test_hs256_signed_with_the_published_public_key_is_refused(
    client: Client, artist: dict[str, Any]
) -> None:
    jwks = client.get("/.well-known/jwks.json").json()["keys"]
    assert jwks
    claims = good_claims(client, artist)
    for key in jwks:
        x = key["x"]
        for secret in (x.encode(), b64url_decode(x)):
            header = {"typ": "JWT", "alg": "HS256", "kid": key["kid"]}
            refused(client, forge(header, claims, hs256_signer(secret)))


def test_an_expired_token_is_refused_as_expired(client: Client, artist: dict[str, Any]) -> None:
    token = issued_at(client, artist, -timedelta(hours=1))
    error = refused(client, token, "token_expired")
    assert "refresh" in error["message"].lower()


def test_a_token_not_yet_valid_is_refused(client: Client, artist: dict[str, Any]) -> None:
    refused(client, issued_at(client, artist, timedelta(minutes=10)))
    now = int(container(client).clock().now().timestamp())
    refused(client, signed_with_the_real_key(client, good_claims(client, artist, nbf=now + 600)))


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another-service"},
        {"aud": ...},
        {"iss": "https://evil.example.com"},
        {"iss": ...},
        {"exp": ...},
        {"exp": "never"},
        {"sub": "0192f5a4-0000-7000-8000-0000000000ff"},  # nobody
        {"studio": "0192f5a4-0000-7000-8000-0000000000fe"},
        {"role": "emperor"},
        {"jti": ...},
    ],
    ids=[
        "wrong aud",
        "no aud",
        "wrong iss",
        "no iss",
        "no exp",
        "exp not a number",
        "unknown user",
        "another studio",
        "unknown role",
        "no jti",
    ],
)
def test_claims_the_app_did_not_write_are_refused(
    client: Client, artist: dict[str, Any], changes: dict[str, Any]
) -> None:
    refused(client, signed_with_the_real_key(client, good_claims(client, artist, **changes)))


def test_a_tampered_payload_is_refused(client: Client, artist: dict[str, Any]) -> None:
    header, claims, signature = parts(artist["accessToken"])
    claims["role"] = "admin"
    tampered = f"{segment(header)}.{segment(claims)}.{signature}"
    refused(client, tampered)
    # The same token untouched still works: only the change was refused.
    assert me(client, artist["accessToken"]).status_code == 200


def test_an_unknown_kid_is_refused(client: Client, artist: dict[str, Any]) -> None:
    claims = good_claims(client, artist)
    refused(client, signed_with_the_real_key(client, claims, kid="some-other-key"))
    header = real_header(client)
    del header["kid"]
    refused(client, forge(header, claims, ed25519_signer(container(client).signing_key())))
    stranger = generate_signing_key()
    refused(
        client, forge(real_header(client, kid=key_id(stranger)), claims, ed25519_signer(stranger))
    )
    # A stranger's key under our kid: the signature does not verify.
    refused(client, forge(real_header(client), claims, ed25519_signer(stranger)))


def test_a_refresh_token_is_not_an_access_token(client: Client, artist: dict[str, Any]) -> None:
    refused(client, artist["refreshToken"])


@pytest.mark.parametrize("value", ["not.a.jwt", "abc", "a.b.c.d.e", "x" * 4000])
def test_garbage_is_refused(client: Client, value: str) -> None:
    refused(client, value)


@pytest.mark.parametrize(
    "header",
    ["Token {token}", "{token}", "JWT {token}", "Basic {token}"],
)
def test_a_token_not_sent_as_bearer_is_authentication_required(
    client: Client, artist: dict[str, Any], header: str
) -> None:
    response = client.get(
        "/auth/me", headers={"Authorization": header.format(token=artist["accessToken"])}
    )
    error_of(response, 401, "authentication_required")
    assert response.headers["www-authenticate"] == 'Bearer realm="studio-bridge"'


def test_a_deactivated_users_tokens_stop_working_at_once(
    client: Client, admin: dict[str, Any], artist: dict[str, Any]
) -> None:
    assert me(client, artist["accessToken"]).status_code == 200
    response = client.patch(
        f"/users/{artist['user']['id']}",
        json={"active": False},
        headers=bearer(admin["accessToken"]),
    )
    assert response.status_code == 200, response.text
    refused(client, artist["accessToken"])  # unexpired, validly signed, and refused
    refresh = client.post("/auth/refresh", json={"refreshToken": artist["refreshToken"]})
    error_of(refresh, 401, "invalid_refresh_token")

    # Reactivated, they sign in again; the old session stays ended.
    client.patch(
        f"/users/{artist['user']['id']}",
        json={"active": True},
        headers=bearer(admin["accessToken"]),
    )
    assert sign_in(client, artist["user"]["email"], STAFF_PASSWORD)
    refresh = client.post("/auth/refresh", json={"refreshToken": artist["refreshToken"]})
    error_of(refresh, 401, "invalid_refresh_token")


def test_a_deleted_users_tokens_stop_working(client: Client, artist: dict[str, Any]) -> None:
    user = artist["user"]
    service = container(client)

    async def delete() -> None:
        async with service.persistence().unit_of_work() as uow:
            await uow.users.delete(StudioId(user["studioId"]), UserId(user["id"]))
            await uow.commit()

    on_app_loop(client, delete)
    refused(client, artist["accessToken"])
    refresh = client.post("/auth/refresh", json={"refreshToken": artist["refreshToken"]})
    error_of(refresh, 401, "invalid_refresh_token")


def test_a_role_change_applies_to_the_next_request(
    client: Client, admin: dict[str, Any], artist: dict[str, Any]
) -> None:
    token, user_id = artist["accessToken"], artist["user"]["id"]
    forbidden = client.get("/users", headers=bearer(token))
    error_of(forbidden, 403, "forbidden")  # and the artist's state is now remembered
    for role, status in (("admin", 200), ("artist", 403)):
        changed = client.patch(
            f"/users/{user_id}", json={"role": role}, headers=bearer(admin["accessToken"])
        )
        assert changed.status_code == 200, changed.text
        assert client.get("/users", headers=bearer(token)).status_code == status


def deactivate_in_the_store(client: Client, session: dict[str, Any]) -> None:
    """What another replica (or another process on the same store) would do."""
    service = container(client)
    studio_id, user_id = StudioId(session["user"]["studioId"]), UserId(session["user"]["id"])

    async def deactivate() -> None:
        async with service.persistence().unit_of_work() as uow:
            user = await uow.users.get(studio_id, user_id)
            changed = user.changed(active=False, at=service.clock().now())
            await uow.users.save(changed, expected_revision=user.revision)
            await uow.commit()

    on_app_loop(client, deactivate)


def test_a_change_made_by_another_process_is_seen_within_the_cache_time(
    client: Client, artist: dict[str, Any]
) -> None:
    clock = use_clock(client, ManualClock())
    token = artist["accessToken"]
    assert client.get("/studio", headers=bearer(token)).status_code == 200  # now remembered
    deactivate_in_the_store(client, artist)
    clock.advance(4.9)  # USER_STATE_CACHE_SECONDS is 5 by default
    assert client.get("/studio", headers=bearer(token)).status_code == 200
    clock.advance(0.1)
    error_of(client.get("/studio", headers=bearer(token)), 401, "invalid_token")


def test_without_the_cache_a_change_made_elsewhere_is_seen_at_once(
    make_client: Callable[..., Client],
) -> None:
    client = make_client(AUTH_RATE_LIMIT_PER_MINUTE="1000", USER_STATE_CACHE_SECONDS="0")
    admin = sign_in_admin(client)
    artist = sign_in(
        client, add_user(client, admin["accessToken"], Role.ARTIST)["email"], STAFF_PASSWORD
    )
    assert me(client, artist["accessToken"]).status_code == 200
    deactivate_in_the_store(client, artist)
    refused(client, artist["accessToken"])
