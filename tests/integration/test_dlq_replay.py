"""``streamproc dlq list`` and ``replay`` against the real broker: dead letters go back to the input
topic byte for byte, once each, a cut one whole from its input topic, and the worker alerts on them."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streamproc.broker.embedded import EmbeddedBroker
from streamproc.broker.to_end import UpToEnd
from streamproc.cli import dlq as dlq_module
from streamproc.cli.dlq import REPLAYED_HEADER, list_dead_letters, replay_dead_letters
from streamproc.ingest.dead_letter import dead_letter
from streamproc.ingest.decode import Reason
from streamproc.publish.webhooks.delivery import DeliveryTask
from streamproc.publish.webhooks.replay import replay as webhooks_replay
from tests.integration.conftest import article, consume_until, produce

pytestmark = pytest.mark.integration

VALID = article("replay-valid", "Artillery shelling killed two soldiers near the border on Tuesday.", language="en")


def topics() -> tuple[str, str, str]:
    """A dead-letter topic, an input topic and an app id of the test's own."""
    run = uuid.uuid4().hex[:8]
    return f"dlq-{run}", f"in-{run}", f"replay-{run}"


def letter(value: bytes, reason: Reason, key: bytes | None, offset: int = 0, source: str = "articles",
           max_bytes: int = 1024 * 1024) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    d = dead_letter(value, reason, f"{reason.value}: for the test", source, 0, offset, key, max_bytes)
    return d.key, d.value, list(d.headers.items())


async def put(broker: EmbeddedBroker, topic: str, records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]
              ) -> list[int]:
    """Produce one record a batch (Tansu's end offsets), return their offsets."""
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=8 * 1024 * 1024)
    await producer.start()
    try:
        return [(await (await producer.send(topic, key=k, value=v, headers=h, partition=0))).offset
                for k, v, h in records]
    finally:
        await producer.stop()


async def records_of(broker: EmbeddedBroker, topic: str, n: int) -> list:
    return await consume_until(broker, topic, lambda rs: len(rs) >= n, timeout=20)


async def test_replay_sends_each_dead_letter_back_once_byte_for_byte(broker):
    dlq, articles, app = topics()
    letters = [letter(VALID[1], Reason.PROCESSING_ERROR, VALID[0]),
               letter(b'{"id": "x", "text": ', Reason.INVALID_JSON, b"broken"),
               letter(b"\xff\xfe not utf-8", Reason.INVALID_UTF8, None)]
    await put(broker, dlq, letters)
    out = io.StringIO()
    report = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=out)
    assert (report.replayed, report.unavailable, report.unfinished) == (3, 0, [])
    assert dict(report.by_reason) == {"processing_error": 1, "invalid_json": 1, "invalid_utf8": 1}
    sent = await records_of(broker, articles, 3)
    by_offset = {json.loads(dict(r.headers)[REPLAYED_HEADER])["offset"]: r for r in sent}
    assert [(by_offset[i].key, by_offset[i].value) for i in range(3)] == [(k, v) for k, v, _ in letters]
    assert {json.loads(dict(r.headers)[REPLAYED_HEADER])["reason"] for r in sent} == set(report.by_reason)
    assert all(json.loads(dict(r.headers)[REPLAYED_HEADER])["topic"] == dlq for r in sent)
    assert "replayed 3 dead letter(s)" in out.getvalue()

    again = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=io.StringIO())
    assert again.replayed == 0, "its consumer group remembers what was replayed"
    await put(broker, dlq, [letter(VALID[1], Reason.CLASSIFIER_DIED, VALID[0])])
    later = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=io.StringIO())
    assert dict(later.by_reason) == {"classifier_died": 1}, "only the letter that came since"
    everything = await replay_dead_letters(broker.bootstrap, dlq, articles, app, from_start=True, out=io.StringIO())
    assert everything.replayed == 4


