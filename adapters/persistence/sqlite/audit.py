"""The audit log on SQLite: appended in the writer's transaction, listed newest first."""

import json
import sqlite3
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.listing import (
    Filter,
    ListSpec,
    ListStatements,
    fetch_page,
    list_statements,
)
from adapters.persistence.sqlite.rows import Row, from_ms, to_json, to_ms
from adapters.persistence.sqlite.writes import execute_checked
from application.audit.ports import AuditQuery
from domain.audit.model import AuditEvent
from domain.shared.ids import StudioId
from domain.shared.paging import Page

AUDIT_COLUMNS = (
    "id, studio_id, actor_id, action, resource_type, resource_id, at, correlation_id, details"
)
INSERT_AUDIT_EVENT_SQL = (
    f"INSERT INTO audit_events ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
AUDIT_LIST = ListSpec(table="audit_events", columns=AUDIT_COLUMNS, sort_columns={"at": (6, int)})


def audit_event_to_row(event: AuditEvent) -> Row:
    return (
        event.id,
        event.studio_id,
        event.actor_id,
        event.action,
        event.resource_type,
        event.resource_id,
        to_ms(event.at),
        event.correlation_id,
        to_json(dict(event.details)),
    )


def audit_event_from_row(row: Row) -> AuditEvent:
    return AuditEvent(
        id=row[0],
        studio_id=row[1],
        actor_id=row[2],
        action=row[3],
        resource_type=row[4],
        resource_id=row[5],
        at=from_ms(row[6]),
        correlation_id=row[7],
        details=json.loads(row[8]),
    )


def audit_list_statements(studio_id: StudioId, query: AuditQuery) -> ListStatements:
    """The statements ``SqliteAuditLog.list`` runs for this query."""
    filters: list[Filter] = [("studio_id = ?", studio_id)]
    if query.resource_type is not None:
        # With a resource id too, the unary + keeps the planner on the (far more selective)
        # per-resource index; the type is then checked on the few rows it finds.
        column = "+resource_type" if query.resource_id is not None else "resource_type"
        filters.append((f"{column} = ?", query.resource_type))
    if query.resource_id is not None:
        filters.append(("resource_id = ?", query.resource_id))
    return list_statements(
        AUDIT_LIST, filters, sort_column="at", descending=True, window=query.window
    )


class SqliteAuditLog:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def record(self, event: AuditEvent) -> None:
        await self._channel.write(partial(_record, audit_event_to_row(event)))

    async def list(self, studio_id: StudioId, query: AuditQuery) -> Page[AuditEvent]:
        statements = audit_list_statements(studio_id, query)
        return await self._channel.read(
            partial(fetch_page, statements=statements, to_entity=audit_event_from_row)
        )


def _record(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_AUDIT_EVENT_SQL, row, {})
