"""Who is active, with which role, remembered for a few seconds so a request need not ask the store.

Every authenticated request needs the user's current state (a deactivated user is refused, the
role is the one the user has now). Reading it from the store is a thread hop or a network round
trip per request; this cache answers for ``ttl`` after a read instead. In this process a change
is seen at once: every use case that changes a user calls ``forget`` after its commit. A change
made elsewhere (another replica, another process on the same store) is seen within ``ttl``.
"""

from datetime import datetime, timedelta

from domain.identity.access import Actor
from domain.shared.ids import StudioId, UserId

DEFAULT_MAX_USERS = 10_000

type _Key = tuple[StudioId, UserId]


class UserStateCache:
    """Actors of active users, each for ``ttl`` after it was read; ``ttl`` of zero keeps nothing.

    A read that started before a ``forget`` may finish after it, with the state from before the
    change: ``put`` takes the ``generation`` seen when the read started and keeps nothing if a
    ``forget`` happened since.
    """

    def __init__(self, ttl: timedelta, *, max_users: int = DEFAULT_MAX_USERS) -> None:
        if ttl < timedelta(0):
            raise ValueError("ttl must not be negative.")
        if max_users < 1:
            raise ValueError("max_users must be at least 1.")
        self._ttl = ttl
        self._max_users = max_users
        self._entries: dict[_Key, tuple[Actor, datetime]] = {}  # the oldest first
        self._generation = 0

    @property
    def generation(self) -> int:
        """Changes on every ``forget``: take it before reading the store, give it to ``put``."""
        return self._generation

    def get(self, studio_id: StudioId, user_id: UserId, *, at: datetime) -> Actor | None:
        """The remembered actor, or None when there is none or it was read too long ago."""
        key = (studio_id, user_id)
        entry = self._entries.get(key)
        if entry is None:
            return None
        actor, read_at = entry
        if not read_at <= at < read_at + self._ttl:  # too old, or the clock went back
            del self._entries[key]
            return None
        return actor

    def put(self, actor: Actor, *, at: datetime, generation: int) -> None:
        """Remember ``actor`` as read at ``at``, unless a user changed since ``generation``."""
        if not self._ttl or generation != self._generation:
            return
        key = (actor.studio_id, actor.user_id)
        self._entries.pop(key, None)
        while len(self._entries) >= self._max_users:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (actor, at)

    def forget(self, studio_id: StudioId, user_id: UserId) -> None:
        """The user changed (or may have): the next request reads the store."""
        self._generation += 1
        self._entries.pop((studio_id, user_id), None)
