"""Self-service registration: a viewer by default, an artist only where the studio allows it."""

from dataclasses import dataclass

from application.audit.trail import AuditTrail
from application.identity.accounts import Accounts
from application.identity.signing_in import SessionIssuer, SignedIn
from application.shared.ports import Clock, Persistence
from domain.identity.errors import RoleNotAllowedError
from domain.identity.model import Role

# The micro-drama API calls artists "creators"; both names are accepted at registration.
ROLE_ALIASES = {"creator": Role.ARTIST}


@dataclass(frozen=True, slots=True, kw_only=True)
class Register:
    studio: str | None  # slug; None means the default studio
    email: str
    password: str
    name: str
    role: str | None = None


def requested_role(text: str | None) -> Role:
    if text is None:
        return Role.VIEWER
    role = ROLE_ALIASES.get(text)
    if role is None:
        try:
            role = Role(text)
        except ValueError:
            raise RoleNotAllowedError(f"There is no role {text!r}.") from None
    return role


class RegisterHandler:
    def __init__(
        self,
        *,
        persistence: Persistence,
        accounts: Accounts,
        issuer: SessionIssuer,
        audit: AuditTrail,
        clock: Clock,
        default_studio: str,
    ) -> None:
        self._persistence = persistence
        self._accounts = accounts
        self._issuer = issuer
        self._audit = audit
        self._clock = clock
        self._default_studio = default_studio

    async def __call__(self, command: Register) -> SignedIn:
        role = requested_role(command.role)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            studio = await uow.studios.get_by_slug(command.studio or self._default_studio)
        if role not in studio.settings.self_signup_roles:
            # Staff roles are never self-chosen; artist only where the studio opened it.
            raise RoleNotAllowedError(
                f"Registration cannot grant the {role} role in this studio.",
                details={"allowed": sorted(studio.settings.self_signup_roles)},
            )
        now = self._clock.now()
        user, _ = await self._accounts.new_user(
            studio_id=studio.id,
            email=command.email,
            name=command.name,
            role=role,
            password=command.password,
            at=now,
        )
        session, refresh_token = self._issuer.open_session(user, at=now)
        async with self._persistence.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.sessions.add(session)
            await self._audit.record(
                uow,
                studio_id=studio.id,
                actor=user.id,
                action="user.registered",
                resource_type="user",
                resource_id=user.id,
                at=now,
                details={"role": str(role)},
            )
            await uow.commit()
        return self._issuer.signed_in(user, session, refresh_token, at=now)
