"""The Faust app's settings that Faust itself does not expose."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from streamproc.config import Settings
from streamproc.worker.app import create_app


def test_fetch_max_wait_and_min_bytes_are_patched_onto_the_worker_consumer():
    """Faust hard-codes fetch_max_wait_ms=1500 and leaves fetch_min_bytes at 1; we set both on the consumer
    before it starts. If a Faust or aiokafka upgrade renames what we touch, this fails rather than latency
    or polling cost silently returning."""
    app, _ = create_app(Settings(fetch_max_wait_ms=20, fetch_min_bytes=4096), "kafka://127.0.0.1:9")
    assert getattr(AIOKafkaConsumerThread._create_worker_consumer, "_streamproc_patched", False)
    assert (app._streamproc_fetch_max_wait_ms, app._streamproc_fetch_min_bytes) == (20, 4096)

    async def build() -> tuple[int, int]:
        consumer = AIOKafkaConsumer(bootstrap_servers="127.0.0.1:9", fetch_max_wait_ms=1500, fetch_min_bytes=1)
        return consumer._fetch_max_wait_ms, consumer._fetch_min_bytes  # the attributes the patch overwrites

    assert asyncio.run(build()) == (1500, 1)


def test_the_patched_factory_sets_both_on_the_consumer_faust_builds(monkeypatch):
    """The patch wraps Faust's factory: whatever consumer it returns leaves with our two values."""
    from streamproc.worker import app as app_module

    class Built:
        _fetch_max_wait_ms = 1500
        _fetch_min_bytes = 1

    class FakeThread:
        def __init__(self, app: object) -> None:
            self.app = app

    from types import SimpleNamespace

    # What create_app sets on the app (a second app in one process would register Faust's metrics twice).
    app = SimpleNamespace(_streamproc_fetch_max_wait_ms=30, _streamproc_fetch_min_bytes=8192)
    monkeypatch.setattr(AIOKafkaConsumerThread, "_create_worker_consumer", lambda self, transport: Built())
    app_module._patch_fetch_settings()  # wraps the stand-in factory
    consumer = AIOKafkaConsumerThread._create_worker_consumer(FakeThread(app), None)  # type: ignore[arg-type]
    assert (consumer._fetch_max_wait_ms, consumer._fetch_min_bytes) == (30, 8192)


def test_the_worker_keeps_the_configured_log_level():
    """Faust's spinner used to set the root logger to DEBUG, so every debug call in Faust and aiokafka built
    a record (several per Kafka send) that the handler then dropped."""
    import logging

    import faust

    from streamproc.worker.run import faust_worker

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        worker = faust_worker(faust.App("log-level-unit", broker="kafka://127.0.0.1:9"),
                              Settings(log_level="warning", log_format="text"))
        worker._setup_logging()
        assert root.level == logging.WARNING
        assert not logging.getLogger("aiokafka.producer.producer").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
