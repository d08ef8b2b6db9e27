"""HTTP rules the local media routes follow, as plain functions: ranges, validators, naming.

- Range (RFC 9110 section 14): one ``bytes`` range, as ``a-b``, ``a-`` or ``-n``. A header
  that is malformed, names another unit, or holds several ranges is ignored (the RFC allows
  it) and the whole file is sent with 200; several ranges are never answered in
  ``multipart/byteranges``, which no video player asks for.
- Conditional requests (RFC 9110 section 13.2.2): ``If-None-Match`` (weak comparison) wins
  over ``If-Modified-Since``; either can turn GET or HEAD into 304. ``If-Range`` keeps a
  Range only while the ETag (strong comparison) or the exact Last-Modified still holds.
"""

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from litestar import Request, Response

from adapters.storage.local_files import StoredFile
from entrypoints.http.errors import error_response

# Shown in the browser only when they cannot run script on this origin; all else downloads.
INLINE_SAFE = ("video/", "audio/", "image/png", "image/jpeg", "image/gif", "image/webp")
_ATTR_CHAR_PUNCTUATION = "!#$&+-.^_`|~"  # RFC 5987 attr-char besides letters and digits


class MediaHttpError(Exception):
    """A refusal only these routes make (413, 415, 416, a body of the wrong length)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers


def media_error_response(request: Request[Any, Any, Any], exc: MediaHttpError) -> Response[Any]:
    """The error contract, like every other failure (``entrypoints/http/errors.py``)."""
    return error_response(
        request,
        status=exc.status,
        code=exc.code,
        message=exc.message,
        details=exc.details,
        headers=exc.headers,
    )


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to send, None for the whole file; 416 when it cannot be satisfied."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if len(header) > 200 or unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = (part.strip() for part in spec.partition("-"))
    if not dash or not (first or last) or not all(_digits(p) for p in (first, last) if p):
        return None
    if not first:  # a suffix: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, so ignored (RFC 9110 section 14.1.1)
    if start >= size:
        raise _unsatisfiable(size)
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _unsatisfiable(size: int) -> MediaHttpError:
    return MediaHttpError(
        416,
        "range_not_satisfiable",
        "The requested range lies outside the file.",
        details={"size": size},
        headers={"Content-Range": f"bytes */{size}"},
    )


def etag(stored: StoredFile) -> str:
    """The sha256 when known: equal bytes, equal tag, across restarts and rewrites."""
    if stored.sha256:
        return f'"{stored.sha256}"'
    return f'"{stored.inode:x}-{stored.size:x}-{int(stored.modified * 1000):x}"'


def http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(timestamp), UTC), usegmt=True)


def _parse_http_date(value: str) -> float | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.timestamp() if parsed.tzinfo else None


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, stored: StoredFile
) -> bool:
    if if_none_match is not None:
        tags = [_opaque(tag) for tag in if_none_match.split(",")]
        return "*" in tags or _opaque(etag(stored)) in tags
    if if_modified_since:
        since = _parse_http_date(if_modified_since)
        return since is not None and int(stored.modified) <= since
    return False


def range_still_valid(if_range: str | None, stored: StoredFile) -> bool:
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return not value.startswith("W/") and value == etag(stored)
    return value == http_date(stored.modified)


def content_disposition(disposition: str, filename: str | None, content_type: str) -> str:
    """RFC 6266: ``filename*`` exact (UTF-8), ``filename`` an ASCII stand-in for old clients."""
    if not content_type.lower().startswith(INLINE_SAFE):
        disposition = "attachment"  # HTML or script served inline here would run as this origin
    if not filename:
        return disposition
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join("_" if c in '"\\' or not c.isprintable() else c for c in ascii_name)
    encoded = quote(filename, safe=_ATTR_CHAR_PUNCTUATION)
    return (
        f"{disposition}; filename=\"{fallback.strip() or 'download'}\"; filename*=UTF-8''{encoded}"
    )
