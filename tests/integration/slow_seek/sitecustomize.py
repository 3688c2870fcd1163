"""Widen a Faust start-up race in a worker process (put on PYTHONPATH by tests/integration/test_seek_race.py).

Faust seeks stream partitions to their committed offsets while the flow is running, then resumes flow
control, which empties every stream's queue. Records fetched and handed to a stream between the two were
thrown away (streamproc.worker.guards, guard 3). A real seek takes a few milliseconds, so the race
was rare; this makes every seek take STREAMPROC_TEST_SLOW_SEEK seconds longer (after the seek itself),
so the fetcher always has time to fetch and hand over records inside the window.
"""

from __future__ import annotations

import asyncio
import os

_DELAY = float(os.environ.get("STREAMPROC_TEST_SLOW_SEEK", "0") or 0)

if _DELAY > 0:
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    _original = AIOKafkaConsumerThread.seek_to_committed

    async def seek_to_committed(self):  # type: ignore[no-untyped-def]
        committed = await _original(self)
        await asyncio.sleep(_DELAY)
        return committed

    AIOKafkaConsumerThread.seek_to_committed = seek_to_committed  # type: ignore[method-assign]
