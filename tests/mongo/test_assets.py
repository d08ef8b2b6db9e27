"""What the asset adapter stores: one document per asset with its derived fields, versions
beside it, metadata as pairs; and the indexes every list filter and sort needs."""

import re
from dataclasses import replace

import pytest
from bson import ObjectId

from adapters.persistence.mongo.assets.mapping import (
    asset_from_doc,
    asset_to_doc,
    version_from_doc,
    version_to_doc,
)
from adapters.persistence.mongo.indexes import (
    ASSET_LIST_FILTERS,
    ASSET_LIST_SORTS,
    ASSET_NAME_UNIQUE,
    ASSET_VERSION_UNIQUE,
    ASSET_VERSIONS,
    ASSETS,
    INDEXES,
    index_for_fields,
)
from adapters.persistence.mongo.persistence import MongoPersistence
from domain.assets.model import AssetStatus, AssetType
from tests.mongo.conftest import MongoServer, RawDatabase
from tests.mongo.test_documents import is_native_uuid
from tests.support import builders as make

pytestmark = pytest.mark.anyio

ASSET_FIELDS = {
    "_id",
    "studio_id",
    "owner_id",
    "name",
    "name_key",
    "type",
    "status",
    "description",
    "tags",
    "words",
    "metadata",
    "current_version",
    "dependencies",
    "review_note",
    "created_at",
    "updated_at",
    "deleted_at",
    "deleted",
    "revision",
}


