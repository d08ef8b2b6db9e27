"""Ports every context may use."""

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class DependencyProbe(Protocol):
    """One dependency the service needs in order to serve (a database, a bucket, a folder)."""

    @property
    def name(self) -> str: ...

    async def check(self) -> None:
        """Return when the dependency answers; raise any exception when it does not."""
        ...
