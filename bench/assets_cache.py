"""The assets benchmark's SQLite files, built once per shape and code version, then reused.

``seeded(shape)`` returns a file under ``bench/.cache/`` (git-ignored by a ``.gitignore`` of
its own), keyed by a hash of the migrations, of the code that decides the file's content and
of the benchmark admin's credentials; on a miss ``bench.assets_seed.build`` makes it (a few
minutes for a million assets). Callers copy the file (``SeededStore.copy_to``); the cached one
is never served in place.
"""

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.assets_seed import SEED, Shape, build
from bench.processes import BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD, ROOT

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
# What decides the file's content besides the migrations; a change to any makes a new entry.
_SOURCES = (
    "bench/assets_data.py",
    "bench/assets_seed.py",
    "adapters/persistence/sqlite/assets.py",
    "adapters/persistence/sqlite/rows.py",
    "adapters/persistence/sqlite/migrations.py",
    "domain/assets/model.py",
)


@dataclass(frozen=True)
class SeededStore:
    path: Path  # the cached file: copy it, never serve it in place
    shape: Shape
    facts: dict[str, Any]  # studio, admin, sample ids, deep key, timings, row counts

    def copy_to(self, data_dir: Path) -> Path:
        """Put a copy where the app looks for its store (``Settings.sqlite_path``)."""
        data_dir.mkdir(parents=True, exist_ok=True)
        target = data_dir / "studio.db"
        shutil.copyfile(self.path, target)
        with target.open("rb+") as copied:
            # Written back now, not by the kernel's flusher threads during a measurement
            # (gigabytes of dirty pages cost a core for a while and show as noise).
            os.fsync(copied.fileno())
        return target


def cache_key(shape: Shape) -> str:
    identity = [
        asdict(shape),
        SEED,
        sqlite3.sqlite_version,
        BENCH_ADMIN_EMAIL,
        BENCH_ADMIN_PASSWORD,
    ]
    digest = hashlib.sha256(json.dumps(identity).encode())
    folder = ROOT / "adapters/persistence/sqlite/migrations"
    for path in [*sorted(folder.glob("*.sql")), *(ROOT / name for name in _SOURCES)]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def seeded(shape: Shape, *, progress: Callable[[str], None] = print) -> SeededStore:
    """The cached file for ``shape``, built first if this code has not built it yet."""
    CACHE_DIR.mkdir(exist_ok=True)
    (CACHE_DIR / ".gitignore").write_text("*\n")  # never committed, whatever the repo ignores
    stem = f"assets-{shape.name}-{cache_key(shape)}"
    path, facts_path = CACHE_DIR / f"{stem}.db", CACHE_DIR / f"{stem}.json"
    if path.is_file() and facts_path.is_file():
        facts = json.loads(facts_path.read_text())
        return SeededStore(path, shape, {**facts, "cached": True})
    for stale in CACHE_DIR.glob(f"assets-{shape.name}-*"):
        stale.unlink()  # an older code version's file: up to gigabytes nobody will read again
    progress(f"  seeding {shape.total:,} assets ({shape.name}) into {path} ...")
    folder = CACHE_DIR / f"tmp-{uuid.uuid4().hex[:8]}"
    try:
        facts = asyncio.run(build(shape, folder))
        os.replace(folder / "studio.db", path)
        facts_path.write_text(json.dumps(facts, indent=2) + "\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    progress(f"  seeded in {facts['seed_seconds']} s ({facts['file_mb']:,} MB)")
    return SeededStore(path, shape, {**facts, "cached": False})
