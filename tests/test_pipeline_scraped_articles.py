"""Whole scraped pages, page chrome and all: 24 articles a helper session wrote (2026-11-27 night), four
per language, 16 conflict reports and 8 hard negatives (a football derby, a war film's review, an
anniversary, a price war, a gas-plant blast, drills, a protest, a sanctions piece). Their "related
stories" lists carry other wars' headlines and tolls, and their comments anything at all.

When written, the pipeline got 16 of the 24 escalation verdicts right, 2 category sets, no death
toll, 14 primary countries and 12 locations: only a list's header line was chrome, so the headlines
under it added categories, places and the biggest toll. The floors below are what the pipeline has
reached since (``chrome_lists`` in the rule files, data fixes, a cause inside a term); what is left
is in each row's ``notes`` and the README.

A second helper session wrote 24 more (``scraped_articles_2``, the morning after) to see whether those
fixes generalise: other wars (the Sahel, Myanmar, Haiti, Kashmir, Lebanon, Sudan, Colombia), live
blogs, tolls corrected in the article, running totals and anniversaries beside today's toll, and
hard negatives (a parade, a court verdict, a gas blast, a football match). The pipeline then got 20
escalation verdicts, 16 category sets, 11 tolls, 16 wounded counts, 20 primary countries and 19
locations right.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from streamproc.ingest.article import Article
from tests.conftest import FIXTURES

DIR = FIXTURES / "scraped_articles"

#: (escalation, categories exact, killed, injured, primary country, location) right, of 24, per set.
FLOORS = {
    "scraped_articles": {"escalation": 20, "categories": 19, "killed": 18, "injured": 20, "primary_country": 20,
                         "location": 20},
    # b24_es (a Clásico report with a truce between the club presidents) right since a quarrel's truce is none
    "scraped_articles_2": {"escalation": 21, "categories": 18, "killed": 15, "injured": 18, "primary_country": 21,
                           "location": 21},
}


def _rows(directory=DIR) -> list[dict[str, str]]:
    with (directory / "expected.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _categories(classification) -> set[str]:
    return {f"{c}:{hit.subtype}" if c == "ceasefire" and hit.subtype else c
            for c, hit in classification.categories.items()}


def _count(text: str) -> int | None:
    return int(text) if text else None


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_scraped_articles_floors(pipeline, name):
    floors, directory = FLOORS[name], FIXTURES / name
    right: Counter[str] = Counter()
    wrong: dict[str, list[str]] = {k: [] for k in floors}
    for row in _rows(directory):
        text = (directory / f"{row['id']}.txt").read_text("utf-8")
        article = Article(id=row["id"], text=text, language=row["lang"], published_at=row["published"])
        c, linking, _ = pipeline.analyse(article, row["lang"])
        escalation = row["escalation"] == "yes"
        if escalation:
            required = set(filter(None, row["categories"].split(",")))
            optional = set(filter(None, row["optional_categories"].split(",")))
            got = _categories(c)
            location = linking.location.record.name if linking.location else None
            checks = {
                "escalation": c.is_escalation,
                "categories": required <= got <= required | optional,
                "killed": c.casualties.killed == _count(row["killed"]),
                "injured": c.casualties.injured == _count(row["injured"]),
                "primary_country": linking.primary_country == row["primary_country"],
                "location": location in row["location"].split("|"),
            }
        else:
            checks = dict.fromkeys(floors, not c.is_escalation)
        for key, ok in checks.items():
            right[key] += ok
            if not ok:
                wrong[key].append(row["id"])
    assert len(_rows(directory)) == 24
    for key, floor in floors.items():
        assert right[key] >= floor, (key, right[key], wrong[key])


def test_a_related_stories_list_is_chrome(pipeline):
    """The headlines under "Related stories" are no part of the article: not their tolls, not their places."""
    body = ("KHARKIV, Ukraine — A Russian missile hit an apartment building in Kharkiv overnight, killing "
            "seven people and wounding 20 others, regional governor Oleh Syniehubov said on Saturday.")
    related = ("Related stories\nIsraeli strikes kill 45 in Gaza as talks stall\n"
               "Bomb blast in Mogadishu market leaves 30 dead\nSudan: RSF shelling of El Fasher kills 60")
    article = Article(id="t", text=f"{body}\n\n{related}\n", language="en")
    c, linking, _ = pipeline.analyse(article, "en")
    assert c.casualties.killed == 7 and set(c.categories) == {"shelling", "casualties"}
    assert {e.record.country for e in linking.entities if e.record.is_place} == {"UA", "RU"}


def test_a_list_atop_the_page_takes_no_lede(pipeline):
    """Before the body has begun, a "Read more" line is chrome, the lines after it are not."""
    text = ("Read more\nShelling kills three in Kherson\n"
            "Russian shelling killed three civilians in Kherson on Monday morning, the regional military "
            "administration said in a statement on its Telegram channel.")
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language="en"), "en")
    assert c.casualties.killed == 3


def test_a_body_sentence_ends_a_headline_list(pipeline):
    text = ("Russian drones struck Odesa port overnight, damaging grain silos, a warehouse and two ships moored "
            "at the quay, regional officials said on Tuesday morning after the attack.\nRead also\nGaza strike kills 40\n"
            "Later on Tuesday the governor said two port workers were killed.\n")
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language="en"), "en")
    assert c.casualties.killed == 2


_BODY = ("KYIV, Ukraine — Russian missiles and drones struck Kyiv overnight, killing 11 people and injuring 37, "
         "the head of the city's military administration said on Tuesday morning.")


def test_a_sentence_that_ends_in_a_chrome_word_opens_no_list(pipeline):
    """"…declined to make further comments." is a sentence, not a comments header: the paragraphs after
    it are the article's."""
    text = (f"{_BODY}\nRussia's defense ministry declined to make further comments.\n"
            "Rescuers said the toll rose to 14 dead by the evening.\n")
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language="en"), "en")
    assert c.casualties.killed == 14


def test_an_inline_read_more_line_takes_no_paragraph_with_it(pipeline):
    """A "Read more: <headline>" line is chrome itself, and a paragraph ending in a quote ends a list."""
    text = (f"{_BODY}\nRead more: Gaza strike kills 40\nThe mayor said: \"Sixteen people were killed.\"\n"
            "Related stories\nGaza strike kills 40\n\"The toll has risen to 18,\" the mayor said.\"\n")
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language="en"), "en")
    assert c.casualties.killed == 18
