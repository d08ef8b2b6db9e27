"""Fixtures for the SQLite adapter's own tests: started stores on a file and in memory."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.persistence.sqlite import SqlitePersistence


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "studio-bridge.db"


@pytest.fixture
async def file_store(db_path: Path) -> AsyncIterator[SqlitePersistence]:
    store = SqlitePersistence(db_path)
    await store.start()
    yield store
    await store.close()


@pytest.fixture(params=["file", "memory"])
async def store(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[SqlitePersistence]:
    """The adapter in both of its modes."""
    persistence = SqlitePersistence(db_path if request.param == "file" else ":memory:")
    await persistence.start()
    yield persistence
    await persistence.close()
