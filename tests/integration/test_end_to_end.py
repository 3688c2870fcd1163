"""Article in on a real broker -> alert on the topic, at the webhook, in /metrics."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from importlib import resources

import jsonschema
import orjson
import pytest

from streamproc.publish.webhooks.signing import verify
from tests.conftest import FIXTURES, SEED
from tests.integration.conftest import alerts_for, article, consume_until, produce

pytestmark = pytest.mark.integration

ALERT_SCHEMA = json.loads(resources.files("streamproc").joinpath("schemas/alert.schema.json").read_text())


def seed_like_articles(run: str) -> list[tuple[bytes, bytes]]:
    """The seed itself when ../shared is there, and always our own retelling of it."""
    retold = json.loads((FIXTURES / "articles" / "ar-seed-retold.json").read_text("utf-8"))
    out = [article(f"retold-{run}", retold["text"], title=retold.get("title"), language="ar")]
    if SEED.is_file():
        out.append(article(f"seed-{run}", SEED.read_text("utf-8")))  # language left to detection
    return out


def check_seed_alert(alert: dict) -> None:
    jsonschema.validate(alert, ALERT_SCHEMA)
    assert alert["language"] == "ar"
    assert {"ceasefire", "shelling", "armed_clash", "casualties"} <= {c["name"] for c in alert["categories"]}
    assert alert["casualties"]["killed"] == 3
    names = {e["name"] for e in alert["entities"]}
    assert {"Russia", "Armenia", "Azerbaijan", "Baku", "Yerevan", "Sergey Lavrov", "OSCE Minsk Group",
            "Tovuz", "Tavush"} <= names


async def test_seed_article_alert_on_topic_webhook_and_metrics(worker, broker, receiver, webhook_secret):
    run = uuid.uuid4().hex[:8]
    messages = seed_like_articles(run)
    ids = {k.decode() for k, _ in messages}
    await produce(broker, messages)
    records = await consume_until(broker, "alerts", lambda rs: len(alerts_for(rs, ids)) == len(ids))
    alerts = alerts_for(records, ids)
    assert set(alerts) == ids
    for alert in alerts.values():
        check_seed_alert(alert)
    keyed = {r.key.decode() for r in records if r.key and r.key.decode() in ids}
    assert keyed == ids, "alerts are keyed by article id"

    # The webhook receiver (a real HTTP server) got each alert, correctly signed.
    import time
    deadline = time.monotonic() + 15
    def delivered():
        return {orjson.loads(b)["data"]["article"]["id"]: (h, b) for h, b in receiver.requests
                if orjson.loads(b)["data"]["article"]["id"] in ids}
    while len(delivered()) < len(ids) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    got = delivered()
    assert set(got) == ids
    for headers, body in got.values():
        assert verify(webhook_secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body,
                      headers["webhook-signature"])
        assert orjson.loads(body)["data"] == alerts[orjson.loads(body)["data"]["article"]["id"]]

    metrics = worker.metrics()
    for series in ("streamproc_articles_received_total", 'streamproc_articles_processed_total{outcome="alert"}',
                   'streamproc_alert_categories_total{category="ceasefire"}', "streamproc_processing_seconds_bucket",
                   "streamproc_alert_age_seconds_bucket", 'streamproc_webhook_deliveries_total{outcome="delivered"}', "faust_messages_received"):
        assert series in metrics, series
    # Observed, not only declared: each alert's age from its article's Kafka timestamp.
    assert float(re.search(r"^streamproc_alert_age_seconds_count (\S+)$", metrics, re.MULTILINE).group(1)) >= len(ids)


async def test_redelivered_article_gets_the_same_alert_id(worker, broker):
    run = uuid.uuid4().hex[:8]
    msg = seed_like_articles(run)[0]
    await produce(broker, [msg, msg])
    records = await consume_until(
        broker, "alerts", lambda rs: sum(1 for r in rs if r.key == msg[0]) >= 2)
    ids = {json.loads(r.value)["alert_id"] for r in records if r.key == msg[0]}
    assert len(ids) == 1


async def test_article_without_escalation_is_counted_but_not_alerted(worker, broker):
    def processed(text: str, outcome: str) -> float:
        for line in text.splitlines():
            if line.startswith(f'streamproc_articles_processed_total{{outcome="{outcome}"}}'):
                return float(line.split()[-1])
        return 0.0

    before = processed(worker.metrics(), "no_alert")
    run = uuid.uuid4().hex[:8]
    quiet = article(f"quiet-{run}", "The city council approved a new budget for public libraries and parks "
                                    "on Tuesday after a long debate.", language="en")
    marker = article(f"marker-{run}", "Artillery shelling killed two soldiers near the border.", language="en")
    await produce(broker, [quiet, marker])
    records = await consume_until(broker, "alerts", lambda rs: any(r.key == marker[0] for r in rs))
    assert any(r.key == marker[0] for r in records)
    assert not any(r.key == quiet[0] for r in records)
    assert processed(worker.metrics(), "no_alert") >= before + 1
