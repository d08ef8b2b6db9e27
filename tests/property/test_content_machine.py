"""A state machine drives creators, moderators and viewers through the content handlers (the
wired service on SQLite ``:memory:``), in two studios, against a small model.

Each rule picks an actor (artists, a director, a producer, a viewer; some from the other
studio) and an action; the model predicts the outcome (a new status, or which error) from
the transition tables restated here, the capability matrix and the series' state. After every
step the invariants read the store and the catalogue back:

- viewers only ever see published content: the catalogue is exactly the visible series
  (published, with a published episode), their episode lists exactly the published episodes,
  and every other series and episode of the studio is not found for them;
- a series is published iff it has a published episode or was published by hand, and its
  count of published episodes is the true count;
- episode numbers stay unique in each series; another studio sees nothing.
"""

import asyncio
from collections import Counter
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from application.content.catalog import (
    GetPublishedEpisode,
    GetPublishedSeries,
    ListPublishedEpisodes,
    ListPublishedSeries,
)
from application.content.episodes import CreateEpisode, UpdateEpisode
from domain.content.errors import (
    EpisodeLockedError,
    EpisodeNumberTakenError,
    IllegalTransitionError,
    SeriesArchivedError,
    SeriesNotPublishableError,
    VideoNotReadyError,
)
from domain.content.model import (
    ContentAction,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    SeriesStatus,
)
from domain.identity.access import Actor
from domain.identity.model import Role
from domain.media.model import VideoStatus
from domain.shared.errors import DomainError, ForbiddenError, NotFoundError
from domain.shared.paging import PageWindow
from entrypoints.settings import Settings
from tests.conftest import SettingsFactory
from tests.support.content_world import World, content_world

S, E, A = SeriesStatus, EpisodeStatus, ContentAction
# The tables, restated independently of the domain's.
SERIES_MOVES: dict[tuple[SeriesStatus, ContentAction], SeriesStatus] = {
    (S.DRAFT, A.SUBMIT): S.PENDING,
    (S.REJECTED, A.SUBMIT): S.PENDING,
    (S.PENDING, A.WITHDRAW): S.DRAFT,
    (S.PENDING, A.APPROVE): S.PUBLISHED,
    (S.PENDING, A.REJECT): S.REJECTED,
    (S.PUBLISHED, A.UNPUBLISH): S.DRAFT,
    (S.DRAFT, A.ARCHIVE): S.ARCHIVED,
    (S.PENDING, A.ARCHIVE): S.ARCHIVED,
    (S.PUBLISHED, A.ARCHIVE): S.ARCHIVED,
    (S.REJECTED, A.ARCHIVE): S.ARCHIVED,
    (S.ARCHIVED, A.RESTORE): S.DRAFT,
}
EPISODE_MOVES = {
    (E.DRAFT, A.SUBMIT): E.PENDING,
    (E.REJECTED, A.SUBMIT): E.PENDING,
    (E.PENDING, A.WITHDRAW): E.DRAFT,
    (E.PENDING, A.APPROVE): E.PUBLISHED,
    (E.PENDING, A.REJECT): E.REJECTED,
    (E.PUBLISHED, A.UNPUBLISH): E.DRAFT,
}
MODERATION = {A.APPROVE, A.REJECT, A.UNPUBLISH, A.ARCHIVE, A.RESTORE}
REASON = Rejection(reason=RejectionReason.MISLEADING_METADATA, note="The title promises more.")
# Actors by index: home ada, bob (artists), dora (director), pat (producer), vic (viewer);
# away ada (artist), pat (producer), vic (viewer).
ACTORS = 8
CREATORS = [0, 1, 2, 5]  # who creates series in the rules (the others are refused anyway)
# None: the right person for the action (the owner, or the studio's producer); else anyone.
who = st.one_of(st.none(), st.integers(0, ACTORS - 1))
# Every action, with the everyday ones more often.
actions = st.sampled_from(list(ContentAction)) | st.sampled_from([A.SUBMIT, A.APPROVE])


@dataclass
class SeriesModel:
    home: bool
    owner: Actor
    status: SeriesStatus
    by_hand: bool = False


@dataclass
class EpisodeModel:
    series_id: str
    number: int
    status: EpisodeStatus
    video: VideoStatus


