"""All configuration, from ``STREAMPROC_*`` environment variables, in one place.

Each :class:`Setting` below is one row of the configuration table in the README (``streamproc
config`` prints the table with the values in force). Nothing else in the package reads the
environment.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

PREFIX = "STREAMPROC_"
#: Room left in a record for its key, headers and framing: a value the worker writes (an alert, a
#: group of webhook tasks) may take ``STREAMPROC_MAX_MESSAGE_BYTES`` less this (Kafka's default record
#: limit is 1 MB + 12 bytes).
RECORD_HEADROOM = 8 * 1024


def _bool(value: str) -> bool:
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _floats(value: str) -> tuple[float, ...]:
    return tuple(float(v) for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    """Values in force; build with :meth:`from_env`. Field metadata documents each variable."""

    broker: str = ""
    app_id: str = "streamproc"
    web_port: int = 6066
    web_bind: str = "0.0.0.0"
    topic_articles: str = "articles"
    topic_alerts: str = "alerts"
    topic_dlq: str = "articles.dlq"
    topic_partitions: int = 8
    topic_replication: int = 1
    max_message_bytes: int = 1024 * 1024
    data_dir: str = ".streamproc-data"
    session_timeout: float = 30.0
    rebalance_timeout: float = 30.0
    heartbeat_interval: float = 3.0
    shutdown_timeout: float = 30.0
    fetch_max_wait_ms: int = 50
    fetch_min_bytes: int = 32768
    batch_size: int = 200
    batch_max_bytes: int = 2 * 1024 * 1024
    batch_wait_ms: int = 5
    classify_processes: int = 2
    classify_timeout: float = 20.0
    producer_batch_bytes: int = 0
    dedup_window: float = 86400.0
    dedup_event_window: float = 21600.0
    webhooks_file: str = ""
    webhook_urls: str = ""
    webhook_secret: str = ""
    webhook_timeout: float = 15.0
    webhook_retry_delays: tuple[float, ...] = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
    webhook_queue_size: int = 1000
    webhook_concurrency: int = 4
    webhook_allow_loopback: bool = False
    webhook_allow_http: bool = False
    webhook_topic_prefix: str = "webhook"
    webhook_secret_grace: float = 86400.0
    webhook_max_subscriptions: int = 1000
    admin_token: str = ""
    log_level: str = "info"
    log_format: str = "text"
    rules_dir: str = ""
    entities_dir: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        errors: list[str] = []
        for f in fields(cls):
            name = PREFIX + f.name.upper()
            if name not in env:
                continue
            raw = env[name]
            parse: Callable[[str], Any] = _PARSERS.get(f.type if isinstance(f.type, str) else "", str)
            try:
                values[f.name] = parse(raw)
            except ValueError as exc:
                errors.append(f"{name}={raw!r}: {exc}")
        for name in sorted(env):
            if name.startswith(PREFIX) and not name.startswith(_RESERVED) and name not in _NAMES:
                close = difflib.get_close_matches(name, sorted(_NAMES), n=1)
                errors.append(f"{name}: no such setting" + (f" (did you mean {close[0]}?)" if close else "")
                              + "; `streamproc config` lists them")
        for field_name, value in values.items():
            problem = _check(field_name, value)
            if problem:
                errors.append(f"{PREFIX}{field_name.upper()}={env[PREFIX + field_name.upper()]!r}: {problem}")
        if errors:
            raise ValueError("invalid configuration: " + "; ".join(errors))
        settings = cls(**values)
        if settings.broker and not settings.broker.startswith(("kafka://", "aiokafka://")):
            raise ValueError(f"invalid configuration: {PREFIX}BROKER must look like kafka://host:port")
        return settings

    @property
    def uses_embedded_broker(self) -> bool:
        return not self.broker

    def bootstrap_servers(self, broker_url: str | None = None) -> str:
        """``host:port[,host:port]`` for aiokafka clients, from a ``kafka://`` URL."""
        url = broker_url or self.broker
        return ",".join(part.split("://", 1)[-1] for part in url.split(";"))


