"""Per-script normalisation that keeps a way back to the original text.

Both the lexicons and the article go through :func:`normalize`, so a term written in its natural
spelling matches every spelling variant the normalisation folds together. Evidence must point into
the *original* text, so :class:`NormalizedText` keeps enough to map a normalised offset back.

The fold is defined one character at a time (:func:`fold_char`, the single source of truth), but it
is *computed* on whole strings with a few C-level passes (see :func:`fold`). A per-character
``str.translate`` gave the same result at a third of the speed; a test checks that both agree on
every code point.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

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

_LETTER_FOLD = _ARABIC_FOLD | _PUNCT_FOLD

#: Code points examined when the fast tables are built; beyond them (planes 3-13, 15-16) nothing
#: decomposes, case-folds or combines, and :meth:`NormalizedText._build` still checks each one.
_SCANNED = (range(0x30000), range(0xE0000, 0xE1000))


def fold_char(ch: str) -> str:
    """Normalise one character: the definition of the fold.

    Case folding, then compatibility decomposition (NFKD) and dropping combining marks: that removes
    Arabic harakat and shadda, hamza on its carriers, Latin accents (so «économie» matches "economie"
    in scraped text that lost them) and the Cyrillic diaeresis (ё -> е), the same way on both sides
    of a match. Digits of every script become ASCII.
    """
    out = []
    for lower in ch.casefold():
        if unicodedata.category(lower) == "Nd":
            out.append(str(unicodedata.digit(lower)))
            continue
        for c in unicodedata.normalize("NFKD", lower):
            if unicodedata.category(c) == "Mn":
                continue
            for f in c.casefold():
                out.append(_LETTER_FOLD.get(f, f))
    return "".join(out)


def _char_class(code_points: Iterable[int]) -> str:
    """A regex character class of ``code_points``, written as ranges."""
    parts: list[str] = []
    i = 0
    cps = sorted(code_points)
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(re.escape(chr(cps[i])) + ("-" + re.escape(chr(cps[j])) if j > i else ""))
        i = j + 1
    return "[" + "".join(parts) + "]"


#: Blocks whose letters make up nearly all of our languages' text. Their letters that fold to at most
#: one other character (é -> e, ё -> е, أ -> ا, ة -> ه, harakat -> nothing) are folded with one
#: ``str.replace`` per distinct letter present: far cheaper than NFKD plus deleting each combining
#: mark one regex match at a time.
_COMMON_BLOCKS = ((0x00C0, 0x024F), (0x0300, 0x036F), (0x0400, 0x04FF), (0x0600, 0x06FF),
                  (0x1E00, 0x1EFF), (0x2018, 0x2019))
_ASTRAL_BEYOND_SCAN = "\U00030000-\U000dffff\U000e1000-\U0010ffff"


@dataclass(frozen=True, slots=True)
class _Patterns:
    to_fold: re.Pattern[str]     # any case-folded character that still folds (common or not)
    marks: re.Pattern[str]       # runs of combining marks (general path: dropped)
    fix: re.Pattern[str]         # runs of characters NFKD + casefold leave unfolded (general path)
    irregular: re.Pattern[str]   # characters that fold to other than exactly one character


@dataclass(frozen=True, slots=True)
class _Tables:
    """Two compiled variants: ``re`` tests a class of BMP characters against a bitmap in constant
    time, but a class holding astral code points becomes a list of ranges tried one by one (40x
    slower), so text without astral characters (nearly all) uses the BMP-only patterns."""

    bmp: _Patterns
    full: _Patterns
    common: dict[str, str]       # the common letters and what they fold to
    fix_map: dict[int, str]      # what the ``fix`` characters fold to
    #: Per BMP code unit (see :func:`_fold_units`): the code unit it folds to when that is exactly one
    #: BMP character (itself for most), whether it folds to nothing (marks, tatweel), and whether it
    #: folds to anything else (two or more characters, or an astral one).
    unit_fold: np.ndarray
    unit_drop: np.ndarray
    unit_irregular: np.ndarray


@cache
def _tables() -> _Tables:
    """Built once (~0.1 s) from the Unicode database Python ships with.

    Only characters that can fold at all are examined closely: combining marks, non-ASCII digits,
    characters with a decomposition or a non-trivial case folding, and our own letter folds. Every
    other character folds to itself.
    """
    category, decomposition = unicodedata.category, unicodedata.decomposition
    common: dict[str, str] = {}
    for lo, hi in _COMMON_BLOCKS:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            folded = fold_char(ch)
            if ch.casefold() == ch and len(folded) <= 1 and folded != ch and category(ch) != "Nd":
                common[ch] = folded
    to_fold: list[int] = []
    irregular: list[int] = []
    marks: list[int] = []
    fix_map: dict[int, str] = {ord(k): v for k, v in _LETTER_FOLD.items()}
    unit_fold = np.arange(0x10000, dtype=np.uint16)
    unit_drop = np.zeros(0x10000, dtype=np.bool_)
    unit_irregular = np.zeros(0x10000, dtype=np.bool_)
    for block in _SCANNED:
        for cp in block:
            ch = chr(cp)
            cat = category(ch)
            if 0xAC00 <= cp <= 0xD7A3:  # Hangul syllables decompose to two or three jamo
                to_fold.append(cp)
                irregular.append(cp)
                unit_irregular[cp] = True
                continue
            if cat == "Mn":
                marks.append(cp)
            elif cat == "Nd" and cp > 0x7F:
                fix_map[cp] = str(unicodedata.digit(ch))
            elif not (decomposition(ch) or ch.casefold() != ch or ch in _LETTER_FOLD):
                continue  # folds to itself
            folded = fold_char(ch)
            if folded != ch:
                to_fold.append(cp)
            if len(folded) != 1:
                irregular.append(cp)
            if cp <= 0xFFFF:
                if not folded:
                    unit_drop[cp] = True
                elif len(folded) == 1 and ord(folded) <= 0xFFFF:
                    unit_fold[cp] = ord(folded)
                else:
                    unit_irregular[cp] = True

    def patterns(keep: Callable[[int], bool], extra: str) -> _Patterns:
        def cls(cps: Iterable[int], more: str = "") -> str:
            return _char_class(c for c in cps if keep(c))[:-1] + more + "]"
        return _Patterns(to_fold=re.compile(cls(to_fold, extra)), marks=re.compile(cls(marks) + "+"),
                         fix=re.compile(cls(fix_map) + "+"), irregular=re.compile(cls(irregular, extra)))

    return _Tables(bmp=patterns(lambda c: c <= 0xFFFF, ""),
                   full=patterns(lambda c: True, _ASTRAL_BEYOND_SCAN), common=common, fix_map=fix_map,
                   unit_fold=unit_fold, unit_drop=unit_drop, unit_irregular=unit_irregular)


def _patterns(text: str) -> _Patterns:
    t = _tables()
    # Any astral character makes UTF-16 longer than two bytes per character (a C-speed check).
    return t.bmp if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text) else t.full


def fold(text: str) -> str:
    """Normalise ``text``: equal to ``"".join(map(fold_char, text))``, computed in C-level passes.

    ASCII text is lowercased. Other text without astral characters, and with no character that
    folds to more than one (nearly all articles), is folded by table look-ups over its UTF-16 code
    units (:func:`_fold_units`). The rest takes string passes: ``casefold``, one regex pass listing
    what is left to fold, then one ``str.replace`` per distinct accented or variant letter, or, for
    anything else that folds (ligatures, presentation forms), the general path: NFKD, delete marks,
    casefold again, fold what is left.
    """
    return _fold(text)[0]


def _fold(text: str) -> tuple[str, bool]:
    """:func:`fold`, and whether every character is known to fold to exactly one character.

    When it does, normalised and original offsets are equal and :class:`NormalizedText` needs no
    scan for irregular characters (most articles outside Arabic: ~10 µs each). ``casefold`` never
    shortens a character, so an unchanged length means none expanded; the common letters then fold
    one to one unless they are marks dropped outright. ``False`` only means "not known".
    """
    if text.isascii():
        return text.replace("`", "'").lower(), True
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(units) == len(text):  # no astral character
        folded = _fold_units(units)
        if folded is not None:
            return folded
    s = text.casefold()
    one_to_one = len(s) == len(text)
    p = _patterns(s)
    found = set(p.to_fold.findall(s))
    if not found:
        return s, one_to_one
    t = _tables()
    common = t.common
    if found.issubset(common):
        for ch in found:
            folded = common[ch]
            one_to_one = one_to_one and folded != ""
            s = s.replace(ch, folded)
        return s, one_to_one
    s = p.marks.sub("", unicodedata.normalize("NFKD", s)).casefold()
    fix_map = t.fix_map
    return p.fix.sub(lambda m: m.group().translate(fix_map), s), False


def _fold_units(units: np.ndarray) -> tuple[str, bool] | None:
    """:func:`_fold` of BMP text as its UTF-16 code units, or ``None`` if a character in it folds to
    more than one (then the string passes below apply).

    Three table look-ups over the whole array in C: which units fold to something other than one
    character, what each folds to, and which fold to nothing. ~40% less time than the string
    passes on a 3 KB Arabic or Cyrillic article, whose ``re`` scan for the letters to fold walked
    every character; the tables come from :func:`fold_char` itself, so the result is the same.
    """
    t = _tables()
    # count_nonzero is a C function; ndarray.any() goes through a Python wrapper (~1 µs a call).
    # table.take(units) gives what table[units] does, ~2 µs sooner on a 3 KB article: indexing with
    # an array goes through numpy's general fancy-indexing machinery.
    if np.count_nonzero(t.unit_irregular.take(units)):
        return None
    out = t.unit_fold.take(units)
    drop = t.unit_drop.take(units)
    if np.count_nonzero(drop):
        return out[~drop].tobytes().decode("utf-16-le", "surrogatepass"), False
    return out.tobytes().decode("utf-16-le", "surrogatepass"), True


class _LengthCache(dict[int, int]):
    """How many characters a code point folds to, computed on first sight."""

    def __missing__(self, key: int) -> int:
        value = self[key] = len(fold_char(chr(key)))
        return value


_LENGTHS = _LengthCache()


@dataclass(slots=True)
class NormalizedText:
    """The original text, its normalised form, and the offset map between them.

    The map only records the *irregular* characters (dropped marks, expanded ligatures), found with
    one regex scan in C; every other character maps one to one.
    """

    original: str
    text: str
    _norm_pos: list[int] | None = field(default=None, repr=False)   # normalised start of each irregular char
    _orig_pos: list[int] = field(default_factory=list, repr=False)  # its original offset
    _lengths: list[int] = field(default_factory=list, repr=False)   # how many chars it folded to

    def _build(self) -> list[int]:
        norm_pos: list[int] = []
        if len(self.text) != len(self.original) or not self.original.isascii():
            shift = 0
            lengths = _LENGTHS
            for m in _patterns(self.original).irregular.finditer(self.original):
                start = m.start()
                n = lengths[ord(m.group())]
                if n == 1:
                    continue
                self._orig_pos.append(start)
                self._lengths.append(n)
                norm_pos.append(start + shift)
                shift += n - 1
        self._norm_pos = norm_pos
        return norm_pos

    def to_original(self, offset: int) -> int:
        """Map an offset in :attr:`text` to the matching offset in :attr:`original`."""
        norm_pos = self._norm_pos if self._norm_pos is not None else self._build()
        if not norm_pos:
            return offset
        k = bisect_right(norm_pos, offset) - 1
        if k < 0:
            return offset
        end_of_k = norm_pos[k] + self._lengths[k]
        if offset < end_of_k:  # inside the expansion of an irregular character
            return self._orig_pos[k]
        return self._orig_pos[k] + 1 + (offset - end_of_k)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` span to the original text."""
        norm_pos = self._norm_pos if self._norm_pos is not None else self._build()
        if not norm_pos:  # offsets are equal (most text outside Arabic): no two look-ups per evidence
            return start, max(start, end)
        o_start = self.to_original(start)
        o_end = self.to_original(end - 1) + 1 if end > start else o_start
        return o_start, o_end


def normalize(text: str) -> NormalizedText:
    """Normalise an article's text, keeping the way back to the original offsets."""
    folded, one_to_one = _fold(text)
    # One to one: the offset map is known to be empty, so it is never built.
    return NormalizedText(original=text, text=folded, _norm_pos=[] if one_to_one else None)
