"""Worker processes of one server share each client's budget (``SharedWindows``): the counts
live in memory they all see, so N workers do not give a client N budgets."""

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entrypoints.http.rate_limit import SharedWindows, shared_table, shared_table_size
from tests.support.server import ROOT


class FakeClock:
    def __init__(self, now: float = 1_000_040.0) -> None:  # 20 s into an aligned minute
        self.now = now

    def __call__(self) -> float:
        return self.now


def workers_of(limit: int, count: int, clock: FakeClock) -> list[SharedWindows]:
    table = shared_table(count)
    return [
        SharedWindows(table, limit, workers=count, worker=index, clock=clock)
        for index in range(count)
    ]


def test_workers_count_one_budget_per_client() -> None:
    clock = FakeClock()
    first, second = workers_of(5, 2, clock)
    assert [first.take("10.0.0.1")[:2] for _ in range(3)] == [(True, 4), (True, 3), (True, 2)]
    assert second.take("10.0.0.1") == (True, 1, 40)  # 40 s left in the aligned window
    assert second.take("10.0.0.1") == (True, 0, 40)
    assert first.take("10.0.0.1") == (False, 0, 40)
    assert second.take("10.0.0.1") == (False, 0, 40)  # refusals are not counted
    assert first.take("10.0.0.2") == (True, 4, 40)  # another client has its own budget


def test_the_window_ends_for_every_worker_at_once() -> None:
    clock = FakeClock()
    first, second = workers_of(2, 2, clock)
    first.take("c")
    second.take("c")
    assert first.take("c")[0] is False
    clock.now += 39
    assert second.take("c") == (False, 0, 1)
    clock.now += 1  # the aligned window ended: old counts no longer count
    assert second.take("c") == (True, 1, 60)
    assert first.take("c") == (True, 0, 60)


FORKED_WORKERS = """
import os
from entrypoints.http.rate_limit import SharedWindows, shared_table

clock = lambda: 1_000_040.0
table = shared_table(2)
parent = SharedWindows(table, 10, workers=2, worker=0, clock=clock)
pid = os.fork()
if pid == 0:  # worker 1, counting into the memory it inherited
    child = SharedWindows(table, 10, workers=2, worker=1, clock=clock)
    os._exit(0 if all(child.take("shared-client")[0] for _ in range(7)) else 1)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0
print(parent.take("shared-client"), [parent.take("shared-client")[0] for _ in range(3)])
"""


def test_a_forked_worker_counts_into_the_same_memory() -> None:
    # In a fresh interpreter: forking this test process (which has threads) is unsafe.
    finished = subprocess.run(
        [sys.executable, "-c", FORKED_WORKERS],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "(True, 2, 40) [True, True, False]"


def test_a_worker_must_have_a_place_in_a_table_big_enough() -> None:
    table = shared_table(2)
    with pytest.raises(ValueError, match="not one of"):
        SharedWindows(table, 5, workers=2, worker=2)
    with pytest.raises(ValueError, match="too small"):
        SharedWindows(table, 5, workers=3, worker=0)
    assert len(table) == shared_table_size(2)


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(1, 20),
    takes=st.lists(st.tuples(st.integers(0, 3), st.sampled_from("abcdef")), max_size=120),
)
def test_no_client_gets_more_than_its_budget_whichever_worker_serves(
    limit: int, takes: list[tuple[int, str]]
) -> None:
    clock = FakeClock()
    windows = workers_of(limit, 4, clock)
    admitted: dict[str, int] = {}
    asked: dict[str, int] = {}
    for worker, client in takes:
        allowed, remaining, _ = windows[worker].take(client)
        asked[client] = asked.get(client, 0) + 1
        if allowed:
            admitted[client] = admitted.get(client, 0) + 1
            assert remaining == limit - admitted[client]
    # Six clients in 65,536 slots per row: no two share both rows' slots, so each count is exact.
    assert admitted == {client: min(limit, n) for client, n in asked.items() if n}
