"""Sorted, windowed lists: the SQL for page and keyset windows, and the pages they produce.

The statements are built by plain functions so a test can ``EXPLAIN QUERY PLAN`` exactly what
a repository runs. Every list orders by ``(sort column, id)`` in one direction, which an index
``(studio_id, [filter columns,] sort column, id)`` serves without a sort step; a keyset window
is a row-value range on those same columns, so a deep page is an index seek, not a skip.
"""

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.persistence.sqlite.channels import read_snapshot
from adapters.persistence.sqlite.rows import Row
from domain.shared.errors import InvalidInputError
from domain.shared.paging import KeysetWindow, Page, PageWindow, Window

# A condition with its one parameter: ("studio_id = ?", studio_id).
type Filter = tuple[str, Any]


class Many(tuple[Any, ...]):
    """A filter's parameters when it has other than one: ``("deleted_at IS NULL", Many())``."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ListStatements:
    """What one list call runs: the select and, in page mode, the count of all matches."""

    select: Statement
    count: Statement | None
    window: Window
    sort_index: int  # where the sort value sits in a selected row (the id is always first)
    # A few index seeks whatever the data (set by the repository, which knows its indexes):
    # the list may then be read at once on the event loop (``Channel.read_now``).
    bounded: bool = False

    def counting_with(self, count: Statement) -> "ListStatements":
        """The same list with another way to count its matches (a maintained counter)."""
        counting = count if self.count is not None else None
        # Built directly: dataclasses.replace costs a few microseconds on every list.
        return ListStatements(self.select, counting, self.window, self.sort_index, self.bounded)

    def read_in_bounds(self, bounded: bool) -> "ListStatements":
        """The same list, saying whether it is a few index seeks (see ``bounded``)."""
        return ListStatements(self.select, self.count, self.window, self.sort_index, bounded)


@dataclass(frozen=True, slots=True)
class ListSpec:
    """A table's list: its selected columns (id first) and its allow-listed sort columns."""

    table: str
    columns: str
    sort_columns: dict[str, tuple[int, type]]  # column -> (index in a row, type of its value)


def list_statements(
    spec: ListSpec,
    filters: Sequence[Filter],
    *,
    sort_column: str,
    descending: bool,
    window: Window,
    source: Statement | None = None,
) -> ListStatements:
    """``source`` replaces ``spec.table`` as the FROM clause (a join), with its parameters."""
    # Only allow-listed column names ever reach the SQL text; values are always parameters.
    sort_index, key_type = spec.sort_columns[sort_column]
    table = spec.table if source is None else source.sql
    conditions = [condition for condition, _ in filters]
    params: list[Any] = [] if source is None else list(source.params)
    for _, value in filters:
        if isinstance(value, Many):
            params.extend(value)
        else:
            params.append(value)
    count = Statement(f"SELECT count(*) FROM {table} WHERE {_all(conditions)}", tuple(params))
    # Sorting by the id itself needs no tie-break (and SQLite sorts again if it gets one).
    by_id = sort_column.rpartition(".")[2] == "id"
    if isinstance(window, KeysetWindow) and window.after is not None:
        value, after_id = window.after
        if not isinstance(value, key_type) or not isinstance(after_id, str):
            raise invalid_cursor()
        comparison = "<" if descending else ">"
        if by_id:
            conditions.append(f"{sort_column} {comparison} ?")
            params.append(after_id)
        else:
            conditions.append(f"({sort_column}, id) {comparison} (?, ?)")
            params += [value, after_id]
    direction = "DESC" if descending else "ASC"
    order = f"{sort_column} {direction}" + ("" if by_id else f", id {direction}")
    select = f"SELECT {spec.columns} FROM {table} WHERE {_all(conditions)} ORDER BY {order}"
    if isinstance(window, KeysetWindow):
        # One more than asked for: its presence says whether there is a next window.
        statement = Statement(f"{select} LIMIT ?", (*params, window.limit + 1))
        return ListStatements(statement, None, window, sort_index)
    statement = Statement(f"{select} LIMIT ? OFFSET ?", (*params, window.limit, window.offset))
    return ListStatements(statement, count, window, sort_index)


