"""``SessionRepository`` on the ``sessions`` collection: refresh-token families."""

from dataclasses import replace
from datetime import datetime

from adapters.persistence.mongo.identity.mapping import (
    session_from_doc,
    session_to_doc,
    without_id,
)
from adapters.persistence.mongo.indexes import SESSIONS
from adapters.persistence.mongo.shared.codec import lookup_uuid, to_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from domain.identity.errors import SessionNotFoundError
from domain.identity.model import RefreshSession
from domain.shared.ids import SessionId, StudioId, UserId


class MongoSessionRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._sessions = context.collection(SESSIONS)

    async def add(self, session: RefreshSession) -> None:
        with self._context.writing(SESSIONS):
            await self._sessions.insert_one(session_to_doc(session), session=self._context.session)

    async def get(self, studio_id: StudioId, session_id: SessionId) -> RefreshSession:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(session_id)
        doc = None
        if tenant is not None and key is not None:
            doc = await self._sessions.find_one(
                {"studio_id": tenant, "_id": key}, session=self._context.session
            )
        if doc is None:
            raise SessionNotFoundError(details={"session_id": session_id})
        return session_from_doc(doc)

    async def save(self, session: RefreshSession, *, expected_revision: int) -> RefreshSession:
        """Compare-and-set on the revision: of two rotations from one revision, one wins.

        The loser sees ``StaleRevisionError``: no document matched its revision, or (two
        transactions at once) MongoDB reported a write conflict, which becomes the same error.
        """
        saved = replace(session, revision=expected_revision + 1)
        await self._context.compare_and_set(
            SESSIONS,
            {"studio_id": to_uuid(session.studio_id), "_id": to_uuid(session.id)},
            without_id(session_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=SessionNotFoundError(details={"session_id": session.id}),
        )
        return saved

    async def revoke_all_for_user(self, studio_id: StudioId, user_id: UserId, at: datetime) -> int:
        tenant, user = lookup_uuid(studio_id), lookup_uuid(user_id)
        if tenant is None or user is None:
            return 0
        # The revision moves too, so a rotation racing this revocation fails its compare-and-set.
        with self._context.writing(SESSIONS):
            result = await self._sessions.update_many(
                {"studio_id": tenant, "user_id": user, "revoked_at": None},
                {"$set": {"revoked_at": at}, "$inc": {"revision": 1}},
                session=self._context.session,
            )
        return result.modified_count

    async def delete_expired(self, studio_id: StudioId, before: datetime) -> int:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return 0
        with self._context.writing(SESSIONS):
            result = await self._sessions.delete_many(
                {"studio_id": tenant, "expires_at": {"$lt": before}},
                session=self._context.session,
            )
        return result.deleted_count