#: Names under the prefix that are not settings: the test harness's own (``STREAMPROC_TEST_*``).
_RESERVED = PREFIX + "TEST_"
_NAMES = frozenset(PREFIX + f.name.upper() for f in fields(Settings))
#: The smallest value each numeric setting takes: a misread value fails at start-up with its name,
#: instead of as a symptom (a batch wait of 0 spins the event loop; a message limit below the record
#: headroom dead-letters every alert as too large).
_MINIMUMS: dict[str, float] = {
    "web_port": 0, "topic_partitions": 1, "topic_replication": 1, "max_message_bytes": 2 * RECORD_HEADROOM,
    "session_timeout": 0.1, "rebalance_timeout": 0.1, "heartbeat_interval": 0.01, "shutdown_timeout": 0,
    "fetch_max_wait_ms": 0, "fetch_min_bytes": 1, "batch_size": 1, "batch_max_bytes": 1, "batch_wait_ms": 1,
    "classify_processes": 0, "classify_timeout": 1, "producer_batch_bytes": 0, "dedup_window": 0,
    "dedup_event_window": 0, "webhook_timeout": 0.1, "webhook_queue_size": 1, "webhook_concurrency": 1,
    "webhook_secret_grace": 0, "webhook_max_subscriptions": 0,
}
_CHOICES: dict[str, frozenset[str]] = {
    "log_level": frozenset({"debug", "info", "warning", "error", "critical"}),
    "log_format": frozenset({"text", "json"}),
}
#: Settings ``streamproc config`` shows masked.
SECRETS = frozenset({"webhook_secret", "admin_token"})


def _check(name: str, value: Any) -> str | None:
    """What is wrong with a parsed setting's value, or ``None``."""
    if name in _MINIMUMS and value < _MINIMUMS[name]:
        return f"must be at least {_MINIMUMS[name]:g}"
    if name == "web_port" and value > 65535:
        return "must be a port number (0-65535)"
    if name in _CHOICES and value.strip().lower() not in _CHOICES[name]:
        return "must be one of " + ", ".join(sorted(_CHOICES[name]))
    if name == "webhook_retry_delays" and (not value or min(value) < 0):
        return "must list at least one delay, none negative"
    return None


_PARSERS: dict[str, Callable[[str], Any]] = {
    "int": int, "float": float, "str": str, "bool": _bool, "tuple[float, ...]": _floats,
}

