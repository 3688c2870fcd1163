from streamproc.text.normalize import fold, normalize


def test_arabic_diacritics_tatweel_and_letter_variants_fold():
    assert fold("والقصفُ بالمدفعيّة") == "والقصف بالمدفعيه"
    assert fold("أذربيجانـية") == "اذربيجانيه"
    assert fold("إيران آسيا ٱلله") == "ايران اسيا الله"
    assert fold("مستشفى") == "مستشفي"
    assert fold("مؤسسة") == "موسسه"


def test_digits_of_every_script_become_ascii():
    assert fold("٣ قتلى و۴ جرحى") == "3 قتلي و4 جرحي"


def test_cyrillic_yo_and_case():
    assert fold("Обстрелом ЁЛКА") == "обстрелом елка"


def test_latin_accents_and_casefold():
    assert fold("Économie STRASSE straße") == "economie strasse strasse"


def test_offsets_map_back_to_the_original_when_lengths_change():
    text = "قَصْفٌ عنيف"
    n = normalize(text)
    assert n.text == "قصف عنيف"
    start = n.text.index("عنيف")
    s, e = n.span(start, start + 4)
    assert text[s:e] == "عنيف"
    s, e = n.span(0, 3)
    assert text[s:e].startswith("قَ") and text[s:e].rstrip("ٌ").endswith("ف")


def test_identity_offsets_when_nothing_changes_length():
    n = normalize("Shelling hit Donetsk")
    assert n.span(13, 20) == (13, 20)


def test_offsets_survive_expansions_and_deletions_that_cancel_out():
    text = "straße قـصف Gaza"  # ß -> ss (+1), tatweel dropped (-1): same total length
    n = normalize(text)
    assert len(n.text) == len(text)
    i = n.text.index("gaza")
    assert text[slice(*n.span(i, i + 4))] == "Gaza"
    i = n.text.index("قصف")
    assert text[slice(*n.span(i, i + 3))] == "قـصف"
