"""The bundled list of common passwords (see the header of data/common-passwords.txt)."""

import threading
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def bundled_list() -> Traversable:
    return resources.files("adapters.security") / "data" / "common-passwords.txt"


class BundledCommonPasswords:
    """Implements ``CommonPasswords``: case-insensitive membership in a list read once.

    The file (a few hundred KiB) is read on first use; call ``load()`` at startup to keep even
    that one read off a request.
    """

    def __init__(self, source: Traversable | Path | None = None) -> None:
        self._source = source if source is not None else bundled_list()
        self._passwords: frozenset[str] | None = None
        self._lock = threading.Lock()

    def load(self) -> frozenset[str]:
        passwords = self._passwords
        if passwords is None:
            with self._lock:
                if self._passwords is None:
                    self._passwords = _parse(self._source.read_text(encoding="utf-8"))
                passwords = self._passwords
        return passwords

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and password.casefold() in self.load()

    def __len__(self) -> int:
        return len(self.load())


def _parse(text: str) -> frozenset[str]:
    # "#" starts a header comment line; the builder keeps no entry that starts with one.
    return frozenset(
        line.casefold() for line in text.splitlines() if line and not line.startswith("#")
    )
