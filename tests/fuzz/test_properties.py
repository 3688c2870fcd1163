"""Property-based tests: whatever the bytes or text, the pure pipeline never raises.

`Pipeline.process` must turn anything into an alert, a no-alert or a dead letter; the classifier and
the linker must cope with any Unicode (marks without bases, RTL marks, huge and empty texts), and
evidence offsets must always point into the original text.
"""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamproc.ingest.decode import DecodeError, decode_article
from streamproc.text.document import build_document
from streamproc.text.normalize import normalize

# Scripts and characters that stress normalisation: Arabic with harakat and tatweel, Cyrillic, Latin
# with combining accents, digits of several scripts, RTL/zero-width marks, ligatures.
TRICKY = "قصفٌ قتلى ثلاثة ٣۴ ـ َ ُ ِ ّ ْ обстрел ёй п'ять e\u0301 ß ﬁ ﻻ \u200f\u200e\u200c\u00ad \n\t"
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(TRICKY), max_size=400),
    st.lists(st.sampled_from(["shelling", "killed", "three", "soldiers", "no", "not", "ceasefire",
                              "قصف", "مقتل", "ثلاثة", "جنود", "لم", "وقف إطلاق النار", "обстрел",
                              "погибли", "трое", "не", ".", ",", "\n", "at least", "12", "dozen"]),
             max_size=80).map(" ".join),
)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(st.binary(max_size=2000))
def test_any_bytes_become_an_outcome(pipeline, raw):
    outcome = pipeline.process(raw)
    assert outcome.kind in ("alert", "no_alert", "dead_letter")
    if outcome.kind == "dead_letter":
        assert outcome.reason is not None and outcome.error
        # Pipeline.process turns any exception into a processing_error dead letter: that it never
        # raises is given, that nothing raised inside it is the property.
        assert outcome.reason.value != "processing_error", outcome.error


@SLOW
@given(st.binary(max_size=500))
def test_decoder_raises_only_decode_errors(raw):
    try:
        decode_article(raw)
    except DecodeError:
        pass


@SLOW
@given(texts, st.sampled_from(["ar", "en", "ru", "uk", "fr", "es", None]))
def test_any_text_in_any_language_is_processed(pipeline, text, lang):
    outcome = pipeline.process(orjson.dumps({"id": "x", "text": text or " ", "language": lang}))
    assert outcome.kind in ("alert", "no_alert", "dead_letter")
    assert outcome.reason is None or outcome.reason.value != "processing_error", outcome.error
    if outcome.alert:
        for cat in outcome.alert["categories"]:
            for ev in cat["evidence"]:
                assert 0 <= ev["start"] < ev["end"] <= len(text)
                assert text[ev["start"]:ev["end"]] == ev["term"]
        for ent in outcome.alert["entities"]:
            for m in ent["mentions"]:
                assert text[m["start"]:m["end"]] == m["text"]


@SLOW
@given(texts)
def test_offsets_map_back_inside_the_original(text):
    n = normalize(text)
    doc = build_document(text)
    for s, e in zip(doc.word_starts, doc.word_ends):
        os_, oe = n.span(s, e)
        assert 0 <= os_ <= oe <= len(text)


def test_huge_and_empty_texts(pipeline):
    huge = ("Artillery shelling killed three soldiers near the border. " * 20000)[:1_000_000]
    outcome = pipeline.process(orjson.dumps({"id": "huge", "text": huge, "language": "en"}))
    assert outcome.kind == "alert", outcome.error  # 1 MB of text, under the 1 MiB limit with its JSON
    assert pipeline.process(b'{"id": "e", "text": ""}').kind == "dead_letter"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)) | st.sampled_from("'а я ,\n"),
               max_size=80))
def test_numpy_segmenter_agrees_with_the_regular_expression(text):
    """Any BMP text: the whole-array segmenter finds the regular expression's words and offsets."""
    from streamproc.text.document import _segment_bmp, _segment_re

    starts, ends, scan = _segment_bmp(text)
    ref_starts, ref_ends, ref_words = _segment_re(text)
    assert (starts, ends) == (ref_starts, ref_ends)
    assert scan == " " + " ".join(ref_words) + " "
