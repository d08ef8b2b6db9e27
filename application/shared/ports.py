"""Ports every context may use: time, ids, dependency probes, and the unit of work."""

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol, runtime_checkable

from application.assets.ports import AssetRepository
from application.audit.ports import AuditLog
from application.content.ports import EpisodeRepository, SeriesRepository
from application.identity.ports import (
    LoginThrottleRepository,
    SessionRepository,
    StudioRepository,
    UserRepository,
)
from application.media.ports import UploadRepository, VideoRepository
from application.playback.ports import ProgressRepository
from application.shared.idempotency import IdempotencyStore
from application.subscriptions.ports import SubscriptionRepository


@runtime_checkable  # route handlers receive it; Litestar checks the type
class Clock(Protocol):
    """The current time: timezone-aware UTC, truncated to milliseconds (what stores keep)."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """New ids: canonical UUID text, ordered by creation time (index-friendly)."""

    def new_id(self) -> str: ...


class DependencyProbe(Protocol):
    """One dependency the service needs in order to serve (a database, a bucket, a folder)."""

    @property
    def name(self) -> str: ...

    async def check(self) -> None:
        """Return when the dependency answers; raise any exception when it does not."""
        ...


class UnitOfWork(Protocol):
    """The repositories, bound to one transaction (or one consistent read)."""

    @property
    def studios(self) -> StudioRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def throttles(self) -> LoginThrottleRepository: ...

    @property
    def uploads(self) -> UploadRepository: ...

    @property
    def videos(self) -> VideoRepository: ...

    @property
    def assets(self) -> AssetRepository: ...

    @property
    def series(self) -> SeriesRepository: ...

    @property
    def episodes(self) -> EpisodeRepository: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def progress(self) -> ProgressRepository: ...

    async def commit(self) -> None:
        """Make every write done through this unit of work durable, all or nothing."""
        ...


@runtime_checkable  # route handlers receive it; Litestar checks the type
class Persistence(Protocol):
    """Opens units of work on the configured store.

    ``async with persistence.unit_of_work() as uow:`` writes through ``uow`` and must call
    ``await uow.commit()``; leaving the block without committing (or by an exception) rolls
    everything back. ``unit_of_work(read_only=True)`` is for reads: it never blocks a writer
    and a writer never blocks it.
    """

    def unit_of_work(
        self, *, read_only: bool = False
    ) -> AbstractAsyncContextManager[UnitOfWork]: ...

    async def ping(self) -> None:
        """Return when the store answers; raise when it does not."""
        ...

    async def start(self) -> None:
        """Connect, and bring the schema (or indexes) up to date. Called once, at start-up."""
        ...

    async def close(self) -> None:
        """Release connections; safe to call on a store that was never started."""
        ...

    async def migrate(self) -> list[str]:
        """Bring the schema (or indexes) up to date on its own; return what was applied."""
        ...
