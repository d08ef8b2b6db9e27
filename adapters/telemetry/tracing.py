"""Traces over OTLP/HTTP, when an endpoint is configured."""

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


class OtlpTracing:
    """Owns a tracer provider that batches spans to an OTLP/HTTP receiver.

    ``shutdown()`` flushes what is still queued; it blocks, so async callers run it in a thread.
    """

    def __init__(self, *, service_name: str, traces_endpoint: str, environment: str) -> None:
        resource = Resource.create(
            {"service.name": service_name, "deployment.environment": environment}
        )
        self.provider = TracerProvider(resource=resource)
        self.provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_endpoint, timeout=5))
        )

    def shutdown(self) -> None:
        self.provider.force_flush(timeout_millis=5000)
        self.provider.shutdown()
