"""A small webhook receiver that verifies signatures: used by ``streamproc demo`` and as the sample
receiver in docker-compose. Not part of the worker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from streamproc.publish.webhooks.signing import verify


@dataclass
class Delivery:
    webhook_id: str
    verified: bool
    payload: dict[str, Any]
    received_at: float


@dataclass
class WebhookReceiver:
    secret: str
    host: str = "127.0.0.1"
    port: int = 0
    on_delivery: Callable[[Delivery], None] | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        msg_id = request.headers.get("webhook-id", "")
        try:
            ts = int(request.headers.get("webhook-timestamp", "0"))
        except ValueError:
            return web.Response(status=400, text="bad timestamp")
        ok = verify(self.secret, msg_id, ts, body, request.headers.get("webhook-signature", ""))
        if not ok:
            return web.Response(status=401, text="bad signature")
        delivery = Delivery(msg_id, ok, orjson.loads(body), time.time())
        self.deliveries.append(delivery)
        if self.on_delivery:
            self.on_delivery(delivery)
        return web.Response(status=204)

    async def start(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if not self.port:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def serve_forever(secret: str, host: str, port: int) -> None:
    def show(d: Delivery) -> None:
        data = d.payload.get("data", {})
        print(f"webhook {d.webhook_id}: {data.get('alert_id')} {data.get('severity')} "
              f"{[c['name'] for c in data.get('categories', [])]}", flush=True)

    receiver = await WebhookReceiver(secret=secret, host=host, port=port, on_delivery=show).start()
    print(f"receiving webhooks at {receiver.url}", flush=True)
    await asyncio.Event().wait()
