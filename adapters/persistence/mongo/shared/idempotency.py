"""``IdempotencyStore`` on the ``idempotency_records`` collection.

One record per (studio, scope, key), enforced by a unique index. Whether a record is live is
decided by the ``at`` the caller passes, never by the server's clock (see ``indexes``).
"""

from datetime import datetime

from adapters.persistence.mongo.indexes import IDEMPOTENCY_KEY_UNIQUE, IDEMPOTENCY_RECORDS
from adapters.persistence.mongo.shared.codec import Document, from_uuid, lookup_uuid, to_uuid, utc
from adapters.persistence.mongo.shared.context import MongoContext
from application.shared.idempotency import IdempotencyKeyInUseError, IdempotencyRecord
from domain.shared.ids import StudioId


def idempotency_record_to_doc(record: IdempotencyRecord) -> Document:
    # No natural id: MongoDB gives each record an ObjectId; the unique key is the index.
    return {
        "studio_id": to_uuid(record.studio_id),
        "scope": record.scope,
        "key": record.key,
        "fingerprint": record.fingerprint,
        "response": record.response,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
    }


def idempotency_record_from_doc(doc: Document) -> IdempotencyRecord:
    return IdempotencyRecord(
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        scope=doc["scope"],
        key=doc["key"],
        fingerprint=doc["fingerprint"],
        response=bytes(doc["response"]),
        created_at=utc(doc["created_at"]),
        expires_at=utc(doc["expires_at"]),
    )


class MongoIdempotencyStore:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._records = context.collection(IDEMPOTENCY_RECORDS)

    async def get(
        self, studio_id: StudioId, scope: str, key: str, *, at: datetime
    ) -> IdempotencyRecord | None:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return None
        doc = await self._records.find_one(
            {"studio_id": tenant, "scope": scope, "key": key, "expires_at": {"$gt": at}},
            session=self._context.session,
        )
        return None if doc is None else idempotency_record_from_doc(doc)

    async def put(self, record: IdempotencyRecord, *, at: datetime) -> None:
        """Insert, or replace a record expired at ``at``; a live one is ``KeyInUse``.

        The live case is answered from a read first, without sending a write that would fail:
        inside a MongoDB transaction a refused write aborts the whole transaction, and a
        caller may well go on with its unit of work after this error. The writes themselves
        stay atomic: the replace matches only a still-expired record, and the insert is
        guarded by the unique index (a concurrent put surfaces as ``KeyInUse`` either way).
        """
        doc = idempotency_record_to_doc(record)
        unique_key = {"studio_id": doc["studio_id"], "scope": record.scope, "key": record.key}
        session = self._context.session
        existing = await self._records.find_one(unique_key, {"expires_at": 1}, session=session)
        if existing is not None and existing["expires_at"] > at:
            raise IdempotencyKeyInUseError(details={"key": record.key})
        unique = {IDEMPOTENCY_KEY_UNIQUE: IdempotencyKeyInUseError}
        with self._context.writing(IDEMPOTENCY_RECORDS, unique):
            if existing is None:
                await self._records.insert_one(doc, session=session)
                return
            result = await self._records.replace_one(
                {"_id": existing["_id"], "expires_at": {"$lte": at}}, doc, session=session
            )
        if result.matched_count != 1:  # renewed by someone else since the read
            raise IdempotencyKeyInUseError(details={"key": record.key})

    async def delete_expired(self, studio_id: StudioId, before: datetime) -> int:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return 0
        with self._context.writing(IDEMPOTENCY_RECORDS):
            result = await self._records.delete_many(
                {"studio_id": tenant, "expires_at": {"$lt": before}},
                session=self._context.session,
            )
        return result.deleted_count
