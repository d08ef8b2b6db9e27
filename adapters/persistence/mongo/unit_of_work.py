"""One unit of work on MongoDB: the repositories bound to one client session (or none).

With transaction support (a replica set or mongos), a write unit of work is one multi-document
transaction: ``commit()`` commits it, leaving without ``commit()`` aborts it. Without (a
standalone server), each write applies on its own as it is made and ``commit()`` does nothing;
see ``persistence`` for what that loses. Read-only units of work never open a transaction.
"""

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from adapters.persistence.mongo.assets.assets import MongoAssetRepository
from adapters.persistence.mongo.audit.log import MongoAuditLog
from adapters.persistence.mongo.content.episodes import MongoEpisodeRepository
from adapters.persistence.mongo.content.series import MongoSeriesRepository
from adapters.persistence.mongo.identity.sessions import MongoSessionRepository
from adapters.persistence.mongo.identity.studios import MongoStudioRepository
from adapters.persistence.mongo.identity.throttles import MongoLoginThrottleRepository
from adapters.persistence.mongo.identity.users import MongoUserRepository
from adapters.persistence.mongo.media.uploads import MongoUploadRepository
from adapters.persistence.mongo.media.videos import MongoVideoRepository
from adapters.persistence.mongo.playback.progress import MongoProgressRepository
from adapters.persistence.mongo.playback.subscriptions import MongoSubscriptionRepository
from adapters.persistence.mongo.shared.codec import Document
from adapters.persistence.mongo.shared.context import MongoContext
from adapters.persistence.mongo.shared.idempotency import MongoIdempotencyStore
from application.assets.ports import AssetRepository
from application.audit.ports import AuditLog
from application.content.ports import EpisodeRepository, SeriesRepository
from application.identity.ports import (
    LoginThrottleRepository,
    SessionRepository,
    StudioRepository,
    UserRepository,
)
from application.media.ports import UploadRepository, VideoRepository
from application.playback.ports import ProgressRepository
from application.shared.idempotency import IdempotencyStore
from application.subscriptions.ports import SubscriptionRepository


class MongoUnitOfWork:
    # Typed as the ports: the UnitOfWork protocol declares settable attributes of these types.
    studios: StudioRepository
    users: UserRepository
    sessions: SessionRepository
    audit: AuditLog
    idempotency: IdempotencyStore
    throttles: LoginThrottleRepository
    uploads: UploadRepository
    videos: VideoRepository
    assets: AssetRepository
    series: SeriesRepository
    episodes: EpisodeRepository
    subscriptions: SubscriptionRepository
    progress: ProgressRepository

    def __init__(
        self,
        database: AsyncDatabase[Document],
        session: AsyncClientSession | None = None,
        *,
        read_only: bool = False,
        write_concern: WriteConcern | None = None,
    ) -> None:
        self._session = session
        self._write_concern = write_concern
        self._context = MongoContext(database, session, read_only=read_only)
        self.studios = MongoStudioRepository(self._context)
        self.users = MongoUserRepository(self._context)
        self.sessions = MongoSessionRepository(self._context)
        self.audit = MongoAuditLog(self._context)
        self.idempotency = MongoIdempotencyStore(self._context)
        self.throttles = MongoLoginThrottleRepository(self._context)
        self.uploads = MongoUploadRepository(self._context)
        self.videos = MongoVideoRepository(self._context)
        self.assets = MongoAssetRepository(self._context)
        self.series = MongoSeriesRepository(self._context)
        self.episodes = MongoEpisodeRepository(self._context)
        self.subscriptions = MongoSubscriptionRepository(self._context)
        self.progress = MongoProgressRepository(self._context)

    @property
    def transactional(self) -> bool:
        return self._session is not None

    async def begin(self) -> None:
        if self._session is not None:
            # Snapshot: every read of the transaction sees one point in time (with majority
            # commits, a point no rollback can undo).
            await self._session.start_transaction(
                read_concern=ReadConcern("snapshot"), write_concern=self._write_concern
            )

    async def commit(self) -> None:
        """Commit the transaction (a no-op without one: writes were applied as made).

        A later write through this unit of work opens the next transaction, so the rule
        "nothing is kept without commit" holds for it too.
        """
        if self._session is None:
            return
        # Through ``writing`` so a write conflict found at commit (mongoeco finds them there)
        # becomes StaleRevisionError, as it does at the write on MongoDB.
        with self._context.writing("(commit)"):
            await self._session.commit_transaction()
        await self.begin()

    async def rollback(self) -> None:
        if self._session is not None and self._session.in_transaction:
            await self._session.abort_transaction()
