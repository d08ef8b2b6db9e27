"""The floor: a bare Litestar JSON endpoint, served exactly as the service is served.

    python -m bench.floor_app            # uvicorn, via entrypoints.server.serve_app (HOST, PORT)
    granian --interface asgi bench.floor_app:app

Under uvicorn it goes through ``serve_app``, so the server settings (``server_config``) and the
draining runner are the ones the app ships with; only the application differs.
"""

from litestar import Litestar, get

from entrypoints.lifecycle import Lifecycle
from entrypoints.settings import load_settings


@get("/", sync_to_thread=False)
def index() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[index], debug=False)


def main() -> None:
    from entrypoints.server import serve_app  # the server stack loads only when serving

    serve_app(app, load_settings(), Lifecycle())


if __name__ == "__main__":
    main()
