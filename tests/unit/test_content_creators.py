"""Creators' use cases through the wired service on SQLite: series and episodes created,
listed, read and edited; artists on their own content only; idempotent creates; tenancy."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from application.content.episodes import (
    CreateEpisode,
    GetOwnEpisode,
    ListSeriesEpisodes,
    UpdateEpisode,
)
from application.content.series import CreateSeries, GetOwnSeries, ListOwnSeries, UpdateSeries
from application.content.status import ChangeEpisodeStatus, ChangeSeriesStatus
from domain.content.errors import (
    EpisodeLockedError,
    EpisodeNumberTakenError,
    InvalidContentError,
    SeriesArchivedError,
    UnknownVideoError,
)
from domain.content.model import ContentAction, Episode, EpisodeStatus, Series, SeriesStatus
from domain.identity.access import Actor
from domain.shared.errors import (
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    StaleRevisionError,
)
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec
from tests.conftest import SettingsFactory
from tests.support.content_world import World, content_world

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world(make_settings: SettingsFactory) -> AsyncIterator[World]:
    async with content_world(make_settings()) as made:
        yield made


async def new_series(
    world: World, actor: Actor, title: str = "Love in Seoul", **fields: Any
) -> Series:
    return await world.new_series(actor, title, **fields)


async def new_episode(
    world: World, actor: Actor, series_id: str, number: int = 1, **fields: Any
) -> Episode:
    return await world.new_episode(actor, series_id, number, **fields)


async def test_a_creator_builds_a_series_and_its_episodes(world: World) -> None:
    ada = world.home.ada
    series = await new_series(
        world, ada, "  Love   in Seoul ", synopsis=" A CEO. ", tags=["Romance", "romance", "CEO"]
    )
    assert (series.title, series.synopsis, series.tags) == (
        "Love in Seoul",
        "A CEO.",
        ("romance", "ceo"),
    )
    assert (series.status, series.owner_id, series.revision) == (SeriesStatus.DRAFT, ada.user_id, 1)
    updated = await world.service.update_series()(
        UpdateSeries(
            actor=ada, series_id=series.id, expected_revision=1, title="Love in Busan", tags=[]
        )
    )
    assert (updated.title, updated.tags, updated.revision) == ("Love in Busan", (), 2)
    first = await new_episode(world, ada, series.id, 1)
    second = await new_episode(world, ada, series.id, 2)
    assert (first.owner_id, first.status, first.series_id) == (
        ada.user_id,
        EpisodeStatus.DRAFT,
        series.id,
    )
    listed = await world.service.list_series_episodes()(
        ListSeriesEpisodes(actor=ada, series_id=series.id)
    )
    assert [e.id for e in listed.items] == [first.id, second.id]
    edited = await world.service.update_episode()(
        UpdateEpisode(
            actor=ada, episode_id=second.id, expected_revision=1, number=3, title=" Three "
        )
    )
    assert (edited.number, edited.title) == (3, "Three")
    assert (
        await world.service.get_own_episode()(GetOwnEpisode(actor=ada, episode_id=second.id))
        == edited
    )
    assert (
        await world.service.get_own_series()(GetOwnSeries(actor=ada, series_id=series.id))
        == updated
    )
    assert [e.action for e in await world.history("series", series.id)] == [
        "series.created",
        "series.updated",
    ]
    assert [e.action for e in await world.history("episode", second.id)] == [
        "episode.created",
        "episode.updated",
    ]


async def test_a_series_is_created_as_a_draft_or_pending_as_asked(world: World) -> None:
    pending = await new_series(world, world.home.ada, status=SeriesStatus.PENDING)
    assert pending.status is SeriesStatus.PENDING
    assert pending.submitted_at is not None
    for status in (SeriesStatus.PUBLISHED, SeriesStatus.REJECTED, SeriesStatus.ARCHIVED):
        with pytest.raises(InvalidContentError):
            await new_series(world, world.home.ada, status=status)
    series = await new_series(world, world.home.ada)
    episode = await new_episode(world, world.home.ada, series.id, status=EpisodeStatus.PENDING)
    assert episode.status is EpisodeStatus.PENDING
    with pytest.raises(InvalidContentError):
        await new_episode(world, world.home.ada, series.id, 2, status=EpisodeStatus.PUBLISHED)


async def test_own_series_are_listed_paged_and_sorted(world: World) -> None:
    ada = world.home.ada
    titles = ["b Love", "A Revenge", "c CEO"]
    made = [await new_series(world, ada, title) for title in titles]
    await new_series(world, world.home.bob, "Not mine")
    handler = world.service.list_own_series()
    page = await handler(ListOwnSeries(actor=ada))
    assert [s.id for s in page.items] == [s.id for s in reversed(made)]  # updatedAt desc
    by_title = await handler(
        ListOwnSeries(actor=ada, sort=SortSpec("title", Direction.ASC), window=PageWindow(1, 2))
    )
    assert ([s.title for s in by_title.items], by_title.total) == (["A Revenge", "b Love"], 3)
    walked = await handler(
        ListOwnSeries(actor=ada, sort=SortSpec("createdAt"), window=KeysetWindow(limit=2))
    )
    rest = await handler(
        ListOwnSeries(
            actor=ada, sort=SortSpec("createdAt"), window=KeysetWindow(walked.next_after, limit=2)
        )
    )
    assert [s.id for s in walked.items + rest.items] == [s.id for s in made]
    assert rest.next_after is None
    drafts = await handler(ListOwnSeries(actor=ada, status=SeriesStatus.PENDING))
    assert drafts.items == ()
    with pytest.raises(ValueError, match="cannot be sorted"):
        await handler(ListOwnSeries(actor=ada, sort=SortSpec("popularity")))


async def test_episode_numbers_and_bounds(world: World) -> None:
    ada = world.home.ada
    series = await new_series(world, ada)
    await new_episode(world, ada, series.id, 1)
    with pytest.raises(EpisodeNumberTakenError):
        await new_episode(world, ada, series.id, 1)
    for number in (0, 100_001):
        with pytest.raises(InvalidContentError):
            await new_episode(world, ada, series.id, number)
    for bad in (
        {"title": ""},
        {"title": "x" * 201},
        {"synopsis": "x" * 5001},
        {"tags": ["x" * 41]},
    ):
        with pytest.raises(InvalidContentError):
            await new_series(world, ada, **bad)


async def test_artists_work_on_their_own_content_only(world: World) -> None:
    ada, bob, dora, vic = world.home.ada, world.home.bob, world.home.dora, world.home.vic
    series = await new_series(world, ada)
    episode = await new_episode(world, ada, series.id)
    bobs_video = await world.video(bob)
    forbidden = [
        world.service.get_own_series()(GetOwnSeries(actor=bob, series_id=series.id)),
        world.service.update_series()(
            UpdateSeries(actor=bob, series_id=series.id, expected_revision=None, title="Mine")
        ),
        world.service.list_series_episodes()(ListSeriesEpisodes(actor=bob, series_id=series.id)),
        world.service.get_own_episode()(GetOwnEpisode(actor=bob, episode_id=episode.id)),
        world.service.update_episode()(
            UpdateEpisode(actor=bob, episode_id=episode.id, expected_revision=None, title="Mine")
        ),
        world.service.change_series_status()(
            ChangeSeriesStatus(actor=bob, series_id=series.id, action=ContentAction.SUBMIT)
        ),
        world.service.change_episode_status()(
            ChangeEpisodeStatus(actor=bob, episode_id=episode.id, action=ContentAction.SUBMIT)
        ),
        world.service.create_episode()(
            CreateEpisode(
                actor=bob, series_id=series.id, number=2, title="Mine", video_id=bobs_video.id
            )
        ),
        world.service.create_series()(CreateSeries(actor=vic, title="Viewer's")),
        world.service.list_own_series()(ListOwnSeries(actor=vic)),
    ]
    for call in forbidden:
        with pytest.raises(ForbiddenError):
            await call
    # A director edits anyone's content; the episode's video must still be the owner's.
    renamed = await world.service.update_series()(
        UpdateSeries(actor=dora, series_id=series.id, expected_revision=1, title="Directed")
    )
    assert renamed.owner_id == ada.user_id
    with pytest.raises(UnknownVideoError):
        await world.service.update_episode()(
            UpdateEpisode(
                actor=dora, episode_id=episode.id, expected_revision=None, video_id=bobs_video.id
            )
        )


async def test_an_episode_uses_one_of_its_creators_videos_only(world: World) -> None:
    ada, bob = world.home.ada, world.home.bob
    series = await new_series(world, ada)
    theirs = [await world.video(bob), await world.video(world.away.ada)]
    for video_id in [v.id for v in theirs] + ["not-an-id", "0192f5a4-0000-7000-8000-000000000000"]:
        with pytest.raises(UnknownVideoError) as raised:
            await world.service.create_episode()(
                CreateEpisode(
                    actor=ada, series_id=series.id, number=1, title="E", video_id=video_id
                )
            )
        assert (raised.value.code, isinstance(raised.value, InvalidInputError)) == (
            "unknown_video",
            True,
        )


async def test_edits_need_the_current_revision_and_an_editable_state(world: World) -> None:
    ada, pat = world.home.ada, world.home.pat
    series = await new_series(world, ada)
    episode = await new_episode(world, ada, series.id)
    with pytest.raises(StaleRevisionError):
        await world.service.update_series()(
            UpdateSeries(actor=ada, series_id=series.id, expected_revision=5, title="X")
        )
    await world.service.change_episode_status()(
        ChangeEpisodeStatus(actor=ada, episode_id=episode.id, action=ContentAction.SUBMIT)
    )
    with pytest.raises(EpisodeLockedError):
        await world.service.update_episode()(
            UpdateEpisode(actor=ada, episode_id=episode.id, expected_revision=None, title="X")
        )
    withdrawn = await world.service.change_episode_status()(
        ChangeEpisodeStatus(actor=ada, episode_id=episode.id, action=ContentAction.WITHDRAW)
    )
    assert withdrawn.episode.status is EpisodeStatus.DRAFT
    await world.service.change_series_status()(
        ChangeSeriesStatus(actor=pat, series_id=series.id, action=ContentAction.ARCHIVE)
    )
    for call in (
        world.service.update_series()(
            UpdateSeries(actor=ada, series_id=series.id, expected_revision=None, title="X")
        ),
        world.service.update_episode()(
            UpdateEpisode(actor=ada, episode_id=episode.id, expected_revision=None, title="X")
        ),
        new_episode(world, ada, series.id, 2),
        world.service.change_episode_status()(
            ChangeEpisodeStatus(actor=ada, episode_id=episode.id, action=ContentAction.SUBMIT)
        ),
    ):
        with pytest.raises(SeriesArchivedError):
            await call


async def test_creates_honour_an_idempotency_key(world: World) -> None:
    ada = world.home.ada
    create = world.service.create_series()
    command = CreateSeries(actor=ada, title="Once", tags=["a"], idempotency_key="key-1")
    first, again = await create(command), await create(command)
    assert (first.replayed, again.replayed, again.series) == (False, True, first.series)
    with pytest.raises(InvalidInputError) as raised:
        await create(CreateSeries(actor=ada, title="Twice", idempotency_key="key-1"))
    assert raised.value.code == "idempotency_key_reused"
    # Keys are per caller: another creator's same key is another request.
    theirs = await create(
        CreateSeries(actor=world.home.bob, title="Once", tags=["a"], idempotency_key="key-1")
    )
    assert not theirs.replayed
    assert theirs.series.id != first.series.id
    own = await world.service.list_own_series()(ListOwnSeries(actor=ada))
    assert [s.id for s in own.items] == [first.series.id]
    video = await world.video(ada)
    episode = CreateEpisode(
        actor=ada,
        series_id=first.series.id,
        number=1,
        title="E",
        video_id=video.id,
        idempotency_key="key-2",
    )
    made, repeated = (
        await world.service.create_episode()(episode),
        await world.service.create_episode()(episode),
    )
    assert (made.replayed, repeated.replayed, repeated.episode) == (False, True, made.episode)
    assert [e.action for e in await world.history("series", first.series.id)] == ["series.created"]


async def test_another_studios_content_is_not_found_on_every_creator_use_case(world: World) -> None:
    ada = world.home.ada
    series = await new_series(world, ada)
    episode = await new_episode(world, ada, series.id)
    for eve in (world.away.ada, world.away.dora, world.away.pat):
        video = await world.video(eve)
        calls = [
            world.service.get_own_series()(GetOwnSeries(actor=eve, series_id=series.id)),
            world.service.update_series()(
                UpdateSeries(actor=eve, series_id=series.id, expected_revision=None, title="Mine")
            ),
            world.service.list_series_episodes()(
                ListSeriesEpisodes(actor=eve, series_id=series.id)
            ),
            world.service.get_own_episode()(GetOwnEpisode(actor=eve, episode_id=episode.id)),
            world.service.update_episode()(
                UpdateEpisode(
                    actor=eve, episode_id=episode.id, expected_revision=None, title="Mine"
                )
            ),
            world.service.create_episode()(
                CreateEpisode(
                    actor=eve, series_id=series.id, number=2, title="Mine", video_id=video.id
                )
            ),
            world.service.change_series_status()(
                ChangeSeriesStatus(actor=eve, series_id=series.id, action=ContentAction.SUBMIT)
            ),
            world.service.change_episode_status()(
                ChangeEpisodeStatus(actor=eve, episode_id=episode.id, action=ContentAction.SUBMIT)
            ),
            world.service.get_own_series()(GetOwnSeries(actor=ada, series_id="not-a-uuid")),
            world.service.get_own_episode()(GetOwnEpisode(actor=ada, episode_id="")),
        ]
        for call in calls:
            with pytest.raises(NotFoundError) as raised:
                await call
            assert raised.value.code in ("series_not_found", "episode_not_found")
        assert (await world.service.list_own_series()(ListOwnSeries(actor=eve))).items == ()
    assert await world.series(series.id) == series
    assert await world.episode(episode.id) == episode


def test_domain_errors_are_the_projects_errors() -> None:
    for error in (
        EpisodeLockedError,
        SeriesArchivedError,
        UnknownVideoError,
        EpisodeNumberTakenError,
    ):
        assert issubclass(error, DomainError)
