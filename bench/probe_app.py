"""The service with one extra route, ``GET /_bench/whoami``: authentication and the edge, no store.

    python -m bench.probe_app        # served exactly as ``studio-bridge serve`` serves the app

Every real authenticated route also runs its use case (a store read at least), which hides what
authentication and the app's edge cost on their own. This route takes the real ``actor``
dependency (the token and the user's state) behind the same rate limiter, metrics, access log
and headers, and answers the actor's ids. Measurement only: the service never mounts it.
"""

from litestar import get
from litestar.di import NamedDependency, Provide

from adapters.telemetry.logging import configure_logging
from domain.identity.access import Actor
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app
from entrypoints.http.auth import current_actor
from entrypoints.settings import load_settings

WHOAMI_PATH = "/_bench/whoami"


@get(WHOAMI_PATH, dependencies={"actor": Provide(current_actor)}, include_in_schema=False)
async def whoami(actor: NamedDependency[Actor]) -> dict[str, str]:
    return {"user": actor.user_id, "studio": actor.studio_id, "role": str(actor.role)}


def main() -> None:
    from entrypoints.server import serve_app  # the server stack loads only when serving

    settings = load_settings()
    configure_logging(settings.log_level)
    container = bootstrap(settings)
    serve_app(create_app(container, extra_routes=[whoami]), settings, container.lifecycle())


if __name__ == "__main__":
    main()
