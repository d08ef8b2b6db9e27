"""Opaque high-entropy secrets (refresh tokens) and the digests stored in their place."""

import hashlib
import secrets


class UrlSafeSecretTokens:
    """Implements ``SecretTokens``."""

    def new_secret(self) -> str:
        return secrets.token_urlsafe(32)  # 256 random bits, 43 URL-safe characters

    def digest(self, secret: str) -> str:
        # A fast hash is right here, unlike for passwords: a 256-bit random secret cannot be
        # guessed, so slowing down guesses buys nothing, and the lookup by digest stays exact.
        return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
