"""Deliver alerts to webhook subscribers without ever holding up the stream.

Each subscriber has its own bounded queue and delivery task, so a slow or dead subscriber only fills
its own queue: the agent's ``submit`` never awaits HTTP. Retries follow ``retry_delays``. Pending
deliveries live in memory in this version: a worker that dies loses the ones not yet sent (the
alert itself is safe on the alerts topic).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

import httpx
import orjson

from streamproc.observability import metrics
from streamproc.publish.webhooks.signing import delivery_id, sign
from streamproc.publish.webhooks.subscribers import Subscriber

log = logging.getLogger(__name__)
EVENT_TYPE = "alert.created"


def build_request(subscriber: Subscriber, alert: dict[str, Any], now: int | None = None
                  ) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery (pure, for tests and for replays)."""
    timestamp = int(time.time()) if now is None else now
    body = orjson.dumps({"type": EVENT_TYPE, "timestamp": alert.get("detected_at"), "data": alert})
    msg_id = delivery_id(alert["alert_id"], subscriber.id)
    headers = {
        "content-type": "application/json",
        "user-agent": "streamproc-webhooks",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(subscriber.secret, msg_id, timestamp, body),
    }
    return body, headers


class WebhookDispatcher:
    def __init__(self, subscribers: list[Subscriber], timeout: float = 15.0,
                 retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0), queue_size: int = 1000) -> None:
        self.subscribers = subscribers
        self.timeout = timeout
        self.retry_delays = retry_delays
        self._queues: dict[str, asyncio.Queue[dict[str, Any]]] = {
            s.id: asyncio.Queue(maxsize=queue_size) for s in subscribers}
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None
        metrics.WEBHOOK_SUBSCRIBERS.set(len(subscribers))

    async def start(self) -> None:
        # Never follow redirects: a subscriber URL is the only place a signed alert may go.
        self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        for sub in self.subscribers:
            self._tasks.append(asyncio.create_task(self._run(sub), name=f"webhook:{sub.id}"))

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Give queued deliveries a moment to finish, then cancel and close."""
        deadline = time.monotonic() + drain_timeout
        while any(not q.empty() for q in self._queues.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()

    def submit(self, alert: dict[str, Any]) -> None:
        """Queue an alert for every subscriber; never blocks."""
        for sub in self.subscribers:
            queue = self._queues[sub.id]
            try:
                queue.put_nowait(alert)
            except asyncio.QueueFull:
                metrics.WEBHOOK_DELIVERIES.labels("dropped").inc()
                log.warning("webhook queue full for subscriber %s: alert %s dropped", sub.id, alert["alert_id"])
        self._update_depth()

    def _update_depth(self) -> None:
        metrics.WEBHOOK_QUEUE.set(sum(q.qsize() for q in self._queues.values()))

    async def _run(self, sub: Subscriber) -> None:
        queue = self._queues[sub.id]
        while True:
            alert = await queue.get()
            try:
                await self.deliver(sub, alert)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - one bad delivery must not end the subscriber's task
                log.exception("webhook delivery to %s crashed", sub.id)
            finally:
                queue.task_done()
                self._update_depth()

    async def deliver(self, sub: Subscriber, alert: dict[str, Any]) -> bool:
        """Try once plus one retry per configured delay; return whether it was delivered."""
        assert self._client is not None, "start() first"
        attempts = 1 + len(self.retry_delays)
        for attempt in range(attempts):
            body, headers = build_request(sub, alert)  # fresh timestamp and signature per attempt
            started = time.perf_counter()
            try:
                response = await self._client.post(sub.url, content=body, headers=headers)
                status: int | None = response.status_code
            except httpx.HTTPError as exc:
                status = None
                log.info("webhook %s attempt %d failed: %s", sub.id, attempt + 1, type(exc).__name__)
            metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
            if status is not None and 200 <= status < 300:
                metrics.WEBHOOK_ATTEMPTS.labels("2xx").inc()
                metrics.WEBHOOK_DELIVERIES.labels("delivered").inc()
                return True
            metrics.WEBHOOK_ATTEMPTS.labels("error" if status is None else f"{status // 100}xx").inc()
            if attempt + 1 < attempts:
                delay = self.retry_delays[attempt]
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # jitter: no thundering herd
        metrics.WEBHOOK_DELIVERIES.labels("failed").inc()
        log.warning("webhook delivery of %s to %s failed after %d attempts", alert["alert_id"], sub.id, attempts)
        return False
