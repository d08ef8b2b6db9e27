"""Sorting and keyset windows as MongoDB filters.

Lists sort by one field then by ``_id``, both in the same direction. "Strictly after
``(value, id)``" is ``field > value OR (field == value AND _id > id)`` ascending (mirrored
descending). Ids are BSON binary subtype 4, which MongoDB compares byte by byte: the same order
as their canonical lowercase hex text, so tie-breaks agree with the SQLite adapter's TEXT ids.
Strings compare as binary (no collation), like SQLite's BINARY.
"""

import uuid
from typing import Any

from adapters.persistence.mongo.shared.codec import Document, epoch_ms, from_epoch_ms, from_uuid
from domain.shared.errors import InvalidInputError
from domain.shared.paging import Direction, KeysetWindow, Page, SortKey, Window

SortOrder = list[tuple[str, int]]


def sort_order(field: str, direction: Direction) -> SortOrder:
    order = 1 if direction is Direction.ASC else -1
    return [(field, order), ("_id", order)]


def after_filter(field: str, value: Any, after_id: uuid.UUID, direction: Direction) -> Document:
    op = "$gt" if direction is Direction.ASC else "$lt"
    return {"$or": [{field: {op: value}}, {field: value, "_id": {op: after_id}}]}


def key_id(key: SortKey) -> uuid.UUID:
    """The id half of a sort key; keys come from signed cursors, but check the shape anyway."""
    try:
        return uuid.UUID(key[1])
    except (ValueError, TypeError, AttributeError):
        raise invalid_key() from None


def stored_value(
    field: str,
    key: SortKey,
    *,
    instants: frozenset[str],
    whole_numbers: frozenset[str] = frozenset(),
) -> Any:
    """The sort key's value as stored: ``instants`` travel as epoch milliseconds (stored as
    dates), ``whole_numbers`` as whole numbers, any other field as its text."""
    value = key[0]
    if field in instants or field in whole_numbers:
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid_key()
        return from_epoch_ms(value) if field in instants else value
    if not isinstance(value, str):
        raise invalid_key()
    return value


def sort_key(field: str, doc: Document, *, instants: frozenset[str]) -> SortKey:
    """The key of the last document of a window, as a cursor carries it."""
    value = doc[field]
    return (epoch_ms(value) if field in instants else value, from_uuid(doc["_id"]))


def empty_page[T](window: Window) -> Page[T]:
    """What a list answers when its studio (or a filter) names no valid id."""
    if isinstance(window, KeysetWindow):
        return Page((), window.limit)
    return Page((), window.limit, page=window.page, total=0)


def invalid_key() -> InvalidInputError:
    return InvalidInputError(
        "The cursor is not valid for this list; start again without one.", code="invalid_cursor"
    )
