"""Login throttles on SQLite: one row per (studio, email tried)."""

import sqlite3
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.rows import Row, from_ms, to_ms
from domain.identity.throttle import LoginThrottle
from domain.shared.ids import StudioId

THROTTLE_COLUMNS = "studio_id, subject, failures, blocked_until, last_failure_at"
THROTTLE_GET_SQL = (
    f"SELECT {THROTTLE_COLUMNS} FROM login_throttles WHERE studio_id = ? AND subject = ?"
)
THROTTLE_PUT_SQL = (
    f"INSERT OR REPLACE INTO login_throttles ({THROTTLE_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
)
THROTTLE_DELETE_SQL = "DELETE FROM login_throttles WHERE studio_id = ? AND subject = ?"


def throttle_to_row(throttle: LoginThrottle) -> Row:
    return (
        throttle.studio_id,
        throttle.subject,
        throttle.failures,
        None if throttle.blocked_until is None else to_ms(throttle.blocked_until),
        None if throttle.last_failure_at is None else to_ms(throttle.last_failure_at),
    )


def throttle_from_row(row: Row) -> LoginThrottle:
    return LoginThrottle(
        studio_id=row[0],
        subject=row[1],
        failures=row[2],
        blocked_until=None if row[3] is None else from_ms(row[3]),
        last_failure_at=None if row[4] is None else from_ms(row[4]),
    )


class SqliteLoginThrottleRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def get(self, studio_id: StudioId, subject: str) -> LoginThrottle | None:
        row = await self._channel.read_now(partial(_fetch_one, (studio_id, subject)))
        return None if row is None else throttle_from_row(row)

    async def put(self, throttle: LoginThrottle) -> None:
        await self._channel.write(partial(_execute, THROTTLE_PUT_SQL, throttle_to_row(throttle)))

    async def delete(self, studio_id: StudioId, subject: str) -> None:
        await self._channel.write(partial(_execute, THROTTLE_DELETE_SQL, (studio_id, subject)))


def _fetch_one(params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(THROTTLE_GET_SQL, params).fetchone()
    return row


def _execute(sql: str, params: Row, connection: sqlite3.Connection) -> None:
    connection.execute(sql, params)
