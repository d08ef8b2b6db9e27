"""Entities with sensible defaults, for the SQLite adapter's tests."""

import uuid
from datetime import UTC, datetime, timedelta

from application.shared.idempotency import IdempotencyRecord
from domain.audit.model import AuditEvent
from domain.identity.model import RefreshSession, Role, Studio, User
from domain.shared.ids import AuditEventId, SessionId, StudioId, UserId

T0 = datetime(2026, 11, 1, 12, 0, 0, 123000, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def make_studio(slug: str | None = None, **changes: object) -> Studio:
    fields: dict[str, object] = {
        "id": StudioId(new_id()),
        "slug": slug or f"studio-{uuid.uuid4().hex[:8]}",
        "name": "A studio",
        "created_at": T0,
        "updated_at": T0,
    }
    return Studio(**(fields | changes))  # type: ignore[arg-type]


def make_user(studio_id: str, email: str | None = None, **changes: object) -> User:
    fields: dict[str, object] = {
        "id": UserId(new_id()),
        "studio_id": StudioId(studio_id),
        "email": email or f"user-{uuid.uuid4().hex[:8]}@example.com",
        "name": "Someone",
        "role": Role.ARTIST,
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "created_at": T0,
        "updated_at": T0,
    }
    return User(**(fields | changes))  # type: ignore[arg-type]


def make_session(studio_id: str, user_id: str, **changes: object) -> RefreshSession:
    fields: dict[str, object] = {
        "id": SessionId(new_id()),
        "studio_id": StudioId(studio_id),
        "user_id": UserId(user_id),
        "token_hash": uuid.uuid4().hex,
        "created_at": T0,
        "last_used_at": T0,
        "expires_at": T0 + timedelta(days=30),
    }
    return RefreshSession(**(fields | changes))  # type: ignore[arg-type]


def make_event(studio_id: str, **changes: object) -> AuditEvent:
    fields: dict[str, object] = {
        "id": AuditEventId(new_id()),
        "studio_id": StudioId(studio_id),
        "actor_id": None,
        "action": "user.created",
        "resource_type": "user",
        "resource_id": new_id(),
        "at": T0,
    }
    return AuditEvent(**(fields | changes))  # type: ignore[arg-type]


def make_record(studio_id: str, key: str = "key-1", **changes: object) -> IdempotencyRecord:
    fields: dict[str, object] = {
        "studio_id": StudioId(studio_id),
        "scope": "user-1",
        "key": key,
        "fingerprint": "f1",
        "response": b'{"data":1}',
        "created_at": T0,
        "expires_at": T0 + timedelta(hours=24),
    }
    return IdempotencyRecord(**(fields | changes))  # type: ignore[arg-type]