def fetch_page[T](
    connection: sqlite3.Connection, statements: ListStatements, to_entity: Callable[[Row], T]
) -> Page[T]:
    """Run ``statements`` in one go (one thread hop); page mode counts in the same snapshot."""
    window = statements.window
    select = statements.select
    if isinstance(window, PageWindow):
        with read_snapshot(connection):
            rows = connection.execute(select.sql, select.params).fetchall()
            total = _total(connection, statements, window, len(rows))
        items = tuple(map(to_entity, rows))
        return Page(items, window.limit, page=window.page, total=total)
    rows = connection.execute(select.sql, select.params).fetchall()
    more = len(rows) > window.limit
    del rows[window.limit :]
    next_after = (rows[-1][statements.sort_index], rows[-1][0]) if more else None
    return Page(tuple(map(to_entity, rows)), window.limit, next_after=next_after)


def _total(
    connection: sqlite3.Connection, statements: ListStatements, window: PageWindow, found: int
) -> int:
    if window.offset == 0 and found < window.limit:
        return found  # the first page holds every match: no need to count them again
    assert statements.count is not None
    count: int = connection.execute(statements.count.sql, statements.count.params).fetchone()[0]
    return count


def _all(conditions: Sequence[str]) -> str:
    return " AND ".join(conditions)


def invalid_cursor() -> InvalidInputError:
    return InvalidInputError(
        "The cursor does not fit this list's sort; start again without one.",
        code="invalid_cursor",
    )


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """The text range holding exactly the strings that start with ``prefix``.

    SQLite compares text as UTF-8 bytes, which orders like code points: the upper bound is the
    prefix with its last character moved one code point on (None when there is no such bound).
    """
    head = prefix
    while head:
        code = ord(head[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be stored: skip past them
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix, head[:-1] + chr(code)
        head = head[:-1]
    return prefix, None


@dataclass(frozen=True, slots=True)
class TermSearch:
    """Tag and word-prefix searches through a terms table beside an entity table.

    ``terms`` has rows ``(studio_id, kind, term, <key>)`` with ``kind`` 'tag' or 'word'; the
    entity table is selected as ``alias``. A tag, or else the longest word (likely the most
    selective), drives the list from an index range on the terms; other words are checked.
    """

    terms: str  # "asset_terms"
    key: str  # its column naming the entity: "asset_id"
    table: str  # "assets"
    alias: str  # "a"

    def word_condition(self, studio_id: str, word: str) -> Filter:
        low, high = prefix_range(word)
        upper = " AND term < ?" if high is not None else ""
        sql = (
            f"{self.alias}.id IN (SELECT {self.key} FROM {self.terms} WHERE studio_id = ?"
            f" AND kind = 'word' AND term >= ?{upper})"
        )
        return sql, Many((studio_id, low, *((high,) if high is not None else ())))

    def driving_source(
        self, studio_id: str, tag: str | None, words: Sequence[str]
    ) -> tuple[Statement | None, int]:
        """The join that drives a tag or word search, and which of ``words`` it already
        covers (-1 for none)."""
        entity = f"{self.table} {self.alias}"
        if tag is not None:
            sql = (
                f"{self.terms} t CROSS JOIN {entity} ON {self.alias}.id = t.{self.key}"
                " AND t.studio_id = ? AND t.kind = 'tag' AND t.term = ?"
            )
            return Statement(sql, (studio_id, tag)), -1
        if not words:
            return None, -1
        chosen = max(range(len(words)), key=lambda i: len(words[i]))
        low, high = prefix_range(words[chosen])
        upper = " AND term < ?" if high is not None else ""
        sql = (
            f"(SELECT DISTINCT {self.key} FROM {self.terms} WHERE studio_id = ? AND kind = 'word'"
            f" AND term >= ?{upper}) m CROSS JOIN {entity} ON {self.alias}.id = m.{self.key}"
        )
        return Statement(sql, (studio_id, low, *((high,) if high is not None else ()))), chosen

    def filters(
        self, studio_id: str, tag: str | None, words: Sequence[str]
    ) -> tuple[Statement | None, list[Filter]]:
        """The driving source and the conditions for the words it does not cover."""
        source, covered = self.driving_source(studio_id, tag, words)
        checked = [self.word_condition(studio_id, w) for i, w in enumerate(words) if i != covered]
        return source, checked
