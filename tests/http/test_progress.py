"""Watch progress over HTTP: ``POST /video/progress``, ``GET /video/history`` and
``GET /video/continue``.

Writes carry the instant the player observed them (``watchedAt``, default: when the server
receives them): a write observed before the stored one changes nothing, whenever it arrives,
and the same write twice changes nothing either. An episode is completed within the last 5%
of its duration. Continue-watching resumes an unfinished episode where it stopped, or starts
the next published episode after a completed one; a series finished to its last episode is
left out.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.identity.model import Role
from tests.http.test_content_catalog import published_series
from tests.http.test_playback import World, build_world
from tests.support.content_http import data_of, items_of, token_auth
from tests.support.identity_http import (
    STAFF_PASSWORD,
    error_of,
    seed_studio,
    sign_in,
    signed_in_as,
    unique_email,
)

Client = TestClient[Any]
ClientFactory = Callable[..., Client]
Auth = dict[str, str]
PROGRESS_KEYS = {
    "episodeId",
    "seriesId",
    "episodeNumber",
    "position",
    "duration",
    "completed",
    "watchedAt",
}
CONTINUE_KEYS = {"seriesId", "episodeId", "episodeNumber", "position", "lastWatchedAt"}
# Observations an hour ago and on: clear of the clock-skew bound, in a known order.
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def world(make_client: ClientFactory) -> World:
    # A generous throttle: these tests write faster than a player would.
    return build_world(make_client(PROGRESS_BURST="1000", PROGRESS_WRITES_PER_SECOND="100"))


def record(
    world: World,
    episode_id: str,
    position: float,
    *,
    duration: float = 100.0,
    watched_at: str | None = None,
    auth: Auth | None = None,
) -> Any:
    body: dict[str, Any] = {"episodeId": episode_id, "position": position, "duration": duration}
    if watched_at is not None:
        body["watchedAt"] = watched_at
    return world.client.post("/video/progress", json=body, headers=auth or world.viewer)


def history(world: World, auth: Auth | None = None, **params: Any) -> Any:
    return world.client.get("/video/history", params=params, headers=auth or world.viewer)


def resume(world: World, auth: Auth | None = None, **params: Any) -> list[tuple[str, float]]:
    answer = world.client.get("/video/continue", params=params, headers=auth or world.viewer)
    items = data_of(answer)
    assert isinstance(items, list)
    assert all(set(item) == CONTINUE_KEYS for item in items)
    return [(item["episodeId"], item["position"]) for item in items]


def test_a_write_is_stored_and_answered(world: World) -> None:
    first = world.episodes[0]
    stored = data_of(record(world, first, 12.5, watched_at=at(0)))
    assert stored == {
        "episodeId": first,
        "seriesId": world.series_id,
        "episodeNumber": 1,
        "position": 12.5,
        "duration": 100.0,
        "completed": False,
        "watchedAt": stored["watchedAt"],
    }
    assert datetime.fromisoformat(stored["watchedAt"]) == T0
    # Without watchedAt, the server's time is the observation's.
    before = datetime.now(UTC)
    later = data_of(record(world, first, 20))
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(later["watchedAt"])
    assert later["position"] == 20


def test_out_of_order_writes_never_move_progress_backwards(world: World) -> None:
    episode = world.episodes[0]
    assert data_of(record(world, episode, 50, watched_at=at(10)))["position"] == 50
    # A late write, observed earlier, arrives after: it changes nothing and gets the newer one.
    late = data_of(record(world, episode, 20, watched_at=at(5)))
    assert (late["position"], late["watchedAt"]) == (50, items_of(history(world))[0]["watchedAt"])
    assert datetime.fromisoformat(late["watchedAt"]) == T0 + timedelta(seconds=10)
    # Observed at the same instant: the first one stays.
    assert data_of(record(world, episode, 99, watched_at=at(10)))["position"] == 50
    # A newer observation wins, even going back in the episode (the viewer rewound).
    assert data_of(record(world, episode, 30, watched_at=at(20)))["position"] == 30
    [entry] = items_of(history(world))
    assert (entry["position"], entry["watchedAt"]) == (30, at(20).replace("+00:00", "Z"))


def test_the_same_write_twice_changes_nothing(world: World) -> None:
    episode = world.episodes[1]
    first = record(world, episode, 42, watched_at=at(1))
    again = record(world, episode, 42, watched_at=at(1))
    assert data_of(first) == data_of(again)
    listed = history(world)
    assert len(items_of(listed)) == 1
    assert listed.json()["meta"]["total"] == 1


@pytest.mark.parametrize(
    ("position", "duration", "stored", "completed"),
    [
        (0, 100, 0, False),
        (94.9, 100, 94.9, False),
        (95, 100, 95, True),  # the last 5%: the credits
        (100, 100, 100, True),
        (100.4, 100, 100, True),  # a player a little past the end: the end
        (57, 60, 57, True),
        (56.9, 60, 56.9, False),
    ],
)
def test_an_episode_is_completed_in_its_last_five_percent(
    world: World, position: float, duration: float, stored: float, completed: bool
) -> None:
    answer = data_of(record(world, world.episodes[0], position, duration=duration))
    assert (answer["position"], answer["duration"], answer["completed"]) == (
        stored,
        duration,
        completed,
    )


def test_continue_watching_follows_the_viewer_across_episodes_and_series(
    world: World,
) -> None:
    one, two, three, four = world.episodes
    assert resume(world) == []

    # Halfway through episode 1: resume it there.
    record(world, one, 40, watched_at=at(1))
    assert resume(world) == [(one, 40)]
    # Watched to the credits: start episode 2 from the beginning.
    record(world, one, 97, watched_at=at(2))
    continued = world.client.get("/video/continue", headers=world.viewer)
    assert continued.status_code == 200, continued.text
    [item] = continued.json()["data"]
    assert item == {
        "seriesId": world.series_id,
        "episodeId": two,
        "episodeNumber": 2,
        "position": 0.0,
        "lastWatchedAt": at(2).replace("+00:00", "Z"),
    }
    # Into episode 2, then done with it: episode 3.
    record(world, two, 10, watched_at=at(3))
    assert resume(world) == [(two, 10)]
    record(world, two, 100, watched_at=at(4))
    assert resume(world) == [(three, 0)]

    # Another series, watched later, comes first.
    _, other = published_series(
        world.client, world.people[Role.ARTIST], world.admin, range(1, 3), "Second Story"
    )
    record(world, other[0], 5, watched_at=at(5))
    assert resume(world) == [(other[0], 5), (three, 0)]
    assert resume(world, limit=1) == [(other[0], 5)]
    # Going back to the first series puts it first again.
    record(world, three, 33, watched_at=at(6))
    assert resume(world) == [(three, 33), (other[0], 5)]

    # The last published episode completed: the series is finished (episode 5 is a draft, not
    # offered to a viewer), and left out.
    record(world, four, 99, watched_at=at(7))
    assert resume(world) == [(other[0], 5)]
    record(world, other[1], 100, watched_at=at(8))
    assert resume(world) == []
    # Staff see unpublished episodes: the draft episode 5 comes next for them.
    artist = world.people[Role.ARTIST]
    record(world, four, 99, watched_at=at(9), auth=artist)
    assert resume(world, artist) == [(world.draft_episode, 0)]
    # An unfinished episode unpublished since: a viewer goes on with the next published one.
    record(world, one, 1, watched_at=at(10))
    assert resume(world) == [(one, 1)]
    world.client.post(f"/admin/episodes/{one}/unpublish", headers=world.admin)
    assert resume(world) == [(two, 0)]
    assert resume(world, artist) == [(world.draft_episode, 0)]  # staff: where they were
    # Once a moderator unpublishes a series, viewers have nothing to continue in it.
    world.client.post(f"/admin/series/{world.series_id}/unpublish", headers=world.admin)
    assert resume(world) == []


def test_history_is_most_recent_first_in_pages(world: World) -> None:
    watched = [*world.episodes]
    for second, episode in enumerate(watched):
        record(world, episode, second + 1, watched_at=at(second))
    record(world, watched[0], 50, watched_at=at(10))  # rewatched last: first again
    order = [watched[0], watched[3], watched[2], watched[1]]

    everything = history(world)
    entries = items_of(everything)
    assert [e["episodeId"] for e in entries] == order
    assert all(set(e) == PROGRESS_KEYS for e in entries)
    assert everything.json()["meta"] == {"total": 4, "page": 1, "limit": 20, "totalPages": 1}
    first = history(world, limit=3)
    second = history(world, limit=3, page=2)
    assert [e["episodeId"] for e in items_of(first) + items_of(second)] == order
    assert second.json()["meta"] == {"total": 4, "page": 2, "limit": 3, "totalPages": 2}
    assert items_of(history(world, limit=3, page=3)) == []
    # Each viewer sees their own.
    assert items_of(history(world, world.people[Role.ARTIST])) == []
    error_of(history(world, limit=101), 400, "invalid_parameter")
    error_of(history(world, page=0), 400, "invalid_parameter")
    error_of(history(world, limit=100, page=101), 422, "page_out_of_range")


def test_writes_are_throttled_per_viewer_with_retry_after(make_client: ClientFactory) -> None:
    world = build_world(make_client(PROGRESS_BURST="2", PROGRESS_WRITES_PER_SECOND="0.1"))
    episode = world.episodes[0]
    assert record(world, episode, 1).status_code == 200
    assert record(world, episode, 2).status_code == 200
    refused = record(world, episode, 3)
    error = error_of(refused, 429, "progress_throttled")
    assert "position" in error["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 10
    assert items_of(history(world))[0]["position"] == 2  # the refused write was not kept
    # Another viewer has a budget of their own.
    other = token_auth(signed_in_as(world.client, world.admin["Authorization"][7:], Role.VIEWER))
    assert record(world, episode, 5, auth=other).status_code == 200
    # Reads are not throttled.
    assert history(world).status_code == 200


def test_bad_progress_is_refused(world: World) -> None:
    episode = world.episodes[0]
    refused: list[tuple[dict[str, Any], str, str]] = [
        ({"position": -1, "duration": 100}, "invalid_progress", "position"),
        ({"position": 1, "duration": 0}, "invalid_progress", "duration"),
        ({"position": 1, "duration": -5}, "invalid_progress", "duration"),
        ({"position": 1, "duration": 24 * 3600 + 1}, "invalid_progress", "duration"),
        ({"position": 1, "duration": 100, "watchedAt": at(7200)}, "invalid_progress", "watchedAt"),
    ]
    for fields, code, field in refused:
        answer = world.client.post(
            "/video/progress", json={"episodeId": episode, **fields}, headers=world.viewer
        )
        assert error_of(answer, 422, code)["details"] == {"field": field}, fields
    shapes = [
        ({"episodeId": episode, "position": "x", "duration": 100}, "position"),
        ({"episodeId": episode, "position": 1}, "duration"),
        ({"position": 1, "duration": 100}, "episodeId"),
        ({"episodeId": "", "position": 1, "duration": 100}, "episodeId"),
        ({"episodeId": episode, "position": 1, "duration": 100, "completed": True}, "completed"),
        (
            {"episodeId": episode, "position": 1, "duration": 100, "watchedAt": "2026-01-01T10:00"},
            "watchedAt",
        ),
    ]
    for body, field in shapes:
        answer = world.client.post("/video/progress", json=body, headers=world.viewer)
        error = error_of(answer, 422, "validation_failed")
        assert [f["field"] for f in error["details"]["fields"]] == [field], body
    error_of(world.client.post("/video/progress", headers=world.viewer), 400, "body_required")
    assert items_of(history(world)) == []


def test_progress_is_kept_only_on_what_the_caller_may_see(world: World) -> None:
    # Viewers: an unpublished episode does not exist for them; staff preview it.
    for episode_id in (world.draft_episode, world.hidden_episode, "nope", "0" * 40):
        error_of(record(world, episode_id, 1), 404, "episode_not_found")
    staff = world.people[Role.DIRECTOR]
    assert data_of(record(world, world.draft_episode, 1, auth=staff))["episodeNumber"] == 5

    client = world.client
    email = unique_email("rival-admin")
    seed_studio(client, "rival", admin_email=email)
    rival = token_auth(sign_in(client, email, STAFF_PASSWORD, studio="rival"))
    for episode_id in (world.episodes[0], world.draft_episode):
        error_of(record(world, episode_id, 1, auth=rival), 404, "episode_not_found")
    assert items_of(history(world, rival)) == []
    assert resume(world, rival) == []
    assert items_of(history(world)) == []
    for path in ("/video/history", "/video/continue"):
        error_of(client.get(path), 401, "authentication_required")


def test_the_video_routes_are_in_the_api_reference(world: World) -> None:
    paths = world.client.get("/openapi.json").json()["paths"]
    assert set(paths["/video/play/{episode_id}"]) == {"get"}
    assert set(paths["/video/progress"]) == {"post"}
    assert set(paths["/video/history"]) == {"get"}
    assert set(paths["/video/continue"]) == {"get"}
