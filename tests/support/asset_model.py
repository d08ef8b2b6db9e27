"""What an asset list should answer, worked out in memory: the oracle of the asset suites.

Filters mean what ``AssetQuery`` documents (``matches_query`` for words); every sort is by
(sort value, id) in one direction, with instants as epoch milliseconds and names by
``name_key``, in code point order (SQLite's BINARY and MongoDB's default agree on it).
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from application.assets.ports import AssetQuery
from domain.assets.model import Asset, matches_query, name_key
from domain.shared.paging import Direction, SortKey, SortSpec

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(instant: datetime) -> int:
    """Exact whole milliseconds (no float rounding), as keyset keys carry instants."""
    return (instant - _EPOCH) // timedelta(milliseconds=1)


def sort_value(asset: Asset, field: str) -> str | int:
    match field:
        case "name":
            return name_key(asset.name)
        case "createdAt":
            return epoch_ms(asset.created_at)
        case "updatedAt":
            return epoch_ms(asset.updated_at)
        case "type":
            return str(asset.type)
        case "status":
            return str(asset.status)
    raise ValueError(f"no such asset sort: {field}")


def sort_key(asset: Asset, sort: SortSpec) -> SortKey:
    """The keyset position of ``asset`` in a list sorted by ``sort``."""
    return (sort_value(asset, sort.field), asset.id)


def matches(asset: Asset, query: AssetQuery) -> bool:
    return (
        asset.deleted_at is None
        and (query.type is None or asset.type is query.type)
        and (query.status is None or asset.status is query.status)
        and (query.tag is None or query.tag in asset.tags)
        and (query.owner_id is None or asset.owner_id == query.owner_id)
        and matches_query(asset.name, query.words)
    )


def expected_list(assets: Iterable[Asset], query: AssetQuery) -> list[Asset]:
    """Every asset of one studio that ``query`` matches, in its order (the window ignored)."""
    return sorted(
        (asset for asset in assets if matches(asset, query)),
        key=lambda asset: sort_key(asset, query.sort),
        reverse=query.sort.direction is Direction.DESC,
    )
