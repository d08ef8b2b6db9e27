"""An audit event: written in the same transaction as the change it records."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.shared.ids import AuditEventId, StudioId, UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    id: AuditEventId
    studio_id: StudioId
    actor_id: UserId | None  # None for the system itself (a sweep, a bootstrap)
    action: str  # "asset.updated", "user.deactivated"
    resource_type: str
    resource_id: str
    at: datetime
    correlation_id: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
