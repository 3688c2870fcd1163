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


def test_fast_fold_agrees_with_the_per_character_definition_on_every_code_point():
    """fold() takes C-level shortcuts; fold_char() is the definition. They must never disagree."""
    from streamproc.text.normalize import fold_char

    # Every code point of the planes where anything folds; a sample of the empty planes beyond.
    code_points = [*range(0x30000), *range(0xE0000, 0xE1000), *range(0x30000, 0x110000, 97)]
    bad = [hex(cp) for cp in code_points if not 0xD800 <= cp < 0xE000 and fold(chr(cp)) != fold_char(chr(cp))]
    assert bad == []


def test_fast_fold_and_offsets_agree_with_the_definition_on_mixed_strings():
    import random

    from streamproc.text.normalize import fold_char

    rng = random.Random(7)
    pool = [chr(c) for c in [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x390, 0x3D0),
                             *range(0x400, 0x460), *range(0x600, 0x700), *range(0x1F80, 0x1FB0),
                             *range(0xFB50, 0xFE00), *range(0xAC00, 0xAC08), 0x1D400, 0x1F600, 0xE0100]]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        n = normalize(text)
        assert n.text == "".join(map(fold_char, text)), repr(text)
        for k in range(len(n.text)):  # every normalised character comes from its mapped original
            o = n.to_original(k)
            assert n.text[k] in fold_char(text[o]), (repr(text), k, o)
