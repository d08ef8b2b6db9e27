"""``GET /audit``: the studio's audit log, newest first (producers and admins)."""

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from application.audit.list_events import ListAuditEvents, ListAuditEventsHandler
from application.audit.ports import AuditQuery
from domain.audit.model import AuditEvent
from domain.identity.access import Actor
from domain.shared.paging import (
    DEFAULT_LIMIT,
    CursorCodec,
    Direction,
    KeysetWindow,
    SortSpec,
    query_identity,
)
from entrypoints.http.auth import current_actor
from entrypoints.http.listing import CursorParam, LimitParam, ListOf, list_of

NEWEST_FIRST = SortSpec("at", Direction.DESC)
ResourceTypeParam = Annotated[
    str | None, QueryParameter(name="resourceType", max_length=100, description="e.g. user")
]
ResourceIdParam = Annotated[
    str | None, QueryParameter(name="resourceId", max_length=100, description="one resource")
]


class AuditEventOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    actor_id: str | None
    action: str
    resource_type: str
    resource_id: str
    at: datetime
    correlation_id: str | None
    details: dict[str, str]

    @classmethod
    def of(cls, event: AuditEvent) -> "AuditEventOut":
        return cls(
            id=event.id,
            actor_id=event.actor_id,
            action=event.action,
            resource_type=event.resource_type,
            resource_id=event.resource_id,
            at=event.at,
            correlation_id=event.correlation_id,
            details=dict(event.details),
        )


@get("/audit", tags=["audit"], dependencies={"actor": Provide(current_actor)})
async def list_audit_events(
    actor: NamedDependency[Actor],
    list_audit_events: NamedDependency[ListAuditEventsHandler],
    cursor_codec: NamedDependency[CursorCodec],
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    resource_type: ResourceTypeParam = None,
    resource_id: ResourceIdParam = None,
) -> ListOf[AuditEventOut]:
    """Who did what, newest first; walk it with ``cursor`` (``meta.nextCursor``)."""
    filters = {"resourceType": resource_type, "resourceId": resource_id}
    identity = query_identity("audit", filters, NEWEST_FIRST)
    after = cursor_codec.decode(cursor, query=identity) if cursor else None
    result = await list_audit_events(
        ListAuditEvents(
            actor=actor,
            query=AuditQuery(
                resource_type=resource_type,
                resource_id=resource_id,
                window=KeysetWindow(after=after, limit=limit),
            ),
        )
    )
    items = [AuditEventOut.of(event) for event in result.items]
    return list_of(result, items, codec=cursor_codec, query=identity)
