"""Records fetched while a starting worker seeks to its committed offsets are not thrown away.

Faust seeks the stream partitions to their committed offsets with the flow running, then resumes flow
control, which empties every stream's queue: records fetched and handed to a stream in between were
dropped, past the consumer's position, and not read again until the next restart or rebalance
(streamproc.worker.guards, guard 3). Seen as webhook retry tasks not delivered after a restart (the
webhook crash test, about one run in four). Here every seek is made 1.5 s slower
(``slow_seek/sitecustomize.py``), which made the loss certain: both topics of the test lost their
waiting records on every run before the fix.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import orjson
import pytest

from streamproc.broker.embedded import EmbeddedBroker
from streamproc.publish.webhooks.delivery import DeliveryTask
from tests.integration.conftest import alerts_for, article, consume_until, produce
from tests.integration.test_uncommitted import fresh_worker
from tests.integration.test_webhooks import TEXT, Hook, wait_until

pytestmark = pytest.mark.integration

SLOW_SEEK = Path(__file__).parent / "slow_seek"


async def test_records_fetched_during_the_start_up_seek_are_all_handled(broker: EmbeddedBroker, tmp_path: Path):
    name = "race"
    w = fresh_worker(broker, tmp_path, name)
    w.env.update(STREAMPROC_TEST_SLOW_SEEK="1.5",
                 PYTHONPATH=os.pathsep.join(p for p in (str(SLOW_SEEK), os.environ.get("PYTHONPATH")) if p))
    hook = Hook()
    await asyncio.to_thread(w.start)
    try:
        sub = w.subscribe(hook.url)

        def task(i: int) -> tuple[bytes, bytes]:
            now = time.time()
            t = DeliveryTask.for_alert({"alert_id": f"al-{i}", "article": {"id": f"{name}-task-{i}"}}, sub["id"], now)
            return sub["id"].encode(), t.after_attempt("HTTP 503", now).encode()

        def delivered() -> set[str]:
            return {orjson.loads(b)["data"]["article"]["id"] for _, _, b in list(hook.requests)}

        async def feed(first: int, n: int) -> tuple[set[str], set[str]]:
            arts = [article(f"{name}-{i}", TEXT) for i in range(first, first + n)]
            for i, a in enumerate(arts):  # one record per batch (see STREAMPROC_PRODUCER_BATCH_BYTES)
                await produce(broker, [a], topic=f"{name}.articles")
                await produce(broker, [task(first + i)], topic=f"{name}.retry.0")
            return {k.decode() for k, _ in arts}, {f"{name}-task-{i}" for i in range(first, first + n)}

        # First run: the group commits offsets on every topic (handled records, then a clean stop).
        arts, tasks = await feed(0, 3)
        await asyncio.to_thread(wait_until, lambda: tasks | arts <= delivered(), 30, "first run delivered")
        w.proc.stop()
        # Records waiting beyond the committed offsets when the next worker starts.
        arts, tasks = await feed(3, 6)
        await asyncio.to_thread(w.start)
        records = await consume_until(broker, f"{name}.alerts", lambda rs: set(alerts_for(rs, arts)) == arts,
                                      timeout=30)
        assert set(alerts_for(records, arts)) == arts, "every waiting article alerted"
        await asyncio.to_thread(wait_until, lambda: tasks | arts <= delivered(), 30,
                                "every waiting retry task and every new alert delivered")
        log = (tmp_path / "worker-2.log").read_text()
        assert "stopped the flow while seeking" in log
    finally:
        w.proc.stop()
        hook.close()
