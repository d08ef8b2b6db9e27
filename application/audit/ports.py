"""The audit log port."""

from dataclasses import dataclass, field
from typing import Protocol

from domain.audit.model import AuditEvent
from domain.shared.ids import StudioId
from domain.shared.paging import KeysetWindow, Page


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditQuery:
    """Newest first. ``resource_type`` and ``resource_id`` narrow to one resource's history."""

    resource_type: str | None = None
    resource_id: str | None = None
    window: KeysetWindow = field(default_factory=KeysetWindow)


class AuditLog(Protocol):
    async def record(self, event: AuditEvent) -> None:
        """Append ``event``; inside a unit of work it commits with the change it records."""
        ...

    async def list(self, studio_id: StudioId, query: AuditQuery) -> Page[AuditEvent]: ...
