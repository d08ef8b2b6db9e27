"""Hand-made JWTs: any header, any claims, any signature, for attack tests."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import OKPKey

Signer = Callable[[bytes], bytes]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Signer | None) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = b64url(sign(signing_input.encode("ascii"))) if sign else ""
    return f"{signing_input}.{signature}"


def ed25519_signer(key: OKPKey) -> Signer:
    private = key.private_key
    assert isinstance(private, Ed25519PrivateKey)
    return private.sign


def hs256_signer(secret: bytes) -> Signer:
    return lambda message: hmac.new(secret, message, hashlib.sha256).digest()


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature


def claims_at(
    at: datetime, *, issuer: str, audience: str, user: str, studio: str, ttl: int = 900
) -> dict[str, Any]:
    """What ``JwtAccessTokens.issue`` writes, for a token issued at ``at``."""
    now = int(at.timestamp())
    return {
        "iss": issuer,
        "aud": audience,
        "sub": user,
        "studio": studio,
        "role": "artist",
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": "A" * 22,
    }
