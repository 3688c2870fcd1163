"""Assemble the alert document from an article, its classification and its entities.

``alert_id`` is derived from the article id and a hash of its text, never from time or randomness:
Kafka redelivers after rebalances and crashes (at-least-once), and a redelivered article must yield
the very same id so that consumers and webhook subscribers can deduplicate.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from streamproc.classify.result import Classification
from streamproc.enrich.linker import Linking
from streamproc.ingest.article import Article

SCHEMA_VERSION = "1.0"


def alert_id_for(article: Article) -> str:
    text_hash = hashlib.sha256(article.text.encode("utf-8", "surrogatepass")).hexdigest()
    digest = hashlib.sha256(f"{article.id}\x00{text_hash}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"alr_{digest[:32]}"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
            {"name": hit.name, "subtype": hit.subtype, "evidence": [e.to_dict() for e in hit.evidence]}
            for hit in classification.categories.values()
        ],
        "severity": classification.severity,
        "score": classification.score,
        "severity_reasons": classification.severity_reasons,
        "casualties": {"killed": cas.killed, "injured": cas.injured,
                       "killed_at_least": cas.killed_at_least, "injured_at_least": cas.injured_at_least},
        "entities": [e.to_dict() for e in linking.entities],
        "primary_country": linking.primary_country,
        "location": None if location is None else {
            "id": location.record.id, "name": location.record.name, "country": location.record.country,
            "lat": location.record.lat, "lon": location.record.lon},
        "detected_at": detected_at or utc_now_iso(),
    }
