"""Worker throughput against the broker's ceiling, alert latency, peak memory, and load sharing.

Everything is real: the embedded Tansu broker, ``streamproc worker`` processes, a webhook receiver
(aiohttp on 127.0.0.1) subscribed to every alert. Articles are the bundled samples padded to ~3 KB,
each with a unique id.

1. **Ceiling**: a plain aiokafka loop in this process consumes the articles, decodes the JSON and
   produces a small result per article (sends batched, not awaited one by one).
2. **Pipeline**: one worker consumes the same number of articles from a preloaded topic (decode,
   classify, enrich, publish alerts, webhook deliveries); the rate is read from its own counters.
   ``ratio: 0.NN`` is pipeline / ceiling, measured in the same run.
3. **Latency**: articles offered at a fixed rate (500/s by default) to the running worker; for each
   escalating article, produce -> alert readable on the alerts topic; percentiles over all of them
   (the run waits for the last alert). Then where it went: the worker's own batch histograms over
   that run, as means per batch (waiting, classify, publish). A second run offers half the rate the
   pipeline reached in step 2 (``--sustainable``): the VM's speed drifts 2-3x between hours, and on
   a slow day 500/s is more than one worker takes, so the first run measures a backlog, not latency.
4. **Peak memory** of the worker process (VmHWM).
5. **Two workers** in one group on one 8-partition topic: the share each processed.
6. **CPU**: for the pipeline and latency runs, the CPU each process used (worker, its classification
   processes, the broker, this load generator), in cores. Everything shares this machine's cores, so
   the line says how close to saturation a run was; and ``bound`` turns the pure pipeline's single-core
   speed into the best ratio the machine's cores could give if nothing else needed CPU.
7. **Search**: (``--p99-under``, 100 ms by default: the issue's target) the highest offered rate whose
   p99 stays under the target: ``--rate`` first, then halving the interval between 0 and the lowest
   rate missed (``--search-steps`` runs in all, one each: a step's p99 is one run's, as noisy as the
   VM). Each step runs on a broker and a worker of its own, started once the run's broker is gone,
   after 2 s of warm-up at its rate: Tansu gets slower the more its topics hold
   (docs/performance.md), and on one broker each step would start heavier than the last (p99 100,
   102, 110, 164 ms at 250, 120, 60, 30 articles/s in one such search, rising with time, not with
   the rate).
8. **Mix**: (``--escalating``, 0.1 and 0.25 by default) one more latency run at ``--rate`` for each
   share of escalating articles, each on a broker of its own. Every other run offers the samples as
   they come, 8 escalating in 12: the worst case for the pipeline, since entity linking, the alert,
   its publishing and its webhook delivery happen only for an escalating article. A feed of all the
   news has far fewer; a feed filtered for conflict regions more.

    .venv/bin/python bench/pipeline.py [--articles 5000] [--rate 500] [--seconds 10] [--sustainable 0.5]
                                       [--p99-under 100] [--search-steps 4] [--escalating 0.1,0.25]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import orjson
from aiohttp import web
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streamproc.broker.embedded import EmbeddedBroker, free_port
from streamproc.cli.bench import measure_pipeline, padded_articles
from streamproc.pipeline import Pipeline

PARTITIONS = 8
#: How long the latency run waits for its last alerts after its last article, at most.
STRAGGLERS_LIMIT = 120.0
_TICK = os.sysconf("SC_CLK_TCK")
#: One latency run at an offered rate, with its label: its p99 in ms (see :func:`highest_rate_under`).
RunAt = Callable[[float, str], Awaitable[float]]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _is_pool_process(pid: int) -> bool:
    """A classification process (multiprocessing's spawn child), not its resource tracker."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"spawn_main" in cmdline and b"resource_tracker" not in cmdline


class CpuMeter:
    """CPU used by each process of a run between :meth:`start` and :meth:`report`."""

    def __init__(self, broker: EmbeddedBroker, workers: list[Worker]) -> None:
        self.broker, self.workers = broker, workers

    def _pids(self) -> dict[str, list[int]]:
        pids: dict[str, list[int]] = {"worker": [], "classification processes": [],
                                      "broker (Tansu)": [], "load generator and receiver (this process)": [os.getpid()]}
        for w in self.workers:
            pids["worker"].append(w.proc.pid)
            pids["classification processes"] += [c for c in _children(w.proc.pid) if _is_pool_process(c)]
        if self.broker.process is not None:
            pids["broker (Tansu)"].append(self.broker.process.pid)
        return pids

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.before = {pid: _cpu_seconds(pid) for group in self._pids().values() for pid in group}

    def report(self, label: str) -> str:
        elapsed = time.perf_counter() - self.t0
        parts, total = [], 0.0
        for name, group in self._pids().items():
            used = sum(_cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in group) / elapsed
            total += used
            parts.append(f"{name} {used:.2f}")
        return (f"CPU during {label} (cores, of {os.cpu_count()}): " + ", ".join(parts) + f"; total {total:.2f}")


def payloads(prefix: str, n: int, order: Sequence[int] | None = None) -> list[tuple[bytes, bytes]]:
    """``n`` articles under new ids: the bundled samples padded to ~3 KB, in turn, or as ``order``
    says (an index into the samples for each article: :func:`sample_order`)."""
    samples = padded_articles([], 3000)
    out = []
    for i in range(n):
        a = dict(samples[order[i] if order is not None else i % len(samples)])
        a["id"] = f"{prefix}-{i}"
        out.append((a["id"].encode(), orjson.dumps(a)))
    return out


def sample_order(escalates: Sequence[bool], n: int, share: float | None) -> list[int]:
    """The sample each of ``n`` articles repeats, as an index into ``escalates`` (which samples
    escalate). ``share`` None: the samples in turn (8 of the 12 bundled ones escalate). Otherwise
    that fraction of the articles escalate, spread evenly (0.1: one in ten), each kind taking its own
    samples in turn. The share decides how much of the pipeline runs: entity linking, the alert, its
    publishing and its webhook delivery happen only for an escalating article."""
    if share is None:
        return [i % len(escalates) for i in range(n)]
    hot = [j for j, e in enumerate(escalates) if e]
    cold = [j for j, e in enumerate(escalates) if not e]
    if not 0 <= share <= 1 or (share > 0 and not hot) or (share < 1 and not cold):
        raise ValueError(f"cannot make {share:.0%} of the articles escalate from these samples")
    order: list[int] = []
    taken = 0  # escalating articles so far
    for i in range(n):
        # floor((i + 1) * share) - floor(i * share) is 1 for exactly floor(n * share) of the first n.
        if math.floor((i + 1) * share) > math.floor(i * share):
            order.append(hot[taken % len(hot)])
            taken += 1
        else:
            order.append(cold[(i - taken) % len(cold)])
    return order


@dataclass(frozen=True)
class Feed:
    """What the latency runs offer: which of the bundled samples escalate, and the share of escalating
    articles (None: the samples' own, 8 of 12)."""

    escalates: tuple[bool, ...]
    share: float | None = None

    @classmethod
    def of_samples(cls, pipeline: Pipeline) -> Feed:
        """The bundled samples as they come, each one's escalation found by the pure pipeline."""
        return cls(tuple(pipeline.process(orjson.dumps(a)).kind == "alert" for a in padded_articles([], 3000)))

    def articles(self, prefix: str, n: int) -> tuple[list[tuple[bytes, bytes]], int]:
        """``n`` articles under new ids, and how many of them escalate."""
        order = sample_order(self.escalates, n, self.share)
        return payloads(prefix, n, order), sum(self.escalates[j] for j in order)

    def describe(self) -> str:
        """The share, for a run's label."""
        if self.share is None:
            return f"{sum(self.escalates)} in {len(self.escalates)} escalating, as the samples come"
        return f"{self.share:.0%} of them escalating"


async def create_topics(broker: EmbeddedBroker, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, PARTITIONS, 1) for n in names])
    finally:
        await admin.close()


