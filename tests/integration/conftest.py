"""Real parts: a Tansu broker process, a streamproc worker process, a real HTTP webhook receiver.

One broker and one worker serve the whole session (a consumer group joins in a few seconds with the
short timeouts set here); tests use unique article ids and filter what they read by them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streamproc.broker.embedded import EmbeddedBroker, free_port
from streamproc.publish.webhooks.signing import generate_secret

pytestmark = pytest.mark.integration


class Receiver:
    """A real threaded HTTP server on 127.0.0.1 recording every POST."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()


def wait_until_ready(url: str, proc: subprocess.Popen[bytes], log_path: Path, what: str,
                     timeout: float, interval: float = 0.25) -> None:
    """Poll ``url`` until it answers 200; fail with the process's log if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} died:\n{log_path.read_text()[-3000:]}"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready:\n{log_path.read_text()[-3000:]}")


class WorkerProcess:
    def __init__(self, broker: EmbeddedBroker, env: dict[str, str], log_path: Path) -> None:
        self.broker = broker
        self.web_port = int(env["STREAMPROC_WEB_PORT"])
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "streamproc", "worker"], env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        wait_until_ready(f"{self.base_url}/ready", self.proc, self.log_path, "worker", timeout)

    def metrics(self) -> str:
        return httpx.get(f"{self.base_url}/metrics", timeout=5).text

    def processed(self) -> int:
        """Articles the worker has finished (every outcome); -1 while its web server does not answer."""
        try:
            text = self.metrics()
        except httpx.HTTPError:
            return -1
        return int(sum(float(v) for v in re.findall(r"^streamproc_articles_processed_total\{[^}]*\} (\S+)$",
                                                     text, re.MULTILINE)))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with EmbeddedBroker(log_file=log) as b:
        yield b


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="session")
def webhook_secret() -> str:
    return generate_secret()


def worker_env(broker: EmbeddedBroker, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMPROC_")}
    env.update({
        "STREAMPROC_BROKER": broker.url,
        "STREAMPROC_WEB_PORT": str(free_port()),
        "STREAMPROC_WEB_BIND": "127.0.0.1",
        "STREAMPROC_DATA_DIR": str(data_dir),
        "STREAMPROC_TOPIC_PARTITIONS": "4",
        "STREAMPROC_SESSION_TIMEOUT": "6",
        "STREAMPROC_REBALANCE_TIMEOUT": "6",
        "STREAMPROC_HEARTBEAT_INTERVAL": "1",
        # STREAMPROC_TEST_WORKER_LOG_LEVEL=debug (with DEVLOG=1 for Faust's dev logs) when chasing a race.
        "STREAMPROC_LOG_LEVEL": os.environ.get("STREAMPROC_TEST_WORKER_LOG_LEVEL", "info"),
        # These workers are fed the same texts over and over (each test, each round) to test other
        # things; duplicate suppression is tested on its own (test_dedupe.py) with the defaults.
        "STREAMPROC_DEDUP_WINDOW": "0",
        # One record per produced batch: Tansu 0.6 under-reports end offsets after multi-record
        # batches (see STREAMPROC_PRODUCER_BATCH_BYTES); the embedded default sets this itself.
        "STREAMPROC_PRODUCER_BATCH_BYTES": "1",
        # Logs of a SIGKILLed worker must not die in its stdout buffer: they are the evidence.
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def worker(broker: EmbeddedBroker, receiver: Receiver, webhook_secret: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    tmp = tmp_path_factory.mktemp("worker")
    env = worker_env(broker, tmp / "data", STREAMPROC_WEBHOOK_URLS=receiver.url,
                     STREAMPROC_WEBHOOK_SECRET=webhook_secret, STREAMPROC_WEBHOOK_RETRY_DELAYS="0.2,0.5",
                     STREAMPROC_MAX_MESSAGE_BYTES=str(64 * 1024))
    w = WorkerProcess(broker, env, tmp / "worker.log")
    try:
        w.wait_ready()
        yield w
    finally:
        w.stop()


async def produce(broker: EmbeddedBroker, messages: list[tuple[bytes | None, bytes]],
                  topic: str = "articles") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=8 * 1024 * 1024)
    await producer.start()
    try:
        for key, value in messages:
            await (await producer.send(topic, key=key, value=value))
    finally:
        await producer.stop()


async def consume_until(broker: EmbeddedBroker, topic: str, done: Callable[[list[Any]], bool],
                        timeout: float = 30.0) -> list[Any]:
    """Read ``topic`` from the start until ``done(records)`` or the timeout; return the records."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                                group_id=None, max_partition_fetch_bytes=8 * 1024 * 1024,
                                fetch_max_bytes=16 * 1024 * 1024)
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while not done(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return records


def article(article_id: str, text: str, **fields: Any) -> tuple[bytes, bytes]:
    return article_id.encode(), orjson.dumps({"id": article_id, "text": text, **fields})


def alerts_for(records: list[Any], ids: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for r in records:
        a = json.loads(r.value)
        if a["article"]["id"] in ids:
            out[a["article"]["id"]] = a
    return out


__all__ = [
    "Receiver",
    "WorkerProcess",
    "alerts_for",
    "article",
    "asyncio",
    "consume_until",
    "produce",
    "worker_env",
]
