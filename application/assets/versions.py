"""An asset's versions: registered from verified uploads, listed, fetched through short URLs."""

from dataclasses import dataclass
from datetime import timedelta

from application.assets.access import check_revision, load_asset, save_change
from application.audit.trail import AuditTrail
from application.media.ports import BlobStore, PresignedDownload
from application.media.uploads import open_upload_of
from application.shared.ports import Clock, Persistence
from domain.assets.errors import InvalidAssetError
from domain.assets.model import MAX_NOTE, Asset, AssetVersion
from domain.identity.access import Actor, Capability
from domain.media.errors import UploadIncompleteError, UploadMismatchError, UploadNotFoundError
from domain.media.model import UploadPurpose
from domain.shared.errors import StaleRevisionError
from domain.shared.paging import KeysetWindow, Page, PageWindow


@dataclass(frozen=True, slots=True, kw_only=True)
class AddVersion:
    actor: Actor
    asset_id: str
    key: str  # the storage key of the caller's finished upload (purpose asset_version)
    note: str = ""
    expected_revision: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddedVersion:
    asset: Asset
    version: AssetVersion


class AddVersionHandler:
    """Register an uploaded file as the asset's next version (its editors).

    The upload must be the caller's, made for an asset version, still open; the stored object
    must have exactly the announced size and type (a mismatching one is deleted). Its SHA-256
    is computed from the stored bytes. The asset's current version moves to the new number;
    numbers only grow, and an upload becomes a version once.
    """

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

    async def __call__(self, command: AddVersion) -> AddedVersion:
        actor = command.actor
        note = command.note.strip()
        if len(note) > MAX_NOTE:
            raise InvalidAssetError(
                f"A note has at most {MAX_NOTE} characters.", details={"field": "note"}
            )
        async with self._persistence.unit_of_work(read_only=True) as uow:
            await load_asset(uow, actor, command.asset_id, Capability.EDIT_OWN)
        now = self._clock.now()
        upload = await open_upload_of(self._persistence, actor, command.key, at=now)
        if upload.purpose is not UploadPurpose.ASSET_VERSION:
            raise UploadNotFoundError("This upload was not made for an asset version.")
        stored = await self._blob_store.stat(upload.key)
        if stored is None:
            raise UploadIncompleteError()
        if stored.size != upload.size or stored.content_type != upload.content_type:
            await self._blob_store.delete(upload.key)
            raise UploadMismatchError(
                details={
                    "expected": {"size": upload.size, "contentType": upload.content_type},
                    "received": {"size": stored.size, "contentType": stored.content_type},
                }
            )
        digest = await self._blob_store.sha256(upload.key)
        if digest is None:
            raise UploadIncompleteError()
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            asset = await load_asset(uow, actor, command.asset_id, Capability.EDIT_OWN)
            check_revision(asset, command.expected_revision)
            try:
                await uow.uploads.save(upload.completed(), expected_revision=upload.revision)
            except StaleRevisionError:
                raise UploadNotFoundError() from None  # registered by a concurrent request
            version = AssetVersion(
                studio_id=asset.studio_id,
                asset_id=asset.id,
                number=(asset.current_version or 0) + 1,
                storage_key=upload.key,
                size=upload.size,
                sha256=digest,
                content_type=upload.content_type,
                author_id=actor.user_id,
                note=note,
                created_at=now,
            )
            await uow.assets.add_version(version)
            saved = await save_change(
                uow,
                self._audit,
                actor,
                asset,
                asset.with_version(version.number, at=now),
                action="asset.version_added",
                details={
                    "version": str(version.number),
                    "sha256": digest,
                    "size": str(upload.size),
                },
            )
            await uow.commit()
        return AddedVersion(asset=saved, version=version)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListVersions:
    actor: Actor
    asset_id: str
    window: PageWindow | KeysetWindow


class ListVersionsHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListVersions) -> Page[AssetVersion]:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            asset = await load_asset(uow, query.actor, query.asset_id, Capability.READ_ASSETS)
            return await uow.assets.versions(query.actor.studio_id, asset.id, query.window)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetVersionDownload:
    actor: Actor
    asset_id: str
    number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionDownload:
    version: AssetVersion
    download: PresignedDownload


class GetVersionDownloadHandler:
    """A short-lived URL to fetch one version's file (anyone who may read assets)."""

    def __init__(
        self,
        *,
        persistence: Persistence,
        blob_store: BlobStore,
        clock: Clock,
        expires_in: timedelta,
    ) -> None:
        self._persistence = persistence
        self._blob_store = blob_store
        self._clock = clock
        self._expires_in = expires_in

    async def __call__(self, query: GetVersionDownload) -> VersionDownload:
        async with self._persistence.unit_of_work(read_only=True) as uow:
            asset = await load_asset(uow, query.actor, query.asset_id, Capability.READ_ASSETS)
            version = await uow.assets.get_version(asset.studio_id, asset.id, query.number)
        filename = version.storage_key.rsplit("/", 1)[-1]
        download = await self._blob_store.presign_download(
            key=version.storage_key,
            at=self._clock.now(),
            expires_in=self._expires_in,
            filename=filename,
            disposition="attachment",
        )
        return VersionDownload(version=version, download=download)