async def test_an_asset_is_one_document_with_its_derived_fields(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    studio = make.studio()
    user = make.user(studio)
    base = make.asset(user, "Base")
    asset = make.asset(
        user,
        "Red Hero Rig",
        type=AssetType.RIG,
        tags=("hero", "rig"),
        metadata={"fps": "24", "render.engine": "cycles"},
        dependencies=(base.id,),
        created_at=make.at(1),
        updated_at=make.at(2),
    )
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.assets.add(base)
        await uow.assets.add(asset)
        await uow.assets.add_version(make.asset_version(asset, 1))
        await uow.commit()

    doc = await raw_db.assets.find_one({"name": "Red Hero Rig"})
    bare = await raw_db.assets.find_one({"name": "Base"})
    assert doc is not None
    assert bare is not None
    assert set(doc) == set(bare) == ASSET_FIELDS  # every document has the same shape
    assert is_native_uuid(doc["_id"], asset.id)
    assert is_native_uuid(doc["studio_id"], studio.id)
    assert is_native_uuid(doc["owner_id"], user.id)
    assert [is_native_uuid(d, base.id) for d in doc["dependencies"]] == [True]
    assert (doc["name_key"], doc["words"]) == ("red hero rig", ["red", "hero", "rig"])
    assert (doc["type"], doc["status"], doc["tags"]) == ("rig", "draft", ["hero", "rig"])
    assert doc["metadata"] == [
        {"key": "fps", "value": "24"},
        {"key": "render.engine", "value": "cycles"},
    ]
    assert (doc["deleted"], doc["deleted_at"]) == (False, None)
    assert (doc["created_at"], doc["updated_at"]) == (make.at(1), make.at(2))
    assert (bare["current_version"], bare["review_note"], bare["dependencies"]) == (None, None, [])

    version = await raw_db.asset_versions.find_one({})
    assert version is not None
    assert isinstance(version["_id"], ObjectId)  # no natural id: the unique index is the key
    assert is_native_uuid(version["asset_id"], asset.id)
    assert is_native_uuid(version["author_id"], user.id)
    assert (version["number"], version["size"]) == (1, 1024)


async def test_a_save_rewrites_the_derived_fields(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    studio = make.studio()
    user = make.user(studio)
    asset = make.asset(user, "Red Hero Rig")
    async with mongo.unit_of_work() as uow:
        await uow.assets.add(asset)
        await uow.commit()
    renamed = replace(asset, name="Blue Straße", status=AssetStatus.IN_REVIEW)
    async with mongo.unit_of_work() as uow:
        await uow.assets.save(renamed.deleted(at=make.at(5)), expected_revision=1)
        await uow.commit()
    doc = await raw_db.assets.find_one({})
    assert doc is not None
    assert (doc["name_key"], doc["words"]) == ("blue strasse", ["blue", "strasse"])
    assert (doc["deleted"], doc["deleted_at"], doc["revision"]) == (True, make.at(5), 2)


async def test_metadata_keys_pymongo_would_read_as_a_dbref_round_trip(
    mongo: MongoPersistence,
) -> None:
    """A sub-document with ``$ref`` and ``$id`` decodes as a DBRef: hence metadata pairs."""
    studio = make.studio()
    asset = make.asset(make.user(studio), metadata={"$ref": "shots", "$id": "12", "$db": "x"})
    async with mongo.unit_of_work() as uow:
        await uow.assets.add(asset)
        await uow.commit()
    async with mongo.unit_of_work(read_only=True) as uow:
        assert await uow.assets.get(studio.id, asset.id) == asset


@pytest.mark.mongoeco_gap(
    reason="mongoeco matches no document for regexes inside $all; MongoDB does. The adapter "
    "writes one $and clause per search word, which both servers answer alike"
)
async def test_prefix_regexes_on_an_array(server: MongoServer, raw_db: RawDatabase) -> None:
    await raw_db.things.insert_one({"words": ["red", "hero", "rig"]})
    prefixes = [re.compile("^he"), re.compile("^r")]
    with_all = await raw_db.things.count_documents({"words": {"$all": prefixes}})
    with_and = await raw_db.things.count_documents(
        {"$and": [{"words": {"$regex": f"^{word}"}} for word in ("he", "r")]}
    )
    assert with_and == 1
    assert with_all == (0 if server.is_mongoeco else 1)


def test_assets_and_versions_round_trip_every_field() -> None:
    studio = make.studio()
    user = make.user(studio)
    asset = make.asset(
        user,
        "Héroïne Rig",
        status=AssetStatus.APPROVED,
        tags=("a", "b"),
        metadata={"$set": "x", "a.b": "y"},
        current_version=2,
        dependencies=(make.new_id(), make.new_id()),
        review_note="ok",
        deleted_at=make.at(3),
        revision=5,
    )
    assert asset_from_doc(asset_to_doc(asset)) == asset
    version = make.asset_version(asset, 2)
    assert version_from_doc(version_to_doc(version)) == version


def test_every_list_filter_and_sort_has_its_index() -> None:
    """(studio_id, deleted, [filter,] sort, _id): read in order, no sort of the studio."""
    fields = {spec.fields for spec in INDEXES if spec.collection == ASSETS}
    for filtered in (None, *ASSET_LIST_FILTERS):
        for sort in ASSET_LIST_SORTS:
            middle = tuple(dict.fromkeys(f for f in (filtered, sort) if f is not None))
            assert ("studio_id", "deleted", *middle, "_id") in fields, (filtered, sort)
    assert ("studio_id", "deleted", "words") in fields
    assert ("studio_id", "dependencies", "_id") in fields
    # MongoDB allows 64 indexes per collection, _id_ included.
    assert len(fields) + 1 <= 64


def test_index_names_and_keys_are_unambiguous() -> None:
    names = [spec.name for spec in INDEXES]
    assert len(names) == len(set(names))
    keys = [(spec.collection, spec.fields) for spec in INDEXES]
    assert len(keys) == len(set(keys))  # a duplicate key error names one index of ours
    assert index_for_fields(ASSETS, ("studio_id", "name_key")) == ASSET_NAME_UNIQUE
    unique_version = ("studio_id", "asset_id", "number")
    assert index_for_fields(ASSET_VERSIONS, unique_version) == ASSET_VERSION_UNIQUE
