"""The Grafana dashboard: generated from build_dashboard.py, well-formed, covering what operators need,
and referring only to series the worker exports (the live check is in test_live_prometheus.py)."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from prometheus_client import REGISTRY, CollectorRegistry

from tests.deploy.conftest import DASHBOARD, DEPLOY, PROMETHEUS_DIR

SERIES_NAME = re.compile(r"\b(?:streamproc|faust)_[a-zA-Z0-9_]+\b")


def load_builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_dashboard", DEPLOY / "grafana" / "build_dashboard.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text("utf-8"))


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for p in board["panels"]:
        if p["type"] == "row":
            yield from p.get("panels", [])  # a collapsed row keeps its panels inside
        else:
            yield p


def dashboard_queries() -> list[tuple[str, str, str]]:
    """``(panel title, refId, expr)`` for every query of every panel."""
    return [(p["title"], t["refId"], t["expr"]) for p in panels(dashboard()) for t in p["targets"]]


def rule_exprs() -> list[tuple[str, str]]:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text("utf-8"))
    return [(r.get("alert") or r["record"], r["expr"]) for g in rules["groups"] for r in g["rules"]]


def exported_series() -> set[str]:
    """Every sample name the worker's /metrics can carry: ours (default registry) and Faust's sensor."""
    from faust.sensors.prometheus import FaustMetrics

    import streamproc.worker.run  # noqa: F401 - imports (and so registers) every module's metrics

    faust_registry = CollectorRegistry()
    FaustMetrics.create(faust_registry, "faust")
    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
                "gauge": ("",), "info": ("_info",), "summary": ("", "_count", "_sum", "_created")}
    names = set()
    for registry in (REGISTRY, faust_registry):
        for family in registry.collect():
            if family.name.startswith(("streamproc_", "faust_")):
                names.update(family.name + s for s in suffixes.get(family.type, ("",)))
    return names


def test_committed_json_is_the_generators_output() -> None:
    assert DASHBOARD.read_text("utf-8") == load_builder().render(), \
        "run: python deploy/grafana/build_dashboard.py"


def test_panels_are_well_formed_and_laid_out_without_overlap() -> None:
    board = dashboard()
    assert board["uid"] and board["title"] and board["schemaVersion"] >= 36
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    taken: set[tuple[int, int]] = set()
    for p in board["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, p["title"]
        cells = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & taken, f"{p['title']} overlaps another panel"
        taken |= cells
    for p in panels(board):
        assert p["title"] and p.get("description"), p["id"]
        assert p["targets"], p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        for t in p["targets"]:
            assert t["expr"].strip(), p["title"]


def test_every_panel_uses_the_provisioned_datasource() -> None:
    provisioned = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml")
                                 .read_text("utf-8"))["datasources"]
    uids = {d["uid"] for d in provisioned if d["type"] == "prometheus"}
    for p in panels(dashboard()):
        assert p["datasource"]["uid"] in uids, p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] in uids, p["title"]


def test_the_dashboard_covers_what_the_issue_asks_for() -> None:
    queries = dashboard_queries()
    by_title = {}
    for title, _, expr in queries:
        by_title.setdefault(title, []).append(expr)
    types = {p["title"]: p["type"] for p in panels(dashboard())}

    def panel_with(*needles: str, kind: str | None = None) -> str:
        for title, exprs in by_title.items():
            joined = " ".join(exprs)
            if all(n in joined for n in needles) and (kind is None or types[title] == kind):
                return title
        raise AssertionError(f"no {kind or ''} panel queries {needles}")

    panel_with("streamproc_articles_received_total", "streamproc_alerts_published_total")  # in / out per s
    panel_with("faust_topic_partition_end_offset", "faust_topic_partition_offset_commited", "partition")  # lag
    panel_with("histogram_quantile(0.5,", "histogram_quantile(0.95,", "histogram_quantile(0.99,",
               "streamproc_processing_seconds_bucket")
    panel_with("histogram_quantile(0.99,", "streamproc_alert_age_seconds_bucket")  # produce -> alert, Kafka wait included
    panel_with("sum by (le, phase)", "streamproc_batch_phase_seconds_bucket")  # where that latency goes
    panel_with("sum by (category)", "streamproc_alert_categories_total")
    panel_with("sum by (severity)", "streamproc_alerts_published_total")
    panel_with("sum by (country)", "streamproc_alerts_by_country_total", kind="geomap")
    panel_with("sum by (country)", "streamproc_alerts_by_country_total", kind="table")
    panel_with("sum by (reason)", "streamproc_dead_letters_total")
    panel_with('streamproc_webhook_deliveries_total{outcome="delivered"}', "/")  # success ratio
    panel_with("streamproc_webhook_request_seconds_bucket", "histogram_quantile(0.99,")
    panel_with("faust_rebalance_done_latency_count")
    panel_with('up{job="streamproc"}')  # worker count

    geomap = next(p for p in panels(dashboard()) if p["type"] == "geomap")
    layer = geomap["options"]["layers"][0]
    assert layer["location"] == {"mode": "lookup", "lookup": "country",
                                 "gazetteer": "public/gazetteer/countries.json"}
    target = geomap["targets"][0]
    assert target["instant"] and target["format"] == "table", "one row per country for the lookup"


def test_queries_and_rules_only_name_series_the_worker_exports() -> None:
    exported = exported_series()
    used = {(where, name) for where, _, expr in dashboard_queries() for name in SERIES_NAME.findall(expr)}
    used |= {(where, name) for where, expr in rule_exprs() for name in SERIES_NAME.findall(expr)}
    unknown = sorted((where, name) for where, name in used if name not in exported)
    assert not unknown, f"series no worker exports: {unknown}"


def test_label_values_in_queries_and_rules_are_ones_the_worker_emits() -> None:
    """A matcher on a value nothing emits is silently empty: a rule counting ``outcome="failed"``
    never fires. Every literal value of a streamproc_* label must be one the worker creates up front."""
    from streamproc.publish.webhooks import metrics as webhook_metrics

    webhook_metrics.initialise()
    exported_series()  # registers every module's metrics
    emitted: dict[tuple[str, str], set[str]] = {}
    for family in REGISTRY.collect():
        for sample in family.samples:
            for label, value in sample.labels.items():
                emitted.setdefault((family.name, label), set()).add(value)
    selector = re.compile(r"\b(streamproc_[a-zA-Z0-9_]+?)(?:_total|_bucket|_count|_sum)?\{([^}]*)\}")
    matcher = re.compile(r'(\w+)\s*(?:=|!=|=~|!~)\s*"([^"]*)"')
    exprs = [(title, expr) for title, _, expr in dashboard_queries()] + rule_exprs()
    unknown, checked = [], 0
    for where, expr in exprs:
        for name, body in selector.findall(expr):
            for label, values in matcher.findall(body):
                if label in ("job", "instance", "le"):
                    continue
                for value in values.split("|"):
                    checked += 1
                    if value not in emitted.get((name, label), set()):
                        unknown.append((where, name, label, value))
    assert checked, "no label matcher found: the pattern is broken"
    assert not unknown, f"label values the worker never emits: {unknown}"


def test_rule_and_dashboard_job_name_match_the_scrape_config() -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text("utf-8"))
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    mentioned = set(re.findall(r'job="([^"]+)"', " ".join(e for _, _, e in dashboard_queries())))
    mentioned |= set(re.findall(r'job="([^"]+)"', " ".join(e for _, e in rule_exprs())))
    assert mentioned and mentioned <= jobs


def test_every_metric_the_worker_exports_is_in_the_readme() -> None:
    readme = (DEPLOY.parent / "README.md").read_text("utf-8")
    exported_series()  # registers every module's metrics
    names = {f.name + {"counter": "_total", "info": "_info"}.get(f.type, "") for f in REGISTRY.collect()
             if f.name.startswith("streamproc_")}
    assert names, "no streamproc_* metric registered"
    missing = sorted(n for n in names if f"`{n}`" not in readme and f"`{n}{{" not in readme)
    assert not missing, f"metrics missing from the README's tables: {missing}"
