"""The GeoNames layer's pure helpers: Cyrillic stems and given-name forms."""

from __future__ import annotations

import pytest

from streamproc.enrich.geonames import cyrillic_stems, given_name_stem, is_form_of


@pytest.mark.parametrize("key, stems", [
    ("покровськ", ["покровськ"]),
    ("дніпро", ["дніпр"]),
    ("макіівка", ["макіівк", "макіівц"]),     # «у Макіївці» (ї folds to і)
    ("прага", ["праг", "праз"]),              # «у Празі»
    ("миколаів", ["миколаів", "миколаов", "миколаєв"]),  # «Миколаєва»
    ("харків", ["харків", "харков", "харкєв"]),
    ("суми", []),                             # too short to stem
])
def test_cyrillic_stems_with_ukrainian_alternations(key, stems):
    assert cyrillic_stems(key) == stems


@pytest.mark.parametrize("word, expected", [
    ("сергіи", True), ("сергія", True), ("сергієм", True), ("олександром", True), ("софіі", True),
    ("сергиев", False),   # «в» is no case ending
    ("олександріями", False),  # more than three ending letters
    ("с", False), ("", False),
])
def test_forms_of_a_given_name(word, expected):
    stems = frozenset(filter(None, (given_name_stem(n) for n in ("сергіи", "олександр", "софія"))))
    assert is_form_of(word, stems) is expected
