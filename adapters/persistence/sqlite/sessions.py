"""Refresh-token sessions on SQLite."""

import sqlite3
from dataclasses import replace
from datetime import datetime
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.rows import (
    SESSION_COLUMNS,
    Row,
    session_from_row,
    session_to_row,
    to_ms,
)
from adapters.persistence.sqlite.writes import compare_and_set, execute_checked
from domain.identity.errors import SessionNotFoundError
from domain.identity.model import RefreshSession
from domain.shared.ids import SessionId, StudioId, UserId

SESSION_BY_ID_SQL = f"SELECT {SESSION_COLUMNS} FROM sessions WHERE studio_id = ? AND id = ?"
INSERT_SESSION_SQL = (
    f"INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_SESSION_SQL = (
    "UPDATE sessions SET user_id = ?, token_hash = ?, spent_hashes = ?, created_at = ?,"
    " last_used_at = ?, expires_at = ?, revoked_at = ?, revision = ?"
    " WHERE studio_id = ? AND id = ? AND revision = ?"
)
SESSION_EXISTS_SQL = "SELECT 1 FROM sessions WHERE studio_id = ? AND id = ?"
REVOKE_USER_SESSIONS_SQL = (
    "UPDATE sessions SET revoked_at = ?, revision = revision + 1"
    " WHERE studio_id = ? AND user_id = ? AND revoked_at IS NULL"
)
DELETE_EXPIRED_SESSIONS_SQL = "DELETE FROM sessions WHERE studio_id = ? AND expires_at < ?"


class SqliteSessionRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, session: RefreshSession) -> None:
        await self._channel.write(partial(_add, session_to_row(session)))

    async def get(self, studio_id: StudioId, session_id: SessionId) -> RefreshSession:
        row = await self._channel.read_now(partial(_fetch_one, (studio_id, session_id)))
        if row is None:
            raise SessionNotFoundError()
        return session_from_row(row)

    async def save(self, session: RefreshSession, *, expected_revision: int) -> RefreshSession:
        saved = replace(session, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, expected_revision))
        return saved

    async def revoke_all_for_user(self, studio_id: StudioId, user_id: UserId, at: datetime) -> int:
        params = (to_ms(at), studio_id, user_id)
        return await self._channel.write(partial(_changed, REVOKE_USER_SESSIONS_SQL, params))

    async def delete_expired(self, studio_id: StudioId, before: datetime) -> int:
        params = (studio_id, to_ms(before))
        return await self._channel.write(partial(_changed, DELETE_EXPIRED_SESSIONS_SQL, params))


def _add(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_SESSION_SQL, row, {})


def _fetch_one(params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(SESSION_BY_ID_SQL, params).fetchone()
    return row


def _save(session: RefreshSession, expected_revision: int, connection: sqlite3.Connection) -> None:
    session_id, studio_id, *values = session_to_row(session)
    compare_and_set(
        connection,
        UPDATE_SESSION_SQL,
        (*values, studio_id, session_id, expected_revision),
        exists_sql=SESSION_EXISTS_SQL,
        key=(studio_id, session_id),
        not_found=SessionNotFoundError,
        conflicts={},
    )


def _changed(sql: str, params: Row, connection: sqlite3.Connection) -> int:
    return connection.execute(sql, params).rowcount
