"""Identity targets' helpers: sign in as the demo admin; keep logins running in the background."""

import statistics
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from bench.processes import BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD
from bench.targets import SetupContext

LOGIN_THREADS = 8


def _login(client: httpx.Client) -> httpx.Response:
    return client.post(
        "/auth/login", json={"email": BENCH_ADMIN_EMAIL, "password": BENCH_ADMIN_PASSWORD}
    )


def sign_in_as_admin(context: SetupContext) -> Mapping[str, str]:
    """The demo studio's admin (seeded from BOOTSTRAP_ADMIN_*): a bearer header for wrk."""
    with httpx.Client(base_url=context.base_url, timeout=30) as client:
        response = _login(client)
        response.raise_for_status()
        token = response.json()["data"]["accessToken"]
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def logins_in_background(context: SetupContext, figures: dict[str, Any]) -> Iterator[None]:
    """``LOGIN_THREADS`` clients signing in back to back (real argon2id) while wrk runs."""
    stop = threading.Event()
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def sign_in_repeatedly() -> None:
        with httpx.Client(base_url=context.base_url, timeout=60) as client:
            while not stop.is_set():
                started = time.perf_counter()
                status = _login(client).status_code
                took = time.perf_counter() - started
                with lock:
                    if status == 200:
                        latencies.append(took)
                    else:
                        failures.append(status)

    threads = [threading.Thread(target=sign_in_repeatedly) for _ in range(LOGIN_THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - started
        p50 = round(statistics.median(latencies) * 1000, 1) if latencies else None
        figures.update(
            {
                "concurrent_logins": LOGIN_THREADS,
                "logins": len(latencies),
                "logins_per_s": round(len(latencies) / elapsed, 2),
                "login_p50_ms": p50,
                "login_failures": len(failures),
            }
        )
