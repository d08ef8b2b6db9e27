"""``WORKERS=2``: a supervisor and two worker processes serve one port, as one service.

Real processes over real HTTP: both workers answer, a client's rate-limit budget and the
request metrics are the server's (not one worker's), a worker that dies is replaced, SIGTERM
stops everything with status 0, and workers that cannot start make the supervisor exit 1.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from entrypoints.workers import listening_socket
from tests.support.server import ROOT, free_port, running_server, server_env

pytestmark = pytest.mark.server


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _requests_total(text: str, path: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("studio_bridge_requests_total{") and f'path="{path}"' in line:
            status = line.split('status_code="')[1].split('"')[0]
            totals[status] = float(line.rsplit(" ", 1)[1])
    return totals


def _wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_the_listening_socket_is_shared_by_port_and_says_it_is_tcp() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        # asyncio turns Nagle off only on sockets whose protocol says TCP: with 0, every small
        # answer waited ~40 ms for a delayed ACK.
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1


def test_two_workers_serve_one_budget_and_one_set_of_metrics(tmp_path: Path) -> None:
    env = {"WORKERS": "2", "RATE_LIMIT_PER_MINUTE": "40"}
    with running_server(tmp_path, env) as server:
        workers = _children(server.process.pid)
        assert len(workers) == 2
        before = {pid: _cpu_ticks(pid) for pid in workers}
        # A new connection per request: the kernel spreads them over both workers.
        statuses = [httpx.get(f"{server.url}/studio").status_code for _ in range(50)]
        assert statuses == [401] * 40 + [429] * 10  # one budget for the client, not one each
        assert {pid for pid in workers if _cpu_ticks(pid) > before[pid]} == workers

        def every_scrape_counts_all() -> bool:
            scrapes = [httpx.get(f"{server.url}/metrics").text for _ in range(6)]
            return all(
                _requests_total(text, "/studio") == {"401": 40.0, "429": 10.0} for text in scrapes
            )

        _wait_for(every_scrape_counts_all)  # the other worker's numbers are at most 1 s old
        assert server.terminate() == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    lines = server.log_lines()
    assert sum('"worker 0 started' in line or '"worker 1 started' in line for line in lines) == 2
    # The supervisor forks before any thread exists (Python warns when it does not).
    assert not any("multi-threaded" in line for line in server.stderr_lines())


def test_a_dead_worker_is_replaced_and_sigterm_stops_every_worker(tmp_path: Path) -> None:
    with running_server(tmp_path, {"WORKERS": "2"}) as server:
        first = _children(server.process.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: len(_children(server.process.pid) - {victim}) == 2)
        replacement = _children(server.process.pid) - first
        assert len(replacement) == 1
        assert all(httpx.get(f"{server.url}/health").status_code == 200 for _ in range(20))
        assert server.terminate() == 0
    assert any("exited with status -9; starting another" in line for line in server.log_lines())
    assert not any(Path(f"/proc/{pid}").exists() for pid in first | replacement)


def test_workers_that_cannot_start_make_the_supervisor_exit_1(tmp_path: Path) -> None:
    (tmp_path / "var" / "studio.db").mkdir(parents=True)  # the store cannot be opened
    port = free_port()
    finished = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli.main", "serve"],
        cwd=tmp_path,
        env={**server_env(tmp_path, port, {"WORKERS": "2"}), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1
    assert "workers keep failing at start" in finished.stdout


def test_a_port_another_server_holds_is_refused_not_shared(tmp_path: Path) -> None:
    # SO_REUSEPORT would let the workers share a port with another server of the same user
    # (a second instance started by mistake) and split its clients: refused like one process.
    with listening_socket("127.0.0.1", 0) as other:
        port = other.getsockname()[1]
        finished = subprocess.run(
            [sys.executable, "-m", "entrypoints.cli.main", "serve"],
            cwd=tmp_path,
            env={**server_env(tmp_path, port, {"WORKERS": "2"}), "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert finished.returncode == 1
    assert f"cannot serve 127.0.0.1:{port}: Address already in use" in finished.stdout
    assert "worker 0 started" not in finished.stdout
