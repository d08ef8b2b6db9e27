"""Asset versions on the ``asset_versions`` collection: one number once per asset, newest first."""

import uuid

from adapters.persistence.mongo.assets.mapping import version_from_doc, version_to_doc
from adapters.persistence.mongo.indexes import ASSET_VERSION_UNIQUE, ASSET_VERSIONS
from adapters.persistence.mongo.shared.codec import Document, from_uuid, lookup_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import SortOrder, empty_page, invalid_key
from domain.assets.errors import AssetVersionNotFoundError, VersionNotForwardError
from domain.assets.model import AssetId, AssetVersion
from domain.shared.ids import StudioId
from domain.shared.paging import KeysetWindow, Page, PageWindow

# Numbers are unique per asset: no tie-break needed; the unique index, read backwards.
_NEWEST_FIRST: SortOrder = [("number", -1)]


class MongoAssetVersions:
    """The version half of ``MongoAssetRepository``, which delegates to it."""

    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._versions = context.collection(ASSET_VERSIONS)

    async def add(self, version: AssetVersion) -> None:
        def taken() -> VersionNotForwardError:
            return VersionNotForwardError(details={"given": version.number})

        with self._context.writing(ASSET_VERSIONS, {ASSET_VERSION_UNIQUE: taken}):
            await self._versions.insert_one(version_to_doc(version), session=self._context.session)

    async def get(self, studio_id: StudioId, asset_id: AssetId, number: int) -> AssetVersion:
        tenant, asset = lookup_uuid(studio_id), lookup_uuid(asset_id)
        doc = None
        if tenant is not None and asset is not None:
            doc = await self._versions.find_one(
                {"studio_id": tenant, "asset_id": asset, "number": number},
                session=self._context.session,
            )
        if doc is None:
            raise AssetVersionNotFoundError(details={"asset_id": asset_id, "number": number})
        return version_from_doc(doc)

    async def remove_all(self, tenant: uuid.UUID, asset: uuid.UUID) -> list[AssetVersion]:
        """Delete every version of the asset; answer them, oldest first."""
        scope = {"studio_id": tenant, "asset_id": asset}
        session = self._context.session
        docs = await self._versions.find(scope, session=session).sort("number", 1).to_list()
        with self._context.writing(ASSET_VERSIONS):
            await self._versions.delete_many(scope, session=session)
        return [version_from_doc(doc) for doc in docs]

    # Last in the class: a method named ``list`` shadows the builtin for what follows.
    async def list(
        self, studio_id: StudioId, asset_id: AssetId, window: PageWindow | KeysetWindow
    ) -> Page[AssetVersion]:
        tenant, asset = lookup_uuid(studio_id), lookup_uuid(asset_id)
        if tenant is None or asset is None:
            return empty_page(window)
        match: Document = {"studio_id": tenant, "asset_id": asset}
        session = self._context.session
        if not isinstance(window, KeysetWindow):
            total = await self._versions.count_documents(match, session=session)
            cursor = self._versions.find(match, session=session).sort(_NEWEST_FIRST)
            docs = await cursor.skip(window.offset).limit(window.limit).to_list()
            items = tuple(version_from_doc(doc) for doc in docs)
            return Page(items, window.limit, page=window.page, total=total)
        if window.after is not None:
            number = window.after[0]
            if not isinstance(number, int) or isinstance(number, bool):
                raise invalid_key()
            # The key's id half is the asset itself: the number alone places the version.
            match["number"] = {"$lt": number}
        cursor = self._versions.find(match, session=session).sort(_NEWEST_FIRST)
        # One more than asked: whether anything follows, without a second query.
        docs = await cursor.limit(window.limit + 1).to_list()
        items = tuple(version_from_doc(doc) for doc in docs[: window.limit])
        next_after = None
        if len(docs) > window.limit:
            last = docs[window.limit - 1]
            next_after = (last["number"], from_uuid(last["asset_id"]))
        return Page(items, window.limit, next_after=next_after)
