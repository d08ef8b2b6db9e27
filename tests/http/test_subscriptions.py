"""Subscriptions over HTTP: the micro-drama toggle, explicit states, expiry by time alone, the
history of changes, ``/auth/me``, and who may manage them.

``POST /admin/users/{userId}/subscription`` with no body (or ``{}``) toggles; with
``{status, plan?, currentPeriodEnd?}`` it sets that state. A subscription past its period end
counts as expired from that instant, with nothing written.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.support.content_http import data_of, items_of, token_auth
from tests.support.identity_http import (
    STAFF_PASSWORD,
    ManualClock,
    add_user,
    error_of,
    seed_studio,
    sign_in,
    sign_in_admin,
    signed_in_as,
    unique_email,
    use_clock,
)

Client = TestClient[Any]
Auth = dict[str, str]
SUBSCRIPTION_KEYS = {"userId", "status", "plan", "currentPeriodEnd", "createdAt", "updatedAt"}
CHANGE_KEYS = {"actorId", "at", "from", "to", "plan", "currentPeriodEnd"}
DAYS_30 = timedelta(days=30)


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


@pytest.fixture
def admin(client: Client) -> dict[str, Any]:
    return sign_in_admin(client)


@pytest.fixture
def viewer(client: Client, admin: dict[str, Any]) -> dict[str, Any]:
    return signed_in_as(client, admin["accessToken"], Role.VIEWER)


def path(user_id: str) -> str:
    return f"/admin/users/{user_id}/subscription"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_toggle_activates_cancels_and_reactivates(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    auth = token_auth(admin)
    user_id = viewer["user"]["id"]
    assert data_of(client.get(path(user_id), headers=auth)) is None

    clock = use_clock(client, ManualClock())
    first = data_of(client.post(path(user_id), headers=auth))  # no body at all
    assert set(first) == SUBSCRIPTION_KEYS
    assert (first["userId"], first["status"], first["plan"]) == (user_id, "active", "monthly")
    assert instant(first["currentPeriodEnd"]) - instant(first["createdAt"]) == DAYS_30
    assert instant(first["createdAt"]) == clock.now()

    clock.advance(60)
    canceled = data_of(client.post(path(user_id), json={}, headers=auth))  # {} toggles too
    assert canceled["status"] == "canceled"
    assert canceled["currentPeriodEnd"] == first["currentPeriodEnd"]  # kept, for the record
    assert canceled["createdAt"] == first["createdAt"]
    assert instant(canceled["updatedAt"]) == clock.now()

    clock.advance(60)
    again = data_of(client.post(path(user_id), headers=auth))
    assert again["status"] == "active"
    assert instant(again["currentPeriodEnd"]) == clock.now() + DAYS_30  # a new period from now
    assert data_of(client.get(path(user_id), headers=auth)) == again


def test_an_explicit_state_is_set_exactly(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    auth = token_auth(admin)
    user_id = viewer["user"]["id"]
    end = "2031-01-01T00:00:00Z"
    body = {"status": "active", "plan": "yearly", "currentPeriodEnd": end}
    set_ = data_of(client.post(path(user_id), json=body, headers=auth))
    assert (set_["status"], set_["plan"], instant(set_["currentPeriodEnd"])) == (
        "active",
        "yearly",
        instant(end),
    )
    # A status alone keeps the plan; no period end means none (active until canceled).
    canceled = data_of(client.post(path(user_id), json={"status": "canceled"}, headers=auth))
    assert (canceled["status"], canceled["plan"], canceled["currentPeriodEnd"]) == (
        "canceled",
        "yearly",
        None,
    )
    forever = data_of(
        client.post(path(user_id), json={"status": "active", "plan": "family.v2"}, headers=auth)
    )
    assert (forever["status"], forever["plan"], forever["currentPeriodEnd"]) == (
        "active",
        "family.v2",
        None,
    )
    expired = data_of(client.post(path(user_id), json={"status": "expired"}, headers=auth))
    assert expired["status"] == "expired"
    assert "storedStatus" not in expired  # stored as it counts
    # A first subscription may be set explicitly too.
    other = add_user(client, admin["accessToken"], Role.VIEWER)
    made = data_of(client.post(path(other["id"]), json={"status": "canceled"}, headers=auth))
    assert (made["status"], made["plan"], made["currentPeriodEnd"]) == (
        "canceled",
        "monthly",
        None,
    )


def test_a_subscription_expires_at_its_period_end_without_a_write(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    auth = token_auth(admin)
    user_id = viewer["user"]["id"]
    clock = use_clock(client, ManualClock())
    end = clock.now() + timedelta(minutes=10)
    body = {"status": "active", "currentPeriodEnd": end.isoformat()}
    set_ = data_of(client.post(path(user_id), json=body, headers=auth))
    assert set_["status"] == "active"

    def me() -> dict[str, Any]:
        return data_of(client.get("/auth/me", headers=token_auth(viewer)))

    clock.advance(599)
    assert data_of(client.get(path(user_id), headers=auth))["status"] == "active"
    assert me()["subscription"]["status"] == "active"

    clock.advance(1)  # the period end itself: over
    seen = data_of(client.get(path(user_id), headers=auth))
    assert (seen["status"], seen["storedStatus"]) == ("expired", "active")
    assert seen["updatedAt"] == set_["updatedAt"]  # nothing was written
    mine = me()["subscription"]
    assert (mine["status"], mine["storedStatus"]) == ("expired", "active")
    assert len(items_of(client.get(f"{path(user_id)}/history", headers=auth))) == 1

    # Toggling an expired subscription renews it from now, and the change says "from expired".
    renewed = data_of(client.post(path(user_id), headers=auth))
    assert renewed["status"] == "active"
    assert "storedStatus" not in renewed
    assert instant(renewed["currentPeriodEnd"]) == clock.now() + DAYS_30
    [latest, _] = items_of(client.get(f"{path(user_id)}/history", headers=auth))
    assert (latest["from"], latest["to"]) == ("expired", "active")


def test_the_history_says_who_when_from_and_to_newest_first_in_pages(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    auth = token_auth(admin)
    user_id = viewer["user"]["id"]
    clock = use_clock(client, ManualClock())
    steps: list[tuple[dict[str, Any] | None, str]] = [
        (None, "active"),
        (None, "canceled"),
        ({"status": "active", "plan": "yearly"}, "active"),
        ({"status": "expired"}, "expired"),
        (None, "active"),
    ]
    times = []
    for body, expected in steps:
        clock.advance(1)
        times.append(clock.now())
        answer = client.post(path(user_id), json=body, headers=auth)
        assert data_of(answer)["status"] == expected

    listed = client.get(f"{path(user_id)}/history", headers=auth)
    history = items_of(listed)
    assert listed.json()["meta"] == {"total": 5, "page": 1, "limit": 20, "totalPages": 1}
    assert all(set(change) == CHANGE_KEYS for change in history)
    assert [(c["from"], c["to"]) for c in history] == [
        ("expired", "active"),
        ("active", "expired"),
        ("canceled", "active"),
        ("active", "canceled"),
        (None, "active"),
    ]
    assert [instant(c["at"]) for c in history] == times[::-1]
    assert {c["actorId"] for c in history} == {admin["user"]["id"]}
    assert [c["plan"] for c in history] == ["yearly", "yearly", "yearly", "monthly", "monthly"]

    page_two = client.get(f"{path(user_id)}/history", params={"limit": 2, "page": 2}, headers=auth)
    assert items_of(page_two) == history[2:4]
    assert page_two.json()["meta"] == {"total": 5, "page": 2, "limit": 2, "totalPages": 3}

    # Each change is in the audit log too.
    events = items_of(
        client.get("/audit", params={"resourceType": "user", "resourceId": user_id}, headers=auth)
    )
    changes = [e for e in events if e["action"] == "subscription.changed"]
    assert [(e["details"]["from"], e["details"]["to"]) for e in changes][-1] == ("none", "active")
    assert len(changes) == 5


def test_auth_me_shows_the_callers_subscription(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    me = data_of(client.get("/auth/me", headers=token_auth(viewer)))
    assert me["subscription"] is None
    assert me | {"subscription": None} == viewer["user"] | {"subscription": None}
    made = data_of(client.post(path(viewer["user"]["id"]), headers=token_auth(admin)))
    me = data_of(client.get("/auth/me", headers=token_auth(viewer)))
    assert me["subscription"] == made
    # Staff have subscriptions too (they play everything anyway); none is none.
    assert data_of(client.get("/auth/me", headers=token_auth(admin)))["subscription"] is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER])
def test_only_admins_manage_subscriptions(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any], role: Role
) -> None:
    caller = token_auth(signed_in_as(client, admin["accessToken"], role))
    user_id = viewer["user"]["id"]
    for own in (False, True):
        target = data_of(client.get("/auth/me", headers=caller))["id"] if own else user_id
        for answer in (
            client.post(path(target), headers=caller),
            client.post(path(target), json={"status": "active"}, headers=caller),
            client.get(path(target), headers=caller),
            client.get(f"{path(target)}/history", headers=caller),
        ):
            error_of(answer, 403, "forbidden")
    assert data_of(client.get(path(user_id), headers=token_auth(admin))) is None
    for answer in (
        client.post(path(user_id)),
        client.get(path(user_id)),
        client.get(f"{path(user_id)}/history"),
    ):
        error_of(answer, 401, "authentication_required")


def test_another_studios_user_is_not_found(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    other_admin_email = unique_email("other-admin")
    seed_studio(client, "rival", admin_email=other_admin_email)
    rival = sign_in(client, other_admin_email, STAFF_PASSWORD, studio="rival")
    rival_auth = token_auth(rival)
    home_auth = token_auth(admin)
    # Neither admin reaches the other studio's users, whatever the route.
    for auth, user_id in ((home_auth, rival["user"]["id"]), (rival_auth, viewer["user"]["id"])):
        for answer in (
            client.post(path(user_id), headers=auth),
            client.post(path(user_id), json={"status": "active"}, headers=auth),
            client.get(path(user_id), headers=auth),
            client.get(f"{path(user_id)}/history", headers=auth),
        ):
            error_of(answer, 404, "user_not_found")
    for malformed in ("nobody", "0" * 40):
        error_of(client.post(path(malformed), headers=home_auth), 404, "user_not_found")
    assert data_of(client.get(path(viewer["user"]["id"]), headers=home_auth)) is None


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"status": "paused"}, 422, "validation_failed", "status"),
        ({"status": "active", "plan": ""}, 422, "validation_failed", "plan"),
        ({"status": "active", "plan": "p" * 65}, 422, "validation_failed", "plan"),
        ({"status": "active", "plan": 3}, 422, "validation_failed", "plan"),
        ({"status": "active", "plan": "Gold Plan!"}, 422, "invalid_subscription", "plan"),
        ({"status": "active", "currentPeriodEnd": "soon"}, 422, "validation_failed", None),
        (
            {"status": "active", "currentPeriodEnd": "2031-01-01T00:00:00"},  # no time zone
            422,
            "validation_failed",
            "currentPeriodEnd",
        ),
        ({"status": "active", "userId": "someone"}, 422, "validation_failed", "userId"),
        ({"plan": "yearly"}, 422, "invalid_subscription", "status"),
        ({"currentPeriodEnd": "2031-01-01T00:00:00Z"}, 422, "invalid_subscription", "status"),
        ([], 422, "validation_failed", None),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(
    client: Client,
    admin: dict[str, Any],
    viewer: dict[str, Any],
    body: Any,
    status: int,
    code: str,
    field: str | None,
) -> None:
    auth = token_auth(admin)
    user_id = viewer["user"]["id"]
    error = error_of(client.post(path(user_id), json=body, headers=auth), status, code)
    if field is not None and code == "validation_failed":
        assert [f["field"] for f in error["details"]["fields"]] == [field], error
    elif field is not None:
        assert error["details"] == {"field": field}
    assert data_of(client.get(path(user_id), headers=auth)) is None


def test_non_json_and_malformed_bodies_are_refused(
    client: Client, admin: dict[str, Any], viewer: dict[str, Any]
) -> None:
    auth = token_auth(admin)
    user_id = viewer["user"]["id"]
    error_of(
        client.post(
            path(user_id), content=b"status=active", headers=auth | {"Content-Type": "text/plain"}
        ),
        415,
        "unsupported_media_type",
    )
    error_of(
        client.post(
            path(user_id), content=b"{status", headers=auth | {"Content-Type": "application/json"}
        ),
        400,
        "malformed_json",
    )
    error_of(
        client.get(f"{path(user_id)}/history", params={"limit": 0}, headers=auth),
        400,
        "invalid_parameter",
    )
    assert data_of(client.get(path(user_id), headers=auth)) is None


def test_the_subscription_routes_are_in_the_api_reference(client: Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/admin/users/{user_id}/subscription"]) == {"get", "post"}
    assert set(paths["/admin/users/{user_id}/subscription/history"]) == {"get"}
    assert "requestBody" in paths["/admin/users/{user_id}/subscription"]["post"]
