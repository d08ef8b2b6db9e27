"""The caller's studio and its settings (admins change them), and the audit log (producers)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.support.identity_http import (
    STAFF_PASSWORD,
    bearer,
    error_of,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
    unique_email,
)

Client = TestClient[Any]


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


def test_every_member_reads_their_studio(client: Client) -> None:
    admin = sign_in_admin(client)["accessToken"]
    for role in Role:
        token = signed_in_as(client, admin, role)["accessToken"]
        response = client.get("/studio", headers=bearer(token))
        assert response.status_code == 200, (role, response.text)
        assert response.json()["data"]["slug"] == "demo"
        assert response.json()["data"]["settings"] == {
            "selfSignupRoles": ["viewer"],
            "freeEpisodesPerSeries": 3,
        }


def test_only_admins_change_studio_settings(client: Client) -> None:
    admin = sign_in_admin(client)["accessToken"]
    change = {"selfSignupRoles": ["viewer", "artist"], "freeEpisodesPerSeries": 5}
    for role in (Role.VIEWER, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER):
        token = signed_in_as(client, admin, role)["accessToken"]
        error_of(client.patch("/studio", json=change, headers=bearer(token)), 403, "forbidden")
    response = client.patch("/studio", json=change, headers=bearer(admin))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["settings"] == {
        "selfSignupRoles": ["artist", "viewer"],
        "freeEpisodesPerSeries": 5,
    }
    # The change takes effect: creators may now register themselves.
    registered = client.post(
        "/auth/register",
        json={
            "email": unique_email("creator"),
            "password": "lantern-orchard-river-12",
            "name": "Cleo",
            "role": "creator",
        },
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["data"]["user"]["role"] == "artist"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"selfSignupRoles": ["admin"]}, "signup_role_not_allowed"),
        ({"selfSignupRoles": ["viewer", "producer"]}, "signup_role_not_allowed"),
        ({"freeEpisodesPerSeries": -1}, "validation_failed"),
        ({"slug": "renamed"}, "validation_failed"),
    ],
)
def test_settings_that_would_open_a_door_are_refused(
    client: Client, change: dict[str, Any], code: str
) -> None:
    admin = sign_in_admin(client)["accessToken"]
    error_of(client.patch("/studio", json=change, headers=bearer(admin)), 422, code)
    settings = client.get("/studio", headers=bearer(admin)).json()["data"]["settings"]
    assert settings["selfSignupRoles"] == ["viewer"]


def test_audit_log_is_for_producers_and_admins(client: Client) -> None:
    admin = sign_in_admin(client)["accessToken"]
    for role, status in (
        (Role.VIEWER, 403),
        (Role.ARTIST, 403),
        (Role.DIRECTOR, 403),
        (Role.PRODUCER, 200),
        (Role.ADMIN, 200),
    ):
        token = signed_in_as(client, admin, role)["accessToken"]
        assert client.get("/audit", headers=bearer(token)).status_code == status, role


def test_audit_log_records_changes_newest_first_and_walks_with_a_cursor(client: Client) -> None:
    admin = sign_in_admin(client)["accessToken"]
    created = [signed_in_as(client, admin, Role.ARTIST)["user"]["id"] for _ in range(3)]
    first = client.get("/audit", params={"limit": 2}, headers=bearer(admin))
    assert first.status_code == 200, first.text
    walked = list(first.json()["data"])
    cursor = first.json()["meta"]["nextCursor"]
    while cursor:
        page = client.get("/audit", params={"limit": 2, "cursor": cursor}, headers=bearer(admin))
        walked.extend(page.json()["data"])
        cursor = page.json()["meta"]["nextCursor"]
    # Compared as instants: the text drops a zero fraction ("...:05Z" vs "...:05.120000Z").
    instants = [datetime.fromisoformat(e["at"]) for e in walked]
    assert instants == sorted(instants, reverse=True)
    assert len({e["id"] for e in walked}) == len(walked)
    user_events = [e for e in walked if e["action"] == "user.created"]
    assert {e["resourceId"] for e in user_events} >= set(created)
    assert all(e["correlationId"] for e in user_events)  # each names the request that did it
    one = client.get(
        "/audit", params={"resourceType": "user", "resourceId": created[0]}, headers=bearer(admin)
    )
    assert [e["action"] for e in one.json()["data"]] == ["user.created"]
    # A cursor of one query is refused on another.
    other = client.get(
        "/audit",
        params={"resourceType": "user", "cursor": first.json()["meta"]["nextCursor"]},
        headers=bearer(admin),
    )
    error_of(other, 422, "invalid_cursor")


def test_another_studios_audit_log_and_settings_are_out_of_reach(client: Client) -> None:
    seed_studio(client, "rival", admin_email="boss@rival.example.com")
    rival = sign_in(client, "boss@rival.example.com", STAFF_PASSWORD, studio="rival")
    demo_admin = sign_in_admin(client)["accessToken"]
    artist = signed_in_as(client, demo_admin, Role.ARTIST)["user"]["id"]
    events = client.get("/audit", params={"limit": 100}, headers=bearer(rival["accessToken"]))
    assert events.status_code == 200
    assert artist not in {e["resourceId"] for e in events.json()["data"]}
    assert client.get("/studio", headers=bearer(rival["accessToken"])).json()["data"]["slug"] == (
        "rival"
    )
