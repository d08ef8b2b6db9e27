"""The composition root: the only place that chooses adapters."""

from dependency_injector import containers, providers

from adapters.persistence.sqlite.persistence import SqlitePersistence
from adapters.system.clock import SystemClock
from adapters.system.data_dir import DataDirectoryProbe
from adapters.system.ids import UuidV7Generator
from adapters.telemetry.tracing import OtlpTracing
from application.operations.readiness import CheckReadinessHandler, PersistenceProbe
from application.shared.ports import Persistence
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


def _persistence(settings: Settings) -> Persistence:
    """MongoDB when ``MONGODB_URI`` is set, else the embedded SQLite file under ``DATA_DIR``."""
    if settings.mongodb_uri:
        # Imported only when chosen: a SQLite deployment never loads the MongoDB driver.
        from adapters.persistence.mongo.persistence import MongoPersistence

        concern = settings.mongodb_write_concern
        return MongoPersistence(
            settings.mongodb_uri,
            database=settings.mongodb_database,
            write_concern=int(concern) if concern.isdigit() else concern,
        )
    return SqlitePersistence(settings.sqlite_path)


def _store_name(settings: Settings) -> str:
    return "mongodb" if settings.mongodb_uri else "sqlite"


class Container(containers.DeclarativeContainer):
    """Every long-lived object of the service, built lazily from ``settings``.

    Objects with a lifetime (the store) are started and closed by ``bootstrap.running()``,
    which the HTTP app's lifespan, the CLI and internal tools use.
    """

    settings = providers.Dependency(instance_of=Settings)

    lifecycle = providers.Singleton(Lifecycle)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidV7Generator)
    tracing = providers.Singleton(_tracing, settings)
    persistence = providers.Singleton(_persistence, settings)

    data_dir_probe = providers.Singleton(DataDirectoryProbe, path=settings.provided.data_dir)
    persistence_probe = providers.Singleton(
        PersistenceProbe, persistence=persistence, name=providers.Callable(_store_name, settings)
    )
    dependency_probes = providers.List(data_dir_probe, persistence_probe)

    check_readiness = providers.Factory(
        CheckReadinessHandler,
        probes=dependency_probes,
        timeout=settings.provided.ready_timeout_seconds,
    )
