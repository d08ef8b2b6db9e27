"""Reading the audit log (producers and admins)."""

from dataclasses import dataclass

from application.audit.ports import AuditQuery
from application.shared.ports import Persistence
from domain.audit.model import AuditEvent
from domain.identity.access import Actor, Capability, authorize
from domain.shared.paging import Page


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAuditEvents:
    actor: Actor
    query: AuditQuery


class ListAuditEventsHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListAuditEvents) -> Page[AuditEvent]:
        authorize(query.actor, Capability.READ_AUDIT)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.audit.list(query.actor.studio_id, query.query)
