"""From an access token to an ``Actor``: the token must verify and its user must be active."""

from dataclasses import dataclass

from application.identity.security import AccessTokens, InvalidTokenError
from application.shared.ports import Clock, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.identity.errors import UserNotFoundError
from domain.identity.model import User


class AuthenticateHandler:
    """Verify ``token`` and answer who is acting, with the role the user has *now*.

    A deactivated or deleted user's tokens stop working at once, not when they expire.
    """

    def __init__(self, persistence: Persistence, access_tokens: AccessTokens, clock: Clock) -> None:
        self._persistence = persistence
        self._access_tokens = access_tokens
        self._clock = clock

    async def __call__(self, token: str) -> Actor:
        claims = self._access_tokens.verify(token, at=self._clock.now())
        try:
            async with self._persistence.unit_of_work(read_only=True) as uow:
                user = await uow.users.get(claims.studio_id, claims.user_id)
        except UserNotFoundError:
            raise InvalidTokenError() from None
        if not user.active:
            raise InvalidTokenError()
        return Actor(user_id=user.id, studio_id=user.studio_id, role=user.role)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetCurrentUser:
    actor: Actor


class GetCurrentUserHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetCurrentUser) -> User:
        authorize(query.actor, Capability.BROWSE_CATALOG)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.users.get(query.actor.studio_id, query.actor.user_id)
