"""Three guards on Faust's consumer for the topics our agents ack by hand (articles, webhook tasks).

Our agents consume with ``noack`` streams and ack each event by hand, in order, once it is handled,
so that a committed offset always means "handled". Three Faust behaviours break that promise; all are
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

**3. Records fetched during the seek to committed offsets were thrown away.** When a worker starts, and
after every rebalance, Faust resumes the stream partitions, seeks them to their committed offsets *with
the flow running*, then resumes flow control, which empties every stream's queue
(``faust/tables/recovery.py``; mode's ``FlowControlEvent.resume`` clears the queues it manages). Records
the fetcher fetched and handed to a stream between the seek and that clear were dropped, with the
consumer's position already past them: an agent that was not reading yet (ours wait for the
subscription table) lost them until the next restart or rebalance. Seen as webhook retry tasks not
delivered after a restart, about one run in four. :func:`patch_perform_seek` stops the flow for the
seek; Faust's callers resume it right after the clear, so the fetcher starts again from the committed
offsets into empty queues. It first waits for the fetcher to finish the batch it is handing over, so
that no record of the old position updates Faust's read offset after the seek.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
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
    patch_perform_seek()


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


#: How long a seek waits for the fetcher to finish handing over its batch (it takes one pass of the
#: event loop unless a stream's queue is full; then Faust's own behaviour, seeking anyway, is kept).
HANDOVER_TIMEOUT = 5.0


def _handover_done(consumer: Consumer) -> asyncio.Event:
    """Set while the fetcher is not in the middle of handing a fetched batch to the streams."""
    event: asyncio.Event | None = consumer.__dict__.get("_streamproc_handover_done")
    if event is None:
        event = consumer.__dict__["_streamproc_handover_done"] = asyncio.Event()
        event.set()
    return event


def patch_perform_seek() -> None:
    original_getmany = Consumer.getmany
    original_seek = Consumer.perform_seek
    if getattr(original_seek, "_streamproc_patched", False):
        return

    async def getmany(self: Consumer, timeout: float) -> AsyncIterator[Any]:
        done = _handover_done(self)
        batch = original_getmany(self, timeout)
        try:
            async for item in batch:
                done.clear()
                yield item
        finally:
            done.set()
            await batch.aclose()

    async def perform_seek(self: Consumer) -> None:
        if self.flow_active:
            # Faust resumes the flow itself once it has cleared the queues (app.flow_control.resume(),
            # then consumer.resume_flow(), in both callers); when the flow is already stopped (a
            # rebalance, or the fetcher's own seek) the fetcher is not handing anything over.
            self.stop_flow()
            log.info("stopped the flow while seeking to committed offsets (resumed once the queues are "
                     "cleared)")
            try:
                await asyncio.wait_for(_handover_done(self).wait(), HANDOVER_TIMEOUT)
            except TimeoutError:
                log.warning("the fetcher did not finish handing over its batch within %.0f s; seeking anyway",
                            HANDOVER_TIMEOUT)
        await original_seek(self)

    getmany._streamproc_patched = True  # type: ignore[attr-defined]
    perform_seek._streamproc_patched = True  # type: ignore[attr-defined]
    Consumer.getmany = getmany  # type: ignore[method-assign,assignment]
    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
