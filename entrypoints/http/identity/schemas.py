"""Request and response bodies of the identity routes (camelCase on the wire).

Shapes only: lengths are generous bounds; the real rules (password policy, email syntax,
who may take which role) are the domain's, with their own error codes.
"""

from datetime import datetime
from typing import Annotated

import msgspec

from application.identity.signing_in import SignedIn
from domain.identity.model import Role, Studio, User

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
StudioSlug = Annotated[str, msgspec.Meta(min_length=2, max_length=40)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]


class Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Base of every request body: unknown fields are refused (no mass assignment)."""


class RegisterIn(Body):
    email: Email
    password: Password
    name: Name
    role: Annotated[str, msgspec.Meta(max_length=20)] | None = None  # viewer, artist, creator
    studio: StudioSlug | None = None


class LoginIn(Body):
    email: Email
    password: Password
    studio: StudioSlug | None = None


class RefreshIn(Body):
    refresh_token: Token


class PasswordIn(Body):
    current_password: Password
    new_password: Password


class UserCreateIn(Body):
    email: Email
    name: Name
    role: Role
    password: Password | None = None  # omitted: generated, and returned once


class UserPatchIn(Body):
    name: Name | None = None
    role: Role | None = None
    active: bool | None = None


class StudioCreateIn(Body):
    slug: StudioSlug
    name: Name
    admin_email: Email
    admin_password: Password
    admin_name: Name = "Administrator"


class UserOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    studio_id: str
    email: str
    name: str
    role: Role
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(
            id=user.id,
            studio_id=user.studio_id,
            email=user.email,
            name=user.name,
            role=user.role,
            active=user.active,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class CreatedUserOut(UserOut, kw_only=True, omit_defaults=True):
    initial_password: str | None = None  # present only when the server generated it


class SessionOut(msgspec.Struct, kw_only=True, rename="camel"):
    access_token: str
    token_type: str
    expires_at: datetime
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime
    user: UserOut

    @classmethod
    def of(cls, signed_in: SignedIn, *, now: datetime) -> "SessionOut":
        return cls(
            access_token=signed_in.access_token,
            token_type="Bearer",  # noqa: S106  (the OAuth token type, not a secret)
            expires_at=signed_in.access_expires_at,
            expires_in=max(0, int((signed_in.access_expires_at - now).total_seconds())),
            refresh_token=signed_in.refresh_token,
            refresh_expires_at=signed_in.refresh_expires_at,
            user=UserOut.of(signed_in.user),
        )


class StudioOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    slug: str
    name: str
    created_at: datetime

    @classmethod
    def of(cls, studio: Studio) -> "StudioOut":
        return cls(id=studio.id, slug=studio.slug, name=studio.name, created_at=studio.created_at)


class StudioCreatedOut(msgspec.Struct, kw_only=True, rename="camel"):
    studio: StudioOut
    admin: UserOut
