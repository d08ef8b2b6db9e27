"""Repositories of the identity context. Every call names its studio (except by-slug look-up)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.identity.model import RefreshSession, Role, Studio, User
from domain.identity.throttle import LoginThrottle
from domain.shared.ids import SessionId, StudioId, UserId
from domain.shared.paging import Direction, Page, PageWindow, SortSpec, Window

USER_SORTS = ("email", "name", "createdAt")


@dataclass(frozen=True, slots=True, kw_only=True)
class UserQuery:
    role: Role | None = None
    sort: SortSpec = field(default_factory=lambda: SortSpec("createdAt", Direction.ASC))
    window: Window = field(default_factory=PageWindow)

    def __post_init__(self) -> None:
        if self.sort.field not in USER_SORTS:
            raise ValueError(f"users cannot be sorted by {self.sort.field!r}")


class StudioRepository(Protocol):
    async def add(self, studio: Studio) -> None:
        """Raises ``StudioSlugTakenError``."""
        ...

    async def get(self, studio_id: StudioId) -> Studio:
        """Raises ``StudioNotFoundError``."""
        ...

    async def get_by_slug(self, slug: str) -> Studio:
        """Raises ``StudioNotFoundError``. The one look-up not scoped by a studio id."""
        ...

    async def save(self, studio: Studio, *, expected_revision: int) -> Studio:
        """Store ``studio`` as revision ``expected_revision + 1`` and return it.

        Raises ``StaleRevisionError`` when the stored revision is another, and
        ``StudioNotFoundError`` when there is none.
        """
        ...

    async def count(self) -> int:
        """How many studios exist (a fresh store has none)."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises ``UserEmailTakenError``."""
        ...

    async def get(self, studio_id: StudioId, user_id: UserId) -> User:
        """Raises ``UserNotFoundError`` (also for another studio's user)."""
        ...

    async def find_by_email(self, studio_id: StudioId, email: str) -> User | None: ...

    async def save(self, user: User, *, expected_revision: int) -> User:
        """As ``StudioRepository.save``; also ``UserEmailTakenError`` on an email change."""
        ...

    async def delete(self, studio_id: StudioId, user_id: UserId) -> None:
        """Raises ``UserNotFoundError``."""
        ...

    async def list(self, studio_id: StudioId, query: UserQuery) -> Page[User]: ...


class SessionRepository(Protocol):
    async def add(self, session: RefreshSession) -> None: ...

    async def get(self, studio_id: StudioId, session_id: SessionId) -> RefreshSession:
        """Raises ``SessionNotFoundError``."""
        ...

    async def save(self, session: RefreshSession, *, expected_revision: int) -> RefreshSession:
        """Compare-and-set: of two saves from the same revision exactly one succeeds."""
        ...

    async def revoke_all_for_user(self, studio_id: StudioId, user_id: UserId, at: datetime) -> int:
        """Revoke every live session of the user; return how many were revoked."""
        ...

    async def delete_expired(self, studio_id: StudioId, before: datetime) -> int: ...


class LoginThrottleRepository(Protocol):
    """Failed sign-in attempts per studio and email (kept whether or not the account exists)."""

    async def get(self, studio_id: StudioId, subject: str) -> LoginThrottle | None: ...

    async def put(self, throttle: LoginThrottle) -> None:
        """Insert or replace the throttle of ``(studio_id, subject)``."""
        ...

    async def delete(self, studio_id: StudioId, subject: str) -> None:
        """Forget the failures (after a successful sign-in); absent is fine."""
        ...
