"""Values between the domain and BSON: ids as native UUIDs, instants as epoch milliseconds.

The client is created with ``uuidRepresentation="standard"``, so a ``uuid.UUID`` is stored as
BSON binary subtype 4 (16 bytes, not 36 characters of text), and ``tz_aware=True, tzinfo=UTC``,
so dates come back as aware UTC datetimes. BSON dates keep milliseconds, as the domain does.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

Document = dict[str, Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def to_uuid(text: str) -> uuid.UUID:
    """An id of an entity being written: it was made by us, so a malformed one is a bug."""
    return uuid.UUID(text)


def lookup_uuid(text: str) -> uuid.UUID | None:
    """An id a caller asks about: a malformed one names nothing (not found, not a crash)."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return None


def from_uuid(value: uuid.UUID) -> str:
    """The canonical (lowercase, hyphenated) text the domain uses for ids."""
    return str(value)


def to_principal(text: str) -> uuid.UUID | str:
    """Who acted or owns: a user's id as a native UUID; a service identity of an internal tool
    (``service:asset-import``, see ``Actor.for_service``) as its text."""
    return lookup_uuid(text) or text


def from_principal(value: uuid.UUID | str) -> str:
    return str(value)


def optional_principal(text: str | None) -> uuid.UUID | str | None:
    return None if text is None else to_principal(text)


def optional_uuid(text: str | None) -> uuid.UUID | None:
    return None if text is None else to_uuid(text)


def optional_text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def epoch_ms(instant: datetime) -> int:
    """Integer milliseconds since 1970, exact (no float rounding): the keyset key of a time."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return (instant - _EPOCH) // _MILLISECOND


def from_epoch_ms(value: int) -> datetime:
    return _EPOCH + value * _MILLISECOND


def utc(instant: datetime) -> datetime:
    """BSON dates are UTC; normalise the tzinfo object so values compare and print alike."""
    return instant.astimezone(UTC)


def optional_utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else utc(instant)
