"""A real Prometheus scrapes a real worker fed with the demo articles; every dashboard query and every
alert rule then runs through Prometheus's HTTP API.

The feed is what the compose ``producer`` sends: streamproc/samples/articles.jsonl plus
deploy/demo/bad-articles.jsonl, twice (with a scrape in between, so that counters created by the first
round show an increase in the second). Grafana's macros become fixed windows.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from streamproc.cli.produce import iter_payloads
from streamproc.pipeline import Pipeline
from tests.deploy.conftest import DEPLOY, NO_PROMETHEUS, PROMETHEUS_DIR, Prometheus, local_config
from tests.deploy.test_dashboard import dashboard_queries
from tests.integration.conftest import WorkerProcess, produce

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("prometheus") is None, reason=NO_PROMETHEUS)]

GRAFANA_MACROS = {"$__rate_interval": "1m", "$__range": "5m", "$__interval": "15s"}

#: Panel queries allowed to return nothing for the demo feed, and why.
MAY_BE_EMPTY = {
    ("Kafka sends per topic", "B"): "streamproc_publish_retries_total appears only once a Kafka send failed",
}
#: Selectors inside alert rules allowed to match nothing for the demo feed, and why.
SELECTORS_MAY_BE_EMPTY = {
    'streamproc_webhook_deliveries_total{outcome!~"delivered|filtered"}': "the test receiver accepts every delivery",
}
SELECTOR = re.compile(r'\b(?:(?:streamproc|faust)_[a-zA-Z0-9_]+|up(?=\{))(?:\{[^}]*\})?')
BAD_REASONS = {"invalid_json", "not_an_object", "missing_field", "wrong_type"}


def demo_feed(run: str) -> list[tuple[bytes | None, bytes]]:
    """The sample articles (ids made unique for this run) and the demo's malformed messages, as bytes."""
    samples = resources.files("streamproc").joinpath("samples/articles.jsonl")
    messages = []
    with resources.as_file(samples) as path:
        for _, raw in iter_payloads(path):
            doc = json.loads(raw)
            doc["id"] = f"{doc['id']}-{run}"
            messages.append((doc["id"].encode(), json.dumps(doc, ensure_ascii=False).encode()))
    messages += list(iter_payloads(DEPLOY / "demo" / "bad-articles.jsonl"))
    return messages


