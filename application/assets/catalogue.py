"""Creating, reading, changing, deleting and reviewing assets.

Every handler asks the matrix (``authorize``) and writes its audit event in the unit of work
of the change, so an internal tool calling a handler is held to what an HTTP request is.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from application.assets.access import check_revision, load_asset, save_change
from application.assets.dependencies import checked_dependencies
from application.assets.ports import AssetQuery
from application.assets.snapshots import asset_from_snapshot, asset_snapshot
from application.audit.trail import AuditTrail
from application.media.ports import BlobStore
from application.shared.creates import IdempotentCreates
from application.shared.ports import Clock, IdGenerator, Persistence, UnitOfWork
from domain.assets.errors import (
    AssetInUseError,
    AssetNameTakenError,
    AssetNotDeletedError,
    InvalidAssetError,
)
from domain.assets.model import (
    MAX_NOTE,
    REVIEWER_ACTIONS,
    Asset,
    AssetType,
    ReviewAction,
    check_metadata,
    check_name,
    check_tags,
)
from domain.identity.access import Actor, Capability, authorize
from domain.shared.paging import KeysetWindow, Page

logger = logging.getLogger("studio_bridge.assets")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateAsset:
    actor: Actor
    name: str
    type: AssetType
    description: str = ""
    tags: Sequence[str] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    dependencies: Sequence[str] = ()
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedAsset:
    asset: Asset
    replayed: bool  # True when this is the first answer to an earlier request with the key


class CreateAssetHandler:
    """Create a draft asset owned by the caller (artists and above).

    With an ``idempotency_key``, the first answer is recorded in the same transaction as the
    asset; the same key with the same content answers it again (even when requests race),
    the same key with other content is ``idempotency_key_reused``.
    """

    def __init__(
        self, *, persistence: Persistence, audit: AuditTrail, clock: Clock, ids: IdGenerator
    ) -> None:
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._creates = IdempotentCreates(persistence, clock)

    async def __call__(self, command: CreateAsset) -> CreatedAsset:
        actor = command.actor
        authorize(actor, Capability.CREATE_ASSETS)
        now = self._clock.now()
        asset = Asset(
            id=self._ids.new_id(),
            studio_id=actor.studio_id,
            owner_id=actor.user_id,
            name=check_name(command.name),
            type=command.type,
            description=command.description,
            tags=check_tags(tuple(command.tags)),
            metadata=check_metadata(command.metadata),
            created_at=now,
            updated_at=now,
        )
        content = {
            "action": "asset.create",
            "name": asset.name,
            "type": asset.type.value,
            "description": asset.description,
            "tags": list(asset.tags),
            "metadata": dict(sorted(asset.metadata.items())),
            "dependencies": [text.lower() for text in command.dependencies],
        }

        async def build(uow: UnitOfWork) -> Asset:
            dependencies = await checked_dependencies(
                uow, actor.studio_id, asset.id, command.dependencies
            )
            return asset.with_dependencies(dependencies, at=now) if dependencies else asset

        async def store(uow: UnitOfWork, made: Asset) -> None:
            await uow.assets.add(made)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="asset.created",
                resource_type="asset",
                resource_id=made.id,
                at=now,
                details={"name": made.name, "type": made.type.value},
            )

        created, replayed = await self._creates.create(
            actor,
            command.idempotency_key,
            content,
            build=build,
            store=store,
            snapshot=asset_snapshot,
            restore=asset_from_snapshot,
            races=(AssetNameTakenError,),
            at=now,
        )
        return CreatedAsset(asset=created, replayed=replayed)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetAsset:
    actor: Actor
    asset_id: str


class GetAssetHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetAsset) -> Asset:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await load_asset(uow, query.actor, query.asset_id, Capability.READ_ASSETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAssets:
    actor: Actor
    query: AssetQuery


class ListAssetsHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListAssets) -> Page[Asset]:
        authorize(query.actor, Capability.READ_ASSETS)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.assets.list(query.actor.studio_id, query.query)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateAsset:
    actor: Actor
    asset_id: str
    expected_revision: int | None
    name: str | None = None
    type: AssetType | None = None
    description: str | None = None
    tags: Sequence[str] | None = None
    metadata: Mapping[str, str] | None = None


class UpdateAssetHandler:
    """Change an asset's fields (its owner, or directors and above for anyone's)."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: UpdateAsset) -> Asset:
        actor = command.actor
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(uow, actor, command.asset_id, Capability.EDIT_OWN)
            check_revision(asset, command.expected_revision)
            changed = asset.changed(
                name=command.name,
                type=command.type,
                description=command.description,
                tags=None if command.tags is None else tuple(command.tags),
                metadata=command.metadata,
                at=now,
            )
            saved = await save_change(
                uow,
                self._audit,
                actor,
                asset,
                changed,
                action="asset.updated",
                details=_changes(asset, changed),
            )
            await uow.commit()
        return saved


