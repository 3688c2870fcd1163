"""Where a batch of articles is classified: a thread of the worker, or separate processes.

The pipeline is pure Python and holds the GIL while it works, so a thread keeps the event loop
responsive but shares one core with it: Faust's per-event machinery, the Kafka clients and the
webhook deliveries. ``STREAMPROC_CLASSIFY_PROCESSES=N`` moves classification into N processes (each
loads the rules and the gazetteer once, ~3 s and ~350 MB), and the worker process is left with the
I/O. Outcomes come back without their :class:`~streamproc.classify.result.Classification` (the alert
holds everything published) to keep the pickling cheap.

A pool whose process died (killed, out of memory) is replaced and the batch run again; if the new
pool fails too, the batch is processed in the worker's thread. No article is dropped on the way.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from streamproc.config import Settings
from streamproc.ingest.decode import Reason
from streamproc.observability import metrics
from streamproc.pipeline import Outcome, Pipeline

log = logging.getLogger(__name__)

_pipeline: Pipeline | None = None  # one per pool process


def _init(settings: Settings, worker_pid: int) -> None:
    global _pipeline
    from streamproc.worker.run import build_pipeline

    _watch_parent(worker_pid)
    _pipeline = build_pipeline(settings)


def _watch_parent(parent: int, every: float = 1.0) -> threading.Thread:
    """Exit when the worker that started this process is gone.

    A SIGKILLed worker cannot stop its pool, and a pool process idle on its call queue does not notice:
    it stayed behind, holding ~350 MB, once per crash. Re-parenting (``getppid`` changes) is the signal.
    ``parent`` is the worker's pid as the worker saw it, not this process's ``getppid()`` at start-up:
    a worker killed before this process got here would otherwise be mistaken for its new parent.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(0)

    thread = threading.Thread(target=watch, name="streamproc-parent-watch", daemon=True)
    thread.start()
    return thread


def _slim(outcome: Outcome) -> Outcome:
    return replace(outcome, classification=None) if outcome.classification is not None else outcome


def process_all(pipeline: Pipeline, values: list[bytes | None]) -> list[Outcome]:
    """Process a batch; an unexpected exception dead-letters its article, never the batch."""
    out = []
    for value in values:
        try:
            out.append(pipeline.process(value))
        except Exception as exc:  # noqa: BLE001 - Pipeline.process should not raise; belt and braces
            out.append(Outcome("dead_letter", reason=Reason.PROCESSING_ERROR, error=repr(exc)))
    return out


def _process_in_child(values: list[bytes | None]) -> list[Outcome]:
    assert _pipeline is not None, "pool process not initialised"
    return [_slim(o) for o in process_all(_pipeline, values)]


def _ready() -> bool:
    return _pipeline is not None


class BatchRunner:
    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.processes = max(0, settings.classify_processes)
        self._pool: ProcessPoolExecutor | None = None
        self._loading: ProcessPoolExecutor | None = None  # a pool whose processes are still loading

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the worker runs threads (Faust's consumer thread), and forking a
        # threaded process can deadlock the child.
        return ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init, initargs=(self.settings, os.getpid()))

    async def start(self) -> None:
        """Start the pool and wait until every process has loaded the rules."""
        if not self.processes:
            return
        pool = self._loading = self._new_pool()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(self.processes)))
        self._loading = None
        # Only now: batches taken while the processes load (~3 s) run in the worker's thread instead of
        # queueing behind the load (the demo's first alerts took 4 s).
        self._pool = pool
        metrics.CLASSIFY_PROCESSES.set(self.processes)
        log.info("classification in %d process(es)", self.processes)

    async def run(self, values: list[bytes | None]) -> list[Outcome]:
        if self._pool is None:
            return await asyncio.to_thread(process_all, self.pipeline, values)
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = self._pool
            try:
                return await loop.run_in_executor(pool, _process_in_child, values)
            except BrokenProcessPool:
                # Every batch in flight on the dead pool lands here; only the first replaces it, the
                # others run again on that replacement (one new pool, not one per batch: ~350 MB each).
                if self._pool is pool:
                    log.error("a classification process died (attempt %d): starting a new pool", attempt)
                    metrics.CLASSIFY_POOL_RESTARTS.inc()
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
        log.error("the new classification pool failed too: this batch is classified in the worker")
        return await asyncio.to_thread(process_all, self.pipeline, values)

    def stop(self) -> None:
        for pool in (self._pool, self._loading):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._loading = None
        metrics.CLASSIFY_PROCESSES.set(0)
