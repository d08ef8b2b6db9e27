"""One settings object, read from the environment (and an optional ``.env``), validated as a whole.

Nothing here runs at import time: ``load_settings()`` is called by the CLI at start-up, and
by tests with an explicit mapping.
"""

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

import msgspec
from dotenv import dotenv_values

AppEnv = Literal["development", "test", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
EmbeddedComponent = Literal["persistence", "media", "keys", "all"]
JwtAlgorithm = Literal["EdDSA", "HS256"]
StudioSignup = Literal["closed", "open"]

# Variables whose values must never be echoed back in an error message.
_SECRET_MARKERS = ("KEY", "SECRET", "PASSWORD", "TOKEN", "URI")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting the service reads. Field ``x_y`` is the environment variable ``X_Y``."""

    app_env: AppEnv = "development"
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    log_level: LogLevel = "INFO"
    data_dir: Path = Path("var")

    # HTTP hardening
    max_request_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=1 << 30)] = 1_048_576
    cors_allow_origins: tuple[str, ...] = ()
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 600
    auth_rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 20
    trusted_proxies: tuple[str, ...] = ()

    # Processes serving the port (entrypoints/workers.py); 1: the server process itself.
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1

    # Lifecycle
    ready_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 2.0
    shutdown_drain_seconds: Annotated[float, msgspec.Meta(ge=0, le=300)] = 3.0
    shutdown_timeout_seconds: Annotated[int, msgspec.Meta(ge=1, le=600)] = 30

    # Telemetry
    otel_exporter_otlp_endpoint: str | None = None
    otel_exporter_otlp_traces_endpoint: str | None = None
    otel_service_name: str = "studio-bridge"

    # Identity
    default_studio: str = "demo"  # the studio a sign-in or registration means when it names none
    studio_signup: StudioSignup = "closed"  # "open": anyone may create a studio (POST /studios)
    bootstrap_admin_email: str = "admin@studio.local"
    bootstrap_admin_password: str | None = None  # None: generated and printed once
    jwt_algorithm: JwtAlgorithm = "EdDSA"
    jwt_secret: str | None = None  # HS256 only: at least 32 bytes
    jwt_verification_key_files: tuple[str, ...] = ()  # old public keys, during a key rotation
    jwt_issuer: str = "studio-bridge"
    jwt_audience: str = "studio-bridge"
    access_token_ttl_seconds: Annotated[int, msgspec.Meta(ge=60, le=86_400)] = 900
    refresh_token_ttl_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    password_hash_concurrency: Annotated[int, msgspec.Meta(ge=1, le=16)] = 1
    # How long a user's active flag and role are trusted once read; 0 reads them on every request.
    user_state_cache_seconds: Annotated[float, msgspec.Meta(ge=0, le=60)] = 5.0

    # Media
    public_base_url: str | None = None  # how clients reach this app (local media URLs)
    upload_url_ttl_seconds: Annotated[int, msgspec.Meta(ge=60, le=3600)] = 900
    download_url_ttl_seconds: Annotated[int, msgspec.Meta(ge=30, le=3600)] = 300
    max_video_bytes: Annotated[int, msgspec.Meta(ge=1, le=50 * 2**30)] = 5 * 2**30
    max_asset_version_bytes: Annotated[int, msgspec.Meta(ge=1, le=50 * 2**30)] = 2 * 2**30
    s3_endpoint_url: str | None = None  # any S3-compatible store; None: AWS
    s3_public_endpoint_url: str | None = None  # the name clients use, when it differs
    s3_region: str = "us-east-1"
    s3_multipart_threshold_bytes: Annotated[int, msgspec.Meta(ge=5 * 2**20)] = 64 * 2**20
    s3_part_size_bytes: Annotated[int, msgspec.Meta(ge=5 * 2**20, le=5 * 2**30)] = 16 * 2**20

    # Playback: how long a play URL works; how often a viewer may write progress (per replica).
    playback_url_seconds: Annotated[int, msgspec.Meta(ge=30, le=3600)] = 300
    progress_writes_per_second: Annotated[float, msgspec.Meta(gt=0, le=100)] = 1.0
    progress_burst: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 5

    # Production components; each one unset means the embedded default is used.
    mongodb_uri: str | None = None
    # The embedded store: each SQLite connection's page cache, at most (up to 6 connections).
    sqlite_cache_mib: Annotated[int, msgspec.Meta(ge=1, le=65_536)] = 64
    mongodb_database: str | None = None  # default: the URI's path, else "studio_bridge"
    mongodb_write_concern: str = "majority"
    s3_bucket: str | None = None
    jwt_private_key_file: Path | None = None
    allow_embedded: tuple[EmbeddedComponent, ...] = ()

    @property
    def sqlite_path(self) -> Path:
        """The embedded store's file (used when no ``MONGODB_URI`` is set)."""
        return self.data_dir / "studio.db"

    @property
    def media_base_url(self) -> str:
        """The origin local media URLs point at: ``PUBLIC_BASE_URL``, else this server."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def otlp_traces_endpoint(self) -> str | None:
        """The OTLP/HTTP traces URL: the explicit one as given, else ``<endpoint>/v1/traces``."""
        if self.otel_exporter_otlp_traces_endpoint:
            return self.otel_exporter_otlp_traces_endpoint
        if self.otel_exporter_otlp_endpoint:
            return self.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        return None

    def embedded_components(self) -> list[str]:
        """The embedded defaults this configuration falls back on."""
        used = []
        if not self.mongodb_uri:
            used.append("persistence")
        if not self.s3_bucket:
            used.append("media")
        if not self.jwt_private_key_file and not (
            self.jwt_algorithm == "HS256" and self.jwt_secret
        ):
            used.append("keys")
        return used


class SettingsError(Exception):
    """The configuration is unusable; ``problems`` maps each offending variable to why."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        lines = [f"  {name}: {reason}" for name, reason in sorted(self.problems.items())]
        super().__init__("invalid configuration:\n" + "\n".join(lines))


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")
) -> Settings:
    """Read, convert and check every setting; raise ``SettingsError`` naming all problems at once.

    The process environment wins over the ``.env`` file. ``ENV_FILE`` names another file.
    """
    env = dict(os.environ if environ is None else environ)
    chosen_file = Path(env["ENV_FILE"]) if env.get("ENV_FILE") else env_file
    problems: dict[str, str] = {}
    raw: dict[str, str] = {}
    if chosen_file is not None and chosen_file.is_file():
        raw.update({k: v for k, v in dotenv_values(chosen_file).items() if v is not None})
    elif env.get("ENV_FILE"):
        problems["ENV_FILE"] = f"no such file: {chosen_file}"
    raw.update(env)

    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        name = field.name.upper()
        if name not in raw or raw[name].strip() == "":
            continue
        text = raw[name].strip()
        candidate: object = _split_list(text) if _is_list(field.type) else text
        if field.type in (Path, Path | None):
            values[field.name] = Path(text).expanduser()
            continue
        try:
            values[field.name] = msgspec.convert(candidate, field.type, strict=False)
        except msgspec.ValidationError as exc:
            problems[name] = _reason(name, field.type, text, exc)

    # Cross-field rules run on whatever did convert, so one message names every problem.
    settings = Settings(**values)  # type: ignore[arg-type]  # each value was converted above
    for name, reason in _check(settings).items():
        problems.setdefault(name, reason)
    if problems:
        raise SettingsError(problems)
    return settings


