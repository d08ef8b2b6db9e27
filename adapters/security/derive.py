"""Secrets derived from the token signing key, so one configured key covers every purpose.

Each purpose gets its own HMAC-SHA256 of the private key material: knowing one derived
secret reveals neither the key nor another purpose's secret.
"""

import hashlib
import hmac

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc.jwk import OctKey, OKPKey


def derive_secret(signing_key: OKPKey | OctKey, purpose: str) -> bytes:
    if isinstance(signing_key, OctKey):
        material = signing_key.raw_value
    else:
        # joserfc types ``private_key`` as any OKP curve's key (or None); ours is Ed25519.
        material = signing_key.private_key.private_bytes(  # type: ignore[union-attr]
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
    return hmac.new(material, f"studio-bridge/{purpose}/v1".encode(), hashlib.sha256).digest()
