"""The consuming agent: batches, published before they are acknowledged.

* ``concurrency=1``: with more, Faust can commit past an event still in flight (faust-streaming #606).
* The pipeline never raises for bad input; any other exception in the loop body is caught per event
  and the article dead-lettered, because an exception escaping a Faust agent acks the event and
  loses it.
* Every Kafka send is awaited to the broker's acknowledgement, and retried while the broker is
  unreachable, before the events it comes from are acked (by hand, in order), so an event's offset is
  committed only after its alert (or dead letter) is durably published: at-least-once. Redeliveries
  produce the same ``alert_id``.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import time
from typing import Any

import faust
import orjson
from aiokafka.errors import MessageSizeTooLargeError

from streamproc.config import RECORD_HEADROOM
from streamproc.ingest.dead_letter import dead_letter
from streamproc.ingest.decode import Reason
from streamproc.observability import metrics
from streamproc.pipeline import Outcome
from streamproc.publish.cloudevents import alert_headers
from streamproc.publish.webhooks.engine import WebhookEngine
from streamproc.worker.app import Topics
from streamproc.worker.dedupe import DedupeStore
from streamproc.worker.guards import hand_ack
from streamproc.worker.runner import BatchRunner

log = logging.getLogger(__name__)

#: Batches taken but not yet acked: one being published, the next being classified, one filling.
MAX_BATCHES_IN_FLIGHT = 3

SEND_RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)
_PENDING = object()  # an article of a batch not yet published



class AlertTooLarge(ValueError):
    """An alert that no broker with the configured record size would take: sending it would be
    retried forever (a send is never given up), stalling the worker on one article."""


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
            if isinstance(exc, MessageSizeTooLargeError):
                # Nothing the worker writes is over STREAMPROC_MAX_MESSAGE_BYTES; the topic takes less.
                log.error("%s refuses a record of %d bytes: its max.message.bytes is below "
                          "STREAMPROC_MAX_MESSAGE_BYTES; raise the topic's limit or lower the setting (the "
                          "send is retried until then)", topic.get_topic_name(), len(value) + len(key or b""))
            log.warning("send to %s failed (%s: %s); retrying in %.1fs", topic.get_topic_name(),
                        type(exc).__name__, exc, delay)
            attempt += 1
            await asyncio.sleep(delay)


def record_outcome(outcome: Outcome) -> None:
    """Count one processed article (bounded labels only)."""
    label = "skipped" if outcome.skipped else outcome.kind
    metrics.ARTICLES_PROCESSED.labels(label).inc()
    if outcome.language and outcome.kind != "dead_letter" and not outcome.skipped:
        metrics.ARTICLES_BY_LANGUAGE.labels(outcome.language).inc()
    for stage, seconds in outcome.timings.items():
        metrics.STAGE_SECONDS.labels(stage).observe(seconds)


def observe_alert_age(record_timestamp: float | None, now: float) -> None:
    """Produce-to-alert latency as the worker sees it, from the article's Kafka record timestamp.

    Unlike ``streamproc_processing_seconds`` it counts the time the article waited in Kafka, so it is
    the figure a subscriber feels. The timestamp is the producer's clock (``CreateTime``) unless the
    topic uses ``LogAppendTime``; a producer clock ahead of ours would give a negative age, counted
    as 0. Records without a timestamp are not counted.
    """
    if record_timestamp is None or record_timestamp <= 0:
        return
    metrics.ALERT_AGE_SECONDS.observe(max(0.0, now - record_timestamp))


def observe_batch_wait(record_timestamps: list[float | None], now: float) -> None:
    """The *waiting* phase of a batch leaving for classification: from its oldest article's Kafka
    record timestamp (producer clock, as :func:`observe_alert_age`) to ``now``. Records without a
    timestamp are left out; a batch with none is not counted; a clock ahead counts as 0."""
    stamps = [t for t in record_timestamps if t is not None and t > 0]
    if stamps:
        metrics.BATCH_PHASE_SECONDS.labels("waiting").observe(max(0.0, now - min(stamps)))


def encode_alert(alert: dict[str, Any], max_bytes: int) -> bytes:
    """The alert's JSON, or :class:`AlertTooLarge` when it is over ``max_bytes``."""
    value = orjson.dumps(alert)
    if len(value) > max_bytes:
        raise AlertTooLarge(f"alert of {len(value):,} bytes is over the {max_bytes:,} a record may carry "
                            f"(STREAMPROC_MAX_MESSAGE_BYTES less {RECORD_HEADROOM:,}); "
                            f"{len(alert.get('entities') or ())} entities")
    return value


