"""Proof that the seeded file holds what the app itself would have written.

The sampled assets are written again through ``SqliteAssetRepository`` (``add`` and
``add_version`` in units of work, as the use cases do) into a scratch file; every row of theirs
(asset, terms, edges, versions) must be the same in both files. The trigger-kept counts must
equal a count of the live assets.
"""

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from adapters.persistence.sqlite import SqlitePersistence
from adapters.persistence.sqlite.assets import ASSET_BY_ID_SQL
from bench.assets_data import AssetRows

_LINKED = (
    "SELECT * FROM asset_terms WHERE studio_id = ? AND asset_id = ? ORDER BY kind, term",
    "SELECT * FROM asset_edges WHERE studio_id = ? AND asset_id = ? ORDER BY depends_on",
    "SELECT * FROM asset_versions WHERE studio_id = ? AND asset_id = ? ORDER BY number",
)
_COUNTS_SQL = "SELECT studio_id, type, status, live FROM asset_counts WHERE live != 0"
_LIVE_SQL = (
    "SELECT studio_id, type, status, count(*) FROM assets WHERE deleted_at IS NULL"
    " GROUP BY studio_id, type, status"
)


class SeedMismatchError(AssertionError):
    pass


async def check_against_repository(
    seeded: Path, sample: Sequence[AssetRows], scratch: Path
) -> None:
    store = SqlitePersistence(scratch)
    await store.start()
    try:
        for rows in sample:
            async with store.unit_of_work() as uow:
                await uow.assets.add(rows.asset)
                for version in rows.versions:
                    await uow.assets.add_version(version)
                await uow.commit()
    finally:
        await store.close()
    with (
        closing(sqlite3.connect(seeded)) as found_db,
        closing(sqlite3.connect(scratch)) as expected_db,
    ):
        for rows in sample:
            key = (rows.asset.studio_id, rows.asset.id)
            for sql in (ASSET_BY_ID_SQL, *_LINKED):
                expected, found = _all(expected_db, sql, key), _all(found_db, sql, key)
                if expected != found:
                    raise SeedMismatchError(f"{sql}: {key}\n  app:  {expected}\n  seed: {found}")
        counts, live = _all(found_db, _COUNTS_SQL, ()), _all(found_db, _LIVE_SQL, ())
        if sorted(counts) != sorted(live):
            raise SeedMismatchError("asset_counts differ from a count of the live assets")


def _all(connection: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    return connection.execute(sql, params).fetchall()