def _check(settings: Settings) -> dict[str, str]:
    """Rules that span fields or need more than a type."""
    problems: dict[str, str] = {}
    for origin in settings.cors_allow_origins:
        if origin != "*" and not _is_origin(origin):
            problems["CORS_ALLOW_ORIGINS"] = (
                f"{origin!r} is not an origin like https://studio.example.com[:port]"
            )
    for proxy in settings.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            problems["TRUSTED_PROXIES"] = f"{proxy!r} is not an IP address or CIDR network"
    urls = (
        "otel_exporter_otlp_endpoint",
        "otel_exporter_otlp_traces_endpoint",
        "public_base_url",
        "s3_endpoint_url",
        "s3_public_endpoint_url",
    )
    for name in urls:
        url = getattr(settings, name)
        if url and urlsplit(url).scheme not in ("http", "https"):
            problems[name.upper()] = "must be an http:// or https:// URL"
    if settings.mongodb_uri and not settings.mongodb_uri.startswith(
        ("mongodb://", "mongodb+srv://")
    ):
        problems["MONGODB_URI"] = "must start with mongodb:// or mongodb+srv://"
    concern = settings.mongodb_write_concern
    if concern != "majority" and not (concern.isdigit() and int(concern) <= 50):
        problems["MONGODB_WRITE_CONCERN"] = f"must be majority or a number of nodes ({concern!r})"
    if settings.jwt_private_key_file and not settings.jwt_private_key_file.is_file():
        problems["JWT_PRIVATE_KEY_FILE"] = f"no such file: {settings.jwt_private_key_file}"
    if settings.jwt_algorithm == "HS256":
        if not settings.jwt_secret:
            problems["JWT_SECRET"] = "required when JWT_ALGORITHM=HS256"
        elif len(settings.jwt_secret.encode()) < 32:
            problems["JWT_SECRET"] = "must be at least 32 bytes (256 bits) for HS256"
    elif settings.jwt_secret:
        problems["JWT_SECRET"] = (
            "only used with JWT_ALGORITHM=HS256; remove it or set the algorithm"
        )
    for key_file in settings.jwt_verification_key_files:
        if not Path(key_file).is_file():
            problems["JWT_VERIFICATION_KEY_FILES"] = f"no such file: {key_file}"
    if (
        settings.bootstrap_admin_password is not None
        and len(settings.bootstrap_admin_password) < 12
    ):
        problems["BOOTSTRAP_ADMIN_PASSWORD"] = "must be at least 12 characters"
    if settings.app_env == "production":
        allowed = set(settings.allow_embedded)
        needs = {
            "persistence": "MONGODB_URI",
            "media": "S3_BUCKET",
            "keys": "JWT_PRIVATE_KEY_FILE",
        }
        for component in settings.embedded_components():
            if "all" not in allowed and component not in allowed:
                problems[needs[component]] = (
                    f"required when APP_ENV=production (or add '{component}' to ALLOW_EMBEDDED "
                    f"to run on the embedded {component} default)"
                )
    return problems


def _is_list(annotation: object) -> bool:
    return getattr(annotation, "__origin__", None) in (tuple, list)


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _is_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )


def _choices(annotation: object) -> tuple[str, ...]:
    if getattr(annotation, "__origin__", None) is Literal:
        return tuple(str(arg) for arg in get_args(annotation))
    if _is_list(annotation):
        return _choices(get_args(annotation)[0])
    return ()


def _reason(name: str, annotation: object, text: str, exc: msgspec.ValidationError) -> str:
    choices = _choices(annotation)
    if choices:
        many = ", separated by commas" if _is_list(annotation) else ""
        return f"must be one of {', '.join(choices)}{many} (got {text!r})"
    message = str(exc)
    # msgspec reports list items as "at `$[0]`"; the variable's name already says where.
    message = message.split(" - at `")[0]
    message = (
        message.replace("Expected `int`, got `str`", "expected a whole number")
        .replace("Expected `float`, got `str`", "expected a number")
        .replace("Expected `bool`, got `str`", "expected true or false")
        .replace("Expected `int`", "expected a whole number")
        .replace("Expected `float`", "expected a number")
    )
    if any(marker in name for marker in _SECRET_MARKERS):
        return message
    return f"{message} (got {text!r})"
