"""Loading an asset for an actor (the id checked, the studio scoped, the matrix asked), and
saving a change to it with its audit event."""

from collections.abc import Mapping

from application.audit.trail import AuditTrail
from application.shared.ports import UnitOfWork
from domain.assets.errors import AssetNotFoundError
from domain.assets.model import Asset, AssetId
from domain.identity.access import Actor, Capability, Owned, authorize
from domain.shared.errors import InvalidInputError, StaleRevisionError
from domain.shared.ids import canonical_id


def asset_id_of(text: str) -> AssetId:
    """A caller's asset id in canonical form; a malformed one names no asset (404, not 422)."""
    try:
        return canonical_id(text)
    except InvalidInputError:
        raise AssetNotFoundError() from None


def owned(asset: Asset) -> Owned:
    return Owned(studio_id=asset.studio_id, owner_id=asset.owner_id)


async def load_asset(
    uow: UnitOfWork,
    actor: Actor,
    asset_id: str,
    capability: Capability,
    *,
    include_deleted: bool = False,
) -> Asset:
    """The actor's studio's asset, if ``capability`` allows this actor to use it on it."""
    authorize(actor, Capability.READ_ASSETS)
    asset = await uow.assets.get(
        actor.studio_id, asset_id_of(asset_id), include_deleted=include_deleted
    )
    authorize(actor, capability, owned(asset), not_found=AssetNotFoundError)
    return asset


def check_revision(asset: Asset, expected_revision: int | None) -> None:
    """``If-Match``: when the caller names a revision, it must be the current one."""
    if expected_revision is not None and expected_revision != asset.revision:
        raise StaleRevisionError(details={"expected": expected_revision, "current": asset.revision})


async def save_change(
    uow: UnitOfWork,
    audit: AuditTrail,
    actor: Actor,
    before: Asset,
    after: Asset,
    *,
    action: str,
    details: Mapping[str, str] | None = None,
) -> Asset:
    """Store ``after`` over ``before`` (compare-and-set on its revision) and record ``action``
    in the same unit of work: every asset change goes through here."""
    saved = await uow.assets.save(after, expected_revision=before.revision)
    await audit.record(
        uow,
        studio_id=actor.studio_id,
        actor=actor,
        action=action,
        resource_type="asset",
        resource_id=before.id,
        at=after.updated_at,
        details=details,
    )
    return saved
