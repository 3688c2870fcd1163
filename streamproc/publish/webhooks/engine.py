"""Webhook delivery on Kafka: at least once, retries in topics, one slow subscriber isolated.

Topics (``STREAMPROC_WEBHOOK_TOPIC_PREFIX``, default ``webhook``)::

    article agent ──(per batch, one record per matching subscription holding its tasks,
                     keyed by subscription id, awaited ack)──▶
    <prefix>.deliveries ──▶ agent ──▶ lane of the subscriber (one job per task) ──2xx──▶ done
                                          │ failure / busy
                                          ▼
    <prefix>.retry.<n>  (one topic per distinct delay; the agent waits until the head task is due)
                                          │ last attempt failed, blocked by the SSRF guard, or expired
                                          ▼
    <prefix>.dlq  (``streamproc webhooks replay`` sends them back to <prefix>.deliveries)

**Why nothing is lost.** Every agent consumes raw bytes and never lets an exception escape (an
exception escaping a Faust agent acks the event). Its stream is ``noack``: the agent acks an event
itself, strictly in the order it consumed them, and only once the event is *handled*: every task
in it delivered, durably handed to the next topic (the send awaited to the broker's ack), or
deliberately dropped (subscription deleted or disabled). Faust commits the highest contiguous acked
offset, so acking in order is what keeps commits from passing an event still in flight
(faust-streaming #606 is what happens with out-of-order acks from ``concurrency>1``). A worker
killed at any point leaves the unhandled events uncommitted; they are consumed again after the
restart, so a delivery may be repeated (all the tasks of a group whose last task was not yet
handled), always with the same ``webhook-id``.

**Why a slow subscriber slows no one else.** The agent loop never awaits HTTP: it puts each task into
its subscriber's *lane* (a bounded asyncio queue served by ``STREAMPROC_WEBHOOK_CONCURRENCY`` tasks)
and moves on; acks trail behind in order. A subscriber that hangs only fills its own lane: a task
that finds the lane full, or that waited a whole request timeout in it, is handed on to the first
retry topic without an attempt (a *deferral*, which does not use up an attempt; a task deferred for
far longer than the whole schedule is dead-lettered as ``expired``). So other subscribers' deliveries
start as soon as they are consumed, and what a hanging subscriber costs everyone else is a Kafka send
per deferred task; the commit position may trail by up to two request timeouts.

**Retry tiers.** ``<prefix>.retry.<n>`` holds tasks waiting ``tiers[n]`` seconds (the distinct values
of ``STREAMPROC_WEBHOOK_RETRY_DELAYS``). Every task in one tier waits about as long, so the tier's agent
sleeps until its head task is due, then hands it to the lane. A rebalance must not wait for that sleep
(Faust waits for every consumed event to be acked before it gives partitions up), so on a rebalance or
a stop a sleeping agent re-publishes its head task to the same tier, unchanged, and acks it.

**Responses.** 2xx: delivered. 410: the subscription is disabled (state ``disabled``) and the task
dropped. 429/503 with ``Retry-After``: the next attempt is no earlier than asked (up to the longest
delay). Any other status (3xx included: redirects are never followed), a timeout or a connection
error: retried on the schedule with jitter; after the last attempt, dead-lettered.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import faust

from streamproc.config import RECORD_HEADROOM, Settings
from streamproc.publish.webhooks import metrics as m
from streamproc.publish.webhooks.delivery import DeliveryTask, RetrySchedule, decode_record, encode_records
from streamproc.publish.webhooks.filters import matches
from streamproc.publish.webhooks.model import Subscription
from streamproc.publish.webhooks.sender import AttemptResult, Sender
from streamproc.worker.guards import guard_topics, hand_ack

log = logging.getLogger(__name__)

SendFn = Callable[[faust.TopicT, bytes | None, bytes, dict[str, bytes] | None], Awaitable[None]]
MAX_UNACKED = 5000  # tasks consumed but not yet handled, per agent, before the loop waits for the oldest
#: Largest delivery-task record the fan-out writes by default: the default record limit less the headroom.
MAX_RECORD_BYTES = Settings().max_message_bytes - RECORD_HEADROOM
DLQ_REASON_HEADER = "streamproc-webhook-dlq-reason"
#: Seconds between looks for the lanes of deleted subscriptions.
LANE_PRUNE_EVERY = 30.0


class SubscriptionLookup(Protocol):
    def get(self, sub_id: str) -> Subscription | None: ...
    def all(self) -> list[Subscription]: ...
    def matching(self, alert: dict[str, Any]) -> list[Subscription]: ...
    async def wait_ready(self) -> None: ...
    async def disable(self, sub_id: str, reason: str) -> None: ...


@dataclass
class WebhookTopics:
    deliveries: faust.TopicT
    retries: list[faust.TopicT]
    dlq: faust.TopicT


def topic_names(prefix: str, schedule: RetrySchedule) -> tuple[str, list[str], str]:
    return f"{prefix}.deliveries", [f"{prefix}.retry.{i}" for i in range(len(schedule.tiers))], f"{prefix}.dlq"


@dataclass
class Job:
    task: DeliveryTask
    done: asyncio.Future[str]
    queued_at: float = field(default_factory=time.monotonic)


class Lane:
    """One subscriber's bounded queue and its delivery tasks."""

    def __init__(self, sub_id: str, engine: WebhookEngine) -> None:
        self.sub_id = sub_id
        self.engine = engine
        self.queue: asyncio.Queue[Job] = asyncio.Queue(maxsize=engine.queue_size)
        self.in_flight = 0
        self.state = "healthy"
        self.workers = [asyncio.create_task(self._work(), name=f"webhook-lane:{sub_id}:{i}")
                        for i in range(engine.concurrency)]

    @property
    def depth(self) -> int:
        return self.queue.qsize() + self.in_flight

    async def _work(self) -> None:
        while True:
            job = await self.queue.get()
            self.in_flight += 1
            try:
                waited = time.monotonic() - job.queued_at
                if waited > self.engine.sender.timeout or self.engine.releasing:
                    outcome = await self.engine.defer(job.task)
                else:
                    outcome = await self.engine.attempt(self, job.task)
                if not job.done.done():
                    job.done.set_result(outcome)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook lane %s crashed on a task", self.sub_id)
                outcome = await self.engine.dead_letter(job.task, "processing_error")
                if not job.done.done():
                    job.done.set_result(outcome)
            finally:
                self.in_flight -= 1

    def stop(self) -> None:
        for w in self.workers:
            w.cancel()


