"""What the subscription and progress adapters store, which index serves each of their reads,
and progress writes that race: whatever order they land in, the latest observation stays.

- Documents: one per subscription, one per change (``seq`` = the revision it made), one per
  user and episode, one per user and series; studio and user ids native UUIDs (a service
  identity as text), episode and series ids native when they are canonical UUIDs.
- Indexes: every read the repositories run has an index of ours with its equality fields first,
  then its sort fields; no playback index goes unused. A real MongoDB (``TEST_MONGODB_URI``)
  also shows each read as an index scan with no sort step.
- Races: concurrent writes with different ``watched_at``, with and without transactions, and
  two first writes interleaved step by step so that both insert (the duplicate-key path).
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from typing import Any, cast

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

import adapters.persistence.mongo.persistence as persistence_module
from adapters.persistence.mongo.indexes import (
    INDEXES,
    SERIES_PROGRESS,
    SUBSCRIPTION_CHANGES,
    SUBSCRIPTIONS,
    WATCH_PROGRESS,
)
from adapters.persistence.mongo.persistence import MongoPersistence
from adapters.persistence.mongo.playback import progress as progress_module
from adapters.persistence.mongo.playback import subscriptions as subscriptions_module
from adapters.persistence.mongo.playback.mapping import (
    change_from_doc,
    change_to_doc,
    progress_from_doc,
    progress_to_doc,
    subscription_from_doc,
    subscription_to_doc,
    to_reference,
    user_scope,
)
from adapters.persistence.mongo.playback.progress import MongoProgressRepository
from adapters.persistence.mongo.shared.codec import Document
from adapters.persistence.mongo.shared.context import MongoContext
from domain.playback.progress import WatchProgress, progress
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId, UserId
from domain.shared.paging import PageWindow
from domain.subscriptions.model import SubscriptionStatus, first_toggle
from tests.mongo.conftest import MongoServer, PersistenceFactory, RawDatabase
from tests.mongo.test_asset_query_plans import stages
from tests.mongo.test_documents import is_native_uuid
from tests.support import builders

pytestmark = pytest.mark.anyio

STUDIO = StudioId(builders.new_id())
VIEWER = UserId(builders.new_id())
ADMIN = UserId(builders.new_id())
SERVICE = UserId("service:billing-sync")  # an internal tool's identity
SERIES_ID = builders.new_id()
EPISODE_ID = builders.new_id()

SUBSCRIPTION_FIELDS = {
    "_id",
    "studio_id",
    "user_id",
    "status",
    "plan",
    "current_period_end",
    "created_at",
    "updated_at",
    "revision",
}
CHANGE_FIELDS = {
    "_id",
    "studio_id",
    "user_id",
    "seq",
    "actor_id",
    "at",
    "from_status",
    "to_status",
    "plan",
    "current_period_end",
}
PROGRESS_FIELDS = {
    "_id",
    "studio_id",
    "user_id",
    "episode_id",
    "series_id",
    "episode_number",
    "position",
    "duration",
    "completed",
    "watched_at",
}
SERIES_PROGRESS_FIELDS = {"_id", "studio_id", "user_id", "series_id", "episode_id", "watched_at"}

# The indexes issue 8 asks for, by collection: (fields, unique).
EXPECTED_INDEXES = {
    SUBSCRIPTIONS: {(("studio_id", "user_id"), True)},
    SUBSCRIPTION_CHANGES: {(("studio_id", "user_id", "seq"), True)},
    WATCH_PROGRESS: {
        (("studio_id", "user_id", "episode_id"), True),
        (("studio_id", "user_id", "watched_at", "episode_id"), False),
    },
    SERIES_PROGRESS: {
        (("studio_id", "user_id", "series_id"), True),
        (("studio_id", "user_id", "watched_at", "series_id"), False),
    },
}
PLAYBACK = tuple(EXPECTED_INDEXES)
OURS = {spec.name for spec in INDEXES if spec.collection in PLAYBACK}


def entry(
    seconds: float,
    *,
    episode_id: str = EPISODE_ID,
    series_id: str = SERIES_ID,
    number: int = 1,
    position: float = 30.0,
    studio_id: StudioId = STUDIO,
) -> WatchProgress:
    return progress(
        studio_id=studio_id,
        user_id=VIEWER,
        episode_id=episode_id,
        series_id=series_id,
        episode_number=number,
        position=position,
        duration=120.0,
        watched_at=builders.at(seconds),
    )


# --- mapping (no server) ------------------------------------------------------------------


def test_subscriptions_changes_and_progress_round_trip() -> None:
    first, change = first_toggle(STUDIO, VIEWER, by=SERVICE, at=builders.T0)
    canceled, change2 = first.toggled(by=ADMIN, at=builders.at(60))
    assert subscription_from_doc(subscription_to_doc(first)) == first
    assert subscription_from_doc(subscription_to_doc(canceled)) == canceled
    for recorded in (change, change2):
        assert change_from_doc(change_to_doc(recorded, seq=1)) == recorded
    assert change_to_doc(change, seq=1)["actor_id"] == SERVICE
    for watched in (entry(1), entry(2, episode_id="e-1", series_id="s-1", position=120)):
        assert progress_from_doc(progress_to_doc(watched)) == watched


def test_only_canonical_uuids_become_native() -> None:
    """Any other text is kept as given, so an id reads back exactly as it was written."""
    assert to_reference(EPISODE_ID) == uuid.UUID(EPISODE_ID)
    for text in ("e1", EPISODE_ID.upper(), EPISODE_ID.replace("-", ""), f"{{{EPISODE_ID}}}"):
        assert to_reference(text) == text


def test_a_malformed_studio_names_nobody() -> None:
    assert user_scope(StudioId("not-a-uuid"), VIEWER) is None
    assert user_scope(STUDIO, SERVICE) == {"studio_id": uuid.UUID(STUDIO), "user_id": SERVICE}


# --- documents as stored -------------------------------------------------------------------


async def test_subscription_documents_and_the_history_sequence(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    first, change = first_toggle(STUDIO, VIEWER, by=SERVICE, at=builders.T0)
    canceled, change2 = first.toggled(by=ADMIN, at=builders.at(60))
    async with mongo.unit_of_work() as uow:
        await uow.subscriptions.add(first, change)
        await uow.subscriptions.save(canceled, change2, expected_revision=1)
        await uow.commit()

    docs = await raw_db[SUBSCRIPTIONS].find().to_list()
    assert len(docs) == 1
    doc = docs[0]
    assert set(doc) == SUBSCRIPTION_FIELDS
    assert is_native_uuid(doc["studio_id"], STUDIO)
    assert is_native_uuid(doc["user_id"], VIEWER)
    assert (doc["status"], doc["plan"], doc["revision"]) == ("canceled", "monthly", 2)
    assert doc["current_period_end"] == first.current_period_end
    assert (doc["created_at"], doc["updated_at"]) == (builders.T0, builders.at(60))

    changes = await raw_db[SUBSCRIPTION_CHANGES].find().sort("seq", 1).to_list()
    assert [set(c) for c in changes] == [CHANGE_FIELDS, CHANGE_FIELDS]
    assert [c["seq"] for c in changes] == [1, 2]  # the revision each change made
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        (None, "active"),
        ("active", "canceled"),
    ]
    assert changes[0]["actor_id"] == SERVICE  # a service identity stays text
    assert is_native_uuid(changes[1]["actor_id"], ADMIN)
    assert is_native_uuid(changes[1]["user_id"], VIEWER)
    assert changes[1]["at"] == builders.at(60)


async def test_progress_documents_one_per_episode_and_per_series(
    mongo: MongoPersistence, raw_db: RawDatabase
) -> None:
    other_episode = builders.new_id()
    async with mongo.unit_of_work() as uow:
        await uow.progress.put(entry(1))
        await uow.progress.put(entry(5, position=119.0))  # completed
        await uow.progress.put(entry(3, episode_id=other_episode, number=2, position=12))
        await uow.progress.put(entry(4, episode_id="legacy-7", series_id="legacy"))
        await uow.commit()

    docs = await raw_db[WATCH_PROGRESS].find().sort("watched_at", 1).to_list()
    assert [set(d) for d in docs] == [PROGRESS_FIELDS] * 3
    later, legacy, first = docs
    assert is_native_uuid(first["studio_id"], STUDIO)
    assert is_native_uuid(first["user_id"], VIEWER)
    assert is_native_uuid(first["episode_id"], EPISODE_ID)
    assert is_native_uuid(first["series_id"], SERIES_ID)
    assert (first["position"], first["duration"], first["completed"]) == (119.0, 120.0, True)
    assert first["watched_at"] == builders.at(5)
    assert isinstance(later["position"], float)  # a whole number is still a double
    assert (later["position"], later["episode_number"]) == (12.0, 2)
    assert (legacy["episode_id"], legacy["series_id"]) == ("legacy-7", "legacy")

    latest = await raw_db[SERIES_PROGRESS].find().sort("watched_at", 1).to_list()
    assert [set(d) for d in latest] == [SERIES_PROGRESS_FIELDS] * 2
    assert (latest[0]["series_id"], latest[0]["episode_id"]) == ("legacy", "legacy-7")
    assert is_native_uuid(latest[1]["series_id"], SERIES_ID)
    assert is_native_uuid(latest[1]["episode_id"], EPISODE_ID)
    assert latest[1]["watched_at"] == builders.at(5)


async def test_malformed_studio_ids_name_nothing(mongo: MongoPersistence) -> None:
    nobody = StudioId("not-a-uuid")
    async with mongo.unit_of_work(read_only=True) as uow:
        assert await uow.subscriptions.get(nobody, VIEWER) is None
        assert (await uow.subscriptions.history(nobody, VIEWER, PageWindow())).total == 0
        assert await uow.progress.get(nobody, VIEWER, EPISODE_ID) is None
        assert (await uow.progress.history(nobody, VIEWER, PageWindow())).total == 0
        assert (await uow.progress.in_progress_series(nobody, VIEWER, PageWindow())).total == 0


# --- indexes ------------------------------------------------------------------------------

SCOPE: Document = {"studio_id": uuid.UUID(STUDIO), "user_id": uuid.UUID(VIEWER)}

# (what, collection, filter, sort) for every read the repositories run.
READS: list[tuple[str, str, Document, list[tuple[str, int]]]] = [
    ("subscription", SUBSCRIPTIONS, SCOPE, []),
    ("subscription history", SUBSCRIPTION_CHANGES, SCOPE, subscriptions_module.HISTORY_ORDER),
    ("progress", WATCH_PROGRESS, {**SCOPE, "episode_id": uuid.UUID(EPISODE_ID)}, []),
    ("episodes of a page", WATCH_PROGRESS, {**SCOPE, "episode_id": {"$in": ["a", "b"]}}, []),
    ("progress history", WATCH_PROGRESS, SCOPE, progress_module.HISTORY_ORDER),
    ("series progress", SERIES_PROGRESS, {**SCOPE, "series_id": uuid.UUID(SERIES_ID)}, []),
    ("series in progress", SERIES_PROGRESS, SCOPE, progress_module.IN_PROGRESS_ORDER),
]


def serving_indexes(collection: str, match: Document, order: list[tuple[str, int]]) -> list[str]:
    """Our indexes with the read's equality fields first (then an ``$in``), then its sort."""
    equal = {field for field, value in match.items() if not isinstance(value, dict)}
    ranged = tuple(field for field, value in match.items() if isinstance(value, dict))
    after = ranged + tuple(field for field, _ in order)
    return [
        spec.name
        for spec in INDEXES
        if spec.collection == collection
        and set(spec.fields[: len(equal)]) == equal
        and spec.fields[len(equal) : len(equal) + len(after)] == after
    ]


