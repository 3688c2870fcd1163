"""Assemble the alert document from an article, its classification and its entities.

``alert_id`` is derived from the article id and a hash of its text, never from time or randomness:
Kafka redelivers after rebalances and crashes (at-least-once), and a redelivered article must yield
the very same id so that consumers and webhook subscribers can deduplicate.

**Bounded size.** An alert travels to the alerts topic, into a webhook task and into every
subscriber's request, so its size must not grow with the article's. It did: a 510 KB article
repeating one shelling sentence gave a 940 KB alert (its entity mentions, mostly), and a slightly
larger one would have exceeded Kafka's 1 MB record limit; the send is retried, never dropped, so
the worker would have stalled on it. Now:

* a category shows at most :data:`MAX_EVIDENCE` items (as many as the classifier keeps), in its
  order, skipping a match whose rule and sentence text an earlier item already shows (a repeated
  paragraph adds nothing); ``evidence_total`` counts every match;
* a sentence longer than :data:`MAX_SENTENCE_CHARS` becomes a window around the matched words,
  ``…`` marking each cut;
* an entity shows its first :data:`MAX_MENTIONS` mentions, and ``mention_count`` counts them all;
* past :data:`MAX_ENTITIES` entities (an article listing hundreds of towns) the alert keeps the
  location and those with the most weight in event sentences, in order of first mention, and
  ``entity_count`` counts them all.

The classification and the linking themselves are untouched: severity, casualties, location and
primary country use every match. What is still unbounded (the article's title, URL and source, as
they came) is caught by the worker's record-size check (``alert_too_large``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from streamproc.classify import classifier
from streamproc.classify.result import Classification, Evidence
from streamproc.enrich.linker import LinkedEntity, Linking
from streamproc.ingest.article import Article

#: 1.1: ``evidence_total``, ``mention_count`` and ``entity_count``; evidence, sentences, mentions and
#: entities bounded (see above). 1.2: ``casualties.running_killed`` and ``running_injured``, a war's or a
#: year's total kept apart from the event's toll.
SCHEMA_VERSION = "1.2"

#: Evidence items shown per category: as many as the classifier keeps.
MAX_EVIDENCE = classifier.MAX_EVIDENCE
#: Longest evidence sentence shown, in characters (plus a ``…`` at each cut end).
MAX_SENTENCE_CHARS = 400
#: Mentions shown per entity.
MAX_MENTIONS = 10
#: Entities shown per alert.
MAX_ENTITIES = 50
ELLIPSIS = "…"


def alert_id_for(article: Article) -> str:
    text_hash = hashlib.sha256(article.text.encode("utf-8", "surrogatepass")).hexdigest()
    digest = hashlib.sha256(f"{article.id}\x00{text_hash}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"alr_{digest[:32]}"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def excerpt(sentence: str, term: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    """``sentence``, or when it is longer than ``limit``, the ``limit`` characters around ``term``
    (centred on its first occurrence), with ``…`` at each end that was cut. Scraped text without
    punctuation can make one "sentence" of a whole page; the term always stays in the window."""
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(term)
    if at < 0:  # the sentence has its white space collapsed; the term may not
        term = " ".join(term.split())
        at = max(0, sentence.find(term))
    start = min(max(0, at - max(0, limit - len(term)) // 2), len(sentence) - limit)
    end = start + limit
    return (ELLIPSIS if start else "") + sentence[start:end] + (ELLIPSIS if end < len(sentence) else "")


def evidence_shown(evidence: list[Evidence]) -> list[dict[str, object]]:
    """At most :data:`MAX_EVIDENCE` items, skipping repeats of a rule in the same sentence text."""
    out: list[dict[str, object]] = []
    seen: set[tuple[str, str]] = set()
    for e in evidence:
        if (e.rule, e.sentence) in seen:
            continue
        seen.add((e.rule, e.sentence))
        item = e.to_dict()
        item["sentence"] = excerpt(e.sentence, e.term)
        out.append(item)
        if len(out) == MAX_EVIDENCE:
            break
    return out


def entities_shown(linking: Linking, limit: int = MAX_ENTITIES) -> list[LinkedEntity]:
    """All entities when there are at most ``limit``; otherwise the location and the ``limit`` most
    relevant (weight earned in event sentences, event sentences named in, weight, mentions), still in
    order of first mention."""
    entities = linking.entities
    if len(entities) <= limit:
        return entities
    ranked = sorted(entities, key=lambda e: (e is not linking.location, -e.event_weight, -e.in_event_sentences,
                                             -e.weight, -len(e.mentions), e.mentions[0].start))
    kept = {id(e) for e in ranked[:limit]}
    return [e for e in entities if id(e) in kept]


def build_alert(article: Article, classification: Classification, linking: Linking,
                language_detected: bool, detected_at: str | None = None) -> dict[str, Any]:
    cas = classification.casualties
    location = linking.location
    return {
        "schema_version": SCHEMA_VERSION,
        "alert_id": alert_id_for(article),
        "article": article.reference(),
        "language": classification.language,
        "language_detected": language_detected,
        "categories": [
            {"name": hit.name, "subtype": hit.subtype, "evidence": evidence_shown(hit.evidence),
             "evidence_total": hit.matches}
            for hit in classification.categories.values()
        ],
        "severity": classification.severity,
        "score": classification.score,
        "severity_reasons": classification.severity_reasons,
        "casualties": {"killed": cas.killed, "injured": cas.injured,
                       "killed_at_least": cas.killed_at_least, "injured_at_least": cas.injured_at_least,
                       "running_killed": cas.running_killed, "running_injured": cas.running_injured},
        "entities": [e.to_dict(max_mentions=MAX_MENTIONS) for e in entities_shown(linking)],
        "entity_count": len(linking.entities),
        "primary_country": linking.primary_country,
        "location": None if location is None else {
            "id": location.record.id, "name": location.record.name, "country": location.record.country,
            "lat": location.record.lat, "lon": location.record.lon},
        "detected_at": detected_at or utc_now_iso(),
    }
