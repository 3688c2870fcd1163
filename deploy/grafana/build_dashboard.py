#!/usr/bin/env python3
"""Generate deploy/grafana/dashboards/streamproc.json (the provisioned Grafana dashboard).

Edit the panels here and run ``python deploy/grafana/build_dashboard.py``; a test checks that the
committed JSON is this script's output, and the real-Prometheus test runs every query below.

Queries use Grafana's ``$__rate_interval`` (and ``$__range`` for the per-country totals); everything
else is plain PromQL over the worker's ``streamproc_*`` series and Faust's ``faust_*`` sensor.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards" / "streamproc.json"
DS = {"type": "prometheus", "uid": "prometheus"}  # provisioning/datasources/prometheus.yml
JOB = 'job="streamproc"'
RI = "$__rate_interval"
#: Faust's internal topics (``<app id>-__assignor-__leader``) are not input, and a webhook retry topic
#: holds tasks waiting out their delay (up to 10 h during a subscriber's outage), which is no backlog:
#: leave both out of lag, as the ``StreamprocConsumerLag`` alert rule does.
USER_TOPICS = 'topic!~".+-__.+|.+[.]retry[.][0-9]+"'
LAG = (f"faust_topic_partition_end_offset{{{USER_TOPICS}}} - faust_topic_partition_offset_commited")


def q(expr: str, legend: str = "", ref: str = "A", instant: bool = False, fmt: str | None = None
      ) -> dict[str, Any]:
    target: dict[str, Any] = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto",
                              "range": not instant, "instant": instant}
    if fmt:
        target["format"] = fmt
    return target


def quantiles(metric: str, by: str = "") -> list[dict[str, Any]]:
    group = f"le, {by}" if by else "le"
    return [q(f"histogram_quantile({p}, sum by ({group}) (rate({metric}_bucket[{RI}])))",
              f"p{int(p * 100)}" + (f" {{{{{by}}}}}" if by else ""), ref)
            for p, ref in ((0.5, "A"), (0.95, "B"), (0.99, "C"))]


class Layout:
    """Place panels left to right on Grafana's 24-column grid, wrapping to the next line."""

    def __init__(self) -> None:
        self.panels: list[dict[str, Any]] = []
        self.x = self.y = self.line_h = 0

    def row(self, title: str) -> None:
        self._newline()
        self.panels.append({"type": "row", "title": title, "collapsed": False, "panels": [],
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}})
        self.y += 1

    def _newline(self) -> None:
        if self.x:
            self.y += self.line_h
            self.x = self.line_h = 0

    def add(self, panel: dict[str, Any], w: int, h: int) -> None:
        if self.x + w > 24:
            self._newline()
        panel["gridPos"] = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.line_h = max(self.line_h, h)
        self.panels.append(panel)


def panel(kind: str, title: str, description: str, targets: list[dict[str, Any]], unit: str = "short",
          **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"type": kind, "title": title, "description": description, "datasource": DS,
                         "targets": targets,
                         "fieldConfig": {"defaults": {"unit": unit, **extra.pop("defaults", {})},
                                         "overrides": extra.pop("overrides", [])},
                         "options": extra.pop("options", {})}
    p.update(extra)
    return p


def timeseries(title: str, description: str, targets: list[dict[str, Any]], unit: str = "short",
               stack: bool = False, bars: bool = False, **extra: Any) -> dict[str, Any]:
    custom = {"drawStyle": "bars" if bars else "line", "fillOpacity": 60 if bars else 10, "lineWidth": 1,
              "showPoints": "never", "spanNulls": True,
              "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    defaults = {"custom": custom, "min": 0, **extra.pop("defaults", {})}
    options = {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull", "max"],
                          "showLegend": True},
               "tooltip": {"mode": "multi", "sort": "desc"}}
    return panel("timeseries", title, description, targets, unit, defaults=defaults, options=options, **extra)


