"""Audit events to BSON documents and back."""

from adapters.persistence.mongo.shared.codec import (
    Document,
    from_uuid,
    optional_principal,
    optional_text,
    to_uuid,
    utc,
)
from domain.audit.model import AuditEvent
from domain.shared.ids import AuditEventId, StudioId, UserId


def audit_event_to_doc(event: AuditEvent) -> Document:
    return {
        "_id": to_uuid(event.id),
        "studio_id": to_uuid(event.studio_id),
        "actor_id": optional_principal(event.actor_id),
        "action": event.action,
        "resource_type": event.resource_type,
        # Text, not a UUID: a resource may be named by something other than a UUID.
        "resource_id": event.resource_id,
        "at": event.at,
        "correlation_id": event.correlation_id,
        "details": dict(event.details),
    }


def audit_event_from_doc(doc: Document) -> AuditEvent:
    actor = optional_text(doc.get("actor_id"))
    return AuditEvent(
        id=AuditEventId(from_uuid(doc["_id"])),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        actor_id=None if actor is None else UserId(actor),
        action=doc["action"],
        resource_type=doc["resource_type"],
        resource_id=doc["resource_id"],
        at=utc(doc["at"]),
        correlation_id=doc.get("correlation_id"),
        details={str(k): str(v) for k, v in (doc.get("details") or {}).items()},
    )
