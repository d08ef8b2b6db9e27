"""Studios (tenants) on SQLite."""

import sqlite3
from dataclasses import replace
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.rows import STUDIO_COLUMNS, studio_from_row, studio_to_row
from adapters.persistence.sqlite.writes import Conflicts, compare_and_set, execute_checked
from domain.identity.errors import StudioNotFoundError, StudioSlugTakenError
from domain.identity.model import Studio
from domain.shared.ids import StudioId

STUDIO_BY_ID_SQL = f"SELECT {STUDIO_COLUMNS} FROM studios WHERE id = ?"
STUDIO_BY_SLUG_SQL = f"SELECT {STUDIO_COLUMNS} FROM studios WHERE slug = ?"
INSERT_STUDIO_SQL = f"INSERT INTO studios ({STUDIO_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
UPDATE_STUDIO_SQL = (
    "UPDATE studios SET slug = ?, name = ?, self_signup_roles = ?, free_episodes_per_series = ?,"
    " created_at = ?, updated_at = ?, revision = ? WHERE id = ? AND revision = ?"
)
STUDIO_EXISTS_SQL = "SELECT 1 FROM studios WHERE id = ?"
COUNT_STUDIOS_SQL = "SELECT count(*) FROM studios"

_CONFLICTS: Conflicts = {("slug",): StudioSlugTakenError}


class SqliteStudioRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, studio: Studio) -> None:
        await self._channel.write(partial(_add, studio_to_row(studio)))

    async def get(self, studio_id: StudioId) -> Studio:
        return await self._channel.read_now(partial(_get, STUDIO_BY_ID_SQL, studio_id))

    async def get_by_slug(self, slug: str) -> Studio:
        return await self._channel.read_now(partial(_get, STUDIO_BY_SLUG_SQL, slug))

    async def save(self, studio: Studio, *, expected_revision: int) -> Studio:
        saved = replace(studio, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, expected_revision))
        return saved

    async def count(self) -> int:
        return await self._channel.read(_count)


def _add(row: tuple[object, ...], connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_STUDIO_SQL, row, _CONFLICTS)


def _get(sql: str, value: str, connection: sqlite3.Connection) -> Studio:
    row = connection.execute(sql, (value,)).fetchone()
    if row is None:
        raise StudioNotFoundError()
    return studio_from_row(row)


def _save(studio: Studio, expected_revision: int, connection: sqlite3.Connection) -> None:
    studio_id, *values = studio_to_row(studio)
    compare_and_set(
        connection,
        UPDATE_STUDIO_SQL,
        (*values, studio_id, expected_revision),
        exists_sql=STUDIO_EXISTS_SQL,
        key=(studio_id,),
        not_found=StudioNotFoundError,
        conflicts=_CONFLICTS,
    )


def _count(connection: sqlite3.Connection) -> int:
    count: int = connection.execute(COUNT_STUDIOS_SQL).fetchone()[0]
    return count