async def preload(broker: EmbeddedBroker, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=5,
                                max_request_size=8 * 1024 * 1024, max_batch_size=1024 * 1024)
    await producer.start()
    try:
        futs = [await producer.send(topic, key=k, value=v) for k, v in messages]
        await asyncio.gather(*futs)
    finally:
        await producer.stop()


async def ceiling(broker: EmbeddedBroker, topic: str, n: int) -> float:
    """Messages per second of a plain aiokafka consume -> decode -> produce loop."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id="bench-ceiling",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=32 * 1024 * 1024,
                                fetch_max_wait_ms=50)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=5)
    await consumer.start()
    await producer.start()
    seen = 0
    started: float | None = None
    try:
        while seen < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            futs = []
            for records in batch.values():
                for r in records:
                    if started is None:
                        started = time.perf_counter()
                    article = orjson.loads(r.value)
                    result = orjson.dumps({"id": article["id"], "chars": len(article["text"])})
                    futs.append(await producer.send("bench-ceiling-out", key=r.key, value=result))
            if futs:
                await asyncio.gather(*futs)
                await consumer.commit()
                seen += len(futs)
        assert started is not None
        return n / (time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()


class Receiver:
    """A fast webhook receiver: aiohttp answering 204 to every POST."""

    def __init__(self) -> None:
        self.count = 0
        self.port = free_port()

    async def start(self) -> None:
        async def hook(request: web.Request) -> web.Response:
            await request.read()
            self.count += 1
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def quiet(self, for_seconds: float = 1.0, limit: float = 30.0) -> None:
        """Wait until no delivery has arrived for ``for_seconds`` (at most ``limit``). The pure-pipeline
        measurement before the latency run holds this process's event loop, and with it this receiver,
        for 3 s: the worker's deliveries pile up meanwhile, and the latency run must not start while
        they drain (that backlog made the whole top 1 % of some runs, all in their first half-second)."""
        deadline = time.monotonic() + limit
        last = -1
        while self.count != last and time.monotonic() < deadline:
            last = self.count
            await asyncio.sleep(for_seconds)


class Worker:
    def __init__(self, broker: EmbeddedBroker, workdir: Path, name: str, receiver_url: str,
                 articles_topic: str, alerts_topic: str, processes: int = 0, batch_bytes: int = 0,
                 settings: dict[str, str] | None = None) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMPROC_")}
        env.update({
            "STREAMPROC_BROKER": broker.url, "STREAMPROC_WEB_PORT": str(self.port),
            "STREAMPROC_WEB_BIND": "127.0.0.1", "STREAMPROC_DATA_DIR": str(workdir / name),
            "STREAMPROC_TOPIC_PARTITIONS": str(PARTITIONS), "STREAMPROC_SESSION_TIMEOUT": "6",
            "STREAMPROC_REBALANCE_TIMEOUT": "6", "STREAMPROC_HEARTBEAT_INTERVAL": "1",
            "STREAMPROC_LOG_LEVEL": "warning", "STREAMPROC_WEBHOOK_URLS": receiver_url,
            "STREAMPROC_WEBHOOK_SECRET": "bench-shared-secret-0123456789", "STREAMPROC_TOPIC_ARTICLES": articles_topic,
            "STREAMPROC_TOPIC_ALERTS": alerts_topic, "STREAMPROC_WEBHOOK_ALLOW_LOOPBACK": "true",
            "STREAMPROC_WEBHOOK_ALLOW_HTTP": "true",
            # The feed repeats 12 sample texts under new ids: measure every article's full path.
            "STREAMPROC_DEDUP_WINDOW": "0",
            "STREAMPROC_CLASSIFY_PROCESSES": str(processes),
            "STREAMPROC_PRODUCER_BATCH_BYTES": str(batch_bytes),
        })
        env.update(settings or {})
        self.log = (workdir / f"{name}.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "streamproc", "worker"], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    async def ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"worker died: see {self.log.name}")
                try:
                    if (await client.get(f"http://127.0.0.1:{self.port}/ready", timeout=1)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError("worker not ready")

    async def classifying_in_processes(self, processes: int, timeout: float = 120) -> None:
        """Wait until the classification processes are loaded: until then the worker classifies in a
        thread (its first alerts do not wait), which is not the steady state being measured."""
        if not processes:
            return
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                text = (await client.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5)).text
                m = re.search(r"^streamproc_classify_processes (\S+)$", text, re.MULTILINE)
                if m and float(m.group(1)) >= processes:
                    return
                await asyncio.sleep(0.2)
        raise TimeoutError("classification processes not loaded")

    async def processed(self) -> int:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5)).text
        return int(sum(float(v) for v in re.findall(r"^streamproc_articles_processed_total\{[^}]*\} (\S+)$",
                                                     text, re.MULTILINE)))

    async def batch_totals(self) -> dict[str, float]:
        """Sums and counts of the worker's batch histograms (``streamproc_batch_phase_seconds`` per
        phase, ``streamproc_batch_articles``): two readings make the means of a run."""
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5)).text
        out: dict[str, float] = {}
        for name, phase, value in re.findall(
                r'^streamproc_batch_(?:phase_seconds|articles)_(sum|count)(?:\{phase="(\w+)"\})? (\S+)$',
                text, re.MULTILINE):
            out[f"{phase or 'articles'}_{name}"] = float(value)
        return out

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


async def rate_of(workers: list[Worker], start_counts: list[int], n: int, timeout: float) -> tuple[float, list[int]]:
    """Wait until the workers processed ``n`` more articles; their rate from first to last progress."""
    first: float | None = None
    last_counts = list(start_counts)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = [await w.processed() for w in workers]
        now = time.perf_counter()
        done = sum(counts) - sum(start_counts)
        if first is None and done > 0:
            first = now
            first_done = done
        if done >= n:
            assert first is not None
            # the first poll already saw first_done processed: measure the rest
            elapsed = max(now - first, 1e-3)
            return (n - first_done) / elapsed, [c - s for c, s in zip(counts, start_counts)]
        last_counts = counts
        # Not faster: a scrape of the worker's /metrics costs it several ms of its event loop (Faust's
        # per-partition series); at 10 per second that was ~6% of the worker's time.
        await asyncio.sleep(0.5)
    raise TimeoutError(f"processed {sum(last_counts) - sum(start_counts)} of {n}")


async def latency(broker: EmbeddedBroker, topic: str, alerts_topic: str, rate: float, seconds: float,
                  meter: CpuMeter, feed: Feed) -> tuple[list[float], int, str]:
    """Offer articles (from ``feed``) at ``rate``/s; produce -> alert readable, in ms, for every
    escalating one; how many escalate; and the CPU each process used while they were offered.

    Waits for all the escalating articles' alerts (up to :data:`STRAGGLERS_LIMIT` after the last article): a fixed
    wait left out the slowest alerts of a run the worker could not keep up with, and percentiles over
    the alerts that made it in time understated its latency (2,303 of 3,333 counted on 2026-11-26)."""
    messages, expected = feed.articles(f"lat-{time.time_ns()}", int(rate * seconds))
    sent: dict[str, float] = {}
    consumer = AIOKafkaConsumer(alerts_topic, bootstrap_servers=broker.bootstrap, group_id=None,
                                auto_offset_reset="latest", fetch_max_wait_ms=10)
    await consumer.start()
    await consumer.seek_to_end()
    latencies: list[float] = []

    async def read() -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for r in records:
                    art_id = orjson.loads(r.value)["article"]["id"]
                    if art_id in sent:
                        latencies.append((now - sent.pop(art_id)) * 1000)

    reader = asyncio.create_task(read())
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=0)
    await producer.start()
    start = time.perf_counter()
    meter.start()
    for i, (key, value) in enumerate(messages):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[key.decode()] = time.perf_counter()
        await producer.send(topic, key=key, value=value)
    await producer.flush()
    cpu = meter.report(f"the latency run, while {rate:.0f} articles/s were offered")
    deadline = time.perf_counter() + STRAGGLERS_LIMIT
    while len(latencies) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    reader.cancel()
    await producer.stop()
    await consumer.stop()
    return latencies, expected, cpu


def pure_pipeline() -> Pipeline:
    """The pure pipeline with the workers' rules, in this process."""
    from streamproc.config import Settings
    from streamproc.worker.run import build_pipeline

    return build_pipeline(Settings())


