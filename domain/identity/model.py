"""Studios, users and refresh-token sessions.

Timestamps are timezone-aware UTC with millisecond precision (what every store keeps).
"""

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Self

from domain.identity.errors import InvalidEmailError, InvalidSlugError
from domain.shared.errors import InvalidInputError
from domain.shared.ids import SessionId, StudioId, UserId

# How many rotated-away refresh tokens a session remembers, to recognise their reuse.
MAX_SPENT_HASHES = 32
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,39}$")
# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    VIEWER = "viewer"
    ARTIST = "artist"
    DIRECTOR = "director"
    PRODUCER = "producer"
    ADMIN = "admin"


def normalize_email(text: str) -> str:
    """Emails are compared case-insensitively: one spelling is stored."""
    email = text.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidEmailError(details={"email": text[:254]})
    return email


def check_slug(text: str) -> str:
    if not _SLUG.match(text):
        raise InvalidSlugError(details={"slug": text[:64]})
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class StudioSettings:
    self_signup_roles: frozenset[Role] = frozenset({Role.VIEWER})
    free_episodes_per_series: int = 3

    def __post_init__(self) -> None:
        if not self.self_signup_roles <= {Role.VIEWER, Role.ARTIST}:
            raise InvalidInputError(
                "Self-signup may grant viewer or artist only.", code="signup_role_not_allowed"
            )
        if not 0 <= self.free_episodes_per_series <= 1000:
            raise InvalidInputError(
                "free_episodes_per_series must be between 0 and 1000.", code="invalid_setting"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Studio:
    id: StudioId
    slug: str
    name: str
    settings: StudioSettings = field(default_factory=StudioSettings)
    created_at: datetime
    updated_at: datetime
    revision: int = 1

    def __post_init__(self) -> None:
        check_slug(self.slug)

    def renamed(self, name: str, *, at: datetime) -> Self:
        return replace(self, name=name, updated_at=at)


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: UserId
    studio_id: StudioId
    email: str
    name: str
    role: Role
    password_hash: str
    active: bool = True
    created_at: datetime
    updated_at: datetime
    revision: int = 1

    def __post_init__(self) -> None:
        if self.email != normalize_email(self.email):
            raise InvalidEmailError("Store emails in their normalized form.")

    def changed(
        self,
        *,
        at: datetime,
        name: str | None = None,
        role: Role | None = None,
        active: bool | None = None,
        password_hash: str | None = None,
    ) -> Self:
        return replace(
            self,
            name=self.name if name is None else name,
            role=self.role if role is None else role,
            active=self.active if active is None else active,
            password_hash=self.password_hash if password_hash is None else password_hash,
            updated_at=at,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshSession:
    """One sign-in: a family of refresh tokens, of which only the latest may be used.

    Only hashes are kept. ``token_hash`` is the live token; ``spent_hashes`` are the ones
    already rotated away, so presenting one of them again is recognised as reuse.
    """

    id: SessionId
    studio_id: StudioId
    user_id: UserId
    token_hash: str
    spent_hashes: tuple[str, ...] = ()
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revision: int = 1

    def is_live(self, at: datetime) -> bool:
        return self.revoked_at is None and at < self.expires_at

    def rotated(self, new_token_hash: str, *, at: datetime) -> Self:
        spent = (self.token_hash, *self.spent_hashes)[:MAX_SPENT_HASHES]
        return replace(self, token_hash=new_token_hash, spent_hashes=spent, last_used_at=at)

    def revoked(self, *, at: datetime) -> Self:
        return self if self.revoked_at else replace(self, revoked_at=at)
