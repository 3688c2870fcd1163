"""The consuming agent: one article at a time, publish before acknowledging.

* ``concurrency=1``: with more, Faust can commit past an event still in flight (faust-streaming #606).
* The pipeline never raises for bad input; any other exception in the loop body is caught per event
  and the article dead-lettered, because an exception escaping a Faust agent acks the event and
  loses it.
* Every Kafka send is awaited to the broker's acknowledgement before the loop moves on, and retried
  while the broker is unreachable, so an event's offset is committed only after its alert (or dead
  letter) is durably published: at-least-once. Redeliveries produce the same ``alert_id``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust
import orjson

from streamproc.ingest.dead_letter import dead_letter_headers
from streamproc.ingest.decode import Reason
from streamproc.observability import metrics
from streamproc.pipeline import Outcome, Pipeline
from streamproc.publish.cloudevents import alert_headers
from streamproc.publish.webhooks.engine import WebhookEngine
from streamproc.worker.app import Topics

log = logging.getLogger(__name__)

SEND_RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


async def send_durably(topic: faust.TopicT, key: bytes | None, value: bytes,
                       headers: dict[str, bytes] | None = None) -> None:
    """Send and wait for the broker's ack; retry (forever, with backoff) while it fails."""
    attempt = 0
    while True:
        try:
            fut = await topic.send(key=key, value=value, headers=headers)
            await fut
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - broker errors: keep the event, try again
            delay = SEND_RETRY_DELAYS[min(attempt, len(SEND_RETRY_DELAYS) - 1)]
            metrics.PUBLISH_RETRIES.labels(topic.get_topic_name()).inc()
            log.warning("send to %s failed (%s: %s); retrying in %.1fs", topic.get_topic_name(),
                        type(exc).__name__, exc, delay)
            attempt += 1
            await asyncio.sleep(delay)


def record_outcome(outcome: Outcome) -> None:
    """Count one processed article (bounded labels only)."""
    label = "skipped" if outcome.skipped else outcome.kind
    metrics.ARTICLES_PROCESSED.labels(label).inc()
    if outcome.language and outcome.classification is not None:
        metrics.ARTICLES_BY_LANGUAGE.labels(outcome.language).inc()
    for stage, seconds in outcome.timings.items():
        metrics.STAGE_SECONDS.labels(stage).observe(seconds)


def install_agent(app: faust.App, topics: Topics, pipeline: Pipeline,
                  webhooks: WebhookEngine | None) -> Any:
    """``webhooks``: the delivery engine; the agent publishes one delivery task per matching
    subscription (each awaited to the broker's ack) before it moves on, so webhooks are at-least-once
    from the alert on."""
    ce_source = f"/streamproc/{app.conf.id}"

    @app.agent(topics.articles, concurrency=1, name="streamproc.process_articles")
    async def process_articles(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            started = time.perf_counter()
            message = event.message
            metrics.ARTICLES_RECEIVED.inc()
            try:
                outcome = pipeline.process(event.value)
            except Exception as exc:  # noqa: BLE001 - Pipeline.process should not raise; belt and braces
                outcome = Outcome("dead_letter", reason=Reason.PROCESSING_ERROR, error=repr(exc))
            record_outcome(outcome)
            if outcome.kind == "dead_letter":
                assert outcome.reason is not None
                metrics.DEAD_LETTERS.labels(outcome.reason.value).inc()
                log.info("dead-lettered %s[%d]@%d: %s", message.topic, message.partition, message.offset,
                         outcome.error)
                headers = dead_letter_headers(outcome.reason, outcome.error or "", message.topic,
                                              message.partition, message.offset, message.key)
                await send_durably(topics.dlq, message.key, event.value or b"", headers)
            elif outcome.kind == "alert":
                alert = outcome.alert
                assert alert is not None and outcome.article is not None
                await send_durably(topics.alerts, outcome.article.id.encode(), orjson.dumps(alert),
                                   alert_headers(alert, ce_source))
                metrics.ALERTS_PUBLISHED.labels(alert["severity"]).inc()
                for cat in alert["categories"]:
                    metrics.ALERT_CATEGORIES.labels(cat["name"]).inc()
                metrics.count_alert_country(alert.get("primary_country"))
                metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
                if webhooks is not None:
                    await webhooks.fan_out(alert)

    return process_articles
