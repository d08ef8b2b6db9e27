"""Collections and their indexes, created idempotently at start-up and by ``db migrate``.

Every index but ``studios.slug`` and the uploads sweep starts with ``studio_id``: each query
is scoped by a tenant, and a sharded deployment (DESIGN section 6) shards on ``studio_id``. The
sweep of expired pending uploads is the one documented unscoped query (an operator's job, across
studios). List indexes end with ``_id`` because lists break ties by id, in the sort's direction
(an index serves both); watch progress lists break ties by the episode or series id instead.

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
ASSETS = "assets"
ASSET_VERSIONS = "asset_versions"
SERIES = "series"
EPISODES = "episodes"
SUBSCRIPTIONS = "subscriptions"
SUBSCRIPTION_CHANGES = "subscription_changes"
WATCH_PROGRESS = "watch_progress"
SERIES_PROGRESS = "series_progress"

PRIMARY_KEY = "_id_"  # the name MongoDB gives the index on _id
STUDIO_SLUG_UNIQUE = "studios_slug_unique"
USER_EMAIL_UNIQUE = "users_studio_email_unique"
IDEMPOTENCY_KEY_UNIQUE = "idempotency_studio_scope_key_unique"
UPLOAD_KEY_UNIQUE = "uploads_studio_key_unique"
UPLOAD_SWEEP = "uploads_status_expires"  # not led by studio_id: the sweep spans studios
ASSET_NAME_UNIQUE = "assets_studio_name_unique"
ASSET_VERSION_UNIQUE = "asset_versions_studio_asset_number_unique"
EPISODE_NUMBER_UNIQUE = "episodes_studio_series_number_unique"
SUBSCRIPTION_UNIQUE = "subscriptions_studio_user_unique"
SUBSCRIPTION_CHANGE_UNIQUE = "subscription_changes_studio_user_seq_unique"
PROGRESS_UNIQUE = "watch_progress_studio_user_episode_unique"
SERIES_PROGRESS_UNIQUE = "series_progress_studio_user_series_unique"


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


# Asset lists: the equality filters the API offers and the fields it sorts by, each with the
# short name its indexes are named after. ``tags`` is an array (a multikey index): an equality
# on one tag still reads the index in sort order, as the sort fields are never arrays.
ASSET_LIST_FILTERS = {"type": "type", "status": "status", "owner_id": "owner", "tags": "tag"}
ASSET_LIST_SORTS = {
    "name_key": "name",
    "created_at": "created",
    "updated_at": "updated",
    "type": "type",
    "status": "status",
}


def _asset_list_indexes() -> tuple[IndexSpec, ...]:
    """(studio_id, deleted, [filter,] sort, _id) for every filter (or none) and sort.

    Led by ``deleted`` (every list asks for live assets) rather than partial on it: an
    equality prefix serves any query that names it, and a spec stays keys alone (what
    ``ensure_indexes`` compares). Sorting by the filtered field is served by
    (studio_id, deleted, field, _id): the same index as sorting by it unfiltered.
    """
    short = {**ASSET_LIST_FILTERS, **ASSET_LIST_SORTS}
    made: dict[tuple[str, ...], str] = {}
    for filtered in (None, *ASSET_LIST_FILTERS):
        for sort in ASSET_LIST_SORTS:
            middle = tuple(dict.fromkeys(f for f in (filtered, sort) if f is not None))
            name = "_".join(["assets_studio_deleted", *(short[f] for f in middle)])
            made.setdefault(("studio_id", "deleted", *middle, "_id"), name)
    return tuple(_spec(ASSETS, name, *fields) for fields, name in made.items())


# Series lists: the fields each list sorts by, with the short names its indexes are named
# after. A creator lists their own series (any status, or one); the catalogue lists visible
# series (also by one tag). The moderation queue sorts by ``submitted_at`` alone.
OWN_SERIES_SORTS = {"created_at": "created", "updated_at": "updated", "title_key": "title"}
VISIBLE_SERIES_SORTS = {"published_at": "published", "title_key": "title", "popularity": "popular"}


def _series_list_indexes() -> tuple[IndexSpec, ...]:
    """One index per list, equality filter and sort, ending with ``_id`` (the tie-break): a
    page is read in index order (backwards for a descending sort), a keyset window is a seek.

    - (studio_id, owner_id, [status,] sort, _id): a creator's own series;
    - (studio_id, visible, [tags,] sort, _id): the catalogue. ``visible`` (published with a
      published episode) is a stored boolean, an equality at the front as ``deleted`` is for
      assets; ``tags`` is an array (multikey), still read in sort order under an equality on
      one tag, as the sort fields are never arrays.
    """
    lists = (
        ("owner", ("owner_id",), OWN_SERIES_SORTS),
        ("owner_status", ("owner_id", "status"), OWN_SERIES_SORTS),
        ("visible", ("visible",), VISIBLE_SERIES_SORTS),
        ("visible_tag", ("visible", "tags"), VISIBLE_SERIES_SORTS),
    )
    return tuple(
        _spec(SERIES, f"series_studio_{name}_{short}", "studio_id", *equalities, field, "_id")
        for name, equalities, sorts in lists
        for field, short in sorts.items()
    )


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
    # Names stay taken by soft-deleted assets until they are purged.
    _spec(ASSETS, ASSET_NAME_UNIQUE, "studio_id", "name_key", unique=True),
    *_asset_list_indexes(),
    # A q search: each word is an anchored prefix regex, a range on this multikey index; the
    # matches are then sorted (a search narrows a list to few assets).
    _spec(ASSETS, "assets_studio_deleted_words", "studio_id", "deleted", "words"),
    # "What depends on this asset": dependencies is an array, so each edge is an index entry.
    _spec(ASSETS, "assets_studio_dependencies", "studio_id", "dependencies", "_id"),
    # Also the versions list, newest first (read backwards).
    _spec(ASSET_VERSIONS, ASSET_VERSION_UNIQUE, "studio_id", "asset_id", "number", unique=True),
    *_series_list_indexes(),
    # The moderation queue: pending series by submission time (status is an equality).
    _spec(SERIES, "series_studio_status_submitted", "studio_id", "status", "submitted_at", "_id"),
    # A catalogue q search: each word an anchored prefix regex, a range on this multikey index;
    # the matches are then sorted (a search narrows the catalogue to few series).
    _spec(SERIES, "series_studio_visible_words", "studio_id", "visible", "words"),
    # Numbers are unique in a series; the same index lists a series' episodes by number (no
    # tie-break needed) and finds them for ``move_to_draft``.
    _spec(EPISODES, EPISODE_NUMBER_UNIQUE, "studio_id", "series_id", "number", unique=True),
    # What viewers list: a series' published episodes by number, read in order.
    _spec(
        EPISODES,
        "episodes_studio_series_status_number",
        "studio_id",
        "series_id",
        "status",
        "number",
    ),
    # The moderation queue: pending episodes of the whole studio by submission time.
    _spec(
        EPISODES, "episodes_studio_status_submitted", "studio_id", "status", "submitted_at", "_id"
    ),
    # One subscription per user and studio: a second first one is a stale view (the loser of
    # two first writes retries as a change).
    _spec(SUBSCRIPTIONS, SUBSCRIPTION_UNIQUE, "studio_id", "user_id", unique=True),
    # A user's history, newest first (read backwards): ``seq`` is the subscription revision
    # each change made, so it counts up in the order changes were appended.
    _spec(
        SUBSCRIPTION_CHANGES,
        SUBSCRIPTION_CHANGE_UNIQUE,
        "studio_id",
        "user_id",
        "seq",
        unique=True,
    ),
    # One progress per user and episode, and one latest entry per user and series; each also
    # read backwards by time (ties by the episode or series id, descending): the history and
    # the series in progress, most recently watched first.
    _spec(WATCH_PROGRESS, PROGRESS_UNIQUE, "studio_id", "user_id", "episode_id", unique=True),
    _spec(
        WATCH_PROGRESS,
        "watch_progress_studio_user_watched",
        "studio_id",
        "user_id",
        "watched_at",
        "episode_id",
    ),
    _spec(
        SERIES_PROGRESS, SERIES_PROGRESS_UNIQUE, "studio_id", "user_id", "series_id", unique=True
    ),
    _spec(
        SERIES_PROGRESS,
        "series_progress_studio_user_watched",
        "studio_id",
        "user_id",
        "watched_at",
        "series_id",
    ),
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
    ASSETS,
    ASSET_VERSIONS,
    SERIES,
    EPISODES,
    SUBSCRIPTIONS,
    SUBSCRIPTION_CHANGES,
    WATCH_PROGRESS,
    SERIES_PROGRESS,
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
    """Create the missing indexes; one line per index saying what was done.

    A collection's missing indexes are created in one ``createIndexes`` command: MongoDB then
    builds them in one pass over the collection (and assets alone have two dozen).
    """
    report: list[str] = []
    for collection in COLLECTIONS:
        existing = await database[collection].index_information()
        missing: list[IndexSpec] = []
        for spec in (s for s in INDEXES if s.collection == collection):
            found = existing.get(spec.name)
            if found is None:
                missing.append(spec)
                report.append(f"{collection}.{spec.name}: created")
            elif _matches(found, spec):
                report.append(f"{collection}.{spec.name}: present")
            else:
                raise IndexMismatchError(
                    f"index {collection}.{spec.name} exists with keys {found.get('key')} "
                    f"unique={bool(found.get('unique'))}; expected {list(spec.fields)} "
                    f"unique={spec.unique}"
                )
        if missing:
            await database[collection].create_indexes([spec.model() for spec in missing])
    return report


def _matches(found: Mapping[str, Any], spec: IndexSpec) -> bool:
    keys = [(str(field), int(direction)) for field, direction in found.get("key", [])]
    return keys == [(f, ASCENDING) for f in spec.fields] and bool(found.get("unique")) == (
        spec.unique
    )
