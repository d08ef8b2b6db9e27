"""``AuditLog`` on the ``audit_events`` collection: append-only, newest first."""

from adapters.persistence.mongo.audit.mapping import audit_event_from_doc, audit_event_to_doc
from adapters.persistence.mongo.indexes import AUDIT_EVENTS
from adapters.persistence.mongo.shared.codec import (
    Document,
    epoch_ms,
    from_epoch_ms,
    from_uuid,
    lookup_uuid,
)
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import after_filter, invalid_key, key_id, sort_order
from application.audit.ports import AuditQuery
from domain.audit.model import AuditEvent
from domain.shared.ids import StudioId
from domain.shared.paging import Direction, Page


class MongoAuditLog:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._events = context.collection(AUDIT_EVENTS)

    async def record(self, event: AuditEvent) -> None:
        with self._context.writing(AUDIT_EVENTS):
            await self._events.insert_one(audit_event_to_doc(event), session=self._context.session)

    # Last in the class: a method named ``list`` shadows the builtin for what follows.
    async def list(self, studio_id: StudioId, query: AuditQuery) -> Page[AuditEvent]:
        window = query.window
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return Page((), window.limit)
        match: Document = {"studio_id": tenant}
        if query.resource_type is not None:
            match["resource_type"] = query.resource_type
        if query.resource_id is not None:
            match["resource_id"] = query.resource_id
        if window.after is not None:
            at_ms = window.after[0]
            if not isinstance(at_ms, int) or isinstance(at_ms, bool):
                raise invalid_key()
            match |= after_filter("at", from_epoch_ms(at_ms), key_id(window.after), Direction.DESC)
        cursor = self._events.find(match, session=self._context.session)
        docs = await cursor.sort(sort_order("at", Direction.DESC)).limit(window.limit + 1).to_list()
        items = tuple(audit_event_from_doc(doc) for doc in docs[: window.limit])
        next_after = None
        if len(docs) > window.limit:
            last = docs[window.limit - 1]
            next_after = (epoch_ms(last["at"]), from_uuid(last["_id"]))
        return Page(items, window.limit, next_after=next_after)
