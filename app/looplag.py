"""The event loop's lag (/metrics `youthlink_event_loop_lag_seconds`): a task asks to run
again after a fixed interval and records how much later than that it did run. Anything that
holds the loop (CPU work in a request, a blocking call) shows here as lag for every request."""

from __future__ import annotations

import asyncio

INTERVAL = 0.25  # seconds between samples


async def sample_lag(interval: float = INTERVAL) -> None:
    from schema.metrics import LOOP_LAG

    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval
        await asyncio.sleep(interval)
        LOOP_LAG.observe(max(0.0, loop.time() - due))
