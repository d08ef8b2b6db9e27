"""Registering an uploaded file as a video, and a creator's own videos."""

from dataclasses import dataclass

from application.audit.trail import AuditTrail
from application.media.ports import BlobStore, VideoQuery
from application.media.uploads import open_upload_of
from application.shared.ports import Clock, IdGenerator, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.media.errors import UploadIncompleteError, UploadMismatchError, UploadNotFoundError
from domain.media.model import UploadPurpose, Video
from domain.shared.errors import StaleRevisionError
from domain.shared.paging import KeysetWindow, Page, PageWindow


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterVideo:
    actor: Actor
    key: str
    title: str


class RegisterVideoHandler:
    """Turn a finished upload into a Video (status ``uploaded``), after checking the object.

    The key must belong to a pending upload of the same user and studio; the object must
    exist with exactly the announced size and type. A mismatching object is deleted. Nothing
    is created unless every check passes, and an upload registers once.
    """

    def __init__(
        self,
        *,
        persistence: Persistence,
        blob_store: BlobStore,
        audit: AuditTrail,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._audit = audit
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: RegisterVideo) -> Video:
        actor = command.actor
        authorize(actor, Capability.CREATE_CONTENT)
        now = self._clock.now()
        upload = await open_upload_of(self._persistence, actor, command.key, at=now)
        if upload.purpose is not UploadPurpose.VIDEO:
            raise UploadNotFoundError("This upload was not made for a video.")
        stored = await self._blob_store.stat(upload.key)
        if stored is None:
            raise UploadIncompleteError()
        if stored.size != upload.size or stored.content_type != upload.content_type:
            # Whatever the store let through, a file that is not what was announced goes.
            await self._blob_store.delete(upload.key)
            raise UploadMismatchError(
                details={
                    "expected": {"size": upload.size, "contentType": upload.content_type},
                    "received": {"size": stored.size, "contentType": stored.content_type},
                }
            )
        video = Video(
            id=self._ids.new_id(),
            studio_id=actor.studio_id,
            owner_id=actor.user_id,
            title=command.title.strip(),
            storage_key=upload.key,
            content_type=upload.content_type,
            size=upload.size,
            created_at=now,
            updated_at=now,
        )
        async with self._persistence.unit_of_work() as uow:
            try:
                await uow.uploads.save(upload.completed(), expected_revision=upload.revision)
            except StaleRevisionError:
                raise UploadNotFoundError() from None  # registered by a concurrent request
            await uow.videos.add(video)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="video.created",
                resource_type="video",
                resource_id=video.id,
                at=now,
                details={"size": str(video.size), "contentType": video.content_type},
            )
            await uow.commit()
        return video


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOwnVideos:
    actor: Actor
    window: PageWindow | KeysetWindow


class ListOwnVideosHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListOwnVideos) -> Page[Video]:
        authorize(query.actor, Capability.CREATE_CONTENT)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.videos.list(
                query.actor.studio_id, VideoQuery(owner_id=query.actor.user_id, window=query.window)
            )
