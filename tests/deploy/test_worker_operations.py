"""Operations on a real worker process: JSON logs, graceful shutdown on SIGTERM, readiness when the
broker goes away.

The shutdown and broker-loss tests run their own worker (own consumer group and topics, so the session
worker is not disturbed); /health and /ready are also checked on the session worker.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from streamproc.broker.embedded import EmbeddedBroker
from streamproc.pipeline import Pipeline
from tests.deploy.test_live_prometheus import demo_feed, worker_total
from tests.integration.conftest import Receiver, WorkerProcess, produce, worker_env

pytestmark = pytest.mark.integration


def start_worker(broker: EmbeddedBroker, tmp: Path, run: str, **extra: str) -> WorkerProcess:
    env = worker_env(broker, tmp / "data", STREAMPROC_APP_ID=f"ops-{run}",
                     STREAMPROC_TOPIC_ARTICLES=f"articles-{run}", STREAMPROC_TOPIC_ALERTS=f"alerts-{run}",
                     STREAMPROC_TOPIC_DLQ=f"dlq-{run}", STREAMPROC_LOG_FORMAT="json", **extra)
    worker = WorkerProcess(broker, env, tmp / "worker.log")
    worker.wait_ready()
    return worker


def kill(worker: WorkerProcess, grace: float = 5.0) -> None:
    if worker.proc.poll() is None:
        worker.proc.terminate()
        try:
            worker.proc.wait(grace)
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            worker.proc.wait(5)
    worker._log.close()


async def read_topic(broker: EmbeddedBroker, topic: str) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                                group_id=None, enable_auto_commit=False)
    await consumer.start()
    records: list[Any] = []
    try:
        quiet = 0
        while quiet < 3:
            batch = await consumer.getmany(timeout_ms=300)
            got = [r for recs in batch.values() for r in recs]
            records.extend(got)
            quiet = 0 if got else quiet + 1
    finally:
        await consumer.stop()
    return records


async def committed_offsets(broker: EmbeddedBroker, group: str, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        return {p: (await consumer.committed(TopicPartition(topic, p))) or 0 for p in sorted(partitions)}
    finally:
        await consumer.stop()


def test_sigterm_finishes_in_flight_work_commits_and_exits_0(broker: EmbeddedBroker, receiver: Receiver,
                                                             webhook_secret: str, pipeline: Pipeline,
                                                             tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    worker = start_worker(broker, tmp_path, run, STREAMPROC_WEBHOOK_URLS=receiver.url,
                          STREAMPROC_WEBHOOK_SECRET=webhook_secret, STREAMPROC_WEBHOOK_RETRY_DELAYS="0.2")
    try:
        health = httpx.get(f"{worker.base_url}/health", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        messages = [m for i in range(15) for m in demo_feed(f"{run}-{i}")]  # 240 messages
        asyncio.run(produce(broker, messages, topic=f"articles-{run}"))
        deadline = time.monotonic() + 30
        while worker_total(worker, "streamproc_articles_received_total") < 1:  # processing has begun
            assert time.monotonic() < deadline, "the worker consumed nothing"
            time.sleep(0.02)
        worker.proc.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        code = worker.proc.wait(30)
        took = time.monotonic() - stopped
    finally:
        kill(worker)
    log_lines = worker.log_path.read_text("utf-8").splitlines()
    assert code == 0, "\n".join(log_lines[-30:])
    assert took < 30

    # STREAMPROC_LOG_FORMAT=json: every line the worker wrote is one JSON object (no blank lines, no
    # banner, no raw tracebacks).
    records = [json.loads(ln) for ln in log_lines]
    assert all({"ts", "level", "logger", "message"} <= set(r) for r in records)
    summary = next(r for r in records if r["message"].startswith("streamproc worker stopped"))
    consumed, published, dead = summary["articles_received"], summary["alerts_published"], summary["dead_letters"]
    assert consumed >= 1 and summary["exit_code"] == 0

    # Everything consumed was finished and committed: no event half done.
    committed = asyncio.run(committed_offsets(broker, f"ops-{run}", f"articles-{run}"))
    assert sum(committed.values()) == consumed, (committed, consumed)
    articles = asyncio.run(read_topic(broker, f"articles-{run}"))
    done = [r for r in articles if r.offset < committed.get(r.partition, 0)]
    assert len(done) == consumed
    outcomes = [pipeline.process(r.value) for r in done]
    expected_alerts = sorted(o.article.id for o in outcomes if o.kind == "alert" and o.article)
    alerts = asyncio.run(read_topic(broker, f"alerts-{run}"))
    assert sorted(json.loads(r.value)["article"]["id"] for r in alerts) == expected_alerts
    assert len(alerts) == published
    dead_letters = asyncio.run(read_topic(broker, f"dlq-{run}"))
    assert len(dead_letters) == dead == sum(1 for o in outcomes if o.kind == "dead_letter")

    # No webhook went out for an alert that is not on the alerts topic. (Deliveries still pending at
    # shutdown are not checked: they are the webhook engine's to finish, on this worker or the next.)
    delivered = set()
    for _, body in list(receiver.requests):
        try:
            delivered.add(json.loads(body)["data"]["article"]["id"])
        except (ValueError, KeyError, TypeError):
            continue
    assert {i for i in delivered if f"-{run}-" in i} <= set(expected_alerts)


def test_ready_turns_503_when_the_broker_goes_away(tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    lonely = EmbeddedBroker(log_file=tmp_path / "tansu.log").start()
    worker = None
    try:
        worker = start_worker(lonely, tmp_path, run)
        body = httpx.get(f"{worker.base_url}/ready", timeout=5).json()
        assert body["ready"] is True and body["broker"] is True and body["topics"].get(f"articles-{run}")
        lonely.stop(grace=0.5)
        deadline = time.monotonic() + 20
        while True:
            response = httpx.get(f"{worker.base_url}/ready", timeout=5)
            if response.status_code == 503:
                break
            assert time.monotonic() < deadline, f"/ready still says {response.json()} without a broker"
            time.sleep(0.2)
        body = response.json()
        assert body["ready"] is False and body["broker"] is False and body["reason"]
        health = httpx.get(f"{worker.base_url}/health", timeout=5)
        assert health.status_code == 200, "liveness does not depend on the broker"
    finally:
        if worker is not None:
            # Without a broker Faust's shutdown waits on its consumer thread: don't wait for it here.
            kill(worker, grace=1)
        lonely.stop(grace=0.5)
    # Even the consumer thread's crash when the broker vanished is logged as JSON, not a raw traceback.
    text = worker.log_path.read_text("utf-8")
    complete = text[: text.rfind("\n") + 1].splitlines()  # a SIGKILL can cut the last line short
    records = [json.loads(line) for line in complete if line.strip()]
    assert any(r["level"] == "error" for r in records)


def test_health_and_ready_on_the_real_worker(worker: WorkerProcess) -> None:
    health = httpx.get(f"{worker.base_url}/health", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = httpx.get(f"{worker.base_url}/ready", timeout=5)
    body = ready.json()
    assert ready.status_code == 200 and body["ready"] is True and body["broker"] is True
    assert body["topics"].get("articles", 0) >= 1 and body["partitions"] >= body["topics"]["articles"]


def test_faust_table_and_router_pages_are_not_served(worker: WorkerProcess) -> None:
    """Faust serves /table/{name}/{key}/ to anyone by default: the subscriptions table's records carry
    the webhook signing secrets. Only the project's own views (and /metrics) are on the port."""
    for path in ("/table/", "/table/webhook_subscriptions/", "/table/webhook_subscriptions/any/",
                 "/router/", "/router/webhook_subscriptions/any/"):
        r = httpx.get(f"{worker.base_url}{path}", timeout=5)
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert httpx.get(f"{worker.base_url}/metrics", timeout=5).status_code == 200
