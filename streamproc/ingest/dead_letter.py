"""The dead-letter message: the original bytes, the reason in headers and an envelope.

The value is the original payload byte for byte, so a fixed message can be replayed as it is. The
``streamproc-dlq-reason`` header carries the bounded reason code (easy to filter on), and the
``streamproc-dlq`` header a small JSON envelope with the detail and where the message came from.

A dead letter must fit in a record like anything else the worker writes: a send the broker refuses is
retried for ever, so an oversized dead letter would stall the worker on one article, and again after
every restart. A payload (or key) that would not fit is cut to fit, and the
``streamproc-dlq-truncated`` header gives the original sizes; the whole message stays on its input
topic at the envelope's partition and offset, for as long as that topic retains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from streamproc.ingest.decode import Reason

REASON_HEADER = "streamproc-dlq-reason"
ENVELOPE_HEADER = "streamproc-dlq"
TRUNCATED_HEADER = "streamproc-dlq-truncated"
MAX_ERROR_CHARS = 500
#: Longest key kept, on the record and in the envelope: keys are meant to be ids.
MAX_KEY_BYTES = 1024
#: Room kept in a record for Kafka's framing (batch header, record and header lengths): ~100 bytes.
FRAMING_BYTES = 512


@dataclass(frozen=True, slots=True)
class DeadLetter:
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]


def dead_letter_headers(reason: Reason, error: str, topic: str, partition: int, offset: int,
                        key: bytes | None) -> dict[str, bytes]:
    envelope = {
        "reason": reason.value,
        "error": error[:MAX_ERROR_CHARS],
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key": key[:MAX_KEY_BYTES].decode("utf-8", "replace") if key is not None else None,
        "failed_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    return {REASON_HEADER: reason.value.encode(), ENVELOPE_HEADER: orjson.dumps(envelope)}


def dead_letter(value: bytes, reason: Reason, error: str, topic: str, partition: int, offset: int,
                key: bytes | None, max_record_bytes: int) -> DeadLetter:
    """The dead-letter record of one message, key, value and headers together at most
    ``max_record_bytes`` (``STREAMPROC_MAX_MESSAGE_BYTES``). The value is kept whole unless the record
    would not fit; a key over :data:`MAX_KEY_BYTES` is always cut (keys are meant to be ids), and the
    truncation header then says so."""
    headers = dead_letter_headers(reason, error, topic, partition, offset, key)
    out_key = key[:MAX_KEY_BYTES] if key is not None else None
    room = max_record_bytes - FRAMING_BYTES - len(out_key or b"") - _size(headers) - len(TRUNCATED_HEADER) - 64
    if len(value) > room or out_key != key:
        headers[TRUNCATED_HEADER] = orjson.dumps({"value_bytes": len(value),
                                                  "key_bytes": len(key) if key is not None else None})
        value = value[:max(0, room)]
    return DeadLetter(out_key, value, headers)


def _size(headers: dict[str, bytes]) -> int:
    return sum(len(k) + len(v) for k, v in headers.items())
