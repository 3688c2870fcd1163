"""The founding example: the Arabic seed article must always produce the right alert.

Runs on the seed itself when ``../shared/seed`` is present, and always on our own retelling.
"""

from __future__ import annotations

import json

import pytest

from streamproc.ingest.article import Article
from tests.conftest import FIXTURES, SEED

CHROME_LINES = ["مشاركة", "اضف تعليقاً واقرأ تعليقات القراء", "لا توجد تعليقات على الخبر", "اضف تعليق",
                "تم أضافة تعليقك سوف يظهر بعد المراجعة", "الرجوع الى أعلى الصفحة"]
SEED_ENTITIES = {"Russia", "Armenia", "Azerbaijan", "Baku", "Yerevan", "Sergey Lavrov", "OSCE Minsk Group",
                 "Tovuz", "Tavush"}


def texts() -> list[tuple[str, str]]:
    out = [("retold", json.loads((FIXTURES / "articles" / "ar-seed-retold.json").read_text("utf-8"))["text"])]
    if SEED.is_file():
        out.append(("seed", SEED.read_text("utf-8")))
    return out


@pytest.mark.parametrize("name, text", texts(), ids=[n for n, _ in texts()])
def test_seed_alert(pipeline, name, text):
    article = Article(id=name, text=text)  # no declared language: it must be detected
    import orjson
    outcome = pipeline.process(orjson.dumps({"id": name, "text": text}))
    assert outcome.kind == "alert"
    alert = outcome.alert
    assert alert["language"] == "ar" and alert["language_detected"]
    assert {c["name"] for c in alert["categories"]} == {"ceasefire", "shelling", "armed_clash", "casualties"}
    ceasefire = next(c for c in alert["categories"] if c["name"] == "ceasefire")
    assert ceasefire["subtype"] == "call"
    assert alert["casualties"]["killed"] == 3
    assert SEED_ENTITIES <= {e["name"] for e in alert["entities"]}

    # Nothing from the page chrome: no evidence and no entity mention inside a chrome line.
    chrome_spans = []
    for line in CHROME_LINES:
        start = 0
        while (i := text.find(line, start)) >= 0:
            if text[i - 1:i] in ("", "\n") and text[i + len(line):i + len(line) + 1] in ("", "\n"):
                chrome_spans.append((i, i + len(line)))
            start = i + 1
    spans = [(e["start"], e["end"]) for c in alert["categories"] for e in c["evidence"]]
    spans += [(m["start"], m["end"]) for e in alert["entities"] for m in e["mentions"]]
    for s, e in spans:
        assert not any(cs <= s < ce for cs, ce in chrome_spans), text[s:e]
    # Evidence offsets point at the words in the original text.
    for c in alert["categories"]:
        for ev in c["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["term"]
            assert ev["term"] in ev["sentence"] or " ".join(ev["term"].split()) in ev["sentence"]
    assert article.id == name
