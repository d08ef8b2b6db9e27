"""Writing audit events from use cases: ids, time and the request's correlation id filled in."""

from collections.abc import Callable, Mapping
from datetime import datetime

from application.shared.ports import IdGenerator, UnitOfWork
from domain.audit.model import AuditEvent
from domain.identity.access import Actor
from domain.shared.ids import AuditEventId, StudioId, UserId


class AuditTrail:
    """Records an event through the unit of work, so it commits with the change it describes."""

    def __init__(self, ids: IdGenerator, correlation_id: Callable[[], str | None]) -> None:
        self._ids = ids
        self._correlation_id = correlation_id

    async def record(
        self,
        uow: UnitOfWork,
        *,
        studio_id: StudioId,
        actor: Actor | UserId | None,
        action: str,
        resource_type: str,
        resource_id: str,
        at: datetime,
        details: Mapping[str, str] | None = None,
    ) -> None:
        actor_id = actor.user_id if isinstance(actor, Actor) else actor
        await uow.audit.record(
            AuditEvent(
                id=AuditEventId(self._ids.new_id()),
                studio_id=studio_id,
                actor_id=actor_id,
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                at=at,
                correlation_id=self._correlation_id(),
                details=dict(details or {}),
            )
        )