def test_the_indexes_are_the_ones_asked_for() -> None:
    declared = {
        collection: {
            (spec.fields, spec.unique) for spec in INDEXES if spec.collection == collection
        }
        for collection in PLAYBACK
    }
    assert declared == EXPECTED_INDEXES


def test_every_playback_read_has_its_index() -> None:
    used: set[str] = set()
    for what, collection, match, order in READS:
        names = serving_indexes(collection, match, order)
        assert names, what
        used.update(names)
        # One direction for every sort field: the ascending index, read backwards, gives it.
        assert len({direction for _, direction in order}) <= 1, what
    assert used == OURS


@pytest.mark.mongoeco_gap(
    reason="mongoeco has no query planner: its explain reports a Python scan, filter and "
    "sort for every find; only a real MongoDB can show which index a read uses"
)
async def test_every_playback_read_is_an_index_scan_of_ours(
    server: MongoServer, mongo: MongoPersistence, database_name: str
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        server.uri, uuidRepresentation="standard"
    )
    try:
        database = client[database_name]
        if server.is_mongoeco:
            cursor = database[WATCH_PROGRESS].find(SCOPE).sort(progress_module.HISTORY_ORDER)
            explained = await cursor.limit(5).explain()
            assert "queryPlanner" not in explained
            phases = [step["phase"] for step in explained["execution_lineage"]]
            assert phases[:3] == ["scan", "filter", "sort"]
            return
        async with mongo.unit_of_work() as uow:
            for n in range(30):
                await uow.progress.put(entry(n, episode_id=f"e{n}", series_id=f"s{n % 4}"))
            await uow.commit()
        for what, collection, match, order in READS:
            cursor = database[collection].find(match)
            if order:
                cursor = cursor.sort(order)
            explained = await cursor.limit(5).explain()
            planned = list(stages(explained["queryPlanner"]["winningPlan"]))
            kinds = [stage["stage"] for stage in planned]
            used = {stage.get("indexName") for stage in planned if stage["stage"] == "IXSCAN"}
            where = f"{what}: {kinds} {used}"
            assert "COLLSCAN" not in kinds, where
            assert "SORT" not in kinds, where
            assert used, where
            assert used <= OURS, where
    finally:
        await client.close()


