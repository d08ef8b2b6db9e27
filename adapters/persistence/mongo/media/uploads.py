"""``UploadRepository`` on the ``uploads`` collection: one per key within a studio."""

from dataclasses import replace
from datetime import datetime

from adapters.persistence.mongo.identity.mapping import without_id
from adapters.persistence.mongo.indexes import UPLOAD_KEY_UNIQUE, UPLOADS
from adapters.persistence.mongo.media.mapping import upload_from_doc, upload_to_doc
from adapters.persistence.mongo.shared.codec import lookup_uuid, to_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import sort_order
from domain.media.errors import UploadNotFoundError
from domain.media.model import Upload, UploadId, UploadStatus
from domain.shared.errors import ConflictError
from domain.shared.ids import StudioId
from domain.shared.paging import Direction


def upload_key_taken_error() -> ConflictError:
    return ConflictError("An upload with this key already exists.", code="duplicate_key")


_UNIQUE = {UPLOAD_KEY_UNIQUE: upload_key_taken_error}


class MongoUploadRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._uploads = context.collection(UPLOADS)

    async def add(self, upload: Upload) -> None:
        with self._context.writing(UPLOADS, _UNIQUE):
            await self._uploads.insert_one(upload_to_doc(upload), session=self._context.session)

    async def get_by_key(self, studio_id: StudioId, key: str) -> Upload | None:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return None
        doc = await self._uploads.find_one(
            {"studio_id": tenant, "key": key}, session=self._context.session
        )
        return None if doc is None else upload_from_doc(doc)

    async def save(self, upload: Upload, *, expected_revision: int) -> Upload:
        """Compare-and-set on the revision: of two registrations of one upload, one wins."""
        saved = replace(upload, revision=expected_revision + 1)
        await self._context.compare_and_set(
            UPLOADS,
            {"studio_id": to_uuid(upload.studio_id), "_id": to_uuid(upload.id)},
            without_id(upload_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=UploadNotFoundError(details={"upload_id": upload.id}),
            unique=_UNIQUE,
        )
        return saved

    async def expired_pending(self, before: datetime, *, limit: int) -> list[Upload]:
        """Any studio's (the sweep's documented exception), oldest first, on the sweep index."""
        cursor = self._uploads.find(
            {"status": UploadStatus.PENDING.value, "expires_at": {"$lt": before}},
            session=self._context.session,
        )
        docs = await cursor.sort(sort_order("expires_at", Direction.ASC)).limit(limit).to_list()
        return [upload_from_doc(doc) for doc in docs]

    async def delete(self, studio_id: StudioId, upload_id: UploadId) -> None:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(upload_id)
        if tenant is None or key is None:
            return
        with self._context.writing(UPLOADS):
            await self._uploads.delete_one(
                {"studio_id": tenant, "_id": key}, session=self._context.session
            )
