"""Per-script normalisation that keeps a way back to the original text.

Both the lexicons and the article go through :func:`normalize`, so a term written in its natural
spelling matches every spelling variant the normalisation folds together. Evidence must point into
the *original* text, so :class:`NormalizedText` keeps enough to map a normalised offset back.

Normalisation is done one character at a time through ``str.translate`` with a lazily filled table:
that runs in C, and for most text (every character maps to exactly one character) the offset map is
the identity and is never built.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

#: Arabic letters folded together: hamza/madda alef forms, alef maqsura, taa marbuta, hamza carriers.
_ARABIC_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ئ": "ي", "ک": "ك",
    "ة": "ه", "ۀ": "ه",
    "ؤ": "و",
    "ـ": "",  # tatweel (kashida): pure typography
}

# Typographic apostrophes and dashes that vary between outlets.
_PUNCT_FOLD = {"’": "'", "ʼ": "'", "‘": "'", "`": "'", "\u00ad": "", "\u200c": "", "\u200d": "",
               "\u200e": "", "\u200f": "", "\ufeff": ""}


def _fold_char(ch: str) -> str:
    """Normalise one character: the single source of truth for the fold.

    Compatibility decomposition (NFKD) then dropping combining marks removes Arabic harakat and
    shadda, hamza on its carriers, Latin accents (so «économie» matches "economie" in scraped text
    that lost them) and the Cyrillic diaeresis (ё -> е), the same way on both sides of a match.
    """
    if ch in _PUNCT_FOLD:
        return _PUNCT_FOLD[ch]
    if unicodedata.category(ch) == "Nd":
        # Arabic-Indic, Persian and any other decimal digits -> ASCII.
        return str(unicodedata.digit(ch))
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(c) == "Mn":
            continue
        for f in c.casefold():
            out.append(_ARABIC_FOLD.get(f, f))
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A translate table that computes and caches each code point on first sight."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Normalise ``text`` (no offset map). Used for lexicon terms."""
    return text.translate(_TABLE)


@dataclass(slots=True)
class NormalizedText:
    """The original text, its normalised form, and the offset map between them."""

    original: str
    text: str
    _starts: list[int] | None = field(default=None, repr=False)

    def to_original(self, offset: int) -> int:
        """Map an offset in :attr:`text` to the matching offset in :attr:`original`.

        Only built when the lengths differ (a character was dropped or expanded).
        """
        if len(self.text) == len(self.original) and self._starts is None:
            return offset
        if self._starts is None:
            # _starts[i] = normalised offset where original char i begins.
            lengths = [len(_TABLE[ord(c)]) for c in self.original]
            self._starts = [0, *accumulate(lengths)]
        # The original char whose normalised span contains ``offset``.
        idx = bisect_right(self._starts, offset) - 1
        # Skip characters that normalised to nothing (they share the same start).
        while idx + 1 < len(self._starts) and self._starts[idx + 1] == self._starts[idx] and \
                self._starts[idx] == offset and idx + 1 < len(self.original):
            idx += 1
        return min(max(idx, 0), len(self.original))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` span to the original text."""
        o_start = self.to_original(start)
        o_end = self.to_original(end - 1) + 1 if end > start else o_start
        return o_start, o_end


def normalize(text: str) -> NormalizedText:
    """Normalise an article's text, keeping the way back to the original offsets.

    Decomposed and precomposed accents fold to the same result, so no NFC pass (which would shift
    offsets) is needed first.
    """
    return NormalizedText(original=text, text=text.translate(_TABLE))
