"""The local store's blocking file work, called from worker threads only.

A blob is ``root/<key>`` plus a hidden sidecar ``.<name>.meta.json`` holding its content
type, size, sha256, and the inode and mtime of the file it describes. An upload is written to
a hidden ``.part`` file in the same folder, fsynced, then published with ``os.link``: atomic,
and refused when the key is taken, so a half-written file is never visible and a key is
written once (an identical retry is accepted). The sidecar is replaced after the link; a
reader that finds no sidecar, or one describing another file (a crash between the two
steps), treats the type and checksum as unknown.
"""

import contextlib
import errno
import hashlib
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

import msgspec

from adapters.storage.local_paths import PART_SUFFIX, part_path, resolve_inside, sidecar_path
from domain.shared.errors import ConflictError

UNKNOWN_TYPE = "application/octet-stream"
_OPEN_PART = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})


class BlobChangedError(RuntimeError):
    """The file was replaced or truncated while it was being sent."""


class Sidecar(msgspec.Struct, frozen=True, rename="camel"):
    content_type: str
    size: int
    sha256: str
    inode: int  # the file it describes: inode, size and mtime must all still match
    modified_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFile:
    """A blob as found on disk, with what its sidecar says when the two agree."""

    path: Path  # resolved, inside the root
    size: int
    content_type: str
    sha256: str | None
    modified: float  # Unix seconds
    inode: int


def describe_file(root: Path, path: Path) -> StoredFile | None:
    _, real = resolve_inside(root, path)
    try:
        info = os.stat(real, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None  # a folder (a key prefix) or something planted by hand: not a blob
    sidecar = _read_sidecar(sidecar_path(real))
    agrees = sidecar is not None and (sidecar.inode, sidecar.size, sidecar.modified_ns) == (
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
    )
    return StoredFile(
        path=real,
        size=info.st_size,
        content_type=sidecar.content_type if sidecar and agrees else UNKNOWN_TYPE,
        sha256=sidecar.sha256 if sidecar and agrees else None,
        modified=info.st_mtime,
        inode=info.st_ino,
    )


def remove(root: Path, path: Path) -> None:
    """Delete a blob and its sidecar (absent is fine), then the folders it leaves empty.

    The sidecar goes first: a crash in between leaves a file of unknown type, never a sidecar
    that a later file could be mistaken for.
    """
    root, real = resolve_inside(root, path)
    for victim in (sidecar_path(real), real):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            os.unlink(victim)
    folder = real.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty (another blob, an upload in progress) or already gone
            return
        folder = folder.parent


def _read_sidecar(path: Path) -> Sidecar | None:
    try:
        return msgspec.json.decode(path.read_bytes(), type=Sidecar)
    except (FileNotFoundError, NotADirectoryError, msgspec.DecodeError):
        return None


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PartFile:
    """One upload being written: bytes and sha256 as they come, then published or discarded.

    The lock makes ``discard`` wait for a write still running in another thread (a cancelled
    request), so a closed descriptor number is never written to after it was reused.
    """

    def __init__(self, root: Path, path: Path) -> None:
        _, self.final = resolve_inside(root, path)
        self.size = 0
        self._root = root
        self._hash = hashlib.sha256()
        self._lock = threading.Lock()
        self._part = part_path(self.final)
        self._sidecar_part = part_path(sidecar_path(self.final))
        self._fd: int | None = None
        self._content_type = UNKNOWN_TYPE
        for _ in range(3):  # a concurrent delete may remove the emptied folder in between
            self.final.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._fd = os.open(self._part, _OPEN_PART, 0o640)
                break
            except FileNotFoundError:
                continue
        if self._fd is None:
            raise FileNotFoundError(errno.ENOENT, "upload folder keeps disappearing", self._part)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def write(self, data: bytes | bytearray) -> None:
        with self._lock:
            if self._fd is None:
                raise ValueError("upload already closed")
            _write_all(self._fd, data)
            self._hash.update(data)
            self.size += len(data)

    def seal(self, content_type: str) -> None:
        """Make the bytes durable and write the sidecar that will describe them."""
        self._content_type = content_type
        with self._lock:
            if self._fd is None:
                raise ValueError("upload already closed")
            os.fsync(self._fd)
            written = os.fstat(self._fd)
            os.close(self._fd)
            self._fd = None
        sidecar = Sidecar(
            content_type=content_type,
            size=self.size,
            sha256=self.sha256,
            inode=written.st_ino,
            modified_ns=written.st_mtime_ns,
        )
        fd = os.open(self._sidecar_part, _OPEN_PART, 0o640)
        try:
            _write_all(fd, msgspec.json.encode(sidecar))
            os.fsync(fd)
        finally:
            os.close(fd)

    def publish(self) -> None:
        """Put the sealed upload in place; ``ConflictError`` if the key holds other bytes."""
        try:
            os.link(self._part, self.final)
        except FileExistsError:
            self._accept_existing()
            return
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            # No hard links on this filesystem: check, then rename (the caller holds the key's
            # lock, so only another process could slip in between).
            if os.path.lexists(self.final):
                self._accept_existing()
                return
            os.replace(self._part, self.final)
        os.replace(self._sidecar_part, sidecar_path(self.final))
        _fsync_folder(self.final.parent)

    def _accept_existing(self) -> None:
        existing = describe_file(self._root, self.final)
        same = existing is not None and (existing.sha256, existing.content_type) == (
            self.sha256,
            self._content_type,
        )
        if not same:  # the same bytes again is a retry after a lost answer: fine
            raise ConflictError(
                "Something else was already uploaded with this link.", code="upload_exists"
            )

    def discard(self) -> None:
        """Close and remove what is left of the upload (after ``publish``: the extra link)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        for leftover in (self._part, self._sidecar_part):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


def open_same(stored: StoredFile) -> int:
    """A descriptor on the very file ``stored`` describes; ``BlobChangedError`` otherwise."""
    fd = os.open(stored.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    info = os.fstat(fd)
    if (info.st_ino, info.st_size) != (stored.inode, stored.size):
        os.close(fd)
        raise BlobChangedError(f"{stored.path} was replaced after it was described")
    return fd


def sweep_parts(root: Path, *, older_than: float) -> int:
    """Remove ``.part`` files last written before ``older_than`` (Unix seconds): what a crash
    in the middle of an upload leaves. Younger ones may belong to an upload in progress."""
    removed = 0
    for folder, _, names in os.walk(root):
        for name in names:
            if not (name.startswith(".") and name.endswith(PART_SUFFIX)):
                continue
            leftover = Path(folder, name)
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat(follow_symlinks=False).st_mtime < older_than:
                    leftover.unlink()
                    removed += 1
    return removed


def check_writable(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    probe = PartFile(root, root / "ping")
    try:
        probe.write(b"ok")
    finally:
        probe.discard()