def pure_rate(pipeline: Pipeline, messages: list[tuple[bytes, bytes]], seconds: float = 3.0) -> float:
    """Articles/s of the pure pipeline (decode to alert, no Kafka) over these payloads, one core."""
    values = [v for _, v in messages[:200]]
    for v in values[:20]:
        pipeline.process(v)
    n, elapsed, _ = measure_pipeline(pipeline, values, seconds)
    return n / elapsed


async def latency_run(broker: EmbeddedBroker, worker: Worker, receiver: Receiver, feed: Feed,
                      articles: str, alerts: str, rate: float, seconds: float, meter: CpuMeter,
                      label: str) -> float:
    """One latency run (see :func:`latency`) and its figures: percentiles, CPU, and the worker's batch
    phases. Returns its p99 in ms (infinite when no alert came)."""
    await receiver.quiet()
    batches_before = await worker.batch_totals()
    lat, expected, cpu_latency = await latency(broker, articles, alerts, rate, seconds, meter, feed)
    batches = {k: v - batches_before.get(k, 0.0) for k, v in (await worker.batch_totals()).items()}
    if lat:
        print(f"latency produce->alert {label}, {len(lat)} of {expected} alerts: "
              f"p50 {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms, p99 {pct(lat, 99):.0f} ms, "
              f"max {max(lat):.0f} ms")
    print(cpu_latency)
    n_batches = batches.get("articles_count", 0.0)
    if n_batches:
        def mean_ms(phase: str) -> float:
            return batches.get(f"{phase}_sum", 0.0) / max(1.0, batches.get(f"{phase}_count", 0.0)) * 1000

        phases = ", ".join(f"{p} {mean_ms(p):.0f} ms" for p in ("waiting", "classify", "publish"))
        print(f"where the latency went (the worker's batches in that run, mean per batch): {phases}; "
              f"{n_batches:.0f} batches of {batches.get('articles_sum', 0.0) / n_batches:.1f} articles "
              f"on average")
    return pct(lat, 99) if lat else float("inf")


