"""Presigning uploads, completing multipart ones, and sweeping the ones never used."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.audit.trail import AuditTrail
from application.media.ports import BlobStore, CompletedPart, PresignedUpload
from application.shared.ports import Clock, IdGenerator, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.media.errors import UploadNotFoundError
from domain.media.model import (
    Upload,
    UploadPolicy,
    UploadPurpose,
    check_storage_key,
    key_studio,
    storage_key,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PresignUpload:
    actor: Actor
    filename: str
    content_type: str
    size: int
    purpose: UploadPurpose


@dataclass(frozen=True, slots=True, kw_only=True)
class PresignedForClient:
    key: str
    upload: PresignedUpload


class PresignUploadHandler:
    """Record a pending upload and hand out where to send its bytes (artists and above)."""

    def __init__(
        self,
        *,
        persistence: Persistence,
        blob_store: BlobStore,
        policies: Mapping[UploadPurpose, UploadPolicy],
        expires_in: timedelta,
        audit: AuditTrail,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._policies = policies
        self._expires_in = expires_in
        self._audit = audit
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: PresignUpload) -> PresignedForClient:
        actor = command.actor
        authorize(actor, Capability.UPLOAD)
        self._policies[command.purpose].check(content_type=command.content_type, size=command.size)
        now = self._clock.now()
        upload_id = self._ids.new_id()
        key = storage_key(actor.studio_id, command.purpose, upload_id, command.filename)
        presigned = await self._blob_store.presign_upload(
            key=key,
            content_type=command.content_type,
            size=command.size,
            at=now,
            expires_in=self._expires_in,
        )
        upload = Upload(
            id=upload_id,
            studio_id=actor.studio_id,
            owner_id=actor.user_id,
            purpose=command.purpose,
            key=key,
            filename=command.filename[:255],
            content_type=command.content_type,
            size=command.size,
            created_at=now,
            expires_at=presigned.expires_at,
            multipart_id=presigned.multipart_id,
        )
        async with self._persistence.unit_of_work() as uow:
            await uow.uploads.add(upload)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="upload.presigned",
                resource_type="upload",
                resource_id=upload.id,
                at=now,
                details={"purpose": str(command.purpose), "size": str(command.size)},
            )
            await uow.commit()
        return PresignedForClient(key=key, upload=presigned)


async def open_upload_of(
    persistence: Persistence, actor: Actor, key: str, *, at: datetime
) -> Upload:
    """The caller's own pending, unexpired upload at ``key``; anything else is not found."""
    check_storage_key(key)
    if key_studio(key) != actor.studio_id:
        raise UploadNotFoundError()  # another studio's key: indistinguishable from none
    async with persistence.unit_of_work(read_only=True) as uow:
        upload = await uow.uploads.get_by_key(actor.studio_id, key)
    if upload is None or upload.owner_id != actor.user_id or not upload.is_open(at):
        raise UploadNotFoundError()
    return upload


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteMultipartUpload:
    actor: Actor
    key: str
    parts: Sequence[CompletedPart]


class CompleteMultipartUploadHandler:
    """Assemble the parts a client sent (S3 multipart uploads only)."""

    def __init__(self, *, persistence: Persistence, blob_store: BlobStore, clock: Clock) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._clock = clock

    async def __call__(self, command: CompleteMultipartUpload) -> None:
        authorize(command.actor, Capability.UPLOAD)
        upload = await open_upload_of(
            self._persistence, command.actor, command.key, at=self._clock.now()
        )
        if upload.multipart_id is None:
            raise UploadNotFoundError("This upload is not a multipart upload.")
        await self._blob_store.complete_multipart(
            key=upload.key, multipart_id=upload.multipart_id, parts=command.parts
        )


class SweepUploadsHandler:
    """Remove uploads never registered once expired: their objects, parts and records."""

    def __init__(
        self, *, persistence: Persistence, blob_store: BlobStore, clock: Clock, batch: int = 200
    ) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._clock = clock
        self._batch = batch

    async def __call__(self) -> int:
        swept = 0
        now = self._clock.now()
        while True:
            async with self._persistence.unit_of_work(read_only=True) as uow:
                expired = await uow.uploads.expired_pending(now, limit=self._batch)
            if not expired:
                return swept
            for upload in expired:
                if upload.multipart_id is not None:
                    await self._blob_store.abort_multipart(
                        key=upload.key, multipart_id=upload.multipart_id
                    )
                await self._blob_store.delete(upload.key)
                async with self._persistence.unit_of_work() as uow:
                    await uow.uploads.delete(upload.studio_id, upload.id)
                    await uow.commit()
                swept += 1
