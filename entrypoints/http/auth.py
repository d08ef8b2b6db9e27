"""Who is calling: the ``actor`` dependency every protected route takes.

``Authorization: Bearer <access token>`` is verified and its user loaded on every request, so
a deactivated user is locked out at once. A plain dependency (not Litestar's authentication
middleware) keeps the cost to what the route needs (DESIGN section 7).
"""

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from application.identity.authenticate import AuthenticateHandler
from domain.identity.access import Actor
from domain.shared.errors import UnauthenticatedError
from entrypoints.http.context import header


class AuthenticationRequiredError(UnauthenticatedError):
    code = "authentication_required"
    default_message = "Send an access token: Authorization: Bearer <token>."


def bearer_token(request: Request[Any, Any, Any]) -> str:
    # From the raw ASGI headers: building the request's header mapping for this one value
    # cost more than the cached token check itself.
    scheme, _, token = (header(request.scope, b"authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequiredError()
    return token.strip()


async def current_actor(
    request: Request[Any, Any, Any], authenticate: NamedDependency[AuthenticateHandler]
) -> Actor:
    return await authenticated(request, authenticate)


async def authenticated(
    request: Request[Any, Any, Any], authenticate: AuthenticateHandler
) -> Actor:
    """The caller, for the route that resolves it itself (``current_actor`` for the rest)."""
    actor = await authenticate(bearer_token(request))
    # Every log line of this request now names the studio and the user.
    request.scope["state"]["studio_id"] = actor.studio_id
    request.scope["state"]["user_id"] = actor.user_id
    return actor
