"""CPU per webhook POST: aiohttp (what the delivery engine uses) against httpx, on this machine.

The brief names httpx as the project's HTTP client; webhook delivery uses aiohttp instead, and this
is the measurement behind that choice (README, *Webhooks → Why aiohttp*). A receiver runs in a
process of its own, so only the client's CPU is counted: each client POSTs a signed-size body
(~3 KB, the Standard Webhooks headers) over keep-alive connections, one at a time and then N at once,
and the process's CPU time (user + system, ``getrusage``) is divided by the requests made.

    .venv/bin/python bench/http_clients.py [--requests 3000] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import socket
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx

BODY = b'{"type":"alert.created","data":' + b'"x"' * 1000 + b"}"
HEADERS = {"content-type": "application/json", "webhook-id": "msg_0123456789abcdef",
           "webhook-timestamp": "1764200000", "webhook-signature": "v1," + "A" * 44}


def _receive(port: int) -> None:
    from aiohttp import web

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(post: Callable[[], Awaitable[None]], requests: int, concurrency: int) -> tuple[float, float]:
    """Microseconds of this process's CPU per request, and requests per second."""
    for _ in range(200):  # connections open, code warm
        await post()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await post()

    cpu, start = _cpu(), time.perf_counter()
    await asyncio.gather(*(one() for _ in range(requests)))
    return (_cpu() - cpu) / requests * 1e6, requests / (time.perf_counter() - start)


async def _run(url: str, requests: int, concurrency: int) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), trust_env=False,
                                     timeout=aiohttp.ClientTimeout(total=10)) as session:
        async def aiohttp_post() -> None:  # as streamproc.publish.webhooks.sender does it
            async with session.post(url, data=BODY, headers=HEADERS, allow_redirects=False) as resp:
                await resp.content.read(64 * 1024)

        for n in (1, concurrency):
            cpu, rate = await _measure(aiohttp_post, requests, n)
            print(f"aiohttp, {n:>2} at once: {cpu:6.0f} µs CPU per request, {rate:6.0f} requests/s")
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=10, trust_env=False, follow_redirects=False, limits=limits) as client:
        async def httpx_post() -> None:
            await client.post(url, content=BODY, headers=HEADERS)

        for n in (1, concurrency):
            cpu, rate = await _measure(httpx_post, requests, n)
            print(f"httpx,   {n:>2} at once: {cpu:6.0f} µs CPU per request, {rate:6.0f} requests/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    port = _free_port()
    receiver = multiprocessing.get_context("spawn").Process(target=_receive, args=(port,), daemon=True)
    receiver.start()
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        print(f"httpx {httpx.__version__}, aiohttp {aiohttp.__version__}; receiver in its own process")
        asyncio.run(_run(f"http://127.0.0.1:{port}/hook", args.requests, args.concurrency))
    finally:
        receiver.kill()
        receiver.join(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
