"""Ports for credentials: access tokens, password hashing, the common-password list, secrets."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from domain.identity.model import Role
from domain.shared.errors import UnauthenticatedError
from domain.shared.ids import StudioId, UserId


class InvalidTokenError(UnauthenticatedError):
    """Any token that does not verify. The message never says which check failed."""

    code = "invalid_token"
    default_message = "The access token is not valid."


class ExpiredTokenError(InvalidTokenError):
    """Distinguished so a client knows to refresh rather than sign in again."""

    code = "token_expired"
    default_message = "The access token has expired; refresh it."


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessClaims:
    user_id: UserId
    studio_id: StudioId
    role: Role
    token_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedAccessToken:
    token: str
    token_id: str
    expires_at: datetime


@runtime_checkable  # route handlers receive it; Litestar checks the type
class AccessTokens(Protocol):
    """Signs and verifies access tokens (JWTs)."""

    def issue(
        self, *, user_id: UserId, studio_id: StudioId, role: Role, at: datetime
    ) -> IssuedAccessToken: ...

    def verify(self, token: str, *, at: datetime) -> AccessClaims:
        """Raises ``ExpiredTokenError`` or ``InvalidTokenError``."""
        ...

    def public_keys(self) -> dict[str, Any]:
        """The verification keys as a JWKS document (empty for a shared-secret algorithm)."""
        ...


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    ok: bool
    needs_rehash: bool = False


class PasswordHasher(Protocol):
    """Slow, salted password hashing, never on the event loop, with bounded concurrency."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> PasswordCheck: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time a real verification takes (for accounts that do not exist)."""
        ...


class CommonPasswords(Protocol):
    """A list of passwords too common to allow (compared case-insensitively)."""

    def __contains__(self, password: object) -> bool: ...


class SecretTokens(Protocol):
    """High-entropy opaque secrets (refresh tokens) and their one-way digests."""

    def new_secret(self) -> str:
        """256 random bits, URL-safe text."""
        ...

    def digest(self, secret: str) -> str:
        """A fixed, one-way digest to store instead of the secret."""
        ...
