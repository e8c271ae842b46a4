"""Writes rate-limited per token: a token bucket each, refilled at the configured rate per minute.

A burst of up to one minute's allowance goes through at once; after that, writes are spaced at the rate.
A refusal says how long to wait (``Retry-After``).
"""

from __future__ import annotations

import math
import threading
import time


class RateLimit:
    def __init__(self, per_minute: float) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (allowance left, when counted)
        self._lock = threading.Lock()

    def wait(self, key: str) -> int:
        """Take one write from ``key``'s allowance: 0 if allowed, else the whole seconds to wait first."""
        if self.per_minute <= 0:
            return 0
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            left, then = self._buckets.get(key, (self.per_minute, now))
            left = min(self.per_minute, left + (now - then) * rate)
            if left >= 1:
                self._buckets[key] = (left - 1, now)
                return 0
            self._buckets[key] = (left, now)
            return max(1, math.ceil((1 - left) / rate))