# --- races --------------------------------------------------------------------------------


async def standalone(*_: object) -> bool:
    return False


@pytest.fixture(params=["transactions", "standalone"])
async def writer(
    request: pytest.FixtureRequest,
    make_persistence: PersistenceFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> MongoPersistence:
    """A store that runs each unit of work as a transaction, or (a standalone server's
    fallback) applies each write as it is made."""
    if request.param == "standalone":
        monkeypatch.setattr(persistence_module, "_supports_transactions", standalone)
    persistence = make_persistence()
    await persistence.start()
    assert persistence.supports_transactions is (request.param == "transactions")
    return persistence


async def put_until_kept(
    persistence: MongoPersistence, written: WatchProgress, start: asyncio.Barrier
) -> WatchProgress:
    """One use case's progress write, started with the others; a transaction that lost a
    write conflict is started over, as a caller would (without transactions none is lost)."""
    for attempt in range(20):
        try:
            async with persistence.unit_of_work() as uow:
                if attempt == 0:
                    await start.wait()
                stored = await uow.progress.put(written)
                await uow.commit()
            return stored
        except StaleRevisionError:
            if not persistence.supports_transactions:
                raise
    raise AssertionError("the write never committed")


async def test_racing_progress_writes_keep_the_latest_observation(
    writer: MongoPersistence, raw_db: RawDatabase
) -> None:
    # Arrival order unlike observation order: the latest (9 s) starts in the middle.
    writes = [entry(seconds, position=seconds * 10) for seconds in (3, 7, 1, 9, 2, 8, 5)]
    start = asyncio.Barrier(len(writes))
    async with asyncio.timeout(60):
        answers = await asyncio.gather(
            *(put_until_kept(writer, written, start) for written in writes)
        )
    latest = max(writes, key=lambda w: w.watched_at)
    # Each write answers what was stored after it: never older than itself.
    assert all(a.watched_at >= w.watched_at for a, w in zip(answers, writes, strict=True))
    async with writer.unit_of_work(read_only=True) as uow:
        assert await uow.progress.get(STUDIO, VIEWER, EPISODE_ID) == latest
        series = await uow.progress.in_progress_series(STUDIO, VIEWER, PageWindow())
    assert series.items == (latest,)
    assert await raw_db[WATCH_PROGRESS].count_documents({}) == 1
    assert await raw_db[SERIES_PROGRESS].count_documents({}) == 1


async def test_racing_first_subscriptions_keep_one_and_its_change(
    writer: MongoPersistence,
) -> None:
    toggles = [first_toggle(STUDIO, VIEWER, by=ADMIN, at=builders.at(n)) for n in range(3)]
    start = asyncio.Barrier(len(toggles))

    async def add(made: Any) -> bool:
        try:
            async with writer.unit_of_work() as uow:
                await start.wait()
                await uow.subscriptions.add(*made)
                await uow.commit()
        except StaleRevisionError:
            return False
        return True

    async with asyncio.timeout(30):
        kept = await asyncio.gather(*(add(made) for made in toggles))
    assert kept.count(True) == 1
    async with writer.unit_of_work(read_only=True) as uow:
        stored = await uow.subscriptions.get(STUDIO, VIEWER)
        history = await uow.subscriptions.history(STUDIO, VIEWER, PageWindow())
    winner, change = toggles[kept.index(True)]
    assert stored == winner
    assert stored.status is SubscriptionStatus.ACTIVE
    assert (history.items, history.total) == ((change,), 1)


class PausingCollection:
    """``watch_progress`` as one racing writer sees it: after its first call of ``pause_after``
    it sets ``paused`` and waits for ``resume``; after an insert it sets ``inserted``."""

    def __init__(
        self,
        inner: AsyncCollection[Document],
        *,
        pause_after: str,
        paused: asyncio.Event,
        resume: asyncio.Event,
        inserted: asyncio.Event | None = None,
    ) -> None:
        self._inner = inner
        self._pause_after = pause_after
        self._paused, self._resume, self._inserted = paused, resume, inserted

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = await getattr(self._inner, name)(*args, **kwargs)
        if name == self._pause_after and not self._paused.is_set():
            self._paused.set()
            await self._resume.wait()
        return result

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call("find_one_and_update", *args, **kwargs)

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call("find_one", *args, **kwargs)

    async def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._inner.insert_one(*args, **kwargs)
        finally:
            if self._inserted is not None:
                self._inserted.set()


class PausingContext(MongoContext):
    """A context without a transaction (a standalone server's) whose ``watch_progress``
    pauses where a test wants another writer to step in."""

    def __init__(self, database: Any, **pausing: Any) -> None:
        super().__init__(database, None)
        self._pausing = pausing

    def collection(self, name: str) -> AsyncCollection[Document]:
        inner = super().collection(name)
        if name != WATCH_PROGRESS:
            return inner
        return cast(AsyncCollection[Document], PausingCollection(inner, **self._pausing))


@pytest.fixture
async def database(
    server: MongoServer, mongo: MongoPersistence, database_name: str
) -> AsyncIterator[AsyncDatabase[Document]]:
    """The test's database (with our indexes: ``mongo`` started on it), as the adapter's
    client sees it."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        server.uri, uuidRepresentation="standard", tz_aware=True, tzinfo=UTC
    )
    try:
        yield client[database_name]
    finally:
        await client.close()


async def only_entries(database: AsyncDatabase[Document]) -> tuple[list[WatchProgress], list[Any]]:
    """The stored episode entries, and the ``watched_at`` of each series entry."""
    stored = await database[WATCH_PROGRESS].find().to_list()
    latest = await database[SERIES_PROGRESS].find().to_list()
    return [progress_from_doc(doc) for doc in stored], [doc["watched_at"] for doc in latest]


@pytest.mark.parametrize("first_inserted", ["older", "newer"])
async def test_two_first_writes_that_both_insert_keep_the_later_one(
    database: AsyncDatabase[Document], first_inserted: str
) -> None:
    """Both writers find nothing stored and insert; the second gets a duplicate key, and its
    conditional update, tried again, keeps it only if it is later."""
    older, newer = entry(10, position=10), entry(20, position=20)
    first, second = (older, newer) if first_inserted == "older" else (newer, older)
    first_read, second_read, first_done, second_done = (asyncio.Event() for _ in range(4))
    # The first writer reads, waits until the second has read, inserts; the second reads,
    # waits until the first has inserted, inserts: a duplicate key.
    first_writer = MongoProgressRepository(
        PausingContext(
            database,
            pause_after="find_one",
            paused=first_read,
            resume=second_read,
            inserted=first_done,
        )
    )
    second_writer = MongoProgressRepository(
        PausingContext(
            database,
            pause_after="find_one",
            paused=second_read,
            resume=first_done,
            inserted=second_done,
        )
    )
    async with asyncio.timeout(20):
        first_answer, second_answer = await asyncio.gather(
            first_writer.put(first), second_writer.put(second)
        )
    assert second_done.is_set()  # the second writer did try its insert
    assert first_answer == first  # it inserted: nothing was stored
    assert second_answer == newer  # what is stored after the second write
    assert await only_entries(database) == ([newer], [newer.watched_at])


async def test_an_older_first_write_landing_between_update_and_read_is_replaced(
    database: AsyncDatabase[Document],
) -> None:
    """The newer writer's update finds nothing; the older one inserts; the newer one's read
    then finds an older entry, and its update, tried again, replaces it."""
    older, newer = entry(10, position=10), entry(20, position=20)
    updated, older_done = asyncio.Event(), asyncio.Event()
    newer_writer = MongoProgressRepository(
        PausingContext(
            database, pause_after="find_one_and_update", paused=updated, resume=older_done
        )
    )

    async def put_older() -> WatchProgress:
        await updated.wait()
        try:
            return await MongoProgressRepository(MongoContext(database, None)).put(older)
        finally:
            older_done.set()

    async with asyncio.timeout(20):
        newer_answer, older_answer = await asyncio.gather(newer_writer.put(newer), put_older())
    assert older_answer == older  # it inserted: nothing was stored
    assert newer_answer == newer
    assert await only_entries(database) == ([newer], [newer.watched_at])


async def test_a_viewers_racing_progress_writes_all_succeed_through_the_use_case(
    writer: MongoPersistence,
) -> None:
    """``RecordProgressHandler`` writes again when its transaction lost to another write of
    the same viewer (mongoeco refuses every overlapping write transaction: the strictest case):
    three concurrent writes each answer 200-worthy progress, and the latest one is stored."""
    from application.playback.progress import (
        ProgressThrottle,
        RecordProgress,
        RecordProgressHandler,
    )
    from domain.content.model import EpisodeStatus, SeriesStatus
    from domain.identity.access import Actor
    from domain.identity.model import Role
    from tests.support import content as make_content
    from tests.support.identity_http import ManualClock

    studio = builders.studio()
    owner = UserId(builders.new_id())
    series = make_content.series(
        studio.id, owner, status=SeriesStatus.PUBLISHED, published_episodes=1
    )
    episode = make_content.episode(series, 1, status=EpisodeStatus.PUBLISHED)
    async with writer.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.series.add(series)
        await uow.episodes.add(episode)
        await uow.commit()
    clock = ManualClock()
    handler = RecordProgressHandler(
        persistence=writer, throttle=ProgressThrottle(burst=10), clock=clock
    )
    viewer = Actor(user_id=UserId(builders.new_id()), studio_id=studio.id, role=Role.VIEWER)
    observed = [clock.now() - timedelta(seconds=s) for s in (30, 10, 20)]
    async with asyncio.timeout(60):
        answers = await asyncio.gather(
            *(
                handler(
                    RecordProgress(
                        actor=viewer,
                        episode_id=episode.id,
                        position=float(index * 10),
                        duration=100.0,
                        watched_at=at,
                    )
                )
                for index, at in enumerate(observed)
            )
        )
    assert all(a.watched_at >= at for a, at in zip(answers, observed, strict=True))
    async with writer.unit_of_work(read_only=True) as uow:
        stored = await uow.progress.get(studio.id, viewer.user_id, episode.id)
    assert stored is not None
    assert (stored.watched_at, stored.position) == (max(observed), 10.0)
