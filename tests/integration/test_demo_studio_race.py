"""Processes starting together on one fresh store agree on one demo studio, and none fails to
start (it crashed the second of two processes started on a new DATA_DIR at once)."""

import asyncio
from pathlib import Path

import pytest

from entrypoints.bootstrap import bootstrap, running
from entrypoints.settings import load_settings

pytestmark = pytest.mark.anyio


async def test_starts_racing_on_an_empty_store_create_one_demo_studio(tmp_path: Path) -> None:
    settings = load_settings(
        {"DATA_DIR": str(tmp_path), "BOOTSTRAP_ADMIN_PASSWORD": "demo-admin-passphrase-1"},
        env_file=None,
    )
    async with running(bootstrap(settings)) as service:
        ensure = service.ensure_demo_studio()
        # Both find the store empty before either writes: the race of two starting processes.
        first, second = await asyncio.gather(
            ensure(admin_email="admin@demo.example.com", admin_password="demo-admin-passphrase-1"),
            ensure(admin_email="admin@demo.example.com", admin_password="demo-admin-passphrase-1"),
        )
        created = [result for result in (first, second) if result is not None]
        assert len(created) == 1
        async with service.persistence().unit_of_work(read_only=True) as uow:
            assert await uow.studios.count() == 1
