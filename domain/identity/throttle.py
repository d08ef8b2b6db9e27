"""Per-account login back-off: after repeated failures, wait longer and longer.

Keyed by studio and normalized email, whether or not such an account exists, so the back-off
itself does not reveal which emails are registered.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Self

from domain.shared.ids import StudioId

FREE_ATTEMPTS = 5  # failures allowed before any wait
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)  # a quiet hour wipes the slate


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginThrottle:
    studio_id: StudioId
    subject: str  # the normalized email tried
    failures: int = 0
    blocked_until: datetime | None = None
    last_failure_at: datetime | None = None

    @classmethod
    def fresh(cls, studio_id: StudioId, subject: str) -> Self:
        return cls(studio_id=studio_id, subject=subject)

    def retry_after(self, at: datetime) -> int:
        """Whole seconds to wait before another attempt; 0 when one may try now."""
        if self.blocked_until is None or at >= self.blocked_until:
            return 0
        return max(1, int((self.blocked_until - at).total_seconds() + 0.999))

    def after_failure(self, at: datetime) -> Self:
        failures = self.failures
        if self.last_failure_at is not None and at - self.last_failure_at >= FORGET_AFTER:
            failures = 0
        failures += 1
        blocked_until = None
        if failures >= FREE_ATTEMPTS:
            delay = min(MAX_DELAY, timedelta(seconds=2 ** (failures - FREE_ATTEMPTS)))
            blocked_until = at + delay
        return replace(self, failures=failures, blocked_until=blocked_until, last_failure_at=at)
