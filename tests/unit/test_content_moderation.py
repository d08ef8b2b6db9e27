"""Moderation through the wired service on SQLite: the queues, approving (an episode
publishes its series in the same transaction, with audit events), rejecting with a reason,
resubmitting, unpublishing, archiving and restoring; who may do it; tenancy."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

import pytest

from application.audit.trail import AuditTrail
from application.content.episodes import UpdateEpisode
from application.content.moderation import ListPendingEpisodes, ListPendingSeries
from application.content.status import ChangeEpisodeStatus, ChangeEpisodeStatusHandler
from application.shared.ports import Persistence, UnitOfWork
from domain.content.errors import (
    IllegalTransitionError,
    InvalidContentError,
    SeriesNotPublishableError,
    VideoNotReadyError,
)
from domain.content.model import (
    ContentAction,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesStatus,
)
from domain.media.model import VideoStatus
from domain.shared.errors import ConflictError, ForbiddenError, NotFoundError
from domain.shared.paging import Direction, KeysetWindow, SortSpec
from tests.conftest import SettingsFactory
from tests.support.content_world import TickingClock, World, content_world

pytestmark = pytest.mark.anyio

A = ContentAction
LOW_QUALITY = Rejection(reason=RejectionReason.LOW_QUALITY, note="The sound drops at 0:42.")


@pytest.fixture
async def world(make_settings: SettingsFactory) -> AsyncIterator[World]:
    async with content_world(make_settings()) as made:
        yield made


async def test_the_queues_list_pending_items_oldest_submission_first(world: World) -> None:
    ada, bob, pat = world.home.ada, world.home.bob, world.home.pat
    first = await world.new_series(ada, "First", status=SeriesStatus.PENDING)
    draft = await world.new_series(bob, "Draft")
    second = await world.new_series(bob, "Second", status=SeriesStatus.PENDING)
    await world.move_series(bob, draft.id, A.SUBMIT)  # submitted last
    episodes = [
        await world.new_episode(ada, first.id, n, status=EpisodeStatus.PENDING) for n in (2, 1)
    ]
    await world.new_episode(ada, first.id, 3)  # a draft: not in the queue
    queue = await world.service.list_pending_series()(ListPendingSeries(actor=pat))
    assert [s.id for s in queue.items] == [first.id, second.id, draft.id]
    newest = await world.service.list_pending_series()(
        ListPendingSeries(actor=pat, sort=SortSpec("submittedAt", Direction.DESC))
    )
    assert [s.id for s in newest.items] == [draft.id, second.id, first.id]
    walked = await world.service.list_pending_episodes()(
        ListPendingEpisodes(actor=pat, window=KeysetWindow(limit=1))
    )
    rest = await world.service.list_pending_episodes()(
        ListPendingEpisodes(actor=pat, window=KeysetWindow(walked.next_after, limit=5))
    )
    assert [e.id for e in walked.items + rest.items] == [e.id for e in episodes]
    for someone in (ada, world.home.dora, world.home.vic):
        with pytest.raises(ForbiddenError):
            await world.service.list_pending_series()(ListPendingSeries(actor=someone))
        with pytest.raises(ForbiddenError):
            await world.service.list_pending_episodes()(ListPendingEpisodes(actor=someone))
    away = world.away.pat
    assert (await world.service.list_pending_series()(ListPendingSeries(actor=away))).items == ()
    pending = await world.service.list_pending_episodes()(ListPendingEpisodes(actor=away))
    assert pending.items == ()


async def test_approving_an_episode_publishes_its_series_with_audit_events(world: World) -> None:
    ada, pat = world.home.ada, world.home.pat
    series = await world.new_series(ada)
    episode = await world.new_episode(ada, series.id)
    submitted = await world.move_episode(ada, episode.id, A.SUBMIT)
    assert submitted.episode.status is EpisodeStatus.PENDING
    moved = await world.move_episode(pat, episode.id, A.APPROVE)
    assert moved.episode.status is EpisodeStatus.PUBLISHED
    assert moved.episode.published_at is not None
    assert moved.series.status is SeriesStatus.PUBLISHED
    assert (moved.series.published_episodes, moved.series.published_by_hand) == (1, False)
    assert await world.series(series.id) == moved.series
    assert await world.episode(episode.id) == moved.episode
    episode_events = await world.history("episode", episode.id)
    assert [e.action for e in episode_events] == [
        "episode.created",
        "episode.submit",
        "episode.approve",
    ]
    assert episode_events[-1].actor_id == pat.user_id
    series_events = await world.history("series", series.id)
    assert [e.action for e in series_events] == ["series.created", "series.episode_published"]
    assert series_events[-1].details == {
        "from": "draft",
        "to": "published",
        "cause": "episode.approve",
        "episodeId": episode.id,
    }
    assert series_events[-1].at == episode_events[-1].at  # one change, one instant


class FailingSeriesSaves:
    """A store whose series saves fail: what a crash between the two writes would do."""

    def __init__(self, inner: Persistence) -> None:
        self._inner = inner

    def unit_of_work(self, *, read_only: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        @asynccontextmanager
        async def opened() -> AsyncIterator[UnitOfWork]:
            async with self._inner.unit_of_work(read_only=read_only) as uow:
                inner_series = uow.series

                class Failing:
                    def __getattr__(self, name: str) -> Any:
                        return getattr(inner_series, name)

                    async def save(self, series: Series, *, expected_revision: int) -> Series:
                        raise RuntimeError("the store went away")

                cast(Any, uow).series = Failing()  # the store behind one repository fails
                yield uow

        return opened()

    # The rest of Persistence, unchanged: the failure is in the series saves only.
    async def ping(self) -> None:
        await self._inner.ping()

    async def start(self) -> None:
        await self._inner.start()

    async def close(self) -> None:
        await self._inner.close()

    async def migrate(self) -> list[str]:
        return await self._inner.migrate()


async def test_an_approval_is_all_or_nothing(world: World) -> None:
    ada = world.home.ada
    series = await world.new_series(ada)
    episode = await world.new_episode(ada, series.id, status=EpisodeStatus.PENDING)
    handler = ChangeEpisodeStatusHandler(
        persistence=FailingSeriesSaves(world.persistence),
        audit=world.service.audit_trail(),
        clock=TickingClock(),
    )
    with pytest.raises(RuntimeError):
        await handler(
            ChangeEpisodeStatus(actor=world.home.pat, episode_id=episode.id, action=A.APPROVE)
        )
    assert await world.episode(episode.id) == episode
    assert await world.series(series.id) == series
    assert [e.action for e in await world.history("episode", episode.id)] == ["episode.created"]
    assert isinstance(world.service.audit_trail(), AuditTrail)


async def test_reject_with_a_reason_then_edit_resubmit_and_approve(world: World) -> None:
    ada, pat = world.home.ada, world.home.pat
    series = await world.new_series(ada)
    episode = await world.new_episode(ada, series.id, status=EpisodeStatus.PENDING)
    with pytest.raises(InvalidContentError):
        await world.move_episode(pat, episode.id, A.REJECT)  # no reason
    rejected = await world.move_episode(pat, episode.id, A.REJECT, LOW_QUALITY)
    assert (rejected.episode.status, rejected.episode.rejection) == (
        EpisodeStatus.REJECTED,
        LOW_QUALITY,
    )
    assert rejected.series == series
    events = await world.history("episode", episode.id)
    assert events[-1].details == {
        "seriesId": series.id,
        "from": "pending",
        "to": "rejected",
        "reason": "low_quality",
        "note": LOW_QUALITY.note,
    }
    video = await world.video(ada, VideoStatus.READY)
    edited = await world.service.update_episode()(
        UpdateEpisode(actor=ada, episode_id=episode.id, expected_revision=None, video_id=video.id)
    )
    assert (edited.status, edited.video_id) == (EpisodeStatus.REJECTED, video.id)
    resubmitted = await world.move_episode(ada, episode.id, A.SUBMIT)
    assert (resubmitted.episode.status, resubmitted.episode.rejection) == (
        EpisodeStatus.PENDING,
        None,
    )
    approved = await world.move_episode(pat, episode.id, A.APPROVE)
    assert approved.episode.status is EpisodeStatus.PUBLISHED
    assert approved.series.status is SeriesStatus.PUBLISHED


@pytest.mark.parametrize("status", [VideoStatus.PROCESSING, VideoStatus.FAILED])
async def test_an_episode_whose_video_is_not_ready_is_not_approved(
    world: World, status: VideoStatus
) -> None:
    ada = world.home.ada
    series = await world.new_series(ada)
    episode = await world.new_episode(
        ada, series.id, status=EpisodeStatus.PENDING, video_status=status
    )
    with pytest.raises(VideoNotReadyError) as raised:
        await world.move_episode(world.home.pat, episode.id, A.APPROVE)
    assert isinstance(raised.value, ConflictError)
    assert raised.value.code == "video_not_ready"
    assert await world.episode(episode.id) == episode
    assert (await world.series(series.id)).status is SeriesStatus.DRAFT


async def test_series_are_approved_and_rejected_too(world: World) -> None:
    ada, pat = world.home.ada, world.home.pat
    series = await world.new_series(ada, status=SeriesStatus.PENDING)
    rejected = await world.move_series(pat, series.id, A.REJECT, LOW_QUALITY)
    assert (rejected.status, rejected.rejection) == (SeriesStatus.REJECTED, LOW_QUALITY)
    episode = await world.new_episode(ada, series.id, status=EpisodeStatus.PENDING)
    with pytest.raises(SeriesNotPublishableError):
        await world.move_episode(pat, episode.id, A.APPROVE)
    await world.move_series(ada, series.id, A.SUBMIT)
    approved = await world.move_series(pat, series.id, A.APPROVE)
    assert (approved.status, approved.published_by_hand) == (SeriesStatus.PUBLISHED, True)
    assert [e.action for e in await world.history("series", series.id)] == [
        "series.created",
        "series.reject",
        "series.submit",
        "series.approve",
    ]


async def test_only_moderators_approve_reject_unpublish_archive_and_restore(
    world: World,
) -> None:
    ada, dora = world.home.ada, world.home.dora
    series = await world.new_series(ada, status=SeriesStatus.PENDING)
    episode = await world.new_episode(ada, series.id, status=EpisodeStatus.PENDING)
    for someone in (ada, dora, world.home.vic):
        for action in (A.APPROVE, A.REJECT, A.UNPUBLISH, A.ARCHIVE, A.RESTORE):
            with pytest.raises(ForbiddenError):
                await world.move_series(someone, series.id, action, LOW_QUALITY)
            with pytest.raises(ForbiddenError):
                await world.move_episode(someone, episode.id, action, LOW_QUALITY)
    with pytest.raises(IllegalTransitionError) as raised:
        await world.move_episode(ada, episode.id, A.SUBMIT)  # already pending
    assert raised.value.code == "illegal_transition"


async def test_unpublishing_the_last_episode_takes_the_series_back_to_draft(
    world: World,
) -> None:
    pat = world.home.pat
    series, (first, second) = await world.published(world.home.ada, (1, 2))
    assert (series.status, series.published_episodes) == (SeriesStatus.PUBLISHED, 2)
    after_one = await world.move_episode(pat, first.id, A.UNPUBLISH)
    assert (after_one.series.status, after_one.series.published_episodes) == (
        SeriesStatus.PUBLISHED,
        1,
    )
    after_two = await world.move_episode(pat, second.id, A.UNPUBLISH)
    assert after_two.episode.status is EpisodeStatus.DRAFT
    assert (after_two.series.status, after_two.series.published_episodes) == (
        SeriesStatus.DRAFT,
        0,
    )
    assert after_two.series.published_at is None
    actions = [e.action for e in await world.history("series", series.id)]
    assert actions[-2:] == ["series.episode_unpublished", "series.episode_unpublished"]


async def test_unpublishing_or_archiving_a_series_takes_its_episodes_with_it(
    world: World,
) -> None:
    ada, pat = world.home.ada, world.home.pat
    series, (first, second) = await world.published(ada, (1, 2))
    waiting = await world.new_episode(ada, series.id, 3, status=EpisodeStatus.PENDING)
    unpublished = await world.move_series(pat, series.id, A.UNPUBLISH)
    assert (unpublished.status, unpublished.published_episodes) == (SeriesStatus.DRAFT, 0)
    for episode in (first, second):
        found = await world.episode(episode.id)
        assert (found.status, found.revision) == (EpisodeStatus.DRAFT, episode.revision + 1)
    assert (await world.episode(waiting.id)).status is EpisodeStatus.PENDING
    events = await world.history("series", series.id)
    assert (events[-1].action, events[-1].details["episodesToDraft"]) == ("series.unpublish", "2")
    archived = await world.move_series(pat, series.id, A.ARCHIVE)
    assert archived.status is SeriesStatus.ARCHIVED
    assert (await world.episode(waiting.id)).status is EpisodeStatus.DRAFT
    queue = await world.service.list_pending_episodes()(ListPendingEpisodes(actor=pat))
    assert queue.items == ()
    restored = await world.move_series(pat, series.id, A.RESTORE)
    assert restored.status is SeriesStatus.DRAFT
    again = await world.move_episode(ada, waiting.id, A.SUBMIT)
    approved = await world.move_episode(pat, again.episode.id, A.APPROVE)
    assert approved.series.status is SeriesStatus.PUBLISHED


async def test_another_studios_moderator_finds_nothing(world: World) -> None:
    ada = world.home.ada
    series = await world.new_series(ada, status=SeriesStatus.PENDING)
    episode = await world.new_episode(ada, series.id, status=EpisodeStatus.PENDING)
    away = world.away.pat
    for action in (A.APPROVE, A.REJECT, A.ARCHIVE):
        with pytest.raises(NotFoundError) as raised:
            await world.move_series(away, series.id, action, LOW_QUALITY)
        assert raised.value.code == "series_not_found"
        with pytest.raises(NotFoundError) as raised:
            await world.move_episode(away, episode.id, action, LOW_QUALITY)
        assert raised.value.code == "episode_not_found"
    assert await world.series(series.id) == series
    assert await world.episode(episode.id) == episode
