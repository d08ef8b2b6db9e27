"""JWS processing pinned to one algorithm and to the header our tokens carry."""

from typing import Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.errors import InvalidKeyTypeError
from joserfc.jwa import HMACAlgorithm, JWSAlgModel
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry
from joserfc.registry import JWS_HEADER_REGISTRY, HeaderParameter, HeaderRegistryDict

Algorithm = Literal["EdDSA", "HS256"]

# Exactly the header we write. Anything else, "crit", "b64", "jku", "jwk", "x5u" included,
# is refused before any key is looked at; "kid" is required.
_HEADERS: Final[HeaderRegistryDict] = {
    "alg": JWS_HEADER_REGISTRY["alg"],
    "typ": JWS_HEADER_REGISTRY["typ"],
    "kid": HeaderParameter("Key ID", "str", required=True),
}


class Ed25519Signature(JWSAlgModel):
    """EdDSA over Ed25519 keys only (joserfc's own EdDSA also takes Ed448).

    RFC 9864 deprecates the name "EdDSA" in favour of "Ed25519" (the same signatures) and
    joserfc warns on every use of its EdDSA; "EdDSA" is what clients and JWKS consumers
    understand today, so it is kept, without the warning on every request.
    """

    name = "EdDSA"
    description = "EdDSA signature with an Ed25519 key"
    key_type = "OKP"

    def sign(self, msg: bytes, key: OKPKey) -> bytes:
        private = key.get_op_key("sign")
        if not isinstance(private, Ed25519PrivateKey):
            raise InvalidKeyTypeError("EdDSA tokens are signed with Ed25519 keys only.")
        return private.sign(msg)

    def verify(self, msg: bytes, sig: bytes, key: OKPKey) -> bool:
        public = key.get_op_key("verify")
        if not isinstance(public, Ed25519PublicKey):
            raise InvalidKeyTypeError("EdDSA tokens are verified with Ed25519 keys only.")
        try:
            public.verify(sig, msg)
        except InvalidSignature:
            return False
        return True


class PinnedRegistry(JWSRegistry):
    """Knows one algorithm (so "none" and key-confusion algorithms do not exist) and our header."""

    default_header_registry = _HEADERS
    # Our tokens are a few hundred bytes: refuse anything much larger before decoding it.
    max_header_length = 256
    max_payload_length = 1024
    max_signature_length = 128

    def __init__(self, algorithm: JWSAlgModel) -> None:
        super().__init__(algorithms=[algorithm.name], strict_check_header=True)
        self.algorithms = {algorithm.name: algorithm}


def pinned_registry(algorithm: Algorithm) -> PinnedRegistry:
    """A registry for one configured algorithm: never both, never "none"."""
    return PinnedRegistry(Ed25519Signature() if algorithm == "EdDSA" else HMACAlgorithm(256))
