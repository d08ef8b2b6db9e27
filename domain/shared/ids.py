"""Identifiers. Every id is the canonical text of a UUID; ids are made outside the domain."""

import re
import uuid
from typing import NewType

from domain.shared.errors import InvalidInputError

StudioId = NewType("StudioId", str)
UserId = NewType("UserId", str)
SessionId = NewType("SessionId", str)
AuditEventId = NewType("AuditEventId", str)


_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_id(text: str) -> str:
    """The canonical form of an id given by a caller; a malformed id is ``invalid_id``."""
    if type(text) is str and _CANONICAL.fullmatch(text):
        return text  # already what str(UUID) writes: the common case, without the objects
    try:
        return str(uuid.UUID(text))
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a valid id.", code="invalid_id") from None