class WebhookEngine:
    def __init__(self, app: faust.App, store: SubscriptionLookup, sender: Sender, schedule: RetrySchedule,
                 send: SendFn, prefix: str = "webhook", partitions: int | None = None,
                 concurrency: int = 4, queue_size: int = 1000, max_record_bytes: int = MAX_RECORD_BYTES) -> None:
        self.app = app
        self.max_record_bytes = max_record_bytes
        self.store = store
        self.sender = sender
        self.schedule = schedule
        self.send = send
        self.concurrency = max(1, concurrency)
        self.queue_size = max(1, queue_size)
        self.lanes: dict[str, Lane] = {}
        self.stopping = False
        deliveries, retries, dlq = topic_names(prefix, schedule)

        def topic(name: str) -> faust.TopicT:
            return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw",
                             value_serializer="raw", partitions=partitions)

        self.topics = WebhookTopics(topic(deliveries), [topic(n) for n in retries], topic(dlq))

    @property
    def releasing(self) -> bool:
        """A rebalance or a stop is under way: hand work back to Kafka rather than hold it.

        ``app.should_stop`` is set as soon as the app starts stopping, before Faust waits for every
        event in flight to be acked; :attr:`stopping` only comes after that wait (``on_before_shutdown``),
        so a retry tier holding a task due in minutes would hold the shutdown until its timeout."""
        return (self.stopping or bool(getattr(self.app, "rebalancing", False))
                or bool(getattr(self.app, "should_stop", False)))

    # -- producing ---------------------------------------------------------------------------------
    async def fan_out(self, alerts: Sequence[dict[str, Any]]) -> int:
        """Tasks for a batch's alerts, one per matching active subscription, written as one record
        per subscription (more if they would not fit in one), every send awaited to the broker's ack.
        Returns the number of tasks."""
        await self.store.wait_ready()
        now = time.time()
        by_subscription: dict[str, list[DeliveryTask]] = {}
        for alert in alerts:
            try:
                tasks = [DeliveryTask.for_alert(alert, sub.id, now) for sub in self.store.matching(alert)]
            except Exception:  # a bug must not kill the article agent (that would ack and lose articles)
                log.exception("webhook fan-out of %s failed: matching each subscription on its own",
                              alert.get("alert_id"))
                tasks = await self._fan_out_one_by_one(alert, now)
            for task in tasks:
                by_subscription.setdefault(task.subscription_id, []).append(task)
        await asyncio.gather(*(self.send(self.topics.deliveries, sub_id.encode(), record, None)
                               for sub_id, tasks in by_subscription.items()
                               for record in encode_records(tasks, self.max_record_bytes)))
        count = sum(len(tasks) for tasks in by_subscription.values())
        m.FANOUT.inc(count)
        return count

    async def _fan_out_one_by_one(self, alert: dict[str, Any], now: float) -> list[DeliveryTask]:
        """After matching failed on a bug: the tasks of the subscriptions that match, and a dead letter
        (``fanout_error``, replayable) for each one whose matching raises, so that a bug in one
        subscription's filters costs that subscription a replay, not every subscriber the alert."""
        try:
            subs = [s for s in self.store.all() if s.active]
        except Exception:
            log.exception("listing the subscriptions failed: alert %s has no webhooks", alert.get("alert_id"))
            m.DEAD_LETTERS.labels("fanout_error").inc()
            return []
        tasks, refused = [], []
        for sub in subs:
            try:
                task = DeliveryTask.for_alert(alert, sub.id, now)
            except Exception:  # the alert itself cannot make a task: nothing to deliver or replay
                log.exception("alert %s cannot be delivered", alert.get("alert_id"))
                m.DEAD_LETTERS.labels("fanout_error").inc()
                return []
            try:
                if matches(sub.filters, alert):
                    tasks.append(task)
            except Exception:
                log.exception("matching subscription %s failed: its delivery is dead-lettered", sub.id)
                refused.append(task)
        await asyncio.gather(*(self.dead_letter(task, "fanout_error") for task in refused))
        return tasks

    async def _forward(self, tier: int, task: DeliveryTask, why: str) -> None:
        await self.send(self.topics.retries[tier], task.subscription_id.encode(), task.encode(), None)
        m.RETRIES_SCHEDULED.labels(str(tier), why).inc()

    async def dead_letter(self, task: DeliveryTask, reason: str) -> str:
        headers = {DLQ_REASON_HEADER: reason.encode()}
        await self.send(self.topics.dlq, task.subscription_id.encode(), task.encode(), headers)
        m.DEAD_LETTERS.labels(reason).inc()
        m.WEBHOOK_DELIVERIES.labels("dead_lettered").inc()
        log.warning("webhook %s for subscription %s dead-lettered (%s) after %d attempt(s): %s",
                    task.webhook_id, task.subscription_id, reason, task.attempt, task.last_result)
        return "dead_lettered"

    async def defer(self, task: DeliveryTask) -> str:
        """Subscriber busy: hand the task on without an attempt."""
        now = time.time()
        if self.schedule.expired(task, now):
            return await self.dead_letter(task, "expired")
        tier, due = self.schedule.defer(now)
        await self._forward(tier, task.deferred(due), "deferred")
        return "deferred"

    # -- one attempt -------------------------------------------------------------------------------
    async def attempt(self, lane: Lane, task: DeliveryTask) -> str:
        sub = self.store.get(task.subscription_id)
        if sub is None or not sub.active:
            m.WEBHOOK_DELIVERIES.labels("dropped").inc()
            log.info("webhook %s dropped: subscription %s is %s", task.webhook_id, task.subscription_id,
                     "gone" if sub is None else sub.state)
            return "dropped"
        result = await self.sender.send(sub, task)
        m.WEBHOOK_ATTEMPTS.labels(result.label).inc()
        if not result.blocked:
            m.WEBHOOK_SECONDS.observe(result.seconds)
        if result.ok:
            lane.state = "healthy"
            m.WEBHOOK_DELIVERIES.labels("delivered").inc()
            m.DELIVERY_SECONDS.observe(max(0.0, time.time() - task.created_at))
            return "delivered"
        lane.state = "failing"
        done = task.after_attempt(result.describe(), 0.0)
        if result.status == 410:
            await self.store.disable(sub.id, "the receiver answered 410 Gone")
            m.WEBHOOK_DELIVERIES.labels("gone").inc()
            log.warning("subscription %s disabled: its receiver answered 410 Gone", sub.id)
            return "gone"
        if result.blocked:
            return await self.dead_letter(done, "blocked")
        return await self.after_failure(task, result)

    async def after_failure(self, task: DeliveryTask, result: AttemptResult) -> str:
        now = time.time()
        nxt = self.schedule.next_retry(task.attempt + 1, now, result.retry_after)
        if nxt is None:
            return await self.dead_letter(task.after_attempt(result.describe(), now), "attempts_exhausted")
        tier, due = nxt
        await self._forward(tier, task.after_attempt(result.describe(), due), "failed")
        return "retry"

    # -- handing a consumed task to its lane -------------------------------------------------------
    async def submit(self, task: DeliveryTask) -> asyncio.Future[str]:
        """Queue ``task`` in its lane; the future resolves once it is handled. Awaits only Kafka sends."""
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        lane = self.lanes.get(task.subscription_id)
        if lane is None:
            lane = self.lanes[task.subscription_id] = Lane(task.subscription_id, self)
        try:
            if self.releasing:
                raise asyncio.QueueFull
            lane.queue.put_nowait(Job(task, fut))
        except asyncio.QueueFull:
            fut.set_result(await self.defer(task))
        return fut

    # -- the agents --------------------------------------------------------------------------------
    def install(self) -> None:
        m.initialise()
        for tier in range(len(self.topics.retries)):  # every tier's series from the start, at 0
            for why in ("failed", "deferred", "requeued"):
                m.RETRIES_SCHEDULED.labels(str(tier), why)
        guard_topics(self.app, [t.get_topic_name() for t in [self.topics.deliveries, *self.topics.retries]])
        self._install(self.topics.deliveries, None)
        for tier, topic in enumerate(self.topics.retries):
            self._install(topic, tier)

        @self.app.task
        async def webhook_engine_start() -> None:
            await self.sender.start()
            await self.topics.dlq.maybe_declare()
            self._watch = asyncio.create_task(self._watch_loop(), name="webhook-engine-watch")

        @self.app.on_before_shutdown.connect
        async def webhook_engine_stop(app: faust.App, **kwargs: object) -> None:
            await self.stop()

    async def stop(self) -> None:
        self.stopping = True
        for lane in self.lanes.values():
            lane.stop()
        await self.sender.stop()

    def prune_lanes(self) -> int:
        """Stop and forget the idle lanes of subscriptions that no longer exist (deleted through the API,
        here or on another worker): each holds its request tasks. A task for one that still arrives gets
        a new lane and is dropped there, as before. Returns how many went."""
        gone = [sub_id for sub_id, lane in self.lanes.items() if lane.depth == 0 and self.store.get(sub_id) is None]
        for sub_id in gone:
            self.lanes.pop(sub_id).stop()
        return len(gone)

    async def _watch_loop(self) -> None:
        """Track rebalances (hand work on rather than hold it), update the queue gauges, prune lanes."""
        next_prune = time.monotonic() + LANE_PRUNE_EVERY
        while not self.stopping:
            if self.releasing:
                for lane in list(self.lanes.values()):
                    await self._release_lane(lane)
            elif time.monotonic() >= next_prune:
                next_prune = time.monotonic() + LANE_PRUNE_EVERY
                self.prune_lanes()
            by_state: dict[str, int] = collections.Counter()
            for lane in self.lanes.values():
                by_state[lane.state] += lane.depth
            for state in ("healthy", "failing"):
                m.QUEUE_BY_STATE.labels(state).set(by_state.get(state, 0))
            m.WEBHOOK_QUEUE.set(sum(by_state.values()))
            await asyncio.sleep(0.1)

    async def _release_lane(self, lane: Lane) -> None:
        while True:
            try:
                job = lane.queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                outcome = await self.defer(job.task)
                if not job.done.done():
                    job.done.set_result(outcome)
            except Exception:
                log.exception("webhook lane %s: deferring a task failed", lane.sub_id)
                outcome = await self.dead_letter(job.task, "processing_error")
                if not job.done.done():
                    job.done.set_result(outcome)

    def _install(self, topic: faust.TopicT, tier: int | None) -> None:
        name = f"streamproc.webhook_{'deliveries' if tier is None else f'retry_{tier}'}"

        @self.app.agent(topic, concurrency=1, name=name)
        async def deliver(stream: faust.StreamT[bytes]) -> None:
            await self._consume(stream, tier)

    async def _consume(self, stream: faust.StreamT[bytes], tier: int | None) -> None:
        await self.store.wait_ready()
        manual = stream.noack()
        pending: collections.deque[tuple[Any, asyncio.Future[str], int]] = collections.deque()
        held = 0  # tasks in the pending events
        stalled = False  # an event was not handled: nothing after it may be acked

        def ack_ready(_: object = None) -> None:
            # Ack strictly in consumption order: stop at the first event not yet handled.
            nonlocal held, stalled
            while pending and pending[0][1].done():
                event, fut, tasks = pending.popleft()
                held -= tasks
                if fut.cancelled():
                    # Only on shutdown. Faust holds a commit at a gap before the acked offsets
                    # only once the partition has a committed offset other than 0 (Consumer._new_offset):
                    # an ack of a later event could commit past this one. None follows on this stream;
                    # its events are delivered again after the restart or rebalance.
                    stalled = True
                if stalled:
                    continue
                try:
                    hand_ack(event)
                except Exception:
                    log.debug("ack failed", exc_info=True)

        async for event in manual.events():
            try:
                fut, tasks = await self._handle(event.value, tier)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("webhook task at %s[%d]@%d could not be handled", event.message.topic,
                              event.message.partition, event.message.offset)
                fut, tasks = await self._dead_letter_raw(event, exc), 1
            pending.append((event, fut, tasks))
            held += tasks
            fut.add_done_callback(ack_ready)
            ack_ready()
            while held > MAX_UNACKED and pending:
                await asyncio.wait([pending[0][1]])

    async def _dead_letter_raw(self, event: Any, exc: BaseException) -> asyncio.Future[str]:
        """The record as it came (a group stays a group: ``webhooks replay`` reads both)."""
        headers = {DLQ_REASON_HEADER: b"processing_error", "streamproc-webhook-error": repr(exc)[:500].encode()}
        await self.send(self.topics.dlq, event.message.key, event.value or b"", headers)
        m.DEAD_LETTERS.labels("processing_error").inc()
        return _resolved("dead_lettered")

    async def _handle(self, raw: bytes | None, tier: int | None) -> tuple[asyncio.Future[str], int]:
        """Hand a record's tasks to their lanes; a future resolved once all of them are handled,
        and how many there were."""
        try:
            tasks, refused = decode_record(raw)
        except ValueError as exc:
            refused, tasks = [str(exc)], []
        for why in refused:
            log.warning("undecodable webhook task dropped: %s", why)
            m.WEBHOOK_DELIVERIES.labels("invalid").inc()
        if not tasks:
            return _resolved("invalid"), 1
        handled: list[asyncio.Future[str]] = []
        for task in tasks:
            if tier is not None and not await self._wait_due(task):
                # Rebalance or stop while waiting: the task goes back to its tier, unchanged.
                await self._forward(tier, task, "requeued")
                handled.append(_resolved("requeued"))
            else:
                handled.append(await self.submit(task))
        return _all_handled(handled), len(tasks)

    async def _wait_due(self, task: DeliveryTask) -> bool:
        while True:
            if self.releasing:
                return False
            remaining = task.due_at - time.time()
            if remaining <= 0:
                return True
            await asyncio.sleep(min(remaining, 0.1))


def _resolved(outcome: str) -> asyncio.Future[str]:
    fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    fut.set_result(outcome)
    return fut


def _all_handled(futures: list[asyncio.Future[str]]) -> asyncio.Future[str]:
    """Done once every one of ``futures`` is (its result: the last one's); cancelled if any is, so
    the event they come from is never acked past a task that was not handled."""
    if len(futures) == 1:
        return futures[0]
    combined: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    remaining = len(futures)

    def one_done(fut: asyncio.Future[str]) -> None:
        nonlocal remaining
        remaining -= 1
        if combined.done():
            return
        if fut.cancelled():
            combined.cancel()
        elif remaining == 0:
            combined.set_result(fut.result())

    for fut in futures:
        fut.add_done_callback(one_done)
    return combined

