"""Domain error categories: every failure a caller can act on has a category and a stable code.

The HTTP status for each category is chosen once, in ``entrypoints/http/errors.py``;
nothing below ``entrypoints`` knows a status code.
"""

from collections.abc import Mapping
from typing import ClassVar


class DomainError(Exception):
    """Base of every error the domain and the use cases raise on purpose."""

    code: str = "domain_error"
    default_message: ClassVar[str] = "The operation could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        self.message = message or self.default_message
        # An instance may refine the class code (``asset_name_taken`` for a ConflictError).
        self.code = code or type(self).code
        self.details: Mapping[str, object] | None = details
        super().__init__(self.message)


class NotFoundError(DomainError):
    """The resource does not exist, or belongs to another studio (the two are indistinguishable)."""

    code = "not_found"
    default_message = "The resource was not found."


class ConflictError(DomainError):
    """The request conflicts with the current state (a unique key taken, an illegal transition)."""

    code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


class StaleRevisionError(ConflictError):
    """A write named a revision that is no longer current."""

    code = "stale_revision"
    default_message = "The resource was changed by someone else; reload it and try again."


class ForbiddenError(DomainError):
    """The actor is known but may not do this."""

    code = "forbidden"
    default_message = "You are not allowed to do this."


class InvalidInputError(DomainError):
    """The input breaks a business rule (shapes are checked before the domain is reached)."""

    code = "invalid_input"
    default_message = "The input is not valid."


class UnauthenticatedError(DomainError):
    """No valid credentials were presented."""

    code = "unauthenticated"
    default_message = "Authentication is required."


class RateLimitedError(DomainError):
    """Too many attempts; the caller may try again after ``retry_after`` seconds."""

    code = "rate_limited"
    default_message = "Too many requests; try again later."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int,
        code: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after = max(1, retry_after)


class RenderError(DomainError):
    """A render or transcode step failed; ``retryable`` says whether another attempt may succeed."""

    code = "render_failed"
    default_message = "The render job failed."
    retryable: ClassVar[bool] = False


class RetryableRenderError(RenderError):
    """A transient failure (a node lost, a timeout, storage unreachable): try again later."""

    code = "render_transient_failure"
    default_message = "The render job failed for a transient reason and may be retried."
    retryable = True


class PermanentRenderError(RenderError):
    """A failure no other attempt can fix (a corrupt source, an unsupported format)."""

    code = "render_permanent_failure"
    default_message = "The render job failed and cannot succeed by retrying."
    retryable = False
