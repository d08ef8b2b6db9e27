"""Idempotent creation: the first answer to an ``Idempotency-Key``, recorded in the
transaction of the create and answered again to a repeat.

Every creating use case (assets, series, episodes) goes through ``IdempotentCreates.create``:
the same key with the same content answers the first result again (even when the requests
race), the same key with other content is ``idempotency_key_reused``. Records live 24 hours.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from application.shared.idempotency import (
    IdempotencyKeyInUseError,
    IdempotencyKeyReusedError,
    IdempotencyRecord,
)
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.identity.access import Actor
from domain.shared.errors import StaleRevisionError

IDEMPOTENCY_TTL = timedelta(hours=24)


def fingerprint(content: Mapping[str, object]) -> str:
    """A hash of what a create asks for: the same key with other content is refused."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class IdempotentCreates:
    def __init__(self, persistence: Persistence, clock: Clock) -> None:
        self._persistence = persistence
        self._clock = clock

    async def create[T](
        self,
        actor: Actor,
        key: str | None,
        content: Mapping[str, object],
        *,
        build: Callable[[UnitOfWork], Awaitable[T]],
        store: Callable[[UnitOfWork, T], Awaitable[None]],
        snapshot: Callable[[T], bytes],
        restore: Callable[[bytes], T],
        races: tuple[type[Exception], ...] = (),
        at: datetime,
    ) -> tuple[T, bool]:
        """``build`` the item in a unit of work, claim ``key`` with its snapshot, ``store`` it,
        commit; answer it and whether it is a replay of the first answer. ``races`` are the
        errors a concurrent request with the same key makes this one fail with (a unique
        name, number...): after one, the first answer is looked for before giving up."""
        content_hash = fingerprint(content)
        lost_races: tuple[type[Exception], ...] = (
            IdempotencyKeyInUseError,
            StaleRevisionError,
            *races,
        )
        if key is not None and (first := await self._first_answer(actor, key, content_hash)):
            return restore(first), True
        try:
            async with self._persistence.unit_of_work() as uow:
                made = await build(uow)
                if key is not None:
                    # The key is claimed first: of racing requests, one holds it, the others
                    # fail here (or at commit) and answer with what it recorded.
                    await uow.idempotency.put(
                        IdempotencyRecord(
                            studio_id=actor.studio_id,
                            scope=actor.user_id,
                            key=key,
                            fingerprint=content_hash,
                            response=snapshot(made),
                            created_at=at,
                            expires_at=at + IDEMPOTENCY_TTL,
                        ),
                        at=at,
                    )
                await store(uow, made)
                await uow.commit()
        except lost_races:
            # A concurrent request with the same key may have won the race: answer as it did.
            if key is not None and (first := await self._first_answer(actor, key, content_hash)):
                return restore(first), True
            raise
        return made, False

    async def _first_answer(self, actor: Actor, key: str, content_hash: str) -> bytes | None:
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
