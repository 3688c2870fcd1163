import pytest

from streamproc.ingest.decode import DecodeError, Reason, decode_article


def reason_of(raw: bytes | None, **kw) -> Reason:
    with pytest.raises(DecodeError) as exc:
        decode_article(raw, **kw)
    return exc.value.reason


def test_valid_article_with_body_alias_and_meta():
    a = decode_article(b'{"id": 7, "body": "text", "language": "EN-us", "meta": {"k": 1},'
                       b' "published_at": "2020-07-13T17:13:00Z"}')
    assert (a.id, a.text, a.language, a.meta) == ("7", "text", "en", {"k": 1})


@pytest.mark.parametrize("raw, reason", [
    (b"not json", Reason.INVALID_JSON),
    (b"\xff\xfe{}", Reason.INVALID_UTF8),
    (b"[1, 2]", Reason.NOT_AN_OBJECT),
    (None, Reason.NOT_AN_OBJECT),
    (b'{"text": "x"}', Reason.MISSING_FIELD),
    (b'{"id": "a"}', Reason.MISSING_FIELD),
    (b'{"id": "a", "text": 5}', Reason.WRONG_TYPE),
    (b'{"id": true, "text": "x"}', Reason.WRONG_TYPE),
    (b'{"id": "a", "text": "x", "title": []}', Reason.WRONG_TYPE),
    (b'{"id": "a", "text": "x", "meta": "m"}', Reason.WRONG_TYPE),
    (b'{"id": "a", "text": "   "}', Reason.INVALID_VALUE),
    (b'{"id": "", "text": "x"}', Reason.INVALID_VALUE),
    (b'{"id": "a", "text": "x", "published_at": "yesterday"}', Reason.INVALID_VALUE),
])
def test_each_bad_input_has_its_reason(raw, reason):
    assert reason_of(raw) == reason


def test_size_limit_is_checked_before_parsing():
    assert reason_of(b'{"id": "a", "text": "' + b"x" * 100 + b'"}', max_bytes=50) == Reason.TOO_LARGE
