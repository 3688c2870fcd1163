"""Build the Faust app and its topics from :class:`~streamproc.config.Settings`.

Topics are declared with the ``raw`` serializer on purpose: a value that fails Faust's own
deserialisation kills the agent, so bytes come in untouched and :mod:`streamproc.ingest` decodes them,
sending anything bad to the dead-letter topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from streamproc.config import Settings
from streamproc.worker.guards import guard_topics

#: Record batches of up to 512 KiB (Faust's default is 16 KiB): a batch of alerts or webhook tasks for one
#: partition then travels in one request instead of one request per three or four records, and the
#: batch stays under Kafka's default 1 MB message size limit.
DEFAULT_PRODUCER_BATCH_BYTES = 512 * 1024


@dataclass
class Topics:
    articles: faust.TopicT
    alerts: faust.TopicT
    dlq: faust.TopicT


def create_app(settings: Settings, broker_url: str) -> tuple[faust.App, Topics]:
    app = faust.App(
        settings.app_id,
        broker=broker_url,
        web_port=settings.web_port,
        web_bind=settings.web_bind,
        web_host="127.0.0.1" if settings.web_bind in ("0.0.0.0", "127.0.0.1") else settings.web_bind,
        datadir=settings.data_dir,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        broker_session_timeout=settings.session_timeout,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        consumer_auto_offset_reset="earliest",
        # Oversized payloads are read (to be dead-lettered), so fetch and produce must allow them.
        consumer_max_fetch_size=max(4 * settings.max_message_bytes, 4 * 1024 * 1024),
        producer_max_request_size=max(2 * settings.max_message_bytes + 65536, 4 * 1024 * 1024),
        producer_acks=-1,
        broker_commit_every=100,
        broker_commit_interval=timedelta(seconds=1),
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=True,
        # Faust's own /table and /router pages answer anyone on the web port: /table would show the
        # webhook subscriptions table's records, signing secrets included.
        web_tables_enabled=False,
        web_router_enabled=False,
        producer_max_batch_size=settings.producer_batch_bytes or DEFAULT_PRODUCER_BATCH_BYTES,
        logging_config=None,
    )
    app._streamproc_fetch_max_wait_ms = settings.fetch_max_wait_ms  # type: ignore[attr-defined]
    app._streamproc_fetch_min_bytes = settings.fetch_min_bytes  # type: ignore[attr-defined]
    _patch_fetch_settings()
    # Faust's sensor uses the default registry, where the project's own metrics live too.
    setup_prometheus_sensors(app, pattern="/metrics", name_prefix="faust")
    topics = Topics(
        articles=app.topic(settings.topic_articles, key_type=bytes, value_type=bytes,
                           key_serializer="raw", value_serializer="raw"),
        alerts=app.topic(settings.topic_alerts, key_serializer="raw", value_serializer="raw"),
        dlq=app.topic(settings.topic_dlq, key_serializer="raw", value_serializer="raw"),
    )
    guard_topics(app, [settings.topic_articles])
    return app, topics


def _patch_fetch_settings() -> None:
    """Make the worker consumer's ``fetch_max_wait_ms`` and ``fetch_min_bytes`` configurable (Faust
    hard-codes 1500 ms and leaves Kafka's 1 byte).

    Why they matter: a broker may hold a fetch until the wait is over even when data arrives (Tansu
    does), and the fetch in flight then delays every article by up to 1.5 s; and a fetch answered as
    soon as one record is there makes the fetch rate, not the article rate, set the worker's and the
    broker's CPU. Patched on the consumer object before it starts; a test fails if a Faust upgrade
    moves the attributes.
    """
    original = AIOKafkaConsumerThread._create_worker_consumer
    if getattr(original, "_streamproc_patched", False):
        return

    def create(self: AIOKafkaConsumerThread, transport: object) -> object:
        consumer = original(self, transport)  # type: ignore[arg-type]
        wait = getattr(self.app, "_streamproc_fetch_max_wait_ms", None)
        if wait is not None:
            consumer._fetch_max_wait_ms = int(wait)
        least = getattr(self.app, "_streamproc_fetch_min_bytes", None)
        if least is not None:
            consumer._fetch_min_bytes = int(least)
        return consumer

    create._streamproc_patched = True  # type: ignore[attr-defined]
    AIOKafkaConsumerThread._create_worker_consumer = create  # type: ignore[method-assign]
