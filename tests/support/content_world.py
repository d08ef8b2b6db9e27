"""A wired service on SQLite ``:memory:`` with two studios and their people, for the content
use-case tests: handlers come from the container (``bootstrap``), as every caller gets them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.persistence.sqlite.persistence import SqlitePersistence
from application.audit.ports import AuditQuery
from application.content.episodes import CreateEpisode
from application.content.series import CreateSeries
from application.content.status import ChangeEpisodeStatus, ChangeSeriesStatus, EpisodeMoved
from application.shared.ports import Persistence
from domain.audit.model import AuditEvent
from domain.content.model import ContentAction, Episode, EpisodeStatus, Rejection, Series
from domain.identity.access import Actor
from domain.identity.model import Role, Studio, StudioSettings
from domain.media.model import UploadPurpose, Video, VideoStatus, storage_key
from entrypoints.bootstrap import bootstrap, running
from entrypoints.container import Container
from entrypoints.settings import Settings
from tests.support import builders

FREE_EPISODES = 2


class TickingClock:
    """Each reading is one second after the previous: orders are never ties by accident."""

    def __init__(self, start: datetime = builders.T0) -> None:
        self._now = start

    def now(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now


@dataclass
class People:
    studio: Studio
    ada: Actor  # artist
    bob: Actor  # artist
    dora: Actor  # director
    pat: Actor  # producer
    vic: Actor  # viewer


@dataclass
class World:
    service: Container
    persistence: Persistence
    home: People
    away: People

    async def video(self, owner: Actor, status: VideoStatus = VideoStatus.UPLOADED) -> Video:
        """A video of ``owner``'s, stored as the media use cases would leave it."""
        made = Video(
            id=builders.new_id(),
            studio_id=owner.studio_id,
            owner_id=owner.user_id,
            title="Opening Scene",
            storage_key=storage_key(
                owner.studio_id, UploadPurpose.VIDEO, builders.new_id(), "a.mp4"
            ),
            content_type="video/mp4",
            size=48_000_000,
            status=status,
            created_at=builders.T0,
            updated_at=builders.T0,
        )
        async with self.persistence.unit_of_work() as uow:
            await uow.videos.add(made)
            await uow.commit()
        return made

    async def new_series(self, actor: Actor, title: str = "Love in Seoul", **fields: Any) -> Series:
        command = CreateSeries(actor=actor, title=title, **fields)
        return (await self.service.create_series()(command)).series

    async def new_episode(
        self,
        actor: Actor,
        series_id: str,
        number: int = 1,
        *,
        video_status: VideoStatus = VideoStatus.UPLOADED,
        **fields: Any,
    ) -> Episode:
        """An episode with a new video of ``actor``'s (in ``video_status``)."""
        video = await self.video(actor, video_status)
        fields.setdefault("title", f"Episode {number}")
        command = CreateEpisode(
            actor=actor, series_id=series_id, number=number, video_id=video.id, **fields
        )
        return (await self.service.create_episode()(command)).episode

    async def move_series(
        self,
        actor: Actor,
        series_id: str,
        action: ContentAction,
        rejection: Rejection | None = None,
    ) -> Series:
        command = ChangeSeriesStatus(
            actor=actor, series_id=series_id, action=action, rejection=rejection
        )
        return await self.service.change_series_status()(command)

    async def move_episode(
        self,
        actor: Actor,
        episode_id: str,
        action: ContentAction,
        rejection: Rejection | None = None,
    ) -> EpisodeMoved:
        command = ChangeEpisodeStatus(
            actor=actor, episode_id=episode_id, action=action, rejection=rejection
        )
        return await self.service.change_episode_status()(command)

    async def published(
        self, owner: Actor, numbers: tuple[int, ...] = (1,), title: str = "Love", **fields: Any
    ) -> tuple[Series, list[Episode]]:
        """A series of ``owner``'s with these episodes submitted and approved by the studio's
        producer (so the series is published with the first)."""
        series = await self.new_series(owner, title, **fields)
        episodes = []
        for number in numbers:
            episode = await self.new_episode(owner, series.id, number, status=EpisodeStatus.PENDING)
            moved = await self.move_episode(self.home.pat, episode.id, ContentAction.APPROVE)
            episodes.append(moved.episode)
        return await self.series(series.id), episodes

    async def series(self, series_id: str) -> Series:
        async with self.persistence.unit_of_work(read_only=True) as uow:
            return await uow.series.get(self.home.studio.id, series_id)

    async def episode(self, episode_id: str) -> Episode:
        async with self.persistence.unit_of_work(read_only=True) as uow:
            return await uow.episodes.get(self.home.studio.id, episode_id)

    async def history(self, resource_type: str, resource_id: str) -> list[AuditEvent]:
        """The resource's audit events, oldest first."""
        query = AuditQuery(resource_type=resource_type, resource_id=resource_id)
        async with self.persistence.unit_of_work(read_only=True) as uow:
            page = await uow.audit.list(self.home.studio.id, query)
        return list(reversed(page.items))


async def _people(persistence: Persistence) -> People:
    studio = builders.studio(settings=StudioSettings(free_episodes_per_series=FREE_EPISODES))
    roles = [Role.ARTIST, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.VIEWER]
    users = [builders.user(studio, role=role) for role in roles]
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    actors = [Actor(user_id=u.id, studio_id=studio.id, role=u.role) for u in users]
    return People(studio, *actors)


@asynccontextmanager
async def content_world(settings: Settings, **overrides: Any) -> AsyncIterator[World]:
    persistence = SqlitePersistence(":memory:")
    service = bootstrap(settings, persistence=persistence, clock=TickingClock(), **overrides)
    async with running(service):
        yield World(service, persistence, await _people(persistence), await _people(persistence))
