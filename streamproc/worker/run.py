"""Start a worker: validate data, start the embedded broker if needed, run Faust until stopped."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import faust

from streamproc.broker.embedded import EmbeddedBroker
from streamproc.config import Settings
from streamproc.observability import metrics
from streamproc.pipeline import Pipeline
from streamproc.publish.webhooks.dispatcher import WebhookDispatcher
from streamproc.publish.webhooks.subscribers import load_subscribers
from streamproc.worker.agents import install_agent
from streamproc.worker.app import create_app
from streamproc.worker.views import install_views

log = logging.getLogger("streamproc.worker")


def build_pipeline(settings: Settings) -> Pipeline:
    kwargs = {}
    if settings.rules_dir:
        kwargs["rules_dir"] = Path(settings.rules_dir)
    if settings.entities_dir:
        kwargs["entities_dir"] = Path(settings.entities_dir)
    return Pipeline(max_bytes=settings.max_message_bytes, **kwargs)


def build_worker(settings: Settings, broker_url: str) -> faust.Worker:
    """The Faust app with the agent, views and the webhook dispatcher wired in."""
    pipeline = build_pipeline(settings)
    for lang, rules in pipeline.classifier.rules.items():
        metrics.RULE_TERMS.labels(lang).set(rules.term_count)
    subscribers = load_subscribers(settings)
    dispatcher = WebhookDispatcher(subscribers, timeout=settings.webhook_timeout,
                                   retry_delays=settings.webhook_retry_delays,
                                   queue_size=settings.webhook_queue_size) if subscribers else None
    app, topics = create_app(settings, broker_url)
    install_agent(app, topics, pipeline, dispatcher)
    install_views(app)
    if dispatcher is not None:
        @app.task
        async def start_webhooks() -> None:
            await dispatcher.start()

        @app.on_before_shutdown.connect
        async def stop_webhooks(app: faust.App, **kwargs: object) -> None:
            await dispatcher.stop()

    log.info("streamproc worker: languages %s, %d entities, %d webhook subscriber(s), topics %s -> %s "
             "(dead letters: %s)", ",".join(pipeline.languages), len(pipeline.gazetteer), len(subscribers),
             settings.topic_articles, settings.topic_alerts, settings.topic_dlq)
    return faust.Worker(app, loglevel=settings.log_level.upper(), redirect_stdouts=False)


def run_worker(settings: Settings) -> int:
    broker: EmbeddedBroker | None = None
    broker_url = settings.broker
    if settings.uses_embedded_broker:
        broker = EmbeddedBroker().start()
        broker_url = broker.url
    try:
        worker = build_worker(settings, broker_url)
        try:
            worker.execute_from_commandline()
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0
    finally:
        if broker is not None:
            broker.stop()


def main() -> None:
    sys.exit(run_worker(Settings.from_env()))
