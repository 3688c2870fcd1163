"""Work waiting in partitions the consumer group never committed is read from its start.

A starting worker fetches stream partitions while it recovers its tables and drops what it fetched;
partitions without a committed offset were then not sought back (streamproc.worker.guards). The
webhook case failed every time before the fix (and, in the webhook crash test, whenever the worker was
killed before its first commit on a retry topic: about one run in five). The article case is the same
situation on the article topic; it did not fail here before the fix, and guards it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest

from streamproc.broker.embedded import EmbeddedBroker
from streamproc.publish.webhooks.delivery import DeliveryTask
from tests.integration.conftest import alerts_for, article, consume_until, produce
from tests.integration.test_webhooks import TEXT, Hook, Worker, wait_until

pytestmark = pytest.mark.integration


def fresh_worker(broker: EmbeddedBroker, tmp: Path, name: str) -> Worker:
    w = Worker(broker, tmp)
    w.env.update(STREAMPROC_APP_ID=name, STREAMPROC_WEBHOOK_TOPIC_PREFIX=name,
                 STREAMPROC_TOPIC_ARTICLES=f"{name}.articles", STREAMPROC_TOPIC_ALERTS=f"{name}.alerts",
                 STREAMPROC_TOPIC_DLQ=f"{name}.articles.dlq")
    return w


async def test_articles_produced_before_the_first_worker_ever_started_all_alert(broker: EmbeddedBroker,
                                                                              tmp_path: Path):
    name = "unc-a"
    msgs = [article(f"{name}-{i}", TEXT) for i in range(12)]
    for m in msgs:  # one record per batch (see STREAMPROC_PRODUCER_BATCH_BYTES)
        await produce(broker, [m], topic=f"{name}.articles")
    w = fresh_worker(broker, tmp_path, name)
    await asyncio.to_thread(w.start)
    try:
        ids = {k.decode() for k, _ in msgs}
        records = await consume_until(broker, f"{name}.alerts", lambda rs: set(alerts_for(rs, ids)) == ids)
        assert set(alerts_for(records, ids)) == ids
    finally:
        w.proc.stop()


async def test_retry_tasks_a_killed_worker_never_committed_are_delivered_after_restart(broker: EmbeddedBroker,
                                                                                     tmp_path: Path):
    name = "unc-w"
    w = fresh_worker(broker, tmp_path, name)
    await asyncio.to_thread(w.start)
    hook = Hook()
    try:
        sub = w.subscribe(hook.url)
        w.proc.stop()
        # Tasks waiting in the first retry tier, as a worker killed before its first commit leaves them.
        now = time.time()
        for i in range(5):
            task = DeliveryTask.for_alert({"alert_id": f"al-{i}", "article": {"id": f"{name}-{i}"}}, sub["id"], now)
            await produce(broker, [(sub["id"].encode(), task.after_attempt("HTTP 503", now).encode())],
                          topic=f"{name}.retry.0")
        await asyncio.to_thread(w.start)
        ids = {f"{name}-{i}" for i in range(5)}

        def delivered() -> set[str]:
            return {orjson.loads(b)["data"]["article"]["id"] for _, _, b in list(hook.requests)}
        await asyncio.to_thread(wait_until, lambda: delivered() == ids, 30, "every waiting task delivered")
        assert "seeking" in (tmp_path / "worker-2.log").read_text() and "to their beginning" in (
            tmp_path / "worker-2.log").read_text()
    finally:
        w.proc.stop()
        hook.close()