async def highest_rate_under(target_ms: float, top: float, steps: int, run: RunAt) -> None:
    """The highest offered rate whose p99 stays under ``target_ms``: ``top`` first, then halving the
    interval between 0 (met) and the lowest rate missed; ``steps`` latency runs (``run``) in all."""
    label = f"searching for p99 < {target_ms:.0f} ms, on a broker of its own"
    p99 = await run(top, f"at {top:.0f} articles/s offered ({label})")
    if p99 < target_ms:
        print(f"p99 under {target_ms:.0f} ms: met at {top:.0f} articles/s offered (p99 {p99:.0f} ms)")
        return
    met, missed = 0.0, top
    met_p99 = None
    for _ in range(steps - 1):
        rate = round((met + missed) / 2 / 10) * 10 or (met + missed) / 2
        p99 = await run(rate, f"at {rate:.0f} articles/s offered ({label})")
        if p99 < target_ms:
            met, met_p99 = rate, p99
        else:
            missed = rate
    if met_p99 is None:
        print(f"p99 under {target_ms:.0f} ms: not met at any rate tried (the lowest, {missed:.0f} articles/s, missed)")
    else:
        print(f"p99 under {target_ms:.0f} ms: met at up to {met:.0f} articles/s offered (p99 {met_p99:.0f} ms); "
              f"missed at {missed:.0f} articles/s")


