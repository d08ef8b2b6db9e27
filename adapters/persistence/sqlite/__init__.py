"""The embedded store: SQLite in WAL mode, one writer thread and a pool of reader threads."""

from adapters.persistence.sqlite.persistence import SqlitePersistence, SqliteUnitOfWork

__all__ = ["SqlitePersistence", "SqliteUnitOfWork"]