async def test_a_reason_filter_has_a_group_of_its_own(broker):
    """A filtered run remembers what it sent of its reasons; the plain replay still has every letter."""
    dlq, articles, app = topics()
    await put(broker, dlq, [letter(VALID[1], Reason.CLASSIFIER_DIED, VALID[0]),
                            letter(b"[1]", Reason.NOT_AN_OBJECT, b"k"),
                            letter(VALID[1], Reason.CLASSIFIER_DIED, b"again")])
    dry = await replay_dead_letters(broker.bootstrap, dlq, articles, app, dry_run=True, out=io.StringIO())
    assert dry.replayed == 3
    died = frozenset({"classifier_died"})
    only = await replay_dead_letters(broker.bootstrap, dlq, articles, app, died, out=io.StringIO())
    assert (only.replayed, only.skipped, only.unfinished) == (2, 1, [])
    assert (await replay_dead_letters(broker.bootstrap, dlq, articles, app, died, out=io.StringIO())).replayed == 0
    rest = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=io.StringIO())
    assert rest.replayed == 3, "the plain replay's group had sent nothing yet (at least once)"
    assert (await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=io.StringIO())).replayed == 0
    sent = await records_of(broker, articles, 5)
    assert sorted(r.key for r in sent) == [b"again", b"again", b"k", VALID[0], VALID[0]], "the dry run sent nothing"


async def test_a_cut_dead_letter_is_replayed_whole_from_its_input_topic(broker):
    dlq, articles, app = topics()
    source = f"source-{uuid.uuid4().hex[:8]}"
    big = json.dumps({"id": "big", "text": "a " * 40_000}).encode()
    [offset] = await put(broker, source, [(b"big", big, [])])
    cut = letter(big, Reason.TOO_LARGE, b"big", offset=offset, source=source, max_bytes=16 * 1024)
    assert len(cut[1]) < 16 * 1024 and "streamproc-dlq-truncated" in dict(cut[2])
    gone = letter(big, Reason.TOO_LARGE, b"gone", offset=offset + 5, source=source, max_bytes=16 * 1024)
    await put(broker, dlq, [cut, gone])
    out = io.StringIO()
    report = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=out)
    assert (report.replayed, report.unavailable) == (1, 1)
    assert f"unavailable (no longer on {source}[0], which holds offsets 0 to 0)" in out.getvalue()
    [sent] = await records_of(broker, articles, 1)
    assert (sent.key, sent.value) == (b"big", big), "the whole message, never the cut one"


async def test_list_counts_by_reason_and_shows_the_last_ones(broker):
    dlq, _, _ = topics()
    await put(broker, dlq, [letter(VALID[1], Reason.PROCESSING_ERROR, b"a"),
                            letter(VALID[1], Reason.PROCESSING_ERROR, b"b"),
                            letter(b"{", Reason.INVALID_JSON, b"c")])
    out = io.StringIO()
    report = await list_dead_letters(broker.bootstrap, dlq, limit=2, out=out)
    lines = out.getvalue().splitlines()
    assert dict(report.by_reason) == {"processing_error": 2, "invalid_json": 1}
    assert len(lines) == 3 and "key='b'" in lines[0] and "invalid_json key='c'" in lines[1]
    assert lines[-1] == f"3 dead letter(s) on {dlq}: processing_error 2, invalid_json 1"
    only = await list_dead_letters(broker.bootstrap, dlq, frozenset({"invalid_json"}), out=io.StringIO())
    assert (dict(only.by_reason), only.skipped) == ({"invalid_json": 1}, 2)
    missing = io.StringIO()
    await list_dead_letters(broker.bootstrap, f"{dlq}-none", out=missing)
    assert "no dead letters" in missing.getvalue()


async def test_a_stalled_read_is_reported_not_taken_for_done(broker):
    dlq, articles, app = topics()
    await put(broker, dlq, [letter(VALID[1], Reason.PROCESSING_ERROR, b"a")])
    out = io.StringIO()
    report = await replay_dead_letters(broker.bootstrap, dlq, articles, app, timeout=0, out=out)
    assert report.unfinished == [0] and report.replayed == 0
    assert "not read to their end" in out.getvalue()


