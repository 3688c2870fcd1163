"""deploy/prometheus passes Prometheus's own checks: config and rule syntax, and the rule unit tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.deploy.conftest import NO_PROMETHEUS, PROMETHEUS_DIR, tool

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason=NO_PROMETHEUS)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("promtool"), *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("args", [("check", "config", "prometheus.yml"), ("check", "rules", "alerts.yml"),
                                  ("test", "rules", "alerts_test.yml")], ids=" ".join)
def test_promtool(args: tuple[str, ...]) -> None:
    result = promtool(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_every_alert_has_a_unit_test_that_fires_it() -> None:
    import yaml

    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text("utf-8"))
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert alerts >= {"StreamprocWorkerDown", "StreamprocConsumerLagGrowing", "StreamprocDeadLetterRateHigh",
                      "StreamprocWebhookFailureRatioHigh", "StreamprocProcessingLatencyHigh", "StreamprocAlertsLate",
                      "StreamprocWorkerStuck", "StreamprocBatchPublishFailing", "StreamprocWebhookAttemptsFailing",
                      "StreamprocWebhookDeadLetters", "StreamprocClassifierRestarted", "StreamprocWorkerRestarting"}
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text("utf-8"))
    fired = {c["alertname"] for t in tests["tests"] for c in t["alert_rule_test"] if c["exp_alerts"]}
    silent = {c["alertname"] for t in tests["tests"] for c in t["alert_rule_test"] if not c["exp_alerts"]}
    assert fired == alerts, f"alerts never shown firing: {alerts - fired}"
    assert silent == alerts, f"alerts never shown staying silent: {alerts - silent}"
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
            assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]
