"""Opening sign-in sessions: an access token and a rotating refresh token.

A refresh token is ``<studio id>.<session id>.<secret>``: the ids say where to look, the
secret (256 random bits) is stored only as a digest.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.identity.security import AccessTokens, SecretTokens
from application.shared.ports import IdGenerator
from domain.identity.errors import InvalidRefreshTokenError
from domain.identity.model import RefreshSession, User
from domain.shared.errors import InvalidInputError
from domain.shared.ids import SessionId, StudioId, canonical_id


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedIn:
    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True, slots=True)
class RefreshTokenParts:
    studio_id: StudioId
    session_id: SessionId
    secret: str


def parse_refresh_token(token: str) -> RefreshTokenParts:
    """Split a refresh token; anything malformed is simply an invalid refresh token."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[2] or len(token) > 256:
        raise InvalidRefreshTokenError()
    try:
        studio_id, session_id = canonical_id(parts[0]), canonical_id(parts[1])
    except InvalidInputError:
        raise InvalidRefreshTokenError() from None
    return RefreshTokenParts(StudioId(studio_id), SessionId(session_id), parts[2])


class SessionIssuer:
    def __init__(
        self,
        *,
        access_tokens: AccessTokens,
        secrets: SecretTokens,
        ids: IdGenerator,
        refresh_ttl: timedelta,
    ) -> None:
        self._access_tokens = access_tokens
        self._secrets = secrets
        self._ids = ids
        self._refresh_ttl = refresh_ttl

    def digest(self, secret: str) -> str:
        return self._secrets.digest(secret)

    def open_session(self, user: User, *, at: datetime) -> tuple[RefreshSession, str]:
        """A new session for ``user`` and the refresh token to hand out (shown once)."""
        secret = self._secrets.new_secret()
        session = RefreshSession(
            id=SessionId(self._ids.new_id()),
            studio_id=user.studio_id,
            user_id=user.id,
            token_hash=self._secrets.digest(secret),
            created_at=at,
            last_used_at=at,
            expires_at=at + self._refresh_ttl,
        )
        return session, self._token(session, secret)

    def rotate(self, session: RefreshSession, *, at: datetime) -> tuple[RefreshSession, str]:
        """The session with a new live secret (the old one becomes spent), and its token."""
        secret = self._secrets.new_secret()
        return session.rotated(self._secrets.digest(secret), at=at), self._token(session, secret)

    def signed_in(
        self, user: User, session: RefreshSession, refresh_token: str, *, at: datetime
    ) -> SignedIn:
        access = self._access_tokens.issue(
            user_id=user.id, studio_id=user.studio_id, role=user.role, at=at
        )
        return SignedIn(
            user=user,
            access_token=access.token,
            access_expires_at=access.expires_at,
            refresh_token=refresh_token,
            refresh_expires_at=session.expires_at,
        )

    @staticmethod
    def _token(session: RefreshSession, secret: str) -> str:
        return f"{session.studio_id}.{session.id}.{secret}"
