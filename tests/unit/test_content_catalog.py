"""The published catalogue through the wired service on SQLite: viewers see visible series
and published episodes only; staff open unpublished content as a preview; episodes are marked
free or locked; lists sort, filter by tag and search titles; other studios find nothing."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from application.content.catalog import (
    GetPublishedEpisode,
    GetPublishedSeries,
    ListPublishedEpisodes,
    ListPublishedSeries,
)
from domain.content.errors import InvalidContentError
from domain.content.model import ContentAction, EpisodeStatus, SeriesStatus
from domain.identity.access import Actor
from domain.shared.errors import NotFoundError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec
from tests.conftest import SettingsFactory
from tests.support.content_world import FREE_EPISODES, World, content_world

pytestmark = pytest.mark.anyio

A = ContentAction


@pytest.fixture
async def world(make_settings: SettingsFactory) -> AsyncIterator[World]:
    async with content_world(make_settings()) as made:
        yield made


async def catalogue(world: World, actor: Actor, **fields: Any) -> list[str]:
    page = await world.service.list_published_series()(ListPublishedSeries(actor=actor, **fields))
    return [s.title for s in page.items]


async def test_viewers_see_visible_series_and_published_episodes_only(world: World) -> None:
    ada, pat, vic = world.home.ada, world.home.pat, world.home.vic
    shown, (first,) = await world.published(ada, (1,), "Shown")
    draft_episode = await world.new_episode(ada, shown.id, 2)
    by_hand = await world.new_series(ada, "By Hand", status=SeriesStatus.PENDING)
    await world.move_series(pat, by_hand.id, A.APPROVE)  # published, but nothing to play
    draft = await world.new_series(ada, "Draft")
    pending = await world.new_series(ada, "Pending", status=SeriesStatus.PENDING)
    waiting = await world.new_episode(ada, pending.id, status=EpisodeStatus.PENDING)
    assert await catalogue(world, vic) == ["Shown"]
    view = await world.service.get_published_series()(
        GetPublishedSeries(actor=vic, series_id=shown.id)
    )
    assert (view.series.id, view.preview) == (shown.id, False)
    listing = await world.service.list_published_episodes()(
        ListPublishedEpisodes(actor=vic, series_id=shown.id)
    )
    assert [e.episode.id for e in listing.episodes.items] == [first.id]
    assert listing.episodes.total == 1
    for hidden in (by_hand, draft, pending):
        with pytest.raises(NotFoundError) as raised:
            await world.service.get_published_series()(
                GetPublishedSeries(actor=vic, series_id=hidden.id)
            )
        assert raised.value.code == "series_not_found"
        with pytest.raises(NotFoundError):
            await world.service.list_published_episodes()(
                ListPublishedEpisodes(actor=vic, series_id=hidden.id)
            )
    for hidden_episode in (draft_episode, waiting):
        with pytest.raises(NotFoundError) as raised:
            await world.service.get_published_episode()(
                GetPublishedEpisode(actor=vic, episode_id=hidden_episode.id)
            )
        assert raised.value.code == "episode_not_found"
    # The last published episode unpublished: the series leaves the catalogue.
    await world.move_episode(pat, first.id, A.UNPUBLISH)
    assert await catalogue(world, vic) == []
    with pytest.raises(NotFoundError):
        await world.service.get_published_episode()(
            GetPublishedEpisode(actor=vic, episode_id=first.id)
        )


async def test_staff_open_unpublished_content_as_a_preview(world: World) -> None:
    ada, bob = world.home.ada, world.home.bob
    shown, (first,) = await world.published(ada, (1,), "Shown")
    second = await world.new_episode(ada, shown.id, 2)
    draft = await world.new_series(ada, "Draft")
    assert await catalogue(world, bob) == ["Shown"]  # the catalogue itself: visible only
    for staff in (bob, world.home.dora, world.home.pat):
        view = await world.service.get_published_series()(
            GetPublishedSeries(actor=staff, series_id=draft.id)
        )
        assert (view.series.id, view.preview) == (draft.id, True)
        listing = await world.service.list_published_episodes()(
            ListPublishedEpisodes(actor=staff, series_id=shown.id)
        )
        marks = [(e.episode.id, e.preview) for e in listing.episodes.items]
        assert marks == [(first.id, False), (second.id, True)]
        episode = await world.service.get_published_episode()(
            GetPublishedEpisode(actor=staff, episode_id=second.id)
        )
        assert (episode.episode.id, episode.preview) == (second.id, True)


async def test_episodes_are_marked_free_or_locked(world: World) -> None:
    series, episodes = await world.published(world.home.ada, (1, 2, 3, 4))
    assert FREE_EPISODES == 2

    async def marks(actor: Actor) -> list[tuple[int, bool, bool]]:
        listing = await world.service.list_published_episodes()(
            ListPublishedEpisodes(actor=actor, series_id=series.id)
        )
        return [(e.episode.number, e.free, e.locked) for e in listing.episodes.items]

    assert await marks(world.home.vic) == [
        (1, True, False),
        (2, True, False),
        (3, False, True),
        (4, False, True),
    ]
    for staff in (world.home.bob, world.home.pat):
        assert await marks(staff) == [
            (1, True, False),
            (2, True, False),
            (3, False, False),
            (4, False, False),
        ]
    one = await world.service.get_published_episode()(
        GetPublishedEpisode(actor=world.home.vic, episode_id=episodes[2].id)
    )
    assert (one.free, one.locked, one.preview) == (False, True, False)


class EveryoneSubscribed:
    async def is_subscribed(self, studio_id: StudioId, user_id: UserId, *, at: datetime) -> bool:
        return True


async def test_a_subscribed_viewer_has_nothing_locked(make_settings: SettingsFactory) -> None:
    async with content_world(make_settings(), subscriptions=EveryoneSubscribed()) as world:
        series, _ = await world.published(world.home.ada, (1, 2, 3))
        listing = await world.service.list_published_episodes()(
            ListPublishedEpisodes(actor=world.home.vic, series_id=series.id)
        )
        marks = [(e.free, e.locked) for e in listing.episodes.items]
        assert marks == [(True, False), (True, False), (False, False)]


async def test_the_catalogue_sorts_filters_by_tag_and_searches_titles(world: World) -> None:
    ada, vic = world.home.ada, world.home.vic
    for title, tags in [
        ("Love in Seoul", ["romance"]),
        ("Revenge of the CEO", ["revenge", "ceo"]),
        ("lovely paris", ["romance", "paris"]),
    ]:
        await world.published(ada, (1,), title, tags=tags)
    assert await catalogue(world, vic) == ["lovely paris", "Revenge of the CEO", "Love in Seoul"]
    assert await catalogue(world, vic, sort=SortSpec("title", Direction.ASC)) == [
        "Love in Seoul",
        "lovely paris",
        "Revenge of the CEO",
    ]
    assert (
        await catalogue(
            world, vic, sort=SortSpec("popularity", Direction.DESC), window=PageWindow(1, 2)
        )
        != []
    )
    assert await catalogue(world, vic, tag=" Romance ", sort=SortSpec("title")) == [
        "Love in Seoul",
        "lovely paris",
    ]
    assert await catalogue(world, vic, q="LOV") == ["lovely paris", "Love in Seoul"]
    assert await catalogue(world, vic, q="the ce") == ["Revenge of the CEO"]
    assert await catalogue(world, vic, q="ove") == []
    first = await world.service.list_published_series()(
        ListPublishedSeries(actor=vic, window=KeysetWindow(limit=2))
    )
    rest = await world.service.list_published_series()(
        ListPublishedSeries(actor=vic, window=KeysetWindow(first.next_after, limit=2))
    )
    assert [s.title for s in first.items + rest.items] == await catalogue(world, vic)
    with pytest.raises(InvalidContentError):
        await catalogue(world, vic, q="  ")
    with pytest.raises(InvalidContentError):
        await catalogue(world, vic, tag="")


async def test_another_studio_finds_nothing_in_the_catalogue(world: World) -> None:
    series, (episode,) = await world.published(world.home.ada, (1,))
    draft = await world.new_series(world.home.ada, "Draft")
    for someone in (world.away.vic, world.away.ada, world.away.pat):
        assert await catalogue(world, someone) == []
        for series_id in (series.id, draft.id, "not-an-id"):
            with pytest.raises(NotFoundError):
                await world.service.get_published_series()(
                    GetPublishedSeries(actor=someone, series_id=series_id)
                )
            with pytest.raises(NotFoundError):
                await world.service.list_published_episodes()(
                    ListPublishedEpisodes(actor=someone, series_id=series_id)
                )
        with pytest.raises(NotFoundError):
            await world.service.get_published_episode()(
                GetPublishedEpisode(actor=someone, episode_id=episode.id)
            )
