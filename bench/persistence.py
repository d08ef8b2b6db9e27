"""The SQLite adapter measured on a file: committed inserts per second, and indexed list latency
for one studio's 1,000 users as the table grows from 10k to 1M rows (it should not move).

``run_persistence_bench()`` returns a dict of figures; it takes well under two minutes.
"""

import asyncio
import itertools
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from adapters.persistence.sqlite import SqlitePersistence
from adapters.persistence.sqlite.listing import fetch_page
from adapters.persistence.sqlite.rows import from_ms, user_from_row
from adapters.persistence.sqlite.users import INSERT_USER_SQL, user_list_statements
from application.identity.ports import UserQuery
from domain.identity.model import Role, User
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, PageWindow, SortSpec

INSERTS = 2_000
STUDIO_USERS = 1_000  # the studio whose lists are timed
FILLER_STUDIO_USERS = 100  # every other studio
SIZES = (10_000, 1_000_000)  # total rows in the users table
ROUNDS = 20  # the sizes take turns, so a noisy neighbour hits both alike
SAMPLES_PER_ROUND = 100  # timed calls per figure per round (after a few warm-up calls)
DEEP_ITEM = 900  # the keyset page starts after this item of the studio's list
EPOCH_2026_MS = 1_767_225_600_000
NEWEST_FIRST = SortSpec("createdAt", Direction.DESC)
ROLES = [role.value for role in Role]

type Call = Callable[[], Awaitable[int]]


def run_persistence_bench() -> dict[str, Any]:
    return asyncio.run(_bench())


async def _bench() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as folder:
        results: dict[str, Any] = {"sqlite": sqlite3.sqlite_version, "synchronous": "FULL"}
        results["inserts"] = await _inserts(Path(folder) / "inserts.db")
        studio = StudioId(str(uuid.uuid4()))
        paths = {size: Path(folder) / f"users-{size}.db" for size in SIZES}
        for size, path in paths.items():
            results[f"load_{size}_rows_s"] = await _load(path, studio, size)
        lists = await _lists(paths, studio)
        for size in SIZES:
            results[f"lists_at_{size}_rows"] = lists[size]
        small, large = lists[SIZES[0]], lists[SIZES[-1]]
        results["ratio_p50_1m_over_10k"] = {
            name: round(large[name]["p50_us"] / small[name]["p50_us"], 2) for name in small
        }
        return results


async def _load(path: Path, studio: StudioId, size: int) -> float:
    """The schema through the adapter, then ``size`` rows straight into SQL; the timed studio's
    rows land in the middle of the table."""
    store = SqlitePersistence(path)
    await store.start()
    await store.close()
    started = time.perf_counter()
    before = (size - STUDIO_USERS) // 2
    rows = itertools.chain(
        _filler_rows(before, first=0),
        _studio_rows(studio, STUDIO_USERS, before),
        _filler_rows(size - STUDIO_USERS - before, first=before + STUDIO_USERS),
    )
    assert _bulk_load(path, rows) == size
    return round(time.perf_counter() - started, 2)


async def _inserts(path: Path) -> dict[str, Any]:
    """One committed unit of work per user, as a sign-up does: bound by the fsync per commit."""
    store = SqlitePersistence(path)
    await store.start()
    studio = StudioId(str(uuid.uuid4()))
    try:
        started = time.perf_counter()
        for index in range(INSERTS):
            async with store.unit_of_work() as uow:
                await uow.users.add(_user(studio, index))
                await uow.commit()
        elapsed = time.perf_counter() - started
    finally:
        await store.close()
    return {"count": INSERTS, "per_s": round(INSERTS / elapsed), "mean_ms": _ms(elapsed / INSERTS)}