async def on_fresh_broker(args: argparse.Namespace, workdir: Path, receiver: Receiver, feed: Feed,
                          rate: float, label: str) -> float:
    """One latency run (:func:`latency_run`) on a broker and a worker started for it, after 2 s of
    warm-up at the same rate (the worker's first batches, its connections, the broker's topics)."""
    tag = f"{rate:.0f}-{time.strftime('%H%M%S')}"
    with EmbeddedBroker(log_file=workdir / f"tansu-{tag}.log") as broker:
        articles, alerts = f"bench-articles-{tag}", f"bench-alerts-{tag}"
        await create_topics(broker, [articles, alerts])
        worker = Worker(broker, workdir, f"w-{tag}", receiver.url, articles, alerts, args.processes,
                        args.producer_batch_bytes, args.settings)
        try:
            await worker.ready()
            await worker.classifying_in_processes(args.processes)
            meter = CpuMeter(broker, [worker])
            await latency(broker, articles, alerts, rate, 2.0, meter, feed)
            return await latency_run(broker, worker, receiver, feed, articles, alerts, rate, args.seconds,
                                     meter, label)
        finally:
            worker.stop()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))]


async def main(args: argparse.Namespace) -> None:
    tmp = tempfile.mkdtemp(prefix="streamproc-bench-")
    print(f"python {platform.python_version()} ({Path(sys.executable).resolve()}); logs: {tmp}")
    workdir = Path(tmp)
    receiver = Receiver()
    await receiver.start()
    try:
        feed = await on_one_broker(args, workdir, receiver)
        # The runs below each on a broker of their own, after that broker and its workers are gone: a
        # broker holding a whole run's records answers each fetch at a cost in proportion to them
        # (Tansu used 0.33 cores at 30 articles/s offered on such a broker), and its worker polls it
        # every 50 ms regardless.
        if args.p99_under:
            async def run_fresh(offered: float, label: str) -> float:
                return await on_fresh_broker(args, workdir, receiver, feed, offered, label)

            await highest_rate_under(args.p99_under, args.rate, args.search_steps, run_fresh)
        for share in args.escalating:
            mixed = replace(feed, share=share)
            await on_fresh_broker(args, workdir, receiver, mixed, args.rate,
                                  f"at {args.rate:.0f} articles/s offered, {mixed.describe()} (on a broker of its own)")
    finally:
        await receiver.stop()


