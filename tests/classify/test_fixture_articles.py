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
