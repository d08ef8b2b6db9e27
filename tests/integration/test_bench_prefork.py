"""The benchmark's process-model diagnostic (``bench/prefork.py``) serves from every worker and
stops them all, or ``python -m bench --sections assets --workers N`` would measure something
else than N processes serving (issue 6's notes quote its figures)."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.prefork import listening_socket
from tests.support.server import ROOT, free_port, server_env


def test_the_listening_socket_is_shared_by_port_and_says_it_is_tcp() -> None:
    sock = listening_socket("127.0.0.1", 0)
    with sock:
        # asyncio turns Nagle off only on sockets whose protocol is TCP: with 0, every small
        # answer waited ~40 ms for a delayed ACK.
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1


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


def test_two_workers_serve_the_service_and_all_stop_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**server_env(tmp_path, port), "PYTHONPATH": str(ROOT), "SHUTDOWN_DRAIN_SECONDS": "0"}
    log = (tmp_path / "out.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.prefork", "--workers=2", "service"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        workers = {process.pid, *_children(process.pid)}
        assert len(workers) == 2
        before = {pid: _cpu_ticks(pid) for pid in workers}
        # A new connection per request: the kernel spreads connections over the workers.
        statuses = [httpx.get(f"{url}/health", timeout=5).status_code for _ in range(200)]
        assert statuses == [200] * 200
        busy = {pid for pid in workers if _cpu_ticks(pid) > before[pid]}
        assert busy == workers  # both served
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        log.close()
    assert code == 0, (tmp_path / "out.log").read_text()
    for pid in workers - {process.pid}:
        assert not Path(f"/proc/{pid}").exists()  # stopped and reaped by the parent
