"""Uploads on SQLite: one per key within a studio, consumed once by compare-and-set."""

import sqlite3
from dataclasses import replace
from datetime import datetime
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.rows import Row, from_ms, to_ms
from adapters.persistence.sqlite.writes import Conflicts, compare_and_set, execute_checked
from domain.media.errors import UploadNotFoundError
from domain.media.model import Upload, UploadId, UploadPurpose, UploadStatus
from domain.shared.errors import ConflictError
from domain.shared.ids import StudioId

UPLOAD_COLUMNS = (
    "id, studio_id, owner_id, purpose, key, filename, content_type, size, created_at,"
    " expires_at, status, multipart_id, revision"
)
UPLOAD_BY_KEY_SQL = f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE studio_id = ? AND key = ?"
INSERT_UPLOAD_SQL = (
    f"INSERT INTO uploads ({UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_UPLOAD_SQL = (
    "UPDATE uploads SET owner_id = ?, purpose = ?, key = ?, filename = ?, content_type = ?,"
    " size = ?, created_at = ?, expires_at = ?, status = ?, multipart_id = ?, revision = ?"
    " WHERE studio_id = ? AND id = ? AND revision = ?"
)
UPLOAD_EXISTS_SQL = "SELECT 1 FROM uploads WHERE studio_id = ? AND id = ?"
DELETE_UPLOAD_SQL = "DELETE FROM uploads WHERE studio_id = ? AND id = ?"
# The one statement not scoped by a studio: the operator's sweep (see UploadRepository).
EXPIRED_PENDING_UPLOADS_SQL = (
    f"SELECT {UPLOAD_COLUMNS} FROM uploads"
    " WHERE status = ? AND expires_at < ? ORDER BY expires_at, id LIMIT ?"
)

_PURPOSES = {purpose.value: purpose for purpose in UploadPurpose}
_STATUSES = {status.value: status for status in UploadStatus}


def upload_key_taken_error() -> ConflictError:
    return ConflictError("An upload with this key already exists.", code="duplicate_key")


_CONFLICTS: Conflicts = {("studio_id", "key"): upload_key_taken_error}


def upload_to_row(upload: Upload) -> Row:
    return (
        upload.id,
        upload.studio_id,
        upload.owner_id,
        upload.purpose.value,
        upload.key,
        upload.filename,
        upload.content_type,
        upload.size,
        to_ms(upload.created_at),
        to_ms(upload.expires_at),
        upload.status.value,
        upload.multipart_id,
        upload.revision,
    )


def upload_from_row(row: Row) -> Upload:
    return Upload(
        id=row[0],
        studio_id=row[1],
        owner_id=row[2],
        purpose=_PURPOSES[row[3]],
        key=row[4],
        filename=row[5],
        content_type=row[6],
        size=row[7],
        created_at=from_ms(row[8]),
        expires_at=from_ms(row[9]),
        status=_STATUSES[row[10]],
        multipart_id=row[11],
        revision=row[12],
    )


class SqliteUploadRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, upload: Upload) -> None:
        await self._channel.write(partial(_add, upload_to_row(upload)))

    async def get_by_key(self, studio_id: StudioId, key: str) -> Upload | None:
        row = await self._channel.read_now(partial(_fetch_one, (studio_id, key)))
        return None if row is None else upload_from_row(row)

    async def save(self, upload: Upload, *, expected_revision: int) -> Upload:
        saved = replace(upload, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, expected_revision))
        return saved

    async def expired_pending(self, before: datetime, *, limit: int) -> list[Upload]:
        params = (UploadStatus.PENDING.value, to_ms(before), limit)
        rows = await self._channel.read(partial(_fetch_all, EXPIRED_PENDING_UPLOADS_SQL, params))
        return [upload_from_row(row) for row in rows]

    async def delete(self, studio_id: StudioId, upload_id: UploadId) -> None:
        await self._channel.write(partial(_execute, DELETE_UPLOAD_SQL, (studio_id, upload_id)))


def _add(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_UPLOAD_SQL, row, _CONFLICTS)


def _fetch_one(params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(UPLOAD_BY_KEY_SQL, params).fetchone()
    return row


def _fetch_all(sql: str, params: Row, connection: sqlite3.Connection) -> list[Row]:
    return connection.execute(sql, params).fetchall()


def _save(upload: Upload, expected_revision: int, connection: sqlite3.Connection) -> None:
    upload_id, studio_id, *values = upload_to_row(upload)
    compare_and_set(
        connection,
        UPDATE_UPLOAD_SQL,
        (*values, studio_id, upload_id, expected_revision),
        exists_sql=UPLOAD_EXISTS_SQL,
        key=(studio_id, upload_id),
        not_found=UploadNotFoundError,
        conflicts=_CONFLICTS,
    )


def _execute(sql: str, params: Row, connection: sqlite3.Connection) -> None:
    connection.execute(sql, params)
