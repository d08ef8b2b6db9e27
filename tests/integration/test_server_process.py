"""The real server process: error contract over the wire, logs, readiness, graceful shutdown."""

import json
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.server

SECRET_JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLXRoYXQtaXMtc2VjcmV0"


def json_lines(server: ServerProcess) -> list[dict[str, Any]]:
    records = []
    for line in server.log_lines():
        if line.strip():
            records.append(json.loads(line))  # every line the server writes is JSON
    return records


def access_record(server: ServerProcess, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for record in json_lines(server):
            if record.get("logger") == "studio_bridge.access" and (
                record.get("request_id") == request_id
            ):
                return record
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {request_id}:\n" + "\n".join(server.log_lines()))


def assert_contract(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["correlationId"] == response.headers["x-request-id"]
    assert "x-content-type-options" in response.headers
    return error


def test_error_contract_over_real_http(tmp_path: Path) -> None:
    with (
        running_server(tmp_path, {"MAX_REQUEST_BODY_BYTES": "4096"}, faulty=True) as server,
        server.client() as client,
    ):
        assert_contract(client.get("/no/such/page"), 404, "not_found")
        assert client.post("/_test/echo", json={"small": True}).json() == {"small": True}
        declared = client.post(
            "/_test/echo",
            content=b"[" + b"1," * 5000 + b"1]",
            headers={"content-type": "application/json"},
        )
        assert_contract(declared, 413, "payload_too_large")
        streamed = client.post(
            "/_test/echo",
            content=iter([b"[" + b"1," * 4000, b"1," * 4000 + b"1]"]),  # chunked: no length given
            headers={"content-type": "application/json"},
        )
        assert_contract(streamed, 413, "payload_too_large")
        crash = client.get("/_test/boom")
        assert_contract(crash, 500, "internal_error")
        assert "hunter2" not in crash.text
        assert "Traceback" not in crash.text
        assert "SecretLeakError" not in crash.text

        # The 500 is logged with its trace (scrubbed of the secret it carried).
        request_id = crash.headers["x-request-id"]
        errors = [
            r
            for r in json_lines(server)
            if r.get("level") == "error" and r.get("request_id") == request_id
        ]
        assert errors, server.log_lines()
        assert "SecretLeakError" in errors[0]["exception"]
        assert "Traceback" in errors[0]["exception"]
        assert "hunter2" not in json.dumps(errors)


def test_one_json_access_line_per_request_and_no_secret_in_any(tmp_path: Path) -> None:
    with running_server(tmp_path) as server, server.client() as client:
        response = client.get(
            "/ready",
            params={"token": "query-secret-value", "password": "pw-in-query"},
            headers={
                "Authorization": f"Bearer {SECRET_JWT}",
                "X-Request-ID": "client-chosen-id-0001",
                "Cookie": "session=cookie-secret-value",
            },
        )
        assert response.headers["x-request-id"] == "client-chosen-id-0001"
        record = access_record(server, "client-chosen-id-0001")
        assert record["method"] == "GET"
        assert record["route"] == "/ready"
        assert record["status"] == 200
        assert isinstance(record["duration_ms"], float)
        assert record["level"] == "info"
        missing = client.get("/nowhere/" + SECRET_JWT)
        unrouted = access_record(server, missing.headers["x-request-id"])
        assert unrouted["status"] == 404
        assert "route" not in unrouted  # no template matched
        assert unrouted["error_code"] == "not_found"
        everything = server.output()
        for secret in (SECRET_JWT, "query-secret-value", "pw-in-query", "cookie-secret-value"):
            assert secret not in everything


def test_ready_reports_a_dependency_that_goes_down(tmp_path: Path) -> None:
    with running_server(tmp_path) as server, server.client() as client:
        assert client.get("/ready").status_code == 200
        data_dir = tmp_path / "var"
        shutil.rmtree(data_dir)
        data_dir.write_text("the data folder is gone; a file took its place")
        response = client.get("/ready")
        error = assert_contract(response, 503, "not_ready")
        assert error["details"]["checks"]["data_dir"] != "ok"
        assert client.get("/health").status_code == 200  # alive, just not ready


def test_sigterm_drains_then_exits_zero(tmp_path: Path) -> None:
    env = {"SHUTDOWN_DRAIN_SECONDS": "1.5", "SHUTDOWN_TIMEOUT_SECONDS": "20"}
    with running_server(tmp_path, env, faulty=True) as server:
        slow_result: dict[str, Any] = {}

        def slow_request() -> None:
            try:
                slow = httpx.get(server.url + "/_test/slow", params={"seconds": 3}, timeout=30)
                slow_result["status"] = slow.status_code
                slow_result["body"] = slow.json()
            except Exception as exc:  # recorded and asserted below
                slow_result["error"] = repr(exc)

        worker = threading.Thread(target=slow_request)
        worker.start()
        time.sleep(0.5)  # the slow request is in flight
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)

        # Draining: still serving, but no longer ready.
        ready = httpx.get(server.url + "/ready", timeout=5)
        assert_contract(ready, 503, "draining")
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200

        worker.join(timeout=30)
        assert slow_result == {"status": 200, "body": {"slept": 3.0}}
        assert server.process.wait(timeout=30) == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.url + "/health", timeout=2)
        messages = [r.get("message", "") for r in json_lines(server)]
        assert "Application shutdown complete." in messages


def test_sigint_stops_without_the_drain_delay(tmp_path: Path) -> None:
    with running_server(tmp_path, {"SHUTDOWN_DRAIN_SECONDS": "60"}) as server:
        started = time.monotonic()
        assert server.terminate(signal.SIGINT, timeout=20) == 0
        assert time.monotonic() - started < 10


def test_rate_limit_keys_on_the_socket_peer_unless_the_proxy_is_trusted(tmp_path: Path) -> None:
    limited = {"RATE_LIMIT_PER_MINUTE": "2"}
    with running_server(tmp_path, limited, faulty=True) as server, server.client() as client:
        # Untrusted peer: a forged X-Forwarded-For does not buy a fresh budget.
        statuses = [
            client.get(
                "/_test/slow", params={"seconds": 0}, headers={"X-Forwarded-For": ip}
            ).status_code
            for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3")
        ]
        assert statuses == [200, 200, 429]
        assert int(client.get("/_test/slow").headers["retry-after"]) >= 1

    trusted = {**limited, "TRUSTED_PROXIES": "127.0.0.1"}
    with running_server(tmp_path, trusted, faulty=True) as server, server.client() as client:
        # Behind a trusted proxy each real client has its own budget.
        def call(ip: str) -> int:
            return client.get(
                "/_test/slow", params={"seconds": 0}, headers={"X-Forwarded-For": ip}
            ).status_code

        assert [call("203.0.113.1") for _ in range(3)] == [200, 200, 429]
        assert [call("203.0.113.2") for _ in range(2)] == [200, 200]
        lines = [r for r in json_lines(server) if r.get("logger") == "studio_bridge.access"]
        assert {"203.0.113.1", "203.0.113.2"} <= {r.get("client") for r in lines}
