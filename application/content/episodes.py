"""Creators' episodes: create one in a series (draft or pending), list a series' episodes,
read one, edit one (draft or rejected only).

An episode belongs to its series' owner, and its video must be one of that owner's videos in
the same studio. Numbers are unique in a series (409 ``episode_number_taken``).
"""

from dataclasses import dataclass, field

from application.audit.trail import AuditTrail
from application.content.access import (
    check_revision,
    load_episode,
    load_series,
    save_episode,
    series_id_of,
    video_of,
)
from application.content.ports import DEFAULT_EPISODE_SORT, EpisodeQuery
from application.content.snapshots import episode_from_snapshot, episode_snapshot
from application.shared.creates import IdempotentCreates
from application.shared.ports import Clock, IdGenerator, Persistence, UnitOfWork
from domain.content.errors import (
    EpisodeNumberTakenError,
    InvalidContentError,
    SeriesArchivedError,
)
from domain.content.model import (
    INITIAL_EPISODE_STATUSES,
    Episode,
    EpisodeStatus,
    SeriesStatus,
)
from domain.content.values import check_number, check_title
from domain.identity.access import Actor, Capability, authorize
from domain.shared.paging import Page, PageWindow, SortSpec, Window


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateEpisode:
    actor: Actor
    series_id: str
    number: int
    title: str
    video_id: str
    status: EpisodeStatus = EpisodeStatus.DRAFT  # or PENDING: submitted for review at once
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedEpisode:
    episode: Episode
    replayed: bool


class CreateEpisodeHandler:
    """Add an episode to a series the caller may edit (not an archived one)."""

    def __init__(
        self, *, persistence: Persistence, audit: AuditTrail, clock: Clock, ids: IdGenerator
    ) -> None:
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._creates = IdempotentCreates(persistence, clock)

    async def __call__(self, command: CreateEpisode) -> CreatedEpisode:
        actor = command.actor
        authorize(actor, Capability.CREATE_CONTENT)
        if command.status not in INITIAL_EPISODE_STATUSES:
            raise InvalidContentError(
                "An episode is created as a draft or pending.", details={"field": "status"}
            )
        number = check_number(command.number)
        title = check_title(command.title)
        content = {
            "action": "episode.create",
            "series": series_id_of(command.series_id),
            "number": number,
            "title": title,
            "video": command.video_id.strip().lower(),
            "status": command.status.value,
        }
        now = self._clock.now()

        async def build(uow: UnitOfWork) -> Episode:
            series = await load_series(uow, actor, command.series_id, Capability.EDIT_OWN)
            if series.status is SeriesStatus.ARCHIVED:
                raise SeriesArchivedError()
            video = await video_of(uow, series, command.video_id)
            return Episode(
                id=self._ids.new_id(),
                studio_id=series.studio_id,
                series_id=series.id,
                owner_id=series.owner_id,
                number=number,
                title=title,
                video_id=video.id,
                status=command.status,
                submitted_at=now if command.status is EpisodeStatus.PENDING else None,
                created_at=now,
                updated_at=now,
            )

        async def store(uow: UnitOfWork, made: Episode) -> None:
            await uow.episodes.add(made)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="episode.created",
                resource_type="episode",
                resource_id=made.id,
                at=now,
                details={
                    "seriesId": made.series_id,
                    "number": str(number),
                    "status": made.status.value,
                },
            )

        created, replayed = await self._creates.create(
            actor,
            command.idempotency_key,
            content,
            build=build,
            store=store,
            snapshot=episode_snapshot,
            restore=episode_from_snapshot,
            races=(EpisodeNumberTakenError,),
            at=now,
        )
        return CreatedEpisode(episode=created, replayed=replayed)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOwnEpisode:
    actor: Actor
    episode_id: str


class GetOwnEpisodeHandler:
    """One episode as its creator sees it, any status (its owner; directors and above)."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetOwnEpisode) -> Episode:
        authorize(query.actor, Capability.CREATE_CONTENT)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await load_episode(uow, query.actor, query.episode_id, Capability.EDIT_OWN)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSeriesEpisodes:
    actor: Actor
    series_id: str
    sort: SortSpec = DEFAULT_EPISODE_SORT  # EPISODE_SORTS
    window: Window = field(default_factory=PageWindow)


class ListSeriesEpisodesHandler:
    """Every episode of a series the caller may edit, any status, by number."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListSeriesEpisodes) -> Page[Episode]:
        actor = query.actor
        authorize(actor, Capability.CREATE_CONTENT)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            series = await load_series(uow, actor, query.series_id, Capability.EDIT_OWN)
            return await uow.episodes.list_in_series(
                actor.studio_id, series.id, EpisodeQuery(sort=query.sort, window=query.window)
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateEpisode:
    actor: Actor
    episode_id: str
    expected_revision: int | None
    number: int | None = None
    title: str | None = None
    video_id: str | None = None


class UpdateEpisodeHandler:
    """Change a draft or rejected episode's number, title or video (its owner; directors and
    above for anyone's). A rejected episode stays rejected until it is submitted again."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: UpdateEpisode) -> Episode:
        actor = command.actor
        authorize(actor, Capability.CREATE_CONTENT)
        number = None if command.number is None else check_number(command.number)
        title = None if command.title is None else check_title(command.title)
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            episode = await load_episode(uow, actor, command.episode_id, Capability.EDIT_OWN)
            check_revision(episode, command.expected_revision)
            series = await uow.series.get(episode.studio_id, episode.series_id)
            if series.status is SeriesStatus.ARCHIVED:
                raise SeriesArchivedError()
            video_id = None
            if command.video_id is not None:
                video_id = (await video_of(uow, series, command.video_id)).id
            changed = episode.changed(number=number, title=title, video_id=video_id, at=now)
            details = {
                name: f"{getattr(episode, name)} -> {getattr(changed, name)}"
                for name in ("number", "title", "video_id")
                if getattr(episode, name) != getattr(changed, name)
            }
            saved = await save_episode(
                uow, self._audit, actor, episode, changed, action="episode.updated", details=details
            )
            await uow.commit()
        return saved
