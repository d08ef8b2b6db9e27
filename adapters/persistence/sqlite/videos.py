"""Videos on SQLite: scoped by studio, a creator's list served newest first by one index."""

import sqlite3
from dataclasses import replace
from functools import partial

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.listing import (
    Filter,
    ListSpec,
    ListStatements,
    fetch_page,
    list_statements,
)
from adapters.persistence.sqlite.rows import Row, from_ms, to_ms
from adapters.persistence.sqlite.writes import compare_and_set, execute_checked
from application.media.ports import VideoQuery
from domain.media.errors import VideoNotFoundError
from domain.media.model import Video, VideoId, VideoStatus
from domain.shared.ids import StudioId
from domain.shared.paging import Page

VIDEO_COLUMNS = (
    "id, studio_id, owner_id, title, storage_key, content_type, size, status, duration_seconds,"
    " width, height, created_at, updated_at, revision"
)
VIDEO_BY_ID_SQL = f"SELECT {VIDEO_COLUMNS} FROM videos WHERE studio_id = ? AND id = ?"
INSERT_VIDEO_SQL = (
    f"INSERT INTO videos ({VIDEO_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_VIDEO_SQL = (
    "UPDATE videos SET owner_id = ?, title = ?, storage_key = ?, content_type = ?, size = ?,"
    " status = ?, duration_seconds = ?, width = ?, height = ?, created_at = ?, updated_at = ?,"
    " revision = ? WHERE studio_id = ? AND id = ? AND revision = ?"
)
VIDEO_EXISTS_SQL = "SELECT 1 FROM videos WHERE studio_id = ? AND id = ?"
# Newest first, ties by id: the keyset key is (created_at ms, id), read from row position 11.
VIDEO_LIST = ListSpec(table="videos", columns=VIDEO_COLUMNS, sort_columns={"created_at": (11, int)})

_STATUSES = {status.value: status for status in VideoStatus}


def video_to_row(video: Video) -> Row:
    return (
        video.id,
        video.studio_id,
        video.owner_id,
        video.title,
        video.storage_key,
        video.content_type,
        video.size,
        video.status.value,
        video.duration_seconds,
        video.width,
        video.height,
        to_ms(video.created_at),
        to_ms(video.updated_at),
        video.revision,
    )


def video_from_row(row: Row) -> Video:
    return Video(
        id=row[0],
        studio_id=row[1],
        owner_id=row[2],
        title=row[3],
        storage_key=row[4],
        content_type=row[5],
        size=row[6],
        status=_STATUSES[row[7]],
        duration_seconds=row[8],
        width=row[9],
        height=row[10],
        created_at=from_ms(row[11]),
        updated_at=from_ms(row[12]),
        revision=row[13],
    )


def video_list_statements(studio_id: StudioId, query: VideoQuery) -> ListStatements:
    """The statements ``SqliteVideoRepository.list`` runs for this query."""
    filters: list[Filter] = [("studio_id = ?", studio_id), ("owner_id = ?", query.owner_id)]
    return list_statements(
        VIDEO_LIST, filters, sort_column="created_at", descending=True, window=query.window
    )


class SqliteVideoRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, video: Video) -> None:
        await self._channel.write(partial(_add, video_to_row(video)))

    async def get(self, studio_id: StudioId, video_id: VideoId) -> Video:
        row = await self._channel.read_now(partial(_fetch_one, (studio_id, video_id)))
        if row is None:
            raise VideoNotFoundError()
        return video_from_row(row)

    async def save(self, video: Video, *, expected_revision: int) -> Video:
        saved = replace(video, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, expected_revision))
        return saved

    async def list(self, studio_id: StudioId, query: VideoQuery) -> Page[Video]:
        statements = video_list_statements(studio_id, query)
        return await self._channel.read(
            partial(fetch_page, statements=statements, to_entity=video_from_row)
        )


def _add(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_VIDEO_SQL, row, {})


def _fetch_one(params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(VIDEO_BY_ID_SQL, params).fetchone()
    return row


def _save(video: Video, expected_revision: int, connection: sqlite3.Connection) -> None:
    video_id, studio_id, *values = video_to_row(video)
    compare_and_set(
        connection,
        UPDATE_VIDEO_SQL,
        (*values, studio_id, video_id, expected_revision),
        exists_sql=VIDEO_EXISTS_SQL,
        key=(studio_id, video_id),
        not_found=VideoNotFoundError,
        conflicts={},
    )
