"""Argon2PasswordHasher: argon2id off the event loop, bounded, never raising for a bad hash."""

import asyncio
import threading
import time

import argon2
import pytest

from adapters.security.argon2 import Argon2PasswordHasher

pytestmark = pytest.mark.anyio


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher.insecure_for_tests()


async def test_hash_then_verify(hasher: Argon2PasswordHasher) -> None:
    stored = await hasher.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    check = await hasher.verify(stored, "correct horse battery staple")
    assert (check.ok, check.needs_rehash) == (True, False)


async def test_each_hash_has_its_own_salt(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.hash("same password") != await hasher.hash("same password")


async def test_a_wrong_password_is_false_not_an_error(hasher: Argon2PasswordHasher) -> None:
    stored = await hasher.hash("correct horse battery staple")
    for attempt in ("Correct horse battery staple", "", "correct horse battery stapl"):
        check = await hasher.verify(stored, attempt)
        assert (check.ok, check.needs_rehash) == (False, False)


async def test_any_text_hashes_including_lone_surrogates(hasher: Argon2PasswordHasher) -> None:
    # JSON may carry "\ud800"; such a password must not turn a login into a server error.
    for password in ("pässwörd ✓", "\ud800oops", "nul\x00inside"):
        assert (await hasher.verify(await hasher.hash(password), password)).ok


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=8,t=1,p=1$garbage",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$",
        "$2b$12$KIXQJH5zXx1jP0x8c1o8/.9Zb3VnC1HjJ8JpQeQKX5v1x7lYzWkAa",  # bcrypt
        "pbkdf2_sha256$600000$salt$hash",
        "$argon2id$v=19$m=ä,t=1,p=1$YWJj$YWJj",
    ],
)
async def test_a_malformed_stored_hash_is_false_not_an_error(
    hasher: Argon2PasswordHasher, stored: str
) -> None:
    check = await hasher.verify(stored, "anything")
    assert (check.ok, check.needs_rehash) == (False, False)


async def test_a_hash_made_with_weaker_parameters_needs_rehash() -> None:
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("s3cret!")
    # Verifying uses the stored hash's own parameters, so this is cheap even with the real ones.
    check = await Argon2PasswordHasher().verify(weak, "s3cret!")
    assert (check.ok, check.needs_rehash) == (True, True)


async def test_an_argon2i_hash_verifies_and_needs_rehash(hasher: Argon2PasswordHasher) -> None:
    legacy = argon2.PasswordHasher(
        time_cost=1, memory_cost=8, parallelism=1, type=argon2.Type.I
    ).hash("s3cret!")
    check = await hasher.verify(legacy, "s3cret!")
    assert (check.ok, check.needs_rehash) == (True, True)


def test_parameters_weaker_than_the_defaults_are_refused() -> None:
    for weaker in ({"time_cost": 2}, {"memory_cost_kib": 32 * 1024}, {"parallelism": 0}):
        with pytest.raises(ValueError, match=r"at least|weaker"):
            Argon2PasswordHasher(**weaker)
    with pytest.raises(ValueError, match="concurrency"):
        Argon2PasswordHasher(concurrency=0)
    Argon2PasswordHasher(time_cost=4, memory_cost_kib=128 * 1024)  # stronger is fine


@pytest.mark.slow
async def test_the_real_parameters_are_argon2_cffi_defaults() -> None:
    stored = await Argon2PasswordHasher().hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


async def test_verify_dummy_spends_a_verification(hasher: Argon2PasswordHasher) -> None:
    await hasher.warm_up()
    await hasher.verify_dummy("whatever")
    await hasher.verify_dummy("")


@pytest.mark.slow
async def test_verify_dummy_costs_what_a_real_verification_costs() -> None:
    hasher = Argon2PasswordHasher()
    stored = await hasher.hash("the real password")
    await hasher.warm_up()

    async def timed(attempt: object) -> float:
        started = time.perf_counter()
        await attempt  # type: ignore[misc]
        return time.perf_counter() - started

    real = min([await timed(hasher.verify(stored, "a guess")) for _ in range(3)])
    dummy = min([await timed(hasher.verify_dummy("a guess")) for _ in range(3)])
    # Wide bounds: these machines are noisy; a missing dummy would be ~1000x faster.
    assert real / 3 < dummy < real * 3


async def test_at_most_concurrency_hashes_run_at_once() -> None:
    hasher = Argon2PasswordHasher.insecure_for_tests(concurrency=2)
    running = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    await asyncio.gather(*(hasher._off_loop(work) for _ in range(8)))
    assert most == 2


async def test_a_cancelled_caller_keeps_its_slot_until_the_thread_ends() -> None:
    # A thread cannot be stopped; if a disconnecting client freed its slot at once, a flood
    # of abandoned logins would run unbounded hashes in parallel.
    hasher = Argon2PasswordHasher.insecure_for_tests(concurrency=1)
    release = threading.Event()
    started: list[str] = []

    def slow() -> None:
        started.append("slow")
        release.wait(5)

    def quick() -> None:
        started.append("quick")

    abandoned = asyncio.ensure_future(hasher._off_loop(slow))
    await asyncio.sleep(0.05)
    abandoned.cancel()
    follower = asyncio.ensure_future(hasher._off_loop(quick))
    await asyncio.sleep(0.1)
    assert started == ["slow"]  # the quick one waits for the abandoned thread
    release.set()
    await follower
    assert started == ["slow", "quick"]
    with pytest.raises(asyncio.CancelledError):
        await abandoned


@pytest.mark.slow
async def test_the_event_loop_stays_responsive_while_hashing() -> None:
    hasher = Argon2PasswordHasher()  # the real parameters: that is what must stay off the loop
    gaps: list[float] = []
    hashing = True

    async def ticker() -> None:
        last = time.perf_counter()
        while hashing:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    hashes = await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(8)))
    elapsed = time.perf_counter() - started
    hashing = False
    await ticking

    assert len(set(hashes)) == 8
    assert elapsed > 0.5  # real work happened while we watched
    assert len(gaps) > elapsed / 0.1
    assert max(gaps) < 0.1, f"the loop stalled for {max(gaps) * 1000:.0f} ms"
