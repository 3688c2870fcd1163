"""Every fixture article (written by us, six languages) classifies as its `expected` block says."""

from __future__ import annotations

import pytest

from streamproc.ingest.article import Article
from tests.conftest import fixture_articles

ARTICLES = fixture_articles()


@pytest.mark.parametrize("fixture", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_fixture_article(pipeline, fixture):
    expected = fixture["expected"]
    article = Article(id=fixture["id"], text=fixture["text"], language=fixture.get("language"))
    c, linking, _ = pipeline.analyse(article, fixture.get("language"))
    assert c.is_escalation == expected["escalation"], c.categories.keys()
    assert set(c.categories) == set(expected["categories"])
    assert c.casualties.killed == expected["killed"]
    assert c.casualties.injured == expected["injured"]
    names = {e.record.name for e in linking.entities}
    assert set(expected["entities"]) <= names, names


def test_fixtures_cover_every_language_both_ways():
    seen = {(a.get("language"), a["expected"]["escalation"]) for a in ARTICLES}
    for lang in ("ar", "en", "ru", "uk", "fr", "es"):
        assert (lang, True) in seen and (lang, False) in seen, lang


@pytest.mark.parametrize("lang, text, killed, at_least", [
    ("fr", "Dix-sept soldats ont été tués dans l'attaque du camp militaire.", 17, False),
    ("ar", "قتل ثلاثة عشر مدنيا في قصف مدفعي على البلدة", 13, False),
    ("ar", "قتل 12 شخصا على الأقل في قصف مدفعي على البلدة", 12, True),
    ("uk", "Внаслідок обстрілу загинули п'ять військових.", 5, False),
    ("ru", "В результате обстрела погибли не менее 10 человек.", 10, True),
    ("en", "Two hundred people were killed in the shelling of the town.", 200, False),
])
def test_casualty_counts_in_number_words_and_lower_bounds(pipeline, lang, text, killed, at_least):
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang), lang)
    assert c.casualties.killed == killed
    assert c.casualties.killed_at_least is at_least


def test_multi_word_number_terms_win_over_their_parts(pipeline):
    c, _, _ = pipeline.analyse(Article(id="t", text="قتل اثنا عشر جنديا في قصف مدفعي", language="ar"), "ar")
    assert c.casualties.killed == 12
