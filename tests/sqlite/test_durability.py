"""An acknowledged write survives the writer being killed (SIGKILL) in the middle of others."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from adapters.persistence.sqlite import SqlitePersistence
from domain.shared.ids import UserId
from tests.sqlite.writer_process import STUDIO

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ACKS_BEFORE_KILL = 300
DEADLINE_SECONDS = 60


def acknowledged_until_killed(db_path: Path) -> list[str]:
    """Run the writer, read its acks, SIGKILL it mid-stream; return every ack it printed."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.sqlite.writer_process", str(db_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    # Bounded in time: a hung writer is killed anyway and the test fails on too few acks.
    watchdog = threading.Timer(DEADLINE_SECONDS, writer.kill)
    watchdog.start()
    acks: list[str] = []
    try:
        while len(acks) < ACKS_BEFORE_KILL and (line := writer.stdout.readline()):
            acks.append(line)
        writer.send_signal(signal.SIGKILL)  # not a clean shutdown: no close(), no checkpoint
        acks += writer.stdout.readlines()  # acks already in the pipe count too
        writer.wait(timeout=10)
    finally:
        watchdog.cancel()
        writer.kill()
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    return [line.split()[1] for line in acks if line.startswith("ack ") and line.endswith("\n")]


async def test_every_acknowledged_user_survives_a_sigkill(db_path: Path) -> None:
    acked = acknowledged_until_killed(db_path)
    assert len(acked) >= ACKS_BEFORE_KILL, f"the writer stopped after {len(acked)} acks"

    store = SqlitePersistence(db_path)
    await store.start()  # recovers from the WAL the killed writer left behind
    try:
        async with store.unit_of_work(read_only=True) as uow:
            for user_id in acked:
                assert (await uow.users.get(STUDIO, UserId(user_id))).id == user_id
    finally:
        await store.close()

    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()
