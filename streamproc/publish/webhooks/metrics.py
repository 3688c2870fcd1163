"""Webhook series beside the project's others (:mod:`streamproc.observability.metrics`).

Bounded labels only: outcome, result class, tier index, reason and subscriber *state* (never a URL
or a subscription id).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from streamproc.observability.metrics import (  # noqa: F401 - re-exported: one place to look
    LATENCY_BUCKETS,
    WEBHOOK_ATTEMPTS,
    WEBHOOK_DELIVERIES,
    WEBHOOK_QUEUE,
    WEBHOOK_SECONDS,
    WEBHOOK_SUBSCRIBERS,
)

DELIVERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0,
                    7200.0, 36000.0, 86400.0)

#: WEBHOOK_DELIVERIES outcomes: delivered, dead_lettered, gone (410: subscription disabled),
#: dropped (subscription deleted or disabled before delivery), invalid (undecodable task).
FANOUT = Counter("streamproc_webhook_fanout_total", "Delivery tasks published for alerts (one per matching "
                 "subscription)")
RETRIES_SCHEDULED = Counter("streamproc_webhook_retries_scheduled_total",
                            "Deliveries handed to a retry topic, by tier and why (failed, deferred, requeued)",
                            ["tier", "why"])
DEAD_LETTERS = Counter("streamproc_webhook_dead_letters_total", "Deliveries sent to the webhook dead-letter "
                       "topic, by reason", ["reason"])
DELIVERY_SECONDS = Histogram("streamproc_webhook_delivery_seconds",
                             "Time from fan-out to a successful delivery (includes retries)",
                             buckets=DELIVERY_BUCKETS)
QUEUE_BY_STATE = Gauge("streamproc_webhook_queue_depth_by_state",
                       "Deliveries held in memory (queued or in flight), summed by subscriber state "
                       "(healthy, failing)", ["state"])
SUBSCRIBERS_BY_STATE = Gauge("streamproc_webhook_subscriptions", "Subscriptions by state (active, disabled)",
                             ["state"])


def initialise() -> None:
    """Create every bounded label value at 0, so dashboards and alert rules see the series from the start."""
    for outcome in ("delivered", "dead_lettered", "gone", "dropped", "invalid"):
        WEBHOOK_DELIVERIES.labels(outcome)
    for result in ("2xx", "3xx", "4xx", "5xx", "error", "blocked"):
        WEBHOOK_ATTEMPTS.labels(result)
    for reason in ("attempts_exhausted", "blocked", "expired", "processing_error", "fanout_error"):
        DEAD_LETTERS.labels(reason)
    for state in ("healthy", "failing"):
        QUEUE_BY_STATE.labels(state).set(0)
    for state in ("active", "disabled"):
        SUBSCRIBERS_BY_STATE.labels(state).set(0)
