"""The floor: a bare Litestar JSON endpoint, served exactly as the service is served.

    python -m bench.floor_app            # uvicorn, via entrypoints.server.serve_app (HOST, PORT)
    WORKERS=2 python -m bench.floor_app  # by two worker processes, as the service with WORKERS
    granian --interface asgi bench.floor_app:app

Under uvicorn it goes through ``serve_app``, so the server settings (``server_config``) and the
draining runner are the ones the app ships with; only the application differs.
"""

import sys

from litestar import Litestar, get

from entrypoints.lifecycle import Lifecycle
from entrypoints.settings import load_settings


@get("/", sync_to_thread=False)
def index() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[index], debug=False)


def main() -> int:
    settings = load_settings()
    if settings.workers > 1:  # served by workers as the service would be (WORKERS)
        from entrypoints.workers import Supervisor

        return Supervisor(settings, build=lambda _settings, _worker: (app, Lifecycle())).run()
    from entrypoints.server import serve_app  # the server stack loads only when serving

    serve_app(app, settings, Lifecycle())
    return 0


if __name__ == "__main__":
    sys.exit(main())
