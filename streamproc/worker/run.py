"""Start a worker: validate data, start the embedded broker if needed, run Faust until stopped."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import faust

from streamproc.broker.embedded import EmbeddedBroker
from streamproc.config import RECORD_HEADROOM, Settings
from streamproc.observability import logging as logformat
from streamproc.observability import metrics
from streamproc.pipeline import Pipeline
from streamproc.publish.webhooks.delivery import RetrySchedule
from streamproc.publish.webhooks.engine import WebhookEngine
from streamproc.publish.webhooks.sender import Sender
from streamproc.publish.webhooks.subscribers import load_subscribers
from streamproc.worker.agents import install_agent, send_durably
from streamproc.worker.app import create_app
from streamproc.worker.dedupe import install_dedupe
from streamproc.worker.runner import BatchRunner
from streamproc.worker.subscriptions import SubscriptionStore, install_subscription_views
from streamproc.worker.views import install_views

log = logging.getLogger("streamproc.worker")


def build_pipeline(settings: Settings) -> Pipeline:
    kwargs = {}
    if settings.rules_dir:
        kwargs["rules_dir"] = Path(settings.rules_dir)
    if settings.entities_dir:
        kwargs["entities_dir"] = Path(settings.entities_dir)
    return Pipeline(max_bytes=settings.max_message_bytes, **kwargs)


def build_worker(settings: Settings, broker_url: str) -> Worker:
    """The Faust app with the agent, views, the webhook subscriptions and delivery agents wired in."""
    pipeline = build_pipeline(settings)
    for lang, rules in pipeline.classifier.rules.items():
        metrics.RULE_TERMS.labels(lang).set(rules.term_count)
    subscribers = load_subscribers(settings)
    app, topics = create_app(settings, broker_url)
    webhooks = install_webhooks(app, settings, broker_url, subscribers)
    runner = BatchRunner(pipeline, settings)

    @app.task
    async def start_runner() -> None:  # batches taken before the processes are up run in a thread
        await runner.start()

    @app.on_before_shutdown.connect
    async def stop_runner(app: faust.App, **kwargs: object) -> None:
        runner.stop()

    install_agent(app, topics, runner, webhooks, batch_size=settings.batch_size,
                  batch_wait=settings.batch_wait_ms / 1000, dedupe=install_dedupe(app, settings),
                  max_message_bytes=settings.max_message_bytes, batch_bytes=settings.batch_max_bytes)
    install_views(app)

    log.info("streamproc worker: languages %s, %d entities, %d webhook subscriber(s), topics %s -> %s "
             "(dead letters: %s)", ",".join(pipeline.languages), len(pipeline.gazetteer), len(subscribers),
             settings.topic_articles, settings.topic_alerts, settings.topic_dlq)
    return faust_worker(app, settings)


EXIT_SHUTDOWN_TIMEOUT = 3


class Worker(faust.Worker):
    """Faust's worker, with a bound on how long a stop may take.

    Faust stops by committing and closing its Kafka clients; with the broker unreachable that never
    ends, and SIGTERM alone left the process running until someone sent SIGKILL. After
    ``shutdown_timeout`` seconds a watchdog thread logs why, runs ``on_forced_exit`` (the embedded
    broker is stopped there) and exits with :data:`EXIT_SHUTDOWN_TIMEOUT`. Nothing is lost: what was
    not committed is consumed again by the next worker (at-least-once, same alert ids).
    """

    shutdown_timeout: float = 30.0
    on_forced_exit: Callable[[], None] | None = None

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(logger, level)
        logformat.redact_secrets(logger)  # debug logs of aiokafka carry the subscriptions' secrets

    def _schedule_shutdown(self, signal: signal.Signals) -> None:
        first = not self._signal_stop_time
        super()._schedule_shutdown(signal)
        if first and self.shutdown_timeout > 0:
            threading.Thread(target=self._exit_after_timeout, name="streamproc-shutdown-watchdog",
                             daemon=True).start()

    def _exit_after_timeout(self) -> None:
        time.sleep(self.shutdown_timeout)
        log.error("shutdown did not finish within %.0f s (is the broker reachable?): exiting now; what was not "
                  "committed will be consumed again", self.shutdown_timeout)
        try:
            if self.on_forced_exit is not None:
                self.on_forced_exit()
        finally:
            logging.shutdown()
            os._exit(EXIT_SHUTDOWN_TIMEOUT)


def faust_worker(app: faust.App, settings: Settings) -> Worker:
    logging_config = logformat.logging_config(settings.log_level, settings.log_format)
    # JSON logs: also silence Faust's console chatter (banner), which is not JSON.
    worker = Worker(app, loglevel=settings.log_level.upper(), redirect_stdouts=False,
                    logging_config=logging_config, quiet=logging_config is not None)
    worker.shutdown_timeout = settings.shutdown_timeout
    # Faust's start-up spinner sets the root logger to DEBUG "so that it spins for every log message":
    # every debug call in Faust and aiokafka then builds a log record that the handler throws away
    # (several per Kafka send). Without it the root logger keeps STREAMPROC_LOG_LEVEL.
    worker.spinner = None
    return worker


def install_webhooks(app: faust.App, settings: Settings, broker_url: str, bootstrap: list) -> WebhookEngine:
    """Subscriptions table and API, and the delivery agents (see :mod:`streamproc.publish.webhooks.engine`)."""
    store = SubscriptionStore(app, settings, bootstrap)
    install_subscription_views(app, store, settings)
    sender = Sender(settings.webhook_timeout, allow_loopback=settings.webhook_allow_loopback,
                    allow_http=settings.webhook_allow_http)
    engine = WebhookEngine(app, store, sender, RetrySchedule(settings.webhook_retry_delays), send_durably,
                           prefix=settings.webhook_topic_prefix, partitions=settings.topic_partitions,
                           concurrency=settings.webhook_concurrency, queue_size=settings.webhook_queue_size,
                           max_record_bytes=settings.max_message_bytes - RECORD_HEADROOM)
    engine.install()

    @app.task
    async def load_subscriptions() -> None:
        await store.catch_up(settings.bootstrap_servers(broker_url))

    return engine


def log_stopped(code: int) -> None:
    """One line once the worker has stopped (after Faust finished the events in flight and committed)."""
    counts = {"articles_received": int(metrics.counter_total(metrics.ARTICLES_RECEIVED)),
              "alerts_published": int(metrics.counter_total(metrics.ALERTS_PUBLISHED)),
              "dead_letters": int(metrics.counter_total(metrics.DEAD_LETTERS))}
    log.info("streamproc worker stopped (exit %d): %d articles consumed, %d alerts published, %d dead-lettered",
             code, *counts.values(), extra={"exit_code": code, **counts})


def run_worker(settings: Settings) -> int:
    try:
        logformat.configure(settings.log_level, settings.log_format)
    except ValueError as exc:  # an unknown STREAMPROC_LOG_FORMAT
        print(f"streamproc: {exc}", file=sys.stderr)
        return 2
    broker: EmbeddedBroker | None = None
    broker_url = settings.broker
    if settings.uses_embedded_broker:
        broker = EmbeddedBroker().start()
        broker_url = broker.url
        if not settings.producer_batch_bytes:  # see STREAMPROC_PRODUCER_BATCH_BYTES
            settings = replace(settings, producer_batch_bytes=1)
    try:
        worker = build_worker(settings, broker_url)
        if broker is not None:
            worker.on_forced_exit = broker.stop
        try:
            worker.execute_from_commandline()
        except SystemExit as exc:
            code = int(exc.code or 0)
        else:
            code = 0
        log_stopped(code)
        return code
    finally:
        if broker is not None:
            broker.stop()


def main() -> None:
    sys.exit(run_worker(Settings.from_env()))
