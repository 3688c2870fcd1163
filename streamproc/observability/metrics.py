"""The project's Prometheus metrics (Faust's own sensor adds its ``faust_*`` series beside them).

Labels are all bounded: outcome, reason, category, severity and language codes come from closed
sets; nothing is labelled by article id, URL or subscriber.
"""

from __future__ import annotations

import re

from prometheus_client import Counter, Gauge, Histogram, Info

from streamproc import __version__
from streamproc.ingest.decode import Reason

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

BUILD_INFO = Info("streamproc_build", "Version of the running streamproc")
BUILD_INFO.info({"version": __version__})

ARTICLES_RECEIVED = Counter("streamproc_articles_received_total", "Messages consumed from the articles topic")
ARTICLES_PROCESSED = Counter("streamproc_articles_processed_total",
                             "Articles processed, by outcome (alert, no_alert, duplicate, dead_letter, skipped)",
                             ["outcome"])
ARTICLES_BY_LANGUAGE = Counter("streamproc_articles_language_total", "Classified articles by language",
                               ["language"])
DEDUPE_DECISIONS = Counter("streamproc_dedupe_decisions_total",
                           "Alerts screened against those already published: verdict (new, duplicate, update) "
                           "and the key that matched (same_id, same_text, same_event, new)",
                           ["verdict", "reason"])
ALERTS_PUBLISHED = Counter("streamproc_alerts_published_total", "Alerts published, by severity", ["severity"])
ALERT_CATEGORIES = Counter("streamproc_alert_categories_total", "Categories on published alerts",
                           ["category"])
ALERTS_BY_COUNTRY = Counter("streamproc_alerts_by_country_total",
                            "Alerts published, by primary country (ISO 3166-1 alpha-2; alerts without one "
                            "are not counted here)", ["country"])
DEAD_LETTERS = Counter("streamproc_dead_letters_total", "Messages sent to the dead-letter topic, by reason",
                       ["reason"])
# Every reason's series from the start, at 0: a series that appears at 1 hides its first dead letter from
# increase() and rate(), and an alert on a rare reason (classifier_died) would never fire.
for _reason in Reason:
    DEAD_LETTERS.labels(_reason.value)
PROCESSING_SECONDS = Histogram("streamproc_processing_seconds",
                               "Time from consuming an article to its alert being acknowledged by Kafka",
                               buckets=LATENCY_BUCKETS)
#: Wider than LATENCY_BUCKETS: this age includes the time an article waited in Kafka, minutes in a backlog.
AGE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
ALERT_AGE_SECONDS = Histogram("streamproc_alert_age_seconds",
                              "Time from the article's Kafka record timestamp (produced, or appended by the broker) "
                              "to its alert being acknowledged by Kafka: waiting in Kafka included",
                              buckets=AGE_BUCKETS)
STAGE_SECONDS = Histogram("streamproc_stage_seconds", "Time spent per pipeline stage", ["stage"],
                          buckets=LATENCY_BUCKETS)
#: Milliseconds for classify and publish, up to an hour for waiting (a backlog).
BATCH_PHASE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                       300.0, 900.0, 3600.0)
BATCH_PHASE_SECONDS = Histogram("streamproc_batch_phase_seconds",
                                "Where the article agent's latency goes, per batch: waiting (its oldest article's "
                                "Kafka record timestamp to the batch leaving for classification: in Kafka, being "
                                "fetched, filling the batch, waiting for room), classify (leaving to its outcomes "
                                "being back, the queue for the classification process included), publish "
                                "(outcomes back to everything acknowledged by Kafka)", ["phase"],
                                buckets=BATCH_PHASE_BUCKETS)
BATCH_ARTICLES = Histogram("streamproc_batch_articles", "Articles per batch classified and published together",
                           buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))
PUBLISH_RETRIES = Counter("streamproc_publish_retries_total", "Kafka sends retried after an error", ["topic"])
OLDEST_BATCH_AGE = Gauge("streamproc_oldest_batch_age_seconds",
                         "Age of the oldest batch the article agent has taken and not yet acknowledged (0 when "
                         "none). Under a second normally; it grows without bound when the worker is stuck on a "
                         "batch (a send the broker keeps refusing, a batch that keeps failing, no broker)")
BATCH_PUBLISH_FAILURES = Counter("streamproc_batch_publish_failures_total",
                                 "Batches whose publishing failed on an unexpected error and was tried again "
                                 "(the batch stays unacked meanwhile)")

WEBHOOK_DELIVERIES = Counter("streamproc_webhook_deliveries_total",
                             "Webhook deliveries by final outcome (delivered, dead_lettered, gone, dropped, invalid)", ["outcome"])
WEBHOOK_ATTEMPTS = Counter("streamproc_webhook_attempts_total", "Webhook HTTP attempts by result class",
                           ["result"])
WEBHOOK_SECONDS = Histogram("streamproc_webhook_request_seconds", "Duration of webhook HTTP attempts",
                            buckets=LATENCY_BUCKETS)
WEBHOOK_QUEUE = Gauge("streamproc_webhook_queue_depth", "Deliveries waiting, summed over subscribers")
WEBHOOK_SUBSCRIBERS = Gauge("streamproc_webhook_subscribers", "Configured webhook subscribers")
RULE_TERMS = Gauge("streamproc_rule_terms", "Lexicon terms loaded, by language", ["language"])
CLASSIFY_POOL_RESTARTS = Counter("streamproc_classify_pool_restarts_total",
                                 "Classification processes replaced after they died (killed, out of memory); "
                                 "the batches they held ran again")
CLASSIFY_PROCESSES = Gauge("streamproc_classify_processes",
                           "Classification processes loaded and in use (0: batches are classified in a thread "
                           "of the worker, as they are while the processes load)")

_ISO_COUNTRY = re.compile(r"[A-Z]{2}")


def country_label(code: object) -> str | None:
    """The ``country`` label for an alert's ``primary_country``: an ISO alpha-2 code, else None.

    Only two upper-case letters pass, so the label set stays bounded (at most 676 values).
    """
    if isinstance(code, str) and _ISO_COUNTRY.fullmatch(code):
        return code
    return None


def count_alert_country(code: object) -> None:
    """Count one published alert under its primary country (skipped when it has none)."""
    label = country_label(code)
    if label is not None:
        ALERTS_BY_COUNTRY.labels(label).inc()


def counter_total(counter: Counter) -> float:
    """A counter's value summed over all its label values (for log lines; Prometheus sums by itself)."""
    return sum(s.value for family in counter.collect() for s in family.samples if s.name.endswith("_total"))