#: Documentation of every variable: the README's configuration table is generated from this.
DOCS: dict[str, str] = {
    "broker": "Kafka bootstrap URL, `kafka://host:port` (several: `kafka://h1:9092;kafka://h2:9092`). "
              "Empty: start the embedded Tansu broker (memory only).",
    "app_id": "Faust app id: the consumer group and the prefix of internal topics.",
    "web_port": "Port of the worker's web server (`/metrics`, `/health`).",
    "web_bind": "Address the web server binds to.",
    "topic_articles": "Input topic (raw article JSON).",
    "topic_alerts": "Output topic (alert JSON, keyed by article id).",
    "topic_dlq": "Dead-letter topic (original bytes, reason in headers).",
    "topic_partitions": "Partitions for topics the worker creates.",
    "topic_replication": "Replication factor for topics the worker creates.",
    "max_message_bytes": "Largest article payload accepted; larger ones are dead-lettered (`too_large`). "
                         "Also bounds what the worker writes: an alert over it less 8 KiB (for the record's key "
                         "and headers) dead-letters its article (`alert_too_large`).",
    "data_dir": "Faust's local state directory.",
    "session_timeout": "Consumer group session timeout, seconds.",
    "rebalance_timeout": "Consumer group rebalance timeout, seconds.",
    "heartbeat_interval": "Consumer heartbeat interval, seconds.",
    "shutdown_timeout": "Seconds a stopping worker (SIGTERM/SIGINT) may take to finish and commit before it exits "
                        "anyway (exit code 3): a worker whose broker is unreachable cannot finish. Whatever it "
                        "had not committed is consumed again. 0: wait for ever.",
    "fetch_max_wait_ms": "Longest a fetch waits at the broker for new data. Faust fixes it at 1500 ms; "
                         "brokers that do not answer a waiting fetch when data arrives (Tansu) then add "
                         "that much latency to every article.",
    "fetch_min_bytes": "Bytes a fetch waits for at the broker, up to `STREAMPROC_FETCH_MAX_WAIT_MS`, before it "
                       "answers. Kafka's default of 1 answers with whatever is there, so a steady stream is read "
                       "a record or two per round trip, and that polling cost the worker and the broker ~0.15 "
                       "cores at 500 articles/s. 32 KiB is ~10 articles.",
    "batch_size": "Articles the worker takes at once: classified together, their alerts published "
                  "together, offsets committed only after every one of them is published.",
    "producer_batch_bytes": "Largest record batch the worker's producer builds, bytes; 0: 524288 (512 KiB). 1 sends "
                            "one record per batch: the embedded Tansu broker (0.6) reports a partition's end "
                            "offset as the last batch's first offset + 1, which derails consumers restarting "
                            "after a batch of several records. Set to 1 automatically for the embedded broker.",
    "classify_processes": "Processes classifying batches beside the worker (each loads the rules and gazetteer: "
                          "~3 s, ~350 MB); they keep classification off the worker's event loop and its GIL. "
                          "Classification is the pipeline's bottleneck: on 2 cores two processes took 520-593 "
                          "articles/s where one took 347-447 (the worker's own loop uses ~0.4 cores); with more "
                          "cores, more. "
                          "Batches taken while the processes load run in a thread of the worker, so the first "
                          "alerts do not wait (the worker then holds its own copy in use too: ~500 MB instead of "
                          "~290 MB). 0: a thread of the worker only (less memory, roughly half the throughput).",
    "classify_timeout": "Seconds a classification process may spend on a batch, per MiB of articles in it (at "
                        "least this many); one still on it then is killed and replaced, as one that died, and an "
                        "article that kills or hangs the process twice on its own is dead-lettered "
                        "(`classifier_died`). Classifying takes ~1.2 s per MiB on one core.",
    "dedup_window": "Seconds within which an article with the same id or the same text (outside page chrome) as "
                    "one already alerted on raises no new alert, unless it counts more killed or injured (then "
                    "an update, with `update_of`). 0: no duplicate suppression.",
    "dedup_event_window": "Seconds within which a report naming the same specific place (not just a country) "
                          "with the same escalation categories counts as the same event. 0: match by id and "
                          "text only.",
    "batch_max_bytes": "Most bytes of articles in a batch: one leaves when it holds `STREAMPROC_BATCH_SIZE` articles "
                       "or this many bytes. Three batches are in flight at most, and classification takes up "
                       "to ~1.8 s per MiB: 2 MiB keeps the work a rebalance waits for well inside "
                       "`STREAMPROC_REBALANCE_TIMEOUT` (200 articles of 1 MiB would take minutes, and the worker "
                       "would be dropped from its group).",
    "batch_wait_ms": "How long the worker waits to fill a batch before processing what it has.",
    "webhooks_file": "Bootstrap subscriptions: YAML or JSON file listing webhook subscribers (`url`, optional "
                     "`secret`, `id`, `description`, `filters`); merged with those created through the API.",
    "webhook_urls": "Bootstrap subscriptions: comma-separated subscriber URLs (in addition to the file).",
    "webhook_secret": "Signing secret (`whsec_...` or any string) for `STREAMPROC_WEBHOOK_URLS` subscribers, "
                      "and for entries of `STREAMPROC_WEBHOOKS_FILE` without a `secret` of their own.",
    "webhook_timeout": "Per-request timeout for webhook deliveries, seconds.",
    "webhook_retry_delays": "Comma-separated seconds to wait before each retry (attempts = 1 + count); the "
                            "default is the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). "
                            "Each distinct delay is one retry topic.",
    "webhook_queue_size": "Deliveries held in memory per subscriber waiting for a free connection; beyond it "
                          "(or after waiting one timeout) they are handed to the first retry topic, never dropped.",
    "webhook_concurrency": "Simultaneous HTTP requests per subscriber.",
    "webhook_allow_loopback": "Allow subscriber URLs that resolve to loopback addresses (tests, local "
                              "receivers). Private, link-local and metadata addresses are always refused.",
    "webhook_allow_http": "Allow plain `http://` subscriber URLs (otherwise `https://` only).",
    "webhook_topic_prefix": "Prefix of the webhook topics: `<prefix>.deliveries`, `<prefix>.retry.<n>`, "
                            "`<prefix>.dlq`.",
    "webhook_secret_grace": "Seconds a rotated-out subscription secret keeps signing deliveries beside the new one.",
    "webhook_max_subscriptions": "Most subscriptions the API creates (bootstrap ones not counted): every alert is "
                                 "matched against each, and each match writes a copy of the alert to Kafka, so a "
                                 "runaway script must not create them without end. Beyond it a POST answers 409.",
    "admin_token": "Bearer token for the subscriptions API (`/subscriptions`); empty: every call answers 401.",
    "log_level": "Log level: debug, info, warning, error.",
    "log_format": "Log line format: `text` (human-readable) or `json` (one JSON object per line).",
    "rules_dir": "Directory of rule files to use instead of the bundled ones.",
    "entities_dir": "Directory of entity files to use instead of the bundled ones.",
}


def describe(settings: Settings | None = None) -> list[tuple[str, str, str]]:
    """Rows ``(variable, default, description)`` for the README table and ``streamproc config``."""
    defaults = Settings()
    rows = []
    for f in fields(Settings):
        default = getattr(defaults, f.name)
        if isinstance(default, tuple):
            default = ",".join(f"{v:g}" for v in default)
        rows.append((PREFIX + f.name.upper(), str(default), DOCS[f.name]))
    return rows


def markdown_table() -> str:
    """The README's configuration table, exactly: ``streamproc config --markdown`` prints it and a test
    compares it with the README, so the two cannot drift apart."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, default, doc in describe():
        lines.append(f"| `{name}` | {f'`{default}`' if default else '(empty)'} | {doc} |")
    return "\n".join(lines)
