"""The dead-letter record: the original bytes when they fit, cut to fit (sizes in a header) when not."""

from __future__ import annotations

import orjson

from streamproc.ingest.dead_letter import (
    ENVELOPE_HEADER,
    MAX_KEY_BYTES,
    REASON_HEADER,
    TRUNCATED_HEADER,
    dead_letter,
)
from streamproc.ingest.decode import Reason


def letter(value: bytes, key: bytes | None = b"k-1", room: int = 100):
    """``room``: how much value fits, the record bound being the headers and framing more."""
    headers = dead_letter(b"", Reason.INVALID_JSON, "Expecting value", "articles", 3, 42, key, 10**6).headers
    overhead = 10**6 - len(dead_letter(b"x" * 10**6, Reason.INVALID_JSON, "Expecting value", "articles", 3, 42,
                                       key, 10**6).value)
    assert overhead > len(headers[ENVELOPE_HEADER])
    return dead_letter(value, Reason.INVALID_JSON, "Expecting value", "articles", 3, 42, key, room + overhead)


def test_a_message_that_fits_is_kept_byte_for_byte():
    out = letter(b'{"id": "x", "text": ', room=20)
    assert out.value == b'{"id": "x", "text": ' and out.key == b"k-1"
    assert TRUNCATED_HEADER not in out.headers
    assert out.headers[REASON_HEADER] == b"invalid_json"
    envelope = orjson.loads(out.headers[ENVELOPE_HEADER])
    assert (envelope["topic"], envelope["partition"], envelope["offset"], envelope["key"]) == ("articles", 3, 42, "k-1")


def test_a_message_over_the_bound_is_cut_and_says_how_large_it_was():
    """An oversized dead letter would be refused by the broker and retried for ever: the worker would
    stall on it. The envelope still says where the whole message is."""
    out = letter(b"x" * 101)
    assert out.value == b"x" * 100
    assert orjson.loads(out.headers[TRUNCATED_HEADER]) == {"value_bytes": 101, "key_bytes": 3}
    assert orjson.loads(out.headers[ENVELOPE_HEADER])["offset"] == 42


def test_a_huge_key_is_cut_on_the_record_and_in_the_envelope():
    key = b"k" * (MAX_KEY_BYTES + 5)
    out = letter(b"{}", key=key)
    assert out.key == key[:MAX_KEY_BYTES] and out.value == b"{}"
    assert orjson.loads(out.headers[TRUNCATED_HEADER]) == {"value_bytes": 2, "key_bytes": MAX_KEY_BYTES + 5}
    assert len(orjson.loads(out.headers[ENVELOPE_HEADER])["key"]) == MAX_KEY_BYTES


def test_no_key():
    out = letter(b"x" * 200, key=None)
    assert out.key is None and len(out.value) == 100
    assert orjson.loads(out.headers[ENVELOPE_HEADER])["key"] is None


def test_key_value_and_headers_together_stay_under_the_record_bound():
    for size in (0, 10, 5000, 70000):
        out = dead_letter(b"v" * size, Reason.TOO_LARGE, "e" * 900, "articles", 0, 1, b"k" * 3000, 8192)
        assert len(out.key or b"") + len(out.value) + sum(len(k) + len(v) for k, v in out.headers.items()) <= 8192
