"""Nothing lost under faults, counted exactly, on the real broker with real worker processes.

Each test streams 10,000 articles (short ones, so the suite stays fast; a mix that alerts and that
does not), computes with the pure pipeline which of them must alert, injects a fault, and then
checks the alerts topic: every expected article has its alert, none that should not, and an article
seen twice (a redelivery) only ever repeats the same ``alert_id``.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from streamproc.broker.embedded import EmbeddedBroker, free_port
from streamproc.config import Settings
from streamproc.worker.run import build_pipeline
from tests.integration.conftest import WorkerProcess, consume_until, worker_env
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration

N = 10_000
ESCALATING = [
    ("en", "Artillery shelling killed {n} soldiers near the border village on Tuesday, officials said."),
    ("en", "A drone strike hit a convoy near the town, wounding {n} people, the army said."),
    ("ar", "قصف مدفعي أسفر عن مقتل {n} جنود على الحدود."),
    ("ru", "Обстрел позиций: погибли {n} военных, сообщили в штабе."),
]
QUIET = [
    ("en", "The central bank kept interest rates unchanged on Tuesday ({n} basis points)."),
    ("es", "El festival de cine abrió sus puertas con {n} películas."),
]


def stream_articles(run: str) -> list[tuple[bytes, bytes]]:
    """Two in three articles escalate."""
    out = []
    for i in range(N):
        pool = ESCALATING if i % 3 else QUIET
        lang, text = pool[i % len(pool)]
        aid = f"{run}-{i}"
        out.append((aid.encode(), orjson.dumps({"id": aid, "text": text.format(n=2 + i % 7), "language": lang})))
    return out


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return build_pipeline(Settings())


def expected_alerts(pipeline: Any, messages: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """article id -> alert_id, for every article the pipeline alerts on (it is deterministic)."""
    out = {}
    for _, value in messages:
        outcome = pipeline.process(value)
        if outcome.kind == "alert":
            out[outcome.alert["article"]["id"]] = outcome.alert["alert_id"]
    return out


class Group:
    """Workers of one app id (one consumer group) on their own topics."""

    def __init__(self, broker: EmbeddedBroker, tmp: Path, name: str) -> None:
        self.broker = broker
        self.tmp = tmp
        self.topics = (f"{name}.articles", f"{name}.alerts")
        self.env = worker_env(broker, tmp / "data", STREAMPROC_APP_ID=name, STREAMPROC_TOPIC_ARTICLES=self.topics[0],
                              STREAMPROC_TOPIC_ALERTS=self.topics[1], STREAMPROC_TOPIC_DLQ=f"{name}.dlq",
                              STREAMPROC_TOPIC_PARTITIONS="8", STREAMPROC_BATCH_SIZE="100")
        self.started = 0
        self.workers: list[WorkerProcess] = []

    def start(self) -> WorkerProcess:
        self.started += 1
        env = dict(self.env)
        env["STREAMPROC_WEB_PORT"] = str(free_port())
        env["STREAMPROC_DATA_DIR"] = str(self.tmp / f"data-{self.started}")
        w = WorkerProcess(self.broker, env, self.tmp / f"worker-{self.started}.log")
        w.wait_ready(90)
        self.workers.append(w)
        return w

    def stop_all(self) -> None:
        for w in self.workers:
            if w.proc.poll() is None:
                w.stop()


async def produce_stream(broker: EmbeddedBroker, topic: str, messages: list[tuple[bytes, bytes]],
                         chunk: int = 500, pause: float = 0.2) -> None:
    """Produce in chunks (each chunk's sends in flight together), pausing between chunks: a stream
    the worker is consuming while it is still being written."""
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=5)
    await producer.start()
    try:
        for i in range(0, len(messages), chunk):
            futs = [await producer.send(topic, key=k, value=v) for k, v in messages[i:i + chunk]]
            await asyncio.gather(*futs)
            await asyncio.sleep(pause)
    finally:
        await producer.stop()


async def wait_processed(workers: list[WorkerProcess], at_least: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total = sum(max(0, w.processed()) for w in workers if w.proc.poll() is None)
        if total >= at_least:
            return total
        await asyncio.sleep(0.1)
    raise TimeoutError(f"fewer than {at_least} articles processed")


async def check_all_alerts(broker: EmbeddedBroker, topic: str, expected: dict[str, str],
                           timeout: float = 180) -> tuple[int, int]:
    """Read the alerts topic until every expected article has an alert; return (records, duplicates)."""
    seen: dict[str, set[str]] = defaultdict(set)

    def done(records: list[Any]) -> bool:
        for r in records[done.upto:]:  # type: ignore[attr-defined]
            a = orjson.loads(r.value)
            seen[a["article"]["id"]].add(a["alert_id"])
        done.upto = len(records)  # type: ignore[attr-defined]
        return expected.keys() <= seen.keys()

    done.upto = 0  # type: ignore[attr-defined]
    records = await consume_until(broker, topic, done, timeout=timeout)
    done(records)
    missing = expected.keys() - seen.keys()
    assert not missing, f"{len(missing)} escalating articles have no alert, e.g. {sorted(missing)[:5]}"
    unexpected = seen.keys() - expected.keys()
    assert not unexpected, f"alerts for articles that should not alert: {sorted(unexpected)[:5]}"
    changed = {aid: ids for aid, ids in seen.items() if ids != {expected[aid]}}
    assert not changed, f"a redelivered article changed alert_id: {list(changed.items())[:3]}"
    return len(records), len(records) - len(seen)


async def test_sigkill_mid_stream_loses_no_alert(broker: EmbeddedBroker, pipeline: Any, tmp_path: Path):
    run = uuid.uuid4().hex[:8]
    group = Group(broker, tmp_path, f"rel-kill-{run}")
    messages = stream_articles(run)
    expected = expected_alerts(pipeline, messages)
    try:
        first = group.start()
        producing = asyncio.create_task(produce_stream(broker, group.topics[0], messages))
        done_at_kill = await wait_processed([first], N // 4, timeout=120)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
        assert done_at_kill < N, "the kill must land mid-stream"
        group.start()
        await producing
        records, duplicates = await check_all_alerts(broker, group.topics[1], expected)
        print(f"SIGKILL: {N} articles, {len(expected)} expected alerts, killed after ~{done_at_kill} processed; "
              f"{records} alert records seen, {duplicates} redelivered duplicates (same alert_id), 0 missing")
    finally:
        group.stop_all()


async def test_a_worker_joining_and_leaving_mid_stream_loses_no_alert(broker: EmbeddedBroker, pipeline: Any,
                                                                      tmp_path: Path):
    run = uuid.uuid4().hex[:8]
    group = Group(broker, tmp_path, f"rel-join-{run}")
    messages = stream_articles(run)
    expected = expected_alerts(pipeline, messages)
    try:
        first = group.start()
        # A stream of ~500 articles/s for 20 s: slower than one worker, so it is still being written when the
        # second worker (a few seconds to start, a few more to join) gets its partitions.
        producing = asyncio.create_task(produce_stream(broker, group.topics[0], messages, chunk=250, pause=0.5))
        await wait_processed([first], N // 10, timeout=120)
        second = group.start()  # joins: the group rebalances while the first is busy
        await wait_processed([second], N // 50, timeout=120)  # it took partitions and worked on them
        by_second = second.processed()
        second.stop()  # leaves (SIGTERM): another rebalance mid-stream
        await producing
        records, duplicates = await check_all_alerts(broker, group.topics[1], expected)
        print(f"join/leave: {N} articles, {len(expected)} expected alerts, the second worker processed "
              f"{by_second} before leaving; {records} alert records, {duplicates} duplicates, 0 missing")
        assert by_second > 0, "the second worker took a share of the partitions"
    finally:
        group.stop_all()


async def test_twenty_seconds_without_the_broker_then_recovery_without_restart(pipeline: Any, tmp_path: Path):
    """A broker of its own, advertised on a proxy's port: every connection (the worker's, the test's)
    goes through the proxy, which drops them all and refuses new ones for 20 s."""
    proxy_port = free_port()
    with EmbeddedBroker(log_file=tmp_path / "tansu.log", advertised_port=proxy_port) as broker:
        proxy = TcpProxy(proxy_port, broker.port).start()
        try:
            run = uuid.uuid4().hex[:8]
            name = f"rel-net-{run}"
            group = Group(broker, tmp_path, name)
            group.env["STREAMPROC_BROKER"] = f"kafka://127.0.0.1:{proxy_port}"
            messages = stream_articles(run)
            expected = expected_alerts(pipeline, messages)
            await produce_stream(broker, group.topics[0], messages, pause=0)  # all in before the cut
            worker = group.start()
            before = await wait_processed([worker], N // 5, timeout=120)
            proxy.cut()
            await asyncio.sleep(5)  # what was already classified and sent settles
            early = worker.processed()
            assert early < N, "the cut came mid-stream"
            await asyncio.sleep(15)
            during = worker.processed()
            # Articles are counted once their results are acknowledged: a worker cut off from its broker
            # acknowledges nothing more (a batch or so may have been acknowledged as the cut came).
            assert during - early <= 100, "the cut really stopped the worker"
            proxy.heal()
            records, duplicates = await check_all_alerts(broker, group.topics[1], expected, timeout=240)
            assert worker.proc.poll() is None, "the worker recovered by itself, without a restart"
            assert group.started == 1
            print(f"network cut 20 s: {N} articles, {len(expected)} expected alerts, ~{before} processed before the "
                  f"cut, {early} -> {during} during it, worker alive throughout; {records} alert "
                  f"records, {duplicates} duplicates, 0 missing")
        finally:
            proxy.stop()
            group.stop_all()
