"""One HTTP attempt: Standard Webhooks request, no redirects, a total timeout, the SSRF guard."""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiohttp

from streamproc.publish.webhooks.delivery import DeliveryTask, build_request, classify, parse_retry_after
from streamproc.publish.webhooks.model import Subscription
from streamproc.publish.webhooks.ssrf import GuardedResolver, UnsafeAddress, UnsafeURL, check_url


@dataclass(frozen=True)
class AttemptResult:
    status: int | None
    seconds: float
    error: str | None = None
    retry_after: float | None = None
    blocked: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def label(self) -> str:
        return "blocked" if self.blocked else classify(self.status)

    def describe(self) -> str:
        if self.status is not None:
            return f"HTTP {self.status}"
        return self.error or "error"


class Sender:
    """Two aiohttp sessions: one with the guarded resolver for API subscriptions, one without it for
    bootstrap subscriptions (the operator's own configuration). Neither follows redirects nor reads
    proxy settings from the environment."""

    def __init__(self, timeout: float, allow_loopback: bool, allow_http: bool) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.allow_http = allow_http
        self._guarded: aiohttp.ClientSession | None = None
        self._trusted: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        self._guarded = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, resolver=GuardedResolver(self.allow_loopback)),
            timeout=timeout, trust_env=False)
        self._trusted = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout,
                                              trust_env=False)

    async def stop(self) -> None:
        for session in (self._guarded, self._trusted):
            if session is not None:
                await session.close()

    async def send(self, sub: Subscription, task: DeliveryTask) -> AttemptResult:
        assert self._guarded is not None and self._trusted is not None, "start() first"
        if not sub.trusted:
            try:  # per attempt: IP literals never reach the resolver
                check_url(sub.url, allow_http=self.allow_http, allow_loopback=self.allow_loopback)
            except UnsafeURL as exc:
                return AttemptResult(None, 0.0, error=f"blocked: {exc}", blocked=True)
        session = self._trusted if sub.trusted else self._guarded
        body, headers = build_request(task, sub.signing_secrets())
        started = time.perf_counter()
        try:
            async with session.post(sub.url, data=body, headers=headers, allow_redirects=False) as resp:
                await resp.content.read(64 * 1024)  # a little of the body, so the connection can be reused
                retry_after = parse_retry_after(resp.headers.get("retry-after")) \
                    if resp.status in (429, 503) else None
                return AttemptResult(resp.status, time.perf_counter() - started, retry_after=retry_after)
        except TimeoutError:
            return AttemptResult(None, time.perf_counter() - started, error="timeout")
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, UnsafeAddress):
                return AttemptResult(None, time.perf_counter() - started, error=f"blocked: {exc.os_error}",
                                     blocked=True)
            return AttemptResult(None, time.perf_counter() - started, error=f"connect: {type(exc).__name__}")
        except aiohttp.ClientError as exc:
            return AttemptResult(None, time.perf_counter() - started, error=type(exc).__name__)
