"""The delivery engine against real HTTP servers on 127.0.0.1, with Kafka replaced by a recorder.

(The same engine on a real broker, with a worker killed mid-retry, is in tests/integration/test_webhooks.py.)
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace
from typing import Any

import faust
import orjson
from aiohttp import web
from standardwebhooks import Webhook

from streamproc.publish.webhooks.delivery import DeliveryTask, RetrySchedule, decode_record
from streamproc.publish.webhooks.engine import DLQ_REASON_HEADER, WebhookEngine
from streamproc.publish.webhooks.model import DISABLED, Subscription, create
from streamproc.publish.webhooks.sender import Sender

ALERT = {"alert_id": "alr_" + "0" * 32, "detected_at": "2020-07-13T17:13:00.000Z", "severity": "high"}


class Server:
    """A real aiohttp server; ``behave(n)`` gives (status, delay, headers) for the n-th request."""

    def __init__(self, behave) -> None:
        self.behave = behave
        self.requests: list[tuple[float, dict[str, str], bytes]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((time.monotonic(), {k.lower(): v for k, v in request.headers.items()}, await request.read()))
        status, delay, headers = self.behave(len(self.requests))
        if delay:
            await asyncio.sleep(delay)
        return web.Response(status=status, headers=headers)

    async def __aenter__(self) -> Server:  # noqa: PYI034
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


class Store:
    def __init__(self, subs: list[Subscription]) -> None:
        self.subs = {s.id: s for s in subs}

    def get(self, sub_id: str) -> Subscription | None:
        return self.subs.get(sub_id)

    def all(self) -> list[Subscription]:
        return list(self.subs.values())

    def matching(self, alert: dict[str, Any]) -> list[Subscription]:
        return [s for s in self.subs.values() if s.active]

    async def wait_ready(self) -> None:
        return None

    async def disable(self, sub_id: str, reason: str) -> None:
        self.subs[sub_id] = replace(self.subs[sub_id], state=DISABLED, disabled_reason=reason)


class Kafka:
    """Records what the engine sends, by topic name."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes, dict[str, bytes] | None]] = []

    async def send(self, topic: faust.TopicT, key: bytes | None, value: bytes,
                   headers: dict[str, bytes] | None = None) -> None:
        await asyncio.sleep(0.001)
        self.sent.append((topic.get_topic_name(), key, value, headers))

    def on(self, topic: str) -> list[DeliveryTask]:
        return [task for t, _, v, _ in self.sent if t == topic for task in decode_record(v)[0]]


async def make_engine(subs: list[Subscription], delays=(0.05, 0.1), timeout=1.0, concurrency=2,
                      queue_size=100) -> tuple[WebhookEngine, Kafka, Store]:
    store, kafka = Store(subs), Kafka()
    app = faust.App("engine-test", broker="kafka://127.0.0.1:1")
    engine = WebhookEngine(app, store, Sender(timeout, allow_loopback=True, allow_http=True), RetrySchedule(delays),
                           kafka.send, prefix="wh", concurrency=concurrency, queue_size=queue_size)
    await engine.sender.start()
    return engine, kafka, store


def sub_for(url: str, **kw: Any) -> Subscription:
    return create(url, **kw)


def alert(i: int) -> dict[str, Any]:
    return {**ALERT, "alert_id": f"alr_{i:032x}"}


async def run(engine: WebhookEngine, task: DeliveryTask) -> str:
    return await (await engine.submit(task))


