"""Token signing keys: Ed25519 from PEM files or generated once under a folder, HS256 secrets."""

import contextlib
import errno
import hashlib
import os
import tempfile
from pathlib import Path

from joserfc.jwk import OctKey, OKPKey
from joserfc.util import urlsafe_b64encode

from adapters.security.jws import Algorithm

# A signing key is private (Ed25519) or shared (HS256); a verification key is public or shared.
SigningKey = OKPKey | OctKey
VerificationKey = OKPKey | OctKey

SIGNING_KEY_FILE = "jwt-signing-key.pem"
# RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output.
MIN_HS256_SECRET_BYTES = 32


def generate_signing_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519", private=True)


def ed25519_private_key_from_pem(data: bytes) -> OKPKey:
    """An Ed25519 private key in PKCS#8 PEM, as ``openssl genpkey -algorithm ed25519`` writes."""
    key = _import_okp(data)
    if not key.is_private:
        raise ValueError("Expected an Ed25519 PRIVATE key (PKCS#8 PEM) to sign tokens.")
    return key


def ed25519_public_key_from_pem(data: bytes) -> OKPKey:
    """A verification key from PEM; a private key is accepted and only its public part kept."""
    return public_part(_import_okp(data))


def load_signing_key(path: Path) -> OKPKey:
    return ed25519_private_key_from_pem(path.read_bytes())


def load_verification_key(path: Path) -> OKPKey:
    return ed25519_public_key_from_pem(path.read_bytes())


def public_part(key: OKPKey) -> OKPKey:
    # Rebuilt from the native public key so no private field can ride along.
    return OKPKey.import_key(key.public_key)


def hs256_key(secret: bytes) -> OctKey:
    """A shared HS256 secret; shorter than 256 bits is refused (it could be brute-forced)."""
    if len(secret) < MIN_HS256_SECRET_BYTES:
        raise ValueError(
            f"An HS256 secret must be at least {MIN_HS256_SECRET_BYTES} bytes (256 bits); "
            f"got {len(secret)}."
        )
    return OctKey.import_key(secret)


def key_id(key: SigningKey | VerificationKey) -> str:
    """The ``kid`` of a key: its RFC 7638 thumbprint, or for a shared secret a one-way id."""
    if isinstance(key, OKPKey):
        return public_part(key).thumbprint()
    # A thumbprint of an oct key is a hash of the secret too; a labelled SHA-256 keeps this id
    # apart from any other use of the secret. It reveals nothing a signed token does not.
    digest = hashlib.sha256(b"studio-bridge hs256 kid\x00" + key.raw_value).digest()
    return "hs256-" + urlsafe_b64encode(digest[:16]).decode("ascii")


def algorithm_of(key: SigningKey | VerificationKey, *, private: bool = True) -> Algorithm:
    """The algorithm a key is for, refusing keys that cannot serve (``private``: must sign)."""
    if isinstance(key, OKPKey):
        if key.curve_name != "Ed25519":
            raise ValueError("EdDSA keys must be Ed25519.")
        if private and not key.is_private:
            raise ValueError("The signing key must be an Ed25519 private key.")
        return "EdDSA"
    if isinstance(key, OctKey):
        if len(key.raw_value) < MIN_HS256_SECRET_BYTES:
            raise ValueError(f"An HS256 secret must be at least {MIN_HS256_SECRET_BYTES} bytes.")
        return "HS256"
    raise TypeError("Keys must be joserfc OKPKey (Ed25519) or OctKey (HS256).")


def load_or_create_signing_key(folder: Path) -> OKPKey:
    """The embedded default: ``<folder>/jwt-signing-key.pem``, generated on first use.

    Tokens survive restarts because the key does. Processes starting at the same time agree
    on one key: each writes a complete private temp file, then publishes it with ``os.link``,
    which (unlike ``os.replace``) fails if the file already exists, so the first writer wins
    and every other process loads the winner's key instead of silently overwriting it.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for a folder that already exists.
    folder.chmod(0o700)
    path = folder / SIGNING_KEY_FILE
    if not path.exists():
        _publish_once(path, generate_signing_key().as_pem(private=True))
    return load_signing_key(path)


def _publish_once(path: Path, content: bytes) -> None:
    # mkstemp creates the file with mode 0600, so the key is never readable by others.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another process published first: its key is the one
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # A filesystem without hard links: still atomic, last writer wins.
            os.replace(temp, path)
        _fsync_folder(path.parent)
    finally:
        temp.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    # Makes the new directory entry durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _import_okp(data: bytes) -> OKPKey:
    try:
        key = OKPKey.import_key(data)
    except Exception:
        # The library's message may quote the input; never echo key material.
        raise ValueError("Not an Ed25519 key in PEM form.") from None
    if key.curve_name != "Ed25519":
        raise ValueError(f"Expected an Ed25519 key, got {key.curve_name}.")
    return key
