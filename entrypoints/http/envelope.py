"""The success envelope: ``{"data": ...}``, and for pages ``{"data": [...], "meta": {...}}``."""

from collections.abc import Mapping

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.response.base import ASGIResponse


class Data[T](msgspec.Struct, kw_only=True):
    data: T


def ready_json(
    content: msgspec.Struct | None, *, status_code: int = 200, headers: Mapping[str, str]
) -> ASGIResponse:
    """``content`` encoded here and handed to Litestar ready to send, for the hottest reads.

    The same bytes and headers a ``Response`` would give, without Litestar rendering it: a
    ``Response`` with a header is merged with the layers' headers and cookies and encoded
    through the type encoders on every request (~5% of a single asset's GET in process), and
    even a plain ``ASGIResponse`` adds its headers one by one to a case-insensitive mapping
    (another ~11%: ``ReadyResponse``). The route declares its answers with ``responses=``, as
    the OpenAPI document cannot read them from an ``ASGIResponse`` annotation. ``None`` is an
    answer with no body (304). ``headers`` are the route's own (not the content's type or
    length, which this sets).
    """
    raw = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    if content is None:
        return ReadyResponse(b"", status_code, raw)
    body = msgspec.json.encode(content)
    raw.append((b"content-type", b"application/json"))
    raw.append((b"content-length", b"%d" % len(body)))
    return ReadyResponse(body, status_code, raw)


class ReadyResponse(ASGIResponse):
    """An ``ASGIResponse`` made from its final body and the raw header pairs it sends.

    Everything else (sending, ``after_response``, the edge's headers) is ``ASGIResponse``'s.
    """

    __slots__ = ()

    def __init__(self, body: bytes, status_code: int, headers: list[tuple[bytes, bytes]]) -> None:
        # Not ASGIResponse.__init__: it would add each header through the mapping again.
        self.headers = MutableScopeHeaders({"headers": headers})
        self.background = None
        self.body = body
        self.content_length = len(body)
        self._encoded_cookies = ()
        self.encoding = "utf-8"
        self.is_head_response = False
        self.status_code = status_code
