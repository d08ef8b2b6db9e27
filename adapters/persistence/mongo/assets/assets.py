"""``AssetRepository`` on the ``assets`` and ``asset_versions`` collections.

Soft-deleted assets stay in ``assets`` (``deleted: true``) and keep their name until purged;
lists, ``existing`` and ``dependents`` see live ones only. An asset's dependencies are an array
on its own document, so "what depends on X" is a query on the multikey dependencies index.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace

from adapters.persistence.mongo.assets.listing import INSTANTS, asset_list_find
from adapters.persistence.mongo.assets.mapping import asset_from_doc, asset_to_doc
from adapters.persistence.mongo.assets.versions import MongoAssetVersions
from adapters.persistence.mongo.identity.mapping import without_id
from adapters.persistence.mongo.indexes import ASSET_NAME_UNIQUE, ASSETS
from adapters.persistence.mongo.shared.codec import Document, from_uuid, lookup_uuid, to_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.keyset import empty_page, invalid_key, key_id, sort_key
from application.assets.ports import AssetQuery
from domain.assets.errors import AssetNameTakenError, AssetNotFoundError
from domain.assets.model import Asset, AssetId, AssetVersion
from domain.shared.ids import StudioId
from domain.shared.paging import KeysetWindow, Page, PageWindow

_UNIQUE = {ASSET_NAME_UNIQUE: AssetNameTakenError}


class MongoAssetRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._assets = context.collection(ASSETS)
        self._versions = MongoAssetVersions(context)

    async def add(self, asset: Asset) -> None:
        with self._context.writing(ASSETS, _UNIQUE):
            await self._assets.insert_one(asset_to_doc(asset), session=self._context.session)

    async def get(
        self, studio_id: StudioId, asset_id: AssetId, *, include_deleted: bool = False
    ) -> Asset:
        tenant, key = lookup_uuid(studio_id), lookup_uuid(asset_id)
        doc = None
        if tenant is not None and key is not None:
            match: Document = {"studio_id": tenant, "_id": key}
            if not include_deleted:
                match["deleted"] = False
            doc = await self._assets.find_one(match, session=self._context.session)
        if doc is None:
            raise AssetNotFoundError(details={"asset_id": asset_id})
        return asset_from_doc(doc)

    async def save(self, asset: Asset, *, expected_revision: int) -> Asset:
        """Compare-and-set on the revision; the derived fields are rewritten with the rest."""
        saved = replace(asset, revision=expected_revision + 1)
        await self._context.compare_and_set(
            ASSETS,
            {"studio_id": to_uuid(asset.studio_id), "_id": to_uuid(asset.id)},
            without_id(asset_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=AssetNotFoundError(details={"asset_id": asset.id}),
            unique=_UNIQUE,
        )
        return saved

    async def purge(self, studio_id: StudioId, asset_id: AssetId) -> list[AssetVersion]:
        """Delete the document (its dependency edges go with it) and its versions.

        Assets that list this one among their dependencies keep its id: those edges are theirs
        (as on SQLite, where only the purged asset's own edges go).
        """
        tenant, key = lookup_uuid(studio_id), lookup_uuid(asset_id)
        if tenant is None or key is None:
            raise AssetNotFoundError(details={"asset_id": asset_id})
        with self._context.writing(ASSETS):
            result = await self._assets.delete_one(
                {"studio_id": tenant, "_id": key}, session=self._context.session
            )
        if not result.deleted_count:
            raise AssetNotFoundError(details={"asset_id": asset_id})
        # Same unit of work: with a transaction, the asset and its versions go together.
        return await self._versions.remove_all(tenant, key)

    async def existing(self, studio_id: StudioId, asset_ids: Iterable[AssetId]) -> set[AssetId]:
        tenant, keys = lookup_uuid(studio_id), _lookup_all(asset_ids)
        if tenant is None or not keys:
            return set()
        cursor = self._assets.find(
            {"studio_id": tenant, "_id": {"$in": keys}, "deleted": False},
            {"_id": 1},
            session=self._context.session,
        )
        return {from_uuid(doc["_id"]) async for doc in cursor}

    async def dependencies_of(
        self, studio_id: StudioId, asset_ids: Iterable[AssetId]
    ) -> Mapping[AssetId, tuple[AssetId, ...]]:
        """Soft-deleted assets included: their edges exist until they are purged (and come back
        with a restore), so a cycle through one must still be seen."""
        tenant, keys = lookup_uuid(studio_id), _lookup_all(asset_ids)
        if tenant is None or not keys:
            return {}
        cursor = self._assets.find(
            {"studio_id": tenant, "_id": {"$in": keys}},
            {"dependencies": 1},
            session=self._context.session,
        )
        return {
            from_uuid(doc["_id"]): tuple(from_uuid(d) for d in doc["dependencies"])
            async for doc in cursor
        }

    async def dependents(
        self, studio_id: StudioId, asset_id: AssetId, window: KeysetWindow
    ) -> Page[Asset]:
        """By id, ascending; the keyset key is ("", id): the id alone places an asset."""
        tenant, key = lookup_uuid(studio_id), lookup_uuid(asset_id)
        if tenant is None or key is None:
            return empty_page(window)
        match: Document = {"studio_id": tenant, "dependencies": key, "deleted": False}
        if window.after is not None:
            if not isinstance(window.after[0], str):
                raise invalid_key()
            match["_id"] = {"$gt": key_id(window.after)}
        cursor = self._assets.find(match, session=self._context.session).sort("_id", 1)
        docs = await cursor.limit(window.limit + 1).to_list()
        items = tuple(asset_from_doc(doc) for doc in docs[: window.limit])
        more = len(docs) > window.limit
        next_after = ("", from_uuid(docs[window.limit - 1]["_id"])) if more else None
        return Page(items, window.limit, next_after=next_after)

    async def add_version(self, version: AssetVersion) -> None:
        await self._versions.add(version)

    async def versions(
        self, studio_id: StudioId, asset_id: AssetId, window: PageWindow | KeysetWindow
    ) -> Page[AssetVersion]:
        return await self._versions.list(studio_id, asset_id, window)

    async def get_version(
        self, studio_id: StudioId, asset_id: AssetId, number: int
    ) -> AssetVersion:
        return await self._versions.get(studio_id, asset_id, number)

    # Last in the class: a method named ``list`` shadows the builtin for what follows.
    async def list(self, studio_id: StudioId, query: AssetQuery) -> Page[Asset]:
        window = query.window
        tenant = lookup_uuid(studio_id)
        find = None if tenant is None else asset_list_find(tenant, query)
        if find is None:
            return empty_page(window)
        session = self._context.session
        cursor = self._assets.find(find.match, session=session).sort(find.order)
        if not isinstance(window, KeysetWindow):
            total = await self._assets.count_documents(find.match, session=session)
            docs = await cursor.skip(window.offset).limit(window.limit).to_list()
            items = tuple(asset_from_doc(doc) for doc in docs)
            return Page(items, window.limit, page=window.page, total=total)
        # One more than asked: whether anything follows, without a second query.
        docs = await cursor.limit(window.limit + 1).to_list()
        items = tuple(asset_from_doc(doc) for doc in docs[: window.limit])
        more = len(docs) > window.limit
        next_after = (
            sort_key(find.field, docs[window.limit - 1], instants=INSTANTS) if more else None
        )
        return Page(items, window.limit, next_after=next_after)


def _lookup_all(asset_ids: Iterable[AssetId]) -> list[uuid.UUID]:
    """The well-formed ids, each once; a malformed one names nothing."""
    keys = (lookup_uuid(asset_id) for asset_id in asset_ids)
    return list(dict.fromkeys(key for key in keys if key is not None))
