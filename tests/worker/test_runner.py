"""Classification off the event loop: in a thread, or in pool processes that may die."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import orjson
import pytest

from streamproc.config import Settings
from streamproc.observability.metrics import CLASSIFY_PROCESSES as PROCESSES
from streamproc.worker.run import build_pipeline
from streamproc.worker.runner import BatchRunner
from tests.processes import alive, gone_within

BATCH = [orjson.dumps({"id": f"a{i}", "text": "Artillery shelling killed two soldiers in Donetsk.", "language": "en"})
         for i in range(5)] + [b"not json", None]


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return build_pipeline(Settings())


def kinds(outcomes: list) -> list[str]:  # type: ignore[type-arg]
    return [o.kind for o in outcomes]


def test_thread_runner_gives_the_pipelines_outcomes(pipeline):
    runner = BatchRunner(pipeline, Settings(classify_processes=0))
    outcomes = asyncio.run(runner.run(BATCH))
    assert kinds(outcomes) == ["alert"] * 5 + ["dead_letter", "dead_letter"]
    assert outcomes[0].classification is not None


def test_pool_runner_survives_a_killed_process(pipeline):
    async def scenario() -> tuple[list, list]:  # type: ignore[type-arg]
        runner = BatchRunner(pipeline, Settings(classify_processes=1))
        await runner.start()
        try:
            first = await runner.run(BATCH)
            for pid in list(runner._pool._processes):  # type: ignore[union-attr]
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.2)
            second = await runner.run(BATCH)  # a new pool, the batch run again: nothing dropped
            return first, second
        finally:
            runner.stop()

    first, second = asyncio.run(scenario())
    expected = ["alert"] * 5 + ["dead_letter", "dead_letter"]
    assert kinds(first) == kinds(second) == expected
    assert first[0].alert["alert_id"] == second[0].alert["alert_id"]
    assert first[0].classification is None, "outcomes cross the process boundary without the classification"


def test_batches_in_flight_when_the_process_dies_share_one_new_pool(pipeline):
    """Each batch on the dead pool sees BrokenProcessPool; one replacement pool serves them all."""
    class Counting(BatchRunner):
        pools = 0

        def _new_pool(self):  # type: ignore[no-untyped-def]
            Counting.pools += 1
            return super()._new_pool()

    async def scenario() -> list[list]:  # type: ignore[type-arg]
        runner = Counting(pipeline, Settings(classify_processes=1))
        await runner.start()
        try:
            batches = [asyncio.ensure_future(runner.run(BATCH * 300)) for _ in range(3)]
            await asyncio.sleep(0.05)  # all three submitted, the first one running
            assert len(runner._pool._pending_work_items) == 3  # type: ignore[union-attr]
            for pid in list(runner._pool._processes):  # type: ignore[union-attr]
                os.kill(pid, signal.SIGKILL)
            return list(await asyncio.gather(*batches))
        finally:
            runner.stop()

    from prometheus_client import REGISTRY

    restarts = REGISTRY.get_sample_value("streamproc_classify_pool_restarts_total") or 0.0
    results = asyncio.run(scenario())
    assert [kinds(r) for r in results] == [(["alert"] * 5 + ["dead_letter", "dead_letter"]) * 300] * 3
    assert Counting.pools == 2, "the first pool and one replacement"
    assert REGISTRY.get_sample_value("streamproc_classify_pool_restarts_total") - restarts == 1


def test_a_pool_process_exits_when_its_worker_is_killed():
    """A SIGKILLed worker cannot stop its pool: the pool process must notice that it lost its parent."""
    import subprocess
    import sys

    # The parent passes its own pid, as the worker does; it is killed right away, possibly before the
    # grandchild has even imported the watcher (what a loaded machine did to the first version).
    child = ("import os, sys, time\n"
             "from streamproc.worker.runner import _watch_parent\n"
             "_watch_parent(int(sys.argv[1]), every=0.1)\n"
             "time.sleep(60)\n")
    parent = ("import os, subprocess, sys, time\n"
              f"p = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())])\n"
              "print(p.pid, flush=True)\n"
              "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    try:
        grandchild = int(proc.stdout.readline())  # type: ignore[union-attr]
        assert alive(grandchild)
        proc.kill()
        proc.wait(5)
        assert gone_within(grandchild, 30), "the orphaned pool process is still running"
    finally:
        proc.kill()



def test_batches_taken_while_the_processes_load_run_in_the_thread(pipeline):
    """The pool is used only once its processes have loaded the rules (~3 s): the first batches do not wait."""
    async def scenario() -> tuple[float, bool]:
        runner = BatchRunner(pipeline, Settings(classify_processes=1))
        starting = asyncio.create_task(runner.start())
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        outcomes = await runner.run(BATCH)
        took = time.perf_counter() - t0
        assert PROCESSES._value.get() == 0, "the gauge says batches run in the thread"
        await starting
        assert PROCESSES._value.get() == 1, "and then in the loaded process (benchmarks wait for it)"
        runner.stop()
        assert PROCESSES._value.get() == 0
        return took, outcomes[0].classification is not None  # the thread keeps the classification

    took, in_thread = asyncio.run(scenario())
    assert in_thread and took < 1.0
