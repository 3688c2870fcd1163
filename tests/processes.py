"""Watching processes from tests: is a pid still running, and waiting for one to go."""

from __future__ import annotations

import time


def alive(pid: int) -> bool:
    """Running (a zombie awaiting its parent's wait() counts as gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except FileNotFoundError:
        return False


def gone_within(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)
