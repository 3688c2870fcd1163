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


def test_case_sensitive_terms_in_a_line_of_capitals():
    """In a headline in capitals the case says nothing: Spanish «UN POLICIA MUERTO» ("a policeman
    dead") is no United Nations. A capitalised word beside lower-case ones, or alone, still counts."""
    lex = Lexicon([("=UN", "un"), ("=US", "us")])
    assert found(lex, "POLICIA PALESTINA MATA A DIEZ MANIFESTANTES; UN POLICIA MUERTO") == []
    assert found(lex, "US TROOPS LEAVE") == []
    assert found(lex, "(AFP) - UN envoy arrives\nUN\nthe US said") == [("un", "UN"), ("un", "UN"), ("us", "US")]
    assert found(lex, "UN POLICIA MUERTO\nThe UN said") == [("un", "UN")]


def test_hyphen_and_punctuation_split_words_on_both_sides():
    lex = Lexicon([("cease-fire", "cf")])
    assert found(lex, "a cease fire; a cease-fire") == [("cf", "cease fire"), ("cf", "cease-fire")]


@pytest.mark.parametrize("bad", ["", "  ", "~ word", "wo*rd", "ab*", "***", "^", "^  ", "=^UN", "toll ^ rose"])
def test_bad_terms_are_rejected(bad):
    with pytest.raises(TermSyntaxError):
        parse_term(bad)


def test_a_caret_marks_a_term_that_must_open_its_sentence_and_is_matched_as_usual():
    """``^`` is checked by the lexicon's user (the classifier's _opening_subjects); the words match as usual."""
    assert parse_term("^toll ~ rose to") == parse_term("toll ~ rose to")
    lex = Lexicon([("^toll ~ ~ ~ rose to", "k"), ("toll rose", "plain")])
    doc = build_document("The death toll from the strike rose to 9. The toll rose.")
    opening = {m.term.source: m.term.opening for m in lex.find(doc)}
    assert opening == {"^toll ~ ~ ~ rose to": True, "toll rose": False}
