"""What an asset uses (``PUT .../dependencies``) and what uses it (``.../dependents``)."""

from collections.abc import Sequence
from dataclasses import dataclass

from application.assets.access import check_revision, load_asset, save_change
from application.audit.trail import AuditTrail
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.assets.dependencies import check_no_cycle
from domain.assets.errors import InvalidAssetError
from domain.assets.model import MAX_DEPENDENCIES, Asset, AssetId
from domain.identity.access import Actor, Capability
from domain.shared.errors import InvalidInputError
from domain.shared.ids import StudioId, canonical_id
from domain.shared.paging import KeysetWindow, Page

MAX_TRANSITIVE = 10_000


class UnknownDependencyError(InvalidInputError):
    code = "unknown_dependency"
    default_message = "Some dependencies are not assets of this studio."


async def checked_dependencies(
    uow: UnitOfWork, studio_id: StudioId, asset_id: AssetId, given: Sequence[str]
) -> tuple[AssetId, ...]:
    """``given`` as canonical ids, each once, every one a live asset of the studio, and no
    path back to ``asset_id``. Another studio's asset is as unknown as a made-up id."""
    try:
        wanted = tuple(dict.fromkeys(canonical_id(text) for text in given))
    except InvalidInputError:
        raise UnknownDependencyError("A dependency is not a valid asset id.") from None
    if len(wanted) > MAX_DEPENDENCIES:
        raise InvalidAssetError(
            f"An asset has at most {MAX_DEPENDENCIES} dependencies.",
            details={"field": "dependencies"},
        )
    if asset_id in wanted:
        check_no_cycle(asset_id, wanted, lambda _: ())  # raises: an asset using itself
    missing = set(wanted) - await uow.assets.existing(studio_id, wanted)
    if missing:
        raise UnknownDependencyError(details={"missing": sorted(missing)})
    graph = await _reachable(uow, studio_id, asset_id, wanted)
    check_no_cycle(asset_id, wanted, lambda current: graph.get(current, ()))
    return wanted


async def _reachable(
    uow: UnitOfWork, studio_id: StudioId, asset_id: AssetId, start: Sequence[AssetId]
) -> dict[AssetId, tuple[AssetId, ...]]:
    """The stored graph below ``start``, loaded one breadth at a time (one query each); the
    walk stops early when it meets ``asset_id`` (the cycle check then names it)."""
    graph: dict[AssetId, tuple[AssetId, ...]] = {}
    frontier = [node for node in start if node != asset_id]
    while frontier:
        found = await uow.assets.dependencies_of(studio_id, frontier)
        graph.update(found)
        graph.update((node, ()) for node in frontier if node not in found)
        following = {n for deps in found.values() for n in deps if n not in graph}
        if asset_id in following:
            break
        frontier = sorted(following)
    return graph


@dataclass(frozen=True, slots=True, kw_only=True)
class SetDependencies:
    actor: Actor
    asset_id: str
    dependencies: Sequence[str]
    expected_revision: int | None = None


class SetDependenciesHandler:
    """Replace the assets an asset uses (editors of the asset). Refuses unknown ids (another
    studio's included) and anything that would make a cycle."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: SetDependencies) -> Asset:
        actor = command.actor
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(uow, actor, command.asset_id, Capability.EDIT_OWN)
            check_revision(asset, command.expected_revision)
            wanted = await checked_dependencies(
                uow, actor.studio_id, asset.id, command.dependencies
            )
            saved = await save_change(
                uow,
                self._audit,
                actor,
                asset,
                asset.with_dependencies(wanted, at=now),
                action="asset.dependencies_set",
                details={"count": str(len(wanted))},
            )
            await uow.commit()
        return saved


@dataclass(frozen=True, slots=True, kw_only=True)
class ListDependents:
    actor: Actor
    asset_id: str
    window: KeysetWindow


class ListDependentsHandler:
    """The live assets that use this one directly, by id, walked with a cursor."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListDependents) -> Page[Asset]:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            asset = await load_asset(uow, query.actor, query.asset_id, Capability.READ_ASSETS)
            return await uow.assets.dependents(query.actor.studio_id, asset.id, query.window)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAllDependents:
    actor: Actor
    asset_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AllDependents:
    """Every live asset that uses this one, directly or through others (nearest first)."""

    ids: tuple[AssetId, ...]
    truncated: bool  # more than MAX_TRANSITIVE: the list stops there


class ListAllDependentsHandler:
    """ "What breaks if I change this": the dependents of the dependents, breadth first."""

    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListAllDependents) -> AllDependents:
        studio_id = query.actor.studio_id
        async with self._persistence.unit_of_work(read_only=True) as uow:
            asset = await load_asset(uow, query.actor, query.asset_id, Capability.READ_ASSETS)
            seen: dict[AssetId, None] = {}
            frontier = [asset.id]
            while frontier and len(seen) < MAX_TRANSITIVE:
                following: list[AssetId] = []
                for node in frontier:
                    following += await _all_direct(uow, studio_id, node)
                fresh = [n for n in dict.fromkeys(following) if n not in seen and n != asset.id]
                seen.update(dict.fromkeys(fresh))
                frontier = fresh
        ids = tuple(seen)
        return AllDependents(ids=ids[:MAX_TRANSITIVE], truncated=len(ids) > MAX_TRANSITIVE)


async def _all_direct(uow: UnitOfWork, studio_id: StudioId, asset_id: AssetId) -> list[AssetId]:
    found: list[AssetId] = []
    window = KeysetWindow(limit=100)
    while True:
        page = await uow.assets.dependents(studio_id, asset_id, window)
        found += [item.id for item in page.items]
        if page.next_after is None or len(found) >= MAX_TRANSITIVE:
            return found
        window = KeysetWindow(after=page.next_after, limit=100)
