"""Webhook subscriptions: a Faust global table (Kafka changelog) and the ``/subscriptions`` API.

* **Storage.** ``app-id-webhook_subscriptions-changelog`` holds one JSON record per subscription id
  (tombstone on delete). It is a :class:`faust.GlobalTable`: every worker reads the whole changelog,
  so every worker sees every subscription, and a restarted worker rebuilds the table from Kafka.
  Written with ``use_partitioner`` so the API (outside any stream) may write it; one partition, as
  Faust advises for global tables. Each write is flushed to the broker before the API answers.
* **Bootstrap.** Subscriptions from ``STREAMPROC_WEBHOOKS_FILE``/``STREAMPROC_WEBHOOK_URLS`` are kept
  in memory on every worker and the table is merged over them: a PATCH of a bootstrap subscription
  stores the changed copy in the table; a DELETE stores a ``deleted`` marker.
* **Ready.** At start the worker reads the changelog's end offsets and waits until the table has
  applied them; until then fan-out and delivery wait and the API answers 503, so an alert consumed
  just after a restart is never fanned out to a partial list.
* **Secrets** are returned by ``POST`` (and by a ``PATCH`` that rotates them) and never again, and
  never logged: :meth:`Subscription.public` is all the API shows.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import faust
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.tables.globaltable import GlobalTable
from faust.web import Request, Response, View

from streamproc.config import Settings
from streamproc.publish.webhooks import metrics as m
from streamproc.publish.webhooks.filters import FilterError, matches, normalise_filters
from streamproc.publish.webhooks.model import ACTIVE, DELETED, DISABLED, Subscription, check_secret, create
from streamproc.publish.webhooks.signing import generate_secret
from streamproc.publish.webhooks.ssrf import UnsafeURL, check_url, resolve_checked

log = logging.getLogger(__name__)
TABLE_NAME = "webhook_subscriptions"
READY_TIMEOUT = 120.0
#: How long a broker that answers must show no subscriptions changelog before the table counts as empty.
NO_CHANGELOG_AFTER = 10.0


class TrackedGlobalTable(GlobalTable):
    """A global table that remembers the highest changelog offset it has applied, per partition, and
    reads its own writes.

    Every worker reads the whole changelog, its own writes included, and applies each record to its
    local copy. A record older than a write this worker has just made, still on its way back (the
    changelog reader lags under load), used to overwrite that write until it came back: a secret
    rotated through the API signed the next delivery with the old secret alone. So a key written here
    takes no changelog record until its own write has come back (the log's order puts every record
    before it as older), or :data:`HOLD_SECONDS` have passed (a write whose record never comes must not
    shut other workers' writes out for good).
    """

    #: Longest a key written here ignores the changelog while its own write is on its way back.
    HOLD_SECONDS = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applied: dict[int, int] = {}
        #: Called after each changelog batch is applied: a subscription created, disabled or deleted
        #: through another worker reaches this worker's gauges too, not only its own writes.
        self.on_applied: Callable[[], None] | None = None
        #: key -> (value written here, None for a deletion; when): not yet back from the changelog.
        self._unconfirmed: dict[Any, tuple[Any, float]] = {}

    def partition_for_key(self, key: Any) -> int | None:
        # One partition. Naming it spares Faust's eager partitioning, which asks the producer's
        # metadata for the topic and fails (TypeError) when that metadata has not been fetched yet.
        return 0

    def on_key_set(self, key: Any, value: Any) -> None:
        self._unconfirmed[key] = (value, time.monotonic())
        super().on_key_set(key, value)

    def on_key_del(self, key: Any) -> None:
        self._unconfirmed[key] = (None, time.monotonic())
        super().on_key_del(key)

    def apply_changelog_batch(self, batch: Any) -> None:
        batch = list(batch)
        super().apply_changelog_batch(self._newer_than_own_writes(batch) if self._unconfirmed else batch)
        for event in batch:
            p, off = event.message.partition, event.message.offset
            if off > self.applied.get(p, -1):
                self.applied[p] = off
        if self.on_applied is not None and batch:
            self.on_applied()

    def _newer_than_own_writes(self, batch: list[Any]) -> list[Any]:
        """``batch`` without the records of keys whose write here has not come back yet."""
        now = time.monotonic()
        kept = []
        for event in batch:
            held = self._unconfirmed.get(event.key)
            if held is None:
                kept.append(event)
                continue
            value, since = held
            mine = event.value if event.message.value is not None else None
            if mine == value or now - since > self.HOLD_SECONDS:
                del self._unconfirmed[event.key]  # ours is back (the local copy holds it already), or too late
                if mine != value:
                    kept.append(event)
            # else: older than the write made here: the local copy keeps the newer value
        return kept


class SubscriptionStore:
    def __init__(self, app: faust.App, settings: Settings, bootstrap: list[Subscription]) -> None:
        self.app = app
        self.settings = settings
        self.bootstrap = {s.id: s for s in bootstrap}
        self.table = app.tables.add(TrackedGlobalTable(
            app, name=TABLE_NAME, default=None, beacon=app.tables.beacon, partitions=1,
            standby_buffer_size=1, recovery_buffer_size=1, is_global=True, use_partitioner=True,
            synchronize_all_active_partitions=False, key_type=str, value_type=bytes,
            help="webhook subscriptions"))
        self.table.on_applied = self._gauges
        self._ready: asyncio.Event | None = None
        self.ready = False
        self._parsed: dict[str, tuple[bytes, Subscription]] = {}

    # -- reading -----------------------------------------------------------------------------------
    def _from_table(self, sub_id: str) -> Subscription | None:
        # Read for every alert and every subscription: the store directly (the table's own getter runs
        # Faust's sensors per key) and each record parsed once, until its bytes change.
        raw = self.table.data.get(sub_id)
        if raw is None:
            self._parsed.pop(sub_id, None)  # deleted: the cache keeps only live records
            return None
        cached = self._parsed.get(sub_id)
        if cached is not None and cached[0] == raw:
            return cached[1]
        try:
            sub = Subscription.from_record(orjson.loads(raw))
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            log.warning("unreadable subscription record %s: %s", sub_id, exc)
            return None
        self._parsed[sub_id] = (raw, sub)
        return sub

    def get(self, sub_id: str) -> Subscription | None:
        sub = self._from_table(sub_id) or self.bootstrap.get(sub_id)
        return None if sub is None or sub.state == DELETED else sub

    def all(self) -> list[Subscription]:
        # Deleted (here or by another worker): drop their parsed records, secrets included. (A set
        # difference over at most STREAMPROC_WEBHOOK_MAX_SUBSCRIPTIONS keys, in C.)
        for gone in self._parsed.keys() - self.table.data.keys():
            del self._parsed[gone]
        ids = set(self.bootstrap) | set(self.table.data)
        subs = [s for s in (self.get(i) for i in sorted(ids)) if s is not None]
        return subs

    def matching(self, alert: dict[str, Any]) -> list[Subscription]:
        return [s for s in self.all() if s.active and matches(s.filters, alert)]

    # -- writing -----------------------------------------------------------------------------------
    async def put(self, sub: Subscription) -> None:
        self.table[sub.id] = orjson.dumps(sub.record())
        await self.app.producer.flush()
        self._gauges()

    async def delete(self, sub: Subscription) -> None:
        if sub.id in self.bootstrap:
            await self.put(replace(sub, state=DELETED, updated_at=time.time()))
        else:
            del self.table[sub.id]
            await self.app.producer.flush()
        self._gauges()

    async def disable(self, sub_id: str, reason: str) -> None:
        sub = self.get(sub_id)
        if sub is not None and sub.state == ACTIVE:
            await self.put(replace(sub, state=DISABLED, disabled_reason=reason, updated_at=time.time()))

    def _gauges(self) -> None:
        subs = self.all()
        m.WEBHOOK_SUBSCRIBERS.set(sum(1 for s in subs if s.active))
        for state in (ACTIVE, DISABLED):
            m.SUBSCRIBERS_BY_STATE.labels(state).set(sum(1 for s in subs if s.state == state))

    # -- readiness ---------------------------------------------------------------------------------
    def _event(self) -> asyncio.Event:
        if self._ready is None:
            self._ready = asyncio.Event()
        return self._ready

    async def wait_ready(self) -> None:
        if not self.ready:
            await self._event().wait()

    async def catch_up(self, bootstrap_servers: str) -> None:
        """Wait until the table holds everything the changelog held when the worker started.

        Until then fan-out waits (:meth:`wait_ready`): a task written against a partial table would miss
        a subscription, and a retry for one not loaded yet would be dropped. So an unreachable broker
        is waited for, however long; only a broker that answers and has no changelog topic (a first
        start) ends the wait empty, after :data:`NO_CHANGELOG_AFTER` seconds."""
        topic = self.table.changelog_topic.get_topic_name()
        started = time.monotonic()
        ends: dict[int, int] = {}
        answered_at: float | None = None  # since when the broker has answered without the topic
        warned = started
        while not ends:
            consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
            try:
                await consumer.start()
                parts = consumer.partitions_for_topic(topic) or set()
                if parts:
                    offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in parts])
                    ends = {tp.partition: off for tp, off in offsets.items()}
                elif answered_at is None:
                    answered_at = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - broker not reachable (yet): try again
                log.debug("subscriptions changelog end offsets: %s", exc)
                if time.monotonic() - warned > 30:
                    warned = time.monotonic()
                    log.warning("webhook subscriptions not loaded after %.0fs: the broker does not answer (%s); "
                                "webhook fan-out waits", warned - started, exc)
            finally:
                # aiokafka 0.14: a consumer stopped before its coordinator task has run once raises
                # CancelledError from stop() (the task is cancelled before its try block). Yield first.
                await asyncio.sleep(0)
                await consumer.stop()
            if not ends:
                if answered_at is not None and time.monotonic() - answered_at > NO_CHANGELOG_AFTER:
                    break  # no changelog yet: nothing to recover
                await asyncio.sleep(0.5)
        while any(end > 0 and self.table.applied.get(p, -1) < end - 1 for p, end in ends.items()):
            if time.monotonic() - started > READY_TIMEOUT:
                log.warning("subscriptions table not caught up after %.0fs (applied %s, end %s): going on",
                            READY_TIMEOUT, self.table.applied, ends)
                break
            await asyncio.sleep(0.1)
        self.ready = True
        self._event().set()
        self._gauges()
        log.info("webhook subscriptions ready: %d (%d from the configuration) after %.1fs",
                 len(self.all()), len(self.bootstrap), time.monotonic() - started)


# -- the API -------------------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _authorise(request: Request, token: str) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not token:
        raise ApiError(401, "the subscriptions API is disabled: STREAMPROC_ADMIN_TOKEN is not set",
                       {"WWW-Authenticate": 'Bearer realm="streamproc"'})
    # surrogateescape: a header that is not UTF-8 arrives with lone surrogates, which plain encode()
    # rejects (a 500); it is a wrong token like any other.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"),
                                                             token.encode()):
        raise ApiError(401, "missing or wrong bearer token", {"WWW-Authenticate": 'Bearer realm="streamproc"'})


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        doc = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError:
        raise ApiError(400, "the body must be JSON") from None
    if not isinstance(doc, dict):
        raise ApiError(400, "the body must be a JSON object")
    return doc


class SubscriptionsApi:
    """Request handling, independent of Faust's view classes (so it is easy to test and read)."""

    def __init__(self, store: SubscriptionStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def check_url(self, url: Any) -> str:
        try:
            url = check_url(url, allow_http=self.settings.webhook_allow_http,
                            allow_loopback=self.settings.webhook_allow_loopback)
            await resolve_checked(url, allow_loopback=self.settings.webhook_allow_loopback)
        except UnsafeURL as exc:
            raise ApiError(422, f"url refused: {exc}") from None
        return url

    def _found(self, sub_id: str) -> Subscription:
        sub = self.store.get(sub_id)
        if sub is None:
            raise ApiError(404, f"no subscription {sub_id}")
        return sub

    async def create(self, doc: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        unknown = set(doc) - {"url", "filters", "secret", "description"}
        if unknown:
            raise ApiError(400, f"unknown field(s): {', '.join(sorted(unknown))}")
        if "url" not in doc:
            raise ApiError(400, "url is required")
        limit = self.settings.webhook_max_subscriptions
        if sum(1 for s in self.store.all() if s.source == "api") >= limit:
            raise ApiError(409, f"at most {limit} subscriptions (STREAMPROC_WEBHOOK_MAX_SUBSCRIPTIONS): delete one first")
        url = await self.check_url(doc["url"])
        try:
            sub = create(url, filters=doc.get("filters"), secret=doc.get("secret"),
                         description=doc.get("description") or "")
        except (FilterError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        await self.store.put(sub)
        log.info("subscription %s created for %s", sub.id, sub.url)
        return 201, {**sub.public(), "secret": sub.secrets[0][0]}

    async def update(self, sub_id: str, doc: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        sub = self._found(sub_id)
        unknown = set(doc) - {"url", "filters", "description", "enabled", "secret", "rotate_secret"}
        if unknown:
            raise ApiError(400, f"unknown field(s): {', '.join(sorted(unknown))}")
        now = time.time()
        changes: dict[str, Any] = {"updated_at": now}
        if "url" in doc and doc["url"] != sub.url:
            changes["url"] = await self.check_url(doc["url"])
            changes["source"] = "api"  # no longer the operator's own URL: the SSRF guard applies
        if "filters" in doc:
            try:
                changes["filters"] = normalise_filters(doc["filters"])
            except FilterError as exc:
                raise ApiError(400, str(exc)) from None
        if "description" in doc:
            if not isinstance(doc["description"], str) or len(doc["description"]) > 500:
                raise ApiError(400, "description must be a string of at most 500 characters")
            changes["description"] = doc["description"]
        if "enabled" in doc:
            if not isinstance(doc["enabled"], bool):
                raise ApiError(400, "enabled must be true or false")
            changes["state"] = ACTIVE if doc["enabled"] else DISABLED
            changes["disabled_reason"] = None if doc["enabled"] else "disabled through the API"
        updated = replace(sub, **changes)
        new_secret: str | None = None
        if doc.get("secret") is not None or doc.get("rotate_secret"):
            try:
                new_secret = check_secret(doc["secret"]) if doc.get("secret") is not None else generate_secret()
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
            updated = updated.rotated(new_secret, self.settings.webhook_secret_grace, now)
        await self.store.put(updated)
        log.info("subscription %s updated (%s)", sub.id, ", ".join(sorted(set(doc))))
        body = updated.public()
        if new_secret is not None:
            body["secret"] = new_secret
        return 200, body

    async def handle(self, request: Request, method: str, sub_id: str | None) -> tuple[int, Any, dict[str, str]]:
        try:
            _authorise(request, self.settings.admin_token)
            if not self.store.ready:
                raise ApiError(503, "subscriptions are loading", {"Retry-After": "1"})
            if sub_id is None:
                if method == "get":
                    return 200, {"subscriptions": [s.public() for s in self.store.all()]}, {}
                status, body = await self.create(await _body(request))
                return status, body, {"Location": f"/subscriptions/{body['id']}"}
            if method == "get":
                return 200, self._found(sub_id).public(), {}
            if method == "patch":
                status, body = await self.update(sub_id, await _body(request))
                return status, body, {}
            await self.store.delete(self._found(sub_id))
            log.info("subscription %s deleted", sub_id)
            return 204, None, {}
        except ApiError as exc:
            return exc.status, {"error": exc.message}, exc.headers


def install_subscription_views(app: faust.App, store: SubscriptionStore, settings: Settings) -> SubscriptionsApi:
    api = SubscriptionsApi(store, settings)

    def respond(view: View, status: int, body: Any, headers: dict[str, str]) -> Response:
        if body is None:
            return view.bytes(b"", status=status, headers=headers)
        return view.json(body, status=status, headers=headers)

    @app.page("/subscriptions")
    class Subscriptions(View):
        async def get(self, request: Request) -> Response:
            return respond(self, *await api.handle(request, "get", None))

        async def post(self, request: Request) -> Response:
            return respond(self, *await api.handle(request, "post", None))

    @app.page("/subscriptions/{sub_id}")
    class OneSubscription(View):
        async def get(self, request: Request, sub_id: str) -> Response:
            return respond(self, *await api.handle(request, "get", sub_id))

        async def patch(self, request: Request, sub_id: str) -> Response:
            return respond(self, *await api.handle(request, "patch", sub_id))

        async def delete(self, request: Request, sub_id: str) -> Response:
            return respond(self, *await api.handle(request, "delete", sub_id))

    return api
