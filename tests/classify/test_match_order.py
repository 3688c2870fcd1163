"""No outcome depends on the order in which the lexicon reports its matches.

That order follows the automaton's keys, so adding an unrelated term to a rule file can change it.
Where two terms covered the same words («resultaron heridos» and «herid*»), the first reported took a
number the other would have, and a count was lost (12 wounded read as 1); a singular people word
between two terms («قتل شخص وأصيب آخرون») went to whichever came first. Ties are now broken by the
terms' words. Every written set is classified with the matches as found and reversed: the categories,
the severity and the toll must agree.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from streamproc.ingest.article import Article
from streamproc.text.lexicon import Lexicon

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SETS = sorted(p.name for p in FIXTURES.glob("*.tsv")
              if {"text", "lang"} <= set(p.open(encoding="utf-8").readline().rstrip("\n").split("\t")))


def _outcomes(pipeline, rows):
    out = []
    for row in rows:
        article = Article(id="t", text=row["text"], language=row["lang"], published_at=row.get("published") or None)
        c = pipeline.analyse(article, row["lang"])[0]
        out.append((sorted(c.categories), c.severity, c.casualties.killed, c.casualties.injured))
    return out


def test_the_sets_are_found():
    assert len(SETS) >= 30 and "natural_toll_paragraphs_3.tsv" in SETS


@pytest.mark.parametrize("name", SETS)
def test_outcomes_are_the_same_with_the_matches_reversed(pipeline, monkeypatch, name):
    with (FIXTURES / name).open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["lang"] in pipeline.languages]
    as_found = _outcomes(pipeline, rows)
    find = Lexicon.find
    monkeypatch.setattr(Lexicon, "find", lambda self, doc: find(self, doc)[::-1])
    reversed_ = _outcomes(pipeline, rows)
    changed = [(row.get("id"), a, b) for row, a, b in zip(rows, as_found, reversed_, strict=True) if a != b]
    assert not changed, f"outcomes that follow the lexicon's match order: {changed}"
