"""Bodies of the asset routes: shapes and bounds here, business rules in the domain.

The storage key of a version is never part of a response.
"""

from datetime import datetime
from typing import Annotated

import msgspec

from application.media.ports import PresignedDownload
from domain.assets.model import (
    MAX_DEPENDENCIES,
    MAX_DESCRIPTION,
    MAX_METADATA_ENTRIES,
    MAX_METADATA_KEY,
    MAX_METADATA_VALUE,
    MAX_NAME,
    MAX_NOTE,
    MAX_TAG,
    MAX_TAGS,
    Asset,
    AssetStatus,
    AssetType,
    AssetVersion,
    ReviewAction,
)
from entrypoints.http.identity.schemas import Body

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TAG)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=MAX_TAGS)]
MetadataKey = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_METADATA_KEY)]
MetadataValue = Annotated[str, msgspec.Meta(max_length=MAX_METADATA_VALUE)]
Metadata = Annotated[
    dict[MetadataKey, MetadataValue], msgspec.Meta(max_length=MAX_METADATA_ENTRIES)
]
AssetIdText = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Dependencies = Annotated[list[AssetIdText], msgspec.Meta(max_length=MAX_DEPENDENCIES)]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]


class AssetCreateIn(Body):
    name: Name
    type: AssetType
    description: Description = ""
    tags: Tags = msgspec.field(default_factory=list)
    metadata: Metadata = msgspec.field(default_factory=dict)
    dependencies: Dependencies = msgspec.field(default_factory=list)


class AssetPatchIn(Body):
    """Only the fields sent change. Status moves through ``/review``; dependencies through
    ``PUT /dependencies``; versions through ``POST /versions``."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    type: AssetType | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    metadata: Metadata | msgspec.UnsetType = msgspec.UNSET


class ReviewIn(Body):
    action: ReviewAction
    note: Note | None = None


class DependenciesIn(Body):
    dependencies: Dependencies


class VersionCreateIn(Body):
    s3_key: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    note: Note = ""


class AssetOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    name: str
    type: AssetType
    status: AssetStatus
    description: str
    tags: list[str]
    metadata: dict[str, str]
    owner_id: str
    current_version: int | None
    dependencies: list[str]
    review_note: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    revision: int

    @classmethod
    def of(cls, asset: Asset) -> "AssetOut":
        return cls(
            id=asset.id,
            name=asset.name,
            type=asset.type,
            status=asset.status,
            description=asset.description,
            tags=list(asset.tags),
            metadata=dict(asset.metadata),
            owner_id=asset.owner_id,
            current_version=asset.current_version,
            dependencies=list(asset.dependencies),
            review_note=asset.review_note,
            created_at=asset.created_at,
            updated_at=asset.updated_at,
            deleted_at=asset.deleted_at,
            revision=asset.revision,
        )


class VersionOut(msgspec.Struct, kw_only=True, rename="camel"):
    number: int
    size: int
    sha256: str
    content_type: str
    author_id: str
    note: str
    created_at: datetime

    @classmethod
    def of(cls, version: AssetVersion) -> "VersionOut":
        return cls(
            number=version.number,
            size=version.size,
            sha256=version.sha256,
            content_type=version.content_type,
            author_id=version.author_id,
            note=version.note,
            created_at=version.created_at,
        )


class DownloadOut(msgspec.Struct, kw_only=True, rename="camel"):
    number: int
    url: str
    expires_at: datetime

    @classmethod
    def of(cls, number: int, download: PresignedDownload) -> "DownloadOut":
        return cls(number=number, url=download.url, expires_at=download.expires_at)


class DependentOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    name: str
    type: AssetType
    status: AssetStatus

    @classmethod
    def of(cls, asset: Asset) -> "DependentOut":
        return cls(id=asset.id, name=asset.name, type=asset.type, status=asset.status)


class AllDependentsOut(msgspec.Struct, kw_only=True, rename="camel"):
    ids: list[str]
    truncated: bool
