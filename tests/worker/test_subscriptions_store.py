"""The subscriptions store's start-up: fan-out must not start against a table it has not loaded."""

from __future__ import annotations

import asyncio
import uuid

import faust
import pytest

from streamproc.broker.embedded import EmbeddedBroker, free_port
from streamproc.config import Settings
from streamproc.worker import subscriptions
from streamproc.worker.subscriptions import SubscriptionStore


def store() -> SubscriptionStore:
    app = faust.App(f"store-{uuid.uuid4().hex[:8]}", broker="kafka://127.0.0.1:1", web_enabled=False)
    return SubscriptionStore(app, Settings(), [])


def test_an_unreachable_broker_is_waited_for_not_taken_for_an_empty_table(monkeypatch: pytest.MonkeyPatch):
    """It used to count 10 s of failed connections as "no changelog yet" and declare the table ready,
    empty: fan-out then skipped every subscription and retries for them were dropped."""
    monkeypatch.setattr(subscriptions, "NO_CHANGELOG_AFTER", 0.2)
    s = store()

    async def scenario() -> bool:
        task = asyncio.create_task(s.catch_up(f"127.0.0.1:{free_port()}"))  # nothing listens there
        await asyncio.sleep(2.5)
        done = task.done()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return done

    assert not asyncio.run(scenario()) and not s.ready


@pytest.mark.integration
def test_a_broker_without_the_changelog_means_an_empty_table(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(subscriptions, "NO_CHANGELOG_AFTER", 0.2)
    s = store()
    with EmbeddedBroker(log_file=tmp_path / "tansu.log") as broker:
        asyncio.run(asyncio.wait_for(s.catch_up(broker.bootstrap), 20))
    assert s.ready and s.all() == []


def test_a_deleted_subscription_leaves_nothing_parsed_behind():
    import orjson

    from streamproc.publish.webhooks.model import create

    s = store()
    sub = create("https://hooks.example.org/x", filters=None, secret=None, sub_id="sub-1", description="",
                 source="api", now=0.0)
    s.table.data["sub-1"] = orjson.dumps(sub.record())
    assert [x.id for x in s.all()] == ["sub-1"] and "sub-1" in s._parsed
    del s.table.data["sub-1"]  # deleted by another worker: the change arrives through the changelog
    assert s.all() == [] and "sub-1" not in s._parsed, "its record (and secret) is not kept"


def test_a_change_made_through_another_worker_reaches_this_workers_gauges():
    """The subscription gauges used to move only on this worker's own writes: one created or disabled
    through another worker arrived through the changelog and left them stale."""
    from types import SimpleNamespace

    import orjson

    from streamproc.publish.webhooks import metrics as m
    from streamproc.publish.webhooks.model import create

    s = store()
    sub = create("https://hooks.example.org/y", filters=None, secret=None, sub_id="sub-2", description="",
                 source="api", now=0.0)
    m.WEBHOOK_SUBSCRIBERS.set(0)
    raw = orjson.dumps(sub.record())
    event = SimpleNamespace(key="sub-2", value=raw, message=SimpleNamespace(partition=0, offset=7, value=raw))
    s.table.apply_changelog_batch([event])  # what Faust's changelog reader calls
    assert s.table.applied == {0: 7}
    assert m.WEBHOOK_SUBSCRIBERS._value.get() == 1
    assert m.SUBSCRIBERS_BY_STATE.labels("active")._value.get() == 1
