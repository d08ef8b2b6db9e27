"""Collections and their indexes, created idempotently at start-up and by ``db migrate``.

Every index but ``studios.slug`` and the uploads sweep starts with ``studio_id``: each query
is scoped by a tenant, and a sharded deployment (DESIGN section 6) shards on ``studio_id``. The
sweep of expired pending uploads is the one documented unscoped query (an operator's job, across
studios). List indexes end with ``_id`` because lists break ties by id, in the sort's direction
(an index serves both).

There are no TTL indexes, on purpose. Expiry in this service is decided by an instant the
caller passes (``at``, ``before``), never by the database's wall clock: a TTL monitor would
delete records that are still live at the caller's ``at`` (tests and replays use fixed times),
and it deletes lazily anyway, so the adapter would still have to treat expired as absent.
Expired sessions and idempotency records go through ``delete_expired`` (a periodic sweep).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

STUDIOS = "studios"
USERS = "users"
SESSIONS = "sessions"
AUDIT_EVENTS = "audit_events"
IDEMPOTENCY_RECORDS = "idempotency_records"
LOGIN_THROTTLES = "login_throttles"
UPLOADS = "uploads"
VIDEOS = "videos"

PRIMARY_KEY = "_id_"  # the name MongoDB gives the index on _id
STUDIO_SLUG_UNIQUE = "studios_slug_unique"
USER_EMAIL_UNIQUE = "users_studio_email_unique"
IDEMPOTENCY_KEY_UNIQUE = "idempotency_studio_scope_key_unique"
UPLOAD_KEY_UNIQUE = "uploads_studio_key_unique"
UPLOAD_SWEEP = "uploads_status_expires"  # not led by studio_id: the sweep spans studios


@dataclass(frozen=True, slots=True)
class IndexSpec:
    collection: str
    name: str
    fields: tuple[str, ...]
    unique: bool = False

    def model(self) -> IndexModel:
        return IndexModel(
            [(field, ASCENDING) for field in self.fields], name=self.name, unique=self.unique
        )


def _spec(collection: str, name: str, *fields: str, unique: bool = False) -> IndexSpec:
    return IndexSpec(collection, name, fields, unique)


INDEXES: tuple[IndexSpec, ...] = (
    _spec(STUDIOS, STUDIO_SLUG_UNIQUE, "slug", unique=True),
    _spec(USERS, USER_EMAIL_UNIQUE, "studio_id", "email", unique=True),
    _spec(USERS, "users_studio_created", "studio_id", "created_at", "_id"),
    _spec(USERS, "users_studio_name", "studio_id", "name", "_id"),
    _spec(USERS, "users_studio_role_created", "studio_id", "role", "created_at", "_id"),
    _spec(USERS, "users_studio_role_name", "studio_id", "role", "name", "_id"),
    # Emails are unique within a studio, so no _id tie-break is needed after them.
    _spec(USERS, "users_studio_role_email", "studio_id", "role", "email"),
    _spec(SESSIONS, "sessions_studio_user", "studio_id", "user_id"),
    _spec(SESSIONS, "sessions_studio_expires", "studio_id", "expires_at"),
    _spec(AUDIT_EVENTS, "audit_studio_at", "studio_id", "at", "_id"),
    _spec(
        AUDIT_EVENTS,
        "audit_studio_resource_at",
        "studio_id",
        "resource_type",
        "resource_id",
        "at",
        "_id",
    ),
    _spec(IDEMPOTENCY_RECORDS, IDEMPOTENCY_KEY_UNIQUE, "studio_id", "scope", "key", unique=True),
    _spec(IDEMPOTENCY_RECORDS, "idempotency_studio_expires", "studio_id", "expires_at"),
    _spec(LOGIN_THROTTLES, "throttles_studio_subject_unique", "studio_id", "subject", unique=True),
    _spec(UPLOADS, UPLOAD_KEY_UNIQUE, "studio_id", "key", unique=True),
    # Oldest first, ties by _id: a sweep batch is read in index order, never sorted in memory.
    _spec(UPLOADS, UPLOAD_SWEEP, "status", "expires_at", "_id"),
    _spec(VIDEOS, "videos_studio_owner_created", "studio_id", "owner_id", "created_at", "_id"),
)

COLLECTIONS = (
    STUDIOS,
    USERS,
    SESSIONS,
    AUDIT_EVENTS,
    IDEMPOTENCY_RECORDS,
    LOGIN_THROTTLES,
    UPLOADS,
    VIDEOS,
)


class IndexMismatchError(RuntimeError):
    """An index with one of our names exists with other keys or options.

    Never dropped automatically: rebuilding an index on a large collection is an operator's
    decision. Drop it by hand, then run ``studio-bridge db migrate`` again.
    """


def index_for_fields(collection: str, fields: tuple[str, ...]) -> str | None:
    """The name of our index on ``collection`` over exactly ``fields`` (``_id_`` for _id)."""
    if fields == ("_id",):
        return PRIMARY_KEY
    for spec in INDEXES:
        if spec.collection == collection and spec.fields == fields:
            return spec.name
    return None


async def ensure_indexes(database: AsyncDatabase[dict[str, Any]]) -> list[str]:
    """Create the missing indexes; one line per index saying what was done."""
    report: list[str] = []
    for collection in COLLECTIONS:
        existing = await database[collection].index_information()
        for spec in (s for s in INDEXES if s.collection == collection):
            found = existing.get(spec.name)
            if found is None:
                await database[collection].create_indexes([spec.model()])
                report.append(f"{collection}.{spec.name}: created")
            elif _matches(found, spec):
                report.append(f"{collection}.{spec.name}: present")
            else:
                raise IndexMismatchError(
                    f"index {collection}.{spec.name} exists with keys {found.get('key')} "
                    f"unique={bool(found.get('unique'))}; expected {list(spec.fields)} "
                    f"unique={spec.unique}"
                )
    return report


def _matches(found: Mapping[str, Any], spec: IndexSpec) -> bool:
    keys = [(str(field), int(direction)) for field, direction in found.get("key", [])]
    return keys == [(f, ASCENDING) for f in spec.fields] and bool(found.get("unique")) == (
        spec.unique
    )
