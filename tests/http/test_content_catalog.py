"""``/content`` and the content lists over HTTP: free and locked episodes by the studio's
``freeEpisodesPerSeries``, staff previews of unpublished content (404 for viewers), and the
lists' pages, sorts, filters and cursors."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId
from tests.support.content_http import (
    act,
    data_of,
    items_of,
    local_video,
    new_episode,
    new_series,
    token_auth,
)
from tests.support.identity_http import container, error_of, sign_in_admin, signed_in_as

Client = TestClient[Any]
Auth = dict[str, str]


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


@pytest.fixture
def people(client: Client) -> dict[Role, Auth]:
    admin_token = sign_in_admin(client)["accessToken"]
    people = {role: token_auth(signed_in_as(client, admin_token, role)) for role in Role}
    return people | {Role.ADMIN: token_auth({"accessToken": admin_token})}


def published_series(
    client: Client, owner: Auth, moderator: Auth, numbers: range, title: str, **body: Any
) -> tuple[str, list[str]]:
    """A series with these episodes, each submitted and approved."""
    video_id = local_video(client, owner)
    series_id = new_series(client, owner, title, **body)
    episodes = []
    for number in numbers:
        episode_id = new_episode(client, owner, series_id, video_id, number, status="pending")
        act(client, moderator, f"/admin/episodes/{episode_id}/approve")
        episodes.append(episode_id)
    return series_id, episodes


def marks(client: Client, auth: Auth, series_id: str) -> list[tuple[int, bool, bool, bool]]:
    """(number, free, locked, preview) of each episode the caller sees, in order."""
    listed = items_of(client.get(f"/content/series/{series_id}/episodes", headers=auth))
    return [(e["number"], e["free"], e["locked"], e["preview"]) for e in listed]


class EveryoneSubscribed:
    async def is_subscribed(self, studio_id: StudioId, user_id: UserId, *, at: datetime) -> bool:
        return True


def test_episodes_past_the_free_ones_are_locked_for_viewers(
    client: Client, people: dict[Role, Auth]
) -> None:
    admin, artist, viewer = people[Role.ADMIN], people[Role.ARTIST], people[Role.VIEWER]
    studio = client.patch("/studio", json={"freeEpisodesPerSeries": 2}, headers=admin)
    assert data_of(studio)["settings"]["freeEpisodesPerSeries"] == 2
    series_id, episodes = published_series(client, artist, admin, range(1, 5), "Free Then Paid")

    assert marks(client, viewer, series_id) == [
        (1, True, False, False),
        (2, True, False, False),
        (3, False, True, False),
        (4, False, True, False),
    ]
    # Staff play everything: the same free marks, nothing locked.
    for role in (Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN):
        assert marks(client, people[role], series_id) == [
            (1, True, False, False),
            (2, True, False, False),
            (3, False, False, False),
            (4, False, False, False),
        ]
    one = data_of(client.get(f"/content/episodes/{episodes[2]}", headers=viewer))
    assert (one["number"], one["free"], one["locked"]) == (3, False, True)

    # The studio's setting decides, read on each request.
    client.patch("/studio", json={"freeEpisodesPerSeries": 0}, headers=admin)
    assert [m[1:3] for m in marks(client, viewer, series_id)] == [(False, True)] * 4
    client.patch("/studio", json={"freeEpisodesPerSeries": 10}, headers=admin)
    assert [m[1:3] for m in marks(client, viewer, series_id)] == [(True, False)] * 4

    # A viewer with an active subscription plays everything (the subscriptions issue wires the
    # real check; here the port answers yes for everyone).
    client.patch("/studio", json={"freeEpisodesPerSeries": 1}, headers=admin)
    container(client).subscriptions.override(providers.Object(EveryoneSubscribed()))
    assert [m[1:3] for m in marks(client, viewer, series_id)] == [
        (True, False),
        (False, False),
        (False, False),
        (False, False),
    ]


def test_staff_preview_unpublished_content_and_viewers_get_404(
    client: Client, people: dict[Role, Auth]
) -> None:
    admin, artist, viewer = people[Role.ADMIN], people[Role.ARTIST], people[Role.VIEWER]
    series_id, [first] = published_series(client, artist, admin, range(1, 2), "Half Done")
    video_id = local_video(client, artist)
    draft = new_episode(client, artist, series_id, video_id, 2)

    # A published series with an unpublished episode: viewers see the published one only.
    assert marks(client, viewer, series_id) == [(1, True, False, False)]
    error_of(client.get(f"/content/episodes/{draft}", headers=viewer), 404, "episode_not_found")
    for role in (Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN):
        assert marks(client, people[role], series_id) == [
            (1, True, False, False),
            (2, True, False, True),
        ]
        shown = data_of(client.get(f"/content/episodes/{draft}", headers=people[role]))
        assert (shown["status"], shown["preview"]) == ("draft", True)

    # A series nobody may watch yet (a draft, or approved by hand without episodes).
    unpublished = new_series(client, artist, "Not Yet")
    by_hand = new_series(client, artist, "Approved Empty", status="pending")
    act(client, admin, f"/admin/series/{by_hand}/approve")
    early = new_episode(client, artist, unpublished, video_id, 1)
    for series in (unpublished, by_hand):
        error_of(client.get(f"/content/series/{series}", headers=viewer), 404, "series_not_found")
        error_of(
            client.get(f"/content/series/{series}/episodes", headers=viewer),
            404,
            "series_not_found",
        )
        shown = data_of(client.get(f"/content/series/{series}", headers=artist))
        assert shown["preview"] is True
    error_of(client.get(f"/content/episodes/{early}", headers=viewer), 404, "episode_not_found")
    assert marks(client, artist, unpublished) == [(1, True, False, True)]
    assert data_of(client.get(f"/content/series/{series_id}", headers=artist))["preview"] is False

    # The catalogue list shows watchable series only, to everyone.
    for auth in (viewer, artist, admin):
        listed = items_of(client.get("/content/series", headers=auth))
        assert [s["id"] for s in listed] == [series_id]
        assert listed[0]["preview"] is False

    # Unpublishing takes it out of viewers' reach at once.
    act(client, admin, f"/admin/episodes/{first}/unpublish")
    error_of(client.get(f"/content/series/{series_id}", headers=viewer), 404, "series_not_found")
    assert items_of(client.get("/content/series", headers=viewer)) == []


def test_the_catalogue_sorts_filters_searches_and_walks(
    client: Client, people: dict[Role, Auth]
) -> None:
    admin, artist, viewer = people[Role.ADMIN], people[Role.ARTIST], people[Role.VIEWER]
    ids = {}
    for title, tags in (
        ("Rain Over Seoul", ["romance"]),
        ("Midnight Heist", ["crime", "thriller"]),
        ("Rainbow Bakery", ["romance", "comedy"]),
    ):
        ids[title], _ = published_series(client, artist, admin, range(1, 2), title, tags=tags)

    def titles(**params: Any) -> list[str]:
        listed = items_of(client.get("/content/series", params=params, headers=viewer))
        return [s["title"] for s in listed]

    # Newest publication first by default; then by title, either way.
    assert titles() == ["Rainbow Bakery", "Midnight Heist", "Rain Over Seoul"]
    assert titles(sort="publishedAt:asc") == ["Rain Over Seoul", "Midnight Heist", "Rainbow Bakery"]
    assert titles(sort="title") == ["Midnight Heist", "Rain Over Seoul", "Rainbow Bakery"]
    assert titles(sort="title:desc") == ["Rainbow Bakery", "Rain Over Seoul", "Midnight Heist"]
    assert len(titles(sort="popularity:desc")) == 3
    assert titles(tag="Romance", sort="title") == ["Rain Over Seoul", "Rainbow Bakery"]
    assert titles(q="rain", sort="title") == ["Rain Over Seoul", "Rainbow Bakery"]
    assert titles(q="rain se") == ["Rain Over Seoul"]
    assert titles(q="heist", tag="romance") == []

    # Pages with a total, or a cursor bound to its query.
    paged = client.get("/content/series", params={"limit": 2, "page": 2}, headers=viewer)
    assert paged.json()["meta"] == {"total": 3, "page": 2, "limit": 2, "totalPages": 2}
    walked, cursor = [], ""
    while cursor is not None:
        answer = client.get(
            "/content/series",
            params={"limit": 1, "cursor": cursor, "sort": "title"},
            headers=viewer,
        )
        items = items_of(answer)
        walked += [s["title"] for s in items]
        assert set(answer.json()["meta"]) == {"nextCursor", "limit"}
        cursor = answer.json()["meta"]["nextCursor"]
        if cursor is not None:
            other_query = {"limit": 1, "cursor": cursor, "sort": "title:desc"}
            error_of(
                client.get("/content/series", params=other_query, headers=viewer),
                422,
                "invalid_cursor",
            )
    assert walked == ["Midnight Heist", "Rain Over Seoul", "Rainbow Bakery"]

    # What a list cannot do.
    for params, code in (
        ({"sort": "createdAt"}, "sort_not_allowed"),
        ({"sort": "title:sideways"}, "sort_not_allowed"),
        ({"q": "!!!"}, "invalid_content"),
        ({"cursor": "forged"}, "invalid_cursor"),
    ):
        error_of(client.get("/content/series", params=params, headers=viewer), 422, code)
    for params in ({"limit": 0}, {"limit": 101}, {"page": 0}, {"tag": "x" * 41}):
        error_of(
            client.get("/content/series", params=params, headers=viewer), 400, "invalid_parameter"
        )


def test_creator_and_moderation_lists(client: Client, people: dict[Role, Auth]) -> None:
    admin, artist = people[Role.ADMIN], people[Role.ARTIST]
    video_id = local_video(client, artist)
    drafts = [new_series(client, artist, f"Draft {n}") for n in (3, 1, 2)]
    pending = [new_series(client, artist, f"Waiting {n}", status="pending") for n in (1, 2)]
    episodes = [
        new_episode(client, artist, pending[0], video_id, number, status="pending")
        for number in (1, 2, 3)
    ]

    def own(**params: Any) -> list[str]:
        listed = items_of(client.get("/creator/series", params=params, headers=artist))
        return [s["title"] for s in listed]

    assert own() == ["Waiting 2", "Waiting 1", "Draft 2", "Draft 1", "Draft 3"]  # updatedAt:desc
    assert own(sort="title", status="draft") == ["Draft 1", "Draft 2", "Draft 3"]
    assert own(status="pending", sort="createdAt:asc") == ["Waiting 1", "Waiting 2"]
    error_of(
        client.get("/creator/series", params={"status": "gone"}, headers=artist),
        400,
        "invalid_parameter",
    )
    error_of(
        client.get("/creator/series", params={"sort": "popularity"}, headers=artist),
        422,
        "sort_not_allowed",
    )
    assert drafts[0] in [s["id"] for s in items_of(client.get("/creator/series", headers=artist))]

    # The moderation queues: oldest submission first, paged or walked.
    queued = items_of(client.get("/admin/series/pending", headers=admin))
    assert [s["id"] for s in queued] == pending
    newest_first = client.get(
        "/admin/series/pending", params={"sort": "submittedAt:desc"}, headers=admin
    )
    assert [s["id"] for s in items_of(newest_first)] == pending[::-1]
    walked, cursor = [], ""
    while cursor is not None:
        answer = client.get(
            "/admin/episodes/pending", params={"limit": 2, "cursor": cursor}, headers=admin
        )
        walked += [e["id"] for e in items_of(answer)]
        cursor = answer.json()["meta"]["nextCursor"]
    assert walked == episodes

    # A series' episodes, by number, for its creator.
    listed = items_of(client.get(f"/creator/series/{pending[0]}/episodes", headers=artist))
    assert [e["number"] for e in listed] == [1, 2, 3]
    backwards = client.get(
        f"/creator/series/{pending[0]}/episodes", params={"sort": "number:desc"}, headers=artist
    )
    assert [e["number"] for e in items_of(backwards)] == [3, 2, 1]
