"""Password hashing with argon2id (argon2-cffi), in worker threads behind a semaphore."""

import asyncio
import secrets
import threading
import weakref
from collections.abc import Callable
from typing import Self

import argon2
from argon2.exceptions import Argon2Error

from application.identity.security import PasswordCheck

# argon2-cffi's defaults are RFC 9106's "low memory" profile: 3 passes over 64 MiB, 4 lanes.
MIN_TIME_COST = argon2.DEFAULT_TIME_COST
MIN_MEMORY_COST_KIB = argon2.DEFAULT_MEMORY_COST


class Argon2PasswordHasher:
    """Implements ``PasswordHasher``.

    One hash takes a few hundred milliseconds of most of the CPU, so each one runs in a
    worker thread (argon2 releases the GIL) and at most ``concurrency`` run at once per event
    loop: a burst of logins then queues instead of starving every other request.
    """

    def __init__(
        self,
        *,
        time_cost: int = argon2.DEFAULT_TIME_COST,
        memory_cost_kib: int = argon2.DEFAULT_MEMORY_COST,
        parallelism: int = argon2.DEFAULT_PARALLELISM,
        concurrency: int = 1,
    ) -> None:
        if time_cost < MIN_TIME_COST or memory_cost_kib < MIN_MEMORY_COST_KIB:
            raise ValueError(
                f"argon2id needs time_cost >= {MIN_TIME_COST} and memory_cost_kib >= "
                f"{MIN_MEMORY_COST_KIB}; weaker settings are for tests only."
            )
        # Lanes change how the work is spread over cores, not what an attacker must spend.
        if parallelism < 1:
            raise ValueError("parallelism must be at least 1.")
        self._setup(
            argon2.PasswordHasher(
                time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
            ),
            concurrency,
        )

    @classmethod
    def insecure_for_tests(cls, *, concurrency: int = 1) -> Self:
        """Cheap parameters (1 pass, 8 KiB) so test suites run fast. Never use in a service."""
        hasher = cls.__new__(cls)
        hasher._setup(argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1), concurrency)
        return hasher

    def _setup(self, hasher: argon2.PasswordHasher, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1.")
        self._hasher = hasher
        self._concurrency = concurrency
        # One semaphore per event loop: an asyncio.Semaphore binds to the loop it first
        # waits on, and tools or tests may run this hasher under more than one loop.
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()
        self._dummy_hash: str | None = None
        self._dummy_lock = threading.Lock()

    async def hash(self, password: str) -> str:
        return await self._off_loop(self._hasher.hash, _encode(password))

    async def verify(self, password_hash: str, password: str) -> PasswordCheck:
        return await self._off_loop(self._check, password_hash, password)

    async def verify_dummy(self, password: str) -> None:
        await self._off_loop(self._check_dummy, password)

    async def warm_up(self) -> None:
        """Compute the dummy hash now (at startup) rather than on the first unknown login."""
        await self._off_loop(self._dummy)

    def _check(self, password_hash: str, password: str) -> PasswordCheck:
        try:
            self._hasher.verify(password_hash, _encode(password))
        except (Argon2Error, ValueError, TypeError):
            # A mismatch, or a stored hash that is not argon2 at all: either way, no entry.
            return PasswordCheck(ok=False)
        try:
            needs_rehash = self._hasher.check_needs_rehash(password_hash)
        except (Argon2Error, ValueError):
            needs_rehash = True
        return PasswordCheck(ok=True, needs_rehash=needs_rehash)

    def _check_dummy(self, password: str) -> None:
        # Same parameters, same work as a real verification: the result is thrown away.
        self._check(self._dummy(), password)

    def _dummy(self) -> str:
        with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(32))
            return self._dummy_hash

    async def _off_loop[T](self, work: Callable[..., T], *args: object) -> T:
        semaphore = self._semaphore()
        await semaphore.acquire()
        try:
            task = asyncio.ensure_future(asyncio.to_thread(work, *args))
        except BaseException:
            semaphore.release()
            raise

        def finished(done: asyncio.Future[T]) -> None:
            # The slot is freed when the thread is done, not when the caller stops waiting:
            # a thread cannot be cancelled, so clients that disconnect mid-login must not
            # let more hashes run at once than the semaphore allows.
            semaphore.release()
            if not done.cancelled():
                done.exception()  # retrieved, so an abandoned failure is not logged as lost

        task.add_done_callback(finished)
        return await asyncio.shield(task)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self._concurrency)
        return semaphore


def _encode(password: str) -> bytes:
    # surrogatepass: any str a JSON body can carry hashes, instead of raising mid-login.
    return password.encode("utf-8", "surrogatepass")
