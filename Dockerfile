# syntax=docker/dockerfile:1
#
# Studio Bridge: the API server image.
#
#   docker build -t studio-bridge .
#   docker run --rm -p 8000:8000 studio-bridge            # embedded defaults (development)
#
# Two stages: the builder resolves the locked dependencies with uv and installs the project
# as a regular (non-editable) wheel into /app/.venv; the runtime stage copies only that
# virtual environment onto a clean python:3.13-slim and runs it as an unprivileged user.
# Written and reviewed, never built: see docs/deployment.md.

ARG PYTHON_IMAGE=python:3.13-slim

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

# uv comes from PyPI through pip (only package registries are reachable from CI). Pinned so an
# image build is reproducible; keep it at or above the uv that wrote uv.lock.
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip install "uv==${UV_VERSION}"

# UV_PYTHON_DOWNLOADS=never: use the image's own CPython, the one the runtime stage has too.
# UV_LINK_MODE=copy: the cache is a separate mount, hard links cannot cross it.
# UV_PROJECT_ENVIRONMENT: the venv lives at the path it will have in the runtime stage
# (console scripts carry its absolute path in their shebang).
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3.13 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /src

# 1. Dependencies only, from the lock file: this layer is rebuilt only when pyproject.toml or
#    uv.lock change, not on every source edit.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --locked --no-dev --no-install-project --no-editable

# 2. The project itself, built as a wheel (hatchling) and installed into the same venv. The
#    wheel carries entrypoints/http/docs_assets/ (the offline Swagger UI behind /docs).
COPY . /src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG APP_UID=10001
ARG APP_GID=10001
RUN groupadd --gid "${APP_GID}" app \
 && useradd --no-log-init --uid "${APP_UID}" --gid "${APP_GID}" \
      --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# The venv is owned by root: the service can read its code but not rewrite it.
COPY --from=builder /app/.venv /app/.venv

# The embedded defaults (SQLite, local media, generated keys) write under DATA_DIR; the
# readiness probe checks it is writable. Created and chowned before VOLUME so a fresh volume
# inherits the ownership.
RUN mkdir -p /app/var && chown "${APP_UID}:${APP_GID}" /app/var
VOLUME ["/app/var"]

WORKDIR /app
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/var

USER ${APP_UID}:${APP_GID}
EXPOSE 8000

# `studio-bridge serve` drains on SIGTERM (/ready turns 503, then in-flight requests finish)
# and exits 0; the orchestrator's grace period must exceed
# SHUTDOWN_DRAIN_SECONDS + SHUTDOWN_TIMEOUT_SECONDS (see docs/deployment.md).
STOPSIGNAL SIGTERM

# Liveness without curl: the image's own Python, no proxy, the port from $PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.build_opener(r.ProxyHandler({})).open('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=3)"]

ENTRYPOINT ["studio-bridge"]
CMD ["serve"]
