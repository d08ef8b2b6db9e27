"""Every statement the adapter runs is served by an index: no table scan, no sort step.

The statements come from the functions and constants the repositories use, so what is
explained here is exactly what runs. Plans are checked on an empty schema and again after
``ANALYZE`` on a populated one (statistics can change the planner's mind; ``PRAGMA optimize``
gathers them in production).
"""

import random
import sqlite3
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from adapters.persistence.sqlite import (
    audit,
    idempotency,
    sessions,
    studios,
    uploads,
    users,
    videos,
)
from adapters.persistence.sqlite.listing import ListStatements
from adapters.persistence.sqlite.migrations import apply_migrations
from application.audit.ports import AuditQuery
from application.identity.ports import USER_SORTS, UserQuery
from application.media.ports import VideoQuery
from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec, Window

STUDIO = StudioId("00000000-0000-7000-8000-000000000001")
OWNER = UserId("00010001-0000-7000-8000-000000000000")
SORT_VALUES: dict[str, str | int] = {"email": "m@example.com", "name": "M", "createdAt": 1_000}
USER_INDEXES = {"email": "email", "name": "name", "createdAt": "created"}


def populate(connection: sqlite3.Connection) -> None:
    """A few studios of uneven sizes, then statistics, as a long-running store would have."""
    rng = random.Random(7)
    roles = [role.value for role in Role]
    connection.execute("BEGIN")
    for s in range(20):
        studio = f"00000000-0000-7000-8000-{s:012}"
        connection.execute(
            "INSERT INTO studios VALUES (?, ?, 'S', ?, 3, 0, 0, 1)",
            (studio, f"studio-{s}", '["viewer"]'),
        )
        for u in range(rng.choice([5, 50, 500])):
            user = f"{s:04}{u:04}-0000-7000-8000-000000000000"
            connection.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?, 'h', 1, ?, ?, 1)",
                (user, studio, f"u{u}@x.io", f"N{rng.randrange(99)}", rng.choice(roles), u, u),
            )
            connection.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, 't', '[]', 0, 0, ?, NULL, 1)",
                (f"s{user}", studio, user, u),
            )
            kind = rng.choice(["user", "asset", "series"])
            for e in range(rng.choice([1, 10, 30])):  # a resource's history
                connection.execute(
                    "INSERT INTO audit_events VALUES (?, ?, NULL, 'a', ?, ?, ?, NULL, '{}')",
                    (f"a{e}{user}", studio, kind, user, u * 100 + e),
                )
            connection.execute(
                "INSERT INTO idempotency_records VALUES (?, 'scope', ?, 'f', x'00', 0, ?)",
                (studio, f"k{u}", u),
            )
            for v in range(rng.choice([0, 2, 20])):  # a creator's uploads and videos
                status = rng.choice(["pending", "completed"])
                connection.execute(
                    "INSERT INTO uploads VALUES"
                    " (?, ?, ?, 'video', ?, 'f.mp4', 'video/mp4', 1, ?, ?, ?, NULL, 1)",
                    (f"up{v}{user}", studio, user, f"k/{user}/{v}", v, u + v, status),
                )
                connection.execute(
                    "INSERT INTO videos VALUES"
                    " (?, ?, ?, 't', ?, 'video/mp4', 1, 'ready', 1.5, 640, 360, ?, ?, 1)",
                    (f"v{v}{user}", studio, user, f"k/{user}/{v}", v, v),
                )
    connection.execute("COMMIT")
    connection.execute("ANALYZE")


