"""Litestar's per-client rate limiter, kept as a fixed-window counter: O(1) whatever the budget.

Litestar's own ``RateLimitMiddleware`` stores the timestamp of every request in the window and
decodes and re-encodes that list on every request, so a budget of N requests a minute costs
O(N) per request (and O(N) memory per client). Its window is fixed anyway (it starts with the
first request and ends at ``reset``), so a count and the reset time say the same thing. This
subclass, plugged in through ``RateLimitConfig(middleware_class=...)``, keeps exactly that in
the same Litestar store, under the same keys, with the same ``RateLimit-*`` headers and the
same 429 (``entrypoints/http/errors.py`` adds ``Retry-After``).
"""

from time import time
from typing import Any

import anyio
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import ASGIApp, Message, Receive, Scope, Send


class FixedWindowRateLimitMiddleware(RateLimitMiddleware):
    """At most ``max_requests`` per client per window; the store holds ``b"<count> <reset>"``."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        # Litestar's lock yields to the event loop on every acquisition, contended or not.
        self._lock = anyio.Lock(fast_acquire=True)
        self._window_seconds = DURATION_VALUES[self.unit]
        # The response headers, as ASGI pairs: two never change, two are per request.
        self._fixed_headers = [
            _header(config.rate_limit_policy_header_key, self._policy),
            _header(config.rate_limit_limit_header_key, str(self.max_requests)),
        ]
        self._remaining_name = config.rate_limit_remaining_header_key.lower().encode()
        self._reset_name = config.rate_limit_reset_header_key.lower().encode()

    @property
    def _policy(self) -> str:
        return f"{self.max_requests}; w={DURATION_VALUES[self.unit]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        request: Any = app.request_class(scope)
        check = self.check_throttle_handler
        if check is not None and not await check(request):
            await self.app(scope, receive, send)
            return
        key = self.cache_key_from_request(request)
        store = self.config.get_store_from_app(app)
        async with self._lock:
            now = int(time())
            count, reset = await self._window(store, key, now)
            if count >= self.max_requests:
                headers = (
                    self._headers(count, reset) if self.config.set_rate_limit_headers else None
                )
                raise TooManyRequestsException(headers=headers)
            count += 1
            await store.set(key, b"%d %d" % (count, reset), expires_in=max(1, reset - now))
        if self.config.set_rate_limit_headers:
            send = self._send_with_headers(send, count, reset)
        await self.app(scope, receive, send)

    async def _window(self, store: Store, key: str, now: int) -> tuple[int, int]:
        """The current window's count and reset time; a new, empty window if none is running."""
        stored = await store.get(key)
        if stored:
            try:
                count_text, reset_text = stored.split()
                count, reset = int(count_text), int(reset_text)
            except ValueError:  # another format (Litestar's own, during a rollout): start afresh
                pass
            else:
                if reset > now:
                    return count, reset
        return 0, now + self._window_seconds

    def _headers(self, count: int, reset: int) -> dict[str, str]:
        """The same headers as a mapping, for the 429 (Litestar's exception takes a mapping)."""
        config = self.config
        return {
            config.rate_limit_policy_header_key: self._policy,
            config.rate_limit_limit_header_key: str(self.max_requests),
            config.rate_limit_remaining_header_key: str(max(0, self.max_requests - count)),
            config.rate_limit_reset_header_key: str(reset - int(time())),
        }

    def _send_with_headers(self, send: Send, count: int, reset: int) -> Send:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Appended, not set: no other layer writes RateLimit-* headers.
                message["headers"] = [
                    *message.get("headers", ()),
                    *self._fixed_headers,
                    (self._remaining_name, b"%d" % max(0, self.max_requests - count)),
                    (self._reset_name, b"%d" % (reset - int(time()))),
                ]
            await send(message)

        return send_wrapper


def _header(name: str, value: str) -> tuple[bytes, bytes]:
    return name.lower().encode(), value.encode()


class FastLockMemoryStore(MemoryStore):
    """Litestar's in-process store, with a lock that does not yield to the event loop when free.

    ``MemoryStore`` takes an anyio lock in every ``get`` and ``set``, and an anyio lock yields
    to the event loop on every acquisition (a cancel-scope checkpoint), so two trips per limited
    request. Its critical sections never await: taking the lock without that trip changes
    nothing else. Registered as the app's ``rate_limit`` store.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = anyio.Lock(fast_acquire=True)
