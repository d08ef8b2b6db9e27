"""Bodies of the upload and video routes. The storage key is never part of a video."""

from datetime import datetime
from typing import Annotated

import msgspec

from application.media.ports import PresignedUpload
from domain.media.model import UploadPurpose, Video, VideoStatus
from entrypoints.http.identity.schemas import Body

StorageKey = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class PresignIn(Body):
    filename: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    content_type: Annotated[str, msgspec.Meta(min_length=3, max_length=100)]
    size: Annotated[int, msgspec.Meta(ge=1)]
    purpose: UploadPurpose


class PartOut(msgspec.Struct, kw_only=True, rename="camel"):
    part_number: int
    url: str
    size: int


class PresignOut(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    s3_key: str
    upload_url: str | None
    method: str
    headers: dict[str, str]
    expires_at: datetime
    multipart_id: str | None = None
    parts: list[PartOut] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, key: str, presigned: PresignedUpload) -> "PresignOut":
        return cls(
            s3_key=key,
            upload_url=presigned.url,
            method=presigned.method,
            headers=dict(presigned.headers),
            expires_at=presigned.expires_at,
            multipart_id=presigned.multipart_id,
            parts=[PartOut(part_number=p.number, url=p.url, size=p.size) for p in presigned.parts],
        )


class CompletedPartIn(Body):
    part_number: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    etag: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class CompleteIn(Body):
    s3_key: StorageKey
    parts: Annotated[list[CompletedPartIn], msgspec.Meta(min_length=1, max_length=10_000)]


class VideoCreateIn(Body):
    s3_key: StorageKey
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class VideoOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    title: str
    content_type: str
    size: int
    status: VideoStatus
    duration_seconds: float | None
    width: int | None
    height: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, video: Video) -> "VideoOut":
        return cls(
            id=video.id,
            title=video.title,
            content_type=video.content_type,
            size=video.size,
            status=video.status,
            duration_seconds=video.duration_seconds,
            width=video.width,
            height=video.height,
            created_at=video.created_at,
            updated_at=video.updated_at,
        )
