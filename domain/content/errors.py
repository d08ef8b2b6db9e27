"""Errors of the content context (series, episodes, their moderation)."""

from domain.shared.errors import ConflictError, InvalidInputError, NotFoundError


class SeriesNotFoundError(NotFoundError):
    code = "series_not_found"
    default_message = "No such series."


class EpisodeNotFoundError(NotFoundError):
    code = "episode_not_found"
    default_message = "No such episode."


class EpisodeNumberTakenError(ConflictError):
    code = "episode_number_taken"
    default_message = "Another episode of this series already has this number."


class IllegalTransitionError(ConflictError):
    """The action is not allowed from the current status (the transitions table says no)."""

    code = "illegal_transition"
    default_message = "The content cannot move to that status from its current one."


class SeriesArchivedError(ConflictError):
    code = "series_archived"
    default_message = "This series is archived: restore it before changing it or its episodes."


class SeriesNotPublishableError(ConflictError):
    """An episode of a rejected (or archived) series cannot be published."""

    code = "series_not_publishable"
    default_message = (
        "The series of this episode is rejected: it must be resubmitted and approved first."
    )


class EpisodeLockedError(ConflictError):
    """Only draft and rejected episodes are edited; pending ones are withdrawn first."""

    code = "episode_locked"
    default_message = (
        "An episode under review or published cannot be edited: withdraw it from review, "
        "or ask a producer to unpublish it."
    )


class VideoNotReadyError(ConflictError):
    code = "video_not_ready"
    default_message = "The episode's video is not ready to play yet."


class InvalidContentError(InvalidInputError):
    code = "invalid_content"
    default_message = "The series or episode is not valid."


class UnknownVideoError(InvalidInputError):
    """Missing, another studio's, or another creator's: indistinguishable to the caller."""

    code = "unknown_video"
    default_message = "No video of the episode's creator has this id."
