"""The process's lifecycle state, shared by the server runner and the readiness endpoint."""

import threading


class Lifecycle:
    """Knows whether the process is draining (shutting down, still finishing requests)."""

    def __init__(self) -> None:
        self._draining = threading.Event()

    @property
    def draining(self) -> bool:
        return self._draining.is_set()

    def start_draining(self) -> None:
        self._draining.set()
