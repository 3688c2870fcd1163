"""Per-script normalisation that keeps a way back to the original text.

Both the lexicons and the article go through :func:`normalize`, so a term written in its natural
spelling matches every spelling variant the normalisation folds together. Evidence must point into
the *original* text, so :class:`NormalizedText` keeps enough to map a normalised offset back.

Normalisation is done one character at a time through ``str.translate`` with a lazily filled table:
that runs in C, and for most text (every character maps to exactly one character) the offset map is
the identity and is never built.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

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


class _LengthTable(dict[int, str]):
    """Maps a code point to one character encoding how many characters it folds to (``"1"`` = one)."""

    def __missing__(self, key: int) -> str:
        value = chr(0x30 + len(_TABLE[key]))
        self[key] = value
        return value


_LENGTHS = _LengthTable()
_IRREGULAR_RE = re.compile("[^1]")


@dataclass(slots=True)
class NormalizedText:
    """The original text, its normalised form, and the offset map between them.

    The map only records the *irregular* characters (dropped marks, expanded ligatures), found with
    one ``translate`` and one regex scan in C; every other character maps one to one.
    """

    original: str
    text: str
    _norm_pos: list[int] | None = field(default=None, repr=False)   # normalised start of each irregular char
    _orig_pos: list[int] = field(default_factory=list, repr=False)  # its original offset
    _lengths: list[int] = field(default_factory=list, repr=False)   # how many chars it folded to

    def _build(self) -> list[int]:
        norm_pos: list[int] = []
        shift = 0
        for m in _IRREGULAR_RE.finditer(self.original.translate(_LENGTHS)):
            n = ord(m.group()) - 0x30
            self._orig_pos.append(m.start())
            self._lengths.append(n)
            norm_pos.append(m.start() + shift)
            shift += n - 1
        self._norm_pos = norm_pos
        return norm_pos

    def to_original(self, offset: int) -> int:
        """Map an offset in :attr:`text` to the matching offset in :attr:`original`."""
        norm_pos = self._norm_pos if self._norm_pos is not None else self._build()
        k = bisect_right(norm_pos, offset) - 1
        if k < 0:
            return offset
        end_of_k = norm_pos[k] + self._lengths[k]
        if offset < end_of_k:  # inside the expansion of an irregular character
            return self._orig_pos[k]
        return self._orig_pos[k] + 1 + (offset - end_of_k)

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