async def test_the_worker_alerts_on_a_replayed_article(worker, broker):
    """The whole path: a valid article dead-lettered by a bug (as if), replayed to the worker's input."""
    dlq, _, app = topics()
    key = f"replayed-{uuid.uuid4().hex[:8]}".encode()
    value = json.dumps({"id": key.decode(), "text": "Shelling killed three soldiers in Tovuz overnight.",
                        "language": "en"}).encode()
    await put(broker, dlq, [letter(value, Reason.PROCESSING_ERROR, key)])
    report = await replay_dead_letters(broker.bootstrap, dlq, "articles", app, out=io.StringIO())
    assert report.replayed == 1
    alerts = await consume_until(broker, "alerts", lambda rs: any(r.key == key for r in rs), timeout=60)
    [alert] = [json.loads(r.value) for r in alerts if r.key == key]
    assert alert["article"]["id"] == key.decode() and "shelling" in {c["name"] for c in alert["categories"]}


def test_the_command_says_what_it_needs_and_lists(broker):
    run = [sys.executable, "-m", "streamproc", "dlq", "list"]
    env = {"PATH": "/usr/bin:/bin"}
    missing = subprocess.run(run, check=False, capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 2 and "needs --broker or STREAMPROC_BROKER" in missing.stderr
    done = subprocess.run([*run, "--broker", broker.url], check=False, capture_output=True, text=True,
                          env={**env, "STREAMPROC_TOPIC_DLQ": f"none-{uuid.uuid4().hex[:8]}"}, timeout=60)
    assert done.returncode == 0 and "no dead letters" in done.stdout


async def test_a_letter_a_worker_did_not_write_still_shows_and_replays(broker):
    """No reason, a null header, an envelope that is no JSON: listed as ``unknown``, replayed as it is."""
    dlq, articles, app = topics()
    await put(broker, dlq, [(b"odd", b"payload", [("streamproc-dlq", b"{not json"), ("x-null", None)]),
                            (None, b"bare", [("streamproc-dlq-reason", None)])])
    out = io.StringIO()
    report = await list_dead_letters(broker.bootstrap, dlq, out=out)
    assert dict(report.by_reason) == {"unknown": 2}
    replayed = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=io.StringIO())
    assert replayed.replayed == 2
    assert sorted(r.value for r in await records_of(broker, articles, 2)) == [b"bare", b"payload"]


async def test_a_cause_not_fixed_costs_one_copy_a_run_not_a_doubling(worker, broker):
    """The worker dead-letters a replayed invalid message again; each run sends only the newest copy."""
    run = uuid.uuid4().hex[:8]
    key = f"still-bad-{run}".encode()
    await produce(broker, [(key, b'{"id": "still-bad", "text": ')])
    app = f"replay-{run}"

    async def copies(n: int) -> None:
        records = await consume_until(broker, "articles.dlq", lambda rs: sum(r.key == key for r in rs) >= n, timeout=60)
        assert sum(r.key == key for r in records) == n

    await copies(1)
    for n in (1, 2, 3):
        out = io.StringIO()
        await replay_dead_letters(broker.bootstrap, "articles.dlq", "articles", app, frozenset({"invalid_json"}),
                                  out=out)
        assert out.getvalue().count(f"key={key.decode()!r}") == 1, f"run {n} sent one copy"
        await copies(n + 1)


