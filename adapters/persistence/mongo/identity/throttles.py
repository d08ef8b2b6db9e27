"""``LoginThrottleRepository`` on the ``login_throttles`` collection (one per studio and email)."""

from adapters.persistence.mongo.indexes import LOGIN_THROTTLES
from adapters.persistence.mongo.shared.codec import Document, from_uuid, lookup_uuid, to_uuid, utc
from adapters.persistence.mongo.shared.context import MongoContext
from domain.identity.throttle import LoginThrottle
from domain.shared.ids import StudioId


def throttle_to_doc(throttle: LoginThrottle) -> Document:
    return {
        "studio_id": to_uuid(throttle.studio_id),
        "subject": throttle.subject,
        "failures": throttle.failures,
        "blocked_until": throttle.blocked_until,
        "last_failure_at": throttle.last_failure_at,
    }


def throttle_from_doc(doc: Document) -> LoginThrottle:
    blocked, last = doc.get("blocked_until"), doc.get("last_failure_at")
    return LoginThrottle(
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        subject=doc["subject"],
        failures=doc["failures"],
        blocked_until=None if blocked is None else utc(blocked),
        last_failure_at=None if last is None else utc(last),
    )


class MongoLoginThrottleRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._throttles = context.collection(LOGIN_THROTTLES)

    async def get(self, studio_id: StudioId, subject: str) -> LoginThrottle | None:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return None
        doc = await self._throttles.find_one(
            {"studio_id": tenant, "subject": subject}, session=self._context.session
        )
        return None if doc is None else throttle_from_doc(doc)

    async def put(self, throttle: LoginThrottle) -> None:
        doc = throttle_to_doc(throttle)
        key = {"studio_id": doc["studio_id"], "subject": throttle.subject}
        with self._context.writing(LOGIN_THROTTLES):
            await self._throttles.replace_one(key, doc, upsert=True, session=self._context.session)

    async def delete(self, studio_id: StudioId, subject: str) -> None:
        tenant = lookup_uuid(studio_id)
        if tenant is None:
            return
        with self._context.writing(LOGIN_THROTTLES):
            await self._throttles.delete_one(
                {"studio_id": tenant, "subject": subject}, session=self._context.session
            )
