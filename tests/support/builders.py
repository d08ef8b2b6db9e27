"""Builders of domain objects for tests: valid by default, every field overridable."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from application.shared.idempotency import IdempotencyRecord
from domain.assets.model import Asset, AssetType, AssetVersion
from domain.audit.model import AuditEvent
from domain.identity.model import RefreshSession, Role, Studio, User
from domain.media.model import Upload, UploadPurpose, Video, storage_key
from domain.shared.ids import AuditEventId, SessionId, StudioId, UserId

T0 = datetime(2026, 11, 1, 9, 30, 0, 123000, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds``, kept to the millisecond like every store."""
    return T0 + timedelta(milliseconds=round(seconds * 1000))


def studio(slug: str | None = None, **changes: Any) -> Studio:
    made = Studio(
        id=StudioId(new_id()),
        slug=slug or f"studio-{uuid.uuid4().hex[:8]}",
        name="Moonlit Frames",
        created_at=T0,
        updated_at=T0,
    )
    return replace(made, **changes)


def user(owner: Studio, email: str | None = None, **changes: Any) -> User:
    made = User(
        id=UserId(new_id()),
        studio_id=owner.id,
        email=email or f"user-{uuid.uuid4().hex[:8]}@example.com",
        name="Ada Lovelace",
        role=Role.ARTIST,
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",
        created_at=T0,
        updated_at=T0,
    )
    return replace(made, **changes)


def session(owner: User, **changes: Any) -> RefreshSession:
    made = RefreshSession(
        id=SessionId(new_id()),
        studio_id=owner.studio_id,
        user_id=owner.id,
        token_hash=uuid.uuid4().hex,
        created_at=T0,
        last_used_at=T0,
        expires_at=at(30 * 24 * 3600),
    )
    return replace(made, **changes)


def audit_event(owner: Studio, **changes: Any) -> AuditEvent:
    made = AuditEvent(
        id=AuditEventId(new_id()),
        studio_id=owner.id,
        actor_id=None,
        action="user.created",
        resource_type="user",
        resource_id=new_id(),
        at=T0,
        correlation_id="req-0001-abcdef",
        details={"email": "ada@example.com"},
    )
    return replace(made, **changes)


def idempotency_record(owner: Studio, key: str = "key-1", **changes: Any) -> IdempotencyRecord:
    made = IdempotencyRecord(
        studio_id=owner.id,
        scope=new_id(),
        key=key,
        fingerprint="sha256:abc",
        response=b'{"status":201,"body":{"data":{"id":"x"}}}',
        created_at=T0,
        expires_at=at(24 * 3600),
    )
    return replace(made, **changes)


def upload(
    owner: User,
    filename: str = "Opening Scene.mp4",
    purpose: UploadPurpose = UploadPurpose.VIDEO,
    **changes: Any,
) -> Upload:
    """A pending upload by ``owner``; its key is made from its id, as the server makes it."""
    upload_id = changes.pop("id", None) or new_id()
    made = Upload(
        id=upload_id,
        studio_id=owner.studio_id,
        owner_id=owner.id,
        purpose=purpose,
        key=storage_key(owner.studio_id, purpose, upload_id, filename),
        filename=filename,
        content_type="video/mp4",
        size=48_000_000,
        created_at=T0,
        expires_at=at(3600),
    )
    return replace(made, **changes)


def video(owner: User, **changes: Any) -> Video:
    made = Video(
        id=new_id(),
        studio_id=owner.studio_id,
        owner_id=owner.id,
        title="Opening Scene",
        storage_key=storage_key(owner.studio_id, UploadPurpose.VIDEO, new_id(), "opening.mp4"),
        content_type="video/mp4",
        size=48_000_000,
        created_at=T0,
        updated_at=T0,
    )
    return replace(made, **changes)


def asset(owner: User, name: str | None = None, **changes: Any) -> Asset:
    made = Asset(
        id=new_id(),
        studio_id=owner.studio_id,
        owner_id=owner.id,
        name=name or f"Asset {uuid.uuid4().hex[:8]}",
        type=AssetType.PROP,
        created_at=T0,
        updated_at=T0,
    )
    return replace(made, **changes)


def asset_version(of: Asset, number: int = 1, **changes: Any) -> AssetVersion:
    made = AssetVersion(
        studio_id=of.studio_id,
        asset_id=of.id,
        number=number,
        storage_key=f"studios/{of.studio_id}/asset_version/{new_id()}/model.glb",
        size=1024 * number,
        sha256=uuid.uuid4().hex * 2,
        content_type="model/gltf-binary",
        author_id=of.owner_id,
        note=f"version {number}",
        created_at=at(number),
    )
    return replace(made, **changes)
