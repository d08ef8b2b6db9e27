"""From an access token to an ``Actor``: the token must verify and its user must be active."""

from dataclasses import dataclass

from application.identity.security import AccessTokens, InvalidTokenError
from application.identity.user_states import UserStateCache
from application.shared.ports import Clock, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.identity.errors import UserNotFoundError
from domain.identity.model import User


class AuthenticateHandler:
    """Verify ``token`` and answer who is acting, with the role the user has *now*.

    A deactivated or deleted user's tokens stop working at once, not when they expire: at
    once in this process, within the ``user_states`` cache's few seconds on other replicas.
    """

    def __init__(
        self,
        persistence: Persistence,
        access_tokens: AccessTokens,
        clock: Clock,
        user_states: UserStateCache,
    ) -> None:
        self._persistence = persistence
        self._access_tokens = access_tokens
        self._clock = clock
        self._user_states = user_states

    async def __call__(self, token: str) -> Actor:
        now = self._clock.now()
        claims = self._access_tokens.verify(token, at=now)
        remembered = self._user_states.get(claims.studio_id, claims.user_id, at=now)
        if remembered is not None:
            return remembered
        generation = self._user_states.generation
        try:
            async with self._persistence.unit_of_work(read_only=True) as uow:
                user = await uow.users.get(claims.studio_id, claims.user_id)
        except UserNotFoundError:
            raise InvalidTokenError() from None
        if not user.active:
            raise InvalidTokenError()
        actor = Actor(user_id=user.id, studio_id=user.studio_id, role=user.role)
        self._user_states.put(actor, at=now, generation=generation)
        return actor


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
