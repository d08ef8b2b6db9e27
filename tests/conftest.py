"""Fixtures shared by every suite: settings, a wired container, an in-process app client."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from litestar.types import ControllerRouterHandler

from adapters.security.argon2 import Argon2PasswordHasher
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app
from entrypoints.settings import Settings, load_settings
from tests.support.mongo_server import start_mongo_server

SettingsFactory = Callable[..., Settings]

# The admin every fresh embedded store starts with (studio "demo").
ADMIN_EMAIL = "admin@demo.example.com"
ADMIN_PASSWORD = "correct-horse-battery-staple-7"


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``pytest.mark.anyio``) run on asyncio, the loop the service runs on."""
    return "asyncio"


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """mongoeco's MongoDB-compatible wire server, started once, on 127.0.0.1, in its own process."""
    uri, stop = start_mongo_server()
    try:
        yield uri
    finally:
        stop()


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Settings as the process would read them, from a mapping of environment variables."""
    return _settings_factory(tmp_path)


def _settings_factory(tmp_path: Path) -> SettingsFactory:
    def make(**env: str) -> Settings:
        base = {
            "APP_ENV": "test",
            "DATA_DIR": str(tmp_path / "var"),
            "BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
            "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        return load_settings({**base, **env}, env_file=None)

    return make


@pytest.fixture
def make_client(
    make_settings: SettingsFactory,
) -> Iterator[Callable[..., TestClient[Any]]]:
    """An in-process client over the real app; keyword arguments are environment variables."""
    yield from _clients(make_settings)


@pytest.fixture(scope="module")
def make_client_module(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., TestClient[Any]]]:
    """``make_client`` shared by a module's tests (for many checks against one world)."""
    yield from _clients(_settings_factory(tmp_path_factory.mktemp("module")))


def _clients(make_settings: SettingsFactory) -> Iterator[Callable[..., TestClient[Any]]]:
    clients: list[TestClient[Any]] = []

    def make(
        extra_routes: list[ControllerRouterHandler] | None = None, **env: str
    ) -> TestClient[Any]:
        # Real argon2id costs ~0.3 s a hash: in-process HTTP tests use cheap parameters.
        container = bootstrap(
            make_settings(**env), password_hasher=Argon2PasswordHasher.insecure_for_tests()
        )
        app = create_app(container, extra_routes=extra_routes)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
