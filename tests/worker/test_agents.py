"""The article agent's batching, on Faust's own test context (no broker)."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import orjson
import pytest

from streamproc.pipeline import Outcome
from streamproc.worker.agents import AlertTooLarge, encode_alert, install_agent
from streamproc.worker.app import Topics


class SlowRunner:
    """Classifies like one busy classification process: one batch at a time, 20 ms a batch."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.lock = asyncio.Lock()

    async def classify(self, values: list[bytes | None]) -> list[Outcome]:
        async with self.lock:
            self.sizes.append(len(values))
            await asyncio.sleep(0.02)
            return [Outcome("no_alert") for _ in values]


def unit_app(name: str) -> tuple[faust.App, Topics]:
    """An app with no reachable broker, and the article agent's three raw topics on it."""
    app = faust.App(name, broker="kafka://127.0.0.1:9", store="memory://")

    def topic(topic_name: str) -> faust.TopicT:
        return app.topic(topic_name, key_type=bytes, value_type=bytes, key_serializer="raw",
                         value_serializer="raw")

    return app, Topics(topic("arts"), topic("alerts"), topic("dlq"))


async def put_until_acked(tested: Any, keys: range, acked: list[int]) -> None:
    """Put one event per key, then wait (up to 3 s) until ``keys.stop`` events in all are acked."""
    for i in keys:
        await tested.put(b"{}", key=str(i).encode(), wait=False)
    for _ in range(300):
        if len(acked) == keys.stop:
            break
        await asyncio.sleep(0.01)


async def test_a_backlog_is_taken_in_growing_batches_not_one_event_per_tick():
    """While the pipeline is full the batch being filled grows (up to batch_size); it once left as one event
    per 5 ms tick, so a worker with a backlog classified and published articles one at a time."""
    app, topics = unit_app("batching-unit")
    before = _batch_samples()
    runner = SlowRunner()
    agent = install_agent(app, topics, runner, None, batch_size=100, batch_wait=0.005)  # type: ignore[arg-type]
    async with agent.test_context() as tested:
        for i in range(600):  # ~2,000 articles/s offered, ~2 ms of "classification" each batch can't keep up with
            await tested.put(b"{}", key=str(i).encode(), wait=False)
            if i % 2:
                await asyncio.sleep(0.001)
        for _ in range(400):
            if sum(runner.sizes) >= 600 and \
                    _batch_samples()["publish"] - before["publish"] == len(runner.sizes):  # the last one published
                break
            await asyncio.sleep(0.01)
    assert sum(runner.sizes) == 600
    # The runner takes 20 ms a batch while articles arrive at ~2 a millisecond: the batch filled while the
    # pipeline is full must leave whole, never as the one article that came first (seen as sizes 1, 57, 1,
    # 67, 1, ... here, and as batches of one throughout in a worker whose loop is busier).
    assert min(runner.sizes[:-1]) > 1, runner.sizes
    assert len(runner.sizes) <= 40, runner.sizes
    # Every batch is measured: its size, and each phase once (the test context stamps every record).
    after = _batch_samples()
    batches = len(runner.sizes)
    assert after["articles_count"] - before["articles_count"] == batches
    assert after["articles_sum"] - before["articles_sum"] == 600
    for phase in ("waiting", "classify", "publish"):
        assert after[phase] - before[phase] == batches, phase
    # A batch's classify phase includes its 20 ms in the runner.
    assert after["classify_sum"] - before["classify_sum"] >= 0.02 * batches


def _batch_samples() -> dict[str, float]:
    from prometheus_client import REGISTRY

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    out = {phase: value("streamproc_batch_phase_seconds_count", phase=phase)
           for phase in ("waiting", "classify", "publish")}
    out["classify_sum"] = value("streamproc_batch_phase_seconds_sum", phase="classify")
    out["articles_count"] = value("streamproc_batch_articles_count")
    out["articles_sum"] = value("streamproc_batch_articles_sum")
    return out


def test_batch_wait_runs_from_the_oldest_record_timestamp():
    from streamproc.worker.agents import observe_batch_wait

    def waiting() -> tuple[float, float]:
        from prometheus_client import REGISTRY

        return (REGISTRY.get_sample_value("streamproc_batch_phase_seconds_count", {"phase": "waiting"}) or 0.0,
                REGISTRY.get_sample_value("streamproc_batch_phase_seconds_sum", {"phase": "waiting"}) or 0.0)

    count, total = waiting()
    observe_batch_wait([1_001.0, None, 1_000.5, 1_002.0], 1_003.0)  # the oldest was produced 2.5 s ago
    assert waiting() == (count + 1, total + 2.5)
    observe_batch_wait([1_010.0], 1_000.0)  # the producer's clock runs ahead of ours: 0
    assert waiting() == (count + 2, total + 2.5)
    observe_batch_wait([None, 0.0], 1_000.0)  # no timestamps: not counted
    assert waiting() == (count + 2, total + 2.5)


def _age_observations() -> tuple[float, float]:
    from prometheus_client import REGISTRY

    count = REGISTRY.get_sample_value("streamproc_alert_age_seconds_count") or 0.0
    total = REGISTRY.get_sample_value("streamproc_alert_age_seconds_sum") or 0.0
    return count, total


