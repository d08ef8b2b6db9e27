"""``/assets`` over HTTP on the embedded store: CRUD, lists, ETags, idempotency, review,
dependencies, versions, and the error contract of each refusal."""

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.support.identity_http import (
    bearer,
    error_of,
    sign_in_admin,
    signed_in_as,
)

Client = TestClient[Any]


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


@pytest.fixture
def admin(client: Client) -> dict[str, str]:
    return bearer(sign_in_admin(client)["accessToken"])


def staff(client: Client, admin: dict[str, str], role: Role) -> dict[str, str]:
    return bearer(signed_in_as(client, admin["Authorization"][7:], role)["accessToken"])


def create(client: Client, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    payload = {"name": "Hero Rig", "type": "rig"} | body
    response = client.post("/assets", json=payload, headers=auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    assert response.headers["location"] == f"/assets/{data['id']}"
    assert response.headers["etag"] == f'"{data["revision"]}"'
    return data


def test_an_asset_is_created_read_changed_and_deleted(
    client: Client, admin: dict[str, str]
) -> None:
    artist = staff(client, admin, Role.ARTIST)
    created = create(
        client,
        artist,
        name="  Red   Hero Rig ",
        description="The hero, rigged.",
        tags=["Hero", "rig", "hero"],
        metadata={"software": "maya"},
    )
    assert created["name"] == "Red Hero Rig"
    assert created["tags"] == ["hero", "rig"]
    assert created["status"] == "draft"
    assert created["revision"] == 1
    assert created["currentVersion"] is None

    got = client.get(f"/assets/{created['id']}", headers=artist)
    assert got.status_code == 200
    assert got.json()["data"] == created
    assert got.headers["etag"] == '"1"'
    assert got.headers["content-type"] == "application/json"
    assert got.headers["content-length"] == str(len(got.content))
    assert got.headers["x-content-type-options"] == "nosniff"  # the edge's headers too
    unchanged = client.get(f"/assets/{created['id']}", headers=artist | {"If-None-Match": '"1"'})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == '"1"'

    patched = client.patch(
        f"/assets/{created['id']}",
        json={"description": "Rigged twice.", "tags": ["final"]},
        headers=artist | {"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["description"] == "Rigged twice."
    assert patched.json()["data"]["tags"] == ["final"]
    assert patched.headers["etag"] == '"2"'

    deleted = client.delete(f"/assets/{created['id']}", headers=artist)
    assert deleted.status_code == 204
    error_of(client.get(f"/assets/{created['id']}", headers=artist), 404, "asset_not_found")
    listed = client.get("/assets", headers=artist).json()
    assert created["id"] not in [item["id"] for item in listed["data"]]

    restored = client.post(f"/assets/{created['id']}/restore", headers=artist)
    assert restored.status_code == 200
    assert restored.json()["data"]["deletedAt"] is None
    assert client.get(f"/assets/{created['id']}", headers=artist).status_code == 200


def test_patch_needs_if_match_and_refuses_a_stale_one(
    client: Client, admin: dict[str, str]
) -> None:
    asset = create(client, admin)
    url = f"/assets/{asset['id']}"
    error_of(
        client.patch(url, json={"description": "x"}, headers=admin), 428, "precondition_required"
    )
    ok = client.patch(url, json={"description": "x"}, headers=admin | {"If-Match": '"1"'})
    assert ok.status_code == 200
    stale = client.patch(url, json={"description": "y"}, headers=admin | {"If-Match": '"1"'})
    error_of(stale, 412, "stale_revision")
    assert client.get(url, headers=admin).json()["data"]["description"] == "x"
    error_of(
        client.patch(url, json={"description": "y"}, headers=admin | {"If-Match": "garbage"}),
        412,
        "stale_revision",
    )
    error_of(client.patch(url, json={}, headers=admin | {"If-Match": '"2"'}), 422, "empty_patch")


def test_the_same_idempotency_key_replays_the_first_answer(
    client: Client, admin: dict[str, str]
) -> None:
    headers = admin | {"Idempotency-Key": "create-hero-1"}
    body = {"name": "Idempotent Hero", "type": "character"}
    first = client.post("/assets", json=body, headers=headers)
    again = client.post("/assets", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post("/assets", json=body | {"type": "prop"}, headers=headers)
    error_of(other, 422, "idempotency_key_reused")
    listed = client.get("/assets", params={"q": "idempotent"}, headers=admin).json()
    assert listed["meta"]["total"] == 1


def test_names_are_unique_per_studio_until_purged(client: Client, admin: dict[str, str]) -> None:
    asset = create(client, admin, name="Castle")
    error_of(
        client.post("/assets", json={"name": "castle", "type": "prop"}, headers=admin),
        409,
        "asset_name_taken",
    )
    assert client.delete(f"/assets/{asset['id']}", headers=admin).status_code == 204
    error_of(
        client.post("/assets", json={"name": "Castle", "type": "prop"}, headers=admin),
        409,
        "asset_name_taken",
    )
    assert client.post(f"/assets/{asset['id']}/purge", headers=admin).status_code == 204
    create(client, admin, name="Castle")


def test_a_live_asset_is_not_purged(client: Client, admin: dict[str, str]) -> None:
    asset = create(client, admin)
    error_of(client.post(f"/assets/{asset['id']}/purge", headers=admin), 409, "asset_not_deleted")


def test_lists_filter_sort_and_walk_with_cursors(client: Client, admin: dict[str, str]) -> None:
    artist = staff(client, admin, Role.ARTIST)
    names = ["Alpha Tree", "beta rock", "Gamma Tree", "delta sky", "Epsilon Tree"]
    made = [
        create(
            client,
            artist if i % 2 else admin,
            name=n,
            type="prop" if i < 3 else "texture",
            tags=["forest"] if "Tree" in n else [],
        )
        for i, n in enumerate(names)
    ]
    by_name = client.get("/assets", params={"sort": "name:asc"}, headers=admin).json()
    assert [a["name"] for a in by_name["data"]] == sorted(names, key=str.casefold)
    assert by_name["meta"] == {"total": 5, "page": 1, "limit": 20, "totalPages": 1}

    def names_of(**params: Any) -> list[str]:
        response = client.get("/assets", params=params | {"sort": "name:asc"}, headers=admin)
        assert response.status_code == 200, response.text
        return [a["name"] for a in response.json()["data"]]

    assert names_of(type="texture") == ["delta sky", "Epsilon Tree"]
    assert names_of(tag="Forest") == ["Alpha Tree", "Epsilon Tree", "Gamma Tree"]
    assert names_of(q="tre") == ["Alpha Tree", "Epsilon Tree", "Gamma Tree"]
    assert names_of(q="gam tr") == ["Gamma Tree"]
    assert names_of(owner="me") == ["Alpha Tree", "Epsilon Tree", "Gamma Tree"]
    assert names_of(status="approved") == []
    artist_id = made[1]["ownerId"]
    assert names_of(owner=artist_id) == ["beta rock", "delta sky"]

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "cursor": "", "sort": "createdAt:asc"}
    while True:
        page = client.get("/assets", params=params, headers=admin).json()
        assert set(page["meta"]) == {"nextCursor", "limit"}
        seen += [a["id"] for a in page["data"]]
        if page["meta"]["nextCursor"] is None:
            break
        params["cursor"] = page["meta"]["nextCursor"]
    assert seen == [a["id"] for a in made]
    # A cursor is bound to its query: reused with another filter, it is refused.
    first = client.get("/assets", params={"limit": 1, "cursor": ""}, headers=admin).json()
    error_of(
        client.get(
            "/assets",
            params={"limit": 1, "cursor": first["meta"]["nextCursor"], "type": "prop"},
            headers=admin,
        ),
        422,
        "invalid_cursor",
    )
    error_of(
        client.get("/assets", params={"sort": "owner"}, headers=admin), 422, "sort_not_allowed"
    )


def test_bodies_are_checked_before_anything_happens(client: Client, admin: dict[str, str]) -> None:
    bad_bodies = [
        {"name": "", "type": "rig"},
        {"name": "x" * 201, "type": "rig"},
        {"name": "A", "type": "spaceship"},
        {"name": "A", "type": "rig", "owner": "someone"},  # unknown fields are refused
        {"name": "A", "type": "rig", "tags": ["t"] * 33},
        {"name": "A", "type": "rig", "tags": ["x" * 41]},
        {"name": "A", "type": "rig", "metadata": {"k": "v" * 1025}},
        {"name": "A", "type": "rig", "metadata": {f"k{i}": "v" for i in range(65)}},
        {"name": "A", "type": "rig", "description": "d" * 5001},
    ]
    for body in bad_bodies:
        response = client.post("/assets", json=body, headers=admin)
        assert response.status_code in (400, 422), (body, response.text)
        assert "error" in response.json()
    assert client.get("/assets", headers=admin).json()["meta"]["total"] == 0


def test_review_workflow_and_its_illegal_moves(client: Client, admin: dict[str, str]) -> None:
    artist = staff(client, admin, Role.ARTIST)
    director = staff(client, admin, Role.DIRECTOR)
    asset = create(client, artist)
    url = f"/assets/{asset['id']}/review"

    def review(auth: dict[str, str], action: str, note: str | None = None) -> Any:
        return client.post(url, json={"action": action, "note": note}, headers=auth)

    error_of(review(artist, "approve"), 403, "forbidden")
    error_of(review(director, "approve"), 409, "illegal_transition")
    assert review(artist, "submit").json()["data"]["status"] == "in_review"
    error_of(review(director, "send_back"), 422, "invalid_asset")  # a note is needed
    sent_back = review(director, "send_back", "Fix the elbows.").json()["data"]
    assert (sent_back["status"], sent_back["reviewNote"]) == ("draft", "Fix the elbows.")
    assert review(artist, "submit").status_code == 200
    assert review(director, "approve").json()["data"]["status"] == "approved"
    error_of(review(artist, "submit"), 409, "illegal_transition")
    assert review(director, "archive").json()["data"]["status"] == "archived"
    events = client.get(
        "/audit", params={"resourceType": "asset", "resourceId": asset["id"]}, headers=admin
    ).json()["data"]
    assert [e["action"] for e in reversed(events)] == [
        "asset.created",
        "asset.submit",
        "asset.send_back",
        "asset.submit",
        "asset.approve",
        "asset.archive",
    ]


def test_dependencies_refuse_cycles_and_unknown_assets(
    client: Client, admin: dict[str, str]
) -> None:
    a, b, c = (create(client, admin, name=n) for n in ("A", "B", "C"))

    def depend(asset: dict[str, Any], *on: dict[str, Any]) -> Any:
        return client.put(
            f"/assets/{asset['id']}/dependencies",
            json={"dependencies": [x["id"] for x in on]},
            headers=admin,
        )

    assert depend(a, b).json()["data"]["dependencies"] == [b["id"]]
    assert depend(b, c).status_code == 200
    error_of(depend(c, a), 409, "dependency_cycle")
    error_of(depend(a, a), 409, "dependency_cycle")
    ghost = {"id": "00000000-0000-4000-8000-000000000000"}
    error_of(depend(a, ghost), 422, "unknown_dependency")
    dependents = client.get(f"/assets/{c['id']}/dependents", headers=admin).json()
    assert [d["id"] for d in dependents["data"]] == [b["id"]]
    everything = client.get(f"/assets/{c['id']}/dependents/all", headers=admin).json()["data"]
    assert everything == {"ids": [b["id"], a["id"]], "truncated": False}
    # An asset others use is not purged.
    assert client.delete(f"/assets/{c['id']}", headers=admin).status_code == 204
    error_of(client.post(f"/assets/{c['id']}/purge", headers=admin), 409, "asset_in_use")
