"""Assets on SQLite: rows, terms (tags and name words), dependency edges, versions, counts.

Every statement is scoped by studio. An asset's tags, words and edges are rewritten with it in
the same transaction, so a list filtered by tag or word never sees a half-saved asset. The
counts of live assets per (type, status) are kept by triggers (migration 0004).
"""

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

import msgspec

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.listing import (
    Filter,
    ListSpec,
    ListStatements,
    Many,
    Statement,
    TermSearch,
    fetch_page,
    invalid_cursor,
    list_statements,
)
from adapters.persistence.sqlite.rows import Row, from_ms, from_ms_or_none, to_ms, to_ms_or_none
from adapters.persistence.sqlite.writes import (
    Conflicts,
    compare_and_set,
    execute_checked,
)
from application.assets.ports import AssetQuery
from domain.assets.errors import (
    AssetNameTakenError,
    AssetNotFoundError,
    AssetVersionNotFoundError,
    VersionNotForwardError,
)
from domain.assets.model import (
    Asset,
    AssetId,
    AssetStatus,
    AssetType,
    AssetVersion,
    name_key,
    name_words,
)
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, Page, PageWindow
from domain.shared.restore import restore

ASSET_COLUMNS = (
    "id, studio_id, owner_id, name, name_key, type, status, description, tags, metadata,"
    " current_version, dependencies, review_note, created_at, updated_at, deleted_at, revision"
)
_ALIASED = ", ".join(f"a.{column.strip()}" for column in ASSET_COLUMNS.split(","))
_PLACEHOLDERS = ", ".join("?" for _ in ASSET_COLUMNS.split(","))
INSERT_ASSET_SQL = f"INSERT INTO assets ({ASSET_COLUMNS}) VALUES ({_PLACEHOLDERS})"
UPDATE_ASSET_SQL = (
    "UPDATE assets SET owner_id = ?, name = ?, name_key = ?, type = ?, status = ?,"
    " description = ?, tags = ?, metadata = ?, current_version = ?, dependencies = ?,"
    " review_note = ?, created_at = ?, updated_at = ?, deleted_at = ?, revision = ?"
    " WHERE studio_id = ? AND id = ? AND revision = ?"
)
ASSET_BY_ID_SQL = f"SELECT {ASSET_COLUMNS} FROM assets WHERE studio_id = ? AND id = ?"
ASSET_EXISTS_SQL = "SELECT 1 FROM assets WHERE studio_id = ? AND id = ?"
DELETE_ASSET_SQL = "DELETE FROM assets WHERE studio_id = ? AND id = ?"
DELETE_TERMS_SQL = "DELETE FROM asset_terms WHERE studio_id = ? AND asset_id = ?"
INSERT_TERM_SQL = "INSERT INTO asset_terms (studio_id, kind, term, asset_id) VALUES (?, ?, ?, ?)"
DELETE_EDGES_SQL = "DELETE FROM asset_edges WHERE studio_id = ? AND asset_id = ?"
INSERT_EDGE_SQL = "INSERT INTO asset_edges (studio_id, asset_id, depends_on) VALUES (?, ?, ?)"
DEPENDENTS_SQL = (
    f"SELECT {_ALIASED} FROM asset_edges e CROSS JOIN assets a ON a.id = e.asset_id"
    " WHERE e.studio_id = ? AND e.depends_on = ? AND e.asset_id > ?"
    " AND a.studio_id = ? AND a.deleted_at IS NULL ORDER BY e.asset_id LIMIT ?"
)

VERSION_COLUMNS = (
    "studio_id, asset_id, number, storage_key, size, sha256, content_type, author_id, note,"
    " created_at"
)
INSERT_VERSION_SQL = (
    f"INSERT INTO asset_versions ({VERSION_COLUMNS}) VALUES ({', '.join('?' * 10)})"
)
VERSION_SQL = (
    f"SELECT {VERSION_COLUMNS} FROM asset_versions"
    " WHERE studio_id = ? AND asset_id = ? AND number = ?"
)
VERSIONS_OF_SQL = (
    f"SELECT {VERSION_COLUMNS} FROM asset_versions WHERE studio_id = ? AND asset_id = ?"
    " ORDER BY number DESC"
)
DELETE_VERSIONS_SQL = "DELETE FROM asset_versions WHERE studio_id = ? AND asset_id = ?"
COUNT_VERSIONS_SQL = "SELECT count(*) FROM asset_versions WHERE studio_id = ? AND asset_id = ?"

