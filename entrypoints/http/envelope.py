"""The success envelope: ``{"data": ...}``, and for pages ``{"data": [...], "meta": {...}}``."""

from collections.abc import Mapping

import msgspec
from litestar.enums import MediaType
from litestar.response.base import ASGIResponse


class Data[T](msgspec.Struct, kw_only=True):
    data: T


def ready_json(
    content: msgspec.Struct | None, *, status_code: int = 200, headers: Mapping[str, str]
) -> ASGIResponse:
    """``content`` encoded here and handed to Litestar ready to send, for the hottest reads.

    The same bytes and headers a ``Response`` would give, without Litestar rendering it (a
    ``Response`` with a header is merged with the layers' headers and cookies and encoded
    through the type encoders on every request): ~5% of a single asset's GET in process. The
    route declares its answers with ``responses=``, as the OpenAPI document cannot read them
    from an ``ASGIResponse`` annotation. ``None`` is an answer with no body (304).
    """
    body = b"" if content is None else msgspec.json.encode(content)
    return ASGIResponse(
        body=body, status_code=status_code, headers=dict(headers), media_type=MediaType.JSON
    )
