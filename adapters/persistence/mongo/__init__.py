"""The MongoDB persistence adapter (production). See docs/persistence-mongodb.md."""

from adapters.persistence.mongo.persistence import MongoPersistence

__all__ = ["MongoPersistence"]