async def test_a_cut_letter_whose_original_could_not_be_read_is_left_for_the_next_run(broker, monkeypatch):
    dlq, articles, app = topics()
    source = f"source-{uuid.uuid4().hex[:8]}"
    big = json.dumps({"id": "big", "text": "a " * 20_000}).encode()
    [offset] = await put(broker, source, [(b"big", big, [])])
    await put(broker, dlq, [letter(big, Reason.TOO_LARGE, b"big", offset=offset, source=source, max_bytes=16 * 1024),
                            letter(VALID[1], Reason.PROCESSING_ERROR, VALID[0])])

    async def no_answer(consumer, envelope, timeout):
        raise dlq_module._NotNow("the broker did not answer")

    with monkeypatch.context() as patch:
        patch.setattr(dlq_module, "_original", no_answer)
        out = io.StringIO()
        first = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=out)
    assert (first.replayed, first.retry, first.unfinished) == (1, 1, [0]), "exit 1: run again"
    assert "not sent, run again (the broker did not answer)" in out.getvalue()
    second = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=io.StringIO())
    assert (second.replayed, second.retry, second.unfinished) == (2, 0, []), "the offset had stopped at it"
    sent = await records_of(broker, articles, 3)
    assert sorted(r.value for r in sent) == sorted([VALID[1], big, VALID[1]])


async def test_letters_that_cannot_be_sent_are_shown_and_passed(broker, monkeypatch):
    """A null value, and a whole message over the replay's size limit, go nowhere and block nothing."""
    dlq, articles, app = topics()
    source = f"source-{uuid.uuid4().hex[:8]}"
    big = json.dumps({"id": "big", "text": "a " * 40_000}).encode()
    [offset] = await put(broker, source, [(b"big", big, [])])
    await put(broker, dlq, [(b"tomb", None, []),
                            letter(big, Reason.TOO_LARGE, b"big", offset=offset, source=source, max_bytes=16 * 1024),
                            letter(VALID[1], Reason.PROCESSING_ERROR, VALID[0])])
    monkeypatch.setattr(dlq_module, "MAX_BYTES", 64 * 1024)
    out = io.StringIO()
    report = await replay_dead_letters(broker.bootstrap, dlq, articles, app, out=out)
    assert (report.replayed, report.unavailable, report.unfinished) == (1, 2, [])
    assert "unavailable (no value)" in out.getvalue() and "too large to send back" in out.getvalue()
    [sent] = await records_of(broker, articles, 1)
    assert sent.value == VALID[1]


async def test_time_spent_on_a_batch_is_no_stall(broker):
    """The stall timeout counts the broker's silence, not the caller's work on what it read."""
    topic = f"slow-{uuid.uuid4().hex[:8]}"
    await put(broker, topic, [(None, b"x", [])] * 12)
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, max_poll_records=3,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        reader = UpToEnd(consumer, topic, from_start=True, timeout=0.5)
        seen = 0
        async for batch in reader.batches():
            seen += sum(len(records) for records in batch.values())
            await asyncio.sleep(0.7)
        assert (seen, reader.unfinished) == (12, [])
    finally:
        await consumer.stop()



async def test_webhooks_replay_for_one_subscription_sends_its_letters_once(broker):
    """``webhooks replay --subscription`` remembers what it sent in a group of its own: it used to commit
    nothing, so each run sent every letter of the subscription again."""
    prefix, app = f"wh-{uuid.uuid4().hex[:8]}", f"replay-{uuid.uuid4().hex[:8]}"
    alert = {"alert_id": f"alr_{uuid.uuid4().hex}", "article": {"id": "a"}, "detected_at": "2020-07-13T17:13:00.000Z",
             "severity": "high"}
    tasks = [DeliveryTask.for_alert(alert, sub) for sub in ("sub-a", "sub-b", "sub-a")]
    await put(broker, f"{prefix}.dlq", [(t.subscription_id.encode(), t.encode(), []) for t in tasks])
    first = await webhooks_replay(broker.bootstrap, prefix, app, subscription="sub-a", out=io.StringIO())
    assert (first.replayed, first.skipped) == (2, 1)
    again = await webhooks_replay(broker.bootstrap, prefix, app, subscription="sub-a", out=io.StringIO())
    assert again.replayed == 0, "its own group remembers"
    rest = await webhooks_replay(broker.bootstrap, prefix, app, out=io.StringIO())
    assert rest.replayed == 3 and (await webhooks_replay(broker.bootstrap, prefix, app, out=io.StringIO())).replayed == 0