async def on_one_broker(args: argparse.Namespace, workdir: Path, receiver: Receiver) -> Feed:
    """Ceiling, pipeline, ``bound``, the latency runs, peak memory and two workers, on one broker;
    returns the feed of its latency runs (the samples as they come), for the later runs."""
    with EmbeddedBroker(log_file=workdir / "tansu.log") as broker:
        run = time.strftime("%H%M%S")
        ceiling_in, articles, alerts = f"bench-ceiling-{run}", f"bench-articles-{run}", f"bench-alerts-{run}"
        await create_topics(broker, [ceiling_in, "bench-ceiling-out", articles, alerts])
        n = args.articles
        messages = payloads(f"bench-{run}", n)
        print(f"articles: {n} x {statistics.mean(len(v) for _, v in messages) / 1024:.1f} KB, "
              f"{PARTITIONS} partitions, broker: embedded Tansu")

        await preload(broker, ceiling_in, messages)
        top = await ceiling(broker, ceiling_in, n)
        print(f"ceiling (plain aiokafka consume/decode/produce): {top:,.0f} msg/s")

        worker = Worker(broker, workdir, "w1", receiver.url, articles, alerts, args.processes,
                        args.producer_batch_bytes, args.settings)
        try:
            await worker.ready()
            await worker.classifying_in_processes(args.processes)
            base = await worker.processed()
            meter = CpuMeter(broker, [worker])
            await preload(broker, articles, messages)
            meter.start()
            rate, _ = await rate_of([worker], [base], n, timeout=600)
            cpu_pipeline = meter.report("the pipeline run")
            print(f"pipeline (one worker: decode, classify, enrich, publish, webhooks; classify processes: "
                  f"{args.processes}, producer batch bytes: {args.producer_batch_bytes or 'default'}): {rate:,.0f} msg/s")
            print(f"ratio: {rate / top:.2f}")
            print(cpu_pipeline)
            pipeline = pure_pipeline()
            feed = Feed.of_samples(pipeline)
            single = pure_rate(pipeline, messages)
            cores = os.cpu_count() or 1
            print(f"bound: the pure pipeline alone does {single:,.0f} articles/s on one core in this process, so "
                  f"{cores} core(s) doing nothing else could reach at most ratio {single * cores / top:.2f}")
            await latency_run(broker, worker, receiver, feed, articles, alerts, args.rate, args.seconds,
                              meter, f"at {args.rate:.0f} articles/s offered ({feed.describe()})")
            if args.sustainable:
                sustainable = args.sustainable * rate
                await latency_run(broker, worker, receiver, feed, articles, alerts, sustainable, args.seconds,
                                  meter, f"at {args.sustainable:.0%} of the pipeline's measured rate "
                                         f"({sustainable:.0f} articles/s offered)")
            print(f"worker peak memory (VmHWM): {worker.peak_rss_mb():.0f} MB"
                  + (" (plus each classification process)" if args.processes else ""))
            print(f"webhook deliveries received: {receiver.count}")

            if args.skip_two:
                return feed
            second = Worker(broker, workdir, "w2", receiver.url, articles, alerts, args.processes,
                            args.producer_batch_bytes, args.settings)
            try:
                await second.ready()
                await second.classifying_in_processes(args.processes)
                await asyncio.sleep(8)  # the group settles on two members
                starts = [await worker.processed(), await second.processed()]
                await preload(broker, articles, payloads(f"two-{run}", n))
                rate2, shares = await rate_of([worker, second], starts, n, timeout=600)
                print(f"two workers, one group, {PARTITIONS} partitions: {rate2:,.0f} msg/s together; "
                      f"processed {shares[0]} + {shares[1]} "
                      f"({shares[0] / max(1, sum(shares)):.0%} / {shares[1] / max(1, sum(shares)):.0%})")
            finally:
                second.stop()
            return feed
        finally:
            worker.stop()


