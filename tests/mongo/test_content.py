"""What the content adapter stores: one document per series (with its derived fields) and per
episode, ids as native UUIDs, no storage key; and approving an episode writes the episode, its
series and their audit events in one transaction."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest

from adapters.persistence.mongo.content.mapping import (
    episode_from_doc,
    episode_to_doc,
    series_from_doc,
    series_to_doc,
)
from adapters.persistence.mongo.persistence import MongoPersistence
from adapters.system.ids import UuidV7Generator
from application.audit.trail import AuditTrail
from application.content.episodes import CreateEpisode
from application.content.ports import EpisodeQuery, OwnSeriesQuery, PublishedSeriesQuery
from application.content.series import CreateSeries
from application.content.status import ChangeEpisodeStatus
from application.shared.ports import UnitOfWork
from domain.content.errors import EpisodeNotFoundError, SeriesNotFoundError
from domain.content.model import (
    ContentAction,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    SeriesStatus,
)
from domain.identity.access import Actor
from domain.identity.model import Role
from domain.media.model import UploadPurpose, Video, VideoStatus, storage_key
from domain.shared.errors import InvalidInputError, StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import KeysetWindow, SortSpec
from entrypoints.bootstrap import bootstrap, running
from tests.conftest import SettingsFactory
from tests.mongo.conftest import RawDatabase
from tests.mongo.test_documents import is_native_uuid
from tests.support import builders
from tests.support import content as make
from tests.support.content_world import TickingClock

pytestmark = pytest.mark.anyio

SERIES_FIELDS = {
    "_id",
    "studio_id",
    "owner_id",
    "title",
    "title_key",
    "words",
    "synopsis",
    "tags",
    "status",
    "visible",
    "published_by_hand",
    "published_episodes",
    "popularity",
    "rejection",
    "submitted_at",
    "published_at",
    "created_at",
    "updated_at",
    "revision",
}
EPISODE_FIELDS = {
    "_id",
    "studio_id",
    "series_id",
    "owner_id",
    "number",
    "title",
    "video_id",
    "status",
    "rejection",
    "submitted_at",
    "published_at",
    "created_at",
    "updated_at",
    "revision",
}
OWNER = UserId(builders.new_id())


def video_of(studio_id: StudioId, owner_id: UserId) -> Video:
    return Video(
        id=builders.new_id(),
        studio_id=studio_id,
        owner_id=owner_id,
        title="Opening Scene",
        storage_key=storage_key(studio_id, UploadPurpose.VIDEO, builders.new_id(), "a.mp4"),
        content_type="video/mp4",
        size=48_000_000,
        status=VideoStatus.READY,
        created_at=builders.T0,
        updated_at=builders.T0,
    )


def strings_in(value: Any) -> list[str]:
    """Every string anywhere in a document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


