"""Inserts and compare-and-set updates, and how their failures become domain errors.

SQLite names the columns of the unique constraint that failed
(``UNIQUE constraint failed: users.studio_id, users.email``); that is how a duplicate id is
told from a taken email.
"""

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from domain.shared.errors import ConflictError, NotFoundError, StaleRevisionError

type Conflicts = Mapping[tuple[str, ...], Callable[[], ConflictError]]

_UNIQUE_FAILED = "UNIQUE constraint failed: "


def duplicate_id_error() -> ConflictError:
    return ConflictError("An item with this id already exists.", code="duplicate_id")


def unique_columns(error: sqlite3.IntegrityError) -> tuple[str, ...] | None:
    """The columns of the unique constraint ``error`` reports, or None for another failure."""
    message = str(error)
    if not message.startswith(_UNIQUE_FAILED):
        return None
    names = message.removeprefix(_UNIQUE_FAILED).split(",")
    return tuple(name.strip().partition(".")[2] for name in names)


def conflict_for(error: sqlite3.IntegrityError, conflicts: Conflicts) -> Exception:
    """The domain error for a unique-constraint failure; ``error`` itself for anything else."""
    columns = unique_columns(error)
    if columns == ("id",):
        return duplicate_id_error()
    make = conflicts.get(columns) if columns is not None else None
    return make() if make is not None else error


def execute_checked(
    connection: sqlite3.Connection, sql: str, params: tuple[Any, ...], conflicts: Conflicts
) -> sqlite3.Cursor:
    """Run one write, turning a unique-key failure into its conflict.

    Only the statement fails: the unit of work's transaction stays open and usable.
    """
    try:
        return connection.execute(sql, params)
    except sqlite3.IntegrityError as error:
        mapped = conflict_for(error, conflicts)
        if mapped is error:
            raise
        raise mapped from error


def compare_and_set(
    connection: sqlite3.Connection,
    update_sql: str,
    params: tuple[Any, ...],
    *,
    exists_sql: str,
    key: tuple[Any, ...],
    not_found: Callable[[], NotFoundError],
    conflicts: Conflicts,
) -> None:
    """Run an ``UPDATE ... WHERE <key> AND revision = ?``; no row updated is stale or missing.

    The update is one atomic statement, so of two saves from the same revision exactly one
    matches; the loser then finds the row (stale) or does not (not found).
    """
    if execute_checked(connection, update_sql, params, conflicts).rowcount == 1:
        return
    if connection.execute(exists_sql, key).fetchone() is None:
        raise not_found()
    raise StaleRevisionError()
