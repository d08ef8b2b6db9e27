"""Operations endpoints: liveness and readiness (metrics and docs are mounted in ``app.py``)."""

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from application.operations.readiness import CheckReadinessHandler
from entrypoints.http.envelope import Data
from entrypoints.http.errors import ErrorBody, error_response
from entrypoints.lifecycle import Lifecycle

OPS_OPT = {"skip_rate_limit": True}


class HealthOut(msgspec.Struct, kw_only=True):
    status: str


class ReadyOut(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, str]


@get("/health", opt=OPS_OPT, tags=["operations"], sync_to_thread=False)
def health() -> Data[HealthOut]:
    """The process is alive. Calls no dependency."""
    return Data(data=HealthOut(status="ok"))


@get(
    "/ready",
    opt=OPS_OPT,
    tags=["operations"],
    responses={503: ResponseSpec(ErrorBody, description="Draining, or a dependency is down")},
)
async def ready(
    request: Request[Any, Any, Any],
    check_readiness: NamedDependency[CheckReadinessHandler],
    lifecycle: NamedDependency[Lifecycle],
) -> Response[Data[ReadyOut]]:
    """Every configured dependency answers in time and the process is not shutting down."""
    if lifecycle.draining:
        return error_response(
            request, status=503, code="draining", message="The service is shutting down."
        )
    report = await check_readiness()
    checks = {check.name: check.detail for check in report.checks}
    if not report.ready:
        failed = sorted(check.name for check in report.checks if not check.ok)
        return error_response(
            request,
            status=503,
            code="not_ready",
            message=f"A dependency is not answering: {', '.join(failed)}.",
            details={"checks": checks},
        )
    return Response(Data(data=ReadyOut(status="ready", checks=checks)))
