"""Users on SQLite: every statement is scoped by studio, every list is served by an index."""

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
from adapters.persistence.sqlite.rows import (
    USER_COLUMN_INDEX,
    USER_COLUMNS,
    Row,
    user_from_row,
    user_to_row,
)
from adapters.persistence.sqlite.writes import Conflicts, compare_and_set, execute_checked
from application.identity.ports import UserQuery
from domain.identity.errors import UserEmailTakenError, UserNotFoundError
from domain.identity.model import User
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, Page

USER_BY_ID_SQL = f"SELECT {USER_COLUMNS} FROM users WHERE studio_id = ? AND id = ?"
USER_BY_EMAIL_SQL = f"SELECT {USER_COLUMNS} FROM users WHERE studio_id = ? AND email = ?"
INSERT_USER_SQL = f"INSERT INTO users ({USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
UPDATE_USER_SQL = (
    "UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, active = ?,"
    " created_at = ?, updated_at = ?, revision = ? WHERE studio_id = ? AND id = ? AND revision = ?"
)
USER_EXISTS_SQL = "SELECT 1 FROM users WHERE studio_id = ? AND id = ?"
DELETE_USER_SQL = "DELETE FROM users WHERE studio_id = ? AND id = ?"
DELETE_USER_SESSIONS_SQL = "DELETE FROM sessions WHERE studio_id = ? AND user_id = ?"

# The API's sort names and the columns behind them.
USER_SORT_COLUMNS = {"email": "email", "name": "name", "createdAt": "created_at"}
USER_LIST = ListSpec(
    table="users",
    columns=USER_COLUMNS,
    sort_columns={
        "email": (USER_COLUMN_INDEX["email"], str),
        "name": (USER_COLUMN_INDEX["name"], str),
        "created_at": (USER_COLUMN_INDEX["created_at"], int),
    },
)

_CONFLICTS: Conflicts = {("studio_id", "email"): UserEmailTakenError}


def user_list_statements(studio_id: StudioId, query: UserQuery) -> ListStatements:
    """The statements ``SqliteUserRepository.list`` runs for this query."""
    filters: list[Filter] = [("studio_id = ?", studio_id)]
    if query.role is not None:
        filters.append(("role = ?", query.role.value))
    return list_statements(
        USER_LIST,
        filters,
        sort_column=USER_SORT_COLUMNS[query.sort.field],
        descending=query.sort.direction is Direction.DESC,
        window=query.window,
    )


class SqliteUserRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, user: User) -> None:
        await self._channel.write(partial(_add, user_to_row(user)))

    async def get(self, studio_id: StudioId, user_id: UserId) -> User:
        row = await self._channel.read_now(
            partial(_fetch_one, USER_BY_ID_SQL, (studio_id, user_id))
        )
        if row is None:
            raise UserNotFoundError()
        return user_from_row(row)

    async def find_by_email(self, studio_id: StudioId, email: str) -> User | None:
        row = await self._channel.read_now(
            partial(_fetch_one, USER_BY_EMAIL_SQL, (studio_id, email))
        )
        return None if row is None else user_from_row(row)

    async def save(self, user: User, *, expected_revision: int) -> User:
        saved = replace(user, revision=expected_revision + 1)
        await self._channel.write(partial(_save, saved, expected_revision))
        return saved

    async def delete(self, studio_id: StudioId, user_id: UserId) -> None:
        await self._channel.write(partial(_delete, studio_id, user_id))

    async def list(self, studio_id: StudioId, query: UserQuery) -> Page[User]:
        statements = user_list_statements(studio_id, query)
        return await self._channel.read(
            partial(fetch_page, statements=statements, to_entity=user_from_row)
        )


def _add(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_USER_SQL, row, _CONFLICTS)


def _fetch_one(sql: str, params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(sql, params).fetchone()
    return row


def _save(user: User, expected_revision: int, connection: sqlite3.Connection) -> None:
    user_id, studio_id, *values = user_to_row(user)
    compare_and_set(
        connection,
        UPDATE_USER_SQL,
        (*values, studio_id, user_id, expected_revision),
        exists_sql=USER_EXISTS_SQL,
        key=(studio_id, user_id),
        not_found=UserNotFoundError,
        conflicts=_CONFLICTS,
    )


def _delete(studio_id: StudioId, user_id: UserId, connection: sqlite3.Connection) -> None:
    if connection.execute(DELETE_USER_SQL, (studio_id, user_id)).rowcount == 0:
        raise UserNotFoundError()
    # No foreign keys between aggregates (see the schema): a user's sessions go with it here.
    connection.execute(DELETE_USER_SESSIONS_SQL, (studio_id, user_id))
