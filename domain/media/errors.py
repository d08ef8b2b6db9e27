"""Errors of the media context."""

from domain.shared.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError


class ContentTypeNotAllowedError(InvalidInputError):
    code = "content_type_not_allowed"
    default_message = "This type of file cannot be uploaded here."


class FileTooLargeError(InvalidInputError):
    code = "file_too_large"
    default_message = "This file is too large."


class InvalidStorageKeyError(InvalidInputError):
    code = "invalid_storage_key"
    default_message = "This is not a storage key this server handed out."


class UploadNotFoundError(NotFoundError):
    """No pending upload of the caller matches: unknown, expired, someone else's, or used."""

    code = "upload_not_found"
    default_message = "No pending upload of yours has this key (it may have expired)."


class UploadIncompleteError(ConflictError):
    code = "upload_incomplete"
    default_message = "Nothing was uploaded to this key yet."


class UploadMismatchError(ConflictError):
    """The stored object is not what was announced: it has been deleted."""

    code = "upload_mismatch"
    default_message = "The uploaded file does not match the announced size or type."


class VideoNotFoundError(NotFoundError):
    code = "video_not_found"
    default_message = "No such video."


class InvalidMediaTokenError(ForbiddenError):
    """A local-store URL whose signature, expiry or limits do not hold."""

    code = "invalid_media_token"
    default_message = "This link is not valid (it may have expired)."
