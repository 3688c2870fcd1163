"""Where duplicate suppression keeps its memory: a Faust global table (glue around
:mod:`streamproc.alerts.dedupe`).

Global, so every worker of the group sees what any of them published (a wire story's copies land on
different partitions, keyed by their own article ids); changelog-backed, so a restarted worker
remembers. Entries are written only after the alert is acknowledged by Kafka: a crash in between
means the article is redelivered and published again (same ``alert_id``), never lost. Two copies
in one batch are decided in order against a batch-local overlay. Expired entries are deleted by a
timer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust
import orjson

from streamproc.alerts.dedupe import Seen, decide, remember, update_of
from streamproc.config import Settings
from streamproc.observability import metrics
from streamproc.pipeline import Outcome
from streamproc.worker.subscriptions import TrackedGlobalTable

log = logging.getLogger(__name__)
TABLE_NAME = "alert_dedupe"
CLEANUP_EVERY = 60.0
#: Entries visited between two yields to the event loop while expiring.
CHUNK = 2000


class DedupeStore:
    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.window = settings.dedup_window
        self.event_window = settings.dedup_event_window
        self.table = app.tables.add(TrackedGlobalTable(
            app, name=TABLE_NAME, default=None, beacon=app.tables.beacon, partitions=1, is_global=True,
            use_partitioner=True, synchronize_all_active_partitions=False, key_type=str, value_type=bytes,
            help="alerts published, by article id, text and event"))

        # Every minute, or more often when the windows are shorter than two minutes.
        every = min(CLEANUP_EVERY, max(1.0, max(self.window, self.event_window) / 2))

        @app.timer(every)
        async def expire_dedupe_entries() -> None:
            await self.expire(time.time())

    def lookup(self, key: str) -> Seen | None:
        raw = self.table.get(key)
        if raw is None:
            return None
        try:
            return Seen.from_dict(orjson.loads(raw))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            log.warning("unreadable dedupe entry %s: %s", key, exc)
            return None

    def screen(self, outcomes: list[Outcome], now: float) -> list[tuple[Outcome, Seen]]:
        """Decide each alert of a batch in order; duplicates become ``duplicate`` outcomes, updates
        get ``update_of``. Returns the alerts to publish with what to remember of each (to :meth:`commit`)."""
        overlay: dict[str, Seen] = {}

        def lookup(key: str) -> Seen | None:
            return overlay.get(key) or self.lookup(key)

        to_publish: list[tuple[Outcome, Seen]] = []
        for i, outcome in enumerate(outcomes):
            alert = outcome.alert
            if outcome.kind != "alert" or alert is None or not outcome.dedupe_keys:
                continue
            decision = decide(alert, outcome.dedupe_keys, lookup, now, self.window, self.event_window)
            metrics.DEDUPE_DECISIONS.labels(decision.verdict, decision.reason).inc()
            if decision.verdict == "duplicate":
                outcomes[i] = Outcome("duplicate", article=outcome.article, language=outcome.language,
                                      classification=outcome.classification, timings=outcome.timings)
                continue
            first = update_of(decision)
            if first is not None:
                alert["update_of"] = first
            seen = remember(alert, decision, now)
            for key in outcome.dedupe_keys:
                overlay[key] = seen
            to_publish.append((outcome, seen))
        return to_publish

    def commit(self, published: list[tuple[Outcome, Seen]]) -> None:
        """Remember alerts Kafka has acknowledged."""
        for outcome, seen in published:
            value = orjson.dumps(seen.to_dict())
            for key in outcome.dedupe_keys:
                self.table[key] = value

    async def expire(self, now: float) -> int:
        """Delete the entries older than both windows; how many went.

        Runs on the event loop every minute, over a table holding ~3 keys per alert of the last day
        (~260,000 at one alert a second). Decoding them all takes ~0.2 s, and done in one go that
        stalled the worker (fetching, heartbeats, webhook lanes) once a minute; the loop now yields
        every :data:`CHUNK` entries, ~1.5 ms each.
        """
        longest = max(self.window, self.event_window)
        data = self.table.data
        stale = []
        # A list of the keys (strings, which the garbage collector does not track), not of (key, value)
        # tuples: 260,000 new tuples set off a full collection, ~40 ms, in one slice.
        for n, key in enumerate(list(data.keys()), 1):
            raw = data.get(key)
            if raw is not None and now - _entry_time(raw) > longest:
                stale.append(key)
            if n % CHUNK == 0:
                await asyncio.sleep(0)
        deleted = 0
        for n, key in enumerate(stale, 1):
            # Looked at again: a batch published during a yield above may have written it afresh.
            raw = data.get(key)
            if raw is not None and now - _entry_time(raw) > longest:
                del self.table[key]  # writes a tombstone to the changelog: ~20x the cost of a check
                deleted += 1
            if n % (CHUNK // 20) == 0:
                await asyncio.sleep(0)
        return deleted


def _entry_time(raw: bytes) -> float:
    try:
        return float(orjson.loads(raw)["at"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return 0.0  # unreadable: expire it


def install_dedupe(app: faust.App, settings: Settings) -> DedupeStore | None:
    if settings.dedup_window <= 0:
        return None
    return DedupeStore(app, settings)


__all__: list[Any] = ["DedupeStore", "install_dedupe"]
