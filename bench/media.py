"""A 200 MB upload to the local store's signed URL, through a real server process.

``run_media_bench()`` starts ``studio-bridge serve`` (the embedded defaults: the local store
and its ``PUT /media/upload`` route), presigns with the same data folder's key, and sends the
body chunked from a generator while a thread samples the server's resident memory from
``/proc/<pid>/status``. The body streams to disk, so ``rss_peak_mb - rss_before_mb`` stays a
few MB whatever the file size; read whole, it would grow by the file's size.
"""

import asyncio
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from adapters.storage.local import LocalBlobStore
from bench.processes import RunningServer, running, server_env
from bench.servers import APP_UVICORN
from domain.media.model import UploadPurpose, storage_key
from domain.shared.ids import StudioId
from entrypoints.bootstrap import bootstrap
from entrypoints.settings import load_settings

MIB = 1024 * 1024
CHUNK = MIB
SAMPLE_SECONDS = 0.01
STUDIO = StudioId("0193a4a0-0000-7000-8000-00000000beef")


def _status_mb(pid: int, field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (resident peak) of ``pid``, in MB (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # reported in kB
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


class _RssSampler(threading.Thread):
    """Samples VmRSS until stopped; the peak is the largest sample."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self._pid = pid
        self._stop = threading.Event()
        self.samples: list[float] = []

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(_status_mb(self._pid, "VmRSS"))
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        self.join()


def _store_of(server: RunningServer) -> LocalBlobStore:
    """The store the server runs, rebuilt here from the same settings and key folder."""
    port = urlsplit(server.url).port
    assert port is not None
    env = {**server_env(port, server.data_dir), **server.spec.env}
    store = bootstrap(load_settings(env, env_file=None)).blob_store()
    assert isinstance(store, LocalBlobStore), "the bench needs the embedded local store"
    return store


def _upload(server: RunningServer, store: LocalBlobStore, size: int) -> float:
    """PUT ``size`` bytes, chunked from a generator; the seconds it took (checked by ETag)."""
    block = os.urandom(CHUNK)
    expected = hashlib.sha256()
    for start in range(0, size, CHUNK):
        expected.update(block[: min(CHUNK, size - start)])
    key = storage_key(STUDIO, UploadPurpose.VIDEO, os.urandom(16).hex(), "bench.mp4")
    presigned = asyncio.run(
        store.presign_upload(
            key=key,
            content_type="video/mp4",
            size=size,
            at=datetime.now(UTC),
            expires_in=timedelta(minutes=30),
        )
    )
    assert presigned.url is not None

    def body() -> Iterator[bytes]:
        for start in range(0, size, CHUNK):
            yield block[: min(CHUNK, size - start)]

    parts = urlsplit(presigned.url)
    with httpx.Client(base_url=server.url, timeout=600) as client:
        started = time.perf_counter()
        answer = client.put(
            f"{parts.path}?{parts.query}", content=body(), headers=dict(presigned.headers)
        )
        seconds = time.perf_counter() - started
    if answer.status_code != 204 or answer.headers.get("etag") != f'"{expected.hexdigest()}"':
        raise RuntimeError(f"upload failed: {answer.status_code} {answer.text[:500]}")
    return seconds


def run_media_bench(size_mb: int = 200) -> dict[str, float]:
    """Upload ``size_mb`` MiB; the time, the rate and the server's memory around it."""
    size = size_mb * MIB
    with (
        tempfile.TemporaryDirectory(prefix="studio-bridge-media-bench-") as workdir,
        running(APP_UVICORN, Path(workdir)) as server,
    ):
        store = _store_of(server)
        pid = server.process.pid
        _upload(server, store, 2 * MIB)  # first request: lazy imports, buffers, thread pool
        time.sleep(0.5)
        rss_before = _status_mb(pid, "VmRSS")
        sampler = _RssSampler(pid)
        sampler.start()
        try:
            seconds = _upload(server, store, size)
        finally:
            sampler.stop()
        time.sleep(0.5)
        rss_after = _status_mb(pid, "VmRSS")
        hwm = _status_mb(pid, "VmHWM")
    peak = max([rss_before, rss_after, *sampler.samples])
    return {
        "size_mb": size_mb,
        "seconds": round(seconds, 3),
        "mb_per_s": round(size_mb / seconds, 1),
        "rss_before_mb": round(rss_before, 1),
        "rss_peak_mb": round(peak, 1),
        "rss_after_mb": round(rss_after, 1),
        "rss_growth_mb": round(peak - rss_before, 1),
        "rss_samples": len(sampler.samples),
        "vm_hwm_mb": round(hwm, 1),  # the process's lifetime peak, start-up included
    }


if __name__ == "__main__":
    print(run_media_bench())
