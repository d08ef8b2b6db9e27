"""What S3 allows, as plain functions: URL lifetimes, multipart part plans, headers, error codes.

Kept apart from the client code so each rule can be tested with plain values.
"""

import math
import unicodedata
from datetime import timedelta
from typing import Literal
from urllib.parse import quote

from botocore.exceptions import ClientError

MIB = 1024 * 1024
GIB = 1024 * MIB

# SigV4 presigned URLs live at most 7 days; S3 refuses to sign for longer.
MAX_URL_SECONDS = 7 * 24 * 3600
# Every multipart part but the last must hold at least 5 MiB, one PUT at most 5 GiB, and an
# upload has at most 10,000 parts (S3's documented limits; moto enforces the first one too).
MIN_PART_SIZE = 5 * MIB
MAX_PART_SIZE = 5 * GIB
MAX_SINGLE_PUT = 5 * GIB
MAX_PARTS = 10_000

# Codes that mean "no such object": HEAD answers carry no body, so botocore can only report
# the status ("404"); GET and others say NoSuchKey.
_MISSING_OBJECT = frozenset({"404", "NoSuchKey", "NotFound"})
_MISSING_BUCKET = frozenset({"404", "NoSuchBucket", "NotFound"})
# What ``CompleteMultipartUpload`` answers when the parts given do not make a whole file.
_INCOMPLETE_PARTS = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "MalformedXML"})
# RFC 5987 attr-char, besides letters and digits (which quote() never escapes).
_ATTR_CHAR_PUNCTUATION = "!#$&+-.^_`|~"


def url_lifetime(expires_in: timedelta) -> int:
    """Whole seconds a presigned URL lives, within what SigV4 allows: [1 s, 7 days]."""
    return max(1, min(MAX_URL_SECONDS, math.ceil(expires_in.total_seconds())))


def part_sizes(size: int, part_size: int) -> tuple[int, ...]:
    """The exact size of each part of a ``size``-byte multipart upload (the last one smaller).

    ``part_size`` grows, by whole MiB, when the parts would otherwise exceed S3's 10,000.
    """
    if size < 1:
        raise ValueError("a multipart upload carries at least one byte")
    if math.ceil(size / part_size) > MAX_PARTS:
        part_size = math.ceil(size / MAX_PARTS / MIB) * MIB
    full, rest = divmod(size, part_size)
    return (part_size,) * full + ((rest,) if rest else ())


def content_disposition(
    disposition: Literal["inline", "attachment"], filename: str | None
) -> str | None:
    """A ``Content-Disposition`` value (RFC 6266), or None when S3's default will do.

    The file name goes twice: ``filename*`` carries it exactly (UTF-8, percent-encoded, RFC
    5987) and ``filename`` an ASCII stand-in for the few clients that ignore ``filename*``.
    """
    if filename is None:
        return None if disposition == "inline" else disposition
    fallback = _ascii_fallback(filename)
    encoded = quote(filename, safe=_ATTR_CHAR_PUNCTUATION)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _ascii_fallback(filename: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    # Quotes, backslashes and control characters would end or break the quoted string.
    cleaned = "".join(
        "_" if char in '"\\' or not char.isprintable() else char for char in ascii_name
    ).strip()
    # A name that was all non-ASCII keeps at least its extension: "download.mp4".
    return f"download{cleaned}" if not cleaned or cleaned.startswith(".") else cleaned


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_missing_object(error: ClientError) -> bool:
    return error_code(error) in _MISSING_OBJECT


def is_missing_bucket(error: ClientError) -> bool:
    return error_code(error) in _MISSING_BUCKET


def is_incomplete_upload(error: ClientError) -> bool:
    return error_code(error) in _INCOMPLETE_PARTS


def is_unknown_upload(error: ClientError) -> bool:
    """The multipart upload id is unknown: aborted, expired, or already completed."""
    return error_code(error) == "NoSuchUpload"
