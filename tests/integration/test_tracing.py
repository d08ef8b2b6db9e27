"""Traces leave over OTLP/HTTP, continue the caller's trace, and are flushed on shutdown."""

import signal
from pathlib import Path

import pytest

from tests.support.otlp import otlp_receiver
from tests.support.server import running_server

pytestmark = pytest.mark.server


def test_request_span_reaches_the_receiver_with_the_request_id_as_trace_id(
    tmp_path: Path,
) -> None:
    caller_trace = "0af7651916cd43dd8448eb211c80319c"
    caller_span = "b7ad6b7169203331"
    with otlp_receiver() as receiver:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_SERVICE_NAME": "studio-bridge-under-test",
        }
        with running_server(tmp_path, env, faulty=True) as server, server.client() as client:
            fresh = client.get("/_test/slow", params={"seconds": 0})
            continued = client.get(
                "/_test/slow",
                params={"seconds": 0},
                headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"},
            )
            missing = client.get("/no/such/route")
            # Spans are batched: only the flush at shutdown can have sent them this soon.
            assert server.terminate(signal.SIGTERM) == 0

        spans = receiver.received()
        server_spans = [s for s in spans if s.parent_span_id == "" or s.trace_id == caller_trace]
        assert spans, "no span reached the OTLP receiver"
        assert {s.service_name for s in spans} == {"studio-bridge-under-test"}

        fresh_id = fresh.headers["x-request-id"]
        assert any(s.trace_id == fresh_id and s.parent_span_id == "" for s in spans), spans

        assert continued.headers["x-request-id"] == caller_trace
        continued_spans = [s for s in server_spans if s.trace_id == caller_trace]
        assert any(s.parent_span_id == caller_span for s in continued_spans), continued_spans
        route_span = next(s for s in continued_spans if s.parent_span_id == caller_span)
        assert route_span.name.startswith("GET")

        # Requests that match no route are traced too, under their own request id.
        assert any(s.trace_id == missing.headers["x-request-id"] for s in spans)
