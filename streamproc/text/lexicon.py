"""Multi-word, stem-aware term matching over a :class:`~streamproc.text.document.Document`.

Why Aho-Corasick over single *words* rather than one regex per term: one C pass over the normalised
text finds every occurrence of every word pattern of every term, whatever their number (a big regex
alternation degrades with the lexicon's size). Python then only looks at the few hits, checks word
boundaries (exact word, stem, Arabic proclitics) and stitches words into multi-word terms.

Term syntax is documented in ``streamproc/data/README.md``.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

import ahocorasick

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
    opening: bool = False    # "^": its user checks that it opens its sentence (see parse_term)


#: An anchored term as its anchor sees it: the term, the indexed words it needs, the word pattern
#: right after the anchor (or None), and its words before and after the anchor as :func:`_steps`.
_Anchored = tuple[Term[P], frozenset[int], "int | None", tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]


class Match(Generic[P]):
    """One occurrence of a term. A plain slotted class: thousands are made per second."""

    __slots__ = ("end", "first_word", "last_word", "payload", "start", "term")

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
    """Split a term into (normalised word, is_stem) pairs; ``None`` is a gap, and whether its case
    or accents are checked (``=``, ``+``). Raises on bad syntax. A leading ``^`` is dropped here (see
    :attr:`Term.opening`)."""
    if not isinstance(term, str) or not term.strip():
        raise TermSyntaxError("a term must be a non-empty string")
    raw = term.strip()
    # "^": the term must open its sentence, a check left to the lexicon's user (the classifier's
    # _opening_subjects), which knows what a sentence's opening is; the words are matched as usual.
    if raw[:1] == "^":
        raw = raw[1:].lstrip()
        if not raw:
            raise TermSyntaxError(f"no words after '^' in {term!r}")
    if "^" in raw:
        raise TermSyntaxError(f"'^' may only open a term: {term!r}")
    # "=": the original text's case and accents ("=US"); "+": its accents, in any case ("+frappes" is no
    # «frappés»): folding makes them one word. Both are checked by :func:`_same_case`.
    case_sensitive = raw[:1] in ("=", "+")
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


#: Exact words this short ("в", "de", "في", "the") are everywhere: indexing them in the automaton made
#: most of its hits. Inside multi-word terms they are checked against the document's words instead.
SHORT_WORD = 3


class Lexicon(Generic[P]):
    """A compiled set of terms, each carrying a payload (what the match means).

    Two routes, both through one Aho-Corasick automaton over :attr:`Document.scan`:

    * *direct* terms (no ``~`` gap, a stem only on the last word, and no proclitics on later words)
      are one key each: ``" at least "``, ``" обстрел"``, ``" والقصف "``. A hit is a match.
    * the others are split into word patterns. Each term is found from one *anchor* word (its
      first word that is a stem or longer than :data:`SHORT_WORD`), the only one the automaton looks
      for; Python then checks the words before and after it (gaps, inner stems, proclitics on any
      word). Short exact words are compared with the document's words, never searched for.
    """

    def __init__(self, terms: Iterable[tuple[str, P]], proclitics: Sequence[str] = (),
                 contractions: Mapping[str, Sequence[str]] | None = None) -> None:
        """``contractions``: a word-initial article and the proclitics it fuses with, the article's
        first letter dropped (Arabic ل + ال is «لل»: «للأمم المتحدة» is «ل» + «الأمم المتحدة»)."""
        self._pattern_ids: dict[tuple[str, bool], int] = {}
        # anchor pattern -> its terms (see _Anchored): checking the word right after the anchor first
        # rejects most candidates cheaply.
        self._by_anchor: dict[int, list[_Anchored[P]]] = defaultdict(list)
        anchored: list[tuple[int, Term[P], int]] = []
        self.terms: list[Term[P]] = []
        self.proclitics = frozenset(fold(p) for p in proclitics if p)
        clitic_prefixes = ("", *sorted(self.proclitics))
        fused = {fold(a): tuple(fold(c) for c in cs) for a, cs in (contractions or {}).items() if a}
        self.contractions = fused

        def forms(text: str, prefixes: Sequence[str]) -> list[str]:
            """A word as it may be written: bare, behind each proclitic, and fused with its article."""
            out = [prefix + text for prefix in prefixes]
            if len(prefixes) > 1:
                for article, fusions in fused.items():
                    if text.startswith(article) and len(text) > len(article) + 1:
                        out += [c + text[len(article):] for c in fusions]
            return out

        clitic_scripts = {_script(p[0]) for p in self.proclitics}
        direct_keys: dict[str, list[tuple[int, Term[P]]]] = defaultdict(list)  # key -> (n_words, term)
        anchors: set[int] = set()
        for source, payload in terms:
            words, case_sensitive = parse_term(source)
            # Proclitics only concern terms in their own script: "United States" in a lexicon that
            # also holds Arabic aliases is still one plain key.
            takes_clitics = any(w is not None and _script(w[0][0]) in clitic_scripts for w in words)
            prefixes = clitic_prefixes if takes_clitics else ("",)
            direct = None not in words and not any(w[1] for w in words[:-1]) and \
                (len(words) == 1 or not takes_clitics)
            if direct:
                term = Term(source=source, words=(), payload=payload, case_sensitive=case_sensitive,
                            opening=source.lstrip().startswith("^"))
                body = " ".join(w[0] for w in words)  # type: ignore[index]
                stem = words[-1][1]  # type: ignore[index]
                for form in forms(body, prefixes):
                    direct_keys[" " + form + ("" if stem else " ")].append((len(words), term))
            else:
                ids = tuple(GAP if w is None else self._pattern_id(w) for w in words)
                k = next((i for i, w in enumerate(words) if w is not None and _worth_indexing(w)), None)
                if k is None:  # only short exact words: the longest one must do
                    k = max(range(len(words)), key=lambda i: len(words[i][0]) if words[i] else -1)  # type: ignore[index]
                anchors.add(ids[k])
                term = Term(source=source, words=ids, payload=payload, case_sensitive=case_sensitive,
                            required=frozenset(i for i in ids if i != GAP and i != ids[k]),
                            opening=source.lstrip().startswith("^"))
                anchored.append((ids[k], term, k))
            self.terms.append(term)
        # How each word pattern is recognised: anchors (and other long words and stems) through the
        # automaton's hits, short exact words by their spelled-out forms.
        word_keys: dict[str, list[int]] = defaultdict(list)
        self._forms: list[frozenset[str] | None] = [None] * len(self._pattern_ids)
        for (text, stem), pid in self._pattern_ids.items():
            prefixes = clitic_prefixes if _script(text[0]) in clitic_scripts else ("",)
            if pid in anchors or _worth_indexing((text, stem)):
                for form in forms(text, prefixes):
                    word_keys[" " + form + ("" if stem else " ")].append(pid)
            else:
                self._forms[pid] = frozenset(forms(text, prefixes))
        indexed = {pid for pid, forms in enumerate(self._forms) if forms is None}
        for anchor, term, k in anchored:  # the prefilter can only know about indexed words
            after = term.words[k + 1] if k + 1 < len(term.words) and term.words[k + 1] != GAP else None
            self._by_anchor[anchor].append((term, term.required & indexed, after,
                                            _steps(reversed(term.words[:k])), _steps(term.words[k + 1:])))
        # Each key's value: how far back from the hit's last character its first word starts, the
        # direct terms as (words after the first, term), and the word patterns it stands for.
        # Keys go in sorted order: the automaton allocates a key's missing nodes as it adds it, so
        # a shared prefix's branches then sit together in memory rather than in hash order. Between
        # articles of other languages (and the gazetteer's pass) the automaton falls out of the CPU
        # cache, and walking it cold cost ~40% less this way. The matches are the same.
        self._automaton = ahocorasick.Automaton()
        for key in sorted(direct_keys.keys() | word_keys.keys()):
            self._automaton.add_word(key, (len(key) - 2, tuple((n - 1, t) for n, t in direct_keys.get(key, ())),
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
        scan = doc.scan_text
        count = scan.count
        starts, ends = doc.word_starts, doc.word_ends
        hits: dict[int, set[int]] = defaultdict(set)
        append = found.append
        pos, w = 0, -1  # the word starting at ``pos`` in the scan (see Document.scan_text)
        for end_idx, (back, direct, pids) in self._automaton.iter(scan):
            # The key's leading space is at end_idx - back - 1; its first word starts one after.
            # Hits come in order of their end, so counting spaces from the previous hit is short.
            first = end_idx - back
            if first >= pos:
                w += count(" ", pos, first)
            else:
                w -= count(" ", first, pos)
            pos = first
            if pids:
                hits[w].update(pids)
            for more, term in direct:
                last = w + more
                m = Match(term, w, last, starts[w], ends[last])
                if not term.case_sensitive or _same_case(doc, m, term.source):
                    append(m)
        if hits:
            words, forms = doc.words, self._forms
            n_words = len(words)
            present = set().union(*hits.values())
            for w, pids in hits.items():
                for pid in pids:
                    for term, required, after, before_steps, after_steps in self._by_anchor.get(pid, ()):
                        if not required <= present:
                            continue  # a long word of the term is nowhere in the document
                        if after is not None and (w + 1 >= n_words or not _word_at(after, w + 1, hits, words, forms)):
                            continue
                        first = _extend_back(before_steps, w, hits, words, forms) if before_steps else w
                        if first < 0:
                            continue
                        last = _extend(after_steps, w, hits, words, forms)
                        if last >= 0:
                            m = Match(term, first, last, starts[first], ends[last])
                            if not term.case_sensitive or _same_case(doc, m, term.source):
                                found.append(m)
        return found


def _worth_indexing(word: tuple[str, bool]) -> bool:
    text, stem = word
    return stem or len(text) > SHORT_WORD


def _word_at(pid: int, p: int, hits: dict[int, set[int]], words: list[str],
             forms: list[frozenset[str] | None]) -> bool:
    f = forms[pid]
    return pid in hits.get(p, ()) if f is None else words[p] in f


def _steps(ids: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Word patterns as ``(gaps before it, pattern)`` steps: a run of ``~`` is folded into the word
    after it, so matching "captured ~ ~ ~ ~ town*" takes one step, not five set rebuilds."""
    steps: list[tuple[int, int]] = []
    gaps = 0
    for pid in ids:
        if pid == GAP:
            gaps += 1
        else:
            steps.append((gaps, pid))
            gaps = 0
    return tuple(steps)


