"""SIGTERM stops a worker even when its broker is gone (it used to hang until SIGKILL)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from streamproc.broker.embedded import EmbeddedBroker
from tests.integration.conftest import WorkerProcess, worker_env

pytestmark = pytest.mark.integration


def test_sigterm_with_the_broker_gone_exits_within_the_shutdown_timeout(tmp_path: Path):
    with EmbeddedBroker(log_file=tmp_path / "tansu.log") as broker:
        env = worker_env(broker, tmp_path / "data", STREAMPROC_APP_ID="shutdown-it",
                         STREAMPROC_TOPIC_ARTICLES="shutdown-it.articles", STREAMPROC_SHUTDOWN_TIMEOUT="4")
        worker = WorkerProcess(broker, env, tmp_path / "worker.log")
        try:
            worker.wait_ready()
            broker.stop()  # the broker goes away for good
            time.sleep(2)
            started = time.monotonic()
            worker.proc.terminate()
            try:
                code = worker.proc.wait(30)
            except subprocess.TimeoutExpired:
                pytest.fail("the worker still runs 30 s after SIGTERM")
            took = time.monotonic() - started
            log = (tmp_path / "worker.log").read_text(errors="replace")
            print(f"exit code {code} after {took:.1f} s")
            assert took < 4 + 8, "stopped by the shutdown timeout, not much later"
            assert code == 3 and "shutdown did not finish within 4 s" in log
        finally:
            if worker.proc.poll() is None:
                worker.proc.kill()
