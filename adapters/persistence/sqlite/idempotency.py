"""Idempotency records on SQLite: one per (studio, scope, key), replaceable once expired."""

import sqlite3
from datetime import datetime
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.rows import Row, from_ms, to_ms
from application.shared.idempotency import IdempotencyKeyInUseError, IdempotencyRecord
from domain.shared.ids import StudioId

IDEMPOTENCY_COLUMNS = "studio_id, scope, key, fingerprint, response, created_at, expires_at"
IDEMPOTENCY_GET_SQL = (
    f"SELECT {IDEMPOTENCY_COLUMNS} FROM idempotency_records"
    " WHERE studio_id = ? AND scope = ? AND key = ? AND expires_at > ?"
)
# One statement decides: insert, or take over a record that has expired at ``at``, or change
# nothing (0 rows) because a live record holds the key.
IDEMPOTENCY_PUT_SQL = (
    f"INSERT INTO idempotency_records ({IDEMPOTENCY_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (studio_id, scope, key) DO UPDATE SET"
    " fingerprint = excluded.fingerprint, response = excluded.response,"
    " created_at = excluded.created_at, expires_at = excluded.expires_at"
    " WHERE idempotency_records.expires_at <= ?"
)
DELETE_EXPIRED_IDEMPOTENCY_SQL = (
    "DELETE FROM idempotency_records WHERE studio_id = ? AND expires_at < ?"
)


def idempotency_record_to_row(record: IdempotencyRecord) -> Row:
    return (
        record.studio_id,
        record.scope,
        record.key,
        record.fingerprint,
        record.response,
        to_ms(record.created_at),
        to_ms(record.expires_at),
    )


def idempotency_record_from_row(row: Row) -> IdempotencyRecord:
    return IdempotencyRecord(
        studio_id=row[0],
        scope=row[1],
        key=row[2],
        fingerprint=row[3],
        response=row[4],
        created_at=from_ms(row[5]),
        expires_at=from_ms(row[6]),
    )


class SqliteIdempotencyStore:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def get(
        self, studio_id: StudioId, scope: str, key: str, *, at: datetime
    ) -> IdempotencyRecord | None:
        params = (studio_id, scope, key, to_ms(at))
        row = await self._channel.read_now(partial(_fetch_one, params))
        return None if row is None else idempotency_record_from_row(row)

    async def put(self, record: IdempotencyRecord, *, at: datetime) -> None:
        params = (*idempotency_record_to_row(record), to_ms(at))
        if await self._channel.write(partial(_changed, IDEMPOTENCY_PUT_SQL, params)) == 0:
            raise IdempotencyKeyInUseError()

    async def delete_expired(self, studio_id: StudioId, before: datetime) -> int:
        params = (studio_id, to_ms(before))
        return await self._channel.write(partial(_changed, DELETE_EXPIRED_IDEMPOTENCY_SQL, params))


def _fetch_one(params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(IDEMPOTENCY_GET_SQL, params).fetchone()
    return row


def _changed(sql: str, params: Row, connection: sqlite3.Connection) -> int:
    return connection.execute(sql, params).rowcount
