"""``LocalBlobStore``: signed tokens, keys that cannot leave the root, and files on disk."""

import asyncio
import base64
import hashlib
import os
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from adapters.storage.local import LocalBlobStore
from adapters.storage.local_tokens import Grant, TokenSigner
from application.media.ports import BlobInfo, BlobStore
from domain.media.errors import (
    InvalidMediaTokenError,
    InvalidStorageKeyError,
    UploadIncompleteError,
    UploadMismatchError,
)
from domain.media.model import UploadPurpose, storage_key
from domain.shared.errors import ConflictError
from domain.shared.ids import StudioId

pytestmark = pytest.mark.anyio

SECRET = bytes(range(32))
BASE_URL = "http://media.test:8000"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
KEY = storage_key(
    StudioId("0193a4a0-0000-7000-8000-000000000001"),
    UploadPurpose.VIDEO,
    "0193a4a0-0000-7000-8000-000000000002",
    "clip.mp4",
)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def store(root: Path, clock: FixedClock) -> LocalBlobStore:
    return LocalBlobStore(root, base_url=BASE_URL + "/", secret=SECRET, clock=clock)


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def upload(
    store: LocalBlobStore, key: str, body: bytes, content_type: str = "video/mp4"
) -> BlobInfo:
    presigned = await store.presign_upload(
        key=key, content_type=content_type, size=len(body), at=NOW, expires_in=timedelta(minutes=5)
    )
    grant = store.verify_upload(token_of(presigned.url or ""))
    return await store.store_upload(
        grant, chunks_of(body[: len(body) // 2], body[len(body) // 2 :])
    )


def token_of(url: str) -> str:
    return url.split("?token=", 1)[1]


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def replace_file(path: Path, content: bytes) -> None:
    """A new file (a new inode) in place of whatever ``path`` was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    fresh.write_bytes(content)
    fresh.replace(path)


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


# -- the port ---------------------------------------------------------------------------------


async def test_it_is_a_blob_store(store: LocalBlobStore) -> None:
    assert isinstance(store, BlobStore)


async def test_presign_upload_is_one_put_of_the_signed_type(store: LocalBlobStore) -> None:
    presigned = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=123, at=NOW, expires_in=timedelta(minutes=15)
    )
    assert presigned.url is not None
    assert presigned.url.startswith(f"{BASE_URL}/media/upload?token=")
    assert presigned.method == "PUT"
    assert dict(presigned.headers) == {"Content-Type": "video/mp4"}
    assert presigned.expires_at == NOW + timedelta(minutes=15)
    assert presigned.multipart_id is None
    assert presigned.parts == ()
    grant = store.verify_upload(token_of(presigned.url))
    assert (grant.key, grant.size, grant.content_type) == (KEY, 123, "video/mp4")


async def test_presign_download_fixes_name_and_disposition(store: LocalBlobStore) -> None:
    presigned = await store.presign_download(
        key=KEY,
        at=NOW,
        expires_in=timedelta(minutes=5),
        filename="Épisode 1.mp4",
        disposition="attachment",
    )
    assert presigned.url.startswith(f"{BASE_URL}/media/download?token=")
    assert presigned.expires_at == NOW + timedelta(minutes=5)
    grant = store.verify_download(token_of(presigned.url))
    assert (grant.key, grant.filename, grant.disposition) == (KEY, "Épisode 1.mp4", "attachment")


async def test_store_then_stat(store: LocalBlobStore, root: Path) -> None:
    body = os.urandom(100_000)
    info = await upload(store, KEY, body)
    assert info.checksum == hashlib.sha256(body).hexdigest()
    stat = await store.stat(KEY)
    assert stat is not None
    assert (stat.key, stat.size, stat.content_type) == (KEY, len(body), "video/mp4")
    assert stat.checksum == hashlib.sha256(body).hexdigest()
    assert (root / KEY).read_bytes() == body
    # Only the blob and its hidden sidecar: no temporary file is left behind.
    sidecar = str(Path(KEY).with_name(".clip.mp4.meta.json"))
    assert files_under(root) == sorted([KEY, sidecar])


async def test_stat_of_nothing_is_none(store: LocalBlobStore) -> None:
    assert await store.stat(KEY) is None


async def test_a_file_without_its_sidecar_has_an_unknown_type(
    store: LocalBlobStore, root: Path
) -> None:
    await upload(store, KEY, b"abc")
    (root / KEY).with_name(".clip.mp4.meta.json").unlink()
    stat = await store.stat(KEY)
    assert stat is not None
    assert (stat.size, stat.content_type, stat.checksum) == (3, "application/octet-stream", None)


async def test_a_sidecar_describing_another_file_is_not_believed(
    store: LocalBlobStore, root: Path
) -> None:
    await upload(store, KEY, b"abc")
    # Replaced behind the store's back (a crash between the two renames looks like this).
    replace_file(root / KEY, b"xyz")
    stat = await store.stat(KEY)
    assert stat is not None
    assert (stat.content_type, stat.checksum) == ("application/octet-stream", None)


async def test_delete_removes_file_sidecar_and_empty_folders(
    store: LocalBlobStore, root: Path
) -> None:
    await upload(store, KEY, b"abc")
    await store.delete(KEY)
    assert await store.stat(KEY) is None
    assert entries(root) == []
    await store.delete(KEY)  # absent is fine


async def test_delete_keeps_folders_other_blobs_need(store: LocalBlobStore, root: Path) -> None:
    sibling = KEY.replace("clip.mp4", "other.mp4")
    await upload(store, KEY, b"abc")
    await upload(store, sibling, b"def")
    await store.delete(KEY)
    assert (root / sibling).read_bytes() == b"def"


async def test_ping_creates_the_root(store: LocalBlobStore, root: Path) -> None:
    await store.ping()
    assert entries(root) == []


async def test_ping_fails_when_the_root_is_not_a_folder(root: Path) -> None:
    replace_file(root, b"not a folder")
    store = LocalBlobStore(root, base_url=BASE_URL, secret=SECRET)
    with pytest.raises(OSError, match=r"exists|directory"):
        await store.ping()


async def test_start_creates_the_root_and_close_is_harmless(
    store: LocalBlobStore, root: Path
) -> None:
    await store.start()
    assert entries(root) == []
    await store.close()
    await store.close()


async def test_start_removes_parts_a_crash_left_behind(store: LocalBlobStore, root: Path) -> None:
    stale = root / "studios" / "a" / ".clip.mp4.0123456789abcdef.part"
    fresh = root / "studios" / "b" / ".clip.mp4.fedcba9876543210.part"
    kept = root / "studios" / "c" / "old.part"  # a blob whose name ends in .part
    for path in (stale, fresh, kept):
        replace_file(path, b"partial")
    a_day_ago = time.time() - 24 * 3600
    for path in (stale, kept):
        os.utime(path, (a_day_ago, a_day_ago))
    await store.start()
    assert files_under(root) == ["studios/b/.clip.mp4.fedcba9876543210.part", "studios/c/old.part"]


async def test_multipart_never_exists_here(store: LocalBlobStore) -> None:
    with pytest.raises(UploadIncompleteError):
        await store.complete_multipart(key=KEY, multipart_id="x", parts=[])
    await store.abort_multipart(key=KEY, multipart_id="x")


async def test_read_gives_the_asked_bytes(store: LocalBlobStore) -> None:
    body = os.urandom(700_000)
    await upload(store, KEY, body)
    stored = await store.describe(KEY)
    assert stored is not None
    got = b"".join([chunk async for chunk in store.read(stored, 1000, 600_000)])
    assert got == body[1000:601_000]


# -- uploads are exact, atomic and written once -----------------------------------------------


@pytest.mark.parametrize(
    "parts",
    [[b"ab", b"c"], [b"abcdefg"], [], [b"abcd", b"ef"]],
    ids=["short", "long", "empty", "one-over"],
)
async def test_a_body_of_another_size_leaves_nothing(
    store: LocalBlobStore, root: Path, parts: list[bytes]
) -> None:
    grant = Grant(op="put", key=KEY, exp=0, size=5, content_type="video/mp4")
    with pytest.raises(UploadMismatchError):
        await store.store_upload(grant, chunks_of(*parts))
    assert files_under(root) == []


async def test_a_failing_body_leaves_nothing(store: LocalBlobStore, root: Path) -> None:
    async def breaks() -> AsyncIterator[bytes]:
        yield b"x" * 3_000_000
        raise ConnectionResetError("client went away")

    grant = Grant(op="put", key=KEY, exp=0, size=10_000_000, content_type="video/mp4")
    with pytest.raises(ConnectionResetError):
        await store.store_upload(grant, breaks())
    assert files_under(root) == []


async def test_a_cancelled_upload_leaves_nothing(store: LocalBlobStore, root: Path) -> None:
    arrived = asyncio.Event()

    async def stalls() -> AsyncIterator[bytes]:
        yield b"x" * 2_000_000
        arrived.set()
        await asyncio.sleep(3600)
        yield b""

    grant = Grant(op="put", key=KEY, exp=0, size=10_000_000, content_type="video/mp4")
    task = asyncio.create_task(store.store_upload(grant, stalls()))
    await arrived.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert files_under(root) == []


async def test_the_same_bytes_again_are_accepted_other_bytes_refused(
    store: LocalBlobStore, root: Path
) -> None:
    await upload(store, KEY, b"first")
    again = await upload(store, KEY, b"first")
    assert again.checksum == hashlib.sha256(b"first").hexdigest()
    with pytest.raises(ConflictError) as refused:
        await upload(store, KEY, b"other")
    assert refused.value.code == "upload_exists"
    assert (root / KEY).read_bytes() == b"first"
    assert len(files_under(root)) == 2  # the blob and its sidecar, no leftovers


async def test_concurrent_uploads_to_one_key_one_wins_whole(
    store: LocalBlobStore, root: Path
) -> None:
    bodies = [bytes([n]) * 3_000_000 for n in range(4)]
    results = await asyncio.gather(
        *(upload(store, KEY, body) for body in bodies), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, ConflictError) for r in results if r not in winners)
    stat = await store.stat(KEY)
    assert stat is not None
    assert stat.checksum == winners[0].checksum
    assert hashlib.sha256((root / KEY).read_bytes()).hexdigest() == stat.checksum
    assert len(files_under(root)) == 2


# -- tokens -----------------------------------------------------------------------------------


async def _upload_token(store: LocalBlobStore, *, at: datetime = NOW) -> str:
    presigned = await store.presign_upload(
        key=KEY, content_type="video/mp4", size=10, at=at, expires_in=timedelta(minutes=5)
    )
    return token_of(presigned.url or "")


def _flip(text: str, index: int) -> str:
    swapped = "B" if text[index] != "B" else "C"
    return text[:index] + swapped + text[index + 1 :]


async def test_a_tampered_token_is_refused(store: LocalBlobStore) -> None:
    token = await _upload_token(store)
    claims, mac = token.split(".")
    for forged in (f"{_flip(claims, 5)}.{mac}", f"{claims}.{_flip(mac, 3)}", f"{claims}.{mac}x"):
        with pytest.raises(InvalidMediaTokenError):
            store.verify_upload(forged)


async def test_claims_rewritten_with_the_old_mac_are_refused(store: LocalBlobStore) -> None:
    token = await _upload_token(store)
    mac = token.split(".")[1]
    bigger = Grant(op="put", key=KEY, exp=2**40, size=10**12, content_type="text/html")
    forged = TokenSigner(b"x" * 32).sign(bigger).split(".")[0]
    with pytest.raises(InvalidMediaTokenError):
        store.verify_upload(f"{forged}.{mac}")


async def test_another_secret_is_refused(store: LocalBlobStore, root: Path) -> None:
    other = LocalBlobStore(root, base_url=BASE_URL, secret=b"y" * 32, clock=FixedClock(NOW))
    with pytest.raises(InvalidMediaTokenError):
        other.verify_upload(await _upload_token(store))


async def test_an_expired_token_is_refused_and_says_so(
    store: LocalBlobStore, clock: FixedClock
) -> None:
    token = await _upload_token(store)
    clock.at = NOW + timedelta(minutes=5)
    with pytest.raises(InvalidMediaTokenError) as refused:
        store.verify_upload(token)
    assert refused.value.details == {"reason": "expired"}
    clock.at = NOW + timedelta(minutes=4, seconds=59)
    assert store.verify_upload(token).key == KEY


async def test_a_token_for_the_other_operation_is_refused(store: LocalBlobStore) -> None:
    with pytest.raises(InvalidMediaTokenError):
        store.verify_download(await _upload_token(store))
    download = await store.presign_download(key=KEY, at=NOW, expires_in=timedelta(minutes=5))
    with pytest.raises(InvalidMediaTokenError):
        store.verify_upload(token_of(download.url))


@pytest.mark.parametrize(
    "token",
    ["", ".", "abc", "a.b.c", "a b.c", "é.x", "a.b=", "x" * 5000, "=.="],
)
async def test_garbage_is_refused(store: LocalBlobStore, token: str) -> None:
    with pytest.raises(InvalidMediaTokenError):
        store.verify_upload(token)


async def test_a_put_grant_without_limits_is_refused(store: LocalBlobStore) -> None:
    unlimited = TokenSigner(SECRET).sign(Grant(op="put", key=KEY, exp=2**40))
    with pytest.raises(InvalidMediaTokenError):
        store.verify_upload(unlimited)


async def test_tokens_are_compact(store: LocalBlobStore) -> None:
    token = await _upload_token(store)
    # The key is most of it (a 100-character key takes 134 characters of base64url).
    assert len(token) < 250
    assert "=" not in token
    claims = token.split(".")[0]
    decoded = msgspec.json.decode(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded[:2] == ["put", KEY]


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenSigner(b"short")


# -- keys never leave the root ----------------------------------------------------------------

BAD_KEYS: Iterable[str] = [
    "",
    "../outside",
    "studios/../../outside",
    "studios/./x",
    "/etc/passwd",
    "studios//x",
    "studios/x/",
    ".hidden",
    "studios/.clip.mp4.meta.json",
    "studios/x\x00y",
    "studios\\..\\outside",
    "%2e%2e/outside",
    "studios/%2e%2e%2foutside",
    "studios/\u2024\u2024/x",  # one-dot leaders, which look like ".."
    "studios/" + "a" * 300,
    "/".join(["a"] * 17),
]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_a_key_that_could_escape_is_refused_everywhere(
    store: LocalBlobStore, root: Path, key: str
) -> None:
    with pytest.raises(InvalidStorageKeyError):
        await store.presign_upload(
            key=key, content_type="video/mp4", size=1, at=NOW, expires_in=timedelta(minutes=1)
        )
    with pytest.raises(InvalidStorageKeyError):
        await store.presign_download(key=key, at=NOW, expires_in=timedelta(minutes=1))
    with pytest.raises(InvalidStorageKeyError):
        await store.stat(key)
    with pytest.raises(InvalidStorageKeyError):
        await store.delete(key)
    grant = Grant(op="put", key=key, exp=0, size=1, content_type="video/mp4")
    with pytest.raises(InvalidStorageKeyError):
        await store.store_upload(grant, chunks_of(b"x"))


async def test_a_symlinked_folder_out_of_the_root_is_refused(
    store: LocalBlobStore, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    replace_file(outside / "secret.txt", b"secret")
    link(root / "studios", outside)
    with pytest.raises(InvalidStorageKeyError):
        await store.stat("studios/secret.txt")
    grant = Grant(op="put", key="studios/planted.mp4", exp=0, size=1, content_type="video/mp4")
    with pytest.raises(InvalidStorageKeyError):
        await store.store_upload(grant, chunks_of(b"x"))
    with pytest.raises(InvalidStorageKeyError):
        await store.delete("studios/secret.txt")
    assert entries(outside) == ["secret.txt"]


async def test_a_symlinked_blob_pointing_out_is_refused(
    store: LocalBlobStore, root: Path, tmp_path: Path
) -> None:
    replace_file(tmp_path / "secret.txt", b"secret")
    link(root / "studios" / "clip.mp4", tmp_path / "secret.txt")
    with pytest.raises(InvalidStorageKeyError):
        await store.stat("studios/clip.mp4")


async def test_bad_content_types_are_refused(store: LocalBlobStore) -> None:
    for content_type in ("", "video/mp4\r\nX-Evil: 1", "vidéo/mp4", "x" * 256):
        with pytest.raises(ValueError, match="content type"):
            await store.presign_upload(
                key=KEY, content_type=content_type, size=1, at=NOW, expires_in=timedelta(1)
            )
