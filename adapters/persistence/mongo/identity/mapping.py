"""Studios, users and refresh sessions to BSON documents and back.

``_id`` is the entity id and ``studio_id`` the tenant, both native UUIDs; dates are BSON dates;
enums are their string values; studio settings are a sub-document.
"""

from adapters.persistence.mongo.shared.codec import (
    Document,
    from_uuid,
    optional_utc,
    to_uuid,
    utc,
)
from domain.identity.model import RefreshSession, Role, Studio, StudioSettings, User
from domain.shared.ids import SessionId, StudioId, UserId


def studio_to_doc(studio: Studio) -> Document:
    return {
        "_id": to_uuid(studio.id),
        "slug": studio.slug,
        "name": studio.name,
        "settings": settings_to_doc(studio.settings),
        "created_at": studio.created_at,
        "updated_at": studio.updated_at,
        "revision": studio.revision,
    }


def studio_from_doc(doc: Document) -> Studio:
    return Studio(
        id=StudioId(from_uuid(doc["_id"])),
        slug=doc["slug"],
        name=doc["name"],
        settings=settings_from_doc(doc["settings"]),
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        revision=doc["revision"],
    )


def settings_to_doc(settings: StudioSettings) -> Document:
    return {
        # Sorted so the same settings always make the same document.
        "self_signup_roles": sorted(role.value for role in settings.self_signup_roles),
        "free_episodes_per_series": settings.free_episodes_per_series,
    }


def settings_from_doc(doc: Document) -> StudioSettings:
    return StudioSettings(
        self_signup_roles=frozenset(Role(role) for role in doc["self_signup_roles"]),
        free_episodes_per_series=doc["free_episodes_per_series"],
    )


def user_to_doc(user: User) -> Document:
    return {
        "_id": to_uuid(user.id),
        "studio_id": to_uuid(user.studio_id),
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "active": user.active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "revision": user.revision,
    }


def user_from_doc(doc: Document) -> User:
    return User(
        id=UserId(from_uuid(doc["_id"])),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        email=doc["email"],
        name=doc["name"],
        role=Role(doc["role"]),
        password_hash=doc["password_hash"],
        active=doc["active"],
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        revision=doc["revision"],
    )


def session_to_doc(session: RefreshSession) -> Document:
    return {
        "_id": to_uuid(session.id),
        "studio_id": to_uuid(session.studio_id),
        "user_id": to_uuid(session.user_id),
        "token_hash": session.token_hash,
        "spent_hashes": list(session.spent_hashes),
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        # Stored as null rather than left out: "live" is then one equality on the index.
        "revoked_at": session.revoked_at,
        "revision": session.revision,
    }


def session_from_doc(doc: Document) -> RefreshSession:
    return RefreshSession(
        id=SessionId(from_uuid(doc["_id"])),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        user_id=UserId(from_uuid(doc["user_id"])),
        token_hash=doc["token_hash"],
        spent_hashes=tuple(doc["spent_hashes"]),
        created_at=utc(doc["created_at"]),
        last_used_at=utc(doc["last_used_at"]),
        expires_at=utc(doc["expires_at"]),
        revoked_at=optional_utc(doc.get("revoked_at")),
        revision=doc["revision"],
    )


def without_id(doc: Document) -> Document:
    """The fields a ``$set`` may write (``_id`` is immutable in MongoDB)."""
    return {field: value for field, value in doc.items() if field != "_id"}