def install_agent(app: faust.App, topics: Topics, runner: BatchRunner,
                  webhooks: WebhookEngine | None, batch_size: int = 200, batch_wait: float = 0.005,
                  dedupe: DedupeStore | None = None, max_message_bytes: int = 1024 * 1024,
                  batch_bytes: int = 2 * 1024 * 1024) -> Any:
    """``webhooks``: the delivery engine; for each batch the agent publishes the delivery tasks of its
    alerts, one record per matching subscription (each awaited to the broker's ack), before it moves
    on, so webhooks are at-least-once from the alert on.

    Articles are grouped in batches; a batch is classified off the event loop (a thread, or
    classification processes: :mod:`streamproc.worker.runner`) while the previous one is published, so the loop
    keeps fetching, heart-beating and delivering webhooks meanwhile. Every alert and dead letter of a
    batch is sent at once and all the broker acks awaited together; only then are its events acked,
    by hand and in order, so offsets are committed after everything of the batch is published.

    A batch leaves once it holds ``batch_size`` articles or ``batch_bytes`` of them: a batch of 200
    articles of 1 MiB each would keep the classification process busy for minutes, and a rebalance
    waiting for the batches in flight would outlast the rebalance timeout (the worker then leaves the
    group, and its articles are processed twice).

    An alert over ``max_message_bytes`` (less :data:`RECORD_HEADROOM`) dead-letters its article as
    ``alert_too_large`` instead of being sent; a dead letter is cut to fit ``max_message_bytes``
    (:func:`streamproc.ingest.dead_letter.dead_letter`).
    """
    ce_source = f"/streamproc/{app.conf.id}"
    max_value_bytes = max_message_bytes - RECORD_HEADROOM

    async def publish(event: Any, outcome: Outcome, started: float) -> dict[str, Any] | None:
        """Send one article's result, awaited to the broker's ack; the alert, if any.

        The article is counted (``streamproc_articles_processed_total``) once its result is durable,
        so a reader that has seen the count can find the alert or dead letter on its topic."""
        message = event.message
        value = encode_alert(outcome.alert, max_value_bytes) if outcome.kind == "alert" and outcome.alert else b""
        if outcome.kind == "dead_letter":
            assert outcome.reason is not None
            metrics.DEAD_LETTERS.labels(outcome.reason.value).inc()
            log.info("dead-lettered %s[%d]@%d: %s", message.topic, message.partition, message.offset,
                     outcome.error)
            letter = dead_letter(event.value or b"", outcome.reason, outcome.error or "", message.topic,
                                 message.partition, message.offset, message.key, max_message_bytes)
            await send_durably(topics.dlq, letter.key, letter.value, letter.headers)
            count_sent(event, outcome, None, started)
            return None
        if outcome.kind != "alert":
            count_sent(event, outcome, None, started)  # nothing to send: counted, never dead-lettered
            return None
        alert = outcome.alert
        assert alert is not None and outcome.article is not None
        await send_durably(topics.alerts, outcome.article.id.encode(), value, alert_headers(alert, ce_source))
        count_sent(event, outcome, alert, started)
        return alert

    def count_sent(event: Any, outcome: Outcome, alert: dict[str, Any] | None, started: float) -> None:
        """The metrics of a result Kafka has acknowledged (or of an article with nothing to send). An
        error here must not reach ``publish_safely``: the article would be dead-lettered on top of its
        alert (or twice)."""
        try:
            record_outcome(outcome)
            if alert is None:
                return
            metrics.ALERTS_PUBLISHED.labels(alert["severity"]).inc()
            for cat in alert["categories"]:
                metrics.ALERT_CATEGORIES.labels(cat["name"]).inc()
            metrics.count_alert_country(alert.get("primary_country"))
            metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
            observe_alert_age(event.message.timestamp, time.time())
        except Exception:  # the result is published: only its counting failed
            log.exception("counting the published result of %s[%d]@%d failed", event.message.topic,
                          event.message.partition, event.message.offset)

    async def publish_safely(event: Any, outcome: Outcome, started: float) -> dict[str, Any] | None:
        try:
            return await publish(event, outcome, started)
        except asyncio.CancelledError:
            raise
        except AlertTooLarge as exc:
            failed = Outcome("dead_letter", reason=Reason.ALERT_TOO_LARGE, error=str(exc))
            return await publish(event, failed, started)
        except Exception as exc:
            log.exception("publishing the result of %s[%d]@%d failed", event.message.topic,
                          event.message.partition, event.message.offset)
            failed = Outcome("dead_letter", reason=Reason.PROCESSING_ERROR, error=f"{type(exc).__name__}: {exc}")
            return await publish(event, failed, started)

    def refuse_oversized(outcomes: list[Outcome]) -> None:
        """Dead-letter the alerts too large to send *before* duplicate screening, so that a smaller
        report of the same event in the same batch is not screened as a duplicate of an alert that
        is never sent. (The alert is encoded again to be sent: ~5 µs for a typical one.)"""
        for i, outcome in enumerate(outcomes):
            if outcome.kind == "alert" and outcome.alert is not None:
                try:
                    encode_alert(outcome.alert, max_value_bytes)
                except AlertTooLarge as exc:
                    outcomes[i] = Outcome("dead_letter", article=outcome.article, language=outcome.language,
                                          reason=Reason.ALERT_TOO_LARGE, error=str(exc))
                except Exception:  # noqa: BLE001, S110 - unencodable: publish_safely dead-letters it
                    pass

    async def publish_batch(events: list[Any], outcomes: list[Outcome], started: float,
                            done: dict[str, Any]) -> None:
        """Everything a batch produces, durably: alerts and dead letters, then webhook tasks, then
        the duplicate-suppression memory. Returns only when Kafka has acknowledged all of it.

        ``done`` remembers the steps (and the articles) already published, so that a batch tried again
        after an unexpected error re-does only what failed: it is neither sent nor counted twice."""
        now = time.time()
        if "screened" not in done:
            if dedupe is not None:
                refuse_oversized(outcomes)
            try:
                done["screened"] = dedupe.screen(outcomes, now) if dedupe is not None else []
            except Exception:  # a bug in suppression must not stop publishing
                log.exception("duplicate screening failed: the batch is published unscreened")
                done["screened"] = []
        screened = done["screened"]
        results: list[Any] = done.setdefault("alerts", [_PENDING] * len(events))

        async def publish_one(i: int) -> None:
            if results[i] is _PENDING:
                results[i] = await publish_safely(events[i], outcomes[i], started)

        # Every send settles before an error is raised: a retry must not send again what is still in flight.
        for failure in await asyncio.gather(*(publish_one(i) for i in range(len(events))), return_exceptions=True):
            if isinstance(failure, BaseException):
                raise failure
        alerts = [a for a in results if a is not None]
        if webhooks is not None and not done.get("fanned"):
            await webhooks.fan_out(alerts)
            done["fanned"] = True
        if dedupe is not None and screened:
            # Only now that Kafka has every alert and webhook task, and only the alerts that were
            # published: one dead-lettered instead (alert_too_large) must not suppress a later report.
            published = {id(a) for a in alerts}
            try:
                dedupe.commit([(o, seen) for o, seen in screened if id(o.alert) in published])
            except Exception:  # the batch is published: a failure to remember it must not hold its acks
                log.exception("remembering a batch for duplicate suppression failed")

    @app.agent(topics.articles, concurrency=1, name="streamproc.process_articles")
    async def process_articles(stream: faust.StreamT[bytes]) -> None:
        """Batches overlap: batch N+1 is classified (thread or classification process) while batch N is being
        published. Events are acked by hand (``noack``), strictly in the order they came, once their
        batch is published, so Faust commits only offsets whose output is durable."""
        pending: collections.deque[tuple[list[Any], asyncio.Future[list[Outcome]], float]] = collections.deque()
        current: list[Any] = []
        current_bytes = 0
        work = asyncio.Event()
        room = asyncio.Event()
        room.set()
        # Read at each scrape: a stuck worker cannot be relied on to update a gauge itself.
        metrics.OLDEST_BATCH_AGE.set_function(lambda: time.perf_counter() - pending[0][2] if pending else 0.0)

        def flush() -> None:
            nonlocal current, current_bytes
            if not current:
                return
            batch, current, current_bytes = current, [], 0
            metrics.ARTICLES_RECEIVED.inc(len(batch))
            metrics.BATCH_ARTICLES.observe(len(batch))
            observe_batch_wait([e.message.timestamp for e in batch], time.time())
            classified = asyncio.ensure_future(runner.classify([e.value for e in batch]))
            pending.append((batch, classified, time.perf_counter()))
            work.set()
            if len(pending) >= MAX_BATCHES_IN_FLIGHT:
                room.clear()

        async def flusher() -> None:
            # A partial batch leaves only when there is room for it: under a backlog the batch being
            # filled keeps growing while the pipeline is full, instead of leaving as one event per tick
            # (which kept batches at one article and capped a worker at ~300 articles/s).
            while True:
                await asyncio.sleep(batch_wait)
                if room.is_set():
                    flush()

        async def publisher() -> None:
            while True:
                while not pending:
                    work.clear()
                    await work.wait()
                events, classified, started = pending[0]
                try:
                    outcomes = await classified
                except Exception as exc:  # the runner should not raise; dead-letter, not lose
                    log.exception("classifying a batch failed")
                    outcomes = [Outcome("dead_letter", reason=Reason.PROCESSING_ERROR, error=repr(exc))
                                for _ in events]
                if len(outcomes) != len(events):  # a bug: which outcome is whose is unknown, so none is used
                    log.error("classifying a batch of %d gave %d outcomes: the batch is dead-lettered",
                              len(events), len(outcomes))
                    error = f"its batch of {len(events)} articles came back with {len(outcomes)} outcomes"
                    outcomes = [Outcome("dead_letter", reason=Reason.PROCESSING_ERROR, error=error) for _ in events]
                returned = time.perf_counter()
                metrics.BATCH_PHASE_SECONDS.labels("classify").observe(returned - started)
                done: dict[str, Any] = {}
                for attempt in itertools.count(1):
                    try:
                        await publish_batch(events, outcomes, started, done)
                        break
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # a bug: hold the batch (unacked) and try again, never skip it
                        delay = SEND_RETRY_DELAYS[min(attempt - 1, len(SEND_RETRY_DELAYS) - 1)]
                        log.exception("publishing a batch of %d failed (attempt %d): trying what failed "
                                      "again in %.1fs", len(events), attempt, delay)
                        metrics.BATCH_PUBLISH_FAILURES.inc()
                        await asyncio.sleep(delay)
                metrics.BATCH_PHASE_SECONDS.labels("publish").observe(time.perf_counter() - returned)
                for event in events:
                    hand_ack(event)
                pending.popleft()
                if len(pending) < MAX_BATCHES_IN_FLIGHT:
                    room.set()

        helpers = [asyncio.create_task(flusher(), name="articles-flusher"),
                   asyncio.create_task(publisher(), name="articles-publisher")]
        try:
            async for event in stream.noack().events():
                if helpers[1].done():  # the publisher died of a bug: stop taking events (they stay unacked)
                    helpers[1].result()
                current.append(event)
                current_bytes += len(event.value or b"")
                if len(current) >= batch_size or current_bytes >= batch_bytes:
                    if not room.is_set():
                        # Wake for room, or for a dead publisher (which would never make room again).
                        waiting = asyncio.ensure_future(room.wait())
                        try:
                            await asyncio.wait([waiting, helpers[1]], return_when=asyncio.FIRST_COMPLETED)
                        finally:
                            waiting.cancel()
                        if helpers[1].done():
                            helpers[1].result()
                    flush()
        finally:
            for task in helpers:
                task.cancel()

    return process_articles