def test_alert_age_counts_the_wait_in_kafka_from_the_record_timestamp():
    from streamproc.worker.agents import observe_alert_age

    count, total = _age_observations()
    observe_alert_age(1_000.0, 1_002.5)  # produced 2.5 s before its alert was acknowledged
    assert _age_observations() == (count + 1, total + 2.5)


def test_alert_age_of_a_producer_clock_ahead_is_zero_and_a_missing_timestamp_is_not_counted():
    from streamproc.worker.agents import observe_alert_age

    count, total = _age_observations()
    observe_alert_age(1_010.0, 1_000.0)  # the producer's clock runs 10 s ahead of ours
    assert _age_observations() == (count + 1, total)
    observe_alert_age(None, 1_000.0)
    observe_alert_age(0.0, 1_000.0)
    observe_alert_age(-1.0, 1_000.0)
    assert _age_observations() == (count + 1, total)


def test_an_alert_over_the_record_size_is_refused_before_it_is_sent():
    alert = {"alert_id": "alr_x", "entities": [{"name": "Town"}] * 100}
    assert encode_alert(alert, 10_000) == orjson.dumps(alert)
    with pytest.raises(AlertTooLarge, match=r"alert of 1,633 bytes is over the 1,000 .* 100 entities"):
        encode_alert(alert, 1_000)


class AlertRunner:
    async def classify(self, values: list[bytes | None]) -> list[Outcome]:
        return [Outcome("no_alert") for _ in values]


