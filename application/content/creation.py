"""Idempotent creation of series and episodes: the first answer to an ``Idempotency-Key``,
recorded in the transaction of the create and answered again to a repeat (as assets do)."""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta

from application.assets.catalogue import IdempotencyKeyReusedError
from application.shared.idempotency import IdempotencyRecord
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.identity.access import Actor

IDEMPOTENCY_TTL = timedelta(hours=24)


def fingerprint(content: Mapping[str, object]) -> str:
    """A hash of what a create asks for: the same key with other content is refused."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class IdempotentCreates:
    """Claims keys inside a create's unit of work, and finds the first answer to replay."""

    def __init__(self, persistence: Persistence, clock: Clock) -> None:
        self._persistence = persistence
        self._clock = clock

    async def first_answer(self, actor: Actor, key: str, content_hash: str) -> bytes | None:
        """The recorded answer to ``key`` (None when there is none); another request's key
        is ``idempotency_key_reused``."""
        async with self._persistence.unit_of_work(read_only=True) as uow:
            record = await uow.idempotency.get(
                actor.studio_id, actor.user_id, key, at=self._clock.now()
            )
        if record is None:
            return None
        if record.fingerprint != content_hash:
            raise IdempotencyKeyReusedError()
        return record.response

    async def claim(
        self,
        uow: UnitOfWork,
        actor: Actor,
        key: str,
        content_hash: str,
        response: bytes,
        *,
        at: datetime,
    ) -> None:
        """Record the answer first: of racing requests one holds the key, the others fail
        here (``IdempotencyKeyInUseError``, or at commit) and answer with what it recorded."""
        await uow.idempotency.put(
            IdempotencyRecord(
                studio_id=actor.studio_id,
                scope=actor.user_id,
                key=key,
                fingerprint=content_hash,
                response=response,
                created_at=at,
                expires_at=at + IDEMPOTENCY_TTL,
            ),
            at=at,
        )
