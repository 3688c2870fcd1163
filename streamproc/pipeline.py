"""The pure pipeline: raw message bytes in, an :class:`Outcome` out. No Kafka, no HTTP.

    bytes --decode--> Article --normalise/segment--> Document --classify--> Classification
          --link entities--> Linking --build--> alert document

The Faust agent, the ``classify`` command, the evaluation and the benchmark all call this one class,
so what is measured and tested is exactly what runs in production.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from streamproc.alerts.build import build_alert
from streamproc.alerts.dedupe import content_key, keys_for
from streamproc.classify.classifier import Classifier
from streamproc.classify.result import Classification
from streamproc.classify.rules import RULES_DIR, load_rules
from streamproc.classify.severity import load_severity
from streamproc.enrich.gazetteer import ENTITIES_DIR, Gazetteer, load_gazetteer
from streamproc.enrich.linker import Linking, link
from streamproc.ingest.article import Article
from streamproc.ingest.decode import DEFAULT_MAX_BYTES, DecodeError, Reason, decode_article
from streamproc.text.document import Document, build_document
from streamproc.text.language import detect_language

Kind = Literal["alert", "no_alert", "dead_letter", "duplicate"]


@dataclass(slots=True)
class Outcome:
    kind: Kind
    article: Article | None = None
    alert: dict[str, Any] | None = None
    language: str | None = None
    classification: Classification | None = None
    reason: Reason | None = None
    error: str | None = None
    skipped: str | None = None          # why an article was not classified (unsupported language)
    timings: dict[str, float] = field(default_factory=dict)
    dedupe_keys: list[str] = field(default_factory=list)  # see streamproc.alerts.dedupe


class Pipeline:
    """Holds the loaded rules and gazetteer; :meth:`process` is safe to call from any thread."""

    def __init__(self, rules_dir: Path = RULES_DIR, entities_dir: Path = ENTITIES_DIR,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        rules = load_rules(rules_dir)
        self.classifier = Classifier(rules, load_severity(rules_dir / "severity.yaml"))
        proclitics = sorted({p for r in rules.values() for p in r.lexicon.proclitics})
        contractions = {a: cs for r in rules.values() for a, cs in r.lexicon.contractions.items()}
        self.gazetteer: Gazetteer = load_gazetteer(entities_dir, proclitics=proclitics, contractions=contractions)
        self.max_bytes = max_bytes

    @property
    def languages(self) -> tuple[str, ...]:
        return self.classifier.languages

    def resolve_language(self, article: Article) -> tuple[str, bool]:
        """The article's language: as declared when given, otherwise detected."""
        if article.language:
            return article.language, False
        lang, _ = detect_language(article.text)
        return lang, True

    def document(self, text: str, language: str) -> Document:
        """``text`` normalised and segmented, the language's abbreviations ending no sentence."""
        rules = self.classifier.rules.get(language)
        return build_document(text, rules.abbreviations if rules is not None else frozenset())

    def analyse(self, article: Article, language: str | None = None) -> tuple[Classification, Linking, bool]:
        """Classify and link one article (language detected when not given)."""
        detected = False
        if language is None:
            language, detected = self.resolve_language(article)
        doc = self.document(article.text, language)
        classification = self.classifier.classify(doc, language, published_year(article))
        linking = link(doc, self.gazetteer, classification.chrome_lines, classification.event_sentences,
                       language, classification.truce_only_sentences)
        return classification, linking, detected

    def process(self, raw: bytes | None) -> Outcome:
        """Decode, classify, enrich and build the alert; never raises for bad input."""
        t0 = time.perf_counter()
        try:
            article = decode_article(raw, self.max_bytes)
        except DecodeError as exc:
            return Outcome("dead_letter", reason=exc.reason, error=exc.message)
        t1 = time.perf_counter()
        try:
            return self._process_article(article, t0, t1)
        except Exception as exc:  # noqa: BLE001 - a bug must dead-letter one article, not stop the stream
            return Outcome("dead_letter", article=article, reason=Reason.PROCESSING_ERROR,
                           error=f"{type(exc).__name__}: {exc}")

    def _process_article(self, article: Article, t0: float, t1: float) -> Outcome:
        language, detected = self.resolve_language(article)
        if language not in self.classifier.rules:
            return Outcome("no_alert", article=article, language=language,
                           skipped=f"unsupported language '{language}'")
        doc = self.document(article.text, language)
        t2 = time.perf_counter()
        classification = self.classifier.classify(doc, language, published_year(article))
        t3 = time.perf_counter()
        timings = {"decode": t1 - t0, "normalise": t2 - t1, "classify": t3 - t2}
        if not classification.is_escalation:
            return Outcome("no_alert", article=article, language=language, classification=classification,
                           timings=timings)
        linking = link(doc, self.gazetteer, classification.chrome_lines, classification.event_sentences,
                       language, classification.truce_only_sentences)
        t4 = time.perf_counter()
        alert = build_alert(article, classification, linking, language_detected=detected)
        keys = keys_for(alert, content_key(_words_outside_chrome(doc, classification.chrome_lines)))
        timings.update(enrich=t4 - t3, build=time.perf_counter() - t4)
        return Outcome("alert", article=article, alert=alert, language=language,
                       classification=classification, timings=timings, dedupe_keys=keys)


def published_year(article: Article) -> int | None:
    """The year of ``published_at`` (validated as ISO 8601 by the decoder), or None; None too for a
    year no news article has (before 1900, or after next year): a scraper's default date such as
    0001-01-01 or 2099-12-31 must not date every sentence."""
    if not article.published_at:
        return None
    try:
        year = datetime.fromisoformat(article.published_at).year
    except ValueError:
        return None
    return year if 1900 <= year <= datetime.now(UTC).year + 1 else None


def _words_outside_chrome(doc: Document, chrome_lines: set[int]) -> list[str]:
    """The article's words minus page chrome: what two outlets running the same copy share."""
    if not chrome_lines:
        return doc.words
    # Whole lines go, so cut the word list at the chrome lines' word ranges: a few slices instead of
    # a line lookup per word (that lookup was most of the build stage).
    out: list[str] = []
    kept_from = 0
    for line in sorted(chrome_lines):
        span = doc.line_words(line)
        out += doc.words[kept_from:span.start]
        kept_from = max(kept_from, span.stop)
    out += doc.words[kept_from:]
    return out
