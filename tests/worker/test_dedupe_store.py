"""Expiry of the duplicate-suppression memory: what goes, and that a big table does not stall the loop."""

from __future__ import annotations

import asyncio
import time
import uuid

import faust
import orjson

from streamproc.config import Settings
from streamproc.worker.dedupe import DedupeStore


def entry(at: float) -> bytes:
    return orjson.dumps({"alert_id": "alr_1", "first_alert_id": "alr_1", "killed": 3, "injured": None, "at": at})


def store(deleted: list[str]) -> DedupeStore:
    app = faust.App(f"dedupe-{uuid.uuid4().hex[:8]}", broker="kafka://127.0.0.1:1", web_enabled=False)
    d = DedupeStore(app, Settings(dedup_window=100.0, dedup_event_window=50.0))

    class Table:  # the real table's store; deletions recorded instead of written to a changelog
        data = d.table.data

        def __delitem__(self, key: str) -> None:
            deleted.append(key)
            del self.data[key]

    d.table = Table()  # type: ignore[assignment]
    return d


def test_entries_older_than_both_windows_go_and_unreadable_ones_too():
    deleted: list[str] = []
    d = store(deleted)
    now = 10_000.0
    d.table.data.update({"fresh": entry(now - 10), "inside-longest": entry(now - 99), "old": entry(now - 101),
                         "junk": b"{not json", "no-time": orjson.dumps({"alert_id": "a"})})
    assert asyncio.run(d.expire(now)) == 3
    assert sorted(deleted) == ["junk", "no-time", "old"]
    assert sorted(d.table.data) == ["fresh", "inside-longest"]


def test_a_big_table_is_expired_in_slices():
    """~260,000 keys (a day at one alert a second) once stalled the worker for 0.2-0.4 s a minute."""
    deleted: list[str] = []
    d = store(deleted)
    now = 10_000.0
    d.table.data.update({f"k{i}": entry(now - (i % 200)) for i in range(100_000)})

    async def run() -> tuple[int, float]:
        stalls: list[float] = []

        async def probe() -> None:
            while True:
                t = time.perf_counter()
                await asyncio.sleep(0)
                stalls.append(time.perf_counter() - t)

        watcher = asyncio.create_task(probe())
        await asyncio.sleep(0)
        n = await d.expire(now)
        watcher.cancel()
        return n, max(stalls)

    n, longest = asyncio.run(run())
    assert n == 100_000 * 99 // 200 and len(deleted) == n
    assert longest < 0.1, f"the loop was held {longest * 1000:.0f} ms at once"


def test_an_entry_written_afresh_while_expiry_runs_is_kept():
    """Expiry yields between finding stale keys and deleting them; a batch published meanwhile may
    write one of them afresh, and that entry must stay."""
    deleted: list[str] = []
    d = store(deleted)
    now = 10_000.0
    d.table.data.update({f"k{i}": entry(now - 500) for i in range(10_000)})

    async def run() -> int:
        async def rewrite() -> None:
            for _ in range(3):
                await asyncio.sleep(0)
            d.table.data["k9999"] = entry(now)  # the last stale key, written again mid-run

        writer = asyncio.create_task(rewrite())
        n = await d.expire(now)
        await writer
        return n

    assert asyncio.run(run()) == len(deleted) == 9_999
    assert "k9999" not in deleted and "k9999" in d.table.data
