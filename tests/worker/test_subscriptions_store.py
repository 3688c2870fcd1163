"""The subscriptions store's start-up: fan-out must not start against a table it has not loaded."""

from __future__ import annotations

import asyncio
import time
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


def test_a_write_here_is_not_undone_by_an_older_changelog_record(monkeypatch: pytest.MonkeyPatch):
    """The changelog reader lags under load: it used to apply the record of a subscription's creation
    after the write that rotated its secret, and the next delivery was signed with the old secret alone
    (seen in CI). A key written here takes no record until its own write comes back."""
    from types import SimpleNamespace

    s = store()
    sent = []
    monkeypatch.setattr(s.table, "send_changelog", lambda partition, key, value, **kw: sent.append(value) or
                        SimpleNamespace(message=SimpleNamespace(partition=0)))

    def event(value: bytes | None, offset: int) -> SimpleNamespace:
        return SimpleNamespace(key="sub-3", value=value, message=SimpleNamespace(partition=0, offset=offset, value=value))

    s.table["sub-3"] = b"rotated"  # the PATCH's write
    s.table.apply_changelog_batch([event(b"created", 4)])  # the POST's record, read late
    assert s.table.data["sub-3"] == b"rotated" and s.table.applied == {0: 4}
    s.table.apply_changelog_batch([event(b"rotated", 5)])  # its own record back
    s.table.apply_changelog_batch([event(b"disabled elsewhere", 6)])  # a later write by another worker
    assert s.table.data["sub-3"] == b"disabled elsewhere" and sent == [b"rotated"]

    del s.table["sub-3"]
    s.table.apply_changelog_batch([event(b"disabled elsewhere", 7)])  # older than the deletion
    assert "sub-3" not in s.table.data
    s.table.apply_changelog_batch([event(None, 8), event(b"re-created elsewhere", 9)])
    assert s.table.data["sub-3"] == b"re-created elsewhere"


def test_a_write_whose_record_never_comes_back_holds_its_key_for_a_while_only(monkeypatch: pytest.MonkeyPatch):
    from types import SimpleNamespace

    s = store()
    monkeypatch.setattr(s.table, "send_changelog", lambda partition, key, value, **kw:
                        SimpleNamespace(message=SimpleNamespace(partition=0)))
    monkeypatch.setattr(s.table, "HOLD_SECONDS", 0.0)
    s.table["sub-4"] = b"lost write"
    time.sleep(0.01)
    s.table.apply_changelog_batch([SimpleNamespace(key="sub-4", value=b"other", message=SimpleNamespace(
        partition=0, offset=1, value=b"other"))])
    assert s.table.data["sub-4"] == b"other"
