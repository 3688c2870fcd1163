"""Language detection: py3langid with its table widened to float32 (speed), same answers as stock."""

from __future__ import annotations

import json

import pytest

from streamproc.text.language import SAMPLE_CHARS, _identifier, detect_language
from tests.conftest import FIXTURES, SEED


def seed_text() -> str:
    """The seed article when ../shared is there, else the repository's retelling of it (page chrome included)."""
    if SEED.is_file():
        return SEED.read_text("utf-8")
    return str(json.loads((FIXTURES / "articles" / "ar-seed-retold.json").read_text("utf-8"))["text"])

TEXTS = {
    "ar": "دعا وزير الخارجية الروسي باكو ويريفان إلى وقف فوري لإطلاق النار بعد قصف على الحدود.",
    "en": "Shelling on the border killed three soldiers, the defence ministry said on Monday.",
    "ru": "Обстрел на границе унёс жизни трёх военных, сообщили в министерстве обороны.",
    "uk": "Унаслідок обстрілу на кордоні загинули троє військових, повідомили в міністерстві.",
    "fr": "Des tirs d'artillerie à la frontière ont tué trois soldats, selon le ministère.",
    "es": "Los bombardeos en la frontera mataron a tres soldados, informó el ministerio.",
    "de": "Beim Beschuss an der Grenze wurden drei Soldaten getötet, teilte das Ministerium mit.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detects_each_language_including_unsupported_ones(lang: str) -> None:
    assert detect_language(TEXTS[lang])[0] == lang


def test_the_seed_article_is_arabic() -> None:
    assert detect_language(seed_text())[0] == "ar"


def test_float32_table_gives_exactly_stock_py3langid_answers() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ours = _identifier()
    assert ours.nb_ptc.dtype.name == "float32"
    stock = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    assert stock.nb_ptc.dtype.name == "float16"  # what the speed-up is about; update this test if it changes
    for text in [*TEXTS.values(), seed_text()[:SAMPLE_CHARS], "1234 !!", "a"]:
        assert ours.classify(text) == stock.classify(text), text


def test_empty_text_is_undetermined() -> None:
    assert detect_language("  \n ") == ("und", 0.0)
