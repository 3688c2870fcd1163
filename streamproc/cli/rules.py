"""``streamproc rules check`` and ``streamproc rules explain``."""

from __future__ import annotations

import sys

from streamproc.config import Settings
from streamproc.ingest.article import Article


def run_check(settings: Settings) -> int:
    from streamproc.worker.run import build_pipeline

    pipeline = build_pipeline(settings)  # raises DataErrors with file:line: reason
    for lang, rules in sorted(pipeline.classifier.rules.items()):
        print(f"{lang}: {rules.term_count} terms ({rules.path})")
    print(f"entities: {len(pipeline.gazetteer)} records, {len(pipeline.gazetteer.lexicon.terms)} aliases")
    print("ok")
    return 0


def run_explain(settings: Settings, text: str, lang: str | None, published: str | None = None) -> int:
    from datetime import datetime

    from streamproc.worker.run import build_pipeline

    if published is not None:
        try:
            datetime.fromisoformat(published)
        except ValueError:
            print(f"--published: {published!r} is not an ISO 8601 date", file=sys.stderr)
            return 2
    pipeline = build_pipeline(settings)
    article = Article(id="explain", text=text, language=lang, published_at=published)
    language, detected = pipeline.resolve_language(article)
    print(f"language: {language}{' (detected)' if detected else ''}")
    if language not in pipeline.classifier.rules:
        print(f"no rules for '{language}'", file=sys.stderr)
        return 1
    c, linking, _ = pipeline.analyse(article, language)
    if not c.categories:
        print("categories: none (no escalation)")
    for hit in c.categories.values():
        sub = f" [{hit.subtype}]" if hit.subtype else ""
        print(f"category {hit.name}{sub}:")
        for e in hit.evidence:
            print(f"  matched {e.term!r} by rule {e.rule!r} at {e.start}-{e.end} in: {e.sentence}")
    for s in c.suppressed:
        print(f"suppressed {s.role}: {s.evidence.term!r} (rule {s.evidence.rule!r}) - {s.reason}")
    cas = c.casualties
    print(f"killed: {cas.killed}{'+' if cas.killed_at_least else ''}  "
          f"injured: {cas.injured}{'+' if cas.injured_at_least else ''}")
    if cas.running_killed is not None or cas.running_injured is not None:
        print(f"running total (not the event's toll): killed {cas.running_killed}  injured {cas.running_injured}")
    print(f"severity: {c.severity} (score {c.score:.2f}" + (": " + "; ".join(c.severity_reasons) if
                                                           c.severity_reasons else "") + ")")
    for ent in linking.entities:
        print(f"entity {ent.record.type} {ent.record.name} ({ent.record.id}, {ent.record.country}): "
              + ", ".join(repr(m.text) for m in ent.mentions))
    print(f"primary country: {linking.primary_country}; location: "
          f"{linking.location.record.name if linking.location else None}")
    return 0
