"""Build one assets benchmark file: the app's own schema, studio and admin, then bulk rows.

1. The app's own code makes the schema and the benchmark studio with its admin (``bootstrap``,
   the ``CreateStudioHandler`` with the real argon2 hasher, the adapter's migrations).
2. Other studios, their users and every asset go straight into the file with ``executemany``,
   one big transaction per studio (``synchronous=OFF``, an in-memory journal), as rows made by
   the adapter's row functions; worker processes make the rows while this one writes. The
   asset tables' secondary indexes are dropped first and made again from their own SQL at the
   end (the schema is checked to be exactly the migrations' again).
3. The app opens and closes the file once more (its migrations find nothing to do, its close
   runs ``PRAGMA optimize``), and a sample of assets written through ``SqliteAssetRepository``
   into a scratch file must give exactly the rows found in the seeded one.

Everything here decides the file's content, so ``bench.assets_cache`` keys its cache on it.
"""

import multiprocessing
import os
import random
import sqlite3
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from adapters.persistence.sqlite import SqlitePersistence
from adapters.persistence.sqlite.assets import (
    INSERT_ASSET_SQL,
    INSERT_EDGE_SQL,
    INSERT_TERM_SQL,
    INSERT_VERSION_SQL,
)
from adapters.persistence.sqlite.migrations import apply_migrations
from adapters.persistence.sqlite.rows import studio_to_row, user_to_row
from adapters.persistence.sqlite.studios import INSERT_STUDIO_SQL
from adapters.persistence.sqlite.users import INSERT_USER_SQL
from application.identity.studios import CreateStudio
from bench.assets_check import check_against_repository
from bench.assets_data import AssetRows, StudioRows, StudioSeed, instant, studio_rows, uuid7
from bench.processes import BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD
from domain.identity.model import Role, Studio, User
from domain.shared.ids import StudioId, UserId
from entrypoints.bootstrap import bootstrap, running
from entrypoints.settings import load_settings

STUDIO_SLUG = "bench-assets"
STUDIO_USERS = 24  # besides the admin: the people who own the benchmark studio's assets
OTHER_STUDIO_USERS = 10
SAMPLE_IDS = 5_000  # live assets of the benchmark studio that single GETs pick from
DEEP_SHARE = 0.9  # the deep cursor page starts after this share of the studio's list
CHECKED_ASSETS = 300  # spread over the whole file, compared with the repository's own rows
SEED = 20261121


@dataclass(frozen=True)
class Shape:
    name: str
    studio_assets: int  # in the benchmark studio
    other_studios: int
    per_other_studio: int

    @property
    def total(self) -> int:
        return self.studio_assets + self.other_studios * self.per_other_studio


# The same proportions at both sizes: a tenth of the assets in the benchmark studio.
SHAPES = {
    "1m": Shape("1m", studio_assets=100_000, other_studios=90, per_other_studio=10_000),
    "10k": Shape("10k", studio_assets=1_000, other_studios=9, per_other_studio=1_000),
}


async def build(shape: Shape, folder: Path) -> dict[str, Any]:
    """Seed ``folder/studio.db`` (``Settings.sqlite_path`` for ``DATA_DIR=folder``); return
    what the benchmark needs to know about it."""
    started = time.perf_counter()
    settings = load_settings({"APP_ENV": "test", "DATA_DIR": str(folder)}, env_file=None)
    async with running(bootstrap(settings)) as service:
        created = await service.create_studio()(
            CreateStudio(
                slug=STUDIO_SLUG,
                name="Benchmark Studio",
                admin_email=BENCH_ADMIN_EMAIL,
                admin_password=BENCH_ADMIN_PASSWORD,
            )
        )
    studio_id, admin = created.studio.id, created.admin
    app_seconds = time.perf_counter() - started
    rng = random.Random(SEED)
    connection = sqlite3.connect(settings.sqlite_path, autocommit=True)
    try:
        assert apply_migrations(connection) == []  # the app made the schema: nothing pending
        for pragma in ("journal_mode = MEMORY", "synchronous = OFF", "cache_size = -2097152"):
            connection.execute(f"PRAGMA {pragma}")
        studios = _studios(shape, studio_id, admin, rng)
        with _transaction(connection):
            for studio, users in studios:
                if studio is not None:
                    connection.execute(INSERT_STUDIO_SQL, studio_to_row(studio))
                new_users = (user for user in users if user.id != admin.id)  # the app's own
                connection.executemany(INSERT_USER_SQL, map(user_to_row, new_users))
        schema = _schema(connection)
        indexes = _drop_secondary_indexes(connection)
        checked = _insert_assets(connection, shape, studio_id, studios, rng)
        indexed = time.perf_counter()
        with _transaction(connection):
            for sql in indexes:
                connection.execute(sql)
        index_seconds = time.perf_counter() - indexed
        assert _schema(connection) == schema  # the very schema the migrations made
        connection.execute("PRAGMA journal_mode = WAL")  # what the app's writer expects
        facts = _facts(connection, shape, studio_id, rng)
    finally:
        connection.close()
    seed_seconds = time.perf_counter() - started
    store = SqlitePersistence(settings.sqlite_path)
    await store.start()  # the app's own open and close: migrations (none), PRAGMA optimize
    await store.close()
    await check_against_repository(settings.sqlite_path, checked, folder / "check.db")
    return {
        **facts,
        "studio_id": studio_id,
        "studio_slug": STUDIO_SLUG,
        "admin_email": BENCH_ADMIN_EMAIL,
        "admin_id": admin.id,
        "shape": asdict(shape),
        "seed_seconds": round(seed_seconds, 1),  # everything up to the check
        "assets_per_s": round(shape.total / seed_seconds),
        "index_seconds": round(index_seconds, 1),  # rebuilding the secondary indexes
        "app_setup_seconds": round(app_seconds, 1),  # the studio and admin, through the app
        "checked_against_repository": len(checked),
        "file_mb": round(settings.sqlite_path.stat().st_size / 1e6),
        "sqlite": sqlite3.sqlite_version,
    }


