"""Rows <-> identity entities, and the instant and JSON encodings every table shares.

Reading rows back is on the hot path of every list, so it stays cheap: ids are kept as the
text they are stored as (no UUID parsing), instants are integers turned into datetimes by
arithmetic (no ISO parsing), roles come from a dict rather than an enum look-up.
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.identity.model import RefreshSession, Role, Studio, StudioSettings, User

type Row = tuple[Any, ...]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_ROLES = {role.value: role for role in Role}


def to_ms(at: datetime) -> int:
    """Epoch milliseconds; exact (integer arithmetic) and refuses naive datetimes."""
    return (at - _EPOCH) // _MILLISECOND


def to_ms_or_none(at: datetime | None) -> int | None:
    return None if at is None else to_ms(at)


def from_ms(ms: int) -> datetime:
    # A float division is exact enough here: every whole millisecond from 1970 to 2100 comes
    # back exactly (microseconds are rounded), and it is three times faster than a timedelta.
    return datetime.fromtimestamp(ms / 1000, UTC)


def from_ms_or_none(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def to_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def roles_to_json(roles: Iterable[Role]) -> str:
    return to_json(sorted(role.value for role in roles))


STUDIO_COLUMNS = (
    "id, slug, name, self_signup_roles, free_episodes_per_series, created_at, updated_at, revision"
)


def studio_to_row(studio: Studio) -> Row:
    return (
        studio.id,
        studio.slug,
        studio.name,
        roles_to_json(studio.settings.self_signup_roles),
        studio.settings.free_episodes_per_series,
        to_ms(studio.created_at),
        to_ms(studio.updated_at),
        studio.revision,
    )


def studio_from_row(row: Row) -> Studio:
    settings = StudioSettings(
        self_signup_roles=frozenset(_ROLES[name] for name in json.loads(row[3])),
        free_episodes_per_series=row[4],
    )
    return Studio(
        id=row[0],
        slug=row[1],
        name=row[2],
        settings=settings,
        created_at=from_ms(row[5]),
        updated_at=from_ms(row[6]),
        revision=row[7],
    )


USER_COLUMNS = (
    "id, studio_id, email, name, role, password_hash, active, created_at, updated_at, revision"
)
# Where each sortable value sits in a user row (keyset positions are read straight from rows).
USER_COLUMN_INDEX = {"email": 2, "name": 3, "created_at": 7}


def user_to_row(user: User) -> Row:
    return (
        user.id,
        user.studio_id,
        user.email,
        user.name,
        user.role.value,
        user.password_hash,
        int(user.active),
        to_ms(user.created_at),
        to_ms(user.updated_at),
        user.revision,
    )


def user_from_row(row: Row) -> User:
    return User(
        id=row[0],
        studio_id=row[1],
        email=row[2],
        name=row[3],
        role=_ROLES[row[4]],
        password_hash=row[5],
        active=row[6] == 1,
        created_at=from_ms(row[7]),
        updated_at=from_ms(row[8]),
        revision=row[9],
    )


SESSION_COLUMNS = (
    "id, studio_id, user_id, token_hash, spent_hashes, created_at, last_used_at, expires_at,"
    " revoked_at, revision"
)


def session_to_row(session: RefreshSession) -> Row:
    return (
        session.id,
        session.studio_id,
        session.user_id,
        session.token_hash,
        to_json(list(session.spent_hashes)),
        to_ms(session.created_at),
        to_ms(session.last_used_at),
        to_ms(session.expires_at),
        to_ms_or_none(session.revoked_at),
        session.revision,
    )


def session_from_row(row: Row) -> RefreshSession:
    return RefreshSession(
        id=row[0],
        studio_id=row[1],
        user_id=row[2],
        token_hash=row[3],
        spent_hashes=tuple(json.loads(row[4])),
        created_at=from_ms(row[5]),
        last_used_at=from_ms(row[6]),
        expires_at=from_ms(row[7]),
        revoked_at=from_ms_or_none(row[8]),
        revision=row[9],
    )
