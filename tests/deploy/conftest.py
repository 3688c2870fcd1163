"""Fixtures for the deployment checks: the integration suite's real broker, worker and webhook receiver,
plus a real Prometheus process (the Debian ``prometheus`` package; ``.ci/run`` installs it).

The broker/worker/receiver fixtures are the ones in ``tests/integration/conftest.py``, imported here so
they serve this directory too (pytest gives each directory its own session instance of them).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from streamproc.broker.embedded import free_port
from tests.integration.conftest import broker, receiver, wait_until_ready, webhook_secret, worker  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parent.parent.parent
DEPLOY = REPO / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "streamproc.json"
COMPOSE = REPO / "docker-compose.yml"

NO_PROMETHEUS = ("the `prometheus`/`promtool` binaries are not installed (Debian: apt-get install prometheus; "
                 ".ci/run installs them in CI)")


def tool(name: str) -> str:
    """Path of a Prometheus binary, or skip the test saying what is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(NO_PROMETHEUS)
    return path


class Prometheus:
    """A real Prometheus on a free 127.0.0.1 port with a temporary config and TSDB directory."""

    def __init__(self, config: dict[str, Any], workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
        self.log_path = workdir / "prometheus.log"
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [tool("prometheus"), f"--config.file={self.config_path}", f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=workdir)

    def wait_ready(self, timeout: float = 30.0) -> None:
        wait_until_ready(f"{self.url}/-/ready", self.proc, self.log_path, "prometheus", timeout, interval=0.1)

    def api(self, path: str, **params: str) -> Any:
        """GET /api/v1/<path>; returns the JSON body (status and error included, never raises on 400)."""
        return httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=10).json()

    def query(self, expr: str) -> Any:
        return self.api("query", query=expr)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


def local_config(web_port: int, scrape_interval: str = "1s") -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml, pointed at one local worker and scraping every second.

    Only what cannot work outside compose changes: the DNS discovery of ``worker`` becomes a static
    target, the rule file path becomes absolute, the self-scrape job goes.
    """
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text("utf-8"))
    config["global"].update({"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval,
                             "scrape_timeout": scrape_interval})
    config["rule_files"] = [str(PROMETHEUS_DIR / f) for f in config["rule_files"]]
    jobs = [j for j in config["scrape_configs"] if j["job_name"] == "streamproc"]
    assert len(jobs) == 1, "deploy/prometheus/prometheus.yml must have one job named streamproc"
    job = jobs[0]
    job.pop("dns_sd_configs", None)
    job["static_configs"] = [{"targets": [f"127.0.0.1:{web_port}"]}]
    config["scrape_configs"] = [job]
    return config

