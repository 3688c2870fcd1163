"""docker-compose.yml and deploy/Dockerfile, checked without a Docker engine.

The compose file is validated against the Compose Specification schema (vendored by check-jsonschema),
every ``STREAMPROC_*`` variable it sets must be one the app reads, and the files it mounts must exist
and agree with the Prometheus and Grafana provisioning they feed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from streamproc.config import PREFIX, Settings
from tests.deploy.conftest import COMPOSE, DEPLOY, REPO


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text("utf-8"))


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Bind mounts: container path -> host path (relative to the compose file)."""
    out = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            out[target] = source
    return out


def test_compose_file_matches_the_compose_specification_schema() -> None:
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                             str(COMPOSE)], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_would_catch_a_broken_service(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["worker"]["depends_on"] = {"kafka": {"condition": "when_it_feels_like_it"}}
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken), "utf-8")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                             str(path)], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0


def test_every_streamproc_variable_set_is_one_the_app_reads() -> None:
    known = {PREFIX + f.name.upper() for f in fields(Settings)}
    seen = {}
    for name, service in compose()["services"].items():
        for key, value in env_of(service).items():
            if key.startswith(PREFIX):
                assert key in known, f"service {name} sets {key}, which streamproc does not read"
                seen[key] = value
    assert {"STREAMPROC_BROKER", "STREAMPROC_WEB_PORT", "STREAMPROC_LOG_FORMAT"} <= set(seen)
    # And the values parse: the worker would refuse to start otherwise.
    worker_env = env_of(compose()["services"]["worker"])
    settings = Settings.from_env({k: v for k, v in worker_env.items() if k.startswith(PREFIX)})
    assert settings.log_format == "json" and settings.broker == "kafka://kafka:9092"


def test_services_of_the_stack() -> None:
    services = compose()["services"]
    assert {"kafka", "kafka-init", "worker", "prometheus", "grafana", "webhook-receiver", "producer"} <= set(services)

    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:"), "the official Apache Kafka image"
    kenv = env_of(kafka)
    assert set(kenv["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, "KRaft, no ZooKeeper"
    assert not any("ZOOKEEPER" in k for k in kenv)
    # Its log directory is a named volume: topics, offsets and webhook retries survive `down`.
    named = {v.split(":")[1]: v.split(":")[0] for v in kafka["volumes"] if not v.startswith((".", "/"))}
    assert named.get(kenv["KAFKA_LOG_DIRS"]) in compose()["volumes"]

    init = services["kafka-init"]
    script = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    for topic in ("articles", "alerts", "articles.dlq"):
        assert topic in script
    assert "--create --if-not-exists" in script

    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker, "--scale worker=N needs both absent"
    assert worker["build"]["dockerfile"] == "deploy/Dockerfile"
    assert worker["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
    wenv = env_of(worker)
    hook = wenv["STREAMPROC_WEBHOOK_URLS"]
    assert hook.startswith("http://webhook-receiver:8080/")
    assert wenv["STREAMPROC_WEBHOOK_SECRET"] == env_of(services["webhook-receiver"])["STREAMPROC_WEBHOOK_SECRET"]
    assert wenv["STREAMPROC_BROKER"] == "kafka://kafka:9092"

    assert services["producer"]["profiles"] == ["demo"]
    assert all("profiles" not in s for n, s in services.items() if n != "producer"), "only the producer is demo"


def test_mounted_files_exist_and_agree_with_the_provisioning() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for source in mounts(service).values():
            assert (REPO / source).exists(), f"{name} mounts missing {source}"

    prometheus = services["prometheus"]
    pmounts = mounts(prometheus)
    assert pmounts["/etc/prometheus"] == "./deploy/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text("utf-8"))
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "streamproc")
    sd = job["dns_sd_configs"][0]
    assert sd["names"] == ["worker"] and sd["port"] == Settings().web_port == int(
        env_of(services["worker"])["STREAMPROC_WEB_PORT"])
    for rule_file in config["rule_files"]:
        assert (DEPLOY / "prometheus" / rule_file).is_file()

    grafana = services["grafana"]
    gmounts = mounts(grafana)
    assert gmounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"
    provider = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "dashboards" / "streamproc.yml")
                              .read_text("utf-8"))["providers"][0]
    dash_dir = provider["options"]["path"]
    assert gmounts[dash_dir] == "./deploy/grafana/dashboards"
    home = env_of(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(dash_dir + "/") and (DEPLOY / "grafana" / "dashboards" / Path(home).name).is_file()
    datasource = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml")
                                .read_text("utf-8"))["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090"
    assert "127.0.0.1:9090:9090" in prometheus["ports"] and "127.0.0.1:3000:3000" in grafana["ports"]
    assert "--web.enable-lifecycle" not in prometheus["command"], "anyone on the port could stop Prometheus"
    published = [p for svc in compose()["services"].values() for p in svc.get("ports", [])]
    assert published and all(str(p).startswith("127.0.0.1:") for p in published), published

    producer = services["producer"]
    script = " ".join(producer["command"])
    for path in re.findall(r"streamproc produce (\S+)", script):
        directory, _, filename = path.rpartition("/")
        host = mounts(producer)[directory]
        assert (REPO / host / filename).is_file(), path


def test_dockerfile_is_multi_stage_non_root_with_a_healthcheck() -> None:
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    froms = [ln for ln in lines if ln.startswith("FROM ")]
    assert len(froms) >= 2 and " AS " in froms[0], "multi-stage"
    final = lines[lines.index(froms[-1]):]
    users = [ln.split()[1] for ln in final if ln.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}, "the runtime stage runs as a non-root user"
    assert any(ln.startswith("COPY --from=") for ln in final), "the runtime stage copies the build, not sources"
    health = " ".join(ln for ln in final if "HEALTHCHECK" in ln or "/health" in ln)
    assert "/health" in health and "STREAMPROC_WEB_PORT" in health
    assert f"EXPOSE {Settings().web_port}" in final
    # Everything the build copies from the context exists (and passes the .dockerignore filter).
    for ln in lines:
        if ln.startswith("COPY ") and "--from=" not in ln:
            for src in ln.split()[1:-1]:
                assert (REPO / src).exists(), src
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text("utf-8")
    assert "!streamproc/**" in ignore and "!pyproject.toml" in ignore


@pytest.mark.parametrize("script", ["deploy/webhook-receiver/receiver.py", "deploy/grafana/build_dashboard.py"])
def test_deploy_scripts_compile(script: str) -> None:
    compile((REPO / script).read_text("utf-8"), script, "exec")
