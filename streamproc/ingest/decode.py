"""Decode and validate raw message bytes without ever raising anything but :class:`DecodeError`.

Faust would kill the agent on a value that fails to deserialise, so the topic is consumed as raw
bytes and every way a payload can be bad becomes a :class:`DecodeError` with a stable ``reason``
(used as the dead-letter header and as a metric label, so the set is closed and small).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import orjson

from streamproc.ingest.article import Article

DEFAULT_MAX_BYTES = 1024 * 1024


class Reason(str, enum.Enum):
    """Why a message went to the dead-letter topic (bounded: safe as a metric label)."""

    TOO_LARGE = "too_large"
    INVALID_UTF8 = "invalid_utf8"
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    INVALID_VALUE = "invalid_value"
    PROCESSING_ERROR = "processing_error"
    ALERT_TOO_LARGE = "alert_too_large"  # the article's alert would not fit in a Kafka record
    CLASSIFIER_DIED = "classifier_died"  # alone in its batch, it killed (or hung) the classification process twice


class DecodeError(ValueError):
    def __init__(self, reason: Reason, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(f"{reason.value}: {message}")


_STRING_FIELDS = ("title", "url", "source", "language", "published_at")


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DecodeError(Reason.WRONG_TYPE, f"'{key}' must be a string, not {type(value).__name__}")
    return value


def decode_article(raw: bytes | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Turn message bytes into an :class:`Article` or raise :class:`DecodeError`."""
    if raw is None:
        raise DecodeError(Reason.NOT_AN_OBJECT, "empty message (null value)")
    if len(raw) > max_bytes:
        raise DecodeError(Reason.TOO_LARGE, f"payload is {len(raw)} bytes, the limit is {max_bytes}")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson rejects any invalid UTF-8, so the payload is only decoded a second time (to say
        # where) when parsing failed, not for every message.
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as utf8:
            raise DecodeError(Reason.INVALID_UTF8, f"invalid UTF-8 at byte {utf8.start}") from None
        raise DecodeError(Reason.INVALID_JSON, str(exc)) from None
    if not isinstance(obj, dict):
        raise DecodeError(Reason.NOT_AN_OBJECT, f"expected a JSON object, got {type(obj).__name__}")

    if "id" not in obj or obj["id"] is None:
        raise DecodeError(Reason.MISSING_FIELD, "'id' is required")
    article_id = obj["id"]
    if isinstance(article_id, bool) or not isinstance(article_id, (str, int)):
        raise DecodeError(Reason.WRONG_TYPE, f"'id' must be a string or integer, not {type(article_id).__name__}")
    article_id = str(article_id).strip()
    if not article_id or len(article_id) > 512:
        raise DecodeError(Reason.INVALID_VALUE, "'id' must be 1 to 512 characters")

    text = obj.get("text")
    if text is None:
        text = obj.get("body")
    if text is None:
        raise DecodeError(Reason.MISSING_FIELD, "'text' (or 'body') is required")
    if not isinstance(text, str):
        raise DecodeError(Reason.WRONG_TYPE, f"'text' must be a string, not {type(text).__name__}")
    if not text.strip():
        raise DecodeError(Reason.INVALID_VALUE, "'text' is empty")

    fields = {key: _optional_str(obj, key) for key in _STRING_FIELDS}
    if fields["published_at"] is not None:
        try:
            datetime.fromisoformat(fields["published_at"])  # Python 3.11+ reads a trailing "Z" too
        except ValueError:
            raise DecodeError(Reason.INVALID_VALUE, "'published_at' is not an ISO 8601 date-time") from None
    if fields["language"] is not None:
        fields["language"] = fields["language"].strip().lower().split("-")[0].split("_")[0] or None
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise DecodeError(Reason.WRONG_TYPE, f"'meta' must be an object, not {type(meta).__name__}")
    return Article(id=article_id, text=text, meta=meta, **fields)
