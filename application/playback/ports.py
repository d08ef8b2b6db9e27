"""Where progress is kept, and what playback reports to metrics."""

from typing import Protocol

from domain.playback.progress import WatchProgress
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Page, PageWindow


class ProgressRepository(Protocol):
    async def get(
        self, studio_id: StudioId, user_id: UserId, episode_id: str
    ) -> WatchProgress | None: ...

    async def put(self, progress: WatchProgress) -> WatchProgress:
        """Keep ``progress`` unless the stored one for its episode was observed at the same
        instant or later (``WatchProgress.supersedes``); answer whichever is stored after.
        The latest entry per series (what ``in_progress_series`` lists) moves with it.
        ``StaleRevisionError`` when a concurrent write of the same user won (MongoDB with
        transactions refuses one of two overlapping ones): the caller may simply write again."""
        ...

    async def history(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[WatchProgress]:
        """The user's progress, one entry per episode, most recently watched first."""
        ...

    async def in_progress_series(
        self, studio_id: StudioId, user_id: UserId, window: PageWindow
    ) -> Page[WatchProgress]:
        """The latest entry of each series the user watched, most recently watched first."""
        ...


class PlaybackMetrics(Protocol):
    """Counts every play and every denial (by reason)."""

    def played(self) -> None: ...

    def denied(self, reason: str) -> None: ...