# The API's sort names and the columns behind them; each column's place in a row and the type
# of its keyset value.
ASSET_SORT_COLUMNS = {
    "name": "a.name_key",
    "createdAt": "a.created_at",
    "updatedAt": "a.updated_at",
    "type": "a.type",
    "status": "a.status",
}
ASSET_LIST = ListSpec(
    table="assets a",
    columns=_ALIASED,
    sort_columns={
        "a.id": (0, str),
        "a.name_key": (4, str),
        "a.type": (5, str),
        "a.status": (6, str),
        "a.created_at": (13, int),
        "a.updated_at": (14, int),
    },
)
_CONFLICTS: Conflicts = {("studio_id", "name_key"): AssetNameTakenError}
_VERSION_CONFLICTS: Conflicts = {("studio_id", "asset_id", "number"): VersionNotForwardError}
_TYPES = {member.value: member for member in AssetType}
_STATUSES = {member.value: member for member in AssetStatus}
_TAG, _WORD = "tag", "word"
_decode_list = msgspec.json.Decoder(list[str]).decode
_decode_map = msgspec.json.Decoder(dict[str, str]).decode
_encode = msgspec.json.encode


def asset_to_row(asset: Asset) -> Row:
    return (
        asset.id,
        asset.studio_id,
        asset.owner_id,
        asset.name,
        name_key(asset.name),
        asset.type.value,
        asset.status.value,
        asset.description,
        _encode(list(asset.tags)).decode(),
        _encode(dict(asset.metadata)).decode(),
        asset.current_version,
        _encode(list(asset.dependencies)).decode(),
        asset.review_note,
        to_ms(asset.created_at),
        to_ms(asset.updated_at),
        to_ms_or_none(asset.deleted_at),
        asset.revision,
    )


def asset_from_row(row: Row) -> Asset:
    # The row was a valid Asset when it was written: restored without re-checking (the checks
    # and the frozen dataclass's per-field setattr were a quarter of a list's time).
    return restore(
        Asset,
        row[0],  # id
        row[1],  # studio_id
        row[2],  # owner_id
        row[3],  # name
        _TYPES[row[5]],  # type
        _STATUSES[row[6]],  # status
        row[7],  # description
        tuple(_decode_list(row[8])),  # tags
        _decode_map(row[9]),  # metadata
        row[10],  # current_version
        tuple(_decode_list(row[11])),  # dependencies
        row[12],  # review_note
        from_ms(row[13]),  # created_at
        from_ms(row[14]),  # updated_at
        from_ms_or_none(row[15]),  # deleted_at
        row[16],  # revision
    )


def version_to_row(version: AssetVersion) -> Row:
    return (
        version.studio_id,
        version.asset_id,
        version.number,
        version.storage_key,
        version.size,
        version.sha256,
        version.content_type,
        version.author_id,
        version.note,
        to_ms(version.created_at),
    )


def version_from_row(row: Row) -> AssetVersion:
    return AssetVersion(
        studio_id=row[0],
        asset_id=row[1],
        number=row[2],
        storage_key=row[3],
        size=row[4],
        sha256=row[5],
        content_type=row[6],
        author_id=UserId(row[7]),
        note=row[8],
        created_at=from_ms(row[9]),
    )


ASSET_TERMS = TermSearch(terms="asset_terms", key="asset_id", table="assets", alias="a")


def asset_list_statements(studio_id: StudioId, query: AssetQuery) -> ListStatements:
    """The statements ``SqliteAssetRepository.list`` runs for this query."""
    source, word_filters = ASSET_TERMS.filters(studio_id, query.tag, query.words)
    filters: list[Filter] = [("a.studio_id = ?", studio_id), ("a.deleted_at IS NULL", Many())]
    if query.type is not None:
        filters.append(("a.type = ?", query.type.value))
    if query.status is not None:
        filters.append(("a.status = ?", query.status.value))
    if query.owner_id is not None:
        filters.append(("a.owner_id = ?", query.owner_id))
    filters += word_filters
    sort_column = ASSET_SORT_COLUMNS[query.sort.field]
    fixed = {"type": query.type, "status": query.status}.get(query.sort.field)
    if fixed is not None:
        # A filter fixes the sort field (type=prop, sorted by type): the order is the ids'.
        # Saying so lets the index (studio_id, type, id) read in order, keyset pages included.
        sort_column = "a.id"
    statements = list_statements(
        ASSET_LIST,
        filters,
        sort_column=sort_column,
        descending=query.sort.direction is Direction.DESC,
        window=query.window,
        source=source,
    )
    if fixed is not None:
        # Keys keep the convention (sort value, id) even though only the id orders the list.
        index, _ = ASSET_LIST.sort_columns[ASSET_SORT_COLUMNS[query.sort.field]]
        statements = ListStatements(statements.select, statements.count, statements.window, index)
    if query.tag is None and not query.words and query.owner_id is None:
        # Only type and status (or nothing): the maintained counters answer the total.
        conditions = ["studio_id = ?"]
        params: list[Any] = [studio_id]
        if query.type is not None:
            conditions.append("type = ?")
            params.append(query.type.value)
        if query.status is not None:
            conditions.append("status = ?")
            params.append(query.status.value)
        count = Statement(
            f"SELECT coalesce(sum(live), 0) FROM asset_counts WHERE {' AND '.join(conditions)}",
            tuple(params),
        )
        statements = statements.counting_with(count)
    return statements.read_in_bounds(_bounded(query))


