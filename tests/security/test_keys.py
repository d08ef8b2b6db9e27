"""Signing keys: PEM files, the generated embedded default, HS256 secrets."""

import stat
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.security.jwt import JwtAccessTokens
from adapters.security.keys import (
    SIGNING_KEY_FILE,
    ed25519_private_key_from_pem,
    ed25519_public_key_from_pem,
    generate_signing_key,
    hs256_key,
    key_id,
    load_or_create_signing_key,
    load_signing_key,
    load_verification_key,
)
from domain.identity.model import Role
from domain.shared.ids import StudioId, UserId

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
USER = UserId("0192f5a4-7c3e-7d6b-9a1f-3b2c4d5e6f70")
STUDIO = StudioId("0192f5a4-7c3e-7d6b-9a1f-3b2c4d5e6f71")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def pkcs8_pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def spki_pem(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_the_default_key_is_created_private_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "keys"
    first = load_or_create_signing_key(folder)
    path = folder / SIGNING_KEY_FILE
    assert mode(path) == 0o600
    assert mode(folder) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key_id(load_or_create_signing_key(folder)) == key_id(first)
    assert [entry.name for entry in folder.iterdir()] == [SIGNING_KEY_FILE]  # no temp left


def test_tokens_survive_a_restart(tmp_path: Path) -> None:
    before = JwtAccessTokens(load_or_create_signing_key(tmp_path), issuer="i", audience="a")
    token = before.issue(user_id=USER, studio_id=STUDIO, role=Role.ARTIST, at=AT).token
    after = JwtAccessTokens(load_or_create_signing_key(tmp_path), issuer="i", audience="a")
    assert after.verify(token, at=AT).user_id == USER


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    # Threads stand in for processes: file I/O releases the GIL, so they really race.
    starting = threading.Barrier(8)
    kids: list[str] = []

    def start() -> None:
        starting.wait()
        kids.append(key_id(load_or_create_signing_key(tmp_path)))

    workers = [threading.Thread(target=start) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(kids) == 8
    assert len(set(kids)) == 1
    assert [entry.name for entry in tmp_path.iterdir()] == [SIGNING_KEY_FILE]


def test_an_existing_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    load_or_create_signing_key(folder)
    assert mode(folder) == 0o700


def test_keys_load_from_pem_files(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    (tmp_path / "signing.pem").write_bytes(pkcs8_pem(private))
    (tmp_path / "public.pem").write_bytes(spki_pem(private))
    signing = load_signing_key(tmp_path / "signing.pem")
    public = load_verification_key(tmp_path / "public.pem")
    assert signing.is_private
    assert not public.is_private
    assert key_id(signing) == key_id(public)


def test_a_verification_key_keeps_only_the_public_part_of_a_private_pem() -> None:
    key = ed25519_public_key_from_pem(pkcs8_pem(Ed25519PrivateKey.generate()))
    assert not key.is_private
    assert "d" not in key.as_dict()


def test_keys_written_by_openssl_load(tmp_path: Path) -> None:
    private_path, public_path = tmp_path / "jwt.pem", tmp_path / "jwt.pub.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private_path)], check=True
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(private_path), "-pubout", "-out", str(public_path)],
        check=True,
    )
    assert key_id(load_signing_key(private_path)) == key_id(load_verification_key(public_path))


def test_unusable_pem_is_refused_without_echoing_it() -> None:
    ec_key = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_only = spki_pem(Ed25519PrivateKey.generate())
    for data in (ec_key, b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n"):
        with pytest.raises(ValueError, match="Ed25519") as caught:
            ed25519_private_key_from_pem(data)
        assert "c2VjcmV0" not in str(caught.value)
    with pytest.raises(ValueError, match="PRIVATE"):
        ed25519_private_key_from_pem(public_only)


def test_an_ed448_pem_is_refused() -> None:
    pem = Ed448PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="Ed25519"):
        ed25519_private_key_from_pem(pem)


def test_a_short_hs256_secret_is_refused() -> None:
    with pytest.raises(ValueError, match=r"at least 32 bytes \(256 bits\)"):
        hs256_key(b"x" * 31)
    assert hs256_key(b"x" * 32).raw_value == b"x" * 32


def test_generated_keys_are_private_ed25519_and_distinct() -> None:
    first, second = generate_signing_key(), generate_signing_key()
    assert (first.curve_name, first.is_private) == ("Ed25519", True)
    assert key_id(first) != key_id(second)
