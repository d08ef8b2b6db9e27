"""Login throttles: kept per studio and email, replaced whole, forgotten on demand."""

import pytest

from application.shared.ports import Persistence
from domain.identity.throttle import LoginThrottle
from tests.support import builders as make

pytestmark = pytest.mark.anyio


async def test_a_throttle_round_trips_and_is_replaced(persistence: Persistence) -> None:
    studio, other = make.studio(), make.studio()
    throttle = LoginThrottle.fresh(studio.id, "ada@example.com")
    for second in range(6):
        throttle = throttle.after_failure(make.at(second))
    async with persistence.unit_of_work() as uow:
        await uow.throttles.put(throttle)
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.throttles.get(studio.id, "ada@example.com") == throttle
        assert await uow.throttles.get(other.id, "ada@example.com") is None
        assert await uow.throttles.get(studio.id, "bob@example.com") is None
    assert throttle.blocked_until is not None

    again = throttle.after_failure(make.at(10))
    async with persistence.unit_of_work() as uow:
        await uow.throttles.put(again)
        await uow.commit()
    async with persistence.unit_of_work() as uow:
        assert await uow.throttles.get(studio.id, "ada@example.com") == again
        await uow.throttles.delete(studio.id, "ada@example.com")
        await uow.throttles.delete(studio.id, "never-tried@example.com")  # absent is fine
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.throttles.get(studio.id, "ada@example.com") is None
