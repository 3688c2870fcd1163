"""The dispatcher against real HTTP servers on 127.0.0.1: flaky, failing and slow ones."""

from __future__ import annotations

import asyncio
import time

import orjson
from aiohttp import web

from streamproc.publish.webhooks.dispatcher import WebhookDispatcher
from streamproc.publish.webhooks.signing import generate_secret, verify
from streamproc.publish.webhooks.subscribers import Subscriber

ALERT = {"alert_id": "alr_" + "0" * 32, "detected_at": "2020-07-13T17:13:00.000Z", "severity": "high"}


class Server:
    """A real aiohttp server whose behaviour per request is scripted by a list of statuses."""

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses = statuses
        self.delay = delay
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.statuses[min(len(self.requests) - 1, len(self.statuses) - 1)]
        return web.Response(status=status)

    async def __aenter__(self) -> "Server":
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_flaky_receiver_gets_the_alert_after_retries_with_valid_signatures():
    secret = generate_secret()
    async with Server([500, 503, 204]) as server:
        sub = Subscriber("sub_1", server.url, secret)
        d = WebhookDispatcher([sub], timeout=2, retry_delays=(0.01, 0.01, 0.01))
        await d.start()
        d.submit(ALERT)
        await wait_for(lambda: len(server.requests) == 3)
        await d.stop()
    ids = {h["webhook-id"] for h, _ in server.requests}
    assert len(ids) == 1, "every retry carries the same webhook-id"
    for headers, body in server.requests:
        assert verify(secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body,
                      headers["webhook-signature"])
        payload = orjson.loads(body)
        assert payload["type"] == "alert.created" and payload["data"] == ALERT


async def test_gives_up_after_the_configured_attempts():
    async with Server([500]) as server:
        d = WebhookDispatcher([Subscriber("s", server.url, "k")], timeout=2, retry_delays=(0.01, 0.01))
        await d.start()
        assert await d.deliver(d.subscribers[0], ALERT) is False
        await d.stop()
    assert len(server.requests) == 3


async def test_timeout_counts_as_a_failed_attempt():
    async with Server([204], delay=1.0) as server:
        d = WebhookDispatcher([Subscriber("s", server.url, "k")], timeout=0.2, retry_delays=())
        await d.start()
        started = time.monotonic()
        assert await d.deliver(d.subscribers[0], ALERT) is False
        assert time.monotonic() - started < 0.9
        await d.stop(drain_timeout=0)


async def test_a_hanging_subscriber_does_not_delay_another_or_the_caller():
    async with Server([204], delay=3.0) as slow, Server([204]) as fast:
        d = WebhookDispatcher([Subscriber("slow", slow.url, "k"), Subscriber("fast", fast.url, "k")],
                              timeout=5, retry_delays=())
        await d.start()
        started = time.monotonic()
        for i in range(20):
            d.submit({**ALERT, "alert_id": f"alr_{i:032x}"})
        assert time.monotonic() - started < 0.05, "submit never waits for HTTP"
        await wait_for(lambda: len(fast.requests) == 20, timeout=2)
        assert len(slow.requests) <= 1
        await d.stop(drain_timeout=0)


async def test_full_queue_drops_and_does_not_block():
    async with Server([204], delay=2.0) as slow:
        d = WebhookDispatcher([Subscriber("slow", slow.url, "k")], timeout=5, retry_delays=(), queue_size=2)
        await d.start()
        for i in range(10):
            d.submit({**ALERT, "alert_id": f"alr_{i:032x}"})
        assert d._queues["slow"].qsize() <= 2
        await d.stop(drain_timeout=0)
