"""The moderation queue: pending series and pending episodes, oldest submission first
(producers and admins). Approving and rejecting are ``ChangeSeriesStatus`` and
``ChangeEpisodeStatus`` with ``ContentAction.APPROVE`` / ``REJECT``."""

from dataclasses import dataclass, field

from application.content.ports import DEFAULT_PENDING_SORT, PendingQuery
from application.shared.ports import Persistence
from domain.content.model import Episode, Series
from domain.identity.access import Actor, Capability, authorize
from domain.shared.paging import Page, PageWindow, SortSpec, Window


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPendingSeries:
    actor: Actor
    sort: SortSpec = DEFAULT_PENDING_SORT  # PENDING_SORTS
    window: Window = field(default_factory=PageWindow)


class ListPendingSeriesHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListPendingSeries) -> Page[Series]:
        authorize(query.actor, Capability.MODERATE)
        pending = PendingQuery(sort=query.sort, window=query.window)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.series.list_pending(query.actor.studio_id, pending)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPendingEpisodes:
    actor: Actor
    sort: SortSpec = DEFAULT_PENDING_SORT  # PENDING_SORTS
    window: Window = field(default_factory=PageWindow)


class ListPendingEpisodesHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListPendingEpisodes) -> Page[Episode]:
        authorize(query.actor, Capability.MODERATE)
        pending = PendingQuery(sort=query.sort, window=query.window)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.episodes.list_pending(query.actor.studio_id, pending)
