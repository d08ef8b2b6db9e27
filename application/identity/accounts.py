"""Making accounts: one place that checks, generates and hashes passwords for new users."""

from datetime import datetime

from application.identity.security import CommonPasswords, PasswordHasher, SecretTokens
from application.shared.ports import IdGenerator
from domain.identity.model import Role, User, normalize_email
from domain.identity.passwords import check_new_password
from domain.shared.ids import StudioId, UserId


class Accounts:
    def __init__(
        self,
        *,
        hasher: PasswordHasher,
        common_passwords: CommonPasswords,
        secrets: SecretTokens,
        ids: IdGenerator,
    ) -> None:
        self._hasher = hasher
        self._common = common_passwords
        self._secrets = secrets
        self._ids = ids

    async def password_hash(self, password: str) -> str:
        """The hash of a password a person chose, once it passes the policy."""
        check_new_password(password, common=self._common)
        return await self._hasher.hash(password)

    async def new_user(
        self,
        *,
        studio_id: StudioId,
        email: str,
        name: str,
        role: Role,
        password: str | None,
        at: datetime,
    ) -> tuple[User, str | None]:
        """A user not yet stored, and the password generated for it (None if one was given)."""
        normalized = normalize_email(email)
        generated = None
        if password is None:
            generated = password = self._secrets.new_secret()
        user = User(
            id=UserId(self._ids.new_id()),
            studio_id=studio_id,
            email=normalized,
            name=name.strip(),
            role=role,
            password_hash=await self.password_hash(password),
            created_at=at,
            updated_at=at,
        )
        return user, generated
