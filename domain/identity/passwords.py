"""The password policy (NIST SP 800-63B): length, and not a known common password.

No composition rules: they push people to predictable patterns without adding strength.
"""

from collections.abc import Container

from domain.shared.errors import InvalidInputError

MIN_LENGTH = 12
MAX_LENGTH = 256


class WeakPasswordError(InvalidInputError):
    code = "weak_password"
    default_message = "Choose another password."


def check_new_password(password: str, *, common: Container[str]) -> None:
    """Raise ``WeakPasswordError`` (saying why) unless ``password`` may be set."""
    length = len(password)
    if length < MIN_LENGTH:
        raise WeakPasswordError(
            f"A password needs at least {MIN_LENGTH} characters.",
            code="password_too_short",
            details={"minLength": MIN_LENGTH},
        )
    if length > MAX_LENGTH:
        raise WeakPasswordError(
            f"A password may have at most {MAX_LENGTH} characters.",
            code="password_too_long",
            details={"maxLength": MAX_LENGTH},
        )
    if password in common:
        raise WeakPasswordError(
            "This password is on a list of commonly used passwords; choose another.",
            code="password_too_common",
        )
