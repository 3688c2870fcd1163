"""One classification process over two pipes: answers in order, survives a failing batch, and dies loudly.

The handlers below are module-level so that the spawned process can import them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from streamproc.worker.classify_process import BatchFailed, ClassifierDied, ClassifyProcess, report_progress
from tests.processes import alive, gone_within


def _echo(batch: list[Any]) -> list[Any]:
    if batch == ["boom"]:
        raise ValueError("cannot handle boom")
    if batch == ["slow"]:
        time.sleep(0.5)
    if batch == ["slower"]:
        time.sleep(1)
    if "hang" in batch:  # a poison article that hangs the process
        time.sleep(3600)
    if "die" in batch:  # a poison article that kills it
        os._exit(3)
    return [(os.getpid(), item) for item in batch]


def echo_init() -> Callable[[list[Any]], list[Any]]:
    return _echo


def _echo_each(batch: list[Any]) -> list[Any]:
    """As :func:`_echo`, item by item, saying which item it is on (as the worker's handler does)."""
    out = []
    for index, item in enumerate(batch):
        report_progress(index)
        out += _echo([item])
    return out


def echo_each_init() -> Callable[[list[Any]], list[Any]]:
    return _echo_each


def _trap(batch: list[Any]) -> list[Any]:
    """As :func:`_echo_each`; with "trap" in the batch, the process dies as soon as this batch's answer
    is sent (a SIGKILL landing right after it), before the next batch is read."""
    out = _echo_each(batch)
    if "trap" in batch:
        def on_call(frame, event, arg):  # type: ignore[no-untyped-def]
            if event == "call" and frame.f_code.co_name == "send":
                return lambda frame, event, arg: os._exit(9) if event == "return" else None
            return None

        sys.settrace(on_call)
    return out


def trap_init() -> Callable[[list[Any]], list[Any]]:
    return _trap


def slow_echo_init() -> Callable[[list[Any]], list[Any]]:
    time.sleep(2)
    return _echo


def failing_init() -> Callable[[list[Any]], list[Any]]:
    raise RuntimeError("the rules do not load")


async def _started() -> ClassifyProcess:
    proc = ClassifyProcess(echo_init)
    await proc.start()
    return proc


def test_batches_in_flight_are_answered_in_order_by_one_process():
    async def scenario() -> list[Any]:
        proc = await _started()
        try:
            return list(await asyncio.gather(*(proc.run([i, i + 1]) for i in range(0, 40, 2))))
        finally:
            proc.stop()

    answers = asyncio.run(scenario())
    assert [item for batch in answers for _, item in batch] == list(range(40))
    assert len({pid for batch in answers for pid, _ in batch}) == 1
    assert answers[0][0][0] != os.getpid()


def test_a_batch_larger_than_the_pipe_goes_through_whole():
    big = ["x" * 3000] * 1000  # ~3 MB, three times the widened pipe

    async def scenario() -> list[Any]:
        proc = await _started()
        try:
            return list(await asyncio.gather(proc.run(big), proc.run(["after"])))
        finally:
            proc.stop()

    first, second = asyncio.run(scenario())
    assert [item for _, item in first] == big
    assert [item for _, item in second] == ["after"]


def test_a_failing_batch_fails_alone_and_the_process_goes_on():
    async def scenario() -> tuple[BaseException | list[Any], ...]:
        proc = await _started()
        try:
            return tuple(await asyncio.gather(proc.run([1]), proc.run(["boom"]), proc.run([2]),
                                              return_exceptions=True))
        finally:
            proc.stop()

    first, failed, last = asyncio.run(scenario())
    assert isinstance(failed, BatchFailed) and "cannot handle boom" in str(failed)
    assert [item for _, item in first] == [1] and [item for _, item in last] == [2]  # type: ignore[union-attr]


def test_a_batch_that_cannot_be_sent_fails_alone_and_the_next_gets_its_own_answer():
    """Its future used to stay queued: every later answer then went to the batch before its own."""
    async def scenario() -> tuple[BaseException | None, list[Any]]:
        proc = await _started()
        try:
            try:
                await proc.run([lambda: 1])  # a lambda does not pickle
                failed = None
            except BatchFailed as exc:
                failed = exc
            assert proc.in_flight == 0
            return failed, list(await asyncio.gather(proc.run(["B"]), proc.run(["C"])))
        finally:
            proc.stop()

    failed, (b, c) = asyncio.run(scenario())
    assert failed is not None and "cannot be sent" in str(failed)
    assert [item for _, item in b] == ["B"] and [item for _, item in c] == ["C"]


def test_every_batch_in_flight_fails_when_the_process_is_killed():
    async def scenario() -> list[BaseException | Any]:
        proc = await _started()
        try:
            batches = [asyncio.ensure_future(proc.run(b)) for b in (["slow"], [1], [2])]
            await asyncio.sleep(0.1)
            assert proc.in_flight == 3
            os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
            results = list(await asyncio.gather(*batches, return_exceptions=True))
            with pytest.raises(ClassifierDied):  # and any batch after it, at once
                await proc.run([3])
            return results
        finally:
            proc.stop()

    results = asyncio.run(scenario())
    assert all(isinstance(r, ClassifierDied) for r in results), results
    assert "exit code -9" in str(results[0])
    assert [r.culprit for r in results] == [True, False, False], "only the batch it was on can have killed it"


def test_a_process_still_on_a_batch_at_its_deadline_is_killed():
    """A hung process is of no use, and the worker's thread could not be stopped: it is killed, and the
    batches behind the one it hung on fail as innocent."""
    async def scenario() -> tuple[list[BaseException | Any], float, bool]:
        proc = await _started()
        try:
            t0 = time.perf_counter()
            results = list(await asyncio.gather(proc.run(["hang"], 0.5), proc.run([1], 0.5),
                                                return_exceptions=True))
            took = time.perf_counter() - t0
            proc.process.join(2)  # killed: reaped at once (the reader does not wait for it)
            return results, took, proc.process.is_alive()
        finally:
            proc.stop()

    (hung, behind), took, alive_after = asyncio.run(scenario())
    assert isinstance(hung, ClassifierDied) and hung.culprit and "spent over 0.5 s on one batch" in str(hung)
    assert isinstance(behind, ClassifierDied) and not behind.culprit
    assert 0.5 <= took < 3 and not alive_after


def test_a_deadline_runs_from_when_the_process_starts_on_the_batch():
    """Batches queue in the pipe: one waiting behind a slow batch has not started, and is not late."""
    async def scenario() -> list[Any]:
        proc = await _started()
        try:
            return list(await asyncio.gather(proc.run(["slow"], 2), proc.run([1], 0.3), proc.run([2], 0.3)))
        finally:
            proc.stop()

    slow, first, second = asyncio.run(scenario())
    assert [item for _, item in slow] == ["slow"]
    assert [item for _, item in first] == [1] and [item for _, item in second] == [2]


def test_a_batch_answered_in_time_is_not_killed_when_the_loop_was_busy_past_its_deadline():
    """The loop blocked past the deadline (a long callback): the timer and the answer fall due in the
    same pass. The process had answered in time, so neither it nor the batch it moved on to is failed
    (the next batch used to be failed as the one that killed it). Found by a review."""
    async def scenario() -> tuple[list[Any], str | None]:
        proc = await _started()
        try:
            answered = asyncio.ensure_future(proc.run(["slow"], 0.7))  # answers after 0.5 s
            after = asyncio.ensure_future(proc.run(["slower"], 5.0))   # 1 s of its 5
            await asyncio.sleep(0.05)
            time.sleep(1.0)  # noqa: ASYNC251 - the loop busy past both the answer and the deadline
            return list(await asyncio.gather(answered, after, return_exceptions=True)), proc.died
        finally:
            proc.stop()

    (answered, after), died = asyncio.run(scenario())
    assert [item for _, item in answered] == ["slow"]
    assert not isinstance(after, BaseException), after
    assert [item for _, item in after] == ["slower"] and died is None


@pytest.mark.parametrize("poison", ["die", "hang"])
def test_a_dead_process_names_the_item_it_was_on(poison):
    """Its handler reported each item: the index outlives the process, so the batch that killed or hung
    it says which of its articles did."""
    async def scenario() -> list[BaseException | Any]:
        proc = ClassifyProcess(echo_each_init)
        await proc.start()
        try:
            return list(await asyncio.gather(proc.run(["a", "b", poison, "c"], 0.5), proc.run(["d"], 0.5),
                                             return_exceptions=True))
        finally:
            proc.stop()

    (killed, behind) = asyncio.run(scenario())
    assert isinstance(killed, ClassifierDied) and killed.culprit and killed.at == 2
    assert isinstance(behind, ClassifierDied) and not behind.culprit and behind.at is None


def test_a_process_that_cannot_load_fails_its_start():
    async def scenario() -> None:
        proc = ClassifyProcess(failing_init)
        try:
            await proc.start()
        finally:
            proc.stop()

    with pytest.raises(ClassifierDied, match="while loading"):
        asyncio.run(scenario())


def test_stop_ends_the_process():
    async def scenario() -> int:
        proc = await _started()
        pid = proc.pid
        assert pid is not None and alive(pid)
        proc.stop()
        return pid

    assert gone_within(asyncio.run(scenario()), 5)


def test_the_process_exits_when_its_worker_is_killed():
    """A SIGKILLed worker cannot stop its classification process: the end of its request pipe does."""
    parent = ("import asyncio, sys, time\n"
              "from streamproc.worker.classify_process import ClassifyProcess\n"
              "from tests.worker.test_classify_process import echo_init\n"
              "async def main():\n"
              "    proc = ClassifyProcess(echo_init)\n"
              "    await proc.start()\n"
              "    print(proc.pid, flush=True)\n"
              "    await asyncio.sleep(60)\n"
              "if __name__ == '__main__':\n"
              "    asyncio.run(main())\n")
    worker = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    try:
        child = int(worker.stdout.readline())  # type: ignore[union-attr]
        assert alive(child)
        worker.kill()
        worker.wait(5)
        assert gone_within(child, 10), "the orphaned classification process is still running"
    finally:
        worker.kill()
