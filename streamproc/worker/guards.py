"""Two guards on Faust's consumer for the topics our agents ack by hand (articles, webhook tasks).

Our agents consume with ``noack`` streams and ack each event by hand, in order, once it is handled,
so that a committed offset always means "handled". Two Faust behaviours break that promise; both are
patched here, for the guarded topics only, and each has a test that fails if a Faust or aiokafka
upgrade moves what we touch.

**1. A partition with no committed offset was not read from its start after start-up.** While a
starting worker recovers its tables, Faust's fetcher already fetches the stream partitions and drops
what it fetched (streams do not run yet); afterwards it "seeks stream partitions to committed
offsets", but aiokafka's ``seek_to_committed`` seeks only partitions whose committed offset is above 0.
A partition never committed (a new group, or a retry topic a killed worker had not committed yet)
kept the advanced position: its first records were skipped, and the next record's offset gap then let
the commit pass them. Seen as webhook retry tasks never delivered after a worker restart.
:func:`patch_seek_to_committed` seeks such partitions to their beginning (the ``earliest`` policy the
worker is configured with).

**2. Faust's own acks of events it skipped.** Faust's pure-Python stream loop acks an event it skips
(an event still buffered when a rebalance starts, or one fetched under the previous consumer
generation) "so that the lag does not grow" (``faust/streams.py``), noack or not; the next commit can
then pass an event nobody handled. (Faust's compiled loop, used where its extension is built, drops such
an event without an ack.) :func:`patch_consumer_ack` makes ``Consumer.ack`` refuse, on guarded topics,
any ack that does not come through :func:`hand_ack`; the rebalance that caused the skip seeks back to
the committed offset and the event is read again (counted in ``streamproc_skipped_acks_refused_total``).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import faust
from faust.transport.consumer import Consumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
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


def guarded_topics(app: Any) -> set[str]:
    return getattr(app, "_streamproc_hand_acked", set())


def guard_topics(app: faust.App, names: Iterable[str]) -> None:
    """Declare topics whose events only :func:`hand_ack` may ack, and install both guards."""
    guarded: set[str] = app.__dict__.setdefault("_streamproc_hand_acked", set())
    guarded.update(names)
    patch_consumer_ack()
    patch_seek_to_committed()


def patch_consumer_ack() -> None:
    original = Consumer.ack
    if getattr(original, "_streamproc_patched", False):
        return

    def ack(self: Consumer, message: Any) -> bool:
        if message.topic in guarded_topics(self.app) and not _BY_HAND.get():
            REFUSED.labels(message.topic).inc()
            log.info("refused Faust's own ack of skipped event %s[%d]@%d: it will be read again",
                     message.topic, message.partition, message.offset)
            return False
        return original(self, message)

    ack._streamproc_patched = True  # type: ignore[attr-defined]
    Consumer.ack = ack  # type: ignore[method-assign]


def uncommitted(committed: Mapping[Any, int | None], guarded: set[str]) -> list[Any]:
    """Guarded partitions aiokafka's ``seek_to_committed`` left where they were (no offset above 0)."""
    return sorted((tp for tp, offset in committed.items() if not offset and tp.topic in guarded),
                  key=lambda tp: (tp.topic, tp.partition))


def patch_seek_to_committed() -> None:
    original = AIOKafkaConsumerThread.seek_to_committed
    if getattr(original, "_streamproc_patched", False):
        return

    async def seek_to_committed(self: AIOKafkaConsumerThread) -> Mapping[Any, int]:
        committed = await original(self)
        fresh = uncommitted(committed, guarded_topics(self.app))
        if fresh:
            log.info("seeking %d partition(s) with no committed offset to their beginning: %s", len(fresh),
                     ", ".join(f"{tp.topic}[{tp.partition}]" for tp in fresh))
            await self.seek_to_beginning(*fresh)
        return committed

    seek_to_committed._streamproc_patched = True  # type: ignore[attr-defined]
    AIOKafkaConsumerThread.seek_to_committed = seek_to_committed  # type: ignore[method-assign]