async def test_series_and_episodes_are_documents_of_one_shape(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    studio = builders.studio()
    video = video_of(studio.id, OWNER)
    series = make.series(
        studio.id,
        OWNER,
        "Héroïne — Love in SEOUL",
        status=SeriesStatus.PUBLISHED,
        published_episodes=1,
        tags=("romance", "ceo"),
        popularity=7,
        created_at=builders.at(1),
        updated_at=builders.at(2),
    )
    bare = make.series(studio.id, OWNER, "Draft", status=SeriesStatus.REJECTED)
    episode = make.episode(series, 3, status=EpisodeStatus.PUBLISHED, video_id=video.id)
    rejected = make.episode(series, 4, status=EpisodeStatus.REJECTED)
    async with mongo.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.videos.add(video)
        for item in (series, bare):
            await uow.series.add(item)
        for made in (episode, rejected):
            await uow.episodes.add(made)
        await uow.commit()

    doc = await raw_db.series.find_one({"title": series.title})
    other = await raw_db.series.find_one({"title": "Draft"})
    assert doc is not None
    assert other is not None
    assert set(doc) == set(other) == SERIES_FIELDS
    assert is_native_uuid(doc["_id"], series.id)
    assert is_native_uuid(doc["studio_id"], studio.id)
    assert is_native_uuid(doc["owner_id"], OWNER)
    assert doc["title_key"] == "héroïne — love in seoul"
    assert doc["words"] == ["héroïne", "love", "in", "seoul"]
    assert (doc["tags"], doc["status"], doc["visible"]) == (["romance", "ceo"], "published", True)
    assert (doc["published_by_hand"], doc["published_episodes"], doc["popularity"]) == (
        False,
        1,
        7,
    )
    assert (doc["created_at"], doc["updated_at"]) == (builders.at(1), builders.at(2))
    assert (doc["published_at"], doc["rejection"]) == (series.published_at, None)
    assert (other["visible"], other["published_at"]) == (False, None)
    assert other["rejection"] == {"reason": "low_quality", "note": make.REJECTION.note}

    found = await raw_db.episodes.find_one({"number": 3})
    refused = await raw_db.episodes.find_one({"number": 4})
    assert found is not None
    assert refused is not None
    assert set(found) == set(refused) == EPISODE_FIELDS
    assert is_native_uuid(found["_id"], episode.id)
    assert is_native_uuid(found["series_id"], series.id)
    assert is_native_uuid(found["video_id"], video.id)
    assert (found["status"], found["published_at"]) == ("published", episode.published_at)
    # The episode names its video; the video's storage key stays on the video.
    assert video.storage_key not in strings_in(found)
    assert refused["rejection"] == {"reason": "low_quality", "note": make.REJECTION.note}


async def test_a_save_rewrites_the_derived_fields(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    studio = builders.studio()
    series = make.series(studio.id, OWNER, "Love in Seoul", tags=("romance",))
    async with mongo.unit_of_work() as uow:
        await uow.series.add(series)
        await uow.commit()
    changed = replace(
        series.changed(title="Straße Revenge", tags=("revenge",), at=builders.at(3)),
        status=SeriesStatus.PUBLISHED,
        published_episodes=1,
        published_at=builders.at(3),
    )
    async with mongo.unit_of_work() as uow:
        await uow.series.save(changed, expected_revision=1)
        await uow.commit()
    doc = await raw_db.series.find_one({})
    assert doc is not None
    assert (doc["title_key"], doc["words"]) == ("strasse revenge", ["strasse", "revenge"])
    assert (doc["tags"], doc["visible"], doc["revision"]) == (["revenge"], True, 2)


def test_series_and_episodes_round_trip_every_field() -> None:
    studio = builders.studio()
    service_owner = UserId("service:catalogue-import")  # an internal tool's identity
    series = make.series(
        studio.id,
        service_owner,
        "Ünïcode",
        status=SeriesStatus.REJECTED,
        synopsis="x\ny",
        tags=("a", "b"),
        popularity=3,
        revision=9,
    )
    assert series_from_doc(series_to_doc(series)) == series
    assert series_to_doc(series)["owner_id"] == service_owner
    note = Rejection(reason=RejectionReason.OTHER, note="Crop the watermark.")
    for episode in (
        make.episode(series, 100_000, status=EpisodeStatus.REJECTED, rejection=note),
        make.episode(series, 1, status=EpisodeStatus.PUBLISHED, revision=3),
        make.episode(series, 2, status=EpisodeStatus.PENDING),
    ):
        assert episode_from_doc(episode_to_doc(episode)) == episode


async def test_malformed_ids_name_nothing(mongo: MongoPersistence) -> None:
    studio = builders.studio()
    async with mongo.unit_of_work(read_only=True) as uow:
        with pytest.raises(SeriesNotFoundError):
            await uow.series.get(studio.id, "not-a-uuid")
        with pytest.raises(EpisodeNotFoundError):
            await uow.episodes.get(StudioId("nope"), builders.new_id())
        assert (
            await uow.series.list_published(StudioId("nope"), PublishedSeriesQuery())
        ).total == 0
        assert (await uow.episodes.list_in_series(studio.id, "nope", EpisodeQuery())).total == 0
    async with mongo.unit_of_work() as uow:
        statuses = frozenset(EpisodeStatus)
        assert await uow.episodes.move_to_draft(studio.id, "x", statuses, at=builders.T0) == 0


@pytest.mark.parametrize(
    ("sort_field", "after"),
    [
        ("createdAt", ("text", "00000000-0000-0000-0000-000000000000")),
        ("title", (5, "00000000-0000-0000-0000-000000000000")),
        ("updatedAt", (5, "not-an-id")),
    ],
)
async def test_a_sort_key_of_the_wrong_shape_is_an_invalid_cursor(
    mongo: MongoPersistence, sort_field: str, after: tuple[str | int, str]
) -> None:
    window = KeysetWindow(after=after)
    query = OwnSeriesQuery(owner_id=OWNER, sort=SortSpec(sort_field), window=window)
    async with mongo.unit_of_work(read_only=True) as uow:
        with pytest.raises(InvalidInputError) as caught:
            await uow.series.list_own(StudioId(builders.new_id()), query)
        assert caught.value.code == "invalid_cursor"
        for bad in (("1", builders.new_id()), (1, "not-an-id")):
            episodes = EpisodeQuery(window=KeysetWindow(after=bad))
            with pytest.raises(InvalidInputError):
                await uow.episodes.list_in_series(
                    StudioId(builders.new_id()), builders.new_id(), episodes
                )


# One transaction: approving an episode through the wired service


@dataclass
class Made:
    artist: Actor
    producer: Actor
    series_id: str
    episode_id: str


class FailingOnSeriesTrail(AuditTrail):
    """Fails when the series' event is recorded: after the episode and the series were saved."""

    async def record(self, uow: UnitOfWork, **fields: Any) -> None:
        if fields["action"] == "series.episode_published":
            raise RuntimeError("the audit store failed")
        await super().record(uow, **fields)


@asynccontextmanager
async def wired(
    mongo: MongoPersistence, make_settings: SettingsFactory, **overrides: Any
) -> AsyncIterator[tuple[Any, Made]]:
    """The service on ``mongo``, with a draft series and a pending episode of an artist's."""
    service = bootstrap(make_settings(), persistence=mongo, clock=TickingClock(), **overrides)
    async with running(service):
        studio = builders.studio()
        users = [builders.user(studio, role=role) for role in (Role.ARTIST, Role.PRODUCER)]
        artist, producer = (Actor(user_id=u.id, studio_id=studio.id, role=u.role) for u in users)
        video = video_of(studio.id, artist.user_id)
        async with mongo.unit_of_work() as uow:
            await uow.studios.add(studio)
            for user in users:
                await uow.users.add(user)
            await uow.videos.add(video)
            await uow.commit()
        series = (await service.create_series()(CreateSeries(actor=artist, title="Love"))).series
        create = CreateEpisode(
            actor=artist,
            series_id=series.id,
            number=1,
            title="Pilot",
            video_id=video.id,
            status=EpisodeStatus.PENDING,
        )
        episode = (await service.create_episode()(create)).episode
        yield service, Made(artist, producer, series.id, episode.id)


async def test_approving_an_episode_publishes_it_and_its_series_together(
    mongo: MongoPersistence, make_settings: SettingsFactory
) -> None:
    async with wired(mongo, make_settings) as (service, made):
        approve = ChangeEpisodeStatus(
            actor=made.producer, episode_id=made.episode_id, action=ContentAction.APPROVE
        )
        moved = await service.change_episode_status()(approve)
        async with mongo.unit_of_work(read_only=True) as uow:
            series = await uow.series.get(made.producer.studio_id, made.series_id)
            episode = await uow.episodes.get(made.producer.studio_id, made.episode_id)
            catalogue = await uow.series.list_published(series.studio_id, PublishedSeriesQuery())
    assert (episode, series) == (moved.episode, moved.series)
    assert (episode.status, series.status, series.published_episodes) == (
        EpisodeStatus.PUBLISHED,
        SeriesStatus.PUBLISHED,
        1,
    )
    assert [s.id for s in catalogue.items] == [made.series_id]


async def test_an_approval_that_fails_half_way_leaves_nothing(
    mongo: MongoPersistence, make_settings: SettingsFactory, raw_db: RawDatabase
) -> None:
    if not mongo.supports_transactions:
        pytest.fail("this server cannot run transactions; run MongoDB as a replica set")
    trail = FailingOnSeriesTrail(ids=UuidV7Generator(), correlation_id=lambda: None)
    async with wired(mongo, make_settings, audit_trail=trail) as (service, made):
        events_before = await raw_db.audit_events.count_documents({})
        approve = ChangeEpisodeStatus(
            actor=made.producer, episode_id=made.episode_id, action=ContentAction.APPROVE
        )
        with pytest.raises(RuntimeError, match="audit store failed"):
            await service.change_episode_status()(approve)
        async with mongo.unit_of_work(read_only=True) as uow:
            series = await uow.series.get(made.producer.studio_id, made.series_id)
            episode = await uow.episodes.get(made.producer.studio_id, made.episode_id)
    # The episode, its audit event and the series were all written before the failure.
    assert (episode.status, episode.revision) == (EpisodeStatus.PENDING, 1)
    assert (series.status, series.revision) == (SeriesStatus.DRAFT, 1)
    assert await raw_db.audit_events.count_documents({}) == events_before


async def test_a_stale_series_takes_its_episode_change_back_with_it(
    mongo: MongoPersistence,
) -> None:
    if not mongo.supports_transactions:
        pytest.fail("this server cannot run transactions; run MongoDB as a replica set")
    studio = builders.studio()
    series = make.series(studio.id, OWNER, status=SeriesStatus.PUBLISHED, published_episodes=1)
    episode = make.episode(series, status=EpisodeStatus.PUBLISHED)
    async with mongo.unit_of_work() as uow:
        await uow.series.add(series)
        await uow.episodes.add(episode)
        await uow.commit()
    unpublished = series.transitioned(ContentAction.UNPUBLISH, at=builders.at(9))

    async def unpublish() -> None:
        async with mongo.unit_of_work() as uow:
            reset = frozenset({EpisodeStatus.PUBLISHED})
            assert await uow.episodes.move_to_draft(studio.id, series.id, reset, at=builders.at(9))
            await uow.series.save(unpublished, expected_revision=5)  # someone saved it since
            await uow.commit()

    with pytest.raises(StaleRevisionError):
        await unpublish()
    async with mongo.unit_of_work(read_only=True) as uow:
        assert await uow.episodes.get(studio.id, episode.id) == episode
        assert await uow.series.get(studio.id, series.id) == series