def stat(title: str, description: str, expr: str, unit: str = "short", decimals: int | None = None,
         thresholds: list[tuple[float | None, str]] | None = None) -> dict[str, Any]:
    steps = [{"color": c, "value": v} for v, c in (thresholds or [(None, "green")])]
    defaults: dict[str, Any] = {"thresholds": {"mode": "absolute", "steps": steps}, "color": {"mode": "thresholds"}}
    if decimals is not None:
        defaults["decimals"] = decimals
    options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
               "colorMode": "value", "graphMode": "area", "justifyMode": "auto", "textMode": "auto"}
    return panel("stat", title, description, [q(expr)], unit, defaults=defaults, options=options)


def build() -> dict[str, Any]:
    lay = Layout()
    received = f"sum(rate(streamproc_articles_received_total[{RI}]))"
    published = f"sum(rate(streamproc_alerts_published_total[{RI}]))"
    dead = f"sum(rate(streamproc_dead_letters_total[{RI}]))"
    hook_ok = (f'sum(rate(streamproc_webhook_deliveries_total{{outcome="delivered"}}[{RI}])) '
               f'/ sum(rate(streamproc_webhook_deliveries_total[{RI}]))')

    lay.row("Overview")
    lay.add(stat("Workers up", "Worker replicas Prometheus scrapes successfully (up == 1).",
                 f"sum(up{{{JOB}}})", decimals=0, thresholds=[(None, "red"), (1, "green")]), 4, 4)
    lay.add(stat("Articles in", "Messages consumed from the articles topic per second.", received, "reqps"), 4, 4)
    lay.add(stat("Alerts out", "Alerts published to the alerts topic per second.", published, "reqps"), 4, 4)
    lay.add(stat("Consumer lag", "Messages not yet processed, summed over input partitions.",
                 f"sum(clamp_min({LAG}, 0))", decimals=0,
                 thresholds=[(None, "green"), (100, "orange"), (1000, "red")]), 4, 4)
    lay.add(stat("Dead letters", "Messages sent to the dead-letter topic per second.", dead, "reqps",
                 thresholds=[(None, "green"), (0.01, "orange")]), 4, 4)
    lay.add(stat("Webhook success", "Share of webhook deliveries that reached their subscriber.", hook_ok,
                 "percentunit", thresholds=[(None, "red"), (0.9, "orange"), (0.99, "green")]), 4, 4)

    lay.row("Stream")
    lay.add(timeseries("Articles in and alerts out per second",
                       "Consumed articles, published alerts and dead letters, per second.",
                       [q(received, "articles in", "A"), q(published, "alerts out", "B"),
                        q(dead, "dead letters", "C")], "reqps"), 12, 8)
    lay.add(timeseries("Processed articles by outcome", "alert, no_alert, dead_letter, skipped.",
                       [q(f"sum by (outcome) (rate(streamproc_articles_processed_total[{RI}]))", "{{outcome}}")],
                       "reqps", stack=True), 12, 8)
    lay.add(timeseries("Consumer lag per partition",
                       "Partition end offset minus committed offset, as reported by the worker that holds "
                       "the partition (Faust sensor).",
                       [q(f"clamp_min(sum by (topic, partition) ({LAG}), 0)", "{{topic}}[{{partition}}]")]),
            12, 8)
    lay.add(timeseries("Processing latency (consume to alert acknowledged)",
                       "p50/p95/p99 of the time from consuming an article to its alert being acknowledged "
                       "by Kafka.", quantiles("streamproc_processing_seconds"), "s"), 12, 8)
    lay.add(timeseries("Alert latency (article produced to alert acknowledged)",
                       "p50/p95/p99 of the time from the article's Kafka record timestamp to its alert being "
                       "acknowledged: waiting in Kafka included, so a backlog shows here first.",
                       quantiles("streamproc_alert_age_seconds"), "s"), 12, 8)
    lay.add(timeseries("Pipeline stage latency p95", "p95 per pure pipeline stage.",
                       [q(f"histogram_quantile(0.95, sum by (le, stage) (rate(streamproc_stage_seconds_bucket[{RI}])))",
                          "{{stage}}")], "s"), 12, 8)
    lay.add(timeseries("Classified articles by language", "Detected or declared language of classified articles.",
                       [q(f"sum by (language) (rate(streamproc_articles_language_total[{RI}]))", "{{language}}")],
                       "reqps", stack=True), 12, 8)
    lay.add(timeseries("Where the latency goes: batch phases p95",
                       "p95 per phase of the article agent's batches: waiting (oldest article's Kafka timestamp "
                       "to the batch leaving: in Kafka, fetched, filling, waiting for room), classify (the queue "
                       "for the classification process included), publish (until Kafka acknowledged it all).",
                       [q(f"histogram_quantile(0.95, sum by (le, phase) "
                          f"(rate(streamproc_batch_phase_seconds_bucket[{RI}])))", "{{phase}}")], "s"), 12, 8)

    lay.row("Alerts")
    lay.add(timeseries("Alerts by severity", "Published alerts per second by severity.",
                       [q(f"sum by (severity) (rate(streamproc_alerts_published_total[{RI}]))", "{{severity}}")],
                       "reqps", stack=True, bars=True), 12, 8)
    lay.add(timeseries("Alerts by category", "Categories on published alerts (an alert can carry several).",
                       [q(f"sum by (category) (rate(streamproc_alert_categories_total[{RI}]))", "{{category}}")],
                       "reqps", stack=True, bars=True), 12, 8)
    by_country = "sort_desc(sum by (country) (increase(streamproc_alerts_by_country_total[$__range])))"
    lay.add(panel("geomap", "Alerts by country (map)",
                  "Alerts in the selected time range by primary country, placed at the country's centroid "
                  "(Grafana's built-in country gazetteer looks up the ISO code). Prometheus carries no "
                  "coordinates: an alert's exact location is in the alert JSON.",
                  [q(by_country, "{{country}}", instant=True, fmt="table")], "short",
                  defaults={"color": {"mode": "continuous-YlRd"}},
                  options={"view": {"id": "zero", "lat": 20, "lon": 20, "zoom": 1.5},
                           "controls": {"showZoom": True, "mouseWheelZoom": True},
                           "basemap": {"type": "default", "name": "Basemap"},
                           "tooltip": {"mode": "details"},
                           "layers": [{"type": "markers", "name": "Alerts", "tooltip": True,
                                       "location": {"mode": "lookup", "lookup": "country",
                                                    "gazetteer": "public/gazetteer/countries.json"},
                                       "config": {"showLegend": True, "style": {
                                           "size": {"field": "Value", "fixed": 5, "min": 4, "max": 30},
                                           "color": {"field": "Value"}, "opacity": 0.6,
                                           "text": {"field": "country", "mode": "field"}}}}]}), 12, 10)
    lay.add(panel("table", "Alerts by country",
                  "Alerts in the selected time range by primary country (ISO 3166-1 alpha-2). Alerts "
                  "whose country could not be resolved are not counted here.",
                  [q(by_country, "{{country}}", instant=True, fmt="table")], "short",
                  defaults={"decimals": 0},
                  options={"showHeader": True, "sortBy": [{"displayName": "alerts", "desc": True}]},
                  transformations=[{"id": "organize", "options": {
                      "excludeByName": {"Time": True}, "renameByName": {"Value": "alerts"}}}]), 12, 10)

    lay.row("Dead letters and publishing")
    lay.add(timeseries("Dead letters by reason", "Messages sent to the dead-letter topic per second, by reason.",
                       [q(f"sum by (reason) (rate(streamproc_dead_letters_total[{RI}]))", "{{reason}}")],
                       "reqps", stack=True, bars=True), 12, 8)
    lay.add(timeseries("Kafka sends per topic", "Messages the workers produce (alerts and dead letters) "
                       "and send retries after broker errors.",
                       # Faust labels a topic "topic.<name>"; our retry counter, the bare name: one legend for both
                       [q(f'sum by (topic) (label_replace(rate(faust_topic_messages_sent_total[{RI}]), "topic", "$1", '
                          f'"topic", "topic[.](.+)"))', "{{topic}}", "A"),
                        q(f"sum by (topic) (rate(streamproc_publish_retries_total[{RI}]))", "retries {{topic}}",
                          "B")], "reqps"), 12, 8)
    lay.add(timeseries("Work held back by failures",
                       "Should stay at 0. Batches whose publishing failed on an unexpected error and was tried "
                       "again (the batch unacked meanwhile), and classification processes that died (each "
                       "replaced, the batches it held run again), per interval.",
                       [q(f"sum by (instance) (increase(streamproc_batch_publish_failures_total[{RI}]))",
                          "batch publish failures {{instance}}", "A"),
                        q(f"sum by (instance) (increase(streamproc_classify_pool_restarts_total[{RI}]))",
                          "classifier restarts {{instance}}", "B")], bars=True, defaults={"decimals": 0}), 12, 6)
    lay.add(timeseries("Oldest unacknowledged batch",
                       "Per worker: how long the batch the article agent took first has waited to be "
                       "acknowledged. Under a second normally; a line that keeps climbing is a stuck worker "
                       "(alert StreamprocWorkerStuck).",
                       [q("max by (instance) (streamproc_oldest_batch_age_seconds)", "{{instance}}")], "s"), 12, 6)

    lay.row("Webhooks")
    lay.add(timeseries("Webhook success ratio", "Delivered / all final outcomes (delivered, dead-lettered, gone, "
                       "dropped, invalid).",
                       [q(hook_ok, "success")], "percentunit", defaults={"max": 1}), 6, 8)
    lay.add(timeseries("Webhook request latency", "p50/p95/p99 of webhook HTTP attempts.",
                       quantiles("streamproc_webhook_request_seconds"), "s"), 6, 8)
    lay.add(timeseries("Webhook deliveries and attempts",
                       "Final outcomes of deliveries, and HTTP attempts by result class.",
                       [q(f"sum by (outcome) (rate(streamproc_webhook_deliveries_total[{RI}]))", "{{outcome}}", "A"),
                        q(f"sum by (result) (rate(streamproc_webhook_attempts_total[{RI}]))", "attempt {{result}}",
                          "B")], "reqps"), 6, 8)
    lay.add(timeseries("Webhook queue depth", "Deliveries waiting in the workers' in-memory queues.",
                       [q("sum(streamproc_webhook_queue_depth)", "queued")]), 6, 8)
    lay.add(timeseries("Webhook retries and dead letters",
                       "Deliveries handed to a retry topic per second, by why (failed attempt, deferred, requeued), "
                       "and deliveries dead-lettered, by reason (send them again with `streamproc webhooks replay`).",
                       [q(f"sum by (why) (rate(streamproc_webhook_retries_scheduled_total[{RI}]))", "retry {{why}}",
                          "A"),
                        q(f"sum by (reason) (rate(streamproc_webhook_dead_letters_total[{RI}]))",
                          "dead letter {{reason}}", "B")], "reqps"), 24, 6)

    lay.row("Workers")
    lay.add(timeseries("Worker count", "Worker replicas up, and how many Prometheus discovered.",
                       [q(f"sum(up{{{JOB}}})", "up", "A"), q(f"count(up{{{JOB}}})", "discovered", "B")],
                       defaults={"decimals": 0}), 8, 8)
    lay.add(timeseries("Rebalances", "Consumer group rebalances completed per worker in each interval, and "
                       "rebalances in progress.",
                       [q(f"sum by (instance) (increase(faust_rebalance_done_latency_count[{RI}]))",
                          "completed {{instance}}", "A"),
                        q("sum(faust_total_rebalances)", "in progress", "B")], bars=True), 8, 8)
    lay.add(timeseries("Worker versions", "Running workers by streamproc version.",
                       [q("count by (version) (streamproc_build_info)", "{{version}}")],
                       defaults={"decimals": 0}), 8, 8)

    for i, p in enumerate(lay.panels, start=1):
        p["id"] = i
    return {
        "uid": "streamproc-overview",
        "title": "streamproc",
        "description": "Articles in, alerts out, consumer lag, latency, alerts by category/severity/country, "
                       "dead letters, webhooks and workers.",
        "tags": ["streamproc", "kafka", "faust"],
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,
        "refresh": "10s",
        "time": {"from": "now-30m", "to": "now"},
        "schemaVersion": 39,
        "version": 1,
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": []},
        "panels": lay.panels,
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        sys.exit(0 if OUT.read_text("utf-8") == render() else 1)
    OUT.write_text(render(), "utf-8")
    print(f"wrote {OUT}")
