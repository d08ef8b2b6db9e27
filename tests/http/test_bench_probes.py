"""The benchmark's bare-ASGI probe answers exactly what the real route does, or its figures
would not say what Litestar's handler layer costs (bench/assets_ceiling.py)."""

from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient

from bench.probe_app import raw_asset
from tests.support.identity_http import error_of, sign_in_admin


def test_the_bare_probe_serves_the_routes_body_and_etag(
    make_client: Callable[..., TestClient[Any]],
) -> None:
    client = make_client(extra_routes=[raw_asset])
    auth = {"Authorization": f"Bearer {sign_in_admin(client)['accessToken']}"}
    created = client.post(
        "/assets",
        json={"name": "probe prop", "type": "prop", "tags": ["a"], "metadata": {"k": "v"}},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    asset_id = created.json()["data"]["id"]

    routed = client.get(f"/assets/{asset_id}", headers=auth)
    bare = client.get(f"/_bench/raw-asset/{asset_id}", headers=auth)
    assert (bare.status_code, bare.content) == (200, routed.content)
    assert bare.headers["etag"] == routed.headers["etag"]
    assert bare.headers["x-request-id"]  # the edge still answers it

    error_of(client.get(f"/_bench/raw-asset/{asset_id}"), 401, "authentication_required")
