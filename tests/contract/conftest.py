"""The ``persistence`` fixture: each contract test runs once per adapter.

- ``sqlite-memory`` and ``sqlite-file``: the embedded default.
- ``mongo``: the MongoDB adapter over the wire, with the real pymongo driver, against
  mongoeco's MongoDB-compatible server started once for the session on 127.0.0.1.
- ``mongodb``: the same, against a real MongoDB, when ``TEST_MONGODB_URI`` is set.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from application.shared.ports import Persistence
from tests.support.persistence import ADAPTERS, open_persistence


@pytest.fixture(params=ADAPTERS)
async def persistence(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Persistence]:
    async with open_persistence(
        request.param, tmp_path, lambda: request.getfixturevalue("mongo_uri")
    ) as opened:
        yield opened
