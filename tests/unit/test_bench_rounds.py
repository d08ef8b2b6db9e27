"""The assets benchmark's verdicts: each ratio is taken against the floor of its own round."""

from bench import runner, wrk
from bench.assets import Round, median_rounds
from bench.servers import APP_UVICORN
from bench.targets import FLOOR, Target

LISTING = Target(name="assets-list", server=APP_UVICORN, path="/assets", description="list")
SINGLE = Target(name="asset-get", server=APP_UVICORN, path="/assets/{id}", description="get")


def result(target: Target, requests_per_s: float) -> runner.TargetResult:
    report = wrk.WrkReport(
        requests=int(requests_per_s * 10),
        duration_s=10.0,
        requests_per_s=requests_per_s,
        latency_ms={"50": 1.0, "99": 2.0},
        non_2xx=0,
        socket_errors={},
    )
    return runner.TargetResult(
        target=target,
        url="http://127.0.0.1",
        probe_status=200,
        report=report,
        server_cpu_cores=1.0,
        wrk_cpu_cores=0.2,
        other_cpu_cores=0.0,
    )


def a_round(floor: float, listing: float, single: float) -> Round:
    return Round(
        floor=result(FLOOR, floor),
        listing=result(LISTING, listing),
        single=result(SINGLE, single),
    )


def test_a_ratio_is_the_median_of_ratios_to_each_rounds_own_floor() -> None:
    # The machine ran twice as fast in the second round: the floor and the GET both doubled.
    rounds = [
        a_round(10_000, 1_000, 4_000),
        a_round(20_000, 2_000, 8_000),
        a_round(10_000, 1_500, 3_000),
    ]
    chosen, ratios = median_rounds(rounds)
    assert ratios == {"assets-list": 0.1, "asset-get": 0.4}
    floor, listing, single = chosen
    assert floor.report.requests_per_s == 10_000  # the floor's median round
    assert listing.report.requests_per_s in {1_000, 2_000}  # a round at the median ratio
    assert single.report.requests_per_s in {4_000, 8_000}


def test_an_even_count_of_rounds_takes_the_lower_median() -> None:
    rounds = [a_round(10_000, 3_000, 5_000), a_round(10_000, 1_000, 3_000)]
    _, ratios = median_rounds(rounds)
    assert ratios == {"assets-list": 0.1, "asset-get": 0.3}
