"""Documents: segmentation into words (the numpy route against the regular expression it replaced)
and the original sentences evidence quotes."""

import pytest

from streamproc.text.document import build_document


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


def test_original_sentence_quotes_the_sentence_with_its_whitespace_collapsed():
    doc = build_document("First one.\n\nShelling  killed\tthree soldiers. Last.")
    assert [doc.original_sentence(i) for i in range(len(doc.sentence_starts))] == \
        ["First one.", "Shelling killed three soldiers.", "Last."]


@pytest.mark.parametrize("text, sentences", [
    ("В 1995 г. в результате обстрела погибли 20 человек. Потом тишина.", 2),
    ("U.S. forces said approx. five were killed. Shelling went on.", 2),
    ("Shelling went on.\nthe next line starts lowercase.", 2),  # a line break always ends one
    ("Five were killed. 12 were wounded. «Quote.» Then.", 4),  # digits and capitals still start one
    ("قتل 5. وقال المتحدث إن القصف استمر.", 2),  # Arabic has no case
])
def test_a_full_stop_before_a_lowercase_word_ends_no_sentence(text, sentences):
    assert len(build_document(text).sentence_starts) == sentences


@pytest.mark.parametrize("text, sentences", [
    ("Weapons were supplied by the U.S. Russian shelling killed 4 civilians there.", 2),
    ("Russian troops stormed the village at 4 a.m. Russian shelling killed 3 residents.", 2),
])
def test_an_initialism_before_a_capital_still_ends_a_sentence(text, sentences):
    """"the U.S." and "4 a.m." end sentences as often as they stand inside one: joined by mistake, a cue
    opening the first sentence ("Two years ago, …") governed the second's toll. Only listed words
    (titles, address words: `abbreviations`) are never a sentence's end."""
    assert len(build_document(text).sentence_starts) == sentences


@pytest.mark.parametrize("text, sentences", [
    ("Число погибших при обстреле ул. Ленина в Донецке возросло до 6.", 1),
    ("The death toll from the drone attack on St. Petersburg rose to 4, the governor said.", 1),
    ("Il est parti. St. Louis était calme.", 2),  # "parti." is no listed word
    ("لقي د. محمد أبو سلمية مصرعه في غارة إسرائيلية.", 1),
])
def test_a_listed_abbreviation_ends_no_sentence(text, sentences):
    """The rule files' ``abbreviations`` (passed by the pipeline for the article's language)."""
    assert len(build_document(text, frozenset({"ул", "st", "د"})).sentence_starts) == sentences
    assert len(build_document(text).sentence_starts) == sentences + 1  # unlisted, the word's full stop ends one
