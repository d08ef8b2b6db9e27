"""The moto server helper: a separate process that never outlives the tests that started it."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.service_process import ROOT

pytestmark = pytest.mark.server

_PARENT = (
    "from tests.support.s3_server import start_s3_server\n"
    "import time\n"
    "endpoint, _ = start_s3_server()\n"
    "print(endpoint, flush=True)\n"
    "time.sleep(120)\n"
)


def answers(endpoint: str) -> bool:
    # moto loads its backends on the first request: give it time on a busy machine.
    return httpx.get(endpoint, timeout=30).status_code == 200


def refuses_connections(endpoint: str, within: float = 15) -> bool:
    """True once nothing listens at ``endpoint`` (a refused connection), polling ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            httpx.get(endpoint, timeout=2)
        except httpx.ConnectError:
            return True
        except httpx.TransportError:
            pass  # cut off while shutting down: not gone yet
        time.sleep(0.1)
    return False


def test_the_server_exits_when_its_parent_is_killed() -> None:
    # A parent killed outright runs no cleanup: the closed stdin pipe is all the server sees.
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        endpoint = parent.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:")
        assert answers(endpoint)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    assert refuses_connections(endpoint)


def test_stop_ends_the_server_and_may_be_called_twice() -> None:
    from tests.support.s3_server import start_s3_server

    endpoint, stop = start_s3_server()
    assert answers(endpoint)
    stop()
    stop()
    assert refuses_connections(endpoint, within=1)
