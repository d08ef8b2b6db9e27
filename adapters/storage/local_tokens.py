"""The local store's signed URL tokens: what one URL allows, sealed with HMAC-SHA256.

A token is ``<claims>.<mac>``, both base64url without padding. The claims are a compact JSON
array (msgspec ``array_like``) fixing the operation, the key, the expiry (Unix seconds) and,
for an upload, the exact size and content type; for a download, the file name and the
disposition. The MAC covers the claims exactly as sent, under a purpose label, so a token of
another purpose made with the same secret can never pass. Any problem is one error,
``InvalidMediaTokenError`` (only an authentic token is told it has expired).
"""

import base64
import binascii
import hashlib
import hmac
import math
import re
from datetime import datetime
from typing import Literal

import msgspec

from domain.media.errors import InvalidMediaTokenError

MAX_TOKEN_LENGTH = 4096
_LABEL = b"studio-bridge/local-media-url/v1\x00"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

Operation = Literal["put", "get"]
Disposition = Literal["inline", "attachment"]


class Grant(msgspec.Struct, frozen=True, array_like=True, omit_defaults=True):
    """What one URL allows. Field order is the wire format: append new fields, never reorder."""

    op: Operation
    key: str
    exp: int  # Unix seconds; the URL works while now < exp
    size: int | None = None  # put: the exact body length
    content_type: str | None = None  # put: the exact Content-Type
    filename: str | None = None  # get: the name the browser saves under
    disposition: Disposition | None = None  # get


_decoder = msgspec.json.Decoder(Grant)


def expiry(at: datetime) -> int:
    """Whole Unix seconds, rounded down: a URL never outlives the ``expires_at`` handed out."""
    return math.floor(at.timestamp())


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the media URL secret must be at least 32 bytes")
        self._secret = secret

    def sign(self, grant: Grant) -> str:
        claims = _b64(msgspec.json.encode(grant))
        return f"{claims}.{self._mac(claims)}"

    def verify(self, token: str, *, op: Operation, now: datetime) -> Grant:
        """The grant a token carries, if it is authentic, unexpired and for ``op``."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidMediaTokenError()
        claims, _, mac = token.partition(".")
        if not (_BASE64URL.fullmatch(claims) and _BASE64URL.fullmatch(mac)):
            raise InvalidMediaTokenError()
        # Compared as text: base64 decoding would accept several spellings of one MAC.
        if not hmac.compare_digest(self._mac(claims), mac):
            raise InvalidMediaTokenError()
        try:
            grant = _decoder.decode(_unb64(claims))
        except (msgspec.DecodeError, binascii.Error):  # only a holder of the secret gets here
            raise InvalidMediaTokenError() from None
        if grant.op != op:
            raise InvalidMediaTokenError("This link is not for this operation.")
        if op == "put" and (grant.size is None or grant.content_type is None):
            raise InvalidMediaTokenError()
        if now.timestamp() >= grant.exp:
            raise InvalidMediaTokenError(
                "This link has expired; ask for a new one.", details={"reason": "expired"}
            )
        return grant

    def _mac(self, claims: str) -> str:
        digest = hmac.new(self._secret, _LABEL + claims.encode("ascii"), hashlib.sha256).digest()
        return _b64(digest)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
