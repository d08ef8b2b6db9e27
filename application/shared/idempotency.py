"""Idempotency records: the first answer to a request sent with an ``Idempotency-Key``."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.shared.errors import ConflictError, InvalidInputError
from domain.shared.ids import StudioId


class IdempotencyKeyInUseError(ConflictError):
    code = "idempotency_key_in_use"
    default_message = "A request with this Idempotency-Key was already recorded."


class IdempotencyKeyReusedError(InvalidInputError):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used with another request body."


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyRecord:
    studio_id: StudioId
    scope: str  # who sent it (a user id): keys are per caller, never shared
    key: str
    fingerprint: str  # a hash of the request, to refuse the same key with another body
    response: bytes  # the first answer, serialized by whoever replays it
    created_at: datetime
    expires_at: datetime


class IdempotencyStore(Protocol):
    async def get(
        self, studio_id: StudioId, scope: str, key: str, *, at: datetime
    ) -> IdempotencyRecord | None:
        """The record for this key live at ``at``, or None (an expired record counts as none)."""
        ...

    async def put(self, record: IdempotencyRecord, *, at: datetime) -> None:
        """Store ``record``, replacing one expired at ``at``.

        Raises ``IdempotencyKeyInUseError`` when a live record holds the key.
        """
        ...

    async def delete_expired(self, studio_id: StudioId, before: datetime) -> int: ...
