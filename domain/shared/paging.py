"""The query vocabulary every list shares: pages, keyset windows, sorts and their results.

Two ways to walk a list:

- **page mode** (``PageWindow``): ``page`` and ``limit``, with a total; for screens. Capped at
  ``page * limit <= 10,000`` because deep offsets cost a scan each.
- **keyset mode** (``KeysetWindow``): "the ``limit`` items after this one"; for deep scans.
  Stable under concurrent inserts: existing items are never skipped or repeated.

Adapters see sort keys as plain values; callers see them as opaque, signed cursors
(``CursorCodec``), so a client cannot forge a position or reuse one on another query.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.shared.errors import InvalidInputError

MAX_LIMIT = 100
MAX_PAGE_DEPTH = 10_000
DEFAULT_LIMIT = 20

# A position in a sorted list: the sort field's value (text or whole number) and the id.
SortKey = tuple[str | int, str]


class Direction(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class SortSpec:
    """``field`` is the API's name for the sort field (``createdAt``); adapters map it."""

    field: str
    direction: Direction = Direction.ASC

    def __str__(self) -> str:
        return f"{self.field}:{self.direction}"


def parse_sort(text: str | None, *, allowed: Sequence[str], default: SortSpec) -> SortSpec:
    """Read ``field`` or ``field:asc|desc``; fields outside ``allowed`` are ``sort_not_allowed``."""
    if not text:
        return default
    field, _, direction = text.partition(":")
    if field not in allowed:
        raise InvalidInputError(
            f"Cannot sort by {field!r}.",
            code="sort_not_allowed",
            details={"allowed": list(allowed)},
        )
    try:
        return SortSpec(field, Direction(direction or "asc"))
    except ValueError:
        raise InvalidInputError(
            f"Sort direction must be asc or desc, not {direction!r}.", code="sort_not_allowed"
        ) from None


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(
            f"limit must be between 1 and {MAX_LIMIT}.", code="limit_out_of_range"
        )


@dataclass(frozen=True, slots=True)
class PageWindow:
    page: int = 1
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        _check_limit(self.limit)
        if self.page < 1:
            raise InvalidInputError("page starts at 1.", code="page_out_of_range")
        if self.page * self.limit > MAX_PAGE_DEPTH:
            raise InvalidInputError(
                f"page x limit may not exceed {MAX_PAGE_DEPTH}; use a cursor to go deeper.",
                code="page_out_of_range",
            )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True, slots=True)
class KeysetWindow:
    """The ``limit`` items strictly after ``after`` (from the start when ``None``)."""

    after: SortKey | None = None
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        _check_limit(self.limit)


Window = PageWindow | KeysetWindow


@dataclass(frozen=True, slots=True)
class Page[T]:
    """One window of a list. ``total`` in page mode; ``next_after`` in keyset mode (None at end)."""

    items: tuple[T, ...]
    limit: int
    page: int | None = None
    total: int | None = None
    next_after: SortKey | None = None

    @property
    def total_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.limit))


class CursorCodec:
    """Turns sort keys into opaque, signed cursors bound to one query, and back.

    ``query`` is any text that identifies the list and its filters and sort (for example
    ``"users?role=artist&sort=name:asc"``); a cursor made for one query is refused on another.
    """

    _VERSION = 1

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the cursor secret must be at least 32 bytes")
        self._secret = secret

    def encode(self, key: SortKey, *, query: str) -> str:
        payload = json.dumps(
            [self._VERSION, self._fingerprint(query), key[0], key[1]], separators=(",", ":")
        ).encode()
        return _b64(payload + self._sign(payload))

    def decode(self, cursor: str, *, query: str) -> SortKey:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise _invalid_cursor() from None
        payload, signature = raw[:-16], raw[-16:]
        if len(raw) <= 16 or not hmac.compare_digest(signature, self._sign(payload)):
            raise _invalid_cursor()
        try:
            version, fingerprint, value, item_id = json.loads(payload)
        except (ValueError, TypeError):
            raise _invalid_cursor() from None
        if version != self._VERSION or fingerprint != self._fingerprint(query):
            raise _invalid_cursor()
        if not isinstance(value, str | int) or not isinstance(item_id, str):
            raise _invalid_cursor()
        return (value, item_id)

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]

    @staticmethod
    def _fingerprint(query: str) -> str:
        return hashlib.sha256(query.encode()).hexdigest()[:16]


def query_identity(name: str, filters: Mapping[str, object], sort: SortSpec) -> str:
    """A stable text naming a list query, for binding cursors to it."""
    parts = "&".join(f"{k}={filters[k]}" for k in sorted(filters) if filters[k] is not None)
    return f"{name}?{parts}&sort={sort}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _invalid_cursor() -> InvalidInputError:
    return InvalidInputError(
        "The cursor is not valid for this list; start again without one.", code="invalid_cursor"
    )
