"""Duplicate suppression and updates, decided by the pure core."""

from __future__ import annotations

from typing import Any

import orjson

from streamproc.alerts.dedupe import (
    Decision,
    Seen,
    content_key,
    decide,
    event_key,
    keys_for,
    remember,
    update_of,
)
from streamproc.config import Settings
from streamproc.worker.run import build_pipeline

DAY, SIX_HOURS = 86400.0, 21600.0


def alert(aid: str, article: str, killed: int | None = None, injured: int | None = None,
          location: str | None = "geonames:709717", cats: tuple[str, ...] = ("shelling", "casualties")) -> dict[str, Any]:
    return {"alert_id": aid, "article": {"id": article},
            "categories": [{"name": c} for c in cats],
            "casualties": {"killed": killed, "injured": injured},
            "location": None if location is None else {"id": location}}


class Memory:
    def __init__(self) -> None:
        self.store: dict[str, Seen] = {}

    def decide(self, a: dict[str, Any], text: str, now: float) -> Decision:
        keys = keys_for(a, content_key(text.split()))
        d = decide(a, keys, self.store.get, now, DAY, SIX_HOURS)
        if d.verdict != "duplicate":
            for k in keys:
                self.store[k] = remember(a, d, now)
        return d


def test_same_id_same_text_and_same_event_are_duplicates_within_their_windows():
    m = Memory()
    assert m.decide(alert("alr_1", "afp-1", killed=3), "shelling killed three in donetsk", 0).verdict == "new"
    # the same article re-sent (another text version, same id)
    d = m.decide(alert("alr_2", "afp-1", killed=3), "shelling killed three in donetsk today", 10)
    assert (d.verdict, d.reason) == ("duplicate", "same_id")
    # the same wire copy on another site
    d = m.decide(alert("alr_3", "site-9", killed=3, location=None), "shelling killed three in donetsk", 20)
    assert (d.verdict, d.reason) == ("duplicate", "same_text")
    # another report of the same shelling of the same town
    d = m.decide(alert("alr_4", "bbc-2", killed=2), "a different report of the shelling", 30)
    assert (d.verdict, d.reason) == ("duplicate", "same_event")
    # the event window is shorter than the id/text window
    d = m.decide(alert("alr_5", "bbc-3", killed=2), "yet another report", SIX_HOURS + 31)
    assert d.verdict == "new"


def test_a_later_report_with_more_casualties_is_an_update_of_the_first_alert():
    m = Memory()
    m.decide(alert("alr_1", "afp-1", killed=3), "three killed", 0)
    d = m.decide(alert("alr_2", "afp-1", killed=5), "five killed now", 100)
    assert d.verdict == "update" and update_of(d) == "alr_1"
    d = m.decide(alert("alr_3", "reuters-1", killed=5, injured=2), "five dead two hurt", 200)
    assert d.verdict == "update" and update_of(d) == "alr_1", "updates point at the event's first alert"
    d = m.decide(alert("alr_4", "ap-1", killed=4), "four killed", 300)
    assert d.verdict == "duplicate", "a lower count than already reported is not news"


def test_the_same_alert_again_is_a_duplicate_even_an_update():
    m = Memory()
    m.decide(alert("alr_1", "afp-1", killed=3), "three killed", 0)
    m.decide(alert("alr_2", "afp-1", killed=5), "five killed", 10)
    d = m.decide(alert("alr_2", "afp-1", killed=5), "five killed", 20)  # the update re-sent or redelivered
    assert (d.verdict, d.reason) == ("duplicate", "same_id")


def test_a_country_alone_is_not_an_event_and_window_zero_disables():
    assert event_key(alert("a", "b", location=None)) is None
    assert event_key(alert("a", "b", cats=("casualties",))) is None
    assert event_key(alert("a", "b")) == "event:geonames:709717|shelling"
    keys = keys_for(alert("a", "b"), "text:x")
    assert decide(alert("a2", "b"), keys, lambda k: Seen("a", "a", None, None, 0), 1, 0, 0).verdict == "new"


def test_seen_round_trips_and_counts_only_go_up():
    s = remember(alert("alr_2", "a", killed=2, injured=9), Decision("update", "id:a", Seen("alr_1", "alr_1", 5, None, 0)), 7)
    assert (s.killed, s.injured, s.first_alert_id) == (5, 9, "alr_1")
    assert Seen.from_dict(orjson.loads(orjson.dumps(s.to_dict()))) == s


def test_the_pipeline_gives_copies_with_different_page_chrome_the_same_text_key():
    pipeline = build_pipeline(Settings())
    body = "Artillery shelling killed three soldiers in Donetsk on Tuesday, officials said."
    a = pipeline.process(orjson.dumps({"id": "a", "text": f"Share this article\n\n{body}\n\nComments",
                                       "language": "en"}))
    b = pipeline.process(orjson.dumps({"id": "b", "text": f"{body}\n\nBack to top", "language": "en"}))
    assert a.kind == b.kind == "alert"
    assert a.dedupe_keys[1] == b.dedupe_keys[1] and a.dedupe_keys[1].startswith("text:")
    assert a.dedupe_keys[0] == "id:a" and a.dedupe_keys[2].startswith("event:")


def test_counts_are_compared_with_the_highest_any_matching_key_remembers():
    """The article's id remembers 2 killed, the event an update with 10: a corrected article with 6 is no
    update (it was, compared with its id's 2 alone, and its memory then brought the event down to 6, so
    that a later report with 8 was raised as an update too: a review's probe)."""
    m = Memory()
    assert m.decide(alert("alr_y", "Y", killed=2), "two killed in town", 0).verdict == "new"
    assert m.decide(alert("alr_x", "X", killed=10), "ten killed in town", 100).verdict == "update"
    d = m.decide(alert("alr_y2", "Y", killed=6), "six killed in town corrected", 200)
    assert (d.verdict, d.reason) == ("duplicate", "same_id")
    assert m.decide(alert("alr_z", "Z", killed=8), "eight killed in town", 300).verdict == "duplicate"
    d = m.decide(alert("alr_w", "W", killed=12), "twelve killed in town", 400)
    assert (d.verdict, update_of(d)) == ("update", "alr_y")
