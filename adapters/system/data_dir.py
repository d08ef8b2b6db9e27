"""Readiness probe for the data folder the embedded stores write into."""

import asyncio
import os
import tempfile
from pathlib import Path


class DataDirectoryProbe:
    """Ready when the folder exists (it is created if missing) and a file can be written in it."""

    name = "data_dir"

    def __init__(self, path: Path) -> None:
        self._path = path

    async def check(self) -> None:
        await asyncio.to_thread(self._check)

    def _check(self) -> None:
        self._path.mkdir(parents=True, exist_ok=True)
        if not self._path.is_dir():
            raise NotADirectoryError(f"{self._path} is not a directory")
        fd, probe = tempfile.mkstemp(prefix=".ready-", dir=self._path)
        try:
            os.write(fd, b"ok")
        finally:
            os.close(fd)
            os.unlink(probe)
