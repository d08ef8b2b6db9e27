"""Domain errors carry a category, a stable code and, for render failures, retryability."""

import pytest

from domain.shared.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermanentRenderError,
    RateLimitedError,
    RenderError,
    RetryableRenderError,
    StaleRevisionError,
)


def test_an_instance_may_refine_its_category_code() -> None:
    error = ConflictError("That name is taken.", code="asset_name_taken", details={"name": "Bob"})
    assert (error.code, error.message, error.details) == (
        "asset_name_taken",
        "That name is taken.",
        {"name": "Bob"},
    )
    assert ConflictError.code == "conflict"  # the class code is untouched


def test_defaults_give_every_error_a_code_and_a_message() -> None:
    error = NotFoundError()
    assert error.code == "not_found"
    assert error.message
    assert str(error) == error.message


def test_stale_revision_is_a_conflict() -> None:
    assert isinstance(StaleRevisionError(), ConflictError)


@pytest.mark.parametrize(
    ("error", "retryable", "code"),
    [
        (RetryableRenderError("node lost"), True, "render_transient_failure"),
        (PermanentRenderError("corrupt source"), False, "render_permanent_failure"),
        (PermanentRenderError(code="codec_unsupported"), False, "codec_unsupported"),
    ],
)
def test_render_errors_say_whether_a_retry_can_help(
    error: RenderError, retryable: bool, code: str
) -> None:
    assert isinstance(error, DomainError)
    assert error.retryable is retryable
    assert error.code == code


def test_rate_limited_always_asks_to_wait_at_least_a_second() -> None:
    assert RateLimitedError(retry_after=0).retry_after == 1
    assert RateLimitedError(retry_after=30).retry_after == 30
