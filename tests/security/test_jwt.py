"""JwtAccessTokens: what it writes, what it accepts, and every forgery it must refuse."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from joserfc.jwk import OctKey, OKPKey

from adapters.security.jwt import JwtAccessTokens
from adapters.security.keys import generate_signing_key, hs256_key, key_id, public_part
from application.identity.security import (
    AccessClaims,
    ExpiredTokenError,
    InvalidTokenError,
)
from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId
from tests.security.forge import (
    b64url,
    claims_at,
    ed25519_signer,
    forge,
    hs256_signer,
    parts,
    segment,
)

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ISSUER = "https://studio-bridge.test"
AUDIENCE = "studio-bridge-api"
USER = UserId("0192f5a4-7c3e-7d6b-9a1f-3b2c4d5e6f70")
STUDIO = StudioId("0192f5a4-7c3e-7d6b-9a1f-3b2c4d5e6f71")
SECRET = b"0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def key() -> OKPKey:
    return generate_signing_key()


@pytest.fixture
def tokens(key: OKPKey) -> JwtAccessTokens:
    return JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE)


def issue(tokens: JwtAccessTokens, at: datetime = AT, role: Role = Role.ARTIST) -> str:
    return tokens.issue(user_id=USER, studio_id=STUDIO, role=role, at=at).token


def good_claims(**changes: Any) -> dict[str, Any]:
    claims = claims_at(AT, issuer=ISSUER, audience=AUDIENCE, user=USER, studio=STUDIO)
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ...}


def header(key: OKPKey, **changes: Any) -> dict[str, Any]:
    fields = {"typ": "JWT", "alg": "EdDSA", "kid": key_id(key), **changes}
    return {name: value for name, value in fields.items() if value is not ...}


def refused(tokens: JwtAccessTokens, token: str, at: datetime = AT) -> InvalidTokenError:
    with pytest.raises(InvalidTokenError) as caught:
        tokens.verify(token, at=at)
    assert type(caught.value) is InvalidTokenError  # not ExpiredTokenError
    # The same words for every failure: nothing tells an attacker which check caught them.
    assert caught.value.message == InvalidTokenError.default_message
    assert caught.value.code == "invalid_token"
    return caught.value


# --- What a token carries --------------------------------------------------------------


def test_an_issued_token_verifies_into_its_claims(tokens: JwtAccessTokens) -> None:
    issued = tokens.issue(user_id=USER, studio_id=STUDIO, role=Role.DIRECTOR, at=AT)
    claims = tokens.verify(issued.token, at=AT + timedelta(minutes=5))
    assert claims == AccessClaims(
        user_id=USER,
        studio_id=STUDIO,
        role=Role.DIRECTOR,
        token_id=issued.token_id,
        issued_at=AT,
        expires_at=AT + timedelta(minutes=15),
    )
    assert issued.expires_at == AT + timedelta(minutes=15)


def test_the_token_has_the_agreed_header_and_claims(key: OKPKey, tokens: JwtAccessTokens) -> None:
    issued = tokens.issue(user_id=USER, studio_id=STUDIO, role=Role.VIEWER, at=AT)
    head, claims, _ = parts(issued.token)
    now = int(AT.timestamp())
    assert head == {"typ": "JWT", "alg": "EdDSA", "kid": key_id(key)}
    assert claims == {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": USER,
        "studio": STUDIO,
        "role": "viewer",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": issued.token_id,
    }


def test_the_kid_is_the_rfc_7638_thumbprint(key: OKPKey) -> None:
    # Computed here by hand from the RFC: SHA-256 of the sorted required members, no spaces.
    x = key.as_dict(private=False)["x"]
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    assert key_id(key) == b64url(hashlib.sha256(members.encode()).digest())


def test_every_token_has_its_own_128_bit_id(tokens: JwtAccessTokens) -> None:
    ids = {
        tokens.issue(user_id=USER, studio_id=STUDIO, role=Role.ARTIST, at=AT).token_id
        for _ in range(200)
    }
    assert len(ids) == 200
    assert all(len(token_id) == 22 for token_id in ids)  # 16 bytes, base64url


def test_ttl_is_configurable(key: OKPKey) -> None:
    tokens = JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE, ttl=timedelta(minutes=5))
    assert tokens.issue(
        user_id=USER, studio_id=STUDIO, role=Role.ARTIST, at=AT
    ).expires_at == AT + timedelta(minutes=5)


def test_a_forged_token_signed_with_the_real_key_verifies(
    key: OKPKey, tokens: JwtAccessTokens
) -> None:
    # Proves the forging helper writes what the adapter writes, so each refusal below is
    # caused by the one thing that test changes.
    token = forge(header(key), good_claims(), ed25519_signer(key))
    assert tokens.verify(token, at=AT).role is Role.ARTIST


# --- Time ------------------------------------------------------------------------------


def test_an_expired_token_is_reported_as_expired(tokens: JwtAccessTokens) -> None:
    token = issue(tokens)
    with pytest.raises(ExpiredTokenError):
        tokens.verify(token, at=AT + timedelta(minutes=15, seconds=30))


def test_expiry_allows_the_leeway_for_clock_skew(tokens: JwtAccessTokens) -> None:
    token = issue(tokens)
    assert tokens.verify(token, at=AT + timedelta(minutes=15, seconds=29))


def test_expired_is_said_only_of_an_otherwise_valid_token(key: OKPKey) -> None:
    late = AT + timedelta(hours=2)
    other_audience = JwtAccessTokens(key, issuer=ISSUER, audience="someone-else")
    refused(other_audience, issue(JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE)), late)
    stranger = generate_signing_key()
    forged = forge(header(key), good_claims(), ed25519_signer(stranger))
    refused(JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE), forged, late)


def test_a_token_not_yet_valid_is_refused(tokens: JwtAccessTokens) -> None:
    token = issue(tokens, at=AT + timedelta(minutes=1))
    refused(tokens, token, at=AT)
    assert tokens.verify(token, at=AT + timedelta(seconds=31))  # within the leeway


def test_a_token_issued_in_the_future_is_refused(key: OKPKey, tokens: JwtAccessTokens) -> None:
    later = int(AT.timestamp()) + 120
    token = forge(header(key), good_claims(iat=later), ed25519_signer(key))
    refused(tokens, token)


def test_a_token_without_exp_is_refused_not_expired(key: OKPKey, tokens: JwtAccessTokens) -> None:
    token = forge(header(key), good_claims(exp=...), ed25519_signer(key))
    refused(tokens, token)
    refused(tokens, token, at=AT + timedelta(days=3650))


@pytest.mark.parametrize("exp", ["9999999999", True, None, [1], float("nan"), 10**30])
def test_a_malformed_exp_is_refused(key: OKPKey, tokens: JwtAccessTokens, exp: object) -> None:
    refused(tokens, forge(header(key), good_claims(exp=exp), ed25519_signer(key)))


# --- Who it is for and from ------------------------------------------------------------


def test_a_token_for_another_audience_is_refused(key: OKPKey) -> None:
    other = JwtAccessTokens(key, issuer=ISSUER, audience="another-api")
    refused(JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE), issue(other))


def test_a_token_from_another_issuer_is_refused(key: OKPKey) -> None:
    other = JwtAccessTokens(key, issuer="https://elsewhere.test", audience=AUDIENCE)
    refused(JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE), issue(other))


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "studio", "role", "iat", "nbf", "jti"])
def test_a_token_missing_a_required_claim_is_refused(
    key: OKPKey, tokens: JwtAccessTokens, claim: str
) -> None:
    refused(tokens, forge(header(key), good_claims(**{claim: ...}), ed25519_signer(key)))


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "creator"},
        {"role": "superuser"},
        {"role": ["admin"]},
        {"sub": "alice"},
        {"sub": USER.upper()},  # a UUID, but not the canonical spelling we issue
        {"studio": 42},
        {"studio": ""},
        {"jti": "short"},
        {"jti": 12345},
        {"iat": "now"},
        {"nbf": True},
        {"aud": ""},
        {"iss": None},
    ],
    ids=repr,
)
def test_a_malformed_claim_is_refused(
    key: OKPKey, tokens: JwtAccessTokens, changes: dict[str, Any]
) -> None:
    refused(tokens, forge(header(key), good_claims(**changes), ed25519_signer(key)))


# --- Signatures, algorithms, keys ------------------------------------------------------


def test_a_tampered_payload_is_refused(tokens: JwtAccessTokens) -> None:
    head, _, signature = issue(tokens).split(".")
    promoted = segment(good_claims(role="admin"))
    refused(tokens, f"{head}.{promoted}.{signature}")


def test_a_tampered_signature_is_refused(tokens: JwtAccessTokens) -> None:
    token = issue(tokens)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    refused(tokens, flipped)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused(key: OKPKey, tokens: JwtAccessTokens, alg: str) -> None:
    refused(tokens, forge(header(key, alg=alg), good_claims(), None))


def test_hs256_signed_with_the_public_key_is_refused(key: OKPKey, tokens: JwtAccessTokens) -> None:
    # The classic key confusion: the attacker uses the published public key as an HMAC secret.
    native = public_part(key).public_key
    published = [
        native.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        public_part(key).as_pem(),
        str(key.as_dict(private=False)["x"]).encode(),
    ]
    for secret in published:
        token = forge(header(key, alg="HS256"), good_claims(), hs256_signer(secret))
        refused(tokens, token)


def test_a_token_signed_by_an_unknown_key_is_refused(key: OKPKey, tokens: JwtAccessTokens) -> None:
    stranger = generate_signing_key()
    refused(tokens, issue(JwtAccessTokens(stranger, issuer=ISSUER, audience=AUDIENCE)))
    # Claiming our kid does not help a stranger's signature.
    refused(tokens, forge(header(key), good_claims(), ed25519_signer(stranger)))


def test_an_unknown_kid_is_refused_even_with_a_good_signature(
    key: OKPKey, tokens: JwtAccessTokens
) -> None:
    for kid in ["no-such-key", "", key_id(key)[:-1]]:
        refused(tokens, forge(header(key, kid=kid), good_claims(), ed25519_signer(key)))


@pytest.mark.parametrize("kid", [..., None, 7, ["x"]], ids=repr)
def test_a_missing_or_malformed_kid_is_refused(
    key: OKPKey, tokens: JwtAccessTokens, kid: object
) -> None:
    # joserfc would fall back to the only key of a key set; we never do.
    refused(tokens, forge(header(key, kid=kid), good_claims(), ed25519_signer(key)))


@pytest.mark.parametrize(
    "extra",
    [
        {"crit": ["exp"], "exp": 4102444800},
        {"crit": ["b64"], "b64": False},
        {"crit": ["kid"]},
        {"jku": "https://attacker.example/jwks.json"},
        {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}},
        {"x5u": "https://attacker.example/cert.pem"},
        {"zip": "DEF"},
    ],
    ids=repr,
)
def test_a_header_with_anything_extra_is_refused(
    key: OKPKey, tokens: JwtAccessTokens, extra: dict[str, Any]
) -> None:
    refused(tokens, forge(header(key, **extra), good_claims(), ed25519_signer(key)))


@pytest.mark.parametrize("typ", [..., "at+jwt", "JWE"], ids=repr)
def test_a_token_of_another_type_is_refused(
    key: OKPKey, tokens: JwtAccessTokens, typ: object
) -> None:
    refused(tokens, forge(header(key, typ=typ), good_claims(), ed25519_signer(key)))


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "a.b.c",
        "..",
        "a.b.c.d.e",
        "é.é.é",
        "eyJhbGciOiJFZERTQSJ9.e30.",
        "x" * 100_000,
        f"{segment([1, 2])}.{segment({})}.AAAA",
        f"{segment({'alg': 'EdDSA', 'kid': 'k'})}.bm90IGpzb24.AAAA",
    ],
    ids=lambda value: repr(value[:30]),
)
def test_garbage_is_refused(tokens: JwtAccessTokens, garbage: str) -> None:
    refused(tokens, garbage)


def test_a_payload_that_is_not_an_object_is_refused(key: OKPKey, tokens: JwtAccessTokens) -> None:
    head = segment(header(key))
    for payload in (segment([1]), segment("claims"), b64url(b"\xff\xfe")):
        signing_input = f"{head}.{payload}"
        signature = b64url(ed25519_signer(key)(signing_input.encode()))
        refused(tokens, f"{signing_input}.{signature}")


# --- Rotation and the published keys ---------------------------------------------------


def test_rotation_keeps_old_tokens_valid_while_the_old_key_is_listed() -> None:
    old, new = generate_signing_key(), generate_signing_key()
    old_token = issue(JwtAccessTokens(old, issuer=ISSUER, audience=AUDIENCE))

    rotated = JwtAccessTokens(new, [public_part(old)], issuer=ISSUER, audience=AUDIENCE)
    assert rotated.verify(old_token, at=AT).user_id == USER
    new_token = issue(rotated)
    assert parts(new_token)[0]["kid"] == key_id(new) == rotated.signing_key_id
    assert rotated.verify(new_token, at=AT)

    retired = JwtAccessTokens(new, issuer=ISSUER, audience=AUDIENCE)
    refused(retired, old_token)
    assert retired.verify(new_token, at=AT)


def test_the_jwks_lists_every_verification_key_and_nothing_private() -> None:
    old, new = generate_signing_key(), generate_signing_key()
    # The old key is passed whole, as an operator might: only its public part may be kept.
    tokens = JwtAccessTokens(new, [old], issuer=ISSUER, audience=AUDIENCE)
    jwks = tokens.public_keys()
    assert [entry["kid"] for entry in jwks["keys"]] == [key_id(new), key_id(old)]
    for entry, source in zip(jwks["keys"], (new, old), strict=True):
        assert entry == {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": source.as_dict(private=False)["x"],
            "kid": key_id(source),
            "alg": "EdDSA",
            "use": "sig",
        }
    private_d = {str(key.as_dict(private=True)["d"]) for key in (old, new)}
    assert not any(d in json.dumps(jwks) for d in private_d)


def test_a_token_verifies_against_its_published_jwk(tokens: JwtAccessTokens) -> None:
    # What a third party does: fetch the JWKS, pick the key by kid, verify.
    published = tokens.public_keys()["keys"][0]
    verifier = JwtAccessTokens(
        generate_signing_key(),
        [OKPKey.import_key(published)],
        issuer=ISSUER,
        audience=AUDIENCE,
    )
    assert verifier.verify(issue(tokens), at=AT).studio_id == STUDIO


# --- HS256 -----------------------------------------------------------------------------


def test_hs256_round_trip_publishes_no_keys() -> None:
    tokens = JwtAccessTokens(hs256_key(SECRET), issuer=ISSUER, audience=AUDIENCE)
    token = issue(tokens)
    assert parts(token)[0]["alg"] == "HS256"
    assert tokens.verify(token, at=AT).user_id == USER
    assert tokens.public_keys() == {"keys": []}


def test_hs256_kid_is_stable_and_does_not_reveal_the_secret() -> None:
    kid = key_id(hs256_key(SECRET))
    assert kid == key_id(hs256_key(SECRET))
    assert kid != key_id(hs256_key(SECRET[::-1]))
    for leak in (SECRET.decode(), b64url(SECRET), SECRET.hex()):
        assert leak not in kid


def test_hs256_refuses_another_secret_and_an_eddsa_token(key: OKPKey) -> None:
    tokens = JwtAccessTokens(hs256_key(SECRET), issuer=ISSUER, audience=AUDIENCE)
    other = JwtAccessTokens(hs256_key(SECRET[::-1]), issuer=ISSUER, audience=AUDIENCE)
    refused(tokens, issue(other))
    refused(tokens, issue(JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE)))
    # An old secret's token under our kid: the kid must match the key that signed.
    forged = forge(
        {"typ": "JWT", "alg": "HS256", "kid": key_id(hs256_key(SECRET))},
        good_claims(),
        hs256_signer(SECRET[::-1]),
    )
    refused(tokens, forged)


def test_an_eddsa_verifier_refuses_an_hs256_token_with_its_kid(key: OKPKey) -> None:
    tokens = JwtAccessTokens(key, issuer=ISSUER, audience=AUDIENCE)
    forged = forge(header(key, alg="HS256"), good_claims(), hs256_signer(SECRET))
    refused(tokens, forged)


def test_hs256_rotation_with_an_old_secret() -> None:
    old, new = hs256_key(SECRET), hs256_key(SECRET[::-1])
    old_token = issue(JwtAccessTokens(old, issuer=ISSUER, audience=AUDIENCE))
    assert JwtAccessTokens(new, [old], issuer=ISSUER, audience=AUDIENCE).verify(old_token, at=AT)


# --- Construction ----------------------------------------------------------------------


def test_construction_refuses_unusable_keys(key: OKPKey) -> None:
    ed448 = OKPKey.import_key(Ed448PrivateKey.generate())
    cases: list[tuple[Any, list[Any]]] = [
        (public_part(key), []),  # cannot sign with a public key
        (ed448, []),
        (key, [hs256_key(SECRET)]),  # one algorithm only: never both
        (hs256_key(SECRET), [public_part(key)]),
        (OctKey.import_key(b"twenty byte secret!!"), []),
        ("not a key", []),
    ]
    for signing, extra in cases:
        with pytest.raises((ValueError, TypeError)):
            JwtAccessTokens(signing, extra, issuer=ISSUER, audience=AUDIENCE)


@pytest.mark.parametrize(
    "options",
    [
        {"issuer": ""},
        {"audience": ""},
        {"ttl": timedelta(0)},
        {"ttl": timedelta(seconds=1.5)},
        {"leeway_seconds": -1},
        {"leeway_seconds": 3600},
    ],
    ids=repr,
)
def test_construction_refuses_bad_settings(key: OKPKey, options: dict[str, Any]) -> None:
    settings: dict[str, Any] = {"issuer": ISSUER, "audience": AUDIENCE, **options}
    with pytest.raises(ValueError, match=r"issuer|ttl|leeway"):
        JwtAccessTokens(key, **settings)


def test_times_must_be_timezone_aware(tokens: JwtAccessTokens) -> None:
    naive = datetime(2026, 11, 21, 12, 0)
    with pytest.raises(ValueError, match="timezone"):
        tokens.issue(user_id=USER, studio_id=STUDIO, role=Role.ARTIST, at=naive)
    with pytest.raises(ValueError, match="timezone"):
        tokens.verify(issue(tokens), at=naive)


# --- Remembered tokens: the signature is checked once, the time on every use -----------


class CountingTokens(JwtAccessTokens):
    """Counts full verifications (signature included), to see when the cache answered."""

    full_verifications = 0

    def _verified_claims(self, token: str) -> dict[str, Any]:
        self.full_verifications += 1
        return super()._verified_claims(token)


def counting(key: OKPKey, **options: Any) -> CountingTokens:
    return CountingTokens(key, issuer=ISSUER, audience=AUDIENCE, **options)


def test_a_token_seen_again_is_not_verified_again(key: OKPKey) -> None:
    tokens = counting(key)
    token = issue(tokens)
    first = tokens.verify(token, at=AT)
    assert tokens.verify(token, at=AT + timedelta(minutes=5)) == first
    assert tokens.full_verifications == 1


def test_a_remembered_token_still_expires(key: OKPKey) -> None:
    tokens = counting(key)
    token = issue(tokens)
    assert tokens.verify(token, at=AT)
    assert tokens.verify(token, at=AT + timedelta(minutes=15, seconds=29))  # the leeway holds
    with pytest.raises(ExpiredTokenError):
        tokens.verify(token, at=AT + timedelta(minutes=15, seconds=30))
    with pytest.raises(ExpiredTokenError):  # and stays expired (verified in full again)
        tokens.verify(token, at=AT + timedelta(hours=1))
    assert tokens.full_verifications == 2


def test_a_remembered_token_is_refused_before_its_start_if_the_clock_goes_back(
    key: OKPKey,
) -> None:
    tokens = counting(key)
    token = issue(tokens)
    assert tokens.verify(token, at=AT)
    refused(tokens, token, at=AT - timedelta(minutes=1))
    assert tokens.verify(token, at=AT)


def test_a_tampered_copy_of_a_remembered_token_is_verified_and_refused(key: OKPKey) -> None:
    tokens = counting(key)
    token = issue(tokens)
    assert tokens.verify(token, at=AT)
    head, _, signature = token.split(".")
    refused(tokens, f"{head}.{segment(good_claims(role='admin'))}.{signature}")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    refused(tokens, flipped)
    refused(tokens, token + ".")
    assert tokens.full_verifications == 4


def test_refusals_are_never_remembered(key: OKPKey) -> None:
    tokens = counting(key)
    forged = forge(header(key), good_claims(), ed25519_signer(generate_signing_key()))
    for _ in range(3):
        refused(tokens, forged)
    expired = issue(tokens, at=AT - timedelta(hours=1))
    for _ in range(2):
        with pytest.raises(ExpiredTokenError):
            tokens.verify(expired, at=AT)
    assert tokens.full_verifications == 5


def test_the_cache_is_bounded_and_drops_the_oldest_first(key: OKPKey) -> None:
    tokens = counting(key, cache_size=2)
    first, second, third = (issue(tokens) for _ in range(3))
    for token in (first, second, third):
        assert tokens.verify(token, at=AT)
    assert tokens.verify(third, at=AT)
    assert tokens.verify(second, at=AT)
    assert tokens.full_verifications == 3
    assert tokens.verify(first, at=AT)  # dropped to make room for the third: verified again
    assert tokens.full_verifications == 4


def test_a_cache_size_of_zero_verifies_every_time(key: OKPKey) -> None:
    tokens = counting(key, cache_size=0)
    token = issue(tokens)
    for _ in range(3):
        assert tokens.verify(token, at=AT)
    assert tokens.full_verifications == 3
    with pytest.raises(ValueError, match="cache_size"):
        counting(key, cache_size=-1)
