"""Credentials: JWT access tokens (joserfc), argon2id passwords, common passwords, secrets."""

from adapters.security.argon2 import Argon2PasswordHasher
from adapters.security.common_passwords import BundledCommonPasswords
from adapters.security.jwt import JwtAccessTokens
from adapters.security.secrets import UrlSafeSecretTokens

__all__ = [
    "Argon2PasswordHasher",
    "BundledCommonPasswords",
    "JwtAccessTokens",
    "UrlSafeSecretTokens",
]
