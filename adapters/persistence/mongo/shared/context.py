"""The database and client session one unit of work's repositories share.

Inside a MongoDB transaction, a failed write (a duplicate key, a write conflict) makes the
server abort the whole transaction. mongoeco keeps it open instead; so that code tested on
mongoeco behaves as it will in production, the context itself refuses any further use of the
unit of work after such a failure (``TransactionAbortedError``).
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from adapters.persistence.mongo.errors import (
    ReadOnlyUnitOfWorkError,
    TransactionAbortedError,
    duplicated_fields,
    duplicated_index_name,
    is_write_conflict,
)
from adapters.persistence.mongo.indexes import PRIMARY_KEY, index_for_fields
from adapters.persistence.mongo.shared.codec import Document
from domain.shared.errors import ConflictError, DomainError, StaleRevisionError

ConflictFactory = Callable[[], DomainError]


class MongoContext:
    def __init__(
        self,
        database: AsyncDatabase[Document],
        session: AsyncClientSession | None,
        *,
        read_only: bool = False,
    ) -> None:
        self._database = database
        self._session = session
        self._read_only = read_only
        self._failure: DomainError | None = None

    @property
    def session(self) -> AsyncClientSession | None:
        """The session to pass to every call; refused once the transaction has failed."""
        self.check_usable()
        return self._session

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self._database[name]

    async def compare_and_set(
        self,
        collection: str,
        scope: Document,
        fields: Document,
        *,
        expected_revision: int,
        not_found: DomainError,
        unique: Mapping[str, ConflictFactory] | None = None,
    ) -> None:
        """Set ``fields`` on the document at ``scope`` only if its revision is the expected one.

        ``fields`` carries the new revision. No match: ``StaleRevisionError`` when the document
        exists at another revision, ``not_found`` when it does not exist at all.
        """
        documents = self.collection(collection)
        with self.writing(collection, unique):
            result = await documents.update_one(
                {**scope, "revision": expected_revision},
                {"$set": fields},
                session=self.session,
            )
        if result.matched_count == 1:
            return
        if await documents.count_documents(scope, session=self.session):
            raise StaleRevisionError(details={"expected_revision": expected_revision})
        raise not_found

    def check_usable(self) -> None:
        if self._failure is not None:
            raise TransactionAbortedError(
                f"the transaction was aborted by an earlier {self._failure.code} error; "
                "open a new unit of work"
            )

    @contextmanager
    def writing(
        self, collection: str, unique: Mapping[str, ConflictFactory] | None = None
    ) -> Iterator[None]:
        """Turn the server's refusals of a write into domain errors.

        ``unique`` maps our unique index names to the error each stands for; a duplicate
        ``_id`` is ``ConflictError(code="duplicate_id")``. A read-only unit of work refuses
        every write (as the SQLite adapter does), so a misplaced write fails in tests rather
        than applying outside any transaction.
        """
        if self._read_only:
            raise ReadOnlyUnitOfWorkError("this unit of work was opened with read_only=True")
        self.check_usable()
        try:
            yield
        except DuplicateKeyError as exc:
            error = _duplicate_key_error(exc, collection, unique or {})
            self._failed(error)
            raise error from exc
        except OperationFailure as exc:
            if not is_write_conflict(exc):
                raise
            error = StaleRevisionError(details={"reason": "write_conflict"})
            self._failed(error)
            raise error from exc

    def _failed(self, error: DomainError) -> None:
        if self._session is not None:
            self._failure = error


def _duplicate_key_error(
    exc: DuplicateKeyError, collection: str, unique: Mapping[str, ConflictFactory]
) -> DomainError:
    fields = duplicated_fields(exc)
    name = index_for_fields(collection, fields) if fields else duplicated_index_name(exc)
    if name == PRIMARY_KEY:
        return ConflictError("An item with this id already exists.", code="duplicate_id")
    if name is not None and name in unique:
        return unique[name]()
    return ConflictError(details={"index": name})