@pytest.fixture(scope="module", params=["empty", "analyzed"])
def connection(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("plans") / f"{request.param}.db"
    connection = sqlite3.connect(path, autocommit=True)
    apply_migrations(connection)
    if request.param == "analyzed":
        populate(connection)
    yield connection
    connection.close()


def plan(connection: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[str]:
    return [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def assert_indexed(
    connection: sqlite3.Connection, sql: str, params: tuple[Any, ...], index: str | None = None
) -> None:
    steps = plan(connection, sql, params)
    assert steps, sql
    for step in steps:
        # SEARCH = a seek on an index (or primary key) range; SCAN would read a whole table.
        assert step.startswith("SEARCH "), (sql, steps)
        assert " INDEX " in step or "PRIMARY KEY" in step, (sql, steps)
        assert "TEMP B-TREE" not in step, (sql, steps)
    if index is not None:
        assert any(f" INDEX {index} " in step for step in steps), (sql, steps, index)


def windows(sort_value: str | int) -> list[Window]:
    return [
        PageWindow(1, 20),
        PageWindow(7, 20),
        KeysetWindow(None, 20),
        KeysetWindow((sort_value, "00000000-0000-7000-8000-000000000000"), 20),
    ]


def assert_list_indexed(
    connection: sqlite3.Connection, statements: ListStatements, index: str
) -> None:
    assert_indexed(connection, statements.select.sql, statements.select.params, index)
    if statements.count is not None:
        assert_indexed(connection, statements.count.sql, statements.count.params)
        assert (
            "COVERING INDEX" in plan(connection, statements.count.sql, statements.count.params)[0]
        )


@pytest.mark.parametrize(
    ("sort", "direction", "role"), list(product(USER_SORTS, Direction, [None, Role.ARTIST]))
)
def test_every_user_list_is_an_ordered_index_range(
    connection: sqlite3.Connection, sort: str, direction: Direction, role: Role | None
) -> None:
    index = f"users_by_{'role_' if role else ''}{USER_INDEXES[sort]}"
    for window in windows(SORT_VALUES[sort]):
        query = UserQuery(role=role, sort=SortSpec(sort, direction), window=window)
        assert_list_indexed(connection, users.user_list_statements(STUDIO, query), index)


@pytest.mark.parametrize(
    ("resource_type", "resource_id", "index"),
    [
        (None, None, "audit_by_time"),
        ("user", None, "audit_by_type"),
        (None, "r1", "audit_by_resource"),
        ("user", "r1", "audit_by_resource"),
    ],
)
def test_every_audit_list_is_an_ordered_index_range(
    connection: sqlite3.Connection, resource_type: str | None, resource_id: str | None, index: str
) -> None:
    for window in windows(1_000)[2:]:
        assert isinstance(window, KeysetWindow)
        query = AuditQuery(resource_type=resource_type, resource_id=resource_id, window=window)
        assert_list_indexed(connection, audit.audit_list_statements(STUDIO, query), index)


def test_every_video_list_is_an_ordered_index_range(connection: sqlite3.Connection) -> None:
    for window in windows(1_000):
        query = VideoQuery(owner_id=OWNER, window=window)
        statements = videos.video_list_statements(STUDIO, query)
        assert_list_indexed(connection, statements, "videos_by_owner")


@pytest.mark.parametrize(
    ("sql", "params", "index"),
    [
        (studios.STUDIO_BY_ID_SQL, ("id",), None),
        (studios.STUDIO_BY_SLUG_SQL, ("slug",), "studios_by_slug"),
        (studios.UPDATE_STUDIO_SQL, ("s", "n", "[]", 3, 0, 0, 2, "id", 1), None),
        (users.USER_BY_ID_SQL, (STUDIO, "id"), None),
        (users.USER_BY_EMAIL_SQL, (STUDIO, "a@x.io"), "users_by_email"),
        (users.UPDATE_USER_SQL, ("e", "n", "r", "h", 1, 0, 0, 2, STUDIO, "id", 1), None),
        (users.DELETE_USER_SQL, (STUDIO, "id"), None),
        (users.DELETE_USER_SESSIONS_SQL, (STUDIO, "u"), "sessions_by_user"),
        (sessions.SESSION_BY_ID_SQL, (STUDIO, "id"), None),
        (sessions.REVOKE_USER_SESSIONS_SQL, (5, STUDIO, "u"), "sessions_by_user"),
        (sessions.DELETE_EXPIRED_SESSIONS_SQL, (STUDIO, 5), "sessions_by_expiry"),
        (idempotency.IDEMPOTENCY_GET_SQL, (STUDIO, "scope", "k1", 5), None),
        (
            idempotency.DELETE_EXPIRED_IDEMPOTENCY_SQL,
            (STUDIO, 5),
            "idempotency_by_expiry",
        ),
        (uploads.UPLOAD_BY_KEY_SQL, (STUDIO, "studios/k"), "uploads_by_key"),
        (
            uploads.UPDATE_UPLOAD_SQL,
            ("o", "video", "k", "f", "t", 1, 0, 0, "completed", None, 2, STUDIO, "id", 1),
            None,
        ),
        (uploads.UPLOAD_EXISTS_SQL, (STUDIO, "id"), None),
        (uploads.DELETE_UPLOAD_SQL, (STUDIO, "id"), None),
        (uploads.EXPIRED_PENDING_UPLOADS_SQL, ("pending", 5, 100), "uploads_by_expiry"),
        (videos.VIDEO_BY_ID_SQL, (STUDIO, "id"), None),
        (
            videos.UPDATE_VIDEO_SQL,
            ("o", "t", "k", "c", 1, "ready", 1.5, 2, 3, 0, 0, 2, STUDIO, "id", 1),
            None,
        ),
        (videos.VIDEO_EXISTS_SQL, (STUDIO, "id"), None),
    ],
)
def test_every_look_up_and_bulk_change_seeks_an_index(
    connection: sqlite3.Connection, sql: str, params: tuple[Any, ...], index: str | None
) -> None:
    assert_indexed(connection, sql, params, index)