class ContentMachine(RuleBasedStateMachine):
    settings_for_world: ClassVar[Settings]

    series = Bundle("series")
    episodes = Bundle("episodes")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.context: AbstractAsyncContextManager[World] = content_world(
            type(self).settings_for_world
        )
        self.world: World = self.runner.run(self.context.__aenter__())
        home, away = self.world.home, self.world.away
        self.actors = [home.ada, home.bob, home.dora, home.pat, home.vic, away.ada, away.pat]
        self.actors.append(away.vic)
        self.model_series: dict[str, SeriesModel] = {}
        self.model_episodes: dict[str, EpisodeModel] = {}

    def teardown(self) -> None:
        try:
            self.runner.run(self.context.__aexit__(None, None, None))
        finally:
            self.runner.close()

    def run(self, call: Any) -> Any:
        return self.runner.run(call)

    # Who may do what, as DESIGN section 3 says.

    def actor(self, index: int | None, item: SeriesModel, action: ContentAction) -> Actor:
        if index is not None:
            return self.actors[index]
        if action in MODERATION:
            return self.world.home.pat if item.home else self.world.away.pat
        return item.owner

    def denial(self, actor: Actor, item: SeriesModel, action: ContentAction) -> type | None:
        """The error a permission check gives, or None when the actor may act."""
        home = actor.studio_id == self.world.home.studio.id
        if action in MODERATION:
            if actor.role not in (Role.PRODUCER, Role.ADMIN):
                return ForbiddenError
            return None if home == item.home else NotFoundError
        if actor.role is Role.VIEWER:
            return ForbiddenError
        if home != item.home:
            return NotFoundError
        owner = actor.user_id == item.owner.user_id
        return None if owner or actor.role is not Role.ARTIST else ForbiddenError

    def expect(self, error: type | None, call: Any) -> Any:
        """Run ``call``; it must fail with ``error`` (a DomainError class), or succeed."""
        if error is None:
            return self.run(call)
        with pytest.raises(DomainError) as raised:
            self.run(call)
        assert isinstance(raised.value, error), (error, raised.value)
        return None

    def published_count(self, series_id: str) -> int:
        return sum(
            1
            for e in self.model_episodes.values()
            if e.series_id == series_id and e.status is E.PUBLISHED
        )

    # Rules

    @initialize(target=series)
    def one_series_in_each_studio(self) -> MultipleResults[str]:
        return multiple(self.create_series(0, pending=False), self.create_series(5, pending=True))

    # A few series at most: the rules then spend their steps on episodes and moderation.
    @precondition(lambda self: len(self.model_series) < 5)
    @rule(target=series, who=st.sampled_from(CREATORS), pending=st.booleans())
    def another_series(self, who: int, pending: bool) -> str:
        return self.create_series(who, pending)

    def create_series(self, who: int, pending: bool) -> str:
        actor = self.actors[who]
        status = S.PENDING if pending else S.DRAFT
        made = self.run(
            self.world.new_series(actor, f"Series {len(self.model_series)}", status=status)
        )
        home = actor.studio_id == self.world.home.studio.id
        self.model_series[made.id] = SeriesModel(home=home, owner=actor, status=status)
        return str(made.id)

    @rule(
        target=episodes,
        series_id=series,
        who=who,
        number=st.integers(1, 4),
        video=st.sampled_from([VideoStatus.UPLOADED, VideoStatus.READY, VideoStatus.PROCESSING]),
        pending=st.booleans(),
    )
    def create_episode(
        self, series_id: str, who: int | None, number: int, video: VideoStatus, pending: bool
    ) -> MultipleResults[str]:
        item = self.model_series[series_id]
        actor = self.actor(who, item, A.SUBMIT)
        clip = self.run(self.world.video(item.owner, video))
        taken = any(
            e.series_id == series_id and e.number == number for e in self.model_episodes.values()
        )
        error = self.denial(actor, item, A.SUBMIT)
        if error is None and item.status is S.ARCHIVED:
            error = SeriesArchivedError
        if error is None and taken:
            error = EpisodeNumberTakenError
        status = E.PENDING if pending else E.DRAFT
        command = CreateEpisode(
            actor=actor,
            series_id=series_id,
            number=number,
            title=f"Episode {number}",
            video_id=clip.id,
            status=status,
        )
        created = self.expect(error, self.world.service.create_episode()(command))
        if created is None:
            return multiple()
        episode_id = str(created.episode.id)
        self.model_episodes[episode_id] = EpisodeModel(series_id, number, status, video)
        return multiple(episode_id)

    @rule(episode_id=episodes, who=who, number=st.integers(1, 4))
    def renumber_episode(self, episode_id: str, who: int | None, number: int) -> None:
        episode = self.model_episodes[episode_id]
        item = self.model_series[episode.series_id]
        actor = self.actor(who, item, A.SUBMIT)
        error = self.denial(actor, item, A.SUBMIT)
        if error is None and item.status is S.ARCHIVED:
            error = SeriesArchivedError
        if error is None and episode.status not in (E.DRAFT, E.REJECTED):
            error = EpisodeLockedError
        taken = any(
            e.series_id == episode.series_id and e.number == number and other != episode_id
            for other, e in self.model_episodes.items()
        )
        if error is None and taken:
            error = EpisodeNumberTakenError
        command = UpdateEpisode(
            actor=actor, episode_id=episode_id, expected_revision=None, number=number
        )
        if self.expect(error, self.world.service.update_episode()(command)) is not None:
            episode.number = number

    @rule(
        series_id=series,
        who=who,
        action=actions,
    )
    def move_series(self, series_id: str, who: int | None, action: ContentAction) -> None:
        item = self.model_series[series_id]
        actor = self.actor(who, item, action)
        error = self.denial(actor, item, action)
        target = SERIES_MOVES.get((item.status, action))
        if error is None and target is None:
            error = IllegalTransitionError
        moved = self.expect(error, self.world.move_series(actor, series_id, action, REASON))
        if moved is None:
            return
        assert target is not None
        item.status = target
        if action is A.APPROVE:
            item.by_hand = True
        reset = {A.UNPUBLISH: {E.PUBLISHED}, A.ARCHIVE: {E.PUBLISHED, E.PENDING}}.get(action)
        if reset is not None:
            item.by_hand = False
            for episode in self.model_episodes.values():
                if episode.series_id == series_id and episode.status in reset:
                    episode.status = E.DRAFT
        assert moved.status is target

    @rule(
        episode_id=episodes,
        who=who,
        action=actions,
    )
    def move_episode(self, episode_id: str, who: int | None, action: ContentAction) -> None:
        episode = self.model_episodes[episode_id]
        item = self.model_series[episode.series_id]
        actor = self.actor(who, item, action)
        error = self.denial(actor, item, action)
        target = EPISODE_MOVES.get((episode.status, action))
        if error is None and target is None:
            error = IllegalTransitionError
        if error is None and item.status is S.ARCHIVED:
            error = SeriesArchivedError
        if error is None and action is A.APPROVE:
            if item.status is S.REJECTED:
                error = SeriesNotPublishableError
            elif episode.video not in (VideoStatus.READY, VideoStatus.UPLOADED):
                error = VideoNotReadyError
        moved = self.expect(error, self.world.move_episode(actor, episode_id, action, REASON))
        event(f"episode {action}: {'ok' if moved else error.__name__ if error else '?'}")
        if moved is None:
            return
        assert target is not None
        episode.status = target
        if action is A.APPROVE:
            item.status = S.PUBLISHED
        last = action is A.UNPUBLISH and self.published_count(episode.series_id) == 0
        if last and not item.by_hand:
            item.status = S.DRAFT
        assert (moved.episode.status, moved.series.status) == (target, item.status)

    # Steered moves: the right person acts on an item in the right state, so that episodes
    # get published and unpublished often enough for the invariants to matter.

    def in_status(self, status: EpisodeStatus) -> list[str]:
        return sorted(i for i, e in self.model_episodes.items() if e.status is status)

    @precondition(lambda self: self.in_status(E.DRAFT) or self.in_status(E.REJECTED))
    @rule(data=st.data())
    def owner_submits(self, data: st.DataObject) -> None:
        chosen = self.in_status(E.DRAFT) + self.in_status(E.REJECTED)
        self.move_episode(data.draw(st.sampled_from(chosen)), None, A.SUBMIT)

    @precondition(lambda self: self.in_status(E.PENDING))
    @rule(data=st.data(), approve=st.booleans())
    def producer_decides(self, data: st.DataObject, approve: bool) -> None:
        chosen = data.draw(st.sampled_from(self.in_status(E.PENDING)))
        self.move_episode(chosen, None, A.APPROVE if approve else A.REJECT)

    @precondition(lambda self: self.in_status(E.PUBLISHED))
    @rule(data=st.data())
    def producer_unpublishes(self, data: st.DataObject) -> None:
        self.move_episode(
            data.draw(st.sampled_from(self.in_status(E.PUBLISHED))), None, A.UNPUBLISH
        )

    # Invariants (their reads run concurrently, on the store's reader threads)

    @invariant()
    def numbers_are_unique_in_each_series(self) -> None:
        numbers = Counter((e.series_id, e.number) for e in self.model_episodes.values())
        assert all(count == 1 for count in numbers.values())

    @invariant()
    def the_store_and_the_catalogue_agree_with_the_model(self) -> None:
        async def everything() -> None:
            await asyncio.gather(
                *(self._check_series(series_id) for series_id in self.model_series),
                *(self._check_episode(episode_id) for episode_id in self.model_episodes),
                self._check_viewer(self.world.home.vic, home=True),
                self._check_viewer(self.world.away.vic, home=False),
            )

        self.run(everything())

    def _studio_of(self, series_id: str) -> Any:
        people = self.world.home if self.model_series[series_id].home else self.world.away
        return people.studio.id

    async def _check_series(self, series_id: str) -> None:
        item = self.model_series[series_id]
        async with self.world.persistence.unit_of_work(read_only=True) as uow:
            stored = await uow.series.get(self._studio_of(series_id), series_id)
        count = self.published_count(series_id)
        assert (stored.status, stored.published_by_hand) == (item.status, item.by_hand)
        assert stored.published_episodes == count
        # Published iff it has a published episode or was published by hand.
        assert (stored.status is S.PUBLISHED) == (count > 0 or stored.published_by_hand)

    async def _check_episode(self, episode_id: str) -> None:
        episode = self.model_episodes[episode_id]
        async with self.world.persistence.unit_of_work(read_only=True) as uow:
            stored = await uow.episodes.get(self._studio_of(episode.series_id), episode_id)
        assert (stored.status, stored.number) == (episode.status, episode.number)

    async def _check_viewer(self, viewer: Actor, *, home: bool) -> None:
        """The catalogue is exactly the visible series of the viewer's studio; everything
        else (unpublished, or the other studio's) is not found for the viewer."""
        visible = {
            series_id
            for series_id, item in self.model_series.items()
            if item.home == home
            and item.status is S.PUBLISHED
            and self.published_count(series_id) > 0
        }
        listed = await self.world.service.list_published_series()(
            ListPublishedSeries(actor=viewer, window=PageWindow(1, 100))
        )
        assert {s.id for s in listed.items} == visible
        assert all(s.published_episodes > 0 for s in listed.items)
        await asyncio.gather(
            *(
                self._check_viewer_series(viewer, series_id, series_id in visible)
                for series_id in self.model_series
            ),
            *(
                self._check_viewer_episode(viewer, episode_id, e.series_id in visible)
                for episode_id, e in self.model_episodes.items()
            ),
        )

    async def _check_viewer_series(self, viewer: Actor, series_id: str, visible: bool) -> None:
        service = self.world.service
        if not visible:
            with pytest.raises(NotFoundError):
                await service.get_published_series()(
                    GetPublishedSeries(actor=viewer, series_id=series_id)
                )
            return
        listing = await service.list_published_episodes()(
            ListPublishedEpisodes(actor=viewer, series_id=series_id, window=PageWindow(1, 100))
        )
        expected = sorted(
            (e.number, episode_id)
            for episode_id, e in self.model_episodes.items()
            if e.series_id == series_id and e.status is E.PUBLISHED
        )
        assert [(v.episode.number, v.episode.id) for v in listing.episodes.items] == expected
        assert not listing.series.preview
        assert not any(view.preview for view in listing.episodes.items)

    async def _check_viewer_episode(
        self, viewer: Actor, episode_id: str, series_visible: bool
    ) -> None:
        read = self.world.service.get_published_episode()(
            GetPublishedEpisode(actor=viewer, episode_id=episode_id)
        )
        if series_visible and self.model_episodes[episode_id].status is E.PUBLISHED:
            assert not (await read).preview
            return
        with pytest.raises(NotFoundError):
            await read


def test_content_flows_keep_the_catalogue_honest(make_settings: SettingsFactory) -> None:
    class Machine(ContentMachine):
        settings_for_world = make_settings()

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
