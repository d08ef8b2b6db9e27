"""The composition root: the only place that chooses adapters."""

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from dependency_injector import containers, providers

if TYPE_CHECKING:
    from entrypoints.workers import WorkerSlot

from adapters.persistence.sqlite.persistence import SqlitePersistence
from adapters.security.argon2 import Argon2PasswordHasher
from adapters.security.common_passwords import BundledCommonPasswords
from adapters.security.derive import derive_secret
from adapters.security.jwt import JwtAccessTokens
from adapters.security.keys import (
    SigningKey,
    hs256_key,
    load_or_create_signing_key,
    load_signing_key,
    load_verification_key,
)
from adapters.security.secrets import UrlSafeSecretTokens
from adapters.system.clock import SystemClock
from adapters.system.data_dir import DataDirectoryProbe
from adapters.system.ids import UuidV7Generator
from adapters.telemetry.logging import log_context
from adapters.telemetry.playback_metrics import PrometheusPlaybackMetrics
from adapters.telemetry.tracing import OtlpTracing
from application.assets.catalogue import (
    CreateAssetHandler,
    DeleteAssetHandler,
    GetAssetHandler,
    ListAssetsHandler,
    PurgeAssetHandler,
    RestoreAssetHandler,
    ReviewAssetHandler,
    UpdateAssetHandler,
)
from application.assets.dependencies import (
    ListAllDependentsHandler,
    ListDependentsHandler,
    SetDependenciesHandler,
)
from application.assets.versions import (
    AddVersionHandler,
    GetVersionDownloadHandler,
    ListVersionsHandler,
)
from application.audit.list_events import ListAuditEventsHandler
from application.audit.trail import AuditTrail
from application.content.catalog import (
    GetPublishedEpisodeHandler,
    GetPublishedSeriesHandler,
    ListPublishedEpisodesHandler,
    ListPublishedSeriesHandler,
)
from application.content.episodes import (
    CreateEpisodeHandler,
    GetOwnEpisodeHandler,
    ListSeriesEpisodesHandler,
    UpdateEpisodeHandler,
)
from application.content.moderation import ListPendingEpisodesHandler, ListPendingSeriesHandler
from application.content.series import (
    CreateSeriesHandler,
    GetOwnSeriesHandler,
    ListOwnSeriesHandler,
    UpdateSeriesHandler,
)
from application.content.status import ChangeEpisodeStatusHandler, ChangeSeriesStatusHandler
from application.identity.accounts import Accounts
from application.identity.authenticate import AuthenticateHandler, GetCurrentUserHandler
from application.identity.login import LoginHandler
from application.identity.password import ChangePasswordHandler
from application.identity.refresh import LogoutHandler, RefreshHandler
from application.identity.register import RegisterHandler
from application.identity.signing_in import SessionIssuer
from application.identity.studios import (
    CreateStudioHandler,
    EnsureDemoStudioHandler,
    GetOwnStudioHandler,
    UpdateStudioHandler,
)
from application.identity.user_states import UserStateCache
from application.identity.users import (
    CreateUserHandler,
    GetUserHandler,
    ListUsersHandler,
    UpdateUserHandler,
)
from application.media.ports import BlobStore
from application.media.uploads import (
    CompleteMultipartUploadHandler,
    PresignUploadHandler,
    SweepUploadsHandler,
)
from application.media.videos import ListOwnVideosHandler, RegisterVideoHandler
from application.operations.readiness import (
    BlobStoreProbe,
    CheckReadinessHandler,
    PersistenceProbe,
)
from application.playback.play import PlayEpisodeHandler
from application.playback.progress import (
    ContinueWatchingHandler,
    ListHistoryHandler,
    ProgressThrottle,
    RecordProgressHandler,
)
from application.shared.ports import Persistence
from application.subscriptions.manage import (
    GetSubscriptionHandler,
    ListSubscriptionHistoryHandler,
    SetSubscriptionHandler,
    StoredSubscriptions,
)
from domain.media.model import (
    ASSET_VERSION_TYPES,
    VIDEO_TYPES,
    UploadPolicy,
    UploadPurpose,
)
from domain.shared.paging import CursorCodec
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
    return SqlitePersistence(settings.sqlite_path, cache_mib=settings.sqlite_cache_mib)


