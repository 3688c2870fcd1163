"""Webhook delivery figures on this machine.

1. **Deliveries per second** to one fast local receiver (aiohttp on 127.0.0.1): the delivery engine's
   lanes, signing and HTTP (keep-alive), with Kafka replaced by an in-memory recorder, so the figure
   is the engine's ceiling per worker process, not the broker's.
2. **p99 delay added to other subscribers while one hangs**: the same receiver's per-delivery latency
   (submit -> 2xx) alone, then while a second subscription's receiver never answers within the
   timeout and gets as many tasks; the figure is p99(with) - p99(alone).

    .venv/bin/python bench/webhooks.py [--seconds 5] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamproc.publish.webhooks.delivery import DeliveryTask
from tests.publish.test_engine import ALERT, Server, alert, make_engine, sub_for


async def throughput(seconds: float, concurrency: int) -> float:
    async with Server(lambda n: (204, 0, {})) as fast:
        sub = sub_for(fast.url)
        engine, _, _ = await make_engine([sub], timeout=5.0, concurrency=concurrency, queue_size=1000)
        done = 0
        started = time.perf_counter()
        deadline = started + seconds
        i = 0
        while time.perf_counter() < deadline:
            futs = [await engine.submit(DeliveryTask.for_alert(alert(i + k), sub.id)) for k in range(200)]
            i += 200
            results = await asyncio.gather(*futs)
            done += sum(1 for r in results if r == "delivered")
        elapsed = time.perf_counter() - started
        await engine.stop()
    return done / elapsed


async def added_delay(samples: int, concurrency: int) -> tuple[float, float, float]:
    async with Server(lambda n: (204, 0, {})) as fast, Server(lambda n: (204, 60, {})) as hang:
        fast_sub, hang_sub = sub_for(fast.url), sub_for(hang.url)
        engine, _, _ = await make_engine([fast_sub, hang_sub], timeout=15.0, concurrency=concurrency,
                                         queue_size=1000)

        async def measure(with_hang: bool) -> list[float]:
            lat = []
            for i in range(samples):
                if with_hang:  # the hanging subscriber gets a task for every alert too
                    await engine.submit(DeliveryTask.for_alert(alert(10**6 + i), hang_sub.id))
                t = time.perf_counter()
                await (await engine.submit(DeliveryTask.for_alert(alert(i), fast_sub.id)))
                lat.append(time.perf_counter() - t)
                await asyncio.sleep(0.002)  # ~ a steady alert stream, not a burst
            return lat

        alone = await measure(False)
        during = await measure(True)
        await engine.stop()
    p99 = lambda xs: statistics.quantiles(xs, n=100)[98]
    return p99(alone), p99(during), p99(during) - p99(alone)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--samples", type=int, default=1000)
    args = ap.parse_args()
    rate = asyncio.run(throughput(args.seconds, args.concurrency))
    print(f"deliveries/s to one fast local receiver (concurrency {args.concurrency}): {rate:.0f}")
    alone, during, added = asyncio.run(added_delay(args.samples, args.concurrency))
    print(f"p99 delivery latency of a fast subscriber: {alone * 1000:.2f} ms alone, {during * 1000:.2f} ms "
          f"while another subscriber hangs -> p99 added delay {added * 1000:+.2f} ms")
    _ = ALERT


if __name__ == "__main__":
    main()
