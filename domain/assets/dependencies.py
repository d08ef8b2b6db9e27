"""Dependency graphs between assets: no asset may (transitively) depend on itself."""

from collections.abc import Callable, Iterable

from domain.assets.errors import DependencyCycleError
from domain.assets.model import AssetId


def check_no_cycle(
    asset_id: AssetId,
    new_dependencies: Iterable[AssetId],
    dependencies_of: Callable[[AssetId], Iterable[AssetId]],
) -> None:
    """Refuse ``new_dependencies`` for ``asset_id`` if any of them reaches back to it.

    ``dependencies_of`` answers the *stored* dependencies of an asset (the caller loads
    them, with the graph scoped to one studio). The walk visits each asset once.
    """
    pending = list(new_dependencies)
    seen: set[AssetId] = set()
    while pending:
        current = pending.pop()
        if current == asset_id:
            raise DependencyCycleError(details={"asset": asset_id})
        if current in seen:
            continue
        seen.add(current)
        pending.extend(dependencies_of(current))
