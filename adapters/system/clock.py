"""The wall clock, in UTC, to the millisecond (every store keeps milliseconds)."""

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
