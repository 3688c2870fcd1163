"""A normalised article body split into words, sentences and lines, built once per article.

The classifier and the entity linker both read this one structure, so tokenising and sentence
splitting happen once, and both agree on what a word and a sentence are.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, count
from operator import add, sub

import numpy as np

from streamproc.text.normalize import NormalizedText, normalize

#: A word is a run of letters and digits (after normalisation, marks are gone). An apostrophe between
#: two Cyrillic letters is part of the word: Ukrainian writes «п'ять», «сім'я» with one.
_WORD = r"[^\W_]+(?:(?<=[а-яіїєґ])'(?=[а-яіїєґ])[^\W_]+)*"
WORD_RE = re.compile(_WORD)
_SPLIT_RE = re.compile(f"({_WORD})")
_SIMPLE_SPLIT_RE = re.compile(r"([^\W_]+)")  # 2x faster; used when no Cyrillic apostrophe is present
#: Written to start with the apostrophe, a literal ``re`` skips to quickly, and to test the letter
#: before it by lookbehind: a leading class was tried at every character (~10 µs on an English or
#: French article, whose apostrophes made the search run at all).
_CYRILLIC_APOSTROPHE_RE = re.compile(r"'(?<=[а-яіїєґ]')(?=[а-яіїєґ])")
#: Sentence ends: terminal punctuation followed by space, or any line break.
#: Written to start with one character class, which ``re`` scans for quickly (3x faster than the
#: equivalent ``[.!?…]["'»”)\]]*\s+|\n+``).
_SENTENCE_END_RE = re.compile(r"""[.!?؟…。\n](?:(?<=\n)\n*|["'»”)\]]*\s+)""")
_NEWLINE_RE = re.compile(r"\n")
#: Words after which a sentence is cut even without a full stop or a line break (the longest in the
#: project's 10,000 fixture sentences has 66). See :func:`_capped`.
MAX_SENTENCE_WORDS = 150
_MATCH_END = re.Match.end


@cache
def _word_table() -> np.ndarray:
    """For each BMP code point, whether it is a word character: ``str.isalnum()``, which is what
    ``re`` tests for ``[^\\W_]`` (built once, ~10 ms)."""
    return np.fromiter((chr(cp).isalnum() for cp in range(0x10000)), dtype=np.bool_, count=0x10000)


_SPACE = np.uint16(ord(" "))


def _segment_bmp(t: str) -> tuple[array[int], array[int], str] | None:
    """Word starts, word ends and the scan text (:attr:`Document.scan_text`) of text without astral
    characters, as whole-array operations over its UTF-16 code units; ``None`` for text with an
    astral character (two code units: beyond :func:`_word_table`).

    The same words as :func:`_segment_re`, in a fifth of the time (~17 µs instead of ~80 on a 3 KB
    article): ``re`` steps through the text one character at a time in its matching loop and makes
    a string of every word and separator, where numpy looks each code unit up in a table in one C
    loop, finds the word boundaries where that table's answer changes, and builds the scan text by
    keeping each word character and the first separator after a word. Only the words themselves
    become Python strings, with one ``str.split`` of the scan text. The offsets stay machine
    integers (``array``, copied from numpy's buffer): a list of Python ints cost more than all the
    rest (~20 µs), and readers only index and bisect them.
    """
    padded = np.frombuffer((" " + t + " ").encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(padded) != len(t) + 2:
        return None
    is_word = _word_table().take(padded)  # take: ~2 µs less than indexing with the array
    if "'" in t:  # «п'ять»: an apostrophe between Cyrillic letters is part of the word
        inside = [m.start() + 1 for m in _CYRILLIC_APOSTROPHE_RE.finditer(t)]
        if inside:
            is_word[inside] = True
    # Padded with a separator at each end, boundaries alternate: a word's start, then its end.
    bounds = (is_word[1:] != is_word[:-1]).nonzero()[0].astype(np.int64, copy=False)
    keep = is_word.copy()
    keep[1:] |= is_word[:-1]
    keep[0] = True
    scan = np.where(is_word, padded, _SPACE)[keep].tobytes().decode("utf-16-le", "surrogatepass")
    if not len(bounds):
        scan = "  "  # no words: what " " + " ".join([]) + " " gives
    return array("q", bounds[0::2].tobytes()), array("q", bounds[1::2].tobytes()), scan


def _segment_re(t: str) -> tuple[array[int], array[int], list[str]]:
    """Word starts, word ends and words by regular expression: any text, astral characters too
    (beyond :func:`_word_table`). The definition :func:`_segment_bmp` is tested against."""
    # split() with a capturing group alternates separators and words: [sep, word, sep, ..., sep].
    apostrophe = "'" in t and _CYRILLIC_APOSTROPHE_RE.search(t) is not None
    parts = (_SPLIT_RE if apostrophe else _SIMPLE_SPLIT_RE).split(t)
    cum = list(accumulate(map(len, parts)))
    return array("q", cum[0:-1:2]), array("q", cum[1::2]), parts[1::2]


@dataclass(slots=True)
class Document:
    """Normalised text plus word, sentence and line boundaries (normalised offsets)."""

    norm: NormalizedText
    word_starts: array[int]  # normalised offset of each word's first character
    word_ends: array[int]    # and one past its last
    sentence_starts: list[int]  # offsets of each sentence's first character
    line_starts: list[int]
    words: list[str] = field(default_factory=list)
    _scan: tuple[str, list[int]] | None = None
    _sentences: dict[int, str] = field(default_factory=dict)
    _scan_text: str | None = None

    @property
    def scan_text(self) -> str:
        """The words joined by single spaces and framed by spaces: what the lexicons search.

        Lexicon keys start with a space (and whole words end with one), so the automaton over this
        string only reports whole-word hits, and a multi-word term is one key whatever punctuation
        or spacing stands between its words in the article. One C-level join.

        A word's index is the number of spaces before it, minus one: readers walking the string in
        order count spaces from their previous position (as :meth:`Lexicon.find
        <streamproc.text.lexicon.Lexicon.find>` does) instead of a table of word offsets being built
        for every article (that table cost more than the counting).
        """
        if self._scan_text is None:
            self._scan_text = " " + " ".join(self.words) + " "
        return self._scan_text

    @property
    def scan(self) -> tuple[str, list[int]]:
        """:attr:`scan_text` and where each word starts in it (built on request; not on the hot path)."""
        if self._scan is None:
            cum = accumulate(map(len, self.words), initial=0)
            self._scan = (self.scan_text, list(map(add, cum, count(1))))
        return self._scan

    def word_at_scan(self, offset: int) -> int:
        """Index of the word starting at ``offset`` of :attr:`scan`."""
        return bisect_left(self.scan[1], offset)

    def words_between(self, start: int, end: int) -> int:
        """How many words start inside normalised ``[start, end)``."""
        return bisect_right(self.word_starts, end - 1) - bisect_right(self.word_starts, start - 1)

    @property
    def text(self) -> str:
        """The normalised text."""
        return self.norm.text

    @property
    def original(self) -> str:
        return self.norm.original

    def word_at(self, offset: int) -> int:
        """Index of the word containing ``offset``, or -1."""
        i = bisect_right(self.word_starts, offset) - 1
        if i >= 0 and offset < self.word_ends[i]:
            return i
        return -1

    def sentence_of_word(self, word: int) -> int:
        return bisect_right(self.sentence_starts, self.word_starts[word]) - 1

    def line_of_word(self, word: int) -> int:
        return bisect_right(self.line_starts, self.word_starts[word]) - 1

    def sentence_span(self, sentence: int) -> tuple[int, int]:
        """Normalised ``[start, end)`` of a sentence."""
        start = self.sentence_starts[sentence]
        end = self.sentence_starts[sentence + 1] if sentence + 1 < len(self.sentence_starts) else len(self.text)
        return start, end

    def sentence_words(self, sentence: int) -> range:
        """Indices of the words inside a sentence."""
        start, end = self.sentence_span(sentence)
        first = bisect_right(self.word_starts, start - 1)
        last = bisect_right(self.word_starts, end - 1)
        return range(first, last)

    def line_words(self, line: int) -> range:
        """Indices of the words on a line (two bisections: no walk over the words)."""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        return range(bisect_left(self.word_starts, start), bisect_left(self.word_starts, end))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.span(start, end)

    def original_sentence(self, sentence: int) -> str:
        """The sentence as it stands in the original text, whitespace collapsed (cached: several
        pieces of evidence often share a sentence)."""
        cache = self._sentences
        if sentence not in cache:
            s, e = self.original_span(*self.sentence_span(sentence))
            cache[sentence] = " ".join(self.original[s:e].split())
        return cache[sentence]


def _starts_after(breaks: re.Pattern[str], t: str) -> list[int]:
    """0, then the end of every match of ``breaks`` short of the text's end: where each sentence
    (or line) starts. ``Match.end`` is mapped in C, not called from a comprehension (~3 µs less)."""
    starts = [0, *map(_MATCH_END, breaks.finditer(t))]
    if len(starts) > 1 and starts[-1] >= len(t):
        starts.pop()
    return starts


def _without_lowercase_starts(norm: NormalizedText, starts: list[int]) -> list[int]:
    """Drop the sentence starts that begin with a lowercase letter in the original text, unless a line
    break ended the sentence before: the full stop was an abbreviation's. Russian «в 1995 г. в
    результате обстрела», "U.S. forces", "approx. five", «ул. Ленина» stay one sentence, so a
    casualty term and its count, or a past cue and its event, are not cut apart. Arabic has no case;
    a sentence opening with a digit or a capital still starts one."""
    original, t = norm.original, norm.text
    n = len(t)
    kept = [starts[0]]
    for s in starts[1:]:
        # The folded text is lowercase wherever a letter has case, so only those starts are mapped back
        # (mapping builds the offset table, which Arabic text otherwise needs only for evidence).
        if s < n and t[s].islower() and original[norm.to_original(s)].islower():
            j = s - 1
            while j > 0 and t[j].isspace() and t[j] != "\n":
                j -= 1
            if t[j] != "\n":
                continue
        kept.append(s)
    return kept


def _after_abbreviations(t: str, starts: list[int], word_ends: array[int], words: list[str],
                         abbreviations: frozenset[str]) -> list[int]:
    """``starts`` without the sentence starts that follow a word the rule files list (``abbreviations``:
    «ул. Ленина», "St. Petersburg", "Gen. Smith", «Av. Bolívar», «د. محمد»), its full stop and spaces
    or tabs: titles and address words, which end no sentence. Not initialisms: "the U.S." and "3 a.m."
    end sentences too, and a sentence joined to the next one by mistake lets a cue at its start govern
    the other's toll.

    Only the few starts behind a full stop are looked at, each by one bisect into the word ends. A
    regex over the whole text (the listed words as an alternation behind a lookbehind) cost ~85 µs a
    3 KB article: ``re`` tried the lookbehind at every character."""
    kept = [starts[0]]
    for s in starts[1:]:
        j = s - 1
        while j > 0 and (t[j] == " " or t[j] == "\t"):
            j -= 1
        if j < s - 1 and t[j] == ".":
            i = bisect_left(word_ends, j)
            if i < len(word_ends) and word_ends[i] == j and words[i] in abbreviations:
                continue
        kept.append(s)
    return kept


def _capped(starts: list[int], word_starts: array[int], end: int) -> list[int]:
    """``starts`` with a start added every :data:`MAX_SENTENCE_WORDS` words inside a longer sentence.

    Why: the classifier weighs a sentence's terms, cues and numbers against each other, which is cheap
    for a sentence and grows with the square of its length. A "sentence" of thousands of words is no
    sentence but a scraped table or a list run together without a full stop, and such a 100 KB article
    once took a minute. Cut, its pieces are weighed apart, and an article's time grows with its length.
    A cut is a sentence start as a line break is (no full stop before it), and falls inside no sentence
    of real prose. Only sentences over 2 × the limit in characters are looked at word by word."""
    bounds = [*starts, end]
    limit = 2 * MAX_SENTENCE_WORDS  # a word and a space: 2 characters
    cuts: list[int] = []
    for i, size in enumerate(map(sub, bounds[1:], bounds[:-1])):
        if size > limit:
            first, last = bisect_left(word_starts, bounds[i]), bisect_left(word_starts, bounds[i + 1])
            cuts.extend(word_starts[w] for w in range(first + MAX_SENTENCE_WORDS, last, MAX_SENTENCE_WORDS))
    return sorted([*starts, *cuts]) if cuts else starts


def build_document(text: str, abbreviations: frozenset[str] = frozenset()) -> Document:
    """Normalise and segment ``text``. ``abbreviations``: words (folded) whose full stop ends no sentence."""
    norm = normalize(text)
    t = norm.text
    scan: str | None
    segmented = _segment_bmp(t)
    if segmented is not None:
        starts, ends, scan = segmented
        words = scan[1:-1].split(" ") if starts else []
    else:
        starts, ends, words = _segment_re(t)
        scan = None
    sentences = _starts_after(_SENTENCE_END_RE, t)
    if len(sentences) > 1:
        sentences = _without_lowercase_starts(norm, sentences)
        if abbreviations:
            sentences = _after_abbreviations(t, sentences, ends, words, abbreviations)
    sentences = _capped(sentences, starts, len(t))
    lines = _starts_after(_NEWLINE_RE, t)
    return Document(norm=norm, word_starts=starts, word_ends=ends, sentence_starts=sentences,
                    line_starts=lines, words=words, _scan_text=scan)
