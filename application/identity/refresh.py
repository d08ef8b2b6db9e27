"""Refreshing and ending sessions, with refresh-token rotation and reuse detection."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.audit.trail import AuditTrail
from application.identity.signing_in import SessionIssuer, SignedIn, parse_refresh_token
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.identity.errors import (
    InvalidRefreshTokenError,
    RefreshTokenReusedError,
    SessionNotFoundError,
    UserNotFoundError,
)
from domain.identity.model import RefreshSession
from domain.shared.errors import StaleRevisionError

# A token rotated away this recently is treated as a concurrent refresh, not as a theft.
CONCURRENT_REFRESH_GRACE = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Refresh:
    refresh_token: str


@dataclass(frozen=True, slots=True)
class Logout:
    refresh_token: str


class RefreshHandler:
    """Trade a live refresh token for new tokens; the old one is spent.

    Of two concurrent refreshes with the same token exactly one wins (compare-and-set on the
    session's revision); the other gets ``invalid_refresh_token``, also when it arrives just
    after the winner (within ``CONCURRENT_REFRESH_GRACE``). A spent token presented later
    revokes the whole session: someone else may hold it.
    """

    def __init__(
        self, *, persistence: Persistence, issuer: SessionIssuer, audit: AuditTrail, clock: Clock
    ) -> None:
        self._persistence = persistence
        self._issuer = issuer
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: Refresh) -> SignedIn:
        parts = parse_refresh_token(command.refresh_token)
        digest = self._issuer.digest(parts.secret)
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            try:
                session = await uow.sessions.get(parts.studio_id, parts.session_id)
                user = await uow.users.get(session.studio_id, session.user_id)
            except (SessionNotFoundError, UserNotFoundError):
                raise InvalidRefreshTokenError() from None
            if digest in session.spent_hashes:
                if self._just_rotated(session, digest, now):
                    # Two tabs refreshing together: the other one won a moment ago. Refuse,
                    # but do not end the session the winner is now using.
                    raise InvalidRefreshTokenError()
                await self._revoke(uow, session, now, reason="reuse")
                await uow.commit()
                raise RefreshTokenReusedError()
            if digest != session.token_hash or not session.is_live(now):
                raise InvalidRefreshTokenError()
            if not user.active:
                await self._revoke(uow, session, now, reason="inactive")
                await uow.commit()
                raise InvalidRefreshTokenError()
            rotated, refresh_token = self._issuer.rotate(session, at=now)
            try:
                saved = await uow.sessions.save(rotated, expected_revision=session.revision)
            except StaleRevisionError:
                raise InvalidRefreshTokenError() from None  # a concurrent refresh won
            await uow.commit()
        return self._issuer.signed_in(user, saved, refresh_token, at=now)

    @staticmethod
    def _just_rotated(session: RefreshSession, digest: str, now: datetime) -> bool:
        return (
            bool(session.spent_hashes)
            and session.spent_hashes[0] == digest
            and now - session.last_used_at <= CONCURRENT_REFRESH_GRACE
        )

    async def _revoke(
        self, uow: UnitOfWork, session: RefreshSession, now: datetime, *, reason: str
    ) -> None:
        revoked = session.revoked(at=now)
        try:
            await uow.sessions.save(revoked, expected_revision=session.revision)
        except StaleRevisionError:
            # Changed meanwhile (rotated or revoked): revoke what is there now.
            current = await uow.sessions.get(session.studio_id, session.id)
            await uow.sessions.save(current.revoked(at=now), expected_revision=current.revision)
        await self._audit.record(
            uow,
            studio_id=session.studio_id,
            actor=session.user_id,
            action="session.revoked",
            resource_type="session",
            resource_id=session.id,
            at=now,
            details={"reason": reason},
        )


class LogoutHandler:
    """End the session a refresh token belongs to. Answers the same whether or not it was live."""

    def __init__(self, *, persistence: Persistence, issuer: SessionIssuer, clock: Clock) -> None:
        self._persistence = persistence
        self._issuer = issuer
        self._clock = clock

    async def __call__(self, command: Logout) -> None:
        try:
            parts = parse_refresh_token(command.refresh_token)
        except InvalidRefreshTokenError:
            return
        digest = self._issuer.digest(parts.secret)
        async with self._persistence.unit_of_work() as uow:
            try:
                session = await uow.sessions.get(parts.studio_id, parts.session_id)
            except SessionNotFoundError:
                return
            if session.revoked_at is None and digest == session.token_hash:
                now = self._clock.now()
                try:
                    await uow.sessions.save(
                        session.revoked(at=now), expected_revision=session.revision
                    )
                except StaleRevisionError:
                    return  # rotated or revoked meanwhile: this token no longer opens anything
                await uow.commit()
