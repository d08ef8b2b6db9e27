"""Operations endpoints, response headers, CORS and the API reference, in process."""

import asyncio
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import get
from litestar.params import FromPath
from litestar.testing import TestClient

from application.operations.readiness import CheckReadinessHandler

ClientFactory = Callable[..., TestClient[Any]]

HELMET_HEADERS = {
    "content-security-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "origin-agent-cluster",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-dns-prefetch-control",
    "x-download-options",
    "x-frame-options",
    "x-permitted-cross-domain-policies",
    "x-xss-protection",
}


@get("/widgets/{widget_id:str}", sync_to_thread=False)
def widget(widget_id: FromPath[str]) -> dict[str, str]:
    if widget_id == "boom":
        raise RuntimeError("boom")
    return {"id": widget_id}


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient[Any]:
    return make_client(extra_routes=[widget])


def break_data_dir(tmp_path: Path) -> None:
    """Replace the data folder by a file, after the service has started on it."""
    data_dir = tmp_path / "var"
    shutil.rmtree(data_dir)
    data_dir.write_text("a file where the data folder should be")


def test_health_answers_without_touching_dependencies(
    client: TestClient[Any], tmp_path: Path
) -> None:
    break_data_dir(tmp_path)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"data": {"status": "ok"}}


def test_ready_lists_each_dependency(client: TestClient[Any]) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "status": "ready",
            "checks": {"data_dir": "ok", "sqlite": "ok", "media_dir": "ok"},
        }
    }


def test_ready_is_503_naming_the_dependency_that_is_down(
    client: TestClient[Any], tmp_path: Path
) -> None:
    break_data_dir(tmp_path)
    response = client.get("/ready")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert "data_dir" in error["message"]
    assert error["details"]["checks"]["data_dir"] != "ok"
    # The store's file went with the folder: it is reported too, with its own reason.
    assert error["details"]["checks"]["sqlite"] != "ok"


def test_the_store_is_named_in_readiness_when_it_is_mongodb(
    make_client: ClientFactory, mongo_uri: str
) -> None:
    database = f"ready_{uuid.uuid4().hex[:8]}"
    client = make_client(MONGODB_URI=mongo_uri, MONGODB_DATABASE=database)
    checks = client.get("/ready").json()["data"]["checks"]
    assert checks == {"data_dir": "ok", "mongodb": "ok", "media_dir": "ok"}


class _HangingProbe:
    name = "slow_store"

    async def check(self) -> None:
        await asyncio.sleep(30)


class _FineProbe:
    name = "fine"

    async def check(self) -> None:
        return None


def test_a_probe_slower_than_the_timeout_makes_the_service_not_ready() -> None:
    report = asyncio.run(CheckReadinessHandler([_HangingProbe(), _FineProbe()], timeout=0.05)())
    assert not report.ready
    by_name = {check.name: check for check in report.checks}
    assert by_name["slow_store"].detail == "no answer within 0.05s"
    assert by_name["fine"].ok


def test_every_response_carries_security_headers_and_a_request_id(
    client: TestClient[Any],
) -> None:
    for response in (
        client.get("/health"),
        client.get("/no/such/route"),
        client.delete("/health"),
        client.get("/widgets/boom"),
    ):
        assert set(response.headers) >= HELMET_HEADERS, response.request.url
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        assert "server" not in response.headers
    csp = client.get("/health").headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "object-src 'none'" in csp


def test_well_formed_request_id_is_echoed(client: TestClient[Any]) -> None:
    response = client.get("/no/such/route", headers={"X-Request-ID": "req-2026.11.21:abc"})
    assert response.headers["x-request-id"] == "req-2026.11.21:abc"
    assert response.json()["error"]["correlationId"] == "req-2026.11.21:abc"


@pytest.mark.parametrize("bad", ["has spaces in it", "x" * 300, "short", "<script>alert</script>"])
def test_malformed_request_id_is_replaced(client: TestClient[Any], bad: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_incoming_traceparent_is_continued(client: TestClient[Any]) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = client.get("/health", headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    assert response.headers["x-request-id"] == trace_id


def test_cors_is_off_unless_origins_are_listed(client: TestClient[Any]) -> None:
    response = client.get("/health", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_answers_listed_origins_only(make_client: ClientFactory) -> None:
    client = make_client(CORS_ALLOW_ORIGINS="https://studio.example.com")
    preflight = client.options(
        "/health",
        headers={
            "Origin": "https://studio.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "https://studio.example.com"
    simple = client.get("/health", headers={"Origin": "https://studio.example.com"})
    assert simple.headers["access-control-allow-origin"] == "https://studio.example.com"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    other = client.get("/health", headers={"Origin": "https://evil.example.com"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example.com"
    assert other.headers.get("access-control-allow-origin") != "*"


def test_metrics_count_and_time_requests_by_method_route_template_and_status(
    client: TestClient[Any],
) -> None:
    for widget_id in ("a", "b", "c"):
        client.get(f"/widgets/{widget_id}")
    client.get("/widgets/boom")
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()

    def series(metric: str, status: str) -> list[str]:
        return [
            line
            for line in lines
            if line.startswith(metric + "{")
            and 'method="GET"' in line
            and 'path="/widgets/{widget_id}"' in line
            and f'status_code="{status}"' in line
        ]

    counted = series("studio_bridge_requests_total", "200")
    assert len(counted) == 1
    assert float(counted[0].rsplit(" ", 1)[1]) >= 3
    assert series("studio_bridge_requests_total", "500")
    assert series("studio_bridge_request_duration_seconds_bucket", "200")
    # One series per route template, never one per id.
    assert not any('path="/widgets/a"' in line for line in lines)


def test_openapi_document_describes_the_operations(client: TestClient[Any]) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/health", "/ready"} <= set(document["paths"])


def test_docs_page_loads_nothing_from_other_hosts(client: TestClient[Any]) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references
    assert all(ref.startswith("/docs/assets/") for ref in references), references
    assert "<script>" not in page.text.replace(" ", "")  # no inline script under the CSP
    for ref in references:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 100


def test_media_may_be_embedded_across_origins_the_api_may_not(client: TestClient[Any]) -> None:
    # A <video> on the front end's origin loads /media/download: CORP must allow it there.
    media = client.get("/media/download", params={"token": "not-a-token"})
    assert media.status_code == 403
    assert media.headers["cross-origin-resource-policy"] == "cross-origin"
    assert client.get("/health").headers["cross-origin-resource-policy"] == "same-origin"
