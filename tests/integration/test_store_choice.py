"""The store is chosen by configuration, survives restarts, and migrates from the CLI."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from entrypoints.bootstrap import bootstrap, running
from entrypoints.settings import load_settings
from tests.support import builders as make
from tests.support.server import ROOT

pytestmark = pytest.mark.anyio


async def test_no_mongodb_uri_means_a_sqlite_file_under_data_dir_that_survives_restarts(
    tmp_path: Path,
) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path / "var")}, env_file=None)
    studio = make.studio("kept")
    async with (
        running(bootstrap(settings)) as service,
        service.persistence().unit_of_work() as uow,
    ):
        await uow.studios.add(studio)
        await uow.commit()
    assert (tmp_path / "var" / "studio.db").is_file()

    # A second service on the same settings (as after a restart) finds what was written.
    async with (
        running(bootstrap(settings)) as service,
        service.persistence().unit_of_work(read_only=True) as uow,
    ):
        assert await uow.studios.get_by_slug("kept") == studio


async def test_mongodb_uri_switches_to_mongodb_with_no_code_change(
    tmp_path: Path, mongo_uri: str
) -> None:
    settings = load_settings(
        {
            "DATA_DIR": str(tmp_path / "var"),
            "MONGODB_URI": mongo_uri,
            "MONGODB_DATABASE": f"choice_{uuid.uuid4().hex[:8]}",
        },
        env_file=None,
    )
    studio = make.studio("remote")
    async with running(bootstrap(settings)) as service:
        assert type(service.persistence()).__name__ == "MongoPersistence"
        async with service.persistence().unit_of_work() as uow:
            await uow.studios.add(studio)
            await uow.commit()
    async with (
        running(bootstrap(settings)) as service,
        service.persistence().unit_of_work(read_only=True) as uow,
    ):
        assert await uow.studios.get(studio.id) == studio
    assert not (tmp_path / "var" / "studio.db").exists()


def migrate(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli.main", "db", "migrate"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATA_DIR": "var", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
def test_db_migrate_is_idempotent_on_sqlite(tmp_path: Path, anyio_backend: str) -> None:
    first = migrate(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "0001_initial" in first.stdout
    second = migrate(tmp_path)
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    assert (tmp_path / "var" / "studio.db").is_file()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
def test_db_migrate_creates_mongodb_indexes(
    tmp_path: Path, mongo_uri: str, anyio_backend: str
) -> None:
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DATABASE": f"migrate_{uuid.uuid4().hex[:8]}"}
    first = migrate(tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("mongodb:")
    second = migrate(tmp_path, **env)
    assert second.returncode == 0, second.stderr
