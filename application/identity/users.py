"""Managing a studio's users (admins): list, add staff, change role or deactivate."""

from dataclasses import dataclass

from application.audit.trail import AuditTrail
from application.identity.accounts import Accounts
from application.identity.ports import UserQuery
from application.identity.user_states import UserStateCache
from application.shared.ports import Clock, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.identity.errors import CannotChangeOwnAccessError, UserNotFoundError
from domain.identity.model import Role, User
from domain.shared.errors import InvalidInputError
from domain.shared.ids import UserId, canonical_id
from domain.shared.paging import Page


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsers:
    actor: Actor
    query: UserQuery


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateUser:
    actor: Actor
    email: str
    name: str
    role: Role
    password: str | None = None  # None: one is generated and returned once


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedUser:
    user: User
    initial_password: str | None  # only when it was generated


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateUser:
    actor: Actor
    user_id: str
    name: str | None = None
    role: Role | None = None
    active: bool | None = None


class ListUsersHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListUsers) -> Page[User]:
        authorize(query.actor, Capability.MANAGE_USERS)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.users.list(query.actor.studio_id, query.query)


class CreateUserHandler:
    def __init__(
        self, *, persistence: Persistence, accounts: Accounts, audit: AuditTrail, clock: Clock
    ) -> None:
        self._persistence = persistence
        self._accounts = accounts
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: CreateUser) -> CreatedUser:
        actor = command.actor
        authorize(actor, Capability.MANAGE_USERS)
        now = self._clock.now()
        user, generated = await self._accounts.new_user(
            studio_id=actor.studio_id,
            email=command.email,
            name=command.name,
            role=command.role,
            password=command.password,
            at=now,
        )
        async with self._persistence.unit_of_work() as uow:
            await uow.users.add(user)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="user.created",
                resource_type="user",
                resource_id=user.id,
                at=now,
                details={"role": str(user.role)},
            )
            await uow.commit()
        return CreatedUser(user=user, initial_password=generated)


class UpdateUserHandler:
    """Change a user's name, role or active flag. Deactivation ends every session at once."""

    def __init__(
        self,
        *,
        persistence: Persistence,
        audit: AuditTrail,
        clock: Clock,
        user_states: UserStateCache,
    ) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock
        self._user_states = user_states

    async def __call__(self, command: UpdateUser) -> User:
        actor = command.actor
        authorize(actor, Capability.MANAGE_USERS)
        try:
            user_id = UserId(canonical_id(command.user_id))
        except InvalidInputError:
            raise UserNotFoundError() from None  # a malformed id names nobody
        if user_id == actor.user_id and (command.role or command.active is False):
            # An admin locking themselves out (or demoting the last admin) is never intended.
            raise CannotChangeOwnAccessError()
        try:
            return await self._update(actor, user_id, command)
        finally:
            # Committed or not, the next request of this user reads the store (always safe).
            self._user_states.forget(actor.studio_id, user_id)

    async def _update(self, actor: Actor, user_id: UserId, command: UpdateUser) -> User:
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            user = await uow.users.get(actor.studio_id, user_id)
            changed = user.changed(
                name=command.name.strip() if command.name else None,
                role=command.role,
                active=command.active,
                at=now,
            )
            saved = await uow.users.save(changed, expected_revision=user.revision)
            ended = 0
            if user.active and not saved.active:
                ended = await uow.sessions.revoke_all_for_user(actor.studio_id, user.id, now)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="user.updated",
                resource_type="user",
                resource_id=user.id,
                at=now,
                details=_changes(user, saved) | ({"sessionsEnded": str(ended)} if ended else {}),
            )
            await uow.commit()
        return saved


def _changes(before: User, after: User) -> dict[str, str]:
    changes = {}
    for field in ("name", "role", "active"):
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            changes[field] = f"{old} -> {new}"
    return changes


@dataclass(frozen=True, slots=True, kw_only=True)
class GetUser:
    actor: Actor
    user_id: str


class GetUserHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetUser) -> User:
        authorize(query.actor, Capability.MANAGE_USERS)
        try:
            user_id = UserId(canonical_id(query.user_id))
        except InvalidInputError:
            raise UserNotFoundError() from None
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.users.get(query.actor.studio_id, user_id)
