"""The login back-off: free attempts, then waits that double, capped, forgotten after a while."""

from datetime import timedelta

from domain.identity.throttle import FORGET_AFTER, FREE_ATTEMPTS, MAX_DELAY, LoginThrottle
from domain.shared.ids import StudioId
from tests.support import builders as make

STUDIO = StudioId(make.new_id())


def failed(times: int, *, every: float = 1.0) -> LoginThrottle:
    throttle = LoginThrottle.fresh(STUDIO, "ada@example.com")
    for n in range(times):
        throttle = throttle.after_failure(make.at(n * every))
    return throttle


def test_the_first_failures_cost_nothing() -> None:
    throttle = failed(FREE_ATTEMPTS - 1)
    assert throttle.retry_after(make.at(FREE_ATTEMPTS)) == 0


def test_then_each_failure_doubles_the_wait() -> None:
    waits = []
    for extra in range(4):
        throttle = failed(FREE_ATTEMPTS + extra)
        last = throttle.last_failure_at
        assert last is not None
        waits.append(throttle.retry_after(last))
    assert waits == [1, 2, 4, 8]


def test_the_wait_is_capped() -> None:
    throttle = failed(FREE_ATTEMPTS + 40)
    last = throttle.last_failure_at
    assert last is not None
    assert throttle.retry_after(last) == int(MAX_DELAY.total_seconds())


def test_waiting_it_out_allows_another_attempt() -> None:
    throttle = failed(FREE_ATTEMPTS + 2)
    last = throttle.last_failure_at
    assert last is not None
    assert throttle.retry_after(last + timedelta(seconds=4)) == 0


def test_a_quiet_hour_wipes_the_slate() -> None:
    throttle = failed(FREE_ATTEMPTS + 3)
    last = throttle.last_failure_at
    assert last is not None
    later = throttle.after_failure(last + FORGET_AFTER)
    assert later.failures == 1
    assert later.retry_after(last + FORGET_AFTER) == 0