def _blob_store(settings: Settings, signing_key: SigningKey) -> BlobStore:
    """S3 (or any S3-compatible store) when ``S3_BUCKET`` is set, else ``DATA_DIR/media``."""
    if settings.s3_bucket:
        from adapters.storage.s3 import S3BlobStore  # loaded only when chosen

        return S3BlobStore(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            public_endpoint_url=settings.s3_public_endpoint_url,
            region=settings.s3_region,
            multipart_threshold=settings.s3_multipart_threshold_bytes,
            part_size=settings.s3_part_size_bytes,
        )
    from adapters.storage.local import LocalBlobStore

    return LocalBlobStore(
        settings.data_dir / "media",
        base_url=settings.media_base_url,
        secret=derive_secret(signing_key, "media-urls"),
    )


def _upload_policies(settings: Settings) -> dict[UploadPurpose, UploadPolicy]:
    return {
        UploadPurpose.VIDEO: UploadPolicy(
            content_types=VIDEO_TYPES, max_size=settings.max_video_bytes
        ),
        UploadPurpose.ASSET_VERSION: UploadPolicy(
            content_types=ASSET_VERSION_TYPES, max_size=settings.max_asset_version_bytes
        ),
    }


def _store_name(settings: Settings) -> str:
    return "mongodb" if settings.mongodb_uri else "sqlite"


def _signing_key(settings: Settings) -> SigningKey:
    """The configured key, or the embedded default generated under ``DATA_DIR/keys``."""
    if settings.jwt_algorithm == "HS256":
        assert settings.jwt_secret is not None  # settings refuse HS256 without a secret
        return hs256_key(settings.jwt_secret.encode())
    if settings.jwt_private_key_file is not None:
        return load_signing_key(settings.jwt_private_key_file)
    return load_or_create_signing_key(settings.data_dir / "keys")


def _access_tokens(settings: Settings, signing_key: SigningKey) -> JwtAccessTokens:
    return JwtAccessTokens(
        signing_key,
        [load_verification_key(Path(path)) for path in settings.jwt_verification_key_files],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )


def _cursor_codec(signing_key: SigningKey) -> CursorCodec:
    # Derived from the signing key: every replica shares it without another setting.
    return CursorCodec(derive_secret(signing_key, "list-cursors"))


def _correlation_id() -> str | None:
    """The current request's id (the audit trail records it), if a request is being served."""
    fields = log_context.get()
    if fields is None:
        return None
    value = fields().get("request_id")
    return None if value is None else str(value)


