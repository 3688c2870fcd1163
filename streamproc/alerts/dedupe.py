"""Which alerts repeat one already published, and which update it (pure; the state lives elsewhere).

Newsrooms re-send articles, wires are republished by dozens of outlets, and the same event is
reported again and again as it develops. An analyst wants one alert per event, and a new one only
when the event got worse. Three keys tie a new alert to an earlier one:

* ``id:``     the same article id (a re-sent or corrected article);
* ``text:``   the same words outside page chrome (the same wire copy on several sites, whatever their
              markup, punctuation or navigation);
* ``event:``  the same specific place (a town or region, never just a country) and the same set of
              escalation categories, within a shorter window: a later report of the same shelling of
              the same town. A country alone is too coarse to say two reports are one event.

A match within its window is a *duplicate* (no alert) unless the new report counts more killed or
injured than the one published: then it is an *update*, published with ``update_of`` pointing at the
first alert of the event. Memory is written only after the alert and its webhook tasks are
acknowledged by Kafka, so an article redelivered after a crash is either already published (and
then rightly a duplicate) or not remembered (and then published again, with the same ``alert_id``):
never lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Verdict = Literal["new", "duplicate", "update"]
#: Categories that say what happened; casualties alone do not make two reports the same event.
_NOT_EVENT_DEFINING = {"casualties"}


@dataclass(frozen=True, slots=True)
class Seen:
    """What is remembered of a published alert under each of its keys."""

    alert_id: str        # the alert as published (the latest update)
    first_alert_id: str  # the first alert of the event: updates point at it
    killed: int | None
    injured: int | None
    at: float            # when it was published (epoch seconds)

    def to_dict(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "first_alert_id": self.first_alert_id, "killed": self.killed,
                "injured": self.injured, "at": self.at}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Seen:
        return cls(alert_id=str(d["alert_id"]), first_alert_id=str(d.get("first_alert_id") or d["alert_id"]),
                   killed=d.get("killed"), injured=d.get("injured"), at=float(d["at"]))


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    matched_key: str | None = None
    previous: Seen | None = None

    @property
    def reason(self) -> str:
        """Bounded label for metrics: ``same_id``, ``same_text``, ``same_event`` or ``new``."""
        if self.matched_key is None:
            return "new"
        return "same_" + self.matched_key.split(":", 1)[0]


def content_key(words: Iterable[str]) -> str:
    """``text:`` key from the article's normalised words (page chrome already left out)."""
    digest = hashlib.sha256(" ".join(words).encode("utf-8", "surrogatepass")).hexdigest()
    return f"text:{digest[:32]}"


def event_key(alert: Mapping[str, Any]) -> str | None:
    """``event:`` key, or None when the alert names no place more specific than a country."""
    location = alert.get("location")
    categories = sorted(c["name"] for c in alert.get("categories", ()) if c["name"] not in _NOT_EVENT_DEFINING)
    if not location or not location.get("id") or not categories:
        return None
    return f"event:{location['id']}|{'+'.join(categories)}"


def keys_for(alert: Mapping[str, Any], text_key: str) -> list[str]:
    keys = [f"id:{alert['article']['id']}", text_key]
    ev = event_key(alert)
    if ev is not None:
        keys.append(ev)
    return keys


def _worse(alert: Mapping[str, Any], seen: Seen) -> bool:
    cas = alert.get("casualties") or {}
    for now, before in ((cas.get("killed"), seen.killed), (cas.get("injured"), seen.injured)):
        if now is not None and (before is None or now > before):
            return True
    return False


def decide(alert: Mapping[str, Any], keys: list[str], lookup: Callable[[str], Seen | None], now: float,
           window: float, event_window: float) -> Decision:
    """Is ``alert`` new, a duplicate of one published within the window, or an update of it?

    Against every key that matches within its window, not the first one only: each key remembers the
    reports that came through it, so the article's own id may remember 2 killed while the event already
    had an update with 10. Compared with the id's 2 alone, a corrected article with 6 was an "update"
    with fewer dead than published, and its memory, written under every key, brought the event down to
    6 (a review's probe). The counts compared are the highest any matching key remembers."""
    if window <= 0:
        return Decision("new")
    matches: list[tuple[str, Seen]] = []
    for key in keys:
        limit = event_window if key.startswith("event:") else window
        if limit <= 0:
            continue
        seen = lookup(key)
        if seen is None or now - seen.at > limit:
            continue
        if seen.alert_id == alert["alert_id"]:
            # The very alert already published (re-sent, or redelivered by Kafka after a crash):
            # it is on the topic and at the webhooks already, since memory is written only after both.
            return Decision("duplicate", key, seen)
        matches.append((key, seen))
    if not matches:
        return Decision("new")
    key, seen = matches[0]
    for _, other in matches[1:]:
        seen = replace(seen, killed=_max(seen.killed, other.killed), injured=_max(seen.injured, other.injured))
    return Decision("update" if _worse(alert, seen) else "duplicate", key, seen)


def update_of(decision: Decision) -> str | None:
    """The ``update_of`` an alert carries under ``decision`` (None for a first report)."""
    prev = decision.previous
    return prev.first_alert_id if prev is not None and decision.verdict == "update" else None


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def remember(alert: Mapping[str, Any], decision: Decision, now: float) -> Seen:
    """What to store under every key of a published alert."""
    cas = alert.get("casualties") or {}
    prev = decision.previous
    killed, injured = cas.get("killed"), cas.get("injured")
    if prev is not None and decision.verdict == "update":
        # The same event: keep its first alert, and counts only ever go up.
        return Seen(alert_id=alert["alert_id"], first_alert_id=prev.first_alert_id,
                    killed=_max(killed, prev.killed), injured=_max(injured, prev.injured), at=now)
    return Seen(alert_id=alert["alert_id"], first_alert_id=alert["alert_id"], killed=killed, injured=injured,
                at=now)
