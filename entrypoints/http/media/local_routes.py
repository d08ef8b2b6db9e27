"""``PUT /media/upload`` and ``GET``/``HEAD /media/download``: the URLs ``LocalBlobStore`` signs.

Mounted only when the local store is the one in use: ``local_media_routes(store)`` closes over
that store, so no dependency is provided for it. The token in the query string is the whole
authorization (it fixes the key, the operation, the expiry and the limits); no bearer token
is read. Both routes stay out of the OpenAPI document: clients never build these URLs, they
receive them from ``POST /uploads/presign`` and the play endpoint, exactly as S3 URLs.

Upload: the signed Content-Type must be sent (else 415); a Content-Length above the signed
size is refused at once (413), below it too (400 ``upload_size_mismatch``); a chunked body is
counted as it arrives and refused the same way. The body streams to disk (never whole in
memory) past the app-wide 1 MiB body limit, which this route lifts for itself. A key is
written once: the same bytes again answer 204 (a retry), other bytes 409 ``upload_exists``.
The general rate limit applies (one request per upload; it protects the disk).

Download: the general rate limit is skipped, because a video player issues a burst of Range
requests and each one already carries an expiring signature. One range per request (206),
several ranges get the whole file (200); see ``local_ranges``.
"""

import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import HttpMethod, Request, Response, put, route
from litestar.exceptions import InternalServerException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery
from litestar.response import Stream
from litestar.types import ExceptionHandlersMap

from adapters.storage.local import LocalBlobStore
from adapters.storage.local_tokens import Grant
from domain.shared.errors import NotFoundError
from entrypoints.http.hardening import ACCEPTS_ANY_BODY, SKIP_RATE_LIMIT
from entrypoints.http.media.local_ranges import (
    MediaHttpError,
    content_disposition,
    etag,
    http_date,
    media_error_response,
    not_modified,
    range_still_valid,
    requested_range,
)

_ON_REFUSAL: ExceptionHandlersMap = {MediaHttpError: media_error_response}


def local_media_routes(store: LocalBlobStore) -> list[HTTPRouteHandler]:
    """The two route handlers, bound to ``store``."""

    @put(
        "/media/upload",
        status_code=204,
        request_max_body_size=None,  # bounded by the signed size instead, while streaming
        opt={ACCEPTS_ANY_BODY: True},
        exception_handlers=_ON_REFUSAL,
        include_in_schema=False,
    )
    async def upload_media(
        request: Request[Any, Any, Any], token: FromQuery[str | None] = None
    ) -> Response[None]:
        grant = store.verify_upload(token or "")
        _check_announced_body(request, grant)
        stored = await store.store_upload(grant, _exact_body(request, _signed_size(grant)))
        return Response(None, status_code=204, headers={"ETag": f'"{stored.checksum}"'})

    @route(
        "/media/download",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        opt={SKIP_RATE_LIMIT: True},
        exception_handlers=_ON_REFUSAL,
        include_in_schema=False,
    )
    async def download_media(
        request: Request[Any, Any, Any], token: FromQuery[str | None] = None
    ) -> Response[Any]:
        grant = store.verify_download(token or "")
        stored = await store.describe(grant.key)
        if stored is None:
            raise NotFoundError("Nothing is stored at this link.", code="media_not_found")
        seconds_left = max(0, grant.exp - int(time.time()))
        headers = {
            "Accept-Ranges": "bytes",
            "ETag": etag(stored),
            "Last-Modified": http_date(stored.modified),
            # Private: the bytes sit behind a token; a shared cache must not hand them out.
            "Cache-Control": f"private, max-age={seconds_left}",
        }
        get = request.headers.get
        if not_modified(get("if-none-match"), get("if-modified-since"), stored):
            return Response(None, status_code=304, headers=headers)
        chosen = None
        if range_still_valid(get("if-range"), stored):
            chosen = requested_range(get("range"), stored.size)
        start, length = (chosen.start, chosen.length) if chosen else (0, stored.size)
        headers["Content-Type"] = stored.content_type
        headers["Content-Length"] = str(length)
        headers["Content-Disposition"] = content_disposition(
            grant.disposition or "inline", grant.filename, stored.content_type
        )
        if chosen:
            headers["Content-Range"] = f"bytes {chosen.start}-{chosen.end}/{stored.size}"
        status = 206 if chosen else 200
        if request.method == HttpMethod.HEAD:
            return Response(b"", status_code=status, headers=headers)
        body = store.read(stored, start, length)
        return Stream(body, status_code=status, headers=headers, media_type=stored.content_type)

    return [upload_media, download_media]


def _signed_size(grant: Grant) -> int:
    assert grant.size is not None  # every upload grant carries its size
    return grant.size


def _check_announced_body(request: Request[Any, Any, Any], grant: Grant) -> None:
    """Refuse from the headers alone whatever the body could not fix."""
    expected = grant.content_type or ""
    received = request.headers.get("content-type")
    if received is None or received.strip().lower() != expected.lower():
        raise MediaHttpError(
            415,
            "unsupported_media_type",
            f"This link takes a body of type {expected} only.",
            details={"expected": expected, "received": received},
        )
    announced = request.content_length
    if announced is not None and announced != _signed_size(grant):
        raise _size_refusal(_signed_size(grant), announced)


def _size_refusal(size: int, received: int) -> MediaHttpError:
    if received > size:
        return MediaHttpError(
            413,
            "payload_too_large",
            f"This link takes exactly {size} bytes.",
            details={"expected": size},
        )
    return MediaHttpError(
        400,
        "upload_size_mismatch",
        f"This link takes exactly {size} bytes; the body had {received}.",
        details={"expected": size, "received": received},
    )


async def _exact_body(request: Request[Any, Any, Any], size: int) -> AsyncIterator[bytes]:
    """The body as it arrives, refused as soon as it runs past ``size`` or ends short of it."""
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > size:
                raise _size_refusal(size, received)
            if chunk:
                yield chunk
    except InternalServerException as exc:  # Litestar's word for "the client went away"
        raise MediaHttpError(
            400, "upload_interrupted", "The connection closed before the whole body arrived."
        ) from exc
    if received < size:
        raise MediaHttpError(
            400,
            "upload_size_mismatch",
            f"This link takes exactly {size} bytes; the body had {received}.",
            details={"expected": size, "received": received},
        )