async def test_delivered_first_time_and_verified():
    async with Server(lambda n: (204, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, kafka, _ = await make_engine([sub])
        assert await engine.fan_out([ALERT]) == 1
        [task] = kafka.on("wh.deliveries")
        assert await run(engine, task) == "delivered"
        await engine.stop()
    [(_, headers, body)] = srv.requests
    assert Webhook(sub.secrets[0][0]).verify(body, headers)["data"] == ALERT
    assert headers["webhook-id"] == task.webhook_id


async def test_failure_goes_to_the_retry_topic_with_the_same_id_then_dlq():
    async with Server(lambda n: (500, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, kafka, _ = await make_engine([sub], delays=(0.05, 0.1))
        task = DeliveryTask.for_alert(ALERT, sub.id)
        before = time.time()
        assert await run(engine, task) == "retry"
        [r0] = kafka.on("wh.retry.0")
        assert r0.attempt == 1 and r0.webhook_id == task.webhook_id and r0.due_at >= before + 0.05
        assert await run(engine, r0) == "retry"
        [r1] = kafka.on("wh.retry.1")
        assert r1.attempt == 2
        assert await run(engine, r1) == "dead_lettered"
        [(_, key, value, headers)] = [s for s in kafka.sent if s[0] == "wh.dlq"]
        assert headers == {DLQ_REASON_HEADER: b"attempts_exhausted"} and key == sub.id.encode()
        assert DeliveryTask.decode(value).attempt == 3
        await engine.stop()
    assert len({h["webhook-id"] for _, h, _ in srv.requests}) == 1 and len(srv.requests) == 3


async def test_410_disables_the_subscription():
    async with Server(lambda n: (410, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, kafka, store = await make_engine([sub])
        assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "gone"
        assert store.get(sub.id).state == DISABLED
        assert await run(engine, DeliveryTask.for_alert(alert(1), sub.id)) == "dropped"
        assert kafka.sent == [] and len(srv.requests) == 1
        await engine.stop()


async def test_retry_after_is_honoured_on_429_and_503():
    for status in (429, 503):
        async with Server(lambda n, s=status: (s, 0, {"Retry-After": "7"})) as srv:
            sub = sub_for(srv.url)
            engine, kafka, _ = await make_engine([sub], delays=(0.05, 10, 60))
            assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "retry"
            [task] = kafka.on("wh.retry.1")  # the 10 s tier: the first one at least 7 s long
            assert task.due_at - time.time() >= 7
            await engine.stop()


async def test_redirects_are_not_followed():
    async with Server(lambda n: (204, 0, {})) as target, \
            Server(lambda n: (302, 0, {"Location": target.url})) as srv:
        sub = sub_for(srv.url)
        engine, kafka, _ = await make_engine([sub])
        assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "retry"
        assert kafka.on("wh.retry.0")[0].last_result == "HTTP 302"
        await engine.stop()
    assert target.requests == []


async def test_timeout_counts_as_a_failed_attempt():
    async with Server(lambda n: (204, 5, {})) as srv:
        sub = sub_for(srv.url)
        engine, kafka, _ = await make_engine([sub], timeout=0.3)
        started = time.monotonic()
        assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "retry"
        assert time.monotonic() - started < 1.0
        assert kafka.on("wh.retry.0")[0].last_result == "timeout"
        await engine.stop()


async def test_ssrf_guard_dead_letters_a_url_that_became_internal():
    sub = create("http://10.255.255.1/hook")  # refused before any connection is attempted
    engine, kafka, _ = await make_engine([sub])
    assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "dead_lettered"
    assert [h for t, _, _, h in kafka.sent if t == "wh.dlq"] == [{DLQ_REASON_HEADER: b"blocked"}]
    await engine.stop()


async def test_deleted_subscription_drops_its_pending_tasks():
    engine, _, _ = await make_engine([])
    assert await run(engine, DeliveryTask.for_alert(ALERT, "sub_gone")) == "dropped"
    await engine.stop()


async def test_the_idle_lane_of_a_deleted_subscription_is_pruned():
    async with Server(lambda n: (204, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, _, store = await make_engine([sub])
        assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "delivered"
        assert engine.prune_lanes() == 0 and sub.id in engine.lanes  # still subscribed
        lane = engine.lanes[sub.id]
        del store.subs[sub.id]
        assert engine.prune_lanes() == 1 and sub.id not in engine.lanes
        await asyncio.sleep(0)
        assert all(w.done() for w in lane.workers), "its request tasks are stopped"
        assert await run(engine, DeliveryTask.for_alert(ALERT, sub.id)) == "dropped"
        await engine.stop()


async def test_a_hanging_subscriber_does_not_delay_another():
    """One receiver never answers within the timeout; the other's latency is measured meanwhile."""
    async with Server(lambda n: (204, 30, {})) as hang, Server(lambda n: (204, 0, {})) as fast:
        slow_sub, fast_sub = sub_for(hang.url), sub_for(fast.url)
        engine, kafka, _ = await make_engine([slow_sub, fast_sub], timeout=2.0, concurrency=2, queue_size=5)

        async def deliver_fast(n: int) -> list[float]:
            lat = []
            for i in range(n):
                t = time.monotonic()
                assert await run(engine, DeliveryTask.for_alert(alert(i), fast_sub.id)) == "delivered"
                lat.append(time.monotonic() - t)
            return lat

        baseline = await deliver_fast(50)
        started = time.monotonic()
        slow_futs = [await engine.submit(DeliveryTask.for_alert(alert(i), slow_sub.id)) for i in range(20)]
        # Waiting for the hanging receiver would take its 2 s timeout: the bounds leave room for a slow machine.
        assert time.monotonic() - started < 1.0, "submitting never waits for the hanging receiver"
        during = await deliver_fast(50)
        assert not all(f.done() for f in slow_futs[:2]), "the hanging receiver is still hanging"
        added = statistics.quantiles(during, n=100)[98] - statistics.quantiles(baseline, n=100)[98]
        assert added < 0.5, f"p99 added delay {added:.3f}s"
        # Beyond its lane (2 in flight + 5 queued) the hanging subscriber's tasks were handed on at once.
        deferred = [t for t in kafka.on("wh.retry.0") if t.subscription_id == slow_sub.id]
        assert len(deferred) >= 20 - 2 - 5 and all(t.attempt == 0 and t.deferrals == 1 for t in deferred)
        await engine.stop()


async def test_payload_is_the_alert_unchanged():
    async with Server(lambda n: (200, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, _, _ = await make_engine([sub])
        big = {**ALERT, "text": "ش" * 10000}
        await run(engine, DeliveryTask.for_alert(big, sub.id))
        await engine.stop()
    assert orjson.loads(srv.requests[0][2])["data"] == big


async def test_a_batch_fans_out_as_one_record_per_subscription_and_is_acked_when_all_are_handled():
    async with Server(lambda n: (204, 0, {})) as srv:
        subs = [sub_for(srv.url), sub_for(srv.url)]
        engine, kafka, _ = await make_engine(subs)
        alerts = [alert(i) for i in range(3)]
        assert await engine.fan_out(alerts) == 6
        records = [(k, v) for t, k, v, _ in kafka.sent if t == "wh.deliveries"]
        assert sorted(k for k, _ in records) == sorted(s.id.encode() for s in subs)
        for key, value in records:
            tasks, refused = decode_record(value)
            assert refused == [] and [t.alert for t in tasks] == alerts
            assert {t.subscription_id.encode() for t in tasks} == {key}
        fut, count = await engine._handle(records[0][1], None)
        assert count == 3
        assert await fut == "delivered"
        await engine.stop()
    assert len({h["webhook-id"] for _, h, _ in srv.requests}) == 3


async def test_a_failed_delivery_in_a_group_is_retried_alone():
    async with Server(lambda n: (500, 0, {}) if n == 2 else (204, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, kafka, _ = await make_engine([sub])
        await engine.fan_out([alert(i) for i in range(4)])
        [(_, _, record, _)] = kafka.sent
        fut, count = await engine._handle(record, None)
        await fut
        [retry] = kafka.on("wh.retry.0")
        assert retry.attempt == 1 and retry.last_result == "HTTP 500"
        failed = srv.requests[1][1]["webhook-id"]  # the second request is the one answered 500
        assert retry.webhook_id == failed and count == 4 and len(srv.requests) == 4
        # Retries travel one task per record.
        assert [len(decode_record(v)[0]) for t, _, v, _ in kafka.sent if t == "wh.retry.0"] == [1]
        await engine.stop()


async def test_a_group_with_a_bad_part_delivers_the_rest():
    async with Server(lambda n: (204, 0, {})) as srv:
        sub = sub_for(srv.url)
        engine, _, _ = await make_engine([sub])
        good = [orjson.loads(DeliveryTask.for_alert(alert(i), sub.id).encode()) for i in range(2)]
        fut, count = await engine._handle(orjson.dumps({"v": 2, "tasks": [good[0], {"v": 1}, good[1]]}), None)
        assert count == 2 and await fut == "delivered"
        fut, count = await engine._handle(b'{"v": 2, "tasks": "none"}', None)
        assert count == 1 and await fut == "invalid"
        await engine.stop()
    assert len(srv.requests) == 2


async def test_fan_out_goes_on_past_an_alert_whose_matching_fails():
    """A bug while matching one alert costs only the subscription whose filters raise: the others get
    their task, and that one a replayable dead letter (fanout_error)."""
    from streamproc.publish.webhooks import engine as engine_module

    good, bad = sub_for("http://127.0.0.1:9/good"), sub_for("http://127.0.0.1:9/bad", filters={"countries": ["AZ"]})

    class Buggy(Store):
        def matching(self, a: dict[str, Any]) -> list[Subscription]:
            if a["alert_id"] == alert(1)["alert_id"]:
                raise RuntimeError("a bug in a filter")
            return super().matching(a)

    real_matches = engine_module.matches

    def buggy_matches(filters: dict[str, Any], a: dict[str, Any]) -> bool:
        if filters.get("countries"):
            raise RuntimeError("a bug in the countries filter")
        return real_matches(filters, a)

    engine, kafka, _ = await make_engine([good, bad])
    engine.store = Buggy([good, bad])
    engine_module.matches = buggy_matches
    try:
        assert await engine.fan_out([alert(0), alert(1), alert(2)]) == 5
    finally:
        engine_module.matches = real_matches
    delivered = [(t.alert["alert_id"], t.subscription_id) for t in kafka.on("wh.deliveries")]
    assert (alert(1)["alert_id"], good.id) in delivered and (alert(1)["alert_id"], bad.id) not in delivered
    assert [(t.alert["alert_id"], t.subscription_id) for t in kafka.on("wh.dlq")] == [(alert(1)["alert_id"], bad.id)]
    assert [h for t, _, _, h in kafka.sent if t == "wh.dlq"] == [{DLQ_REASON_HEADER: b"fanout_error"}]
    await engine.stop()


async def test_no_event_after_one_whose_tasks_were_cancelled_is_acked(monkeypatch):
    """A cancelled task (shutdown) leaves its event unacked; the events after it must stay unacked too.
    The consumer once forgot the cancellation after clearing what was pending, and acked later events:
    Faust would then commit past the unhandled one (a review's finding)."""
    from types import SimpleNamespace

    from streamproc.publish.webhooks import engine as engine_module

    engine, _, _ = await make_engine([])
    acked: list[int] = []
    monkeypatch.setattr(engine_module, "hand_ack", lambda event: acked.append(event.message.offset))
    loop = asyncio.get_running_loop()

    def future(outcome: str | None) -> asyncio.Future[str]:
        fut: asyncio.Future[str] = loop.create_future()
        fut.cancel() if outcome is None else fut.set_result(outcome)
        return fut

    outcomes = iter(["delivered", "delivered", None, "delivered", "delivered"])

    async def handle(raw: bytes | None, tier: int | None) -> tuple[asyncio.Future[str], int]:
        return future(next(outcomes)), 1

    class Stream:
        def noack(self) -> Stream:
            return self

        async def events(self):  # type: ignore[no-untyped-def]
            for offset in range(5):
                yield SimpleNamespace(value=b"x", message=SimpleNamespace(offset=offset, topic="wh", partition=0))

    monkeypatch.setattr(engine, "_handle", handle)
    await engine._consume(Stream(), None)  # type: ignore[arg-type]
    await engine.stop()
    assert acked == [0, 1]
