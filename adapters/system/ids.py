"""Time-ordered ids: UUID version 7 (RFC 9562), so new rows land at the end of an index."""

import os
import threading
import time
import uuid


class UuidV7Generator:
    """Millisecond timestamp, then randomness; monotonic within one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0

    def new_id(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms <= self._last_ms:
                # Same millisecond (or the clock stepped back): keep order with a counter.
                now_ms = self._last_ms
                self._counter += 1
                if self._counter > 0xFFF:
                    now_ms += 1
                    self._counter = 0
            else:
                self._counter = 0
            self._last_ms = now_ms
            counter = self._counter
        random_tail = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
        value = (now_ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76  # version 7
        value |= counter << 64  # 12 bits: rand_a used as a sequence
        value |= 0b10 << 62  # RFC 9562 variant
        value |= random_tail
        return str(uuid.UUID(int=value))
