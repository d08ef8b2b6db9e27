"""Infrastructure failures of the Mongo adapter (not domain errors: no caller can act on them)."""

import re
from collections.abc import Mapping

from pymongo.errors import DuplicateKeyError, OperationFailure

_WRITE_CONFLICT = 112  # MongoDB's WriteConflict, raised inside transactions
_INDEX_IN_MESSAGE = re.compile(r"index: (\S+) dup key")


class MongoUnavailableError(RuntimeError):
    """MongoDB did not answer (unreachable, timed out, refused the connection)."""


class TransactionsUnsupportedError(RuntimeError):
    """``require_transactions=True`` but the server is a standalone (not a replica set)."""


class ReadOnlyUnitOfWorkError(RuntimeError):
    """A write was attempted through ``unit_of_work(read_only=True)``: a bug in the caller."""


class TransactionAbortedError(RuntimeError):
    """A write failed inside a transaction, and MongoDB aborts the whole transaction then.

    Nothing of the unit of work can be committed any more: leave it and open a new one.
    """


def is_write_conflict(error: OperationFailure) -> bool:
    """Two transactions wrote the same document: the later one must start over.

    MongoDB raises code 112 at the conflicting write. mongoeco (the test server) detects the
    conflict at commit instead and says so only in its message, without a code.
    """
    details = error.details or {}
    return (
        error.code == _WRITE_CONFLICT
        or details.get("codeName") == "WriteConflict"
        or (error.code is None and "write conflict" in str(details.get("errmsg", "")).lower())
    )


def duplicated_fields(error: DuplicateKeyError) -> tuple[str, ...] | None:
    """The fields of the unique index that refused the write, from the error's key pattern."""
    pattern = (error.details or {}).get("keyPattern")
    if isinstance(pattern, Mapping):
        return tuple(str(field) for field in pattern)
    return None


def duplicated_index_name(error: DuplicateKeyError) -> str | None:
    """The index name in the error message (``... index: <name> dup key: ...``)."""
    details: Mapping[str, object] = error.details or {}
    match = _INDEX_IN_MESSAGE.search(str(details.get("errmsg") or error))
    return match.group(1) if match else None