type StudioUsers = tuple[Studio | None, list[User]]  # None: the studio exists already


def _studios(
    shape: Shape, studio_id: StudioId, admin: User, rng: random.Random
) -> list[StudioUsers]:
    """Every studio with its users; the benchmark studio sits in the middle of the file."""
    others: list[StudioUsers] = []
    for number in range(shape.other_studios):
        at = instant(rng.randrange(86_400_000))
        studio = Studio(
            id=StudioId(uuid7(int(at.timestamp() * 1000), rng)),
            slug=f"studio-{number:03d}",
            name=f"Studio {number}",
            created_at=at,
            updated_at=at,
        )
        others.append(
            (studio, _users(studio.id, f"studio-{number:03d}", OTHER_STUDIO_USERS, admin, rng))
        )
    middle = len(others) // 2
    own: StudioUsers = (None, [admin, *_users(studio_id, STUDIO_SLUG, STUDIO_USERS, admin, rng)])
    return [*others[:middle], own, *others[middle:]]


def _users(
    studio_id: StudioId, domain: str, count: int, admin: User, rng: random.Random
) -> list[User]:
    roles = [Role.ARTIST] * 6 + [Role.DIRECTOR, Role.PRODUCER]
    users = []
    for number in range(count):
        at = instant(rng.randrange(30 * 86_400_000))
        users.append(
            User(
                id=UserId(uuid7(int(at.timestamp() * 1000), rng)),
                studio_id=studio_id,
                email=f"user{number}@{domain}.example.com",
                name=f"User {number}",
                role=rng.choice(roles),
                password_hash=admin.password_hash,  # nobody signs in as them
                created_at=at,
                updated_at=at,
            )
        )
    return users


def _insert_assets(
    connection: sqlite3.Connection,
    shape: Shape,
    studio_id: StudioId,
    studios: list[StudioUsers],
    rng: random.Random,
) -> list[AssetRows]:
    """Every studio's assets, one transaction each, made by worker processes while this one
    writes; returns an evenly spread sample of them for the check."""
    step = max(shape.total // CHECKED_ASSETS, 1)
    jobs, first = [], 0
    for studio, users in studios:
        count = shape.studio_assets if studio is None else shape.per_other_studio
        seed = StudioSeed(
            studio_id=studio_id if studio is None else studio.id,
            owners=[user.id for user in users],  # the benchmark studio's admin owns the most
            count=count,
            seed=rng.getrandbits(64),
        )
        jobs.append((seed, first, step))
        first += count
    checked: list[AssetRows] = []
    for made in _in_workers(jobs):
        with _transaction(connection):
            connection.executemany(INSERT_ASSET_SQL, made.assets)
            connection.executemany(INSERT_TERM_SQL, made.terms)
            connection.executemany(INSERT_EDGE_SQL, made.edges)
            connection.executemany(INSERT_VERSION_SQL, made.versions)
        checked += made.checked
    return checked


def _in_workers(jobs: list[tuple[StudioSeed, int, int]]) -> Iterator[StudioRows]:
    """``studio_rows`` of each job, in order, at most a few studios ahead of the writer."""
    context = multiprocessing.get_context("spawn")  # this process has threads: no fork
    workers = max((os.cpu_count() or 2) - 1, 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[StudioRows]] = deque()
        for job in jobs:
            pending.append(pool.submit(studio_rows, *job))
            if len(pending) > workers + 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _schema(connection: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    return rows.fetchall()


def _drop_secondary_indexes(connection: sqlite3.Connection) -> list[str]:
    """Drop the asset tables' secondary indexes; return their SQL to create them again.

    Made by one sort each after the load instead of growing by a million random inserts,
    they are 2-3 times faster to make, hold the same entries and are packed denser.
    Primary keys and unique constraints stay (they are not dropped: names stay checked).
    """
    rows = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('assets', 'asset_terms', 'asset_edges', 'asset_versions')"
        " AND sql NOT LIKE 'CREATE UNIQUE%'"
    ).fetchall()
    for name, _ in rows:
        connection.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def _facts(
    connection: sqlite3.Connection, shape: Shape, studio_id: StudioId, rng: random.Random
) -> dict[str, Any]:
    """What the benchmark needs to know about the file: ids to GET, the deep page's key."""
    live = [
        (created_at, asset_id)
        for created_at, asset_id in connection.execute(
            "SELECT created_at, id FROM assets WHERE studio_id = ? AND deleted_at IS NULL"
            " ORDER BY created_at DESC, id DESC",
            (studio_id,),
        )
    ]
    deep = int(len(live) * DEEP_SHARE)
    counts = {
        table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("studios", "users", "assets", "asset_terms", "asset_edges", "asset_versions")
    }
    assert counts["assets"] == shape.total
    return {
        "studio_live_assets": len(live),
        "sample_ids": [asset_id for _, asset_id in rng.sample(live, min(SAMPLE_IDS, len(live)))],
        "deep_position": deep,
        "deep_key": list(live[deep - 1]),  # the cursor's key: the last item before the page
        "deep_first_id": live[deep][1],  # what the deep page must start with
        "newest_id": live[0][1],  # what page 1 must start with
        "rows": counts,
    }


class _transaction:  # noqa: N801  (used like a function: with _transaction(connection))
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> None:
        self._connection.execute("BEGIN")

    def __exit__(self, kind: object, *_: object) -> None:
        self._connection.execute("COMMIT" if kind is None else "ROLLBACK")
