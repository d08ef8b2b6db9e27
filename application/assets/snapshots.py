"""An asset as JSON text and back: what an idempotency record keeps of the first answer."""

import json
from datetime import datetime

from domain.assets.model import Asset, AssetStatus, AssetType
from domain.shared.ids import StudioId, UserId


def asset_snapshot(asset: Asset) -> bytes:
    return json.dumps(
        {
            "id": asset.id,
            "studio_id": asset.studio_id,
            "owner_id": asset.owner_id,
            "name": asset.name,
            "type": asset.type.value,
            "status": asset.status.value,
            "description": asset.description,
            "tags": list(asset.tags),
            "metadata": dict(asset.metadata),
            "current_version": asset.current_version,
            "dependencies": list(asset.dependencies),
            "review_note": asset.review_note,
            "created_at": asset.created_at.isoformat(),
            "updated_at": asset.updated_at.isoformat(),
            "deleted_at": asset.deleted_at.isoformat() if asset.deleted_at else None,
            "revision": asset.revision,
        },
        separators=(",", ":"),
    ).encode()


def asset_from_snapshot(data: bytes) -> Asset:
    raw = json.loads(data)
    return Asset(
        id=raw["id"],
        studio_id=StudioId(raw["studio_id"]),
        owner_id=UserId(raw["owner_id"]),
        name=raw["name"],
        type=AssetType(raw["type"]),
        status=AssetStatus(raw["status"]),
        description=raw["description"],
        tags=tuple(raw["tags"]),
        metadata=dict(raw["metadata"]),
        current_version=raw["current_version"],
        dependencies=tuple(raw["dependencies"]),
        review_note=raw["review_note"],
        created_at=datetime.fromisoformat(raw["created_at"]),
        updated_at=datetime.fromisoformat(raw["updated_at"]),
        deleted_at=datetime.fromisoformat(raw["deleted_at"]) if raw["deleted_at"] else None,
        revision=raw["revision"],
    )
