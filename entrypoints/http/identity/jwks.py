"""``/.well-known/jwks.json``: the public keys that verify access tokens (RFC 7517)."""

from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency

from application.identity.security import AccessTokens


@get("/.well-known/jwks.json", tags=["auth"], opt={"skip_rate_limit": True})
async def jwks(access_tokens: NamedDependency[AccessTokens]) -> Response[dict[str, Any]]:
    """Public verification keys (empty with the shared-secret HS256 algorithm)."""
    # Cacheable: keys change only on a rotation, and the old key stays listed through it.
    return Response(access_tokens.public_keys(), headers={"Cache-Control": "public, max-age=300"})
