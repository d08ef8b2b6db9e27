"""Identifiers. Every id is the canonical text of a UUID; ids are made outside the domain."""

import uuid
from typing import NewType

from domain.shared.errors import InvalidInputError

StudioId = NewType("StudioId", str)
UserId = NewType("UserId", str)
SessionId = NewType("SessionId", str)
AuditEventId = NewType("AuditEventId", str)


def canonical_id(text: str) -> str:
    """The canonical form of an id given by a caller; a malformed id is ``invalid_id``."""
    try:
        return str(uuid.UUID(text))
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a valid id.", code="invalid_id") from None
