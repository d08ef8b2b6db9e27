"""``StudioRepository`` on the ``studios`` collection."""

from dataclasses import replace

from adapters.persistence.mongo.identity.mapping import studio_from_doc, studio_to_doc, without_id
from adapters.persistence.mongo.indexes import STUDIO_SLUG_UNIQUE, STUDIOS
from adapters.persistence.mongo.shared.codec import lookup_uuid, to_uuid
from adapters.persistence.mongo.shared.context import MongoContext
from domain.identity.errors import StudioNotFoundError, StudioSlugTakenError
from domain.identity.model import Studio
from domain.shared.ids import StudioId


class MongoStudioRepository:
    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self._studios = context.collection(STUDIOS)

    async def add(self, studio: Studio) -> None:
        with self._context.writing(STUDIOS, {STUDIO_SLUG_UNIQUE: StudioSlugTakenError}):
            await self._studios.insert_one(studio_to_doc(studio), session=self._context.session)

    async def get(self, studio_id: StudioId) -> Studio:
        key = lookup_uuid(studio_id)
        doc = None
        if key is not None:
            doc = await self._studios.find_one({"_id": key}, session=self._context.session)
        if doc is None:
            raise StudioNotFoundError(details={"studio_id": studio_id})
        return studio_from_doc(doc)

    async def get_by_slug(self, slug: str) -> Studio:
        doc = await self._studios.find_one({"slug": slug}, session=self._context.session)
        if doc is None:
            raise StudioNotFoundError(details={"slug": slug})
        return studio_from_doc(doc)

    async def save(self, studio: Studio, *, expected_revision: int) -> Studio:
        saved = replace(studio, revision=expected_revision + 1)
        await self._context.compare_and_set(
            STUDIOS,
            {"_id": to_uuid(studio.id)},
            without_id(studio_to_doc(saved)),
            expected_revision=expected_revision,
            not_found=StudioNotFoundError(details={"studio_id": studio.id}),
            unique={STUDIO_SLUG_UNIQUE: StudioSlugTakenError},
        )
        return saved

    async def count(self) -> int:
        return await self._studios.count_documents({}, session=self._context.session)
