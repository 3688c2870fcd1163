"""Multi-word, stem-aware term matching over a :class:`~streamproc.text.document.Document`.

Why Aho-Corasick over single *words* rather than one regex per term: one C pass over the normalised
text finds every occurrence of every word pattern of every term, whatever their number (a big regex
alternation degrades with the lexicon's size). Python then only looks at the few hits, checks word
boundaries (exact word, stem, Arabic proclitics) and stitches words into multi-word terms.

Term syntax is documented in ``streamproc/data/README.md``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Generic, Iterable, Sequence, TypeVar

import ahocorasick
import unicodedata

from streamproc.text.document import WORD_RE, Document
from streamproc.text.normalize import fold

P = TypeVar("P")

GAP = -1  # word id of the "~" wildcard (zero or one word)


class TermSyntaxError(ValueError):
    """A lexicon term that cannot be compiled."""


@dataclass(frozen=True, slots=True)
class Term(Generic[P]):
    source: str              # the term as written in the data file
    words: tuple[int, ...]   # word-pattern ids, GAP for "~"
    payload: P
    case_sensitive: bool
    required: frozenset[int] = frozenset()  # word-pattern ids after the first: all must occur in the doc


class Match(Generic[P]):
    """One occurrence of a term. A plain slotted class: thousands are made per second."""

    __slots__ = ("term", "payload", "first_word", "last_word", "start", "end")

    def __init__(self, term: Term[P], first_word: int, last_word: int, start: int, end: int) -> None:
        self.term = term
        self.payload: P = term.payload
        self.first_word = first_word  # index of the first matched word in the document
        self.last_word = last_word    # index of the last matched word (inclusive)
        self.start = start            # normalised offsets
        self.end = end

    def __repr__(self) -> str:
        return f"Match({self.term.source!r}, words {self.first_word}-{self.last_word})"


def parse_term(term: str) -> tuple[list[tuple[str, bool] | None], bool]:
    """Split a term into (normalised word, is_stem) pairs; ``None`` is a gap. Raises on bad syntax."""
    if not isinstance(term, str) or not term.strip():
        raise TermSyntaxError("a term must be a non-empty string")
    raw = term.strip()
    case_sensitive = raw.startswith("=")
    if case_sensitive:
        raw = raw[1:]
    words: list[tuple[str, bool] | None] = []
    for chunk in raw.split():
        if chunk == "~":
            words.append(None)
            continue
        stem = chunk.endswith("*")
        body = chunk[:-1] if stem else chunk
        if "*" in body:
            raise TermSyntaxError(f"'*' may only end a word: {term!r}")
        parts = WORD_RE.findall(fold(body))
        if not parts:
            raise TermSyntaxError(f"no letters or digits in {chunk!r} of {term!r}")
        for i, part in enumerate(parts):
            words.append((part, stem and i == len(parts) - 1))
    if words[0] is None or words[-1] is None:
        raise TermSyntaxError(f"a term cannot begin or end with '~': {term!r}")
    if any(w is not None and w[1] and len(w[0]) < 3 for w in words):
        raise TermSyntaxError(f"a stem needs at least 3 letters: {term!r}")
    return words, case_sensitive


class Lexicon(Generic[P]):
    """A compiled set of terms, each carrying a payload (what the match means).

    Two routes, both through one Aho-Corasick automaton over :attr:`Document.scan`:

    * *direct* terms (no ``~`` gap, a stem only on the last word, and no proclitics on later words)
      are one key each: ``" at least "``, ``" обстрел"``, ``" والقصف "``. A hit is a match.
    * the others are split into word patterns, each its own key; Python stitches the words of a
      term together from the per-word hits (gaps, inner stems, proclitics on any word).
    """

    def __init__(self, terms: Iterable[tuple[str, P]], proclitics: Sequence[str] = ()) -> None:
        self._pattern_ids: dict[tuple[str, bool], int] = {}
        self._by_first: dict[int, list[Term[P]]] = defaultdict(list)
        self.terms: list[Term[P]] = []
        self.proclitics = frozenset(fold(p) for p in proclitics if p)
        clitic_prefixes = ("", *sorted(self.proclitics))
        clitic_scripts = {_script(p[0]) for p in self.proclitics}
        direct_keys: dict[str, list[tuple[int, Term[P]]]] = defaultdict(list)  # key -> (n_words, term)
        word_keys: dict[str, list[int]] = defaultdict(list)                   # key -> word-pattern ids
        for source, payload in terms:
            words, case_sensitive = parse_term(source)
            # Proclitics only concern terms in their own script: "United States" in a lexicon that
            # also holds Arabic aliases is still one plain key.
            takes_clitics = any(w is not None and _script(w[0][0]) in clitic_scripts for w in words)
            prefixes = clitic_prefixes if takes_clitics else ("",)
            direct = None not in words and not any(w[1] for w in words[:-1]) and \
                (len(words) == 1 or not takes_clitics)
            if direct:
                term = Term(source=source, words=(), payload=payload, case_sensitive=case_sensitive)
                body = " ".join(w[0] for w in words)  # type: ignore[index]
                stem = words[-1][1]  # type: ignore[index]
                for prefix in prefixes:
                    direct_keys[" " + prefix + body + ("" if stem else " ")].append((len(words), term))
            else:
                ids = tuple(GAP if w is None else self._pattern_id(w) for w in words)
                term = Term(source=source, words=ids, payload=payload, case_sensitive=case_sensitive,
                            required=frozenset(i for i in ids[1:] if i != GAP))
                self._by_first[ids[0]].append(term)
            self.terms.append(term)
        for (text, stem), pid in self._pattern_ids.items():
            for prefix in (clitic_prefixes if _script(text[0]) in clitic_scripts else ("",)):
                word_keys[" " + prefix + text + ("" if stem else " ")].append(pid)
        self._automaton = ahocorasick.Automaton()
        for key in direct_keys.keys() | word_keys.keys():
            self._automaton.add_word(key, (len(key), tuple(direct_keys.get(key, ())),
                                           tuple(word_keys.get(key, ()))))
        if direct_keys or word_keys:
            self._automaton.make_automaton()

    def _pattern_id(self, word: tuple[str, bool]) -> int:
        pid = self._pattern_ids.get(word)
        if pid is None:
            pid = self._pattern_ids[word] = len(self._pattern_ids)
        return pid

    def find(self, doc: Document) -> list[Match[P]]:
        """Every occurrence of every term (overlaps included)."""
        found: list[Match[P]] = []
        if not self.terms:
            return found
        scan, scan_starts = doc.scan
        starts, ends = doc.word_starts, doc.word_ends
        hits: dict[int, set[int]] = defaultdict(set)
        for end_idx, (length, direct, pids) in self._automaton.iter(scan):
            # The key's leading space is at end_idx - length + 1; its first word starts one after.
            w = bisect_left(scan_starts, end_idx - length + 2)
            if pids:
                hits[w].update(pids)
            for n_words, term in direct:
                last = w + n_words - 1
                m = Match(term, w, last, starts[w], ends[last])
                if not term.case_sensitive or _same_case(doc, m, term.source):
                    found.append(m)
        if hits:
            n_words = len(starts)
            present = set().union(*hits.values())
            for w, first_pids in hits.items():
                for pid in first_pids:
                    for term in self._by_first.get(pid, ()):
                        if not term.required <= present:
                            continue  # a later word of the term is nowhere in the document
                        last = _extend(term.words, w, hits, n_words)
                        if last >= 0:
                            m = Match(term, w, last, starts[w], ends[last])
                            if not term.case_sensitive or _same_case(doc, m, term.source):
                                found.append(m)
        return found



def _extend(words: tuple[int, ...], first: int, hits: dict[int, set[int]], n_words: int) -> int:
    """The last word of the shortest match of ``words`` starting at word ``first``, or -1.

    Tracks the set of positions the next word may take; a gap (``~``) lets a position stay or
    advance by one. Plain loops over tiny sets: no generator recursion on the hot path.
    """
    positions = {first + 1}
    for pid in words[1:]:
        if pid == GAP:
            positions |= {p + 1 for p in positions if p < n_words}
            continue
        positions = {p + 1 for p in positions if p < n_words and pid in hits.get(p, ())}
        if not positions:
            return -1
    return min(positions) - 1


def _script(ch: str) -> str:
    """The Unicode script of a letter, from its name ("ARABIC", "LATIN", "CYRILLIC"); digits: "DIGIT"."""
    return unicodedata.name(ch, "?").split(" ", 1)[0]


def _same_case(doc: Document, match: Match[object], source: str) -> bool:
    """Case-sensitive terms (``=US``): the original text must have the term's capitals."""
    s, e = doc.original_span(match.start, match.end)
    original_words = WORD_RE.findall(doc.original[s:e])
    term_words = [w for w in WORD_RE.findall(source.lstrip("=")) if w != "~"]
    if not original_words or not term_words:
        return False
    stem = source.rstrip().endswith("*")
    if len(term_words) == 1:
        return original_words[0].startswith(term_words[0]) if stem else original_words[0] == term_words[0]
    return original_words[0] == term_words[0]


def longest_non_overlapping(matches: list[Match[P]]) -> list[Match[P]]:
    """Keep the longest matches, dropping any that overlap a longer one (ties: the earlier)."""
    chosen: list[Match[P]] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.last_word - m.first_word), -(m.end - m.start), m.start)):
        span = range(m.first_word, m.last_word + 1)
        if any(i in taken for i in span):
            continue
        taken.update(span)
        chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen
