"""The asset repository: one studio's assets, their versions and the dependency graph.

Every call names its studio; another studio's asset is not found. Soft-deleted assets are
invisible to ``list``, ``get`` (unless asked for), ``existing`` and ``dependents``, but keep
their name until ``purge``, and their stored edges still count for ``dependencies_of`` (so a
cycle through a deleted asset is refused before it is restored).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from domain.assets.model import Asset, AssetId, AssetStatus, AssetType, AssetVersion
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import Direction, KeysetWindow, Page, PageWindow, SortSpec, Window

# The API's sort names. ``name`` sorts by the case-folded name (``name_key``).
ASSET_SORTS = ("name", "createdAt", "updatedAt", "type", "status")
DEFAULT_ASSET_SORT = SortSpec("createdAt", Direction.DESC)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetQuery:
    """Live assets of one studio matching every given filter.

    ``tag`` is one tag (lower case); ``words`` come from ``query_words(q)``: each must begin
    a word of the name.
    """

    type: AssetType | None = None
    status: AssetStatus | None = None
    tag: str | None = None
    owner_id: UserId | None = None
    words: tuple[str, ...] = ()
    sort: SortSpec = DEFAULT_ASSET_SORT
    window: Window = field(default_factory=PageWindow)

    def __post_init__(self) -> None:
        if self.sort.field not in ASSET_SORTS:
            raise ValueError(f"assets cannot be sorted by {self.sort.field!r}")


class AssetRepository(Protocol):
    async def add(self, asset: Asset) -> None:
        """Raises ``AssetNameTakenError`` (names are unique per studio, case-insensitively,
        among live *and* soft-deleted assets)."""
        ...

    async def get(
        self, studio_id: StudioId, asset_id: AssetId, *, include_deleted: bool = False
    ) -> Asset:
        """Raises ``AssetNotFoundError`` (also for a soft-deleted one, unless included)."""
        ...

    async def save(self, asset: Asset, *, expected_revision: int) -> Asset:
        """Store ``asset`` as revision ``expected_revision + 1``, its tags, words and
        dependency edges with it. ``StaleRevisionError``, ``AssetNotFoundError``,
        ``AssetNameTakenError``."""
        ...

    async def purge(self, studio_id: StudioId, asset_id: AssetId) -> list[AssetVersion]:
        """Remove the asset, its versions and its edges for good; answer the versions removed
        (their files are the caller's to delete). Raises ``AssetNotFoundError``."""
        ...

    async def existing(self, studio_id: StudioId, asset_ids: Iterable[AssetId]) -> set[AssetId]:
        """Which of ``asset_ids`` are live assets of the studio."""
        ...

    async def dependencies_of(
        self, studio_id: StudioId, asset_ids: Iterable[AssetId]
    ) -> Mapping[AssetId, tuple[AssetId, ...]]:
        """The stored dependencies of each given asset (absent ones map to nothing)."""
        ...

    async def dependents(
        self, studio_id: StudioId, asset_id: AssetId, window: KeysetWindow
    ) -> Page[Asset]:
        """Live assets that list ``asset_id`` among their dependencies, by id."""
        ...

    async def add_version(self, version: AssetVersion) -> None:
        """Raises ``VersionNotForwardError`` if that number exists for the asset."""
        ...

    async def versions(
        self, studio_id: StudioId, asset_id: AssetId, window: PageWindow | KeysetWindow
    ) -> Page[AssetVersion]:
        """Newest first; keyset key = (number, asset id)."""
        ...

    async def get_version(
        self, studio_id: StudioId, asset_id: AssetId, number: int
    ) -> AssetVersion:
        """Raises ``AssetVersionNotFoundError``."""
        ...

    # Last: a method named ``list`` shadows the builtin for what follows in implementations.
    async def list(self, studio_id: StudioId, query: AssetQuery) -> Page[Asset]:
        """Sorted by (sort field, id) in the sort's direction; keyset key = (value, id), with
        instants as epoch milliseconds and ``name`` as its case-folded key."""
        ...
