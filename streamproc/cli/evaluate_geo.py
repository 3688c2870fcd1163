"""``streamproc eval-geo FILE.tsv...``: where the events happened — primary country and location.

Gold TSV (header row, tab-separated, no quoting): ``id, text, country, location`` and optionally ``lang``.
``country`` is an ISO 3166-1 alpha-2 code or a country name the gazetteer knows ("Ukraine",
"Ukrainian", «أوكرانيا»); ``location`` is a place name ("Kherson", "Kiev" and "Kyiv" are the same place).

Figures per file (rows whose text repeats are scored once):

* **primary country accuracy**: the alert's ``primary_country`` equals the gold country (rows with a
  gold country);
* **location recall**: the gold location is among the places found in the text (rows with a gold
  location) — the same place whatever its spelling: the gold name is resolved through the gazetteer,
  and a place also counts when its canonical name or one of its mentions equals the gold name;
* **location exact**: the alert's ``location`` is the gold location.

The whole pipeline runs on every row (``Pipeline.analyse``), escalation or not, as ``classify --tsv`` does.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from streamproc.config import Settings
from streamproc.enrich.geonames import key_of
from streamproc.ingest.article import Article
from streamproc.text.document import build_document


@dataclass
class GeoScores:
    rows: int = 0
    country_rows: int = 0
    country_right: int = 0
    location_rows: int = 0
    location_found: int = 0
    location_exact: int = 0
    misses: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int | None]:
        def ratio(a: int, b: int) -> float | None:
            return a / b if b else None
        return {"rows": self.rows, "country_accuracy": ratio(self.country_right, self.country_rows),
                "location_recall": ratio(self.location_found, self.location_rows),
                "location_exact": ratio(self.location_exact, self.location_rows)}


def _records_named(pipeline: object, name: str) -> set[int]:
    """Gazetteer records that ``name`` alone resolves to (every candidate of the longest match)."""
    gazetteer = pipeline.gazetteer  # type: ignore[attr-defined]
    doc = build_document(name)
    out: set[int] = set()
    best = 0
    spans: list[tuple[int, set[int]]] = []
    for m in gazetteer.lexicon.find(doc):
        spans.append((m.last_word - m.first_word, {m.payload}))
    if gazetteer.geo is not None:
        for first, last, candidates in gazetteer.geo.find(doc):
            spans.append((last - first, set(candidates)))
    if spans:
        best = max(n for n, _ in spans)
        for n, ids in spans:
            if n == best:
                out |= ids
    return out


def _country_code(pipeline: object, value: str) -> str | None:
    value = value.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    records = pipeline.gazetteer.records  # type: ignore[attr-defined]
    for i in sorted(_records_named(pipeline, value)):
        if records[i].type == "country":
            return records[i].country
    return None


def evaluate_geo(pipeline: object, path: Path, detect: bool = False) -> GeoScores:
    csv.field_size_limit(sys.maxsize)
    scores = GeoScores()
    records = pipeline.gazetteer.records  # type: ignore[attr-defined]
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"id", "text", "country", "location"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: the TSV needs the columns {', '.join(sorted(missing))}")
        for row in reader:
            text = row.get("text") or ""
            norm = " ".join(text.split())
            if not norm or norm in seen:
                continue
            seen.add(norm)
            scores.rows += 1
            lang = None if detect else (row.get("lang") or "").strip() or None
            article = Article(id=row["id"], text=text, language=lang)
            language, _ = pipeline.resolve_language(article)  # type: ignore[attr-defined]
            if language not in pipeline.classifier.rules:  # type: ignore[attr-defined]
                language = "en"
            _, linking, _ = pipeline.analyse(article, language)  # type: ignore[attr-defined]
            gold_country = _country_code(pipeline, row.get("country") or "") if (row.get("country") or "").strip() \
                else None
            gold_location = (row.get("location") or "").strip()
            problems: list[str] = []
            if gold_country:
                scores.country_rows += 1
                if linking.primary_country == gold_country:
                    scores.country_right += 1
                else:
                    problems.append(f"country {linking.primary_country} != {gold_country}")
            if gold_location:
                scores.location_rows += 1
                gold_ids = {records[i].id for i in _records_named(pipeline, gold_location)}
                gold_key = key_of(gold_location)

                def same(ent: object, gold_ids: set[str] = gold_ids, gold_key: str = gold_key) -> bool:
                    rec = ent.record  # type: ignore[attr-defined]
                    return rec.id in gold_ids or key_of(rec.name) == gold_key or any(
                        key_of(m.text) == gold_key for m in ent.mentions)  # type: ignore[attr-defined]

                places = [e for e in linking.entities if e.record.is_place]
                if any(same(e) for e in places):
                    scores.location_found += 1
                else:
                    problems.append(f"location {gold_location!r} not in {[e.record.name for e in places]}")
                if linking.location is not None and same(linking.location):
                    scores.location_exact += 1
                elif not problems or not problems[-1].startswith("location"):
                    problems.append(f"location is {linking.location.record.name if linking.location else None}"
                                    f", gold {gold_location!r}")
            if problems:
                scores.misses.append(f"{row['id']}: " + "; ".join(problems))
    return scores


def _fmt(v: object) -> str:
    return "  n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def run_eval_geo(settings: Settings, paths: list[str], detect: bool = False, verbose: bool = False) -> int:
    from streamproc.pipeline import Pipeline

    kwargs: dict[str, Path] = {}
    if settings.rules_dir:
        kwargs["rules_dir"] = Path(settings.rules_dir)
    if settings.entities_dir:
        kwargs["entities_dir"] = Path(settings.entities_dir)
    pipeline = Pipeline(max_bytes=settings.max_message_bytes, **kwargs)  # type: ignore[arg-type]
    status = 0
    for path in paths:
        try:
            scores = evaluate_geo(pipeline, Path(path), detect)
        except (OSError, ValueError) as exc:
            print(f"streamproc: {exc}", file=sys.stderr)
            status = 2
            continue
        s = scores.summary()
        print(f"{Path(path).name} rows={s['rows']} primary_country_accuracy={_fmt(s['country_accuracy'])} "
              f"({scores.country_right}/{scores.country_rows}) location_recall={_fmt(s['location_recall'])} "
              f"({scores.location_found}/{scores.location_rows}) location_exact={_fmt(s['location_exact'])} "
              f"({scores.location_exact}/{scores.location_rows})")
        if verbose:
            for miss in scores.misses:
                print(f"    {miss}")
    return status