def _changes(before: Asset, after: Asset) -> dict[str, str]:
    """Which fields changed; the name with its old and new value (the others can be long)."""
    changes = {
        name: "changed"
        for name in ("type", "description", "tags", "metadata")
        if getattr(before, name) != getattr(after, name)
    }
    if before.name != after.name:
        changes["name"] = f"{before.name} -> {after.name}"
    return changes


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewAsset:
    actor: Actor
    asset_id: str
    action: ReviewAction
    note: str | None = None
    expected_revision: int | None = None


class ReviewAssetHandler:
    """Move an asset through review. Submitting needs edit rights on the asset; approving,
    sending back (with a note) and archiving need the reviewer capability."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: ReviewAsset) -> Asset:
        actor = command.actor
        note = (command.note or "").strip() or None
        if command.action is ReviewAction.SEND_BACK and note is None:
            raise InvalidAssetError(
                "Sending an asset back needs a note for its author.", details={"field": "note"}
            )
        if note is not None and len(note) > MAX_NOTE:
            raise InvalidAssetError(
                f"A note has at most {MAX_NOTE} characters.", details={"field": "note"}
            )
        capability = (
            Capability.REVIEW_ASSETS if command.action in REVIEWER_ACTIONS else Capability.EDIT_OWN
        )
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(uow, actor, command.asset_id, capability)
            check_revision(asset, command.expected_revision)
            reviewed = asset.reviewed(command.action, note=note, at=now)
            details = {"from": asset.status.value, "to": reviewed.status.value}
            saved = await save_change(
                uow,
                self._audit,
                actor,
                asset,
                reviewed,
                action=f"asset.{command.action.value}",
                details=details | ({"note": note} if note else {}),
            )
            await uow.commit()
        return saved


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteAsset:
    actor: Actor
    asset_id: str
    expected_revision: int | None = None


class DeleteAssetHandler:
    """Soft delete: the asset leaves lists and look-ups but keeps its name and versions."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: DeleteAsset) -> Asset:
        actor = command.actor
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(uow, actor, command.asset_id, Capability.DELETE_OWN)
            check_revision(asset, command.expected_revision)
            saved = await save_change(
                uow, self._audit, actor, asset, asset.deleted(at=now), action="asset.deleted"
            )
            await uow.commit()
        return saved


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreAsset:
    actor: Actor
    asset_id: str


class RestoreAssetHandler:
    """Bring a soft-deleted asset back (whoever may delete it); a live one is left as is."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: RestoreAsset) -> Asset:
        actor = command.actor
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(
                uow, actor, command.asset_id, Capability.DELETE_OWN, include_deleted=True
            )
            if asset.deleted_at is None:
                return asset
            saved = await save_change(
                uow, self._audit, actor, asset, asset.restored(at=now), action="asset.restored"
            )
            await uow.commit()
        return saved


@dataclass(frozen=True, slots=True, kw_only=True)
class PurgeAsset:
    actor: Actor
    asset_id: str


class PurgeAssetHandler:
    """Remove a soft-deleted asset for good (producers and admins): its name is free again,
    its versions' files are deleted. Refused while live assets still depend on it."""

    def __init__(
        self,
        *,
        persistence: Persistence,
        blob_store: BlobStore,
        audit: AuditTrail,
        clock: Clock,
    ) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: PurgeAsset) -> None:
        actor = command.actor
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(
                uow, actor, command.asset_id, Capability.DELETE_ANY, include_deleted=True
            )
            if asset.deleted_at is None:
                raise AssetNotDeletedError()
            users = await uow.assets.dependents(actor.studio_id, asset.id, KeysetWindow(limit=1))
            if users.items:
                raise AssetInUseError(details={"dependent": users.items[0].id})
            versions = await uow.assets.purge(actor.studio_id, asset.id)
            await self._audit.record(
                uow,
                studio_id=actor.studio_id,
                actor=actor,
                action="asset.purged",
                resource_type="asset",
                resource_id=asset.id,
                at=now,
                details={"name": asset.name, "versions": str(len(versions))},
            )
            await uow.commit()
        for version in versions:
            try:
                await self._blob_store.delete(version.storage_key)
            except Exception:  # the purge is committed; a file left behind is logged, not fatal
                logger.exception(
                    "could not delete a purged version's file",
                    extra={"asset_id": asset.id, "version": version.number},
                )
