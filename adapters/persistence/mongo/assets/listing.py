"""An asset list as one MongoDB ``find``: its filter, its sort and the keyset condition.

Built by a pure function from the query, so the tests explain exactly what the repository runs.
Every list asks for live assets (``deleted: false``) of one studio; each equality filter and
sort has its index (``indexes.ASSET_LIST_FILTERS`` x ``ASSET_LIST_SORTS``).
"""

import re
import uuid
from dataclasses import dataclass

from adapters.persistence.mongo.shared.codec import (
    Document,
    to_principal,
)
from adapters.persistence.mongo.shared.keyset import (
    SortOrder,
    after_filter,
    key_id,
    sort_order,
    stored_value,
)
from application.assets.ports import AssetQuery
from domain.shared.paging import KeysetWindow

# API sort names to document fields: ``name`` sorts by the case-folded name.
SORT_FIELDS = {
    "name": "name_key",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "type": "type",
    "status": "status",
}
INSTANTS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True, slots=True)
class AssetFind:
    match: Document
    order: SortOrder
    field: str  # the document field sorted by, first


def asset_list_find(tenant: uuid.UUID, query: AssetQuery) -> AssetFind | None:
    """The find for ``query`` in one studio; None when nothing can match (a malformed owner).

    A keyset window's ``after`` becomes part of the filter; a key of the wrong shape for the
    sort is ``invalid_cursor``.
    """
    field = SORT_FIELDS[query.sort.field]
    match: Document = {"studio_id": tenant, "deleted": False}
    window = query.window
    if isinstance(window, KeysetWindow) and window.after is not None:
        value = stored_value(field, window.after, instants=INSTANTS)
        match |= after_filter(field, value, key_id(window.after), query.sort.direction)
    if query.type is not None:
        match["type"] = query.type.value
    if query.status is not None:
        match["status"] = query.status.value
    if query.tag is not None:
        match["tags"] = query.tag  # an array: equal to one of its elements
    if query.owner_id is not None:
        match["owner_id"] = to_principal(query.owner_id)
    if query.words:
        # Each word begins a word of the name: an anchored prefix regex on the words array,
        # which a multikey index reads as a range. (mongoeco matches no document for regexes
        # inside ``$all``, so it is one ``$and`` clause per word.)
        match["$and"] = [{"words": {"$regex": f"^{re.escape(word)}"}} for word in query.words]
    return AssetFind(match, sort_order(field, query.sort.direction), field)
