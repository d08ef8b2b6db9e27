"""The service with one extra route, ``GET /_bench/whoami``: authentication and the edge, no store.

    python -m bench.probe_app        # served exactly as ``studio-bridge serve`` serves the app

Every real authenticated route also runs its use case (a store read at least), which hides what
authentication and the app's edge cost on their own. This route takes the real ``actor``
dependency (the token and the user's state) behind the same rate limiter, metrics, access log
and headers, and answers the actor's ids. Measurement only: the service never mounts it.
"""

from litestar import asgi, get
from litestar.di import NamedDependency, Provide
from litestar.types import Receive, Scope, Send

from adapters.telemetry.logging import configure_logging
from application.assets.catalogue import GetAsset
from domain.identity.access import Actor
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app
from entrypoints.http.assets.routes import etag_of
from entrypoints.http.assets.schemas import AssetOut
from entrypoints.http.auth import AuthenticationRequiredError, current_actor
from entrypoints.http.context import header
from entrypoints.http.envelope import Data, ready_json
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
    serve_app(
        create_app(container, extra_routes=[whoami, raw_asset]), settings, container.lifecycle()
    )


RAW_ASSET_PATH = "/_bench/raw-asset"


# A mount: Litestar's ASGI routes do not take path parameters (the id is the rest of the path).
@asgi(RAW_ASSET_PATH, is_mount=True, include_in_schema=False, copy_scope=False)
async def raw_asset(scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /assets/{id}``'s work with Litestar's handler layer (kwargs, dependencies,
    ``Response``) left out: a ceiling, not a route to ship. Routing, the exception layer and
    the edge still run; the rate limiter and metrics (the before_request hook, ~4 us) do not."""
    container = scope["litestar_app"].state.container
    actor = await container.authenticate()(_bearer(scope))
    asset = await container.get_asset()(GetAsset(actor=actor, asset_id=scope["path"].strip("/")))
    # The answer the real route sends (ready_json), sent without Litestar's handler layer.
    await ready_json(Data(data=AssetOut.of(asset)), headers=etag_of(asset))(scope, receive, send)


def _bearer(scope: Scope) -> str:
    scheme, _, token = (header(scope, b"authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequiredError()
    return token.strip()


if __name__ == "__main__":
    main()
