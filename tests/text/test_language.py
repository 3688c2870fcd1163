"""Language detection: py3langid with its table widened to float32 and its automaton walked with numpy
(speed), same answers as stock, bit for bit."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from streamproc.text.language import MAX_NGRAM_BYTES, SAMPLE_CHARS, _identifier, detect_language
from tests.conftest import FIXTURES, REPO, SEED


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
    for text in many_texts():
        assert ours.classify(text) == stock.classify(text), text


def many_texts() -> list[str]:
    """Every language's sample, the fixtures and bundled samples, short and odd texts, random mixtures."""
    rng = random.Random(7)
    alphabet = "abcXYZ éàçñ ابتثجح пршщїє 0123456789 .,!?«»—\n\t😀中文"
    texts = [*TEXTS.values(), seed_text()[:SAMPLE_CHARS], "1234 !!", "a", "ab", "abcde", "abcdef", "abcdefg",
             "😀", "ش", "ШШШ", "", "     x"]
    texts += [json.loads(p.read_text("utf-8"))["text"][:SAMPLE_CHARS] for p in (FIXTURES / "articles").glob("*.json")]
    samples = (REPO / "streamproc" / "samples" / "articles.jsonl").read_text("utf-8").splitlines()
    texts += [json.loads(line)["text"][:SAMPLE_CHARS] for line in samples if line.strip()]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))) for _ in range(200)]
    return texts


def test_the_vector_walk_counts_exactly_what_py3langid_walk_counts() -> None:
    from py3langid.langid import visit_counts

    ours = _identifier()
    for text in many_texts():
        data = ours._encode(text)
        stock = visit_counts(ours.tk_nextmove, ours._rowbase, ours.tk_output, data)
        found = ours.walk.visits(data)
        if stock is None:
            assert found is None, text
            continue
        assert found is not None, text
        features, counts = found
        assert features.tolist() == list(stock) and counts.tolist() == list(stock.values()), text


def test_no_feature_of_the_model_is_longer_than_the_walk_window() -> None:
    """The vector walk is exact only if the automaton is at most MAX_NGRAM_BYTES deep (breadth-first)."""
    walk = _identifier().walk
    seen = np.zeros(len(walk.rowbase), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0], dtype=np.intp), 0
    while True:
        reached = np.unique(walk.nextmove[(walk.rowbase[frontier][:, None] + np.arange(256)).ravel()])
        frontier = reached[~seen[reached]].astype(np.intp)
        if not frontier.size:
            break
        seen[frontier] = True
        depth += 1
    assert depth <= MAX_NGRAM_BYTES


def test_empty_text_is_undetermined() -> None:
    assert detect_language("  \n ") == ("und", 0.0)
