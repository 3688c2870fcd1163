"""`streamproc worker` with no broker configured starts Tansu itself, says so, and stops it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from streamproc.broker.embedded import EmbeddedBroker, free_port
from tests.processes import gone_within

pytestmark = pytest.mark.integration


def test_embedded_broker_start_and_stop():
    b = EmbeddedBroker().start()
    with socket.create_connection(("127.0.0.1", b.port), timeout=2):
        pass
    b.stop(grace=3)
    assert b.process is not None and b.process.poll() is not None


def test_worker_without_broker_runs_its_own_and_cleans_up(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMPROC_")}
    env.update(STREAMPROC_WEB_PORT=str(port), STREAMPROC_WEB_BIND="127.0.0.1",
               STREAMPROC_DATA_DIR=str(tmp_path / "data"), STREAMPROC_SESSION_TIMEOUT="6",
               STREAMPROC_REBALANCE_TIMEOUT="6", STREAMPROC_HEARTBEAT_INTERVAL="1",
               STREAMPROC_TOPIC_PARTITIONS="2")
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamproc", "worker"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            ready = False
            while time.monotonic() < deadline and not ready:
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200
                except httpx.HTTPError:
                    time.sleep(0.3)
            assert ready, log.read_text()[-2000:]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    text = log.read_text()
    lines = [line for line in text.splitlines() if "embedded Kafka broker" in line]
    assert len(lines) == 1 and "memory only" in lines[0]
    broker_port = int(re.search(r"127\.0\.0\.1:(\d+)", lines[0]).group(1))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", broker_port), timeout=1).close()


def test_the_broker_of_a_sigkilled_process_goes_with_it():
    """A SIGKILLed worker (or demo, or test run) cannot stop its broker: the kernel does (Linux)."""
    if sys.platform != "linux":
        pytest.skip("PR_SET_PDEATHSIG is Linux-only")
    owner = subprocess.Popen(
        [sys.executable, "-c", ("import time; from streamproc.broker.embedded import EmbeddedBroker; "
                                "b = EmbeddedBroker().start(); print(b.process.pid, flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        broker_pid = int(owner.stdout.readline())  # type: ignore[union-attr]
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(10)
        assert gone_within(broker_pid, 10), "the broker outlived the process that started it"
    finally:
        owner.kill()

