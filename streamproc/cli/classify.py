"""``streamproc classify``: one article in human-readable form, or a TSV batch as JSON lines."""

from __future__ import annotations

import csv
import dataclasses
import sys
from pathlib import Path

import orjson

from streamproc.config import Settings
from streamproc.ingest.article import Article
from streamproc.ingest.decode import DecodeError, decode_article


def read_article(path: Path) -> Article:
    """A JSON article (the input contract), or a plain text file (id = file name)."""
    raw = path.read_bytes()
    if path.suffix == ".json":
        return decode_article(raw, max_bytes=len(raw) + 1)
    return Article(id=path.stem, text=raw.decode("utf-8"))


def run_classify(settings: Settings, path: str, tsv: bool, lang: str | None, as_json: bool) -> int:
    from streamproc.worker.run import build_pipeline

    pipeline = build_pipeline(settings)
    if tsv:
        return _batch(pipeline, Path(path), lang)
    try:
        article = read_article(Path(path))
    except DecodeError as exc:
        print(f"streamproc: {path}: {exc}", file=sys.stderr)
        return 2
    if lang:
        article = dataclasses.replace(article, language=lang)
    outcome = pipeline.process(orjson.dumps(dataclasses.asdict(article)))
    if as_json:
        print(orjson.dumps(outcome.alert, option=orjson.OPT_INDENT_2).decode() if outcome.alert else "null")
        return 0
    if outcome.kind == "dead_letter":
        print(f"rejected: {outcome.reason.value if outcome.reason else ''}: {outcome.error}")
        return 1
    print(f"article: {article.id}")
    print(f"language: {outcome.language}")
    if outcome.skipped:
        print(f"not classified: {outcome.skipped}")
        return 0
    alert = outcome.alert
    if alert is None:
        print("escalation: no")
        return 0
    print(f"escalation: yes  severity: {alert['severity']} (score {alert['score']:.2f})")
    for cat in alert["categories"]:
        sub = f" [{cat['subtype']}]" if cat["subtype"] else ""
        terms = ", ".join(dict.fromkeys(e["term"] for e in cat["evidence"]))
        print(f"  {cat['name']}{sub}: {terms}")
    cas = alert["casualties"]
    print(f"killed: {cas['killed']}  injured: {cas['injured']}")
    print("entities: " + ", ".join(f"{e['name']} ({e['type']})" for e in alert["entities"]))
    loc = alert["location"]
    print(f"primary country: {alert['primary_country']}  location: {loc['name'] if loc else None}")
    print(f"alert_id: {alert['alert_id']}")
    return 0


def _batch(pipeline: object, path: Path, lang: str | None) -> int:
    """Reads a TSV with a header row holding ``id``, ``text`` and optionally ``lang`` and ``published``
    (an ISO 8601 date, or a year: it dates the row's text for the past-event rule)."""
    csv.field_size_limit(sys.maxsize)
    out = sys.stdout.buffer
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not reader.fieldnames or "id" not in reader.fieldnames or "text" not in reader.fieldnames:
            print(f"streamproc: {path}: the TSV needs a header with 'id' and 'text'", file=sys.stderr)
            return 2
        for row in reader:
            published = (row.get("published") or "").strip() or None
            if published is not None and published.isdigit() and len(published) == 4:
                published += "-07-01"  # a year alone: its middle
            article = Article(id=row["id"], text=row.get("text") or "", language=(row.get("lang") or lang or None),
                              published_at=published)
            result: dict[str, object] = {"id": row["id"], "categories": [], "severity": "none",
                                         "killed": None, "injured": None, "countries": [], "places": []}
            if article.text.strip():
                language, _ = pipeline.resolve_language(article)  # type: ignore[attr-defined]
                if language in pipeline.classifier.rules:  # type: ignore[attr-defined]
                    c, linking, _ = pipeline.analyse(article, language)  # type: ignore[attr-defined]
                    # countries: ISO codes, primary first; places: names, the event location first
                    result.update(categories=list(c.categories), severity=c.severity,
                                  killed=c.casualties.killed, injured=c.casualties.injured,
                                  countries=linking.countries, places=linking.places)
            out.write(orjson.dumps(result) + b"\n")
    out.flush()
    return 0
