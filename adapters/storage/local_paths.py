"""Where a key lives under the local store's root, and the names no key can take.

A key is a relative path of ``/``-separated segments in ``[A-Za-z0-9._-]`` that never start
with a dot. That one rule refuses ``..``, ``.``, absolute paths, backslashes, NUL, percent
escapes and any non-ASCII look-alike before the filesystem is touched, and it leaves every
dot-name free for the store's own files: ``.<name>.meta.json`` (the sidecar) and
``.<name>.<random>.part`` (an upload being written). Keys made by the domain
(``studios/<id>/video/<id>/<safe name>``) always pass.

Symlinks are the one escape a string check cannot see, so ``resolve_inside`` resolves the
path on disk and refuses it unless it is still under the (resolved) root.
"""

import re
import secrets
from pathlib import Path

from domain.media.errors import InvalidStorageKeyError

MAX_KEY_LENGTH = 1024
MAX_SEGMENTS = 16
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}")
_SIDECAR_SUFFIX = ".meta.json"
PART_SUFFIX = ".part"


def check_key(key: str) -> tuple[str, ...]:
    """The key's segments, or ``InvalidStorageKeyError`` when it could name anything else."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidStorageKeyError()
    segments = tuple(key.split("/"))
    if len(segments) > MAX_SEGMENTS or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise InvalidStorageKeyError()
    return segments


def blob_path(root: Path, key: str) -> Path:
    """``root/<key>`` for a checked key (no filesystem access: ``root`` is already absolute)."""
    return root.joinpath(*check_key(key))


def sidecar_path(path: Path) -> Path:
    """The metadata file next to a blob: hidden, so no key can ever name it."""
    return path.with_name(f".{path.name}{_SIDECAR_SUFFIX}")


def part_path(path: Path) -> Path:
    """A fresh temporary name next to the blob (same folder: the final rename is atomic)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}{PART_SUFFIX}")


def resolve_inside(root: Path, path: Path) -> tuple[Path, Path]:
    """``(root, path)`` with every symlink resolved; refused unless ``path`` stays under ``root``.

    Blocking (it reads links on disk): call it from a worker thread.
    """
    real_root = root.resolve(strict=False)
    resolved = path.resolve(strict=False)
    if resolved == real_root or not resolved.is_relative_to(real_root):
        raise InvalidStorageKeyError()
    return real_root, resolved