def _extend(steps: tuple[tuple[int, int], ...], anchor: int, hits: dict[int, set[int]], words: list[str],
            forms: list[frozenset[str] | None]) -> int:
    """The last word of the shortest match of the words after an anchor at ``anchor``, or -1.

    ``steps`` (from :func:`_steps`) are the term's words after the anchor. Tracks the set of
    positions the next word may take: before a word with ``g`` gaps each position may advance by up
    to ``g`` words (each ``~`` is zero or one word). Plain loops over tiny sets.
    """
    n_words = len(words)
    positions = {anchor + 1}
    for gaps, pid in steps:
        f = forms[pid]
        found: set[int] = set()
        for p in positions:
            for q in range(p, min(p + gaps, n_words - 1) + 1):
                if (pid in hits.get(q, ()) if f is None else words[q] in f):
                    found.add(q + 1)
        if not found:
            return -1
        positions = found
    return min(positions) - 1


def _extend_back(steps: tuple[tuple[int, int], ...], anchor: int, hits: dict[int, set[int]], words: list[str],
                 forms: list[frozenset[str] | None]) -> int:
    """The first word of the shortest match of the words before an anchor at ``anchor``, or -1
    (``steps`` are those words from the anchor backwards)."""
    positions = {anchor - 1}
    for gaps, pid in steps:
        f = forms[pid]
        found: set[int] = set()
        for p in positions:
            for q in range(p, max(p - gaps, 0) - 1, -1):
                if (pid in hits.get(q, ()) if f is None else words[q] in f):
                    found.add(q - 1)
        if not found:
            return -1
        positions = found
    return max(positions) + 1


