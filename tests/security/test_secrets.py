"""UrlSafeSecretTokens: 256-bit URL-safe secrets and their stable SHA-256 digests."""

import re

from adapters.security.secrets import UrlSafeSecretTokens

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_secrets_are_long_url_safe_and_unique() -> None:
    tokens = UrlSafeSecretTokens()
    secrets = [tokens.new_secret() for _ in range(1000)]
    assert all(len(secret) >= 43 and URL_SAFE.match(secret) for secret in secrets)
    assert len(set(secrets)) == 1000


def test_the_digest_is_stable_sha256_hex() -> None:
    tokens = UrlSafeSecretTokens()
    # Known vector: SHA-256 of "abc".
    assert tokens.digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    secret = tokens.new_secret()
    assert tokens.digest(secret) == UrlSafeSecretTokens().digest(secret)
    assert re.fullmatch(r"[0-9a-f]{64}", tokens.digest(secret))
    assert tokens.digest(secret) != tokens.digest(tokens.new_secret())
    assert secret not in tokens.digest(secret)
