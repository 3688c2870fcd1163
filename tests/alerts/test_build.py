"""The alert's size is bounded whatever the article's: evidence, sentences and mentions."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import orjson

from streamproc.alerts.build import (
    ELLIPSIS,
    MAX_ENTITIES,
    MAX_EVIDENCE,
    MAX_MENTIONS,
    MAX_SENTENCE_CHARS,
    evidence_shown,
    excerpt,
)
from streamproc.classify.result import Evidence

ALERT_SCHEMA = json.loads(resources.files("streamproc").joinpath("schemas/alert.schema.json").read_text())

# Our own sentence, repeated: a page with one escalation sentence over and over.
SENTENCE = "Artillery shelling killed three soldiers near Tovuz, Azerbaijan, and Armenian forces fired on Tavush. "


def test_a_short_sentence_is_shown_whole():
    assert excerpt("Shelling hit the town.", "Shelling") == "Shelling hit the town."
    assert excerpt("x" * MAX_SENTENCE_CHARS, "x") == "x" * MAX_SENTENCE_CHARS


def test_a_long_sentence_becomes_a_window_around_the_term():
    sentence = "a" * 1000 + " shelling " + "b" * 1000
    shown = excerpt(sentence, "shelling")
    assert "shelling" in shown
    assert shown.startswith(ELLIPSIS) and shown.endswith(ELLIPSIS)
    assert len(shown) == MAX_SENTENCE_CHARS + 2
    middle = shown.index("shelling") + len("shelling") // 2
    assert abs(middle - len(shown) // 2) <= 2  # centred on the term


def test_the_window_is_cut_only_where_the_sentence_goes_on():
    at_start = excerpt("shelling " + "b" * 1000, "shelling")
    assert at_start.startswith("shelling") and at_start.endswith(ELLIPSIS)
    assert len(at_start) == MAX_SENTENCE_CHARS + 1
    at_end = excerpt("a" * 1000 + " shelling", "shelling")
    assert at_end.startswith(ELLIPSIS) and at_end.endswith("shelling")


def test_a_term_spread_over_white_space_is_found_in_the_collapsed_sentence():
    sentence = "a" * 1000 + " heavy shelling " + "b" * 1000
    assert "heavy shelling" in excerpt(sentence, "heavy \n  shelling")


def test_evidence_skips_a_rule_repeated_in_the_same_sentence_and_is_capped():
    same = [Evidence("shelling", "Shelling hit the town.", 0, 8, "shell*"),
            Evidence("shelling", "Shelling hit the town.", 500, 508, "shell*")]
    other_rule = Evidence("shelling hit", "Shelling hit the town.", 0, 12, "shelling hit")
    shown = evidence_shown(same + [other_rule])
    assert [e["start"] for e in shown] == [0, 0] and [e["rule"] for e in shown] == ["shell*", "shelling hit"]
    many = [Evidence("shelling", f"Shelling hit town {i}.", 30 * i, 30 * i + 8, "shell*") for i in range(20)]
    assert [e["start"] for e in evidence_shown(many)] == [30 * i for i in range(MAX_EVIDENCE)]


def test_a_huge_article_gives_a_small_valid_alert(pipeline):
    # 510 KB: under the 1 MB article limit. The alert was 940 KB before it was bounded.
    text = SENTENCE * 5000
    outcome = pipeline.process(orjson.dumps({"id": "big", "language": "en", "text": text}))
    assert outcome.kind == "alert", outcome.error
    alert = outcome.alert
    assert len(orjson.dumps(alert)) < 16 * 1024
    jsonschema.validate(alert, ALERT_SCHEMA)
    shelling = next(c for c in alert["categories"] if c["name"] == "shelling")
    assert shelling["evidence_total"] >= 5000
    shown = [(e["rule"], e["sentence"]) for e in shelling["evidence"]]
    assert len(set(shown)) == len(shown) < MAX_EVIDENCE  # each rule once for the one sentence text
    tovuz = next(e for e in alert["entities"] if e["name"] == "Tovuz")
    assert tovuz["mention_count"] == 5000 and len(tovuz["mentions"]) == MAX_MENTIONS
    assert [m["start"] for m in tovuz["mentions"]] == sorted(m["start"] for m in tovuz["mentions"])
    for m in tovuz["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    # The classification still counts every match: casualties and location are as for one sentence.
    assert alert["casualties"]["killed"] == 3
    assert alert["location"]["name"] == "Tovuz"


def test_an_article_listing_hundreds_of_towns_keeps_the_location_and_the_most_relevant(pipeline):
    names = list(dict.fromkeys(r.name for r in pipeline.gazetteer.records
                               if r.type == "city" and r.name.isascii() and r.name.isalpha() and len(r.name) > 4))
    listed = ", ".join(names[:300])
    text = f"Artillery shelling killed three soldiers in Tovuz. Other towns on the list were {listed}."
    outcome = pipeline.process(orjson.dumps({"id": "towns", "language": "en", "text": text}))
    alert = outcome.alert
    assert alert is not None
    jsonschema.validate(alert, ALERT_SCHEMA)
    assert alert["entity_count"] >= 250 and len(alert["entities"]) == MAX_ENTITIES
    assert len(orjson.dumps(alert)) < 16 * 1024  # 63 KB with every entity
    shown = [e["name"] for e in alert["entities"]]
    assert alert["location"]["name"] == "Tovuz" and "Tovuz" in shown
    starts = [e["mentions"][0]["start"] for e in alert["entities"]]
    assert starts == sorted(starts), "still in order of first mention"


def test_a_running_total_travels_apart_from_the_events_toll(pipeline):
    """Schema 1.2: a war's total is `running_killed`, never `killed`, even as the article's only count."""
    text = ("Israeli strikes killed 12 people in Gaza City on Tuesday, medics said. The war has killed more than "
            "43,000 Palestinians since October 2023, the health ministry said.")
    outcome = pipeline.process(orjson.dumps({"id": "rt", "language": "en", "text": text}))
    assert outcome.kind == "alert", outcome.error
    jsonschema.validate(outcome.alert, ALERT_SCHEMA)
    cas = outcome.alert["casualties"]
    assert (cas["killed"], cas["running_killed"], cas["running_injured"]) == (12, 43000, None)
