"""The composition root: the only place that chooses adapters."""

from dependency_injector import containers, providers

from adapters.system.clock import SystemClock
from adapters.system.data_dir import DataDirectoryProbe
from adapters.telemetry.tracing import OtlpTracing
from application.operations.readiness import CheckReadinessHandler
from entrypoints.lifecycle import Lifecycle
from entrypoints.settings import Settings


def _tracing(settings: Settings) -> OtlpTracing | None:
    endpoint = settings.otlp_traces_endpoint
    if endpoint is None:
        return None
    return OtlpTracing(
        service_name=settings.otel_service_name,
        traces_endpoint=endpoint,
        environment=settings.app_env,
    )


class Container(containers.DeclarativeContainer):
    """Every long-lived object of the service, built lazily from ``settings``."""

    settings = providers.Dependency(instance_of=Settings)

    lifecycle = providers.Singleton(Lifecycle)
    clock = providers.Singleton(SystemClock)
    tracing = providers.Singleton(_tracing, settings)

    data_dir_probe = providers.Singleton(DataDirectoryProbe, path=settings.provided.data_dir)
    dependency_probes = providers.List(data_dir_probe)

    check_readiness = providers.Factory(
        CheckReadinessHandler,
        probes=dependency_probes,
        timeout=settings.provided.ready_timeout_seconds,
    )