def worker_total(worker: WorkerProcess, name: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(worker.metrics()):
        for sample in family.samples:
            if sample.name == name:
                total += sample.value
    return total


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def prom_value(prom: Prometheus, expr: str) -> float:
    result = prom.query(expr)["data"]["result"]
    return float(result[0]["value"][1]) if result else -1.0


def grafana_to_promql(expr: str) -> str:
    for macro, value in GRAFANA_MACROS.items():
        expr = expr.replace(macro, value)
    return expr


@pytest.fixture(scope="module")
def fed(worker: WorkerProcess, broker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    prom = Prometheus(local_config(worker.web_port), tmp_path_factory.mktemp("prometheus"))
    try:
        prom.wait_ready()
        wait_for(lambda: prom_value(prom, 'up{job="streamproc"}') == 1, 15, "the first scrape")
        run = uuid.uuid4().hex[:8]
        for round_ in range(2):
            messages = demo_feed(f"{run}-{round_}")
            before = worker_total(worker, "streamproc_articles_processed_total")
            asyncio.run(produce(broker, messages))
            target = before + len(messages)
            # processed (not received): counted once each result is published, dead letters included
            wait_for(lambda target=target: worker_total(worker, "streamproc_articles_processed_total") >= target,
                     30, "the worker to process the feed")
            wait_for(lambda: worker_total(worker, "streamproc_webhook_deliveries_total")
                     >= worker_total(worker, "streamproc_alerts_published_total"), 15, "webhook deliveries")
            received = worker_total(worker, "streamproc_articles_processed_total")
            delivered = worker_total(worker, "streamproc_webhook_deliveries_total")
            wait_for(lambda received=received, delivered=delivered:
                     prom_value(prom, "sum(streamproc_articles_processed_total)") >= received
                     and prom_value(prom, "sum(streamproc_webhook_deliveries_total)") >= delivered,
                     15, "Prometheus to scrape the new counts")
        yield prom
    finally:
        prom.stop()


def test_every_dashboard_query_parses_and_has_data(fed: Prometheus) -> None:
    problems = []
    for title, ref, expr in dashboard_queries():
        body = fed.query(grafana_to_promql(expr))
        if body["status"] != "success":
            problems.append(f"{title} [{ref}]: {body.get('errorType')}: {body.get('error')}")
        elif not body["data"]["result"] and (title, ref) not in MAY_BE_EMPTY:
            problems.append(f"{title} [{ref}]: no data for {expr}")
    assert not problems, "\n".join(problems)


def test_dashboard_values_reflect_the_feed(fed: Prometheus, pipeline: Pipeline) -> None:
    def vector(expr: str) -> dict[tuple[tuple[str, str], ...], float]:
        body = fed.query(grafana_to_promql(expr))
        assert body["status"] == "success", body
        return {tuple(sorted(r["metric"].items())): float(r["value"][1]) for r in body["data"]["result"]}

    queries = {title: expr for title, _, expr in dashboard_queries()}
    assert list(vector(queries["Workers up"]).values()) == [1.0]
    assert next(iter(vector(queries["Articles in"]).values())) > 0
    assert next(iter(vector(queries["Alerts out"]).values())) > 0
    assert list(vector(queries["Webhook success"]).values()) == [1.0]

    reasons = {dict(k)["reason"] for k, v in vector(queries["Dead letters by reason"]).items() if v > 0}
    assert BAD_REASONS <= reasons

    # What the pure pipeline says the samples produce is what the dashboard shows.
    expected_countries, expected_categories = set(), set()
    for _, raw in demo_feed("expected"):
        outcome = pipeline.process(raw)
        if outcome.kind == "alert":
            assert outcome.alert is not None
            if outcome.alert["primary_country"]:
                expected_countries.add(outcome.alert["primary_country"])
            expected_categories.update(c["name"] for c in outcome.alert["categories"])
    assert expected_countries, "the samples yield alerts with countries"
    countries = vector(queries["Alerts by country"])
    shown = {dict(k)["country"]: v for k, v in countries.items()}
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in shown), shown
    assert expected_countries <= {c for c, v in shown.items() if v > 0}, shown
    categories = {dict(k)["category"] for k in vector(queries["Alerts by category"])}
    assert expected_categories <= categories

    lag = vector(queries["Consumer lag per partition"])
    topics = {dict(k)["topic"] for k in lag}
    assert "articles" in topics and not any("-__" in t for t in topics), "Faust's internal topics are left out"
    assert all(v >= 0 for v in lag.values())


def test_every_alert_rule_loads_evaluates_and_reads_live_series(fed: Prometheus) -> None:
    rules_file = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text("utf-8"))
    defined = {r["alert"]: r["expr"] for g in rules_file["groups"] for r in g["rules"]}

    def loaded() -> list[dict[str, Any]]:
        groups = fed.api("rules")["data"]["groups"]
        return [r for g in groups for r in g["rules"]]

    wait_for(lambda: all(r.get("lastEvaluation", "").startswith("2") and not r["lastEvaluation"].startswith("0001")
                         for r in loaded()) and len(loaded()) == len(defined), 15, "every rule to be evaluated")
    rules = {r["name"]: r for r in loaded()}
    assert set(rules) == set(defined)
    for name, rule in rules.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"

    problems = []
    for name, expr in defined.items():
        body = fed.query(expr)
        if body["status"] != "success":
            problems.append(f"{name}: {body.get('error')}")
        for selector in SELECTOR.findall(expr):
            if selector in SELECTORS_MAY_BE_EMPTY:
                continue
            if not fed.query(f"count({selector})")["data"]["result"]:
                problems.append(f"{name}: {selector} matches no series")
    assert not problems, "\n".join(problems)

    # The feed is 25% malformed: the dead-letter rule's condition holds (pending: it needs 5 minutes to fire),
    # and nothing fires.
    def alerts() -> dict[str, str]:
        return {a["labels"]["alertname"]: a["state"] for a in fed.api("alerts")["data"]["alerts"]}

    wait_for(lambda: alerts().get("StreamprocDeadLetterRateHigh") == "pending", 15, "the dead-letter rule")
    assert "firing" not in alerts().values(), alerts()