class Container(containers.DeclarativeContainer):
    """Every long-lived object of the service, built lazily from ``settings``.

    Objects with a lifetime (the store) are started and closed by ``bootstrap.running()``,
    which the HTTP app's lifespan, the CLI and internal tools use.
    """

    settings = providers.Dependency(instance_of=Settings)
    # This process's place among the server's workers (``WORKERS`` > 1); None when alone.
    worker: "providers.Object[WorkerSlot | None]" = providers.Object(None)

    lifecycle = providers.Singleton(Lifecycle)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidV7Generator)
    tracing = providers.Singleton(_tracing, settings)
    persistence = providers.Singleton(_persistence, settings)

    data_dir_probe = providers.Singleton(DataDirectoryProbe, path=settings.provided.data_dir)
    persistence_probe = providers.Singleton(
        PersistenceProbe, persistence=persistence, name=providers.Callable(_store_name, settings)
    )

    # Credentials
    password_hasher = providers.Singleton(
        Argon2PasswordHasher, concurrency=settings.provided.password_hash_concurrency
    )
    common_passwords = providers.Singleton(BundledCommonPasswords)
    secrets = providers.Singleton(UrlSafeSecretTokens)
    signing_key = providers.Singleton(_signing_key, settings)
    access_tokens = providers.Singleton(_access_tokens, settings, signing_key)
    cursor_codec = providers.Singleton(_cursor_codec, signing_key)
    audit_trail = providers.Singleton(
        AuditTrail, ids=ids, correlation_id=providers.Object(_correlation_id)
    )
    accounts = providers.Singleton(
        Accounts,
        hasher=password_hasher,
        common_passwords=common_passwords,
        secrets=secrets,
        ids=ids,
    )
    session_issuer = providers.Singleton(
        SessionIssuer,
        access_tokens=access_tokens,
        secrets=secrets,
        ids=ids,
        refresh_ttl=providers.Callable(
            lambda days: timedelta(days=days), settings.provided.refresh_token_ttl_days
        ),
    )

    user_states = providers.Singleton(
        UserStateCache,
        ttl=providers.Callable(
            lambda seconds: timedelta(seconds=seconds), settings.provided.user_state_cache_seconds
        ),
    )

    # Identity use cases
    authenticate = providers.Factory(
        AuthenticateHandler,
        persistence=persistence,
        access_tokens=access_tokens,
        clock=clock,
        user_states=user_states,
    )
    get_current_user = providers.Factory(GetCurrentUserHandler, persistence=persistence)
    register = providers.Factory(
        RegisterHandler,
        persistence=persistence,
        accounts=accounts,
        issuer=session_issuer,
        audit=audit_trail,
        clock=clock,
        default_studio=settings.provided.default_studio,
    )
    login = providers.Factory(
        LoginHandler,
        persistence=persistence,
        hasher=password_hasher,
        issuer=session_issuer,
        audit=audit_trail,
        clock=clock,
        default_studio=settings.provided.default_studio,
    )
    refresh = providers.Factory(
        RefreshHandler,
        persistence=persistence,
        issuer=session_issuer,
        audit=audit_trail,
        clock=clock,
    )
    logout = providers.Factory(
        LogoutHandler, persistence=persistence, issuer=session_issuer, clock=clock
    )
    change_password = providers.Factory(
        ChangePasswordHandler,
        persistence=persistence,
        hasher=password_hasher,
        accounts=accounts,
        issuer=session_issuer,
        audit=audit_trail,
        clock=clock,
        user_states=user_states,
    )
    list_users = providers.Factory(ListUsersHandler, persistence=persistence)
    get_user = providers.Factory(GetUserHandler, persistence=persistence)
    create_user = providers.Factory(
        CreateUserHandler,
        persistence=persistence,
        accounts=accounts,
        audit=audit_trail,
        clock=clock,
    )
    update_user = providers.Factory(
        UpdateUserHandler,
        persistence=persistence,
        audit=audit_trail,
        clock=clock,
        user_states=user_states,
    )
    create_studio = providers.Factory(
        CreateStudioHandler,
        persistence=persistence,
        accounts=accounts,
        audit=audit_trail,
        clock=clock,
        ids=ids,
    )
    # Media
    blob_store = providers.Singleton(_blob_store, settings, signing_key)
    blob_store_probe = providers.Singleton(
        BlobStoreProbe,
        blob_store=blob_store,
        name=providers.Callable(lambda s: "s3" if s.s3_bucket else "media_dir", settings),
    )
    presign_upload = providers.Factory(
        PresignUploadHandler,
        persistence=persistence,
        blob_store=blob_store,
        policies=providers.Callable(_upload_policies, settings),
        expires_in=providers.Callable(
            lambda seconds: timedelta(seconds=seconds), settings.provided.upload_url_ttl_seconds
        ),
        audit=audit_trail,
        clock=clock,
        ids=ids,
    )
    complete_multipart_upload = providers.Factory(
        CompleteMultipartUploadHandler, persistence=persistence, blob_store=blob_store, clock=clock
    )
    register_video = providers.Factory(
        RegisterVideoHandler,
        persistence=persistence,
        blob_store=blob_store,
        audit=audit_trail,
        clock=clock,
        ids=ids,
    )
    list_own_videos = providers.Factory(ListOwnVideosHandler, persistence=persistence)
    sweep_uploads = providers.Factory(
        SweepUploadsHandler, persistence=persistence, blob_store=blob_store, clock=clock
    )

    # Assets
    create_asset = providers.Factory(
        CreateAssetHandler, persistence=persistence, audit=audit_trail, clock=clock, ids=ids
    )
    get_asset = providers.Factory(GetAssetHandler, persistence=persistence)
    list_assets = providers.Factory(ListAssetsHandler, persistence=persistence)
    update_asset = providers.Factory(
        UpdateAssetHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    review_asset = providers.Factory(
        ReviewAssetHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    delete_asset = providers.Factory(
        DeleteAssetHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    restore_asset = providers.Factory(
        RestoreAssetHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    purge_asset = providers.Factory(
        PurgeAssetHandler,
        persistence=persistence,
        blob_store=blob_store,
        audit=audit_trail,
        clock=clock,
    )
    set_dependencies = providers.Factory(
        SetDependenciesHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    list_dependents = providers.Factory(ListDependentsHandler, persistence=persistence)
    list_all_dependents = providers.Factory(ListAllDependentsHandler, persistence=persistence)
    add_version = providers.Factory(
        AddVersionHandler,
        persistence=persistence,
        blob_store=blob_store,
        audit=audit_trail,
        clock=clock,
    )
    list_versions = providers.Factory(ListVersionsHandler, persistence=persistence)
    get_version_download = providers.Factory(
        GetVersionDownloadHandler,
        persistence=persistence,
        blob_store=blob_store,
        clock=clock,
        expires_in=providers.Callable(
            lambda seconds: timedelta(seconds=seconds), settings.provided.download_url_ttl_seconds
        ),
    )

    # Subscriptions: set by admins, read by their holders, checked by the catalogue and playback.
    subscriptions = providers.Singleton(StoredSubscriptions, persistence=persistence)
    set_subscription = providers.Factory(
        SetSubscriptionHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    get_subscription = providers.Factory(
        GetSubscriptionHandler, persistence=persistence, clock=clock
    )
    list_subscription_history = providers.Factory(
        ListSubscriptionHistoryHandler, persistence=persistence
    )

    # Content (series and episodes)
    create_series = providers.Factory(
        CreateSeriesHandler, persistence=persistence, audit=audit_trail, clock=clock, ids=ids
    )
    get_own_series = providers.Factory(GetOwnSeriesHandler, persistence=persistence)
    list_own_series = providers.Factory(ListOwnSeriesHandler, persistence=persistence)
    update_series = providers.Factory(
        UpdateSeriesHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    change_series_status = providers.Factory(
        ChangeSeriesStatusHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    create_episode = providers.Factory(
        CreateEpisodeHandler, persistence=persistence, audit=audit_trail, clock=clock, ids=ids
    )
    get_own_episode = providers.Factory(GetOwnEpisodeHandler, persistence=persistence)
    list_series_episodes = providers.Factory(ListSeriesEpisodesHandler, persistence=persistence)
    update_episode = providers.Factory(
        UpdateEpisodeHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    change_episode_status = providers.Factory(
        ChangeEpisodeStatusHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    list_pending_series = providers.Factory(ListPendingSeriesHandler, persistence=persistence)
    list_pending_episodes = providers.Factory(ListPendingEpisodesHandler, persistence=persistence)
    list_published_series = providers.Factory(ListPublishedSeriesHandler, persistence=persistence)
    get_published_series = providers.Factory(GetPublishedSeriesHandler, persistence=persistence)
    list_published_episodes = providers.Factory(
        ListPublishedEpisodesHandler,
        persistence=persistence,
        subscriptions=subscriptions,
        clock=clock,
    )
    get_published_episode = providers.Factory(
        GetPublishedEpisodeHandler,
        persistence=persistence,
        subscriptions=subscriptions,
        clock=clock,
    )

    # Playback and watch progress. The throttle lives in this process (one per replica).
    playback_metrics = providers.Singleton(PrometheusPlaybackMetrics)
    play_episode = providers.Factory(
        PlayEpisodeHandler,
        persistence=persistence,
        blob_store=blob_store,
        audit=audit_trail,
        metrics=playback_metrics,
        clock=clock,
        expires_in=providers.Callable(
            lambda seconds: timedelta(seconds=seconds), settings.provided.playback_url_seconds
        ),
    )
    progress_throttle = providers.Singleton(
        ProgressThrottle,
        per_second=settings.provided.progress_writes_per_second,
        burst=settings.provided.progress_burst,
    )
    record_progress = providers.Factory(
        RecordProgressHandler,
        persistence=persistence,
        throttle=progress_throttle,
        clock=clock,
    )
    list_history = providers.Factory(ListHistoryHandler, persistence=persistence)
    continue_watching = providers.Factory(ContinueWatchingHandler, persistence=persistence)

    get_own_studio = providers.Factory(GetOwnStudioHandler, persistence=persistence)
    update_studio = providers.Factory(
        UpdateStudioHandler, persistence=persistence, audit=audit_trail, clock=clock
    )
    list_audit_events = providers.Factory(ListAuditEventsHandler, persistence=persistence)
    ensure_demo_studio = providers.Factory(
        EnsureDemoStudioHandler, persistence=persistence, create_studio=create_studio
    )

    dependency_probes = providers.List(data_dir_probe, persistence_probe, blob_store_probe)
    check_readiness = providers.Factory(
        CheckReadinessHandler,
        probes=dependency_probes,
        timeout=settings.provided.ready_timeout_seconds,
    )
