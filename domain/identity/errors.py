"""Errors of the identity context."""

from domain.shared.errors import ConflictError, InvalidInputError, NotFoundError


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
