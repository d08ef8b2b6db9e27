"""Per-client request budgets: a fixed-window count per client address, in process memory.

Litestar's ``RateLimitMiddleware`` keeps the timestamp of every request of the window (O(N)
per request for a budget of N), builds a ``Request`` and awaits an async store and its lock on
every request, and is one middleware layer per budget: the two budgets cost ~80-100 us of a
~450 us ``GET /assets/{id}`` in process. Its window is fixed anyway (it starts with the
client's first request and ends at ``reset``), so a count and the reset time say the same
thing. ``ClientBudgets`` keeps exactly that, in a dict, with no await: it is called from the
app's ``before_request`` hook (``entrypoints/http/hardening.py``), once the route is known and
before its dependencies (the token check) run.

It answers with Litestar's ``RateLimit-*`` headers and its ``TooManyRequestsException``
(``entrypoints/http/errors.py`` adds ``Retry-After``). The client is the socket peer, which
the server has already replaced by the ``X-Forwarded-For`` hop when the peer is a trusted
proxy (``entrypoints/server.py``). Like Litestar's default in-memory store, the counts are per
process: N replicas give a client N budgets (docs/deployment.md). The worker processes of one
server (``WORKERS``) share theirs: ``SharedWindows``.
"""

import mmap
import struct
from collections.abc import Callable
from time import time
from typing import Protocol

from litestar.exceptions import TooManyRequestsException
from litestar.types import Scope

Headers = list[tuple[bytes, bytes]]


class Windows(Protocol):
    """A budget's counts: ``FixedWindows`` (one process) or ``SharedWindows`` (workers)."""

    limit: int
    seconds: int

    def take(self, client: str) -> tuple[bool, int, int]: ...


class FixedWindows:
    """At most ``limit`` requests per client per window of ``seconds``, counted from the
    client's first request of the window. O(1) a request; windows that ended are dropped once
    a window, so memory holds the clients seen in the last one or two windows."""

    def __init__(self, limit: int, *, seconds: int = 60, clock: Callable[[], float] = time):
        if limit < 1 or seconds < 1:
            raise ValueError("a budget needs at least one request in a window of >= 1 s")
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._windows: dict[str, list[int]] = {}  # client -> [count, reset (epoch seconds)]
        self._next_sweep = 0

    def take(self, client: str) -> tuple[bool, int, int]:
        """Count one request of ``client``: (allowed, requests left, seconds until the reset).

        A refused request is not counted.
        """
        now = int(self._clock())
        if now >= self._next_sweep:
            self._sweep(now)
        window = self._windows.get(client)
        if window is None or window[1] <= now:
            window = [0, now + self.seconds]
            self._windows[client] = window
        if window[0] >= self.limit:
            return False, 0, window[1] - now
        window[0] += 1
        return True, self.limit - window[0], window[1] - now

    def clients(self) -> int:
        """How many clients have a window in memory (ended ones until the next sweep)."""
        return len(self._windows)

    def _sweep(self, now: int) -> None:
        self._windows = {key: value for key, value in self._windows.items() if value[1] > now}
        self._next_sweep = now + self.seconds