class FlakyFanOut:
    """A webhook engine whose fan-out fails (a bug) the first ``failures`` times."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.ages: list[float] = []

    async def fan_out(self, alerts: list[dict]) -> int:  # type: ignore[type-arg]
        from prometheus_client import REGISTRY

        self.calls += 1
        if self.calls <= self.failures:
            await asyncio.sleep(0.02)
            self.ages.append(REGISTRY.get_sample_value("streamproc_oldest_batch_age_seconds") or 0.0)
            raise RuntimeError("fan-out bug")
        return 0


async def test_a_batch_whose_publishing_fails_is_tried_again_and_acked_only_then(monkeypatch):
    """An unexpected error while publishing a batch used to kill the publisher: the agent then waited
    for room for ever, or Faust restarted it past the unacked batch. Now the batch is held and tried
    again, and its events are acked once it is published."""
    from prometheus_client import REGISTRY

    from streamproc.worker import agents

    monkeypatch.setattr(agents, "SEND_RETRY_DELAYS", (0.01,))
    app, topics = unit_app("publish-retry-unit")
    acked: list[int] = []
    monkeypatch.setattr(agents, "hand_ack", lambda event: acked.append(event.message.offset))
    failures = REGISTRY.get_sample_value("streamproc_batch_publish_failures_total") or 0.0
    counted = REGISTRY.get_sample_value("streamproc_articles_processed_total", {"outcome": "no_alert"}) or 0.0
    fanout = FlakyFanOut(failures=2)
    agent = install_agent(app, topics, AlertRunner(), fanout, batch_size=10,  # type: ignore[arg-type]
                          batch_wait=0.005)
    async with agent.test_context() as tested:
        await put_until_acked(tested, range(5), acked)
        assert len(acked) == 5 and fanout.calls >= 3
        assert (REGISTRY.get_sample_value("streamproc_batch_publish_failures_total") or 0.0) - failures == 2
        # While the batch was held its age showed; once acked nothing is pending.
        assert fanout.ages and all(age >= 0.02 for age in fanout.ages), fanout.ages
        assert REGISTRY.get_sample_value("streamproc_oldest_batch_age_seconds") == 0.0
        # Tried again, the batch re-does only the fan-out that failed: its articles are counted once.
        assert REGISTRY.get_sample_value("streamproc_articles_processed_total", {"outcome": "no_alert"}) \
            - counted == 5
        await put_until_acked(tested, range(5, 30), acked)  # the agent goes on
    assert len(acked) == 30 and acked == sorted(acked)


class OneAlertRunner:
    async def classify(self, values: list[bytes | None]) -> list[Outcome]:
        from types import SimpleNamespace

        return [Outcome("alert", article=SimpleNamespace(id=f"a{i}"),  # type: ignore[arg-type]
                        alert={"alert_id": f"alr_{i}", "severity": "high", "categories": [{"name": "shelling"}],
                               "primary_country": "UA"})
                for i, _ in enumerate(values)]


async def test_a_failure_to_count_a_published_alert_does_not_also_dead_letter_it(monkeypatch):
    """Once Kafka has the alert, an error in its bookkeeping used to reach publish_safely, which
    dead-lettered the article as well: one article, an alert and a dead letter."""
    from streamproc.worker import agents

    app, topics = unit_app("count-failure-unit")
    sent: list[str] = []

    async def record_send(topic: faust.TopicT, key: bytes | None, value: bytes, headers: object = None) -> None:
        sent.append(topic.get_topic_name())

    def broken(country: object) -> None:
        raise RuntimeError("a bug in a metric")

    acked: list[int] = []
    monkeypatch.setattr(agents, "send_durably", record_send)
    monkeypatch.setattr(agents.metrics, "count_alert_country", broken)
    monkeypatch.setattr(agents, "hand_ack", lambda event: acked.append(event.message.offset))
    agent = install_agent(app, topics, OneAlertRunner(), None, batch_size=10, batch_wait=0.005)  # type: ignore[arg-type]
    async with agent.test_context() as tested:
        await put_until_acked(tested, range(3), acked)
    assert len(acked) == 3
    assert sent == ["alerts"] * 3, "each article once, on the alerts topic only"


class ShortRunner:
    """A runner with a bug: one outcome fewer than the articles it was given."""

    async def classify(self, values: list[bytes | None]) -> list[Outcome]:
        return [Outcome("no_alert") for _ in values[1:]]


async def test_a_batch_whose_outcomes_do_not_match_its_articles_is_dead_lettered_whole(monkeypatch):
    """Outcomes are matched to events by position: with one missing, each would be published for the
    wrong article and the last event would never be acked, holding the partition for ever. The batch
    goes to the dead-letter topic instead, every article with its reason, and the agent goes on."""
    from streamproc.worker import agents

    app, topics = unit_app("short-runner-unit")
    sent: list[tuple[str, bytes]] = []

    async def record_send(topic: faust.TopicT, key: bytes | None, value: bytes, headers: object = None) -> None:
        sent.append((topic.get_topic_name(), dict(headers or {}).get("streamproc-dlq-reason", b"")))  # type: ignore[call-overload]

    acked: list[int] = []
    monkeypatch.setattr(agents, "send_durably", record_send)
    monkeypatch.setattr(agents, "hand_ack", lambda event: acked.append(event.message.offset))
    agent = install_agent(app, topics, ShortRunner(), None, batch_size=10, batch_wait=0.005)  # type: ignore[arg-type]
    async with agent.test_context() as tested:
        await put_until_acked(tested, range(4), acked)
    assert len(acked) == 4
    assert sent == [("dlq", b"processing_error")] * 4


class AlertAndLetterRunner:
    """The first article of a batch is dead-lettered, the others alert."""

    async def classify(self, values: list[bytes | None]) -> list[Outcome]:
        from types import SimpleNamespace

        from streamproc.ingest.decode import Reason

        return [Outcome("dead_letter", reason=Reason.INVALID_JSON, error="x") if i == 0 else
                Outcome("alert", article=SimpleNamespace(id=f"a{i}"),  # type: ignore[arg-type]
                        alert={"alert_id": f"alr_{i}", "severity": "high", "categories": [], "primary_country": None})
                for i, _ in enumerate(values)]


async def test_a_batch_tried_again_does_not_send_again_what_was_still_in_flight(monkeypatch):
    """One send of a batch failing fast while another was still on its way: the retry started at once
    and sent the slow one a second time. Now the batch is tried again only once every send settled."""
    from streamproc.worker import agents

    monkeypatch.setattr(agents, "SEND_RETRY_DELAYS", (0.01,))
    app, topics = unit_app("in-flight-retry-unit")
    sent: list[str] = []
    failures = iter([True, True])  # the dead letter's send and publish_safely's own, then no more

    async def send(topic: faust.TopicT, key: bytes | None, value: bytes, headers: object = None) -> None:
        if topic.get_topic_name() == "dlq" and next(failures, False):
            raise RuntimeError("the dead letter could not be sent")
        if topic.get_topic_name() == "alerts":
            await asyncio.sleep(0.2)
        sent.append(topic.get_topic_name())

    acked: list[int] = []
    monkeypatch.setattr(agents, "send_durably", send)
    monkeypatch.setattr(agents, "hand_ack", lambda event: acked.append(event.message.offset))
    agent = install_agent(app, topics, AlertAndLetterRunner(), None, batch_size=2,  # type: ignore[arg-type]
                          batch_wait=0.005)
    async with agent.test_context() as tested:
        await put_until_acked(tested, range(2), acked)
    assert len(acked) == 2
    assert sorted(sent) == ["alerts", "dlq"], "each result sent once"


async def test_a_batch_leaves_once_it_holds_batch_bytes_of_articles():
    """200 articles of 1 MiB would keep the classification process busy for minutes, and a rebalance
    waits for the batches in flight: a batch also leaves once it holds ``batch_bytes``."""
    app, topics = unit_app("batch-bytes-unit")
    runner = SlowRunner()
    agent = install_agent(app, topics, runner, None, batch_size=100, batch_wait=0.005,  # type: ignore[arg-type]
                          batch_bytes=1_000_000)
    async with agent.test_context() as tested:
        for i in range(12):
            await tested.put(b"x" * 300_000, key=str(i).encode(), wait=False)
        for _ in range(300):
            if sum(runner.sizes) == 12:
                break
            await asyncio.sleep(0.01)
    assert sum(runner.sizes) == 12
    assert max(runner.sizes) <= 4, runner.sizes  # the fourth article of 300 KB tips a batch over 1 MB
