"""``create_app(container)``: the Litestar application, built at start-up, never at import."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.plugins.prometheus import PrometheusController
from litestar.types import ControllerRouterHandler

from entrypoints.bootstrap import running
from entrypoints.container import Container
from entrypoints.http.assets.routes import AssetsController
from entrypoints.http.audit_routes import list_audit_events
from entrypoints.http.content.catalog_routes import ContentController
from entrypoints.http.content.creator_episodes import CreatorEpisodesController
from entrypoints.http.content.creator_series import CreatorSeriesController
from entrypoints.http.content.moderation_routes import ModerationController
from entrypoints.http.context import RequestEdge
from entrypoints.http.deps import resolve_dependencies_in_turn
from entrypoints.http.docs import docs_routes, openapi_config
from entrypoints.http.errors import exception_handlers
from entrypoints.http.hardening import (
    SKIP_RATE_LIMIT,
    admission,
    check_admission_everywhere,
    client_budgets,
)
from entrypoints.http.identity.auth_routes import AuthController
from entrypoints.http.identity.jwks import jwks
from entrypoints.http.identity.studio_routes import studio_routes
from entrypoints.http.identity.user_routes import UsersController
from entrypoints.http.media.routes import CreatorVideosController, UploadsController
from entrypoints.http.metrics import RouteMetrics, WorkerMetrics
from entrypoints.http.operations import health, ready
from entrypoints.http.playback.routes import VideoController
from entrypoints.http.subscriptions.routes import SubscriptionsController
from entrypoints.startup import announce_demo_studio, warm_up

OPS_PATHS = ["/health", "/ready", "/metrics"]


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False
    opt = {SKIP_RATE_LIMIT: True}


def _version() -> str:
    try:
        return version("studio-bridge")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


# Container providers that route handlers receive, by parameter name.
PROVIDED = (
    "check_readiness",
    "lifecycle",
    "clock",
    "persistence",
    "access_tokens",
    "cursor_codec",
    "authenticate",
    "get_current_user",
    "register",
    "login",
    "refresh",
    "logout",
    "change_password",
    "list_users",
    "get_user",
    "create_user",
    "update_user",
    "create_studio",
    "presign_upload",
    "complete_multipart_upload",
    "register_video",
    "list_own_videos",
    "get_own_studio",
    "update_studio",
    "list_audit_events",
    "create_asset",
    "get_asset",
    "list_assets",
    "update_asset",
    "review_asset",
    "delete_asset",
    "restore_asset",
    "purge_asset",
    "set_dependencies",
    "list_dependents",
    "list_all_dependents",
    "add_version",
    "list_versions",
    "get_version_download",
    "create_series",
    "get_own_series",
    "list_own_series",
    "update_series",
    "change_series_status",
    "create_episode",
    "get_own_episode",
    "list_series_episodes",
    "update_episode",
    "change_episode_status",
    "list_pending_series",
    "list_pending_episodes",
    "list_published_series",
    "get_published_series",
    "list_published_episodes",
    "get_published_episode",
    "set_subscription",
    "get_subscription",
    "list_subscription_history",
    "play_episode",
    "record_progress",
    "list_history",
    "continue_watching",
)


def _provide(container: Container) -> dict[str, Provide]:
    """Bridge container providers into Litestar's own dependency injection."""

    def bridge(provider: Any) -> Provide:
        def provide() -> Any:
            return provider()

        return Provide(provide, sync_to_thread=False)

    return {name: bridge(getattr(container, name)) for name in PROVIDED}


def media_routes(container: Container) -> list[ControllerRouterHandler]:
    """The local store's signed upload/download URLs point at the app: serve them then."""
    store = container.blob_store()
    from adapters.storage.local import LocalBlobStore

    if not isinstance(store, LocalBlobStore):
        return []
    from entrypoints.http.media.local_routes import local_media_routes

    return list(local_media_routes(store))


def create_app(
    container: Container, *, extra_routes: list[ControllerRouterHandler] | None = None
) -> Litestar:
    """The HTTP API over ``container``. ``extra_routes`` lets tests mount probes of their own."""
    settings = container.settings()
    tracing = container.tracing()

    worker = container.worker()
    metrics = RouteMetrics(
        prefix="studio_bridge", app_name="studio_bridge", excluded=frozenset(OPS_PATHS)
    )
    shared_metrics = metrics.share(worker.metrics_dir) if worker is not None else None

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            async with running(container):
                await warm_up(container)
                await announce_demo_studio(container)
                if shared_metrics is None:
                    yield
                else:
                    async with publishing(shared_metrics):
                        yield
        finally:
            if tracing is not None:
                # Flushing waits on the network: keep it off the event loop.
                await asyncio.to_thread(tracing.shutdown)

    plugins = []
    if tracing is not None:
        plugins.append(
            OpenTelemetryPlugin(
                OpenTelemetryConfig(tracer_provider=tracing.provider, exclude=OPS_PATHS)
            )
        )
    cors = None
    if settings.cors_allow_origins:
        cors = CORSConfig(
            allow_origins=list(settings.cors_allow_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "X-Request-ID",
                "traceparent",
                "Range",
                "If-Range",
                "If-Modified-Since",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "Retry-After",
                "X-Request-ID",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Content-Range",
                "Accept-Ranges",
                "Content-Length",
                "Content-Disposition",
            ],
            allow_credentials=False,
            max_age=600,
        )

    app = Litestar(
        route_handlers=[
            health,
            ready,
            MetricsController,
            *docs_routes(),
            AuthController,
            UsersController,
            jwks,
            *studio_routes(open_signup=settings.studio_signup == "open"),
            list_audit_events,
            UploadsController,
            CreatorVideosController,
            AssetsController,
            CreatorSeriesController,
            CreatorEpisodesController,
            ModerationController,
            ContentController,
            SubscriptionsController,
            VideoController,
            *media_routes(container),
            *(extra_routes or []),
        ],
        dependencies=_provide(container),
        lifespan=[lifespan],
        # No route middleware: metrics and rate limits run in the before_request hook and the
        # edge layer (a route middleware also costs every route a second exception layer).
        before_request=admission(client_budgets(settings, worker), metrics),
        exception_handlers=exception_handlers(),
        cors_config=cors,
        plugins=plugins,
        openapi_config=openapi_config(version=_version()),
        request_max_body_size=settings.max_request_body_bytes,
        logging_config=None,  # logging is configured once, by the process (JSON lines)
        debug=False,
    )
    # The edge layer must see every request, including those that match no route (Litestar's
    # route middleware never runs for them), so it wraps the app's whole handler chain.
    app.asgi_handler = RequestEdge(
        app.asgi_handler, production=settings.app_env == "production", metrics=metrics
    )
    resolve_dependencies_in_turn(app)
    check_admission_everywhere(app)
    app.state.container = container
    return app


@asynccontextmanager
async def publishing(metrics: WorkerMetrics, every_seconds: float = 1.0) -> AsyncIterator[None]:
    """Publish this worker's request metrics for the others every second, and once at the end."""

    async def publish_forever() -> None:
        while True:
            metrics.publish()
            await asyncio.sleep(every_seconds)

    task = asyncio.create_task(publish_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        metrics.publish()
