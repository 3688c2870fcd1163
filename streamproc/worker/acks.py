"""Acks that only our code gives: Faust must not ack an event on a hand-acked topic by itself.

Why this exists. Our agents consume with ``noack`` streams and ack each event by hand, in order, once
it is handled. But Faust's pure-Python stream loop also acks events it *skips*: an event still buffered
when a rebalance starts (flow control paused) or one fetched under the previous consumer generation is
dropped and acked "so that the lag does not grow" (``faust/streams.py``, "ack the filtered out
message"), noack or not. That ack reaches the consumer's commit bookkeeping, so the next commit can
pass an event nobody handled. (Faust's compiled loop, used when its extension is built, drops such an
event without an ack; the pure-Python loop runs wherever the extension is missing.)

The fix: on the topics our agents ack by hand, :func:`patch_consumer_ack` makes ``Consumer.ack``
refuse any ack that does not come through :func:`hand_ack`. A refused event stays uncommitted, and the
rebalance that caused the skip seeks every assigned partition back to its committed offset, so the
event is read again and handled (a repeated delivery at worst, with the same ids: at-least-once).
Counted in ``streamproc_skipped_acks_refused_total``; a test fails if a Faust upgrade moves the hook.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable
from typing import Any

import faust
from faust.transport.consumer import Consumer
from prometheus_client import Counter

log = logging.getLogger(__name__)

_BY_HAND: contextvars.ContextVar[bool] = contextvars.ContextVar("streamproc_ack_by_hand", default=False)

REFUSED = Counter("streamproc_skipped_acks_refused_total",
                  "Acks Faust tried to give for events it skipped on a hand-acked topic (refused: the "
                  "event is read again after the rebalance)", ["topic"])


def hand_ack(event: Any) -> bool:
    """Ack ``event`` as handled by our code (the only ack a guarded topic accepts)."""
    token = _BY_HAND.set(True)
    try:
        return bool(event.ack())
    finally:
        _BY_HAND.reset(token)


def guard_topics(app: faust.App, names: Iterable[str]) -> None:
    """Declare topics whose events only :func:`hand_ack` may ack, and install the consumer hook."""
    guarded: set[str] = app.__dict__.setdefault("_streamproc_hand_acked", set())
    guarded.update(names)
    patch_consumer_ack()


def patch_consumer_ack() -> None:
    original = Consumer.ack
    if getattr(original, "_streamproc_patched", False):
        return

    def ack(self: Consumer, message: Any) -> bool:
        guarded = getattr(self.app, "_streamproc_hand_acked", None)
        if guarded and message.topic in guarded and not _BY_HAND.get():
            REFUSED.labels(message.topic).inc()
            log.info("refused Faust's own ack of skipped event %s[%d]@%d: it will be read again",
                     message.topic, message.partition, message.offset)
            return False
        return original(self, message)

    ack._streamproc_patched = True  # type: ignore[attr-defined]
    Consumer.ack = ack  # type: ignore[method-assign]
