"""Changing one's password: every session ends, and the caller gets a fresh one."""

from dataclasses import dataclass, replace

from application.audit.trail import AuditTrail
from application.identity.accounts import Accounts
from application.identity.security import PasswordHasher
from application.identity.signing_in import SessionIssuer, SignedIn
from application.identity.user_states import UserStateCache
from application.shared.ports import Clock, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.identity.errors import CurrentPasswordIncorrectError
from domain.identity.model import User


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePassword:
    actor: Actor
    current_password: str
    new_password: str


class ChangePasswordHandler:
    def __init__(
        self,
        *,
        persistence: Persistence,
        hasher: PasswordHasher,
        accounts: Accounts,
        issuer: SessionIssuer,
        audit: AuditTrail,
        clock: Clock,
        user_states: UserStateCache,
    ) -> None:
        self._persistence = persistence
        self._hasher = hasher
        self._accounts = accounts
        self._issuer = issuer
        self._audit = audit
        self._clock = clock
        self._user_states = user_states

    async def __call__(self, command: ChangePassword) -> SignedIn:
        actor = command.actor
        authorize(actor, Capability.BROWSE_CATALOG)  # any signed-in user, for themselves
        async with self._persistence.unit_of_work(read_only=True) as uow:
            user = await uow.users.get(actor.studio_id, actor.user_id)
        if not (await self._hasher.verify(user.password_hash, command.current_password)).ok:
            raise CurrentPasswordIncorrectError(details={"field": "currentPassword"})
        new_hash = await self._accounts.password_hash(command.new_password)
        try:
            return await self._save(actor, user, new_hash)
        finally:
            self._user_states.forget(actor.studio_id, actor.user_id)  # always safe

    async def _save(self, actor: Actor, user: User, new_hash: str) -> SignedIn:
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            saved = await uow.users.save(
                replace(user, password_hash=new_hash, updated_at=now),
                expected_revision=user.revision,
            )
            # Whoever else held a session (another device, or an attacker) is signed out.
            await uow.sessions.revoke_all_for_user(actor.studio_id, actor.user_id, now)
            session, refresh_token = self._issuer.open_session(saved, at=now)
            await uow.sessions.add(session)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="user.password_changed",
                resource_type="user",
                resource_id=user.id,
                at=now,
            )
            await uow.commit()
        return self._issuer.signed_in(saved, session, refresh_token, at=now)
