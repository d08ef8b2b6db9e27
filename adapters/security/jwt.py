"""Access tokens as JWTs signed with joserfc: EdDSA (Ed25519) by default, HS256 as an option."""

import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import ExpiredTokenError as JoseExpiredTokenError
from joserfc.jwk import OKPKey

from adapters.security.jws import Algorithm, pinned_registry
from adapters.security.keys import (
    SigningKey,
    VerificationKey,
    algorithm_of,
    key_id,
    public_part,
)
from application.identity.security import (
    AccessClaims,
    ExpiredTokenError,
    InvalidTokenError,
    IssuedAccessToken,
)
from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId

_JTI = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 128 random bits, base64url without padding
VERIFIED_CACHE_SIZE = 4096  # about 1 kB a token


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token that passed every check once: its claims and the times that bound its use."""

    claims: AccessClaims
    valid_from: float  # the later of nbf and iat (NumericDate: a number)
    expires_at: float  # exp


class JwtAccessTokens:
    """Implements ``AccessTokens``.

    Rotation: sign with the new key and keep the old key's public part in
    ``verification_keys`` until the last token it signed has expired.

    Verified tokens are remembered (``cache_size`` of them, oldest dropped first), keyed by the
    exact token text: a token seen again skips the signature (an Ed25519 verification is most of
    the cost) but its time claims are checked against ``at`` on every use, so a remembered token
    still expires. Only tokens that passed every check are kept; any other text, however close
    to a good token, is verified in full.
    """

    def __init__(
        self,
        signing_key: SigningKey,
        verification_keys: Sequence[VerificationKey] = (),
        *,
        issuer: str,
        audience: str,
        ttl: timedelta = timedelta(minutes=15),
        leeway_seconds: int = 30,
        cache_size: int = VERIFIED_CACHE_SIZE,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("issuer and audience must not be empty.")
        if ttl.total_seconds() < 1 or ttl.total_seconds() != int(ttl.total_seconds()):
            raise ValueError("ttl must be a positive whole number of seconds.")
        if not 0 <= leeway_seconds <= 300:
            raise ValueError("leeway_seconds must be between 0 and 300.")
        if cache_size < 0:
            raise ValueError("cache_size must not be negative.")
        self._algorithm: Algorithm = algorithm_of(signing_key)
        self._signing_key = signing_key
        self._signing_kid = key_id(signing_key)
        self._keys: dict[str, VerificationKey] = {}
        for key in (signing_key, *verification_keys):
            if algorithm_of(key, private=False) != self._algorithm:
                raise ValueError("Every verification key must be of the signing key's type.")
            verify_with = public_part(key) if isinstance(key, OKPKey) else key
            self._keys.setdefault(key_id(key), verify_with)
        self._registry = pinned_registry(self._algorithm)
        self._issuer = issuer
        self._audience = audience
        self._ttl = int(ttl.total_seconds())
        self._leeway = leeway_seconds
        self._cache_size = cache_size
        self._verified: dict[str, _Verified] = {}  # insertion order: the oldest goes first

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    @property
    def signing_key_id(self) -> str:
        return self._signing_kid

    def issue(
        self, *, user_id: UserId, studio_id: StudioId, role: Role, at: datetime
    ) -> IssuedAccessToken:
        issued_at = _epoch_seconds(at)
        expires_at = issued_at + self._ttl
        token_id = secrets.token_urlsafe(16)
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "studio": str(studio_id),
            "role": Role(role).value,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_at,
            "jti": token_id,
        }
        header = {"alg": self._algorithm, "kid": self._signing_kid}
        token = jwt.encode(header, claims, self._signing_key, registry=self._registry)
        return IssuedAccessToken(
            token=token, token_id=token_id, expires_at=datetime.fromtimestamp(expires_at, UTC)
        )

    def verify(self, token: str, *, at: datetime) -> AccessClaims:
        now = _epoch_seconds(at)
        remembered = self._verified.get(token)
        if remembered is not None:
            return self._still_valid(token, remembered, now)
        try:
            claims = self._verified_claims(token)
            self._check_claims(claims, now)
            access = _access_claims(claims)
        except Exception:
            # One answer for every failure: which check failed is for an attacker to guess.
            raise InvalidTokenError() from None
        # Last, so "expired" is only ever said of a token that is otherwise entirely valid.
        self._check_expiry(claims, now)
        self._remember(token, access, claims)
        return access

    def public_keys(self) -> dict[str, Any]:
        if self._algorithm != "EdDSA":
            return {"keys": []}
        # Built field by field from the public part: nothing private can slip in.
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": key.as_dict(private=False)["x"],
                    "kid": kid,
                    "alg": "EdDSA",
                    "use": "sig",
                }
                for kid, key in self._keys.items()
            ]
        }

    def _still_valid(self, token: str, remembered: _Verified, now: int) -> AccessClaims:
        """The checks of ``verify`` that depend on the time, as joserfc makes them."""
        if remembered.valid_from > now + self._leeway:
            raise InvalidTokenError()  # the clock went back before nbf/iat
        if remembered.expires_at <= now - self._leeway:
            self._verified.pop(token, None)
            raise ExpiredTokenError()
        return remembered.claims

    def _remember(self, token: str, access: AccessClaims, claims: dict[str, Any]) -> None:
        if not self._cache_size:
            return
        while len(self._verified) >= self._cache_size:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = _Verified(
            access, valid_from=max(claims["nbf"], claims["iat"]), expires_at=claims["exp"]
        )

    def _verified_claims(self, token: str) -> dict[str, Any]:
        decoded = jwt.decode(token, self._key_for, registry=self._registry)
        if decoded.header.get("typ") != "JWT":
            raise ValueError("typ")
        return decoded.claims

    def _key_for(self, signature: Any) -> VerificationKey:
        # Called by joserfc with the parsed header; a missing or unknown kid never falls back
        # to "the only key" (joserfc's KeySet would, when it holds one key).
        kid = signature.headers().get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise LookupError("kid")
        return key

    def _check_claims(self, claims: dict[str, Any], now: int) -> None:
        # joserfc checks a time claim only when it is present: mark each one essential.
        jwt.JWTClaimsRegistry(
            now=now,
            leeway=self._leeway,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            sub={"essential": True},
            jti={"essential": True},
            iat={"essential": True},
            nbf={"essential": True},
        ).validate({name: value for name, value in claims.items() if name != "exp"})

    def _check_expiry(self, claims: dict[str, Any], now: int) -> None:
        registry = jwt.JWTClaimsRegistry(now=now, leeway=self._leeway, exp={"essential": True})
        try:
            registry.validate({"exp": claims.get("exp")})
        except JoseExpiredTokenError:
            raise ExpiredTokenError() from None
        except Exception:
            raise InvalidTokenError() from None


def _access_claims(claims: dict[str, Any]) -> AccessClaims:
    token_id = claims["jti"]
    if not isinstance(token_id, str) or not _JTI.match(token_id):
        raise ValueError("jti")
    return AccessClaims(
        user_id=UserId(_canonical_uuid(claims["sub"])),
        studio_id=StudioId(_canonical_uuid(claims["studio"])),
        role=Role(claims["role"]),
        token_id=token_id,
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )


def _canonical_uuid(value: object) -> str:
    # Ids are issued in canonical form; any other spelling was not written by us.
    if not isinstance(value, str) or str(uuid.UUID(value)) != value:
        raise ValueError("id")
    return value


def _epoch_seconds(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("Times must be timezone-aware.")
    return int(at.timestamp())