class SharedWindows:
    """``FixedWindows`` counted by every worker process of one server: at most ``limit``
    requests per client per window of ``seconds``, whichever worker serves them.

    The counts live in memory the supervisor shares with its workers (``table``, see
    ``shared_table``), as a count-min sketch: ``ROWS`` rows of ``SLOTS`` slots, each slot one
    cell per worker holding (window number, count). A worker only ever writes its own cells,
    so no lock is needed; a client's count is the smallest, over the rows, of the sum of its
    slot's cells for the current window. Two clients share a slot in one row now and then,
    which can only over-count; sharing both rows' slots is rare (with 1,000 clients in a
    window, about one client in 4,000), and then the pair share one budget.
    Windows are aligned to the clock (every ``seconds`` from the epoch), so every worker
    agrees on when one ends; cells of an ended window are ignored, then overwritten.
    Requests served at the same instant by two workers can both be admitted at the limit: the
    count is exact to within the requests in flight.
    """

    ROWS = 2
    SLOTS = 1 << 16

    def __init__(
        self,
        table: mmap.mmap,
        limit: int,
        *,
        workers: int,
        worker: int,
        seconds: int = 60,
        clock: Callable[[], float] = time,
    ) -> None:
        if limit < 1 or seconds < 1:
            raise ValueError("a budget needs at least one request in a window of >= 1 s")
        if not 0 <= worker < workers:
            raise ValueError(f"worker {worker} is not one of {workers}")
        if len(table) < shared_table_size(workers):
            raise ValueError("the shared table is too small for this many workers")
        self.limit = limit
        self.seconds = seconds
        self._table = table
        self._own = worker * _CELL
        self._own_index = worker
        self._slot_size = workers * _CELL
        self._row_size = self.SLOTS * self._slot_size
        self._read_slot = struct.Struct(f"<{2 * workers}I").unpack_from
        self._clock = clock

    def take(self, client: str) -> tuple[bool, int, int]:
        """Count one request of ``client``: (allowed, requests left, seconds until the reset).

        A refused request is not counted.
        """
        now = self._clock()
        window = int(now // self.seconds)
        reset = max(1, (window + 1) * self.seconds - int(now))
        key = hash(client)  # keyed (SipHash): not a slot an outsider can aim at; forks share it
        table, slots, slot_size = self._table, self.SLOTS - 1, self._slot_size
        bases = (
            (key & slots) * slot_size,
            self._row_size + ((key >> 32) & slots) * slot_size,
        )
        counted = self.limit
        own_counts = []
        own = 2 * self._own_index
        for base in bases:
            cells = self._read_slot(table, base)  # (window, count) of every worker
            in_window = 0
            for at in range(0, len(cells), 2):
                if cells[at] == window:
                    in_window += cells[at + 1]
            counted = min(counted, in_window)
            own_counts.append(cells[own + 1] + 1 if cells[own] == window else 1)
        if counted >= self.limit:
            return False, 0, reset
        for base, count in zip(bases, own_counts, strict=True):
            _CELL_FORMAT.pack_into(table, base + self._own, window, count)
        return True, self.limit - counted - 1, reset


_CELL_FORMAT = struct.Struct("<II")  # window number, count
_CELL = _CELL_FORMAT.size


def shared_table_size(workers: int) -> int:
    """Bytes of shared memory one ``SharedWindows`` budget needs for ``workers`` workers."""
    return SharedWindows.ROWS * SharedWindows.SLOTS * workers * _CELL


def shared_table(workers: int) -> mmap.mmap:
    """Zeroed memory shared with the processes forked after this call (one budget's counts)."""
    return mmap.mmap(-1, shared_table_size(workers))  # anonymous and MAP_SHARED


class Budget:
    """One budget (a ``FixedWindows``) and the ``RateLimit-*`` headers it answers with."""

    def __init__(self, windows: Windows) -> None:
        self.windows = windows
        self.policy = f"{windows.limit}; w={windows.seconds}"
        self._fixed: Headers = [
            (b"ratelimit-policy", self.policy.encode()),
            (b"ratelimit-limit", b"%d" % windows.limit),
        ]

    def admit(self, client: str) -> Headers:
        """The headers for an admitted request; ``TooManyRequestsException`` when it is over."""
        allowed, remaining, reset = self.windows.take(client)
        if not allowed:
            raise TooManyRequestsException(
                headers={
                    "RateLimit-Policy": self.policy,
                    "RateLimit-Limit": str(self.windows.limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                }
            )
        return [
            *self._fixed,
            (b"ratelimit-remaining", b"%d" % remaining),
            (b"ratelimit-reset", b"%d" % reset),
        ]


class ClientBudgets:
    """The general budget, and a stricter one for paths under ``strict_prefix`` (``/auth/``).

    ``None`` for a budget switches it off (``RATE_LIMIT_PER_MINUTE=0``).
    """

    def __init__(
        self,
        general: Windows | None,
        strict: Windows | None,
        *,
        strict_prefix: str,
    ) -> None:
        self.general = Budget(general) if general is not None else None
        self.strict = Budget(strict) if strict is not None else None
        self.strict_prefix = strict_prefix

    def admit(self, scope: Scope) -> Headers | None:
        """Count the request against its budget: the headers to answer with (None when no budget
        applies); ``TooManyRequestsException`` when the client is over it."""
        path: str = scope["path"]
        budget = self.strict if path.startswith(self.strict_prefix) else self.general
        if budget is None:
            return None
        client = scope.get("client")
        return budget.admit(client[0] if client else "anonymous")
