"""The dead-letter message: the original bytes untouched, the reason in headers and an envelope.

The value is the original payload byte for byte, so a fixed message can be replayed as it is. The
``streamproc-dlq-reason`` header carries the bounded reason code (easy to filter on), and the
``streamproc-dlq`` header a small JSON envelope with the detail and where the message came from.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from streamproc.ingest.decode import Reason

REASON_HEADER = "streamproc-dlq-reason"
ENVELOPE_HEADER = "streamproc-dlq"
MAX_ERROR_CHARS = 500


def dead_letter_headers(reason: Reason, error: str, topic: str, partition: int, offset: int,
                        key: bytes | None) -> dict[str, bytes]:
    envelope = {
        "reason": reason.value,
        "error": error[:MAX_ERROR_CHARS],
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key": key.decode("utf-8", "replace") if key is not None else None,
        "failed_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    return {REASON_HEADER: reason.value.encode(), ENVELOPE_HEADER: orjson.dumps(envelope)}
