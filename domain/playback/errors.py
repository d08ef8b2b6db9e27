"""Errors of the playback context."""

from domain.shared.errors import ForbiddenError, InvalidInputError


class InvalidProgressError(InvalidInputError):
    code = "invalid_progress"
    default_message = "The progress is not valid."


class PlaybackDeniedError(ForbiddenError):
    """The entitlement policy said no; the code is its reason (``subscription_required``...)."""

    code = "playback_denied"
    default_message = "You may not play this episode."
