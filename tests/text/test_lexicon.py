import pytest

from streamproc.text.document import build_document
from streamproc.text.lexicon import Lexicon, TermSyntaxError, longest_non_overlapping, parse_term

AR_PROCLITICS = ["و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "فال", "لل", "وب", "ول"]


def found(lexicon: Lexicon, text: str) -> list[tuple[object, str]]:
    doc = build_document(text)
    out = []
    for m in longest_non_overlapping(lexicon.find(doc)):
        s, e = doc.original_span(m.start, m.end)
        out.append((m.payload, text[s:e]))
    return out


def test_arabic_proclitics_attach_to_any_term():
    lex = Lexicon([("قصف", "shelling"), ("مدفعي*", "shelling")], proclitics=AR_PROCLITICS)
    assert found(lex, "والقصف بالمدفعية") == [("shelling", "والقصف"), ("shelling", "بالمدفعية")]


def test_never_inside_a_longer_word():
    lex = Lexicon([("war", "x"), ("Oman", "om")])
    assert found(lex, "toward a woman, software") == []
    assert found(lex, "the war in Oman") == [("x", "war"), ("om", "Oman")]


def test_stems_match_inflections():
    lex = Lexicon([("обстрел*", "shelling")])
    assert [t for _, t in found(lex, "обстрелом, обстрелы и обстрел")] == ["обстрелом", "обстрелы", "обстрел"]


def test_gap_words_allow_intervening_words():
    lex = Lexicon([("لقي ~ ~ ~ مصرع*", "killed")], proclitics=AR_PROCLITICS)
    assert found(lex, "لقي ثلاثة جنود أذريين مصرعهم") == [("killed", "لقي ثلاثة جنود أذريين مصرعهم")]
    assert found(lex, "لقي مصرعه") == [("killed", "لقي مصرعه")]


def test_longest_match_wins():
    lex = Lexicon([("مجموعة مينسك", "minsk_group"), ("مينسك", "minsk")], proclitics=AR_PROCLITICS)
    assert found(lex, "رؤساء مجموعة مينسك في مينسك") == [("minsk_group", "مجموعة مينسك"), ("minsk", "مينسك")]


def test_case_sensitive_terms():
    lex = Lexicon([("=US", "us"), ("=Chad", "td")])
    assert found(lex, "the US told us that Chad and chad") == [("us", "US"), ("td", "Chad")]


def test_hyphen_and_punctuation_split_words_on_both_sides():
    lex = Lexicon([("cease-fire", "cf")])
    assert found(lex, "a cease fire; a cease-fire") == [("cf", "cease fire"), ("cf", "cease-fire")]


@pytest.mark.parametrize("bad", ["", "  ", "~ word", "wo*rd", "ab*", "***"])
def test_bad_terms_are_rejected(bad):
    with pytest.raises(TermSyntaxError):
        parse_term(bad)


def test_word_table_is_the_unicode_word_class():
    r"""The numpy segmenter's table says "word character" for exactly the BMP code points ``[^\W_]`` accepts."""
    import re

    from streamproc.text.document import _word_table

    word = re.compile(r"[^\W_]")
    table = _word_table()
    assert [cp for cp in range(0x10000) if bool(table[cp]) != bool(word.fullmatch(chr(cp)))] == []


@pytest.mark.parametrize("text", [
    "", " ", "a", "word", " word ", "..a..", "п'ять сім'я l'armée д'Артаньян '' а''б а'б'в '",
    "three soldiers, killed; 12,000 — «قصف» و«غارة»\n\nnext line", "_under_score_", "\ud800 lone surrogate",
    "٣ جنود 5 عسكريين", "x" * 3 + " " * 5 + "y",
])
def test_numpy_segmenter_splits_as_the_regular_expression(text):
    """``_segment_bmp`` (whole-array) gives the words, offsets and scan text of ``_segment_re``."""
    from streamproc.text.document import _segment_bmp, _segment_re

    starts, ends, scan = _segment_bmp(text)
    ref_starts, ref_ends, ref_words = _segment_re(text)
    assert (starts, ends) == (ref_starts, ref_ends)
    assert scan == " " + " ".join(ref_words) + " "
    assert [text[s:e] for s, e in zip(starts, ends)] == ref_words


def test_cyrillic_apostrophe_check_finds_exactly_an_apostrophe_between_two_cyrillic_letters():
    """The apostrophe-first pattern (fast) answers as the letter-apostrophe-letter one it replaced."""
    import re
    from itertools import product

    from streamproc.text.document import _CYRILLIC_APOSTROPHE_RE

    plain = re.compile(r"[а-яіїєґ]'[а-яіїєґ]")
    for n in range(1, 5):
        for chars in product("пяґa'1 ", repeat=n):
            text = "".join(chars)
            assert (_CYRILLIC_APOSTROPHE_RE.search(text) is None) == (plain.search(text) is None), text


def test_numpy_segmenter_leaves_astral_text_to_the_regular_expression():
    """A character beyond the BMP (two UTF-16 code units) is outside its table: it declines, and
    build_document splits such text by regular expression."""
    from streamproc.text.document import _segment_bmp, build_document

    assert _segment_bmp("قصف 𠀀 shelling") is None
    assert build_document("قصف 𠀀 shelling").words == ["قصف", "𠀀", "shelling"]
