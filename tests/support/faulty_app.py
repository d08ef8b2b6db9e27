"""The real service plus probe routes, served by the real server runner.

``python -m tests.support.faulty_app`` is what ``running_server(..., faulty=True)`` starts: the
same settings, container, app and server as ``studio-bridge serve``, plus ``/_test/boom`` (an
unexpected exception: the 500 path), ``/_test/echo`` (reads a JSON body) and ``/_test/slow``
(a request still running when SIGTERM arrives).
"""

import asyncio
import sys
from typing import Any

from litestar import get, post
from litestar.params import FromQuery, JSONBody

from adapters.telemetry.logging import configure_logging
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_app
from entrypoints.server import serve_app
from entrypoints.settings import SettingsError, load_settings


class SecretLeakError(RuntimeError):
    """Carries a secret in its message, to prove logs scrub it."""


@get("/_test/boom", sync_to_thread=False)
def boom() -> None:
    raise SecretLeakError("exploded while holding password=hunter2hunter2 in a local variable")


@post("/_test/echo", sync_to_thread=False)
def echo(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


@get("/_test/slow")
async def slow(seconds: FromQuery[float] = 2.0) -> dict[str, float]:
    await asyncio.sleep(seconds)
    return {"slept": seconds}


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    container = bootstrap(settings)
    serve_app(
        create_app(container, extra_routes=[boom, echo, slow]), settings, container.lifecycle()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