async def _lists(paths: dict[int, Path], studio: StudioId) -> dict[int, dict[str, Any]]:
    """Each list through the adapter (``p50_us``, ``p99_us``) and, to show where the time
    goes, the same statements and row mapping run directly on a connection (``direct_p50_us``:
    no unit of work, no thread hop)."""
    stores = {size: SqlitePersistence(path) for size, path in paths.items()}
    connections = {size: sqlite3.connect(path, autocommit=True) for size, path in paths.items()}
    calls: dict[tuple[int, str, str], Call] = {}
    try:
        for size, store in stores.items():
            await store.start()
            deep_key = _sort_key_at(connections[size], studio, DEEP_ITEM)
            queries = {
                "page1": UserQuery(sort=NEWEST_FIRST, window=PageWindow(1, 20)),
                "keyset_deep": UserQuery(sort=NEWEST_FIRST, window=KeysetWindow(deep_key, 20)),
            }
            for name, query in queries.items():
                calls[size, name, "adapter"] = _through_adapter(store, studio, query)
                calls[size, name, "direct"] = _direct(connections[size], studio, query)
        timings = await _interleaved(calls)
    finally:
        for connection in connections.values():
            connection.close()
        for store in stores.values():
            await store.close()
    results: dict[int, dict[str, Any]] = {size: {} for size in paths}
    for (size, name, how), samples in timings.items():
        cuts = statistics.quantiles(samples, n=100)
        if how == "adapter":
            results[size].setdefault(name, {}).update(p50_us=_us(cuts[49]), p99_us=_us(cuts[98]))
        else:
            results[size].setdefault(name, {})["direct_p50_us"] = _us(cuts[49])
    return results


def _through_adapter(store: SqlitePersistence, studio: StudioId, query: UserQuery) -> Call:
    async def call() -> int:
        async with store.unit_of_work(read_only=True) as uow:
            return len((await uow.users.list(studio, query)).items)

    return call


def _direct(connection: sqlite3.Connection, studio: StudioId, query: UserQuery) -> Call:
    async def call() -> int:
        statements = user_list_statements(studio, query)
        return len(fetch_page(connection, statements, user_from_row).items)

    return call


async def _interleaved(calls: dict[Any, Call]) -> dict[Any, list[float]]:
    timings: dict[Any, list[float]] = {key: [] for key in calls}
    for _ in range(ROUNDS):
        for key, call in calls.items():
            for _ in range(10):
                assert await call() == 20
            for _ in range(SAMPLES_PER_ROUND):
                started = time.perf_counter()
                await call()
                timings[key].append(time.perf_counter() - started)
    return timings


def _sort_key_at(
    connection: sqlite3.Connection, studio: StudioId, position: int
) -> tuple[int, str]:
    created_at, user_id = connection.execute(
        "SELECT created_at, id FROM users WHERE studio_id = ?"
        " ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
        (studio, position - 1),
    ).fetchone()
    return (created_at, user_id)


def _bulk_load(path: Path, rows: Iterator[tuple[Any, ...]], batch: int = 100_000) -> int:
    """Straight into SQL, in big transactions: filler rows, not what is being measured."""
    connection = sqlite3.connect(path, autocommit=True)
    loaded = 0
    try:
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")  # 256 MiB: index pages stay cached
        while chunk := [row for _, row in zip(range(batch), rows, strict=False)]:
            connection.execute("BEGIN")
            connection.executemany(INSERT_USER_SQL, chunk)
            connection.execute("COMMIT")
            loaded += len(chunk)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return loaded


def _filler_rows(count: int, *, first: int) -> Iterator[tuple[Any, ...]]:
    for start in range(first, first + count, FILLER_STUDIO_USERS):
        studio = StudioId(str(uuid.uuid4()))
        yield from _studio_rows(studio, min(FILLER_STUDIO_USERS, first + count - start), start)


def _studio_rows(studio: StudioId, count: int, first: int) -> Iterator[tuple[Any, ...]]:
    for index in range(first, first + count):
        at = EPOCH_2026_MS + index * 1_000
        user_id = f"{index:08x}-0000-7000-8000-{uuid.uuid4().hex[:12]}"  # time-ordered, as v7
        role = ROLES[index % len(ROLES)]
        email, name = f"u{index}@example.com", f"User {index % 997}"
        yield (user_id, studio, email, name, role, "h", 1, at, at, 1)


def _user(studio: StudioId, index: int) -> User:
    at = from_ms(EPOCH_2026_MS + index)
    return User(
        id=UserId(str(uuid.uuid4())),
        studio_id=studio,
        email=f"insert{index}@example.com",
        name=f"User {index}",
        role=Role.VIEWER,
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        created_at=at,
        updated_at=at,
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _us(seconds: float) -> float:
    return round(seconds * 1_000_000, 1)
