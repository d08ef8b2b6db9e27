"""Creating studios with their first admin; the demo studio of a fresh embedded install."""

from dataclasses import dataclass, replace

from application.audit.trail import AuditTrail
from application.identity.accounts import Accounts
from application.shared.ports import Clock, IdGenerator, Persistence
from domain.identity.access import Actor, Capability, authorize
from domain.identity.errors import StudioSlugTakenError
from domain.identity.model import (
    Role,
    Studio,
    StudioSettings,
    User,
    check_slug,
)
from domain.shared.ids import StudioId

DEMO_STUDIO_SLUG = "demo"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateStudio:
    slug: str
    name: str
    admin_email: str
    admin_name: str = "Administrator"
    admin_password: str | None = None  # None: one is generated and returned once


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedStudio:
    studio: Studio
    admin: User
    generated_password: str | None


class CreateStudioHandler:
    """A new tenant and its first admin, in one transaction.

    Not bound to an actor: it is run by an operator (the CLI), by the first start of an empty
    embedded store, or by ``POST /studios`` when open sign-up is switched on.
    """

    def __init__(
        self,
        *,
        persistence: Persistence,
        accounts: Accounts,
        audit: AuditTrail,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._persistence = persistence
        self._accounts = accounts
        self._audit = audit
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: CreateStudio) -> CreatedStudio:
        slug = check_slug(command.slug)
        now = self._clock.now()
        studio = Studio(
            id=StudioId(self._ids.new_id()),
            slug=slug,
            name=command.name.strip(),
            created_at=now,
            updated_at=now,
        )
        admin, generated = await self._accounts.new_user(
            studio_id=studio.id,
            email=command.admin_email,
            name=command.admin_name,
            role=Role.ADMIN,
            password=command.admin_password,
            at=now,
        )
        async with self._persistence.unit_of_work() as uow:
            await uow.studios.add(studio)
            await uow.users.add(admin)
            await self._audit.record(
                uow,
                studio_id=studio.id,
                actor=None,
                action="studio.created",
                resource_type="studio",
                resource_id=studio.id,
                at=now,
                details={"slug": slug, "admin": admin.id},
            )
            await uow.commit()
        return CreatedStudio(studio=studio, admin=admin, generated_password=generated)


class EnsureDemoStudioHandler:
    """On an empty store, create studio ``demo`` and its admin; otherwise do nothing.

    Processes starting together on one empty store may all find it empty: the first to write
    creates the studio, the others find its slug taken and do nothing, as if they had come
    second (the signing key is agreed on the same way).
    """

    def __init__(self, persistence: Persistence, create_studio: CreateStudioHandler) -> None:
        self._persistence = persistence
        self._create_studio = create_studio

    async def __call__(
        self, *, admin_email: str, admin_password: str | None
    ) -> CreatedStudio | None:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            if await uow.studios.count() > 0:
                return None
        try:
            return await self._create_studio(
                CreateStudio(
                    slug=DEMO_STUDIO_SLUG,
                    name="Demo Studio",
                    admin_email=admin_email,
                    admin_password=admin_password,
                )
            )
        except StudioSlugTakenError:
            return None  # another process created it between the count and the write


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOwnStudio:
    actor: Actor


class GetOwnStudioHandler:
    """The caller's studio, with its settings (any member)."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetOwnStudio) -> Studio:
        authorize(query.actor, Capability.BROWSE_CATALOG)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.studios.get(query.actor.studio_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateStudio:
    actor: Actor
    name: str | None = None
    self_signup_roles: frozenset[Role] | None = None
    free_episodes_per_series: int | None = None


class UpdateStudioHandler:
    """Rename the studio or change its settings (admins)."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: UpdateStudio) -> Studio:
        actor = command.actor
        authorize(actor, Capability.MANAGE_STUDIO)
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            studio = await uow.studios.get(actor.studio_id)
            current = studio.settings
            roles = command.self_signup_roles
            free = command.free_episodes_per_series
            settings = StudioSettings(
                self_signup_roles=current.self_signup_roles if roles is None else roles,
                free_episodes_per_series=current.free_episodes_per_series if free is None else free,
            )
            name = (command.name or studio.name).strip()
            changed = replace(studio, name=name, settings=settings, updated_at=now)
            saved = await uow.studios.save(changed, expected_revision=studio.revision)
            await self._audit.record(
                uow,
                studio_id=studio.id,
                actor=actor,
                action="studio.updated",
                resource_type="studio",
                resource_id=studio.id,
                at=now,
                details={
                    "name": saved.name,
                    "selfSignupRoles": ",".join(sorted(saved.settings.self_signup_roles)),
                    "freeEpisodesPerSeries": str(saved.settings.free_episodes_per_series),
                },
            )
            await uow.commit()
        return saved
