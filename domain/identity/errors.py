"""Errors of the identity context."""

from domain.shared.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)


class StudioNotFoundError(NotFoundError):
    code = "studio_not_found"
    default_message = "No such studio."


class StudioSlugTakenError(ConflictError):
    code = "studio_slug_taken"
    default_message = "Another studio already uses this slug."


class UserNotFoundError(NotFoundError):
    code = "user_not_found"
    default_message = "No such user."


class UserEmailTakenError(ConflictError):
    code = "user_email_taken"
    default_message = "A user with this email already exists in this studio."


class SessionNotFoundError(NotFoundError):
    code = "session_not_found"
    default_message = "No such session."


class InvalidEmailError(InvalidInputError):
    code = "invalid_email"
    default_message = "This is not an email address."


class InvalidSlugError(InvalidInputError):
    code = "invalid_slug"
    default_message = "A slug is 2 to 40 lowercase letters, digits and single hyphens."


class InvalidCredentialsError(UnauthenticatedError):
    """Unknown email, wrong password, or a deactivated account: deliberately one answer."""

    code = "invalid_credentials"
    default_message = "The email or password is incorrect."


class InvalidRefreshTokenError(UnauthenticatedError):
    code = "invalid_refresh_token"
    default_message = "The refresh token is not valid; sign in again."


class RefreshTokenReusedError(InvalidRefreshTokenError):
    """A rotated-away token came back: its whole session is revoked (it may have leaked)."""

    code = "refresh_token_reused"
    default_message = "This refresh token was already used; the session is ended. Sign in again."


class RoleNotAllowedError(ForbiddenError):
    code = "role_not_allowed"
    default_message = "This role cannot be chosen here."


class CurrentPasswordIncorrectError(InvalidInputError):
    code = "current_password_incorrect"
    default_message = "The current password is incorrect."


class CannotChangeOwnAccessError(ConflictError):
    code = "cannot_change_own_access"
    default_message = "You cannot change your own role or deactivate yourself."
