"""Language identification for articles that do not say which language they are in.

py3langid (a maintained, dependency-light fork of langid.py) classifies ~1 KB in a fraction of a
millisecond. Only the first few kilobytes are looked at: enough for a reliable guess, and it keeps
the cost flat for huge articles.
"""

from __future__ import annotations

from functools import lru_cache

SAMPLE_CHARS = 4000


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """Return ``(ISO 639-1 code, probability)`` for ``text``."""
    if not text.strip():
        return "und", 0.0
    lang, prob = _identifier().classify(text[:SAMPLE_CHARS])
    return str(lang), float(prob)
