"""The whole service under granian, for comparison only (the service ships with uvicorn).

    granian --interface asgi --factory bench.granian_app:create_app

Built the way ``studio-bridge serve`` builds it (settings from the environment, JSON logging
on standard output, the container, ``create_app``); only the server differs, and there is no
graceful drain (``entrypoints/server.py`` implements that on uvicorn).
"""

from litestar import Litestar

from adapters.telemetry.logging import configure_logging
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app as create_http_app
from entrypoints.settings import load_settings


def create_app() -> Litestar:
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_http_app(bootstrap(settings))
