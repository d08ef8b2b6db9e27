"""Fixtures for the storage adapters' own tests: moto's S3 server and a bucket per test.

Where moto behaves unlike S3, a test carries ``@pytest.mark.moto_gap(reason=)`` and asserts
what each does: nothing is skipped silently.
"""

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import aioboto3
import pytest

from adapters.storage.s3 import S3BlobStore
from tests.support.s3_server import (
    TEST_ACCESS_KEY_ID,
    TEST_REGION,
    TEST_SECRET_ACCESS_KEY,
    fresh_bucket,
    shared_s3_endpoint,
)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

S3StoreFactory = Callable[..., S3BlobStore]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """moto's S3 server on 127.0.0.1, in its own process, shared by every suite."""
    return shared_s3_endpoint()


@pytest.fixture
async def bucket(s3_endpoint: str) -> AsyncIterator[str]:
    async with fresh_bucket(s3_endpoint) as name:
        yield name


@pytest.fixture
async def make_s3_store(s3_endpoint: str, bucket: str) -> AsyncIterator[S3StoreFactory]:
    """Unstarted stores on the test's bucket (keyword arguments override); closed after."""
    made: list[S3BlobStore] = []

    def make(**options: Any) -> S3BlobStore:
        settings: dict[str, Any] = {
            "bucket": bucket,
            "endpoint_url": s3_endpoint,
            "region": TEST_REGION,
            "access_key_id": TEST_ACCESS_KEY_ID,
            "secret_access_key": TEST_SECRET_ACCESS_KEY,
            **options,
        }
        store = S3BlobStore(**settings)
        made.append(store)
        return store

    yield make
    for store in made:
        await store.close()


@pytest.fixture
async def raw_s3(s3_endpoint: str) -> AsyncIterator["S3Client"]:
    """A plain client, to look at the bucket behind the adapter's back."""
    session = aioboto3.Session(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name=TEST_REGION,
    )
    async with session.client("s3", endpoint_url=s3_endpoint) as client:
        yield client


@pytest.fixture
async def s3_store(make_s3_store: S3StoreFactory) -> S3BlobStore:
    store = make_s3_store()
    await store.start()
    return store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("moto_gap")
        if marker is not None and not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: moto_gap needs reason=")
