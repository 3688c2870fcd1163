"""Each kind of bad input goes to the DLQ with its reason, and the next message is processed."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.integration.conftest import article, consume_until, produce

pytestmark = pytest.mark.integration

CASES = {
    "invalid_json": b'{"id": "x", "text": ',
    "invalid_utf8": b'{"id": "x", "text": "caf\xe9 bombing"}',
    "not_an_object": b'["a", "list"]',
    "wrong_type": b'{"id": "x", "text": 42}',
    "missing_field": b'{"text": "no id here"}',
    "missing_text": b'{"id": "no-text"}',
    "too_large": b'{"id": "big", "text": "' + b"a " * (40 * 1024) + b'"}',  # worker limit: 64 KiB
}
EXPECTED_REASON = {**{k: k for k in CASES}, "missing_text": "missing_field"}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_bad_input_is_dead_lettered_and_the_stream_goes_on(worker, broker, case):
    run = uuid.uuid4().hex[:8]
    bad_key = f"bad-{case}-{run}".encode()
    good = article(f"good-after-{case}-{run}", "Shelling killed three soldiers overnight.", language="en")
    await produce(broker, [(bad_key, CASES[case]), good])

    dlq = await consume_until(broker, "articles.dlq", lambda rs: any(r.key == bad_key for r in rs))
    record = next(r for r in dlq if r.key == bad_key)
    headers = dict(record.headers)
    if case == "too_large":  # over the record bound (64 KiB): cut to fit, sizes in a header
        assert 60 * 1024 < len(record.value) < 64 * 1024 and CASES[case].startswith(record.value)
        assert json.loads(headers["streamproc-dlq-truncated"])["value_bytes"] == len(CASES[case])
    else:
        assert record.value == CASES[case], "the original bytes, untouched"
        assert "streamproc-dlq-truncated" not in headers
    assert headers["streamproc-dlq-reason"].decode() == EXPECTED_REASON[case]
    envelope = json.loads(headers["streamproc-dlq"])
    assert envelope["reason"] == EXPECTED_REASON[case]
    assert envelope["topic"] == "articles" and isinstance(envelope["offset"], int) and envelope["error"]

    alerts = await consume_until(broker, "alerts", lambda rs: any(r.key == good[0] for r in rs))
    assert any(r.key == good[0] for r in alerts), "the message after the bad one was processed"
    assert f'streamproc_dead_letters_total{{reason="{EXPECTED_REASON[case]}"}}' in worker.metrics()



async def test_an_alert_too_large_for_a_record_dead_letters_its_article(worker, broker, pipeline):
    """An alert carries the article's title as it came. With a 57 KB title it is over the record size
    (the worker's STREAMPROC_MAX_MESSAGE_BYTES, 64 KiB here, less 8 KiB of headroom), and its send would
    be retried for ever, stalling the worker: the article is dead-lettered instead."""
    run = uuid.uuid4().hex[:8]
    big_key, big = article(f"long-title-{run}", "Artillery shelling killed three soldiers in Tovuz.",
                           language="en", title="Shelling " * 6500)
    assert len(big) < 64 * 1024
    assert len(json.dumps(pipeline.process(big).alert)) > 56 * 1024
    good = article(f"good-after-long-title-{run}", "Shelling killed three soldiers overnight.", language="en")
    await produce(broker, [(big_key, big), good])

    dlq = await consume_until(broker, "articles.dlq", lambda rs: any(r.key == big_key for r in rs))
    record = next(r for r in dlq if r.key == big_key)
    assert record.value == big
    headers = dict(record.headers)
    assert headers["streamproc-dlq-reason"] == b"alert_too_large"
    assert "bytes is over the" in json.loads(headers["streamproc-dlq"])["error"]
    alerts = await consume_until(broker, "alerts", lambda rs: any(r.key == good[0] for r in rs))
    assert not any(r.key == big_key for r in alerts)
    assert 'streamproc_dead_letters_total{reason="alert_too_large"}' in worker.metrics()
