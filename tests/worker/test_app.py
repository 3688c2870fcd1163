"""The Faust app's settings that Faust itself does not expose."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from streamproc.config import Settings
from streamproc.worker.app import create_app


def test_fetch_max_wait_is_patched_onto_the_worker_consumer():
    """Faust hard-codes fetch_max_wait_ms=1500; we set it on the consumer before it starts. If a Faust or
    aiokafka upgrade renames what we touch, this fails rather than latency silently returning."""
    app, _ = create_app(Settings(fetch_max_wait_ms=20), "kafka://127.0.0.1:9")
    assert getattr(AIOKafkaConsumerThread._create_worker_consumer, "_streamproc_patched", False)
    assert app._streamproc_fetch_max_wait_ms == 20

    async def build() -> int:
        consumer = AIOKafkaConsumer(bootstrap_servers="127.0.0.1:9", fetch_max_wait_ms=1500)
        return consumer._fetch_max_wait_ms  # the attribute the patch overwrites

    assert asyncio.run(build()) == 1500


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