# Page mode beyond this many skipped rows reads on a reader thread (an OFFSET walks its rows).
MAX_OFFSET_NOW = 1_000


def _bounded(query: AssetQuery) -> bool:
    """Whether the list is a few index seeks: at most one of type/status/owner (one of the
    partial indexes holds exactly its rows, in order), no tag or words (their matches are
    sorted), and a keyset window, or a near page counted by the maintained counters."""
    if query.tag is not None or query.words:
        return False
    filters = (query.type, query.status, query.owner_id)
    if sum(value is not None for value in filters) > 1:
        return False
    window = query.window
    if isinstance(window, KeysetWindow):
        return True
    return query.owner_id is None and window.offset <= MAX_OFFSET_NOW


class SqliteAssetRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, asset: Asset) -> None:
        await self._channel.write(partial(_add, asset))

    async def get(
        self, studio_id: StudioId, asset_id: AssetId, *, include_deleted: bool = False
    ) -> Asset:
        row = await self._channel.read_now(
            partial(_fetch_one, ASSET_BY_ID_SQL, (studio_id, asset_id))
        )
        if row is None or (row[15] is not None and not include_deleted):
            raise AssetNotFoundError()
        return asset_from_row(row)

    async def save(self, asset: Asset, *, expected_revision: int) -> Asset:
        saved = replace(asset, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, expected_revision))
        return saved

    async def purge(self, studio_id: StudioId, asset_id: AssetId) -> list[AssetVersion]:
        return await self._channel.write(partial(_purge, studio_id, asset_id))

    async def existing(self, studio_id: StudioId, asset_ids: Iterable[AssetId]) -> set[AssetId]:
        wanted = list(dict.fromkeys(asset_ids))
        if not wanted:
            return set()
        return await self._channel.read(partial(_existing, studio_id, wanted))

    async def dependencies_of(
        self, studio_id: StudioId, asset_ids: Iterable[AssetId]
    ) -> Mapping[AssetId, tuple[AssetId, ...]]:
        wanted = list(dict.fromkeys(asset_ids))
        if not wanted:
            return {}
        return await self._channel.read(partial(_dependencies_of, studio_id, wanted))

    async def dependents(
        self, studio_id: StudioId, asset_id: AssetId, window: KeysetWindow
    ) -> Page[Asset]:
        after = window.after[1] if window.after is not None else ""
        params = (studio_id, asset_id, after, studio_id, window.limit + 1)
        rows = await self._channel.read(partial(_fetch_all, DEPENDENTS_SQL, params))
        more = len(rows) > window.limit
        items = tuple(asset_from_row(row) for row in rows[: window.limit])
        next_after = ("", items[-1].id) if more else None
        return Page(items, window.limit, next_after=next_after)

    async def add_version(self, version: AssetVersion) -> None:
        await self._channel.write(partial(_add_version, version_to_row(version)))

    async def versions(
        self, studio_id: StudioId, asset_id: AssetId, window: PageWindow | KeysetWindow
    ) -> Page[AssetVersion]:
        return await self._channel.read(partial(_versions, studio_id, asset_id, window))

    async def get_version(
        self, studio_id: StudioId, asset_id: AssetId, number: int
    ) -> AssetVersion:
        row = await self._channel.read_now(
            partial(_fetch_one, VERSION_SQL, (studio_id, asset_id, number))
        )
        if row is None:
            raise AssetVersionNotFoundError()
        return version_from_row(row)

    # Last in the class: a method named ``list`` shadows the builtin for what follows.
    async def list(self, studio_id: StudioId, query: AssetQuery) -> Page[Asset]:
        statements = asset_list_statements(studio_id, query)
        read = self._channel.read_now if statements.bounded else self._channel.read
        return await read(partial(fetch_page, statements=statements, to_entity=asset_from_row))