def _shares(text: str) -> list[float]:
    shares = [float(x) for x in text.split(",") if x.strip()]
    if not all(0 <= x <= 1 for x in shares):
        raise argparse.ArgumentTypeError("shares are fractions between 0 and 1")
    return shares


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0, help="articles/s offered for the latency run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    parser.add_argument("--sustainable", type=float, default=0.5, metavar="FRACTION",
                        help="a second latency run at this fraction of the pipeline's measured rate (0: none): "
                             "the latency at a load this day's VM can carry, whatever --rate does to it")
    parser.add_argument("--p99-under", type=float, default=100.0, metavar="MS",
                        help="search for the highest offered rate, --rate at most, whose p99 is under this, "
                             "each step on a broker of its own (0: no search)")
    parser.add_argument("--search-steps", type=int, default=4, help="latency runs the search may take")
    parser.add_argument("--processes", type=int, default=2,
                        help="STREAMPROC_CLASSIFY_PROCESSES for the workers (the default, 2; 0: classify in a thread)")
    parser.add_argument("--producer-batch-bytes", type=int, default=0,
                        help="STREAMPROC_PRODUCER_BATCH_BYTES for the workers: 0 (512 KiB batches) is what a "
                             "worker uses against Apache Kafka; 1 is what the embedded default uses to dodge "
                             "Tansu's end-offset bug")
    parser.add_argument("--escalating", type=_shares, default=[0.1, 0.25], metavar="SHARES",
                        help="comma-separated shares of escalating articles (e.g. 0.1,0.25; '' for none): one more "
                             "latency run at --rate for each, on a broker of its own (the samples as they come "
                             "escalate 8 in 12: every run above uses that mix)")
    parser.add_argument("--skip-two", action="store_true", help="skip the two-worker run")
    parser.add_argument("--set", action="append", default=[], metavar="STREAMPROC_X=VALUE",
                        help="another setting for the workers (repeatable), e.g. STREAMPROC_BATCH_SIZE=50")
    arguments = parser.parse_args()
    arguments.settings = dict(item.split("=", 1) for item in arguments.set)
    if not all(k.startswith("STREAMPROC_") for k in arguments.settings):
        parser.error("--set takes STREAMPROC_* settings")
    asyncio.run(main(arguments))
