"""Duplicate suppression and updates on the real broker, with the default windows."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from streamproc.broker.embedded import EmbeddedBroker
from tests.integration.conftest import WorkerProcess, consume_until, produce, worker_env

pytestmark = pytest.mark.integration

def wait_processed(worker: WorkerProcess, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.processed() >= n:
            return
        time.sleep(0.05)
    raise TimeoutError(f"the worker did not process article {n}")


REPORT = ("Artillery shelling killed {n} soldiers in Donetsk on Tuesday, officials said. "
          "The shelling hit positions near the city{tail}.")


async def test_duplicates_do_not_alert_twice_and_worse_reports_update(broker: EmbeddedBroker, tmp_path: Path):
    run = uuid.uuid4().hex[:8]
    name = f"dedupe-{run}"
    env = worker_env(broker, tmp_path / "data", STREAMPROC_APP_ID=name, STREAMPROC_TOPIC_ARTICLES=f"{name}.in",
                     STREAMPROC_TOPIC_ALERTS=f"{name}.alerts", STREAMPROC_TOPIC_DLQ=f"{name}.dlq")
    del env["STREAMPROC_DEDUP_WINDOW"]  # the defaults: 24 h for id and text, 6 h for an event
    worker = WorkerProcess(broker, env, tmp_path / "worker.log")

    def art(aid: str, n: str, tail: str = "", chrome: str = "") -> tuple[bytes, bytes]:
        text = chrome + REPORT.format(n=n, tail=tail)
        return aid.encode(), orjson.dumps({"id": aid, "text": text, "language": "en"})

    feed = [
        art(f"{run}-afp", "three"),                                   # first report: alert
        art(f"{run}-afp", "three"),                                   # re-sent as is: duplicate (same id)
        art(f"{run}-copy", "three", chrome="Share this article\n\n"), # wire copy elsewhere: duplicate (same text)
        art(f"{run}-bbc", "two", tail=" overnight"),                  # the same event, fewer dead: duplicate
        art(f"{run}-afp2", "five", tail=" and a school"),             # the same event, more dead: update
        art(f"{run}-ap", "four", tail=" again"),                      # lower than already reported: duplicate
    ]
    try:
        worker.wait_ready()
        for i, message in enumerate(feed, start=1):  # one at a time: each decision sees the previous ones
            await produce(broker, [message], topic=f"{name}.in")
            await asyncio.to_thread(wait_processed, worker, i)
        records = await consume_until(broker, f"{name}.alerts", lambda rs: False, timeout=4)
        alerts = {orjson.loads(r.value)["article"]["id"]: (orjson.loads(r.value), r) for r in records}
        assert sorted(alerts) == sorted([f"{run}-afp", f"{run}-afp2"])
        (first, _), (update, update_record) = alerts[f"{run}-afp"], alerts[f"{run}-afp2"]
        assert "update_of" not in first
        assert update["update_of"] == first["alert_id"] and update["casualties"]["killed"] == 5
        headers = {k: v.decode() for k, v in update_record.headers}
        assert headers["ce_type"] == "org.streamproc.alert.updated"
        metrics = worker.metrics()
        for verdict, reason in (("duplicate", "same_id"), ("duplicate", "same_text"), ("duplicate", "same_event"),
                                ("update", "same_event")):
            assert f'streamproc_dedupe_decisions_total{{reason="{reason}",verdict="{verdict}"}}' in metrics, (verdict, reason)
    finally:
        worker.stop()


@pytest.mark.parametrize("together", [False, True], ids=["later-batch", "same-batch"])
async def test_an_alert_dead_lettered_as_too_large_does_not_suppress_a_later_report(broker: EmbeddedBroker,
                                                                                      tmp_path: Path, together: bool):
    """The first report's alert is over the record size (a 57 KB title) and its article is dead-lettered;
    the same text under a normal title, after it, is not a duplicate of an alert nobody received: whether
    it comes in a later batch or in the same one (both under one key, so in this order)."""
    run = uuid.uuid4().hex[:8]
    name = f"dedupe-big-{run}"
    env = worker_env(broker, tmp_path / "data", STREAMPROC_APP_ID=name, STREAMPROC_TOPIC_ARTICLES=f"{name}.in",
                     STREAMPROC_TOPIC_ALERTS=f"{name}.alerts", STREAMPROC_TOPIC_DLQ=f"{name}.dlq",
                     STREAMPROC_MAX_MESSAGE_BYTES=str(64 * 1024),
                     # Together: a batch waits long enough to hold both (by default it may leave with one).
                     STREAMPROC_BATCH_WAIT_MS="1000" if together else "5")
    del env["STREAMPROC_DEDUP_WINDOW"]
    worker = WorkerProcess(broker, env, tmp_path / "worker.log")
    text = REPORT.format(n="three", tail="")
    big = (f"{run}-big".encode(), orjson.dumps({"id": f"{run}-big", "text": text, "language": "en",
                                                 "title": "Shelling " * 6500}))
    later = (big[0], orjson.dumps({"id": f"{run}-later", "text": text, "language": "en",
                                    "title": "Shelling in Donetsk"}))
    try:
        worker.wait_ready()
        if together:  # one produce request, so one fetch and one batch
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=200,
                                        max_request_size=1024 * 1024)
            await producer.start()
            try:
                sent = [await producer.send(f"{name}.in", key=k, value=v) for k, v in (big, later)]
                await asyncio.gather(*sent)
            finally:
                await producer.stop()
            await asyncio.to_thread(wait_processed, worker, 2)
        else:
            for i, message in enumerate((big, later), start=1):
                await produce(broker, [message], topic=f"{name}.in")
                await asyncio.to_thread(wait_processed, worker, i)
        dlq = await consume_until(broker, f"{name}.dlq", lambda rs: any(r.key == big[0] for r in rs))
        assert [dict(r.headers)["streamproc-dlq-reason"] for r in dlq] == [b"alert_too_large"]
        assert orjson.loads(dlq[0].value)["id"] == f"{run}-big"
        records = await consume_until(broker, f"{name}.alerts", lambda rs: len(rs) >= 1)
        assert [orjson.loads(r.value)["article"]["id"] for r in records] == [f"{run}-later"]
        assert "update_of" not in orjson.loads(records[0].value)
    finally:
        worker.stop()


async def test_expired_memory_is_deleted_from_the_real_table(broker: EmbeddedBroker, tmp_path: Path):
    """The expiry timer on the worker's real table: every key it wrote gets a tombstone on the table's
    changelog once both windows have passed (2 s and 1 s here; the timer then runs every second), and
    the same report alerts again."""
    run = uuid.uuid4().hex[:8]
    name = f"expiry-{run}"
    env = worker_env(broker, tmp_path / "data", STREAMPROC_APP_ID=name, STREAMPROC_TOPIC_ARTICLES=f"{name}.in",
                     STREAMPROC_TOPIC_ALERTS=f"{name}.alerts", STREAMPROC_TOPIC_DLQ=f"{name}.dlq",
                     STREAMPROC_DEDUP_WINDOW="2", STREAMPROC_DEDUP_EVENT_WINDOW="1")
    worker = WorkerProcess(broker, env, tmp_path / "worker.log")
    report = (f"{run}-a".encode(), orjson.dumps({"id": f"{run}-a", "text": REPORT.format(n="three", tail=""),
                                                  "language": "en"}))
    changelog = f"{name}-alert_dedupe-changelog"

    def written_and_deleted(records: list) -> tuple[set[bytes], set[bytes]]:  # type: ignore[type-arg]
        written = {r.key for r in records if r.value is not None}
        return written, {r.key for r in records if r.value is None}

    try:
        worker.wait_ready()
        await produce(broker, [report], topic=f"{name}.in")
        await asyncio.to_thread(wait_processed, worker, 1)
        records = await consume_until(broker, changelog, lambda rs: bool(written_and_deleted(rs)[0])
                                      and written_and_deleted(rs)[0] <= written_and_deleted(rs)[1], timeout=30)
        written, deleted = written_and_deleted(records)
        assert written and written <= deleted, (written, deleted)
        await produce(broker, [report], topic=f"{name}.in")  # remembered no more: it alerts again
        await asyncio.to_thread(wait_processed, worker, 2)
        alerts = await consume_until(broker, f"{name}.alerts", lambda rs: len(rs) >= 2, timeout=15)
        assert len(alerts) == 2
    finally:
        worker.stop()
