"""Where a batch of articles is classified: a thread of the worker, or separate processes.

The pipeline is pure Python and holds the GIL while it works, so a thread keeps the event loop
responsive but shares one core with it: Faust's per-event machinery, the Kafka clients and the
webhook deliveries. ``STREAMPROC_CLASSIFY_PROCESSES=N`` moves classification into N processes (each
loads the rules and the gazetteer once, ~3 s and ~350 MB), and the worker process is left with the
I/O. Outcomes come back without their :class:`~streamproc.classify.result.Classification` (the alert
holds everything published) and with the alert as its JSON, to keep what crosses the pipe cheap to
make and to read: a typical alert's nested dicts took ~33 µs to pickle and ~45 µs to unpickle, on the
event loop; as JSON (orjson) ~8 and ~26 µs, for the same dict (an alert is JSON by design: it is
published as such).

How a batch reaches a process, and why not through a ``ProcessPoolExecutor``:
:mod:`streamproc.worker.classify_process`. A batch is shared among the processes that are idle
(:meth:`BatchRunner.classify`), or, when none or one is, goes whole to the process with the fewest
batches in flight. A process that died (killed, out of memory) is replaced, once for all the batches that were
on it, and those batches run again; if its replacements keep failing to load (:data:`MAX_UNSENT`),
the batch is processed in the worker's thread, unless it is suspect (its process died under it: see
below), when it is dead-lettered instead. A batch the process could
not process or answer (:class:`BatchFailed`) is processed in the worker's thread too, where an error
dead-letters its own article only, and a replacement that cannot even be spawned (out of memory, out
of file descriptors) leaves its place empty: batches run on the processes left, or in the worker's
thread, and the spawn is tried again after :data:`RESPAWN_AFTER` seconds. No article is dropped on the way, nor dead-lettered for another's fault.

A poison article, one that kills the process classifying it or hangs it past the batch's deadline
(``STREAMPROC_CLASSIFY_TIMEOUT`` seconds per MiB of the batch, at least that), must not take its batch
with it, nor reach the worker's thread, where it would crash or hang the worker itself. The process
says which article it is on (shared memory that outlives it), so a batch that was being classified
when its process died runs again without that article, and the article alone: it is dead-lettered
(``classifier_died``) once it has killed a process by itself twice, and every other article of the
batch is classified as usual. One death alone proves nothing (the kernel's out-of-memory killer, an
operator's ``kill``): an article the process died on once is only run alone. When the process could
not say (it died between articles), the batch is split in two and each half run again, and so on down
the half that dies again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import cast

import orjson

from streamproc.config import Settings
from streamproc.ingest.article import Article
from streamproc.ingest.decode import Reason
from streamproc.observability import metrics
from streamproc.pipeline import Outcome, Pipeline
from streamproc.worker.classify_process import BatchFailed, ClassifierDied, ClassifyProcess, report_progress

log = logging.getLogger(__name__)


#: How long a pool short of a process waits before it tries to spawn one again (see BatchRunner._replace).
RESPAWN_AFTER = 30.0

#: How many times a batch finds its process gone before it could even be sent (a replacement that
#: failed to load, or one dead already) before it is classified in the worker's thread instead: a pool
#: whose processes cannot load is the pool's fault, and no batch's. A batch whose process died while it
#: waited behind another is no such case: it is sent again however often that happens (each death has
#: its culprit, which is split down and dead-lettered within a few deaths), since it may hold a poison
#: article itself, and in the worker's thread that would kill or hang the worker.
MAX_UNSENT = 3

#: One outcome as it crosses the pipe: without its classification and its alert, and the alert's JSON.
Wire = tuple[Outcome, bytes | None]


def _load(settings: Settings) -> Callable[[list[bytes | None]], list[Wire]]:
    """Run in each classification process: load the rules and the gazetteer, return the batch handler."""
    from streamproc.worker.run import build_pipeline

    pipeline = build_pipeline(settings)

    def handle(values: list[bytes | None]) -> list[Wire]:
        outcomes = process_all(pipeline, values)
        report_progress(-1)  # past the articles: a death while encoding the answer is none of theirs
        return [to_wire(o) for o in outcomes]

    return handle


def to_wire(outcome: Outcome) -> Wire:
    """``outcome`` as it goes back to the worker (module docstring). An alert that is not JSON (a count
    over 64 bits) travels as it is, pickled, and the worker dead-letters it as it would any other.

    The article goes back as its id alone: the worker needs nothing else of it (the alert holds the
    reference it publishes), its text is most of an outcome's bytes, and its ``meta`` is whatever the
    producer sent: nested 500 deep, valid JSON, it made the batch's answer unpicklable (a review's
    probe), and every article of the batch was dead-lettered."""
    alert = outcome.alert
    try:
        encoded = orjson.dumps(alert) if alert is not None else None
    except orjson.JSONEncodeError:
        encoded = None
    article = outcome.article
    slim = Article(id=article.id, text="") if article is not None else None
    return replace(outcome, classification=None, alert=None if encoded is not None else alert, article=slim), encoded


def from_wire(answer: list[Wire]) -> list[Outcome]:
    """The outcomes of a batch, their alerts decoded."""
    for outcome, encoded in answer:
        if encoded is not None:
            outcome.alert = orjson.loads(encoded)
    return [outcome for outcome, _ in answer]


def process_all(pipeline: Pipeline, values: list[bytes | None]) -> list[Outcome]:
    """Process a batch; an unexpected exception dead-letters its article, never the batch. In a
    classification process each article is reported before it is processed, so that one that kills or
    hangs the process is known by its index (see BatchRunner._isolate)."""
    out = []
    for index, value in enumerate(values):
        report_progress(index)
        try:
            out.append(pipeline.process(value))
        except Exception as exc:  # noqa: BLE001 - Pipeline.process should not raise; belt and braces
            out.append(Outcome("dead_letter", reason=Reason.PROCESSING_ERROR, error=repr(exc)))
    return out


def split_by_bytes(values: list[bytes | None], parts: int) -> list[list[bytes | None]]:
    """``values`` cut into ``min(parts, len(values))`` contiguous, non-empty runs whose largest is as
    small as a contiguous cut allows: the batch is back when its largest part is. One article of 1 MiB
    among 3 KB ones is a run of its own wherever it stands (a cut at the first article past an equal
    share put it with 150 small ones when it came after them: a review's probe).

    The smallest feasible bound on a run's bytes is found by bisection (a greedy pass says whether a
    bound needs more than ``parts`` runs); the runs are then cut greedily under it, one more cut
    wherever the articles left are only just enough for the runs left."""
    n = len(values)
    parts = min(parts, n)
    if parts < 2:
        return [values]
    sizes = [len(v) if v else 1 for v in values]

    def runs_needed(bound: int) -> int:
        runs, acc = 1, 0
        for size in sizes:
            if acc + size > bound:
                runs, acc = runs + 1, 0
            acc += size
        return runs

    low, high = max(sizes), sum(sizes)
    while low < high:
        mid = (low + high) // 2
        if runs_needed(mid) <= parts:
            high = mid
        else:
            low = mid + 1
    out: list[list[bytes | None]] = []
    start = acc = 0
    for i, size in enumerate(sizes):
        runs_left = parts - len(out)  # the run being filled included
        if i > start and runs_left > 1 and (acc + size > low or n - i == runs_left - 1):
            out.append(values[start:i])
            start, acc = i, 0
        acc += size
    out.append(values[start:])
    return out


class BatchRunner:
    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.processes = max(0, settings.classify_processes)
        self._pool: list[ClassifyProcess] = []     # empty: batches run in the worker's thread
        self._loading: list[ClassifyProcess] = []  # processes still loading their rules
        self._starting: dict[ClassifyProcess, asyncio.Future[None]] = {}  # replacements still loading
        self._stopped = False
        self._missing = 0                # processes that died and could not be spawned again
        self._respawn_at = 0.0           # loop time of the next attempt to spawn them

    def _new_process(self) -> ClassifyProcess:
        return ClassifyProcess(partial(_load, self.settings))

    def _received(self, answer: object) -> list[Outcome]:
        """A process's answer to a batch (what :func:`_load`'s handler returned) as its outcomes."""
        return from_wire(cast("list[Wire]", answer))

    @property
    def pids(self) -> list[int]:
        """The classification processes' pids (for tests and operators)."""
        return [p.pid for p in self._pool if p.pid is not None]

    async def start(self) -> None:
        """Start the processes and wait until every one has loaded the rules."""
        if not self.processes:
            return
        self._stopped = False
        self._loading = [self._new_process() for _ in range(self.processes)]
        try:
            await asyncio.gather(*(p.start() for p in self._loading))
        except BaseException:
            for p in self._loading:
                p.stop()
            self._loading = []
            if self._stopped:  # stopped while loading (a SIGTERM at start-up): not a failure
                return
            raise
        # Only now: batches taken while the processes load (~3 s) run in the worker's thread instead of
        # queueing behind the load (the demo's first alerts took 4 s).
        self._pool, self._loading = self._loading, []
        metrics.CLASSIFY_PROCESSES.set(self.processes)
        log.info("classification in %d process(es)", self.processes)

    def _replace(self, dead: ClassifyProcess) -> None:
        """Replace a dead process, once: every batch that was in flight on it lands here."""
        if dead not in self._pool:
            return
        log.error("a classification process died (%s): starting a new one", dead.died)
        metrics.CLASSIFY_POOL_RESTARTS.inc()
        self._starting.pop(dead, None)
        dead.stop()
        try:
            fresh = self._new_process()
        except Exception:  # spawning failed (ENOMEM, EMFILE): run without it for now
            log.exception("a new classification process could not be started: trying again in %.0f s",
                          RESPAWN_AFTER)
            self._pool.remove(dead)
            self._missing += 1
            self._respawn_at = asyncio.get_running_loop().time() + RESPAWN_AFTER
            metrics.CLASSIFY_PROCESSES.set(len(self._pool))
            return
        self._pool[self._pool.index(dead)] = fresh
        self._watch(fresh)

    def _watch(self, fresh: ClassifyProcess) -> None:
        starting = self._starting[fresh] = asyncio.ensure_future(fresh.start())

        def loaded(f: asyncio.Future[None]) -> None:
            # Loaded (or failed to): it competes for batches again. Left among the starting ones, it
            # came after every running process for ever, and with two or more processes got no batch.
            if self._starting.get(fresh) is f:
                del self._starting[fresh]
            # A replacement that fails to load fails the batches sent to it (see MAX_UNSENT); retrieve
            # its exception so that it is not also reported as never retrieved.
            if not f.cancelled():
                f.exception()

        starting.add_done_callback(loaded)

    def _respawn(self) -> None:
        """Try again to start the processes that could not be spawned (see :meth:`_replace`)."""
        self._respawn_at = asyncio.get_running_loop().time() + RESPAWN_AFTER
        while self._missing:
            try:
                fresh = self._new_process()
            except Exception:  # still failing: the next attempt is due later
                log.exception("a classification process still cannot be started")
                return
            self._missing -= 1
            self._pool.append(fresh)
            self._watch(fresh)
            metrics.CLASSIFY_PROCESSES.set(len(self._pool))
            log.info("a classification process was started again")

    def deadline(self, values: list[bytes | None]) -> float:
        """Seconds the process may spend on ``values``: the setting per MiB, at least the setting (1.2 s
        per MiB is typical on one core: the default of 20 leaves room for a slow, shared machine)."""
        size = sum(len(v) for v in values if v)
        return self.settings.classify_timeout * max(1.0, size / 2**20)

    async def classify(self, values: list[bytes | None]) -> list[Outcome]:
        """The outcomes of a batch, in order, like :meth:`run`, but shared among the processes that are
        idle (running, loaded, nothing in flight): each takes a contiguous part (:func:`split_by_bytes`),
        and the batch is back when the largest part is. A batch used to go whole to one process while
        the other stayed idle, so at a moderate load the classify phase was a whole batch's time on one
        core when two were free. With fewer than two idle (a backlog) the batch goes whole to the least
        busy, as before; sharing it then among the least busy was tried and was no better
        (docs/performance.md). Each part is a batch of its own to :meth:`run`: a poison article is
        isolated within its part, and the other parts are unaffected. A part that fails (a bug: ``run``
        raises nothing but a cancellation today) fails the batch, and the other parts are cancelled
        rather than left to hold their processes."""
        idle = sum(1 for p in self._pool if not p.in_flight and p not in self._starting and p.died is None)
        parts = split_by_bytes(values, idle)
        if len(parts) < 2:
            return await self.run(values)
        running = [asyncio.ensure_future(self.run(part)) for part in parts]
        try:
            answers = await asyncio.gather(*running)
        except BaseException:
            for part in running:  # one part failed: the batch fails whole, so the others stop too
                part.cancel()
            raise
        return [outcome for answer in answers for outcome in answer]

    async def run(self, values: list[bytes | None], *, suspect: bool = False) -> list[Outcome]:
        """The outcomes of ``values``, in order. ``suspect``: part of a batch whose process died under
        it (a half, or the article it died on), which may hold a poison article: it never runs in the
        worker's thread, where that would kill or hang the worker (see :meth:`_unclassifiable`)."""
        if self._stopped and self.processes:
            # Stopped between two steps of a split or an isolation (the worker is shutting down): as
            # below, the batch's events stay unacked and are delivered again.
            raise asyncio.CancelledError("classification stopped")
        if self._missing and not self._stopped and asyncio.get_running_loop().time() >= self._respawn_at:
            self._respawn()
        if not self._pool:
            return await self._in_thread(values, suspect)
        culprit_deaths = unsent = 0
        while unsent < MAX_UNSENT:
            # The least busy process, one that is running before one still loading (a replacement's
            # waiting batches are not in its in_flight yet: it would always look idle).
            proc = min(self._pool, key=lambda p: (p in self._starting, p.in_flight))
            try:
                starting = self._starting.get(proc)
                if starting is not None:
                    await asyncio.shield(starting)
                    self._starting.pop(proc, None)
                return self._received(await proc.run(values, self.deadline(values)))
            except ClassifierDied as died:
                if self._stopped:
                    # Stopped under it (the worker is shutting down): the batch's events stay unacked
                    # and are delivered again, as when any task is cancelled at shutdown. Processing
                    # it in the thread, or dead-lettering it, would publish during the shutdown.
                    raise asyncio.CancelledError("classification stopped") from None
                self._replace(proc)
                if died.culprit:
                    culprit_deaths += 1
                    if len(values) > 1:
                        if died.at is not None and 0 <= died.at < len(values):
                            return await self._isolate(values, died.at)
                        return await self._split(values)
                    if culprit_deaths >= 2:
                        return [self._poison(died)]
                elif not died.sent:
                    unsent += 1
                # Otherwise it waited behind the batch that died: sent again (see MAX_UNSENT).
                if not self._pool:
                    break
            except BatchFailed as exc:
                # The process could not process or answer this batch as a whole (an answer it could not
                # pickle, a bug): in the worker's thread an error dead-letters its own article only.
                log.error("the classification process failed a batch (%s): it is classified in the worker", exc)
                return await self._in_thread(values, suspect)
        log.error("no classification process could take this batch: it is classified in the worker")
        return await self._in_thread(values, suspect)

    async def _in_thread(self, values: list[bytes | None], suspect: bool) -> list[Outcome]:
        """``values`` classified in the worker's thread, or, when they are suspect, dead-lettered."""
        if suspect:
            return self._unclassifiable(values)
        return await asyncio.to_thread(process_all, self.pipeline, values)

    @staticmethod
    def _unclassifiable(values: list[bytes | None]) -> list[Outcome]:
        """Each of ``values`` dead-lettered (``classifier_died``): they were part of a batch whose process
        died under them, and no process can take them now (replacements fail to load or cannot be
        spawned). The worker's thread is no place for them: one may be the article that killed the
        process. The dead letters keep the articles' bytes, to be produced again once processes run."""
        log.error("%d article(s) of a batch whose classification process died cannot be classified in a "
                  "process, and may not be in the worker's thread: they are dead-lettered", len(values))
        error = ("part of a batch whose classification process died under it; no process could be started "
                 "to classify it again, and the worker's own thread could be killed by it")
        return [Outcome("dead_letter", reason=Reason.CLASSIFIER_DIED, error=error) for _ in values]

    async def _isolate(self, values: list[bytes | None], at: int) -> list[Outcome]:
        """A batch whose process died on its article ``at`` (the process said which: see
        :func:`~streamproc.worker.classify_process.report_progress`): the articles before and after
        it run again as batches, and it alone, where a second death of its own dead-letters it. Two or
        three deaths for a poison article in a batch of any size, where halving took ~log2 of it (ten
        in a batch of 200, each a reload and, for a hang, a deadline)."""
        log.warning("the classification process died on article %d of a batch of %d: running it alone",
                    at, len(values))
        before = await self.run(values[:at]) if at else []
        suspect = await self.run(values[at:at + 1], suspect=True)
        after = await self.run(values[at + 1:]) if at + 1 < len(values) else []
        return before + suspect + after

    async def _split(self, values: list[bytes | None]) -> list[Outcome]:
        """A batch whose process died under it, run again in two halves, one after the other (module
        docstring): the half holding a poison article dies again and is split in turn."""
        half = len(values) // 2
        log.warning("the classification process died under a batch of %d: running it again in halves", len(values))
        first = await self.run(values[:half], suspect=True)
        return first + await self.run(values[half:], suspect=True)

    @staticmethod
    def _poison(died: ClassifierDied) -> Outcome:
        log.error("an article killed the classification process twice by itself (%s): it is dead-lettered", died)
        return Outcome("dead_letter", reason=Reason.CLASSIFIER_DIED,
                       error=f"the article killed the classification process twice on its own (the last time: {died})")

    def stop(self) -> None:
        self._stopped = True
        for proc in (*self._pool, *self._loading):
            proc.stop()
        for starting in self._starting.values():
            starting.cancel()
        self._pool, self._loading, self._starting, self._missing = [], [], {}, 0
        metrics.CLASSIFY_PROCESSES.set(0)
