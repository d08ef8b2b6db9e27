"""Subscriptions and watch progress on SQLite (migration 0006).

A subscription is one row per user and studio; each change appends a row to its history in
the same transaction. Progress is one row per user and episode, written by an upsert that
only takes a strictly later observation (``watched_at``), so the order writes arrive in never
matters; ``series_progress`` keeps the latest entry per user and series the same way.
"""

import sqlite3
from dataclasses import replace
from functools import partial

from adapters.persistence.sqlite.channels import Channel, read_snapshot
from adapters.persistence.sqlite.rows import Row, from_ms, from_ms_or_none, to_ms, to_ms_or_none
from adapters.persistence.sqlite.writes import compare_and_set, execute_checked
from domain.playback.progress import WatchProgress
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Page, PageWindow
from domain.subscriptions.errors import SubscriptionNotFoundError
from domain.subscriptions.model import Subscription, SubscriptionChange, SubscriptionStatus

SUBSCRIPTION_COLUMNS = (
    "studio_id, user_id, status, plan, current_period_end, created_at, updated_at, revision"
)
SUBSCRIPTION_SQL = (
    f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE studio_id = ? AND user_id = ?"
)
INSERT_SUBSCRIPTION_SQL = (
    f"INSERT INTO subscriptions ({SUBSCRIPTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_SUBSCRIPTION_SQL = (
    "UPDATE subscriptions SET status = ?, plan = ?, current_period_end = ?, created_at = ?,"
    " updated_at = ?, revision = ? WHERE studio_id = ? AND user_id = ? AND revision = ?"
)
SUBSCRIPTION_EXISTS_SQL = "SELECT 1 FROM subscriptions WHERE studio_id = ? AND user_id = ?"
CHANGE_COLUMNS = (
    "studio_id, user_id, actor_id, at, from_status, to_status, plan, current_period_end"
)
INSERT_CHANGE_SQL = (
    f"INSERT INTO subscription_changes ({CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
HISTORY_SQL = (
    f"SELECT {CHANGE_COLUMNS} FROM subscription_changes WHERE studio_id = ? AND user_id = ?"
    " ORDER BY seq DESC LIMIT ? OFFSET ?"
)
HISTORY_COUNT_SQL = "SELECT count(*) FROM subscription_changes WHERE studio_id = ? AND user_id = ?"

PROGRESS_COLUMNS = (
    "studio_id, user_id, episode_id, series_id, episode_number, position, duration, completed,"
    " watched_at"
)
PROGRESS_SQL = (
    f"SELECT {PROGRESS_COLUMNS} FROM watch_progress"
    " WHERE studio_id = ? AND user_id = ? AND episode_id = ?"
)
# Only a strictly later observation replaces the stored one: late and repeated writes lose.
PUT_PROGRESS_SQL = (
    f"INSERT INTO watch_progress ({PROGRESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (studio_id, user_id, episode_id) DO UPDATE SET"
    " series_id = excluded.series_id, episode_number = excluded.episode_number,"
    " position = excluded.position, duration = excluded.duration,"
    " completed = excluded.completed, watched_at = excluded.watched_at"
    " WHERE excluded.watched_at > watch_progress.watched_at"
)
PUT_SERIES_PROGRESS_SQL = (
    "INSERT INTO series_progress (studio_id, user_id, series_id, episode_id, watched_at)"
    " VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (studio_id, user_id, series_id) DO UPDATE SET"
    " episode_id = excluded.episode_id, watched_at = excluded.watched_at"
    " WHERE excluded.watched_at > series_progress.watched_at"
)
HISTORY_PAGE_SQL = (
    f"SELECT {PROGRESS_COLUMNS} FROM watch_progress WHERE studio_id = ? AND user_id = ?"
    " ORDER BY watched_at DESC, episode_id DESC LIMIT ? OFFSET ?"
)
HISTORY_TOTAL_SQL = "SELECT count(*) FROM watch_progress WHERE studio_id = ? AND user_id = ?"
_WP_COLUMNS = ", ".join(f"w.{name.strip()}" for name in PROGRESS_COLUMNS.split(","))
IN_PROGRESS_SQL = (
    f"SELECT {_WP_COLUMNS} FROM series_progress s JOIN watch_progress w"
    " ON w.studio_id = s.studio_id AND w.user_id = s.user_id AND w.episode_id = s.episode_id"
    " WHERE s.studio_id = ? AND s.user_id = ?"
    " ORDER BY s.watched_at DESC, s.series_id DESC LIMIT ? OFFSET ?"
)
IN_PROGRESS_TOTAL_SQL = "SELECT count(*) FROM series_progress WHERE studio_id = ? AND user_id = ?"

_STATUSES = {status.value: status for status in SubscriptionStatus}


def subscription_to_row(subscription: Subscription) -> Row:
    return (
        subscription.studio_id,
        subscription.user_id,
        subscription.status.value,
        subscription.plan,
        to_ms_or_none(subscription.current_period_end),
        to_ms(subscription.created_at),
        to_ms(subscription.updated_at),
        subscription.revision,
    )


def subscription_from_row(row: Row) -> Subscription:
    return Subscription(
        studio_id=row[0],
        user_id=row[1],
        status=_STATUSES[row[2]],
        plan=row[3],
        current_period_end=from_ms_or_none(row[4]),
        created_at=from_ms(row[5]),
        updated_at=from_ms(row[6]),
        revision=row[7],
    )


def change_to_row(change: SubscriptionChange) -> Row:
    return (
        change.studio_id,
        change.user_id,
        change.actor_id,
        to_ms(change.at),
        None if change.from_status is None else change.from_status.value,
        change.to_status.value,
        change.plan,
        to_ms_or_none(change.current_period_end),
    )


def change_from_row(row: Row) -> SubscriptionChange:
    return SubscriptionChange(
        studio_id=row[0],
        user_id=row[1],
        actor_id=row[2],
        at=from_ms(row[3]),
        from_status=None if row[4] is None else _STATUSES[row[4]],
        to_status=_STATUSES[row[5]],
        plan=row[6],
        current_period_end=from_ms_or_none(row[7]),
    )


def progress_to_row(progress: WatchProgress) -> Row:
    return (
        progress.studio_id,
        progress.user_id,
        progress.episode_id,
        progress.series_id,
        progress.episode_number,
        progress.position,
        progress.duration,
        int(progress.completed),
        to_ms(progress.watched_at),
    )


def progress_from_row(row: Row) -> WatchProgress:
    return WatchProgress(
        studio_id=row[0],
        user_id=row[1],
        episode_id=row[2],
        series_id=row[3],
        episode_number=row[4],
        position=row[5],
        duration=row[6],
        completed=bool(row[7]),
        watched_at=from_ms(row[8]),
    )


class SqliteSubscriptionRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def get(self, studio_id: StudioId, user_id: UserId) -> Subscription | None:
        row = await self._channel.read_now(partial(_one, SUBSCRIPTION_SQL, (studio_id, user_id)))
        return None if row is None else subscription_from_row(row)

    async def add(self, subscription: Subscription, change: SubscriptionChange) -> None:
        await self._channel.write(partial(_add, subscription, change))

    async def save(
        self, subscription: Subscription, change: SubscriptionChange, *, expected_revision: int
    ) -> Subscription:
        saved = replace(subscription, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, change, expected_revision))
        return saved

    async def history(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[SubscriptionChange]:
        key = (studio_id, user_id)
        rows, total = await self._channel.read(
            partial(_page, HISTORY_SQL, HISTORY_COUNT_SQL, key, window)
        )
        items = tuple(map(change_from_row, rows))
        return Page(items, window.limit, page=window.page, total=total)


class SqliteProgressRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def get(
        self, studio_id: StudioId, user_id: UserId, episode_id: str
    ) -> WatchProgress | None:
        row = await self._channel.read_now(
            partial(_one, PROGRESS_SQL, (studio_id, user_id, episode_id))
        )
        return None if row is None else progress_from_row(row)

    async def put(self, progress: WatchProgress) -> WatchProgress:
        row = await self._channel.write(partial(_put_progress, progress))
        return progress_from_row(row)

    async def history(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[WatchProgress]:
        key = (studio_id, user_id)
        rows, total = await self._channel.read(
            partial(_page, HISTORY_PAGE_SQL, HISTORY_TOTAL_SQL, key, window)
        )
        return Page(
            tuple(map(progress_from_row, rows)), window.limit, page=window.page, total=total
        )

    async def in_progress_series(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[WatchProgress]:
        key = (studio_id, user_id)
        rows, total = await self._channel.read(
            partial(_page, IN_PROGRESS_SQL, IN_PROGRESS_TOTAL_SQL, key, window)
        )
        return Page(
            tuple(map(progress_from_row, rows)), window.limit, page=window.page, total=total
        )


def _one(sql: str, params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(sql, params).fetchone()
    return row


def _page(
    sql: str, count_sql: str, key: Row, window: PageWindow, connection: sqlite3.Connection
) -> tuple[list[Row], int]:
    with read_snapshot(connection):
        rows = connection.execute(sql, (*key, window.limit, window.offset)).fetchall()
        total: int = connection.execute(count_sql, key).fetchone()[0]
    return rows, total


def _add(
    subscription: Subscription, change: SubscriptionChange, connection: sqlite3.Connection
) -> None:
    # Two first writes for one user raced: the loser's view is stale (it retries as a change).
    execute_checked(
        connection,
        INSERT_SUBSCRIPTION_SQL,
        subscription_to_row(subscription),
        {("studio_id", "user_id"): StaleRevisionError},
    )
    connection.execute(INSERT_CHANGE_SQL, change_to_row(change))


def _save(
    subscription: Subscription,
    change: SubscriptionChange,
    expected_revision: int,
    connection: sqlite3.Connection,
) -> None:
    studio_id, user_id, *values = subscription_to_row(subscription)
    compare_and_set(
        connection,
        UPDATE_SUBSCRIPTION_SQL,
        (*values, studio_id, user_id, expected_revision),
        exists_sql=SUBSCRIPTION_EXISTS_SQL,
        key=(studio_id, user_id),
        not_found=SubscriptionNotFoundError,
        conflicts={},
    )
    connection.execute(INSERT_CHANGE_SQL, change_to_row(change))


def _put_progress(progress: WatchProgress, connection: sqlite3.Connection) -> Row:
    row = progress_to_row(progress)
    connection.execute(PUT_PROGRESS_SQL, row)
    connection.execute(
        PUT_SERIES_PROGRESS_SQL,
        (progress.studio_id, progress.user_id, progress.series_id, progress.episode_id, row[8]),
    )
    stored: Row = connection.execute(PROGRESS_SQL, row[:3]).fetchone()
    return stored
