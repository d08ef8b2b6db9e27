"""Who may do what: DESIGN section 3 as one table and one function.

Every use case asks ``authorize(actor, capability, resource)``, so an internal tool calling a
handler directly is held to the same rules as an HTTP request. A resource of another studio
is *not found* (never *forbidden*): a caller cannot learn that it exists.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.identity.model import Role
from domain.shared.errors import ForbiddenError, NotFoundError
from domain.shared.ids import StudioId, UserId


class Capability(StrEnum):
    BROWSE_CATALOG = "browse_catalog"  # the published catalogue; one's own watch progress
    PLAY_EPISODE = "play_episode"  # viewers additionally need the entitlement policy
    READ_ASSETS = "read_assets"
    UPLOAD = "upload"
    CREATE_ASSETS = "create_assets"
    EDIT_OWN = "edit_own"  # own assets, series, episodes, videos (anyone's with EDIT_ANY)
    DELETE_OWN = "delete_own"  # own assets and content (anyone's with DELETE_ANY)
    CREATE_CONTENT = "create_content"  # series, episodes, videos of one's own
    EDIT_ANY = "edit_any"  # anyone's assets or content
    REVIEW_ASSETS = "review_assets"
    MANAGE_RENDER_JOBS = "manage_render_jobs"
    MODERATE = "moderate"  # approve or reject publication
    DELETE_ANY = "delete_any"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_SUBSCRIPTIONS = "manage_subscriptions"
    MANAGE_STUDIO = "manage_studio"


_EVERYONE = frozenset(Role)
_STAFF = frozenset({Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN})
_LEADS = frozenset({Role.DIRECTOR, Role.PRODUCER, Role.ADMIN})
_PRODUCERS = frozenset({Role.PRODUCER, Role.ADMIN})
_ADMINS = frozenset({Role.ADMIN})

# The matrix: for each capability, the roles that hold it.
MATRIX: Mapping[Capability, frozenset[Role]] = {
    Capability.BROWSE_CATALOG: _EVERYONE,
    Capability.PLAY_EPISODE: _EVERYONE,
    Capability.READ_ASSETS: _STAFF,
    Capability.UPLOAD: _STAFF,
    Capability.CREATE_ASSETS: _STAFF,
    Capability.EDIT_OWN: _STAFF,
    Capability.DELETE_OWN: _STAFF,
    Capability.CREATE_CONTENT: _STAFF,
    Capability.EDIT_ANY: _LEADS,
    Capability.REVIEW_ASSETS: _LEADS,
    Capability.MANAGE_RENDER_JOBS: _LEADS,
    Capability.MODERATE: _PRODUCERS,
    Capability.DELETE_ANY: _PRODUCERS,
    Capability.READ_AUDIT: _PRODUCERS,
    Capability.MANAGE_USERS: _ADMINS,
    Capability.MANAGE_SUBSCRIPTIONS: _ADMINS,
    Capability.MANAGE_STUDIO: _ADMINS,
}

# An "own" capability on someone else's resource needs the matching "any" capability.
_OWN_OR_ANY: Mapping[Capability, Capability] = {
    Capability.EDIT_OWN: Capability.EDIT_ANY,
    Capability.DELETE_OWN: Capability.DELETE_ANY,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who is acting: a signed-in user, or a named service identity for internal tools."""

    user_id: UserId
    studio_id: StudioId
    role: Role
    service: str | None = None  # set for internal tools: "render-farm", "nightly-sweep"

    @classmethod
    def for_service(cls, name: str, *, studio_id: StudioId, role: Role) -> "Actor":
        return cls(user_id=UserId(f"service:{name}"), studio_id=studio_id, role=role, service=name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Owned:
    """What the matrix needs to know about a resource: its studio and its owner, if any."""

    studio_id: StudioId
    owner_id: UserId | None = None


def can(actor: Actor, capability: Capability, resource: Owned | None = None) -> bool:
    """Whether ``actor`` may use ``capability`` (on ``resource``, when there is one)."""
    if resource is not None and resource.studio_id != actor.studio_id:
        return False
    if actor.role in MATRIX[capability]:
        if capability not in _OWN_OR_ANY or resource is None:
            return True
        # An ownerless resource is nobody's own: editing it takes the "any" capability.
        if resource.owner_id is not None and resource.owner_id == actor.user_id:
            return True
    broader = _OWN_OR_ANY.get(capability)
    return broader is not None and actor.role in MATRIX[broader]


def authorize(
    actor: Actor,
    capability: Capability,
    resource: Owned | None = None,
    *,
    not_found: type[NotFoundError] = NotFoundError,
) -> None:
    """Raise unless ``can(...)``: another studio's resource as ``not_found``, else forbidden."""
    if resource is not None and resource.studio_id != actor.studio_id:
        raise not_found()
    if not can(actor, capability, resource):
        raise ForbiddenError(
            f"Your role ({actor.role}) may not {capability.replace('_', ' ')}.",
            code="forbidden",
            details={"capability": str(capability), "role": str(actor.role)},
        )
