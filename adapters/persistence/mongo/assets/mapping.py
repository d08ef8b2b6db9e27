"""Assets and their versions to BSON documents and back.

``_id``, ``studio_id``, ``owner_id`` and each dependency are native UUIDs; dates are BSON dates;
enums are their string values; tags, name words and dependencies are arrays (multikey indexes
find an asset by any element). Optional fields are stored as null rather than left out, so every
document of a collection has the same shape.

Metadata is an array of ``{"key", "value"}`` pairs, not a sub-document: its keys are the user's,
and a sub-document with the keys ``$ref`` and ``$id`` comes back from pymongo as a ``DBRef``
(older servers also refuse ``$``-prefixed and dotted field names). Pairs store any key as data.

Derived fields, written on every add and save and never read back: ``name_key`` (the unique,
case-folded name that name sorts use), ``words`` (what a ``q`` search matches by prefix) and
``deleted`` (a plain boolean, so "live" is one equality at the front of every list index).
"""

from adapters.persistence.mongo.shared.codec import (
    Document,
    from_principal,
    from_uuid,
    optional_utc,
    to_principal,
    to_uuid,
    utc,
)
from domain.assets.model import (
    Asset,
    AssetStatus,
    AssetType,
    AssetVersion,
    name_key,
    name_words,
)
from domain.shared.ids import StudioId, UserId


def asset_to_doc(asset: Asset) -> Document:
    return {
        "_id": to_uuid(asset.id),
        "studio_id": to_uuid(asset.studio_id),
        "owner_id": to_principal(asset.owner_id),
        "name": asset.name,
        "name_key": name_key(asset.name),
        "type": asset.type.value,
        "status": asset.status.value,
        "description": asset.description,
        "tags": list(asset.tags),
        "words": list(name_words(asset.name)),
        "metadata": [{"key": key, "value": value} for key, value in asset.metadata.items()],
        "current_version": asset.current_version,
        # In the order given: the order is part of the asset (SQLite keeps it in a JSON array).
        "dependencies": [to_uuid(dependency) for dependency in asset.dependencies],
        "review_note": asset.review_note,
        "created_at": asset.created_at,
        "updated_at": asset.updated_at,
        "deleted_at": asset.deleted_at,
        "deleted": asset.deleted_at is not None,
        "revision": asset.revision,
    }


def asset_from_doc(doc: Document) -> Asset:
    return Asset(
        id=from_uuid(doc["_id"]),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        owner_id=UserId(from_principal(doc["owner_id"])),
        name=doc["name"],
        type=AssetType(doc["type"]),
        status=AssetStatus(doc["status"]),
        description=doc["description"],
        tags=tuple(doc["tags"]),
        metadata={pair["key"]: pair["value"] for pair in doc["metadata"]},
        current_version=doc.get("current_version"),
        dependencies=tuple(from_uuid(dependency) for dependency in doc["dependencies"]),
        review_note=doc.get("review_note"),
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        deleted_at=optional_utc(doc.get("deleted_at")),
        revision=doc["revision"],
    )


def version_to_doc(version: AssetVersion) -> Document:
    # No natural single id: MongoDB gives each version an ObjectId; (studio, asset, number)
    # is the unique index that makes a number count once per asset.
    return {
        "studio_id": to_uuid(version.studio_id),
        "asset_id": to_uuid(version.asset_id),
        "number": version.number,
        "storage_key": version.storage_key,
        "size": version.size,
        "sha256": version.sha256,
        "content_type": version.content_type,
        "author_id": to_principal(version.author_id),
        "note": version.note,
        "created_at": version.created_at,
    }


def version_from_doc(doc: Document) -> AssetVersion:
    return AssetVersion(
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        asset_id=from_uuid(doc["asset_id"]),
        number=doc["number"],
        storage_key=doc["storage_key"],
        size=doc["size"],
        sha256=doc["sha256"],
        content_type=doc["content_type"],
        author_id=UserId(from_principal(doc["author_id"])),
        note=doc["note"],
        created_at=utc(doc["created_at"]),
    )
