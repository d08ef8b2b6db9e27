"""Creators' series: create (draft or pending), list one's own, read one, edit.

Artists work on their own series; directors and above (``EDIT_ANY``) on anyone's in their
studio. Another studio's series is not found. Every change writes an audit event in its
transaction; a create honours an idempotency key.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from application.audit.trail import AuditTrail
from application.content.access import check_revision, load_series, save_series
from application.content.ports import DEFAULT_OWN_SERIES_SORT, OwnSeriesQuery
from application.content.snapshots import series_from_snapshot, series_snapshot
from application.shared.creates import IdempotentCreates
from application.shared.ports import Clock, IdGenerator, Persistence, UnitOfWork
from domain.content.errors import InvalidContentError
from domain.content.model import INITIAL_SERIES_STATUSES, Series, SeriesStatus
from domain.content.values import check_synopsis, check_tags, check_title
from domain.identity.access import Actor, Capability, authorize
from domain.shared.paging import Page, PageWindow, SortSpec, Window


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSeries:
    actor: Actor
    title: str
    synopsis: str = ""
    tags: Sequence[str] = ()
    status: SeriesStatus = SeriesStatus.DRAFT  # or PENDING: submitted for review at once
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedSeries:
    series: Series
    replayed: bool  # True when this is the first answer to an earlier request with the key


class CreateSeriesHandler:
    """Create a series owned by the caller (artists and above), as a draft or pending."""

    def __init__(
        self, *, persistence: Persistence, audit: AuditTrail, clock: Clock, ids: IdGenerator
    ) -> None:
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._creates = IdempotentCreates(persistence, clock)

    async def __call__(self, command: CreateSeries) -> CreatedSeries:
        actor = command.actor
        authorize(actor, Capability.CREATE_CONTENT)
        if command.status not in INITIAL_SERIES_STATUSES:
            raise InvalidContentError(
                "A series is created as a draft or pending.", details={"field": "status"}
            )
        now = self._clock.now()
        pending = command.status is SeriesStatus.PENDING
        series = Series(
            id=self._ids.new_id(),
            studio_id=actor.studio_id,
            owner_id=actor.user_id,
            title=check_title(command.title),
            synopsis=check_synopsis(command.synopsis),
            tags=check_tags(tuple(command.tags)),
            status=command.status,
            submitted_at=now if pending else None,
            created_at=now,
            updated_at=now,
        )
        content = {
            "action": "series.create",
            "title": series.title,
            "synopsis": series.synopsis,
            "tags": list(series.tags),
            "status": series.status.value,
        }

        async def build(uow: UnitOfWork) -> Series:
            return series

        async def store(uow: UnitOfWork, made: Series) -> None:
            await uow.series.add(made)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="series.created",
                resource_type="series",
                resource_id=made.id,
                at=now,
                details={"title": made.title, "status": made.status.value},
            )

        created, replayed = await self._creates.create(
            actor,
            command.idempotency_key,
            content,
            build=build,
            store=store,
            snapshot=series_snapshot,
            restore=series_from_snapshot,
            at=now,
        )
        return CreatedSeries(series=created, replayed=replayed)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOwnSeries:
    actor: Actor
    series_id: str


class GetOwnSeriesHandler:
    """One series as its creator sees it, any status (its owner; directors and above)."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetOwnSeries) -> Series:
        authorize(query.actor, Capability.CREATE_CONTENT)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await load_series(uow, query.actor, query.series_id, Capability.EDIT_OWN)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOwnSeries:
    actor: Actor
    status: SeriesStatus | None = None
    sort: SortSpec = DEFAULT_OWN_SERIES_SORT  # OWN_SERIES_SORTS
    window: Window = field(default_factory=PageWindow)


class ListOwnSeriesHandler:
    """The caller's own series, any status (or one), paged or by cursor."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListOwnSeries) -> Page[Series]:
        actor = query.actor
        authorize(actor, Capability.CREATE_CONTENT)
        own = OwnSeriesQuery(
            owner_id=actor.user_id, status=query.status, sort=query.sort, window=query.window
        )
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.series.list_own(actor.studio_id, own)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateSeries:
    actor: Actor
    series_id: str
    expected_revision: int | None
    title: str | None = None
    synopsis: str | None = None
    tags: Sequence[str] | None = None


class UpdateSeriesHandler:
    """Change a series' title, synopsis or tags, in any status but archived (its owner;
    directors and above for anyone's). A published series stays published."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: UpdateSeries) -> Series:
        actor = command.actor
        authorize(actor, Capability.CREATE_CONTENT)
        title = None if command.title is None else check_title(command.title)
        synopsis = None if command.synopsis is None else check_synopsis(command.synopsis)
        tags = None if command.tags is None else check_tags(tuple(command.tags))
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            series = await load_series(uow, actor, command.series_id, Capability.EDIT_OWN)
            check_revision(series, command.expected_revision)
            changed = series.changed(title=title, synopsis=synopsis, tags=tags, at=now)
            details = {
                name: "changed"
                for name in ("synopsis", "tags")
                if getattr(series, name) != getattr(changed, name)
            }
            if series.title != changed.title:
                details["title"] = f"{series.title} -> {changed.title}"
            saved = await save_series(
                uow, self._audit, actor, series, changed, action="series.updated", details=details
            )
            await uow.commit()
        return saved
