"""The blob store (S3, or the local folder) and the media repositories."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

from domain.media.model import Upload, UploadId, Video, VideoId
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import KeysetWindow, Page, PageWindow


@dataclass(frozen=True, slots=True, kw_only=True)
class PresignedPart:
    number: int  # 1-based
    url: str
    size: int  # the exact bytes this part must carry


@dataclass(frozen=True, slots=True, kw_only=True)
class PresignedUpload:
    """How a client sends the bytes: one request, or (multipart) one request per part."""

    url: str | None  # None for multipart: use ``parts``
    method: str  # "PUT"
    headers: Mapping[str, str]  # must be sent exactly (they are part of the signature)
    expires_at: datetime
    multipart_id: str | None = None
    parts: tuple[PresignedPart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletedPart:
    number: int
    etag: str  # the ETag the store answered for the part's PUT


@dataclass(frozen=True, slots=True, kw_only=True)
class PresignedDownload:
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class BlobInfo:
    key: str
    size: int
    content_type: str
    checksum: str | None = None  # what the store gives (sha256 for the local store, an ETag)


@runtime_checkable
class BlobStore(Protocol):
    """Where files live. Clients send and fetch bytes directly, through presigned URLs."""

    async def presign_upload(
        self, *, key: str, content_type: str, size: int, at: datetime, expires_in: timedelta
    ) -> PresignedUpload:
        """A URL (or part URLs, above the store's multipart threshold) for exactly this file."""
        ...

    async def complete_multipart(
        self, *, key: str, multipart_id: str, parts: Sequence[CompletedPart]
    ) -> None:
        """Assemble a multipart upload; raises ``UploadIncompleteError`` if parts are missing."""
        ...

    async def abort_multipart(self, *, key: str, multipart_id: str) -> None: ...

    async def presign_download(
        self,
        *,
        key: str,
        at: datetime,
        expires_in: timedelta,
        filename: str | None = None,
        disposition: Literal["inline", "attachment"] = "inline",
    ) -> PresignedDownload: ...

    async def stat(self, key: str) -> BlobInfo | None:
        """What is stored at ``key``, or None."""
        ...

    async def sha256(self, key: str) -> str | None:
        """The SHA-256 of the stored bytes (lowercase hex), read from the store; None when
        there is no object at ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object (absent is fine)."""
        ...

    async def ping(self) -> None:
        """Return when the store (the bucket, the folder) is usable; raise otherwise."""
        ...

    async def start(self) -> None:
        """Open clients (called once, at start-up; nothing to do for a local folder)."""
        ...

    async def close(self) -> None:
        """Release clients; safe on a store never started."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoQuery:
    """A creator's own videos, newest first."""

    owner_id: UserId
    window: PageWindow | KeysetWindow = field(default_factory=PageWindow)


class UploadRepository(Protocol):
    async def add(self, upload: Upload) -> None: ...

    async def get_by_key(self, studio_id: StudioId, key: str) -> Upload | None: ...

    async def save(self, upload: Upload, *, expected_revision: int) -> Upload:
        """Compare-and-set, as every ``save``: a registration can consume an upload once."""
        ...

    async def expired_pending(self, before: datetime, *, limit: int) -> list[Upload]:
        """Pending uploads that expired before ``before``, any studio: for the sweep command,
        an operator's job (the one call not scoped by a studio)."""
        ...

    async def delete(self, studio_id: StudioId, upload_id: UploadId) -> None: ...


class VideoRepository(Protocol):
    async def add(self, video: Video) -> None: ...

    async def get(self, studio_id: StudioId, video_id: VideoId) -> Video:
        """Raises ``VideoNotFoundError``."""
        ...

    async def list(self, studio_id: StudioId, query: VideoQuery) -> Page[Video]:
        """Sorted by (created_at desc, id desc); keyset key = (created_at ms, id)."""
        ...

    async def save(self, video: Video, *, expected_revision: int) -> Video: ...
