"""UserStateCache: an active user's actor, trusted for a few seconds, forgotten on any change."""

from datetime import UTC, datetime, timedelta

import pytest

from application.identity.user_states import UserStateCache
from domain.identity.access import Actor
from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
STUDIO = StudioId("0192f5a4-7c3e-7d6b-9a1f-3b2c4d5e6f71")
OTHER_STUDIO = StudioId("0192f5a4-7c3e-7d6b-9a1f-3b2c4d5e6f72")
TTL = timedelta(seconds=5)


def actor(number: int = 0, role: Role = Role.ARTIST) -> Actor:
    return Actor(
        user_id=UserId(f"0192f5a4-0000-7000-8000-{number:012d}"), studio_id=STUDIO, role=role
    )


def remembered(cache: UserStateCache, who: Actor, at: datetime = AT) -> Actor | None:
    return cache.get(who.studio_id, who.user_id, at=at)


def test_an_actor_is_answered_for_the_ttl_after_it_was_read() -> None:
    cache = UserStateCache(TTL)
    artist = actor()
    assert remembered(cache, artist) is None
    cache.put(artist, at=AT, generation=cache.generation)
    assert remembered(cache, artist) == artist
    assert remembered(cache, artist, AT + TTL - timedelta(milliseconds=1)) == artist
    assert remembered(cache, artist, AT + TTL) is None
    assert remembered(cache, artist, AT) is None  # expired entries are dropped


def test_an_entry_is_scoped_by_studio() -> None:
    cache = UserStateCache(TTL)
    artist = actor()
    cache.put(artist, at=AT, generation=cache.generation)
    assert cache.get(OTHER_STUDIO, artist.user_id, at=AT) is None


def test_forget_drops_the_user_at_once() -> None:
    cache = UserStateCache(TTL)
    artist, other = actor(1), actor(2)
    for who in (artist, other):
        cache.put(who, at=AT, generation=cache.generation)
    cache.forget(artist.studio_id, artist.user_id)
    assert remembered(cache, artist) is None
    assert remembered(cache, other) == other


def test_a_read_that_started_before_a_change_is_not_remembered() -> None:
    cache = UserStateCache(TTL)
    artist = actor()
    started = cache.generation  # the read of the store begins...
    cache.forget(artist.studio_id, artist.user_id)  # ...the user is deactivated meanwhile...
    cache.put(artist, at=AT, generation=started)  # ...and the read ends with the old state
    assert remembered(cache, artist) is None
    cache.put(artist, at=AT, generation=cache.generation)
    assert remembered(cache, artist) == artist


def test_a_clock_that_went_back_does_not_extend_an_entry() -> None:
    cache = UserStateCache(TTL)
    artist = actor()
    cache.put(artist, at=AT, generation=cache.generation)
    assert remembered(cache, artist, AT - timedelta(seconds=1)) is None


def test_a_zero_ttl_remembers_nothing() -> None:
    cache = UserStateCache(timedelta(0))
    artist = actor()
    cache.put(artist, at=AT, generation=cache.generation)
    assert remembered(cache, artist) is None


def test_the_cache_is_bounded_and_drops_the_oldest_first() -> None:
    cache = UserStateCache(TTL, max_users=2)
    first, second, third = actor(1), actor(2), actor(3)
    for who in (first, second, third):
        cache.put(who, at=AT, generation=cache.generation)
    assert [remembered(cache, who) for who in (first, second, third)] == [None, second, third]


@pytest.mark.parametrize("options", [{"ttl": timedelta(seconds=-1)}, {"max_users": 0}])
def test_construction_refuses_bad_settings(options: dict[str, object]) -> None:
    settings: dict[str, object] = {"ttl": TTL, **options}
    with pytest.raises(ValueError, match=r"ttl|max_users"):
        UserStateCache(**settings)  # type: ignore[arg-type]
