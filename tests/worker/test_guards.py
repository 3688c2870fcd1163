"""Guards on Faust's consumer for the topics our agents ack by hand (streamproc.worker.guards)."""

from __future__ import annotations

import asyncio

import faust
import faust.streams
import pytest
from faust.transport.consumer import Consumer
from faust.types.tuples import ConsumerMessage

from streamproc.config import Settings
from streamproc.worker.app import create_app
from streamproc.worker.guards import REFUSED, guard_topics, hand_ack


def message(topic: str, offset: int, generation_id: int = 0) -> ConsumerMessage:
    msg = ConsumerMessage(topic, 0, offset, 0.0, 0, [], b"k", b"v", None, generation_id=generation_id)
    msg.refcount = 1
    return msg


def refused(topic: str) -> float:
    return REFUSED.labels(topic)._value.get()


def test_the_worker_guards_its_article_topic_and_the_hook_is_installed(monkeypatch: pytest.MonkeyPatch):
    # Faust's Prometheus sensor registers once per process; test_app.py builds the app that does.
    monkeypatch.setattr("streamproc.worker.app.setup_prometheus_sensors", lambda *a, **k: None)
    app, _ = create_app(Settings(topic_articles="arts"), "kafka://127.0.0.1:9")
    assert getattr(Consumer.ack, "_streamproc_patched", False)
    assert "arts" in app._streamproc_hand_acked


async def test_only_hand_acks_count_on_a_guarded_topic():
    app = faust.App("acks-unit", broker="kafka://127.0.0.1:9")
    guard_topics(app, ["guarded"])
    before = refused("guarded")

    skipped = faust.Event(app, b"k", b"v", {}, message("guarded", 5))
    assert skipped.ack() is False  # as Faust's stream loop does for an event it skips
    assert skipped.message.acked is False and refused("guarded") == before + 1

    handled = faust.Event(app, b"k", b"v", {}, message("guarded", 6))
    hand_ack(handled)
    assert handled.message.acked is True and refused("guarded") == before + 1

    other = faust.Event(app, b"k", b"v", {}, message("not-guarded", 7))
    other.ack()
    assert other.message.acked is True


@pytest.mark.parametrize("loop", ["python", "compiled"])
async def test_an_event_faust_skips_after_a_rebalance_is_not_acked(loop: str, monkeypatch: pytest.MonkeyPatch):
    """The real path: Faust's stream loop drops an event of an older consumer generation. Its pure-Python
    loop also acks it ('ack the filtered out message'), even on a noack stream: that ack must be refused.
    Its compiled loop (used when the extension is built) drops it without an ack: nothing to refuse."""
    if loop == "python":
        monkeypatch.setattr(faust.streams, "_CStreamIterator", None)
    elif faust.streams._CStreamIterator is None:
        pytest.skip("Faust's compiled stream loop is not built here")
    app = faust.App(f"acks-stream-{loop}", broker="kafka://127.0.0.1:9")
    guard_topics(app, ["guarded"])
    app.consumer_generation_id = 2
    app.flow_control.resume()  # a running worker's state between rebalances
    channel = app.channel().clone(is_iterator=True)  # what an agent's stream iterates
    stale = faust.Event(app, b"k", b"v", {}, message("guarded", 3, generation_id=1))
    fresh = faust.Event(app, b"k", b"v", {}, message("guarded", 4, generation_id=2))
    await channel.put(stale)
    await channel.put(fresh)
    before = refused("guarded")

    async def first() -> faust.EventT:
        async for event in app.stream(channel).noack().events():
            return event
        raise AssertionError("stream ended")

    got = await asyncio.wait_for(first(), 5)
    assert got.message.offset == 4  # the stale event was skipped...
    assert stale.message.acked is False  # ...but not acked: the partition is read again from the commit
    assert refused("guarded") == before + (1 if loop == "python" else 0)
    hand_ack(got)
    assert got.message.acked is True


def test_partitions_without_a_committed_offset_are_sought_to_their_beginning():
    """aiokafka's seek_to_committed leaves partitions with no offset above 0 where they are; the guard seeks
    those of guarded topics to their beginning (and leaves changelogs and committed partitions alone)."""
    from faust.types import TP

    committed = {TP("arts", 0): 5, TP("arts", 1): None, TP("arts", 2): 0, TP("changelog", 0): None}
    sought: list[TP] = []

    class FakeAiokafka:
        async def seek_to_committed(self) -> dict[TP, int | None]:
            return committed

    class Thread:
        app = faust.App("seek-unit", broker="kafka://127.0.0.1:9")

        def _ensure_consumer(self) -> FakeAiokafka:
            return FakeAiokafka()

        async def call_thread(self, fn, *args):
            return await fn(*args)

        async def seek_to_beginning(self, *tps: TP) -> None:
            sought.extend(tps)

    guard_topics(Thread.app, ["arts"])
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    assert getattr(AIOKafkaConsumerThread.seek_to_committed, "_streamproc_patched", False)
    assert asyncio.run(AIOKafkaConsumerThread.seek_to_committed(Thread())) == committed
    assert sought == [TP("arts", 1), TP("arts", 2)]


class SeekingConsumer:
    """What Faust's Consumer.perform_seek touches, recording the order of what happens."""

    def __init__(self, flow_active: bool) -> None:
        self.flow_active = flow_active
        self._read_offset: dict = {}
        self._committed_offset: dict = {}
        self.happened: list[str] = []

    def stop_flow(self) -> None:
        self.flow_active = False
        self.happened.append("stop_flow")

    async def seek_to_committed(self) -> dict:
        self.happened.append("seek")
        return {}


async def test_the_seek_to_committed_offsets_runs_with_the_flow_stopped_after_the_handover():
    """Faust seeks with the flow running and then clears the streams' queues: records handed over in
    between were lost. The guard stops the flow first and waits for the batch being handed over."""
    from streamproc.worker.guards import _handover_done

    guard_topics(faust.App("seek-flow-unit", broker="kafka://127.0.0.1:9"), ["arts"])
    assert getattr(Consumer.getmany, "_streamproc_patched", False)
    running = SeekingConsumer(flow_active=True)
    _handover_done(running).clear()  # the fetcher is in the middle of a batch

    async def finish_batch() -> None:
        await asyncio.sleep(0.2)
        running.happened.append("batch handed over")
        _handover_done(running).set()

    finisher = asyncio.create_task(finish_batch())
    await Consumer.perform_seek(running)
    await finisher
    assert running.happened == ["stop_flow", "batch handed over", "seek"]
    assert running.flow_active is False  # Faust's caller resumes it after clearing the queues

    stopped = SeekingConsumer(flow_active=False)  # a rebalance stopped it: nothing is being handed over
    await Consumer.perform_seek(stopped)
    assert stopped.happened == ["seek"]
