"""Find entity mentions in a document and resolve them to gazetteer records.

Overlapping aliases resolve to the longest («مجموعة مينسك» is the OSCE Minsk Group, not Minsk; the
OSCE's Arabic name contains «أوروبا», which is not a mention of Europe). Page-chrome lines are skipped.
The *event location* is the most-mentioned sub-national place in the sentences that carry
escalation evidence, so a capital that merely issued a statement does not become the location.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from streamproc.enrich.gazetteer import Gazetteer, EntityRecord
from streamproc.text.document import Document
from streamproc.text.lexicon import longest_non_overlapping


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class LinkedEntity:
    record: EntityRecord
    mentions: list[Mention] = field(default_factory=list)
    in_event_sentences: int = 0

    def to_dict(self) -> dict[str, object]:
        r = self.record
        out: dict[str, object] = {"id": r.id, "type": r.type, "name": r.name, "country": r.country}
        if r.is_place:
            out.update(geonames_id=r.geonames_id, lat=r.lat, lon=r.lon, admin1=r.admin1)
        out["mentions"] = [{"start": m.start, "end": m.end, "text": m.text} for m in self.mentions]
        return out


@dataclass(slots=True)
class Linking:
    entities: list[LinkedEntity]
    primary_country: str | None
    location: LinkedEntity | None


def link(doc: Document, gazetteer: Gazetteer, skip_lines: set[int] = frozenset(),  # type: ignore[assignment]
         event_sentences: set[int] = frozenset()) -> Linking:  # type: ignore[assignment]
    matches = [m for m in gazetteer.lexicon.find(doc) if doc.line_of_word(m.first_word) not in skip_lines]
    found: dict[int, LinkedEntity] = {}
    for m in longest_non_overlapping(matches):
        record = gazetteer.records[m.payload]
        entity = found.setdefault(m.payload, LinkedEntity(record))
        s, e = doc.original_span(m.start, m.end)
        entity.mentions.append(Mention(s, e, doc.original[s:e]))
        if doc.sentence_of_word(m.first_word) in event_sentences:
            entity.in_event_sentences += 1
    entities = sorted(found.values(), key=lambda x: x.mentions[0].start)

    country_weight: Counter[str] = Counter()
    for ent in entities:
        if ent.record.is_place and ent.record.country:
            country_weight[ent.record.country] += len(ent.mentions) + 2 * ent.in_event_sentences
    places = [e for e in entities if e.record.type in ("city", "region")]
    location = max(places, key=lambda e: (e.in_event_sentences, len(e.mentions)), default=None)
    if location is not None and location.in_event_sentences:
        primary = location.record.country
    else:
        primary = country_weight.most_common(1)[0][0] if country_weight else None
        location = None
    return Linking(entities=entities, primary_country=primary, location=location)
