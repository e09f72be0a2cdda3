"""Sliding one-minute windows, in this instance's memory (a limit per instance: behind a load
balancer of N instances a client gets at most N× the limit)."""

from __future__ import annotations

import time
from collections import deque


class SlidingWindow:
    def __init__(self, window_seconds: float = 60) -> None:
        self.window = window_seconds
        self.hits: dict[str, deque[float]] = {}

    def hit(self, key: str, limit: int) -> int | None:
        """Count a hit; None if within `limit`, else the seconds until one is allowed."""
        if limit <= 0:
            return None
        now = time.monotonic()
        q = self.hits.setdefault(key, deque())
        while q and q[0] < now - self.window:
            q.popleft()
        if len(q) >= limit:
            return max(1, int(self.window - (now - q[0])))
        q.append(now)
        if len(self.hits) > 100_000:  # forget idle keys
            self.hits = {k: v for k, v in self.hits.items() if v and v[-1] > now - self.window}
        return None
