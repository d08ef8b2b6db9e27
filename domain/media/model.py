"""Uploads and videos.

An ``Upload`` is the server's promise: "this user may put exactly this many bytes of this
type at this key until then". Registering the upload (as a video now, as an asset version
later) checks the stored object against the promise before anything is created.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Self

from domain.media.errors import (
    ContentTypeNotAllowedError,
    FileTooLargeError,
    InvalidStorageKeyError,
)
from domain.shared.ids import StudioId, UserId

UploadId = str
VideoId = str

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KEY = re.compile(
    r"^studios/[0-9a-f-]{36}/(video|asset_version)/[0-9a-f-]{36}/[A-Za-z0-9._-]{1,100}$"
)


class UploadPurpose(StrEnum):
    VIDEO = "video"
    ASSET_VERSION = "asset_version"


class UploadStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"


class VideoStatus(StrEnum):
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadPolicy:
    """What one purpose accepts: content types and a size ceiling."""

    content_types: frozenset[str]
    max_size: int

    def check(self, *, content_type: str, size: int) -> None:
        if content_type not in self.content_types:
            raise ContentTypeNotAllowedError(
                f"{content_type!r} cannot be uploaded here.",
                details={"allowed": sorted(self.content_types)},
            )
        if not 1 <= size <= self.max_size:
            raise FileTooLargeError(
                f"A file here must be between 1 byte and {self.max_size} bytes.",
                details={"maxSize": self.max_size},
            )


def safe_filename(filename: str) -> str:
    """The client's file name reduced to a harmless last key segment (never a path)."""
    name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("-", name).strip(".-")[:100]
    return name or "file"


def storage_key(
    studio_id: StudioId, purpose: UploadPurpose, upload_id: UploadId, filename: str
) -> str:
    """Keys are made here only: ``studios/{studio}/{purpose}/{upload}/{safe name}``."""
    return f"studios/{studio_id}/{purpose}/{upload_id}/{safe_filename(filename)}"


def check_storage_key(key: str) -> str:
    """A key given back by a client must be one this server could have made."""
    if len(key) > 300 or ".." in key or not _KEY.fullmatch(key):
        raise InvalidStorageKeyError()
    return key


def key_studio(key: str) -> str:
    return key.split("/", 2)[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    id: UploadId
    studio_id: StudioId
    owner_id: UserId
    purpose: UploadPurpose
    key: str
    filename: str
    content_type: str
    size: int
    created_at: datetime
    expires_at: datetime
    status: UploadStatus = UploadStatus.PENDING
    multipart_id: str | None = None  # the store's id for a multipart upload
    revision: int = 1

    def is_open(self, at: datetime) -> bool:
        """Still waiting for its bytes (or for its registration) and not expired."""
        return self.status is UploadStatus.PENDING and at < self.expires_at

    def completed(self) -> Self:
        return replace(self, status=UploadStatus.COMPLETED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Video:
    id: VideoId
    studio_id: StudioId
    owner_id: UserId
    title: str
    storage_key: str  # never shown to a client
    content_type: str
    size: int
    status: VideoStatus = VideoStatus.UPLOADED
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    created_at: datetime
    updated_at: datetime
    revision: int = 1


VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"})
ASSET_VERSION_TYPES = frozenset(
    {
        "application/octet-stream",  # .blend, .ma, .mb, .fbx, .abc and other DCC formats
        "application/zip",
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/tiff",
        "image/x-exr",
        "image/vnd.adobe.photoshop",
        "model/gltf-binary",
        "model/gltf+json",
        "model/obj",
        "model/vnd.usdz+zip",
        "audio/wav",
        "audio/x-wav",
        "audio/mpeg",
        "audio/flac",
        "video/mp4",
        "video/quicktime",
    }
)