def _fetch_one(sql: str, params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(sql, params).fetchone()
    return row


def _fetch_all(sql: str, params: Row, connection: sqlite3.Connection) -> list[Row]:
    return connection.execute(sql, params).fetchall()


def _write_links(asset: Asset, connection: sqlite3.Connection) -> None:
    """The asset's terms and edges, as they are now (called after its row is written)."""
    key = (asset.studio_id, asset.id)
    connection.execute(DELETE_TERMS_SQL, key)
    terms = [(asset.studio_id, _TAG, tag, asset.id) for tag in asset.tags]
    terms += [(asset.studio_id, _WORD, word, asset.id) for word in name_words(asset.name)]
    connection.executemany(INSERT_TERM_SQL, terms)
    connection.execute(DELETE_EDGES_SQL, key)
    connection.executemany(
        INSERT_EDGE_SQL, [(asset.studio_id, asset.id, other) for other in asset.dependencies]
    )


def _add(asset: Asset, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_ASSET_SQL, asset_to_row(asset), _CONFLICTS)
    _write_links(asset, connection)


def _save(asset: Asset, expected_revision: int, connection: sqlite3.Connection) -> None:
    asset_id, studio_id, *values = asset_to_row(asset)
    compare_and_set(
        connection,
        UPDATE_ASSET_SQL,
        (*values, studio_id, asset_id, expected_revision),
        exists_sql=ASSET_EXISTS_SQL,
        key=(studio_id, asset_id),
        not_found=AssetNotFoundError,
        conflicts=_CONFLICTS,
    )
    _write_links(asset, connection)


def _purge(
    studio_id: StudioId, asset_id: AssetId, connection: sqlite3.Connection
) -> list[AssetVersion]:
    key = (studio_id, asset_id)
    if connection.execute(DELETE_ASSET_SQL, key).rowcount == 0:
        raise AssetNotFoundError()
    versions = [version_from_row(row) for row in connection.execute(VERSIONS_OF_SQL, key)]
    connection.execute(DELETE_VERSIONS_SQL, key)
    connection.execute(DELETE_TERMS_SQL, key)
    connection.execute(DELETE_EDGES_SQL, key)
    return versions


def _in_list(count: int) -> str:
    return ", ".join("?" * count)


def _existing(
    studio_id: StudioId, wanted: list[AssetId], connection: sqlite3.Connection
) -> set[AssetId]:
    found: set[AssetId] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = (
            "SELECT id FROM assets WHERE studio_id = ? AND deleted_at IS NULL"
            f" AND id IN ({_in_list(len(chunk))})"
        )
        found.update(row[0] for row in connection.execute(sql, (studio_id, *chunk)))
    return found


def _dependencies_of(
    studio_id: StudioId, wanted: list[AssetId], connection: sqlite3.Connection
) -> dict[AssetId, tuple[AssetId, ...]]:
    found: dict[AssetId, tuple[AssetId, ...]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = (
            f"SELECT id, dependencies FROM assets WHERE studio_id = ?"
            f" AND id IN ({_in_list(len(chunk))})"
        )
        for asset_id, dependencies in connection.execute(sql, (studio_id, *chunk)):
            found[asset_id] = tuple(_decode_list(dependencies))
    return found


def _add_version(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_VERSION_SQL, row, _VERSION_CONFLICTS)


def _versions(
    studio_id: StudioId,
    asset_id: AssetId,
    window: PageWindow | KeysetWindow,
    connection: sqlite3.Connection,
) -> Page[AssetVersion]:
    key = (studio_id, asset_id)
    if isinstance(window, PageWindow):
        rows = connection.execute(
            f"{VERSIONS_OF_SQL} LIMIT ? OFFSET ?", (*key, window.limit, window.offset)
        ).fetchall()
        total = connection.execute(COUNT_VERSIONS_SQL, key).fetchone()[0]
        items = tuple(map(version_from_row, rows))
        return Page(items, window.limit, page=window.page, total=total)
    before = window.after[0] if window.after is not None else None
    if before is not None and (not isinstance(before, int) or isinstance(before, bool)):
        raise invalid_cursor()
    sql = (
        f"SELECT {VERSION_COLUMNS} FROM asset_versions WHERE studio_id = ? AND asset_id = ?"
        " AND number < ? ORDER BY number DESC LIMIT ?"
    )
    upper = before if before is not None else 2**62
    rows = connection.execute(sql, (*key, upper, window.limit + 1)).fetchall()
    more = len(rows) > window.limit
    items = tuple(map(version_from_row, rows[: window.limit]))
    next_after = (items[-1].number, asset_id) if more else None
    return Page(items, window.limit, next_after=next_after)
