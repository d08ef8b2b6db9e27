"""The API reference: ``/openapi.json`` and a Swagger UI page at ``/docs`` that needs no network.

Swagger UI 5 (from the npm package ``swagger-ui-dist``, see ``make docs-assets``) is shipped
inside the package and served by the app; the page has no inline script, so it runs under
the strict Content-Security-Policy every response carries.
"""

from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from entrypoints.http.hardening import SKIP_RATE_LIMIT

ASSETS = Path(__file__).parent / "docs_assets"
STATIC_PREFIX = "/docs/assets"


class OfflineSwaggerPlugin(SwaggerRenderPlugin):
    """Litestar's Swagger plugin, rendering a page that loads only the app's own files."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = openapi_schema["info"]["title"]
        return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title} - API reference</title>
    <link rel="icon" type="image/png" href="{STATIC_PREFIX}/swagger-ui/favicon-32x32.png">
    <link rel="stylesheet" href="{STATIC_PREFIX}/swagger-ui/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{STATIC_PREFIX}/swagger-ui/swagger-ui-bundle.js"></script>
    <script src="{STATIC_PREFIX}/init.js"></script>
  </body>
</html>
""".encode()


@get("/openapi.json", include_in_schema=False, sync_to_thread=False, opt={SKIP_RATE_LIMIT: True})
def openapi_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    # The document never changes while the process runs: encode it once, not per request
    # (rebuilding it cost ~3 ms a request).
    state = request.app.state
    if "openapi_json" not in state:
        state["openapi_json"] = msgspec.json.encode(request.app.openapi_schema.to_schema())
    return Response(state["openapi_json"], media_type="application/json")


def openapi_config(*, version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Studio Bridge",
        version=version,
        description="Assets, render jobs and a micro-drama catalogue for an animation studio.",
        path="/docs",
        render_plugins=[OfflineSwaggerPlugin(path="/")],
    )


def docs_routes() -> list[ControllerRouterHandler]:
    return [
        openapi_json,
        create_static_files_router(
            path=STATIC_PREFIX,
            directories=[ASSETS],
            include_in_schema=False,
            opt={SKIP_RATE_LIMIT: True},
        ),
    ]