def _script(ch: str) -> str:
    """The Unicode script of a letter, from its name ("ARABIC", "LATIN", "CYRILLIC"); digits: "DIGIT"."""
    return unicodedata.name(ch, "?").split(" ", 1)[0]


def _same_case(doc: Document, match: Match[object], source: str) -> bool:
    """Case-sensitive terms (``=US``): the original text must have the term's capitals (and accents).
    Accent-exact ones (``+frappes``): its first word must have the term's accents, in any case."""
    s, e = doc.original_span(match.start, match.end)
    found = WORD_RE.search(doc.original, s, e)  # only the first word's case is compared
    term_words, stem, accents_only = _case_words(source)
    if found is None or not term_words:
        return False
    first = found.group()
    if accents_only:
        first, want = first.casefold(), term_words[0].casefold()
        return first.startswith(want) if stem and len(term_words) == 1 else first == want
    if len(term_words) == 1:
        same = first.startswith(term_words[0]) if stem else first == term_words[0]
    else:
        same = first == term_words[0]
    return same and not (first.isupper() and _among_capitals(doc, match))


@lru_cache(maxsize=4096)
def _case_words(source: str) -> tuple[tuple[str, ...], bool, bool]:
    """A checked term's words as written, whether it ends in a stem, and whether only its accents are
    checked (``+``; parsed once per term, not at each of its matches: «=UN» meets every French «un»)."""
    source = source.lstrip().lstrip("^")
    return (tuple(WORD_RE.findall(source.lstrip("=+"))), source.rstrip().endswith("*"), source.startswith("+"))


def _among_capitals(doc: Document, match: Match[object]) -> bool:
    """Whether the words on either side of ``match`` on its line are in capitals too: a headline in
    capitals, where the case says nothing (Spanish «UN POLICIA MUERTO», "a policeman dead", is no
    United Nations). A match alone on its line keeps its case."""
    line = doc.line_words(doc.line_of_word(match.first_word))
    neighbours = [w for w in (match.first_word - 1, match.last_word + 1) if w in line]
    if not neighbours:
        return False
    for w in neighbours:
        s, e = doc.original_span(doc.word_starts[w], doc.word_ends[w])
        if not doc.original[s:e].isupper():
            return False
    return True


def longest_non_overlapping(matches: list[Match[P]]) -> list[Match[P]]:
    """Keep the longest matches, dropping any that overlap a longer one (ties: the earlier)."""
    chosen: list[Match[P]] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.last_word - m.first_word), -(m.end - m.start), m.start)):
        span = range(m.first_word, m.last_word + 1)
        if not taken.isdisjoint(span):
            continue
        taken.update(span)
        chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen
