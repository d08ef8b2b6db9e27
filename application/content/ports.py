"""The series and episode repositories, the list queries they answer, and the subscription
check the catalogue asks.

Every call names its studio; another studio's series or episode is not found. Lists are
sorted by (sort field, id) in the sort's direction; a keyset key is (value, id) with instants
as epoch milliseconds, ``title`` as its case-folded key, ``popularity`` and ``number`` as
whole numbers.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.content.model import (
    Episode,
    EpisodeId,
    EpisodeStatus,
    Series,
    SeriesId,
    SeriesStatus,
)
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, Page, PageWindow, SortSpec, Window

# The API's sort names for each list (allow-lists: anything else is refused by the query).
OWN_SERIES_SORTS = ("createdAt", "updatedAt", "title")
DEFAULT_OWN_SERIES_SORT = SortSpec("updatedAt", Direction.DESC)
PUBLISHED_SERIES_SORTS = ("publishedAt", "title", "popularity")
DEFAULT_PUBLISHED_SERIES_SORT = SortSpec("publishedAt", Direction.DESC)
PENDING_SORTS = ("submittedAt",)
DEFAULT_PENDING_SORT = SortSpec("submittedAt", Direction.ASC)  # oldest submission first
EPISODE_SORTS = ("number",)
DEFAULT_EPISODE_SORT = SortSpec("number", Direction.ASC)


def _check_sort(sort: SortSpec, allowed: tuple[str, ...], what: str) -> None:
    if sort.field not in allowed:
        raise ValueError(f"{what} cannot be sorted by {sort.field!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnSeriesQuery:
    """One creator's series (any status, or one)."""

    owner_id: UserId
    status: SeriesStatus | None = None
    sort: SortSpec = DEFAULT_OWN_SERIES_SORT
    window: Window = field(default_factory=PageWindow)

    def __post_init__(self) -> None:
        _check_sort(self.sort, OWN_SERIES_SORTS, "a creator's series")


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedSeriesQuery:
    """The catalogue: visible series only (published, with a published episode).

    ``tag`` is one tag in its stored form (``check_tag``); ``words`` come from
    ``query_words(q)``: each must begin a word of the title.
    """

    tag: str | None = None
    words: tuple[str, ...] = ()
    sort: SortSpec = DEFAULT_PUBLISHED_SERIES_SORT
    window: Window = field(default_factory=PageWindow)

    def __post_init__(self) -> None:
        _check_sort(self.sort, PUBLISHED_SERIES_SORTS, "published series")


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingQuery:
    """The moderation queue: pending items by submission time (oldest first by default)."""

    sort: SortSpec = DEFAULT_PENDING_SORT
    window: Window = field(default_factory=PageWindow)

    def __post_init__(self) -> None:
        _check_sort(self.sort, PENDING_SORTS, "the moderation queue")


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeQuery:
    """A series' episodes in number order; ``published_only`` for what viewers see."""

    published_only: bool = False
    sort: SortSpec = DEFAULT_EPISODE_SORT
    window: Window = field(default_factory=PageWindow)

    def __post_init__(self) -> None:
        _check_sort(self.sort, EPISODE_SORTS, "episodes")


class SeriesRepository(Protocol):
    async def add(self, series: Series) -> None: ...

    async def get(self, studio_id: StudioId, series_id: SeriesId) -> Series:
        """Raises ``SeriesNotFoundError`` (also for another studio's series)."""
        ...

    async def save(self, series: Series, *, expected_revision: int) -> Series:
        """Store ``series`` as revision ``expected_revision + 1`` with its tags and title words
        (every field but ``popularity``, which only ``add_plays`` changes);
        ``StaleRevisionError``, ``SeriesNotFoundError``."""
        ...

    async def add_plays(self, studio_id: StudioId, series_id: SeriesId, plays: int) -> None:
        """Add ``plays`` to the series' ``popularity``. Not an edit: the revision stays (an
        ``If-Match`` in hand stays valid), and ``save`` never writes ``popularity``, so plays
        counted between a read and a save are kept. ``SeriesNotFoundError``."""
        ...

    async def list_own(self, studio_id: StudioId, query: OwnSeriesQuery) -> Page[Series]: ...

    async def list_pending(self, studio_id: StudioId, query: PendingQuery) -> Page[Series]:
        """Pending series by ``submitted_at``."""
        ...

    async def list_published(
        self, studio_id: StudioId, query: PublishedSeriesQuery
    ) -> Page[Series]:
        """Visible series only: status published and ``published_episodes > 0``."""
        ...


class EpisodeRepository(Protocol):
    async def add(self, episode: Episode) -> None:
        """Raises ``EpisodeNumberTakenError`` (numbers are unique in a series)."""
        ...

    async def get(self, studio_id: StudioId, episode_id: EpisodeId) -> Episode:
        """Raises ``EpisodeNotFoundError`` (also for another studio's episode)."""
        ...

    async def save(self, episode: Episode, *, expected_revision: int) -> Episode:
        """``StaleRevisionError``, ``EpisodeNotFoundError``, ``EpisodeNumberTakenError``."""
        ...

    async def move_to_draft(
        self,
        studio_id: StudioId,
        series_id: SeriesId,
        statuses: frozenset[EpisodeStatus],
        *,
        at: datetime,
    ) -> int:
        """Every episode of the series in one of ``statuses`` becomes
        ``episode.moved_to_draft(at=at)`` with its revision bumped; answers how many."""
        ...

    async def list_in_series(
        self, studio_id: StudioId, series_id: SeriesId, query: EpisodeQuery
    ) -> Page[Episode]:
        """By number (unique in the series); keyset key = (number, id)."""
        ...

    async def list_pending(self, studio_id: StudioId, query: PendingQuery) -> Page[Episode]:
        """Pending episodes of every series of the studio, by ``submitted_at``."""
        ...


class SubscriptionCheck(Protocol):
    """Whether a viewer's subscription is active: what unlocks episodes past the free ones.

    The container wires ``application.subscriptions.manage.StoredSubscriptions``.
    """

    async def is_subscribed(
        self, studio_id: StudioId, user_id: UserId, *, at: datetime
    ) -> bool: ...
