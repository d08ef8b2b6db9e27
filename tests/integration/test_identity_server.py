"""Identity on the real server process: real HTTP, real argon2id, the first admin's password."""

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.server

ADMIN_EMAIL = "owner@demo.example.com"
ADMIN_PASSWORD = "tangerine-lighthouse-ferry-31"
GENERATED = re.compile(r"Generated admin password \(shown once\): (?P<password>\S+)")
LOGINS = 8


def sign_in(server: ServerProcess, email: str, password: str) -> dict[str, Any]:
    with server.client() as client:
        response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()["data"]
    return session


def test_the_admin_signs_in_over_http(tmp_path: Path) -> None:
    env = {"BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with running_server(tmp_path, env) as server, server.client() as client:
        session = sign_in(server, ADMIN_EMAIL, ADMIN_PASSWORD)
        me = client.get("/auth/me", headers={"Authorization": f"Bearer {session['accessToken']}"})
        assert me.status_code == 200, me.text
        assert (me.json()["data"]["email"], me.json()["data"]["role"]) == (ADMIN_EMAIL, "admin")
        wrong = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": "nope-nope-1"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"].startswith("Bearer realm=")


def test_health_keeps_answering_while_logins_hash_passwords(tmp_path: Path) -> None:
    env = {"BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with running_server(tmp_path, env) as server:
        logins: list[int | str] = []
        samples: list[tuple[int | str, float]] = []
        done = threading.Event()
        start = threading.Barrier(LOGINS + 1, timeout=30)

        def login() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                start.wait()
                body = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
                try:
                    logins.append(client.post("/auth/login", json=body).status_code)
                except httpx.HTTPError as exc:
                    logins.append(repr(exc))

        def sample_health() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                start.wait()
                while not done.is_set():
                    began = time.perf_counter()
                    try:
                        status: int | str = client.get("/health").status_code
                    except httpx.HTTPError as exc:
                        status = repr(exc)
                    samples.append((status, time.perf_counter() - began))
                    time.sleep(0.02)

        sampler = threading.Thread(target=sample_health)
        workers = [threading.Thread(target=login) for _ in range(LOGINS)]
        sampler.start()
        began = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        elapsed = time.perf_counter() - began
        done.set()
        sampler.join(timeout=30)

    assert logins == [200] * LOGINS
    # The logins took a while (real argon2id, queued behind one hashing slot) ...
    assert elapsed > 0.5, elapsed
    assert len(samples) >= 5, samples
    # ... and meanwhile every /health answered, promptly: the event loop was never blocked.
    assert all(status == 200 for status, _ in samples), samples
    slowest = max(latency for _, latency in samples)
    assert slowest < 1.0, f"slowest /health took {slowest:.3f}s during {elapsed:.2f}s of logins"


def test_a_generated_admin_password_is_shown_once_and_never_logged(tmp_path: Path) -> None:
    env = {"BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "BOOTSTRAP_ADMIN_PASSWORD": ""}
    with running_server(tmp_path, env) as server:
        shown = server.stderr_lines()
        found = [m["password"] for line in shown if (m := GENERATED.search(line))]
        assert len(found) == 1, server.output()
        password = found[0]
        assert len(password) >= 12
        sign_in(server, ADMIN_EMAIL, password)
        assert sum(password in line for line in shown) == 1
        for line in server.log_lines():  # every log line is JSON, and none has the password
            record = json.loads(line)
            assert password not in json.dumps(record)
            assert password not in line

    # The same store (DATA_DIR under tmp_path) started again: its admin already exists.
    with running_server(tmp_path, env) as restarted:
        session = sign_in(restarted, ADMIN_EMAIL, password)
        assert session["user"]["role"] == "admin"
        lines = [*restarted.log_lines(), *restarted.stderr_lines()]
        assert not any(GENERATED.search(line) for line in lines), lines
        assert not any(password in line for line in lines)
