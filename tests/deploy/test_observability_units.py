"""Unit tests of the operational pieces: JSON log lines, the country label, the readiness decision."""

from __future__ import annotations

import io
import json
import logging
from contextlib import redirect_stderr
from types import SimpleNamespace

import pytest
from faust.types import TP

from streamproc.observability import logging as logformat
from streamproc.observability import metrics
from streamproc.worker.views import broker_status, readiness


def _logger(stream: io.StringIO) -> logging.Logger:
    logger = logging.getLogger(f"streamproc.test.{id(stream)}")
    logger.handlers[:] = []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logformat.JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


def test_json_formatter_writes_one_object_per_line_with_extras_and_tracebacks() -> None:
    stream = io.StringIO()
    log = _logger(stream)
    log.info("processed %d articles\nsecond line", 3, extra={"partition": 2, "odd": object()})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, "newlines in messages and tracebacks stay inside the JSON string"
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "processed 3 articles\nsecond line" and first["level"] == "info"
    assert first["partition"] == 2 and first["odd"].startswith("<object")
    assert first["ts"].endswith("Z") and first["logger"].startswith("streamproc.test") and first["pid"]
    assert second["level"] == "error" and "RuntimeError: boom" in second["exc"]


def test_logging_config_for_each_format() -> None:
    assert logformat.logging_config("info", "text") is None, "text: Faust's own set-up"
    config = logformat.logging_config("debug", "JSON")
    assert config is not None and config["root"]["level"] == "DEBUG"
    assert config["formatters"]["json"]["()"].endswith("JsonFormatter")
    with pytest.raises(ValueError, match="STREAMPROC_LOG_FORMAT"):
        logformat.logging_config("info", "xml")


def test_signing_secrets_never_reach_a_log_handler() -> None:
    """aiokafka logs every produced record at DEBUG, the subscription changelog's included."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("streamproc.test.redact")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    logformat.redact_secrets(log)
    logformat.redact_secrets(log)  # idempotent
    assert len(handler.filters) == 1
    record = b'{"id":"sub_1","secrets":[{"secret":"a shared string of 20+","expires_at":null}]}'
    log.debug("Sending (key=%r value=%r)", b"sub_1", record)
    log.debug("configured secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw= for %s", "sub_2")
    log.info("delivered %d", 3)
    log.info("a malformed call %d %d", 1)  # noqa: PLE1206 - logging reports it; the filter must not raise
    out = stream.getvalue()
    assert "a shared string" not in out and "MfKQ9r8" not in out
    assert '"secret":"[redacted]"' in out and "whsec_[redacted] for sub_2" in out and "delivered 3" in out


def test_the_worker_attaches_the_redaction_to_the_root_handlers() -> None:
    from streamproc.worker.run import Worker

    root = logging.getLogger("streamproc.test.root")
    root.handlers[:] = [logging.StreamHandler(io.StringIO())]
    worker = Worker.__new__(Worker)  # only the logging hook is exercised
    worker.spinner = None
    worker.on_setup_root_logger(root, logging.INFO)
    assert any(isinstance(f, logformat.RedactSecrets) for f in root.handlers[0].filters)
    config = logformat.logging_config("debug", "json")
    assert config is not None and config["handlers"]["default"]["filters"] == ["redact"]


@pytest.mark.parametrize(("code", "label"), [("AZ", "AZ"), ("SY", "SY"), (None, None), ("", None),
                                              ("az", None), ("AZE", None), ("A1", None), (42, None)])
def test_country_label_is_an_iso_code_or_nothing(code: object, label: str | None) -> None:
    assert metrics.country_label(code) == label


def test_alerts_by_country_counts_only_iso_codes() -> None:
    from prometheus_client import REGISTRY

    def value(country: str) -> float:
        return REGISTRY.get_sample_value("streamproc_alerts_by_country_total", {"country": country}) or 0.0

    before = value("ZW")
    metrics.count_alert_country("ZW")
    metrics.count_alert_country("zw")
    metrics.count_alert_country(None)
    assert value("ZW") == before + 1
    assert REGISTRY.get_sample_value("streamproc_alerts_by_country_total", {"country": "zw"}) is None


class FakeConn:
    def __init__(self, up: bool) -> None:
        self.up = up

    def connected(self) -> bool:
        return self.up


def fake_app(conns: list[bool] | None, coordinator_id: int | None = 1, assigned: int = 2) -> SimpleNamespace:
    tps = {TP("articles", i) for i in range(assigned)}
    consumer = SimpleNamespace(assignment=lambda: tps)
    if conns is not None:
        client = SimpleNamespace(_conns={i: FakeConn(up) for i, up in enumerate(conns)})
        consumer._thread = SimpleNamespace(_consumer=SimpleNamespace(
            _client=client, _coordinator=SimpleNamespace(coordinator_id=coordinator_id)))
    return SimpleNamespace(_consumer=consumer, consumer=consumer)


def test_readiness_needs_a_live_broker_connection_a_coordinator_and_partitions() -> None:
    ok, body = readiness(fake_app([False, True]))
    assert ok and body == {"ready": True, "broker": True, "partitions": 2, "topics": {"articles": 2}}

    assert broker_status(fake_app(None)) == (False, "consumer not started")
    ok, body = readiness(fake_app([False, False]))
    assert not ok and body["broker"] is False and body["reason"] == "no connection to any broker"
    ok, body = readiness(fake_app([True], coordinator_id=None))
    assert not ok and body["reason"] == "group coordinator unknown"
    ok, body = readiness(fake_app([True], assigned=0))
    assert not ok and body["broker"] is True and body["reason"] == "no partitions assigned"


def test_redaction_survives_escaped_quotes_and_faust_text_formatter() -> None:
    """A quote inside a secret (JSON ``\\"``, or ``\\\\"`` in a bytes repr) ended the redaction early and
    leaked the rest; and Faust's text formatter (mode's ExtensionFormatter) raised a logging error on
    every redacted record."""
    from mode.utils.logging import ExtensionFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ExtensionFormatter(fmt="%(message)s"))
    log = logging.getLogger("streamproc.test.redact-text")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    logformat.redact_secrets(log)
    errors = io.StringIO()
    with redirect_stderr(errors):
        log.debug("record %r", b'{"secret":"plain\\"LEAK_ONE_0123456789","id":"sub_1"}')
        log.debug("record %s", '{"secret": "plain\\"LEAK_TWO_0123456789"}')
        log.debug("secret whsec_abc-def_LEAK_THREE in config")
        log.debug("delivered %d", 3)
    out = stream.getvalue()
    assert "LEAK_" not in out, out
    assert '"id":"sub_1"' in out and "delivered 3" in out
    assert "Logging error" not in errors.getvalue(), errors.getvalue()
