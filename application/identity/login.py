"""Signing in with an email and a password.

Unknown studio, unknown email, deactivated account and wrong password all give the same
``InvalidCredentialsError`` after the same work (one password verification and one throttle
write), so neither the answer nor its timing tells which emails exist. After repeated
failures for one email the studio answers 429 for a growing while, whatever the password.
"""

from dataclasses import dataclass, replace

from application.audit.trail import AuditTrail
from application.identity.security import PasswordHasher
from application.identity.signing_in import SessionIssuer, SignedIn
from application.shared.ports import Clock, Persistence
from domain.identity.errors import InvalidCredentialsError, StudioNotFoundError
from domain.identity.model import Studio, User, normalize_email
from domain.identity.throttle import LoginThrottle
from domain.shared.errors import ConflictError, InvalidInputError, RateLimitedError

ATTEMPTS_ON_CONFLICT = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Login:
    studio: str | None  # slug; None means the default studio
    email: str
    password: str


class LoginHandler:
    def __init__(
        self,
        *,
        persistence: Persistence,
        hasher: PasswordHasher,
        issuer: SessionIssuer,
        audit: AuditTrail,
        clock: Clock,
        default_studio: str,
    ) -> None:
        self._persistence = persistence
        self._hasher = hasher
        self._issuer = issuer
        self._audit = audit
        self._clock = clock
        self._default_studio = default_studio

    async def __call__(self, command: Login) -> SignedIn:
        try:
            email = normalize_email(command.email)
        except InvalidInputError:
            await self._hasher.verify_dummy(command.password)
            raise InvalidCredentialsError() from None
        studio, user, throttle = await self._look_up(command.studio, email)
        if studio is None:
            await self._hasher.verify_dummy(command.password)
            raise InvalidCredentialsError()
        wait = throttle.retry_after(self._clock.now()) if throttle else 0
        if wait:
            raise RateLimitedError(
                "Too many failed sign-ins for this account; wait before trying again.",
                code="login_blocked",
                retry_after=wait,
            )
        if user is None or not user.active:
            await self._hasher.verify_dummy(command.password)
            await self._record_failure(studio, email)
            raise InvalidCredentialsError()
        check = await self._hasher.verify(user.password_hash, command.password)
        if not check.ok:
            await self._record_failure(studio, email)
            raise InvalidCredentialsError()
        rehashed = await self._hasher.hash(command.password) if check.needs_rehash else None
        return await self._open_session(user, throttle, rehashed)

    async def _look_up(
        self, slug: str | None, email: str
    ) -> tuple[Studio | None, User | None, LoginThrottle | None]:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            try:
                studio = await uow.studios.get_by_slug(slug or self._default_studio)
            except (StudioNotFoundError, InvalidInputError):
                return None, None, None
            user = await uow.users.find_by_email(studio.id, email)
            throttle = await uow.throttles.get(studio.id, email)
        return studio, user, throttle

    async def _record_failure(self, studio: Studio, email: str) -> None:
        for attempt in range(ATTEMPTS_ON_CONFLICT):
            try:
                async with self._persistence.unit_of_work() as uow:
                    current = await uow.throttles.get(studio.id, email)
                    throttle = current or LoginThrottle.fresh(studio.id, email)
                    await uow.throttles.put(throttle.after_failure(self._clock.now()))
                    await uow.commit()
                return
            except ConflictError:
                # Two failures for one email at once (MongoDB write conflict): count again.
                if attempt == ATTEMPTS_ON_CONFLICT - 1:
                    raise

    async def _open_session(
        self, user: User, throttle: LoginThrottle | None, rehashed: str | None
    ) -> SignedIn:
        now = self._clock.now()
        session, refresh_token = self._issuer.open_session(user, at=now)
        async with self._persistence.unit_of_work() as uow:
            if throttle is not None:
                await uow.throttles.delete(user.studio_id, user.email)
            if rehashed is not None:
                # The hashing parameters were raised since this hash was made: upgrade it now.
                user = await uow.users.save(
                    replace(user, password_hash=rehashed, updated_at=now),
                    expected_revision=user.revision,
                )
            await uow.sessions.add(session)
            await self._audit.record(
                uow,
                studio_id=user.studio_id,
                actor=user.id,
                action="session.opened",
                resource_type="session",
                resource_id=session.id,
                at=now,
            )
            await uow.commit()
        return self._issuer.signed_in(user, session, refresh_token, at=now)
