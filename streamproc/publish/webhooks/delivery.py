"""Delivery tasks, the retry schedule and the request a subscriber receives (pure).

A :class:`DeliveryTask` is one (alert, subscription) pair travelling through the webhook topics as
JSON: ``<prefix>.deliveries`` (first attempt), ``<prefix>.retry.<n>`` (one topic per distinct delay),
``<prefix>.dlq`` (after the last attempt). It carries everything needed to deliver it again except
the subscription's URL and secrets, which are looked up at each attempt (so a PATCH or a deletion
takes effect on pending retries, and no secret is ever written to these topics).

A record holds one task (``{"v": 1, ...}``) or, on ``<prefix>.deliveries``, a *group*: the tasks of
one subscription from one batch of articles (``{"v": 2, "tasks": [<v1 task>, ...]}``). Grouping is
why fan-out is cheap: each record costs a produce, a consume, an ack and the broker's per-record
work, which had made a delivery cost ~0.8 ms of the worker's CPU against ~0.15 ms for the HTTP
request itself. Retries and dead letters always travel one task per record, so each alert keeps
its own attempts.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

import orjson

from streamproc.publish.webhooks.signing import delivery_id, sign

EVENT_TYPE = "alert.created"
UPDATE_EVENT_TYPE = "alert.updated"  # the alert carries update_of: a worse report of an event already sent
TASK_VERSION = 1
GROUP_VERSION = 2
_GROUP_HEAD = b'{"v":2,"tasks":['
_GROUP_TAIL = b"]}"


@dataclass(frozen=True)
class DeliveryTask:
    subscription_id: str
    webhook_id: str
    alert: dict[str, Any]
    attempt: int = 0            # HTTP attempts made so far
    created_at: float = 0.0     # when the alert was fanned out (epoch seconds)
    due_at: float = 0.0         # not to be attempted before (epoch seconds)
    deferrals: int = 0          # times handed on without an attempt (subscriber busy)
    last_result: str | None = None
    history: list[str] = field(default_factory=list)  # short "attempt n: result" lines, capped

    @classmethod
    def for_alert(cls, alert: dict[str, Any], subscription_id: str, now: float | None = None) -> DeliveryTask:
        now = time.time() if now is None else now
        return cls(subscription_id=subscription_id, webhook_id=delivery_id(alert["alert_id"], subscription_id),
                   alert=alert, created_at=now, due_at=now)

    def encode(self) -> bytes:
        # A shallow dict: orjson serialises the alert as it is. dataclasses.asdict deep-copied it
        # first, which cost as much per alert as publishing it.
        doc: dict[str, Any] = {"v": TASK_VERSION}
        for name in _TASK_FIELDS:
            doc[name] = getattr(self, name)
        return orjson.dumps(doc)

    @classmethod
    def decode(cls, raw: bytes | None) -> DeliveryTask:
        """Parse a one-task record; raises ``ValueError`` on anything that is not one."""
        return cls.from_doc(_json(raw))

    @classmethod
    def from_doc(cls, doc: Any) -> DeliveryTask:
        """A task from its parsed JSON; raises ``ValueError`` on anything that is not one."""
        if not isinstance(doc, dict) or doc.get("v") != TASK_VERSION:
            raise ValueError("not a delivery task")
        try:
            task = cls(subscription_id=str(doc["subscription_id"]), webhook_id=str(doc["webhook_id"]),
                       alert=doc["alert"], attempt=int(doc.get("attempt", 0)),
                       created_at=float(doc.get("created_at", 0.0)), due_at=float(doc.get("due_at", 0.0)),
                       deferrals=int(doc.get("deferrals", 0)), last_result=doc.get("last_result"),
                       history=list(doc.get("history") or []))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"bad delivery task: {exc!r}") from None
        if not isinstance(task.alert, dict) or "alert_id" not in task.alert:
            raise ValueError("delivery task without an alert")
        return task

    def after_attempt(self, result: str, due_at: float) -> DeliveryTask:
        line = f"attempt {self.attempt + 1}: {result}"
        return replace(self, attempt=self.attempt + 1, due_at=due_at, last_result=result,
                       history=(self.history + [line])[-20:])

    def deferred(self, due_at: float) -> DeliveryTask:
        return replace(self, deferrals=self.deferrals + 1, due_at=due_at, last_result="deferred")

    def replayed(self, now: float | None = None) -> DeliveryTask:
        """A fresh task for ``streamproc webhooks replay``: same webhook-id, attempts start again, and
        so does its clock: a task replayed days after its fan-out (the usual case, after an outage)
        would otherwise be :meth:`RetrySchedule.expired` the first time its busy subscriber deferred it."""
        now = time.time() if now is None else now
        return replace(self, attempt=0, deferrals=0, created_at=now, due_at=now, last_result="replayed",
                       history=(self.history + ["replayed"])[-20:])


_TASK_FIELDS = tuple(f.name for f in fields(DeliveryTask))


def _json(raw: bytes | None) -> Any:
    try:
        return orjson.loads(raw or b"")
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None


def encode_records(tasks: list[DeliveryTask], max_bytes: int) -> list[bytes]:
    """Records for ``tasks`` (one subscription's, as the record key is its id), in order: as few
    groups as keep each record within ``max_bytes``; a lone task is written as a one-task record,
    the format every version reads. A task larger than ``max_bytes`` on its own still gets its own
    record (the alert in it was already checked against the record limit, with room for this)."""
    records: list[bytes] = []
    chunk: list[bytes] = []
    size = len(_GROUP_HEAD) + len(_GROUP_TAIL)

    def close() -> None:
        records.append(chunk[0] if len(chunk) == 1 else _GROUP_HEAD + b",".join(chunk) + _GROUP_TAIL)

    for task in tasks:
        encoded = task.encode()
        if chunk and size + len(encoded) + 1 > max_bytes:
            close()
            chunk, size = [], len(_GROUP_HEAD) + len(_GROUP_TAIL)
        chunk.append(encoded)
        size += len(encoded) + 1
    if chunk:
        close()
    return records


def decode_record(raw: bytes | None) -> tuple[list[DeliveryTask], list[str]]:
    """The tasks of a record (one, or a group), and why each part of a group that is not a task was
    refused (the others are still delivered). Raises ``ValueError`` when the record as a whole is
    neither a task nor a group."""
    doc = _json(raw)
    if not isinstance(doc, dict) or doc.get("v") != GROUP_VERSION:
        return [DeliveryTask.from_doc(doc)], []
    parts = doc.get("tasks")
    if not isinstance(parts, list):
        raise ValueError("a task group without a list of tasks")  # noqa: TRY004 - bad input, not a bug
    tasks: list[DeliveryTask] = []
    refused: list[str] = []
    for i, part in enumerate(parts):
        try:
            tasks.append(DeliveryTask.from_doc(part))
        except ValueError as exc:
            refused.append(f"task {i} of {len(parts)}: {exc}")
    return tasks, refused


class RetrySchedule:
    """``delays[i]`` is the wait before attempt ``i + 2``; each distinct delay is one retry tier (topic).

    Jitter only ever lengthens a wait (``x1`` to ``x1.25``), so a ``Retry-After`` is honoured and the
    due times within one tier stay nearly in order (each tier's agent waits for the head of its queue).
    A ``Retry-After`` longer than the current delay moves the task to the first tier at least as long;
    it is honoured up to the longest delay.
    """

    def __init__(self, delays: tuple[float, ...] | list[float], jitter: float = 0.25,
                 rng: random.Random | None = None) -> None:
        if any(d < 0 for d in delays):
            raise ValueError("retry delays must be >= 0")
        self.delays = tuple(float(d) for d in delays)
        self.tiers = tuple(sorted(set(self.delays)))
        self.jitter = jitter
        self.rng = rng or random.Random()

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.delays)

    @property
    def total(self) -> float:
        return sum(self.delays)

    def tier_for(self, wait: float) -> int:
        for i, d in enumerate(self.tiers):
            if d >= wait:
                return i
        return len(self.tiers) - 1

    def next_retry(self, attempts_made: int, now: float, retry_after: float | None = None
                   ) -> tuple[int, float] | None:
        """``(tier, due_at)`` for the next attempt, or ``None`` when the attempts are used up."""
        if attempts_made >= self.max_attempts or not self.delays:
            return None
        wait = self.delays[attempts_made - 1] if attempts_made >= 1 else self.delays[0]
        tier = self.tier_for(wait)
        if retry_after is not None and retry_after > wait:
            tier = self.tier_for(retry_after)
            wait = self.tiers[tier]
        return tier, now + wait * (1.0 + self.rng.uniform(0.0, self.jitter))

    def defer(self, now: float) -> tuple[int, float]:
        """Where a task goes when its subscriber is busy (no attempt made): the shortest tier."""
        return 0, now + self.tiers[0] * (1.0 + self.rng.uniform(0.0, self.jitter))

    def expired(self, task: DeliveryTask, now: float) -> bool:
        """A task handed on without attempts for far longer than the whole schedule is given up."""
        return now - task.created_at > 2 * self.total + 60 * self.max_attempts


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); ``None`` if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def classify(status: int | None) -> str:
    """Result label of one attempt: ``2xx``, ``3xx``, ``4xx``, ``5xx`` or ``error`` (no response)."""
    return "error" if status is None else f"{status // 100}xx"


def build_request(task: DeliveryTask, secrets: list[str], now: int | None = None) -> tuple[bytes, dict[str, str]]:
    """Body and headers of one attempt: a fresh timestamp, one ``v1,`` signature per valid secret."""
    timestamp = int(time.time()) if now is None else now
    event_type = UPDATE_EVENT_TYPE if task.alert.get("update_of") else EVENT_TYPE
    body = orjson.dumps({"type": event_type, "timestamp": task.alert.get("detected_at"), "data": task.alert})
    headers = {
        "content-type": "application/json",
        "user-agent": "streamproc-webhooks",
        "webhook-id": task.webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, task.webhook_id, timestamp, body) for s in secrets),
    }
    return body, headers
