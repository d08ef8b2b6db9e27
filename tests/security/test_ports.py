"""The adapters are the ports' shapes (checked by mypy through these annotations)."""

from adapters.security import (
    Argon2PasswordHasher,
    BundledCommonPasswords,
    JwtAccessTokens,
    UrlSafeSecretTokens,
)
from adapters.security.keys import generate_signing_key
from application.identity.security import (
    AccessTokens,
    CommonPasswords,
    PasswordHasher,
    SecretTokens,
)


def test_each_adapter_implements_its_port() -> None:
    tokens: AccessTokens = JwtAccessTokens(generate_signing_key(), issuer="i", audience="a")
    hasher: PasswordHasher = Argon2PasswordHasher.insecure_for_tests()
    common: CommonPasswords = BundledCommonPasswords()
    secrets: SecretTokens = UrlSafeSecretTokens()
    assert all(adapter is not None for adapter in (tokens, hasher, common, secrets))
