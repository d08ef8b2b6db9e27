"""Errors of the playback context."""

from domain.shared.errors import InvalidInputError


class InvalidProgressError(InvalidInputError):
    code = "invalid_progress"
    default_message = "The progress is not valid."
