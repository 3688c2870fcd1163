"""The escalation classifier: one lexicon pass, then context rules, counts and severity.

Order of work, and why:
1. one pass of the language's lexicon over the document (every role at once);
2. page chrome: a short line holding a chrome phrase ("Share", «اضف تعليق») is dropped whole, so
   navigation and comment widgets never become evidence or entities;
3. per sentence, negation and hypothetical cues suppress the terms they govern ("no casualties",
   «لم تسفر عن إصابات», "could collapse"; not the first half of a compound: "would-be", "no-fly"),
   and so do past cues ("30 years ago", "the anniversary of the massacre"): an anniversary piece
   retells a war's dead without any of them being news,
   and a cause outside armed conflict (flood, road crash, gas leak)
   suppresses deaths, injuries and explosions in its sentence, unless the sentence names armed
   violence itself (then the word is the strike's doing or a name); suppressed matches are kept for
   ``rules explain``; in an article that names such a cause and no armed violence (no shelling,
   airstrike, clash, or explosion of a weapon), deaths and explosions that name no weapon ("the
   blast") are dropped too: an industrial accident's later sentences repeat it without its cause;
4. ceasefire subtype from cue words in the ceasefire's sentence (violation > agreement > call);
5. casualty counts (see :mod:`streamproc.classify.casualties`), then severity.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from functools import lru_cache
from itertools import pairwise

from streamproc.classify import CATEGORIES, CEASEFIRE_SUBTYPES
from streamproc.classify.casualties import Number, extract
from streamproc.classify.result import Casualties, CategoryHit, Classification, Evidence, Suppressed
from streamproc.classify.rules import LanguageRules, Role
from streamproc.classify.severity import SeverityModel
from streamproc.text.document import Document
from streamproc.text.lexicon import GAP, Match, Term

#: A line with at most this many words that holds a chrome phrase is page chrome.
CHROME_MAX_WORDS = 12
#: How many words before a term a hypothetical cue ("could", «قد») may stand.
HYPOTHETICAL_WINDOW = 8
#: How far a past cue reaches: "years ago" over the next 8 words (7 between) when it opens its
#: sentence ("Thirty years ago, forces killed 8,000"), and over a few words before it ("8,000 men were
#: killed 30 years ago"; further back, "killed two residents of a village liberated a year ago" is
#: today's news); "anniversary of" over the few words that name the event.
PAST_WINDOW = 8
PAST_BACK_WINDOW = 4
PAST_OF_WINDOW = 4
#: How many words may stand between a term and an old war's name that dates it (`eras`): an
#: adjective («قذيفة مدفعية تعود إلى الحرب العالمية الثانية», an artillery shell from World War II),
#: never a verb and its object: "shelling damaged a memorial from World War II" and «обстрелом
#: поврежден мемориал времен Великой Отечественной» are today's shelling, two and three words away.
ERA_REACH = 1
#: At most this many words may stand before a past cue that opens its sentence ("Thirty years ago,"),
#: or before a year that does ("On February 24, 2022,", «El 24 de febrero de 2022,»).
PAST_OPENING = 2
PAST_YEAR_OPENING = 5
#: A year this many years or more before the article's own is a past cue when it opens its sentence.
PAST_YEARS = 2
#: How many words may stand between a ``past_since`` word and its year or cue ("since July 2014",
#: «desde hace tres años»: for three years, up to now).
SINCE_GAP = 2
_PAST_YEAR = Role("past_year")
#: A thousands separator, as the casualty extractor reads them ("8,000", "8.000", "8 000", «٨٬٠٠٠»).
_THOUSANDS = re.compile(r"(?<=\d)[,.\u066c \u00a0\u202f](?=\d{3}(?!\d))")
#: Punctuation that closes a clause: a past cue does not reach across it ("shelling killed three in
#: Kherson, which Ukraine retook two years ago" keeps its dead).
_CLAUSE_BREAKS = frozenset(",;:()[]\u2014\u2013\u060c\u061b")
_CLAUSE_BREAK_RE = re.compile("[" + re.escape("".join(sorted(_CLAUSE_BREAKS))) + "]")
#: Roles that only qualify a sentence's counts (see :func:`_toll_cues`) or its years (`year_of`, see
#: :func:`_past_years`): never terms themselves, so nothing suppresses them.
_TOLL_CUE_ROLES = {"earlier_toll", "running_total", "since", "update", "superlative", "today", "relative",
                   "toll_subject", "year_of"}
#: How many words a superlative may stand before a `running_total` cue to make it a comparison
#: ("the deadliest attack on the city since 2022": four between; "the first Russian missile attack on
#: the western city of Lviv since 2023": seven).
SUPERLATIVE_WINDOW = 8
#: How many words may precede a ``^`` term in its sentence (see :func:`_opening_subjects`): "The death
#: toll", «La cifra de muertos», «Число погибших».
OPENING_SUBJECT = 3
#: How many words may stand between an aside's closing comma and the verb (or the next aside) in a ``^``
#: term's subject (see :func:`_asides_only`): "has", «ya», «s'est».
ASIDE_GAP = 2
#: How many times an earlier sentence's count a count over a period up to now must exceed to be taken for
#: a running total (see :func:`_since_then`): an order of magnitude. The natural paragraphs' running
#: totals were 15 to 20,000 times the day's toll (and one 9.5 times, left to stand); a review's
#: updates of the day's toll ("have since pulled 23 bodies" after 7, «desde el comienzo del asalto»)
#: 3.3 to 10 times the first report.
SINCE_MULTIPLE = 10
MAX_EVIDENCE = 5
#: The casualty kind a term of each kind may not hold inside its gap (see :func:`_opening_subjects`).
_OTHER_KIND = {"killed": "injured", "injured": "killed"}
_CONTEXT_ROLES = {"neg_before", "neg_after", "hypothetical", "hypothetical_end", "non_conflict", "past", "past_of",
                  "ceasefire_not", "figure"}
_PAST_ROLES = {"past", "past_of", "past_year"}
#: Roles about the whole article, not their sentence: a frame (see :func:`_framed`), a quarrel's arena
#: and a word of war (see :func:`_quarrel`). Never terms themselves.
_ARTICLE_ROLES = {"frame", "truce_arena", "war_context"}
#: A year directly before one of these is no date of its sentence: a count ("1950 people", «2015
#: شخصا») or a name ("the 2024 truce", "the 2020 war"). Not a casualty verb: Arabic puts one after
#: its year («في عام 1995 قتلت», "in 1995 [they] killed").
_NAMED_BY_A_YEAR = {"people", "category"}
#: Roles that can make a sentence count; a sentence with none of them holds only context.
_EVENT_ROLES = {"category", "killed", "injured", "subtype"}
#: Roles that only quantify a casualty term ("three", "soldiers"): never suppressed themselves.
_QUANTITY_ROLES = {"number", "number_after", "people", "unit", "range_open", "link", "partitive", "one",
                   "other_fate"}
#: Categories that name armed violence whatever else the article says (an explosion does when it
#: names a weapon: see :attr:`Role.generic`).
_ARMED = {"shelling", "airstrike", "armed_clash"}
#: What a cause outside armed conflict in the same sentence (flood, crash, gas leak) takes away.
_NON_CONFLICT_SUPPRESSES = {"explosion", "killed", "injured"}


def chrome_lines(doc: Document, matches: list[Match[Role]]) -> set[int]:
    """Lines that are page chrome: short, and containing a chrome phrase. A one-word phrase counts
    only at the start or the end of its line ("Comments", "12 comments", "Related: …", «مشاركة»):
    inside a line it is a headline's word ("Hamas comments on the strike that killed 20", «هجوم
    بمشاركة طائرات مسيرة», "with the participation of drones")."""
    lines: set[int] = set()
    heads: dict[int, str] = {}  # a line that heads a list (``chrome_lists``) -> "related" or "comments"
    for m in matches:
        if m.payload.kind != "chrome":
            continue
        line = doc.line_of_word(m.first_word)
        start = doc.line_starts[line]
        end = doc.line_starts[line + 1] if line + 1 < len(doc.line_starts) else len(doc.text)
        if doc.words_between(start, end) > CHROME_MAX_WORDS:
            continue
        if m.first_word == m.last_word:
            words = doc.line_words(line)
            if m.first_word not in (words[0], words[-1]):
                continue
        lines.add(line)
        if m.payload.value and heads.get(line) != "comments" and _only_the_phrase(doc, line, m):
            heads[line] = m.payload.value
    if heads:
        _add_listed_lines(doc, lines, heads)
    return lines


#: A list under a chrome header ("Related stories", «Читайте также», "Comments") is page chrome: other
#: stories' headlines carry other wars' tolls and places, readers' comments anything at all. A header is
#: a line of the phrase alone, a count at most ("14 comments", "Comments (3)"): "Read more: <headline>"
#: is one chrome line, and "…declined to make further comments." a sentence. Its list's lines are short
#: (headlines up to :data:`LIST_LINE_MAX_WORDS` words, comments up to :data:`COMMENT_MAX_WORDS`); a list
#: only counts once the body has begun (a line of more than :data:`BODY_MIN_WORDS` words ending a
#: sentence: a standfirst has no full stop), so "Read more" atop a page takes no lede with it.
LIST_LINE_MAX_WORDS = 14
COMMENT_MAX_WORDS = 60
BODY_MIN_WORDS = 20
#: A headline list ends at a line that ends a sentence (headlines carry no full stop; closing quotes
#: and brackets aside: '…wounded 25."'); a comment list runs on, since comments do.
_SENTENCE_ENDS = frozenset(".!?\u061f\u2026")
_CLOSERS = "\"'\u201d\u2019\u00bb)]"


def _only_the_phrase(doc: Document, line: int, m: Match[Role]) -> bool:
    """Whether ``line`` holds the chrome phrase ``m`` and at most one number besides."""
    others = [w for w in doc.line_words(line) if not m.first_word <= w <= m.last_word]
    return len(others) <= 1 and all(doc.words[w].isdigit() for w in others)


def _after_a_full_stop(text: str, start: int) -> bool:
    """Whether a sentence start at ``start`` follows sentence-ending punctuation (closing quotes and
    brackets aside), not just a line break: hard-wrapped text goes on across lines."""
    return text[max(0, start - 8):start].rstrip().rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS


def _ends_sentence(doc: Document, line: int) -> bool:
    n = len(doc.line_starts)
    end = doc.line_starts[line + 1] if line + 1 < n else len(doc.text)
    return doc.text[doc.line_starts[line]:end].rstrip().rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS


def _add_listed_lines(doc: Document, lines: set[int], heads: dict[int, str]) -> None:
    """Add to ``lines`` the lines of the lists that ``heads`` open (see :data:`LIST_LINE_MAX_WORDS`)."""
    n = len(doc.line_starts)
    # Words per line from one bisection per line start (``line_words`` would take two per line).
    firsts = [bisect_left(doc.word_starts, s) for s in doc.line_starts]
    firsts.append(len(doc.words))
    counts = [b - a for a, b in pairwise(firsts)]
    body = next((i for i, c in enumerate(counts) if c > BODY_MIN_WORDS and _ends_sentence(doc, i)), None)
    if body is None:
        return
    # Where the last walk of each kind stopped: a head inside a list another head of its kind walked
    # resumes there (the lines before are in ``lines`` already, and a walk passes them). Each head walking
    # its whole list again was quadratic in a page of many heads ("12 comments" after every comment).
    reach = {True: 0, False: 0}
    for head in sorted(heads):
        if head <= body:
            continue
        comments = heads[head] == "comments"
        limit = COMMENT_MAX_WORDS if comments else LIST_LINE_MAX_WORDS
        j = max(head + 1, reach[comments])
        while j < n and counts[j] <= limit:
            if not comments and counts[j] and j not in lines and _ends_sentence(doc, j):
                break
            if counts[j]:
                lines.add(j)
            j += 1
        reach[comments] = j


#: Hyphens that join a compound word ("would-be", "no-fly"): the hyphen-minus and Unicode's two hyphens.
_HYPHENS = ("-", "\u2010", "\u2011")


def first_half_of_compound(doc: Document, m: Match[Role]) -> bool:
    """Whether a match is directly followed by a hyphen in the original text: the first half of a
    compound word. Segmentation splits "would-be" and "no-fly" into two words, and the scan text
    cannot tell "would-be attackers" (real attackers) from "would be attacked" (a hypothetical), so a
    negation or hypothetical cue is checked here before it governs anything."""
    _, e = doc.original_span(m.start, m.end)
    return doc.original[e:e + 1] in _HYPHENS


def evidence(doc: Document, m: Match[Role], sentence: int) -> Evidence:
    s, e = doc.original_span(m.start, m.end)
    return Evidence(doc.original[s:e], doc.original_sentence(sentence), s, e, m.term.source)


#: Thousands groups a number may glue to its first digits ("1,000,000,000" is 3): how many words fewer
#: than it spans a gap of words can count (see :func:`_gap`).
_MAX_GROUPS = 8


def _gap(doc: Document, left: int, right: int, within: int | None = None) -> tuple[int, bool]:
    """Words between word ``left`` and word ``right`` (``left < right``), a number's thousands counted
    with it ("8,000" is two words here), and whether clause punctuation stands between them (a comma
    between two digits is a thousands separator, not a break).

    ``within``: the caller only asks whether the gap is under that many words; a gap longer by more
    than any number's groups is not read (its word count is given, no break): looking at the text of
    every far pair was cubic in a run-on sentence's length."""
    if within is not None and right - left - 1 >= within + _MAX_GROUPS:
        return right - left - 1, False
    s, _ = doc.original_span(doc.word_ends[left], doc.word_ends[left])
    e, _ = doc.original_span(doc.word_starts[right], doc.word_starts[right])
    gap = doc.original[s:e]
    if not _CLAUSE_BREAKS.intersection(gap) and not any(ch.isdigit() for ch in gap) \
            and not (doc.words[left].isdigit() and doc.words[right].isdigit()):
        return right - left - 1, False
    # One character more on each side: the digits around a separator at either end of the gap (both
    # are word characters, never a break).
    plain, glued = _THOUSANDS.subn("", doc.original[max(s - 1, 0):e + 1])
    return right - left - 1 - glued, bool(_CLAUSE_BREAKS.intersection(plain))


def _past(term: Match[Role], cue: Match[Role], doc: Document, sentence_start: int) -> bool:
    """Whether a past cue dates ``term``: "the massacre 30 years ago", "Thirty years ago, forces
    killed 8,000", "In July 1995, forces killed 8,000", "the anniversary of the massacre". A cue that
    opens its sentence reaches up to :data:`PAST_WINDOW` words forward; a "years ago" in the middle
    of a sentence dates only the few words before it, not what follows ("the truce agreed two years
    ago collapsed as shelling killed five" keeps the shelling); a year is a cue only when it opens
    its sentence (see :func:`_past_years`: "violated the 2020 ceasefire" dates nothing). None
    reaches across clause punctuation, except punctuation right after an opening cue."""
    kind = cue.payload.kind
    if kind == "past_of":
        if not cue.last_word < term.first_word:
            return False
        between, broken = _gap(doc, cue.last_word, term.first_word, PAST_OF_WINDOW)
        return between < PAST_OF_WINDOW and not broken
    if cue.payload.value == "era":  # `eras`: the noun right before it, or before its adjectives
        if not term.last_word < cue.first_word:
            return False
        between, broken = _gap(doc, term.last_word, cue.first_word, ERA_REACH + 1)
        return between <= ERA_REACH and not broken
    if kind == "past" and term.last_word < cue.first_word:
        between, broken = _gap(doc, term.last_word, cue.first_word, PAST_BACK_WINDOW)
        return between < PAST_BACK_WINDOW and not broken
    opening = PAST_YEAR_OPENING if kind == "past_year" else PAST_OPENING
    if cue.last_word < term.first_word and cue.first_word - sentence_start <= opening:
        if term.first_word == cue.last_word + 1:
            return True
        # a comma right after the cue is fine
        between, broken = _gap(doc, cue.last_word + 1, term.first_word, PAST_WINDOW - 1)
        return between + 1 < PAST_WINDOW and not broken
    return False


def _after_since(words: list[str], first: int, since: frozenset[str], sentence_start: int) -> bool:
    """Whether a ``past_since`` word stands up to :data:`SINCE_GAP` words before word ``first``."""
    return any(words[v] in since for v in range(max(sentence_start, first - SINCE_GAP - 1), first))


#: A year; not the first half of a compound ("a 1995-built school"), but a range ("1992-1995") and a
#: Russian or Ukrainian ordinal ending («в 1995-м году», «у 2014-му році») are years. The word
#: boundary before it is a lookbehind *after* "19|20": a pattern that opens with literal characters
#: lets ``re`` skip to them, where one opening with the lookbehind was tried at every character
#: (~110 against ~30 µs per 3 KB article).
_YEAR = re.compile(r"(?:19|20)(?<!\w(?:19|20))\d\d(?!\w)"
                   r"(?![-\u2010\u2011](?![а-яёіїєґ]{1,3}(?![^\W\d]))[^\W\d])")


def _years(doc: Document, suffixes: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Every year (1900-2099) in the document as ``(word index, year)``, in order: one regex pass,
    and one more for the language's ``year_suffixes`` («1995م», «1995г.») when it has any."""
    words = doc.words
    found = [(w, int(text)) for w, text in ((doc.word_at(m.start()), m.group()) for m in _YEAR.finditer(doc.text))
             if w >= 0 and words[w] == text]
    if suffixes:
        with_suffix = _suffixed_year(suffixes)
        found += [(w, int(m.group(1))) for m, w in ((m, doc.word_at(m.start())) for m in with_suffix.finditer(doc.text))
                  if w >= 0 and words[w] == m.group()]
        found.sort()
    return found


@lru_cache(maxsize=16)
def _suffixed_year(suffixes: frozenset[str]) -> re.Pattern[str]:
    """A year with one of a language's suffixes glued to it, the digits as group 1."""
    alternatives = "|".join(sorted(map(re.escape, suffixes), key=len, reverse=True))
    return re.compile(rf"((?:19|20)(?<!\w(?:19|20))\d\d)(?:{alternatives})(?!\w)")  # see _YEAR


def _past_years(doc: Document, sentence: int, years: list[tuple[int, int]], ms: list[Match[Role]],
                since: frozenset[str], reference_year: int) -> list[Match[Role]]:
    """Years that open ``sentence`` (see :data:`PAST_YEAR_OPENING`; of ``years``, see :func:`_years`)
    at least :data:`PAST_YEARS` before ``reference_year`` (the article's publication), as past cues.
    Not a year right after a ``since`` word ("Since 2014, …", «منذ عام 2014»: a period up to now),
    nor one directly before a word for people ("1950 people were killed", «2015 شخصا») or an event
    word ("2024 truce kept", "2020 war"), nor a birth or building year (`year_of`: «Женщина 1952 года
    рождения погибла», "born in 1948"), nor a count after a lower bound («более 2000 раз обстреляли»),
    nor one after an event word of its sentence, which it does not open ("violated the ceasefire of
    1994 with mortar fire that killed two")."""
    span = doc.sentence_words(sentence)
    out: list[Match[Role]] = []
    words, starts, ends = doc.words, doc.word_starts, doc.word_ends
    last = min(span.stop, span.start + PAST_YEAR_OPENING + 1)
    for w, year in years[bisect_left(years, (span.start, 0)):bisect_left(years, (last, 0))]:
        if year > reference_year - PAST_YEARS or _after_since(words, w, since, span.start):
            continue
        if w + 1 < span.stop and doc.text[ends[w]:starts[w + 1]].isspace() and \
                any(m.first_word == w + 1 and m.payload.kind in _NAMED_BY_A_YEAR for m in ms):
            continue
        if any(m.payload.kind == "year_of" and (m.first_word == w + 1 or m.last_word == w - 1)
               or m.payload.kind == "at_least" and m.last_word == w - 1
               or m.payload.kind in _EVENT_ROLES and m.last_word < w for m in ms):
            # «1952 года рождения», "born in 1948": a birth year; «более 2000 раз»: a count; after an event
            # word it opens nothing: "Militants violated the ceasefire of 1994 with mortar fire…", «Бои
            # вспыхнули вдоль границы 1921 года…»
            continue
        out.append(Match(Term(source=words[w], words=(), payload=_PAST_YEAR, case_sensitive=False),
                         w, w, starts[w], ends[w]))
    return out


def _governed(term: Match[Role], cues: list[Match[Role]], window: int, doc: Document | None = None,
              sentence_start: int = 0) -> str | None:
    """Why ``term`` does not count, if a context cue in its sentence governs it. A hypothetical
    cue's reach ends where a clause about what has happened opens (``hypothetical_ends``: "after",
    «بعد», «после», "that killed", «унесший»; the end may be the term's own first word): "vowed to
    respond after the strike that killed five soldiers" and "vowed to avenge the strike that killed
    five fighters" report five dead. Past cues (see :func:`_past`) need the document (its punctuation)."""
    label = term.payload.value if term.payload.kind == "category" else term.payload.kind
    for cue in cues:
        kind = cue.payload.kind
        if kind in _PAST_ROLES:
            if doc is not None and _past(term, cue, doc, sentence_start):
                return f"past event ('{cue.term.source}')"
            continue
        if kind == "non_conflict" and label in _NON_CONFLICT_SUPPRESSES:
            return f"cause outside armed conflict ('{cue.term.source}')"
        if kind == "neg_before" and cue.last_word < term.first_word and \
                term.first_word - cue.last_word <= window and \
                not _across_break(doc, cue.last_word, term.first_word):
            return f"negated by '{cue.term.source}'"
        if kind == "neg_after" and cue.first_word > term.last_word and \
                cue.first_word - term.last_word <= window and \
                not _across_break(doc, term.last_word, cue.first_word):
            return f"negated by '{cue.term.source}'"
        if kind == "hypothetical" and cue.last_word < term.first_word and \
                term.first_word - cue.last_word <= HYPOTHETICAL_WINDOW and \
                not any(end.payload.kind == "hypothetical_end"
                        and cue.last_word < end.first_word <= term.first_word for end in cues) and \
                not _across_break(doc, cue.last_word, term.first_word, _CLAUSE_ENDS):
            return f"hypothetical ('{cue.term.source}')"
    return None


#: Punctuation that ends a clause outright: a hypothetical cue's reach stops there («…, где проходили
#: плановые учения; в ходе боя погибли 11 военнослужащих»: eleven dead), though not at a comma ("warned
#: that, if talks fail, shelling could resume").
_CLAUSE_ENDS = ";\u061b"


def _across_break(doc: Document | None, left: int, right: int, breaks: str = ",;\u060c\u061b") -> bool:
    """Whether a comma or semicolon (or one of ``breaks``) stands between word ``left`` and word
    ``right``: a negation cue does not reach into the next clause («Погибших нет, ранены двое»: two
    wounded)."""
    if doc is None:
        return False
    between = doc.text[doc.word_ends[left]:doc.word_starts[right]]
    return any(c in between for c in breaks)


def _truce_of_something_else(doc: Document, term: Match[Role], cues: list[Match[Role]]) -> str | None:
    """Why a ceasefire term is no ceasefire: a ``ceasefire_not`` word right beside it, no punctuation
    between ("tariff truce", «trêve hivernale», «هدنة تجارية», «перемирие в ценовой войне»)."""
    text, starts, ends = doc.text, doc.word_starts, doc.word_ends
    for cue in cues:
        if cue.payload.kind != "ceasefire_not":
            continue
        if cue.last_word + 1 == term.first_word:
            between = text[ends[cue.last_word]:starts[term.first_word]]
        elif term.last_word + 1 == cue.first_word:
            between = text[ends[term.last_word]:starts[cue.first_word]]
        else:
            continue
        if not between.strip():
            return f"a truce of something else ('{cue.term.source}')"
    return None


def _figure_of_speech(term: Match[Role], cues: list[Match[Role]]) -> str | None:
    """Why a category term is no event: it shares a word with a figure of speech (`figures_of_speech`:
    "a charm offensive", "launched a diplomatic offensive", "an explosion of joy", «bombardeo de
    críticas», «قصف إعلامي», «наступление на коррупцию»). Each figure names its category's word itself,
    so the list says exactly which phrases are figures: an adjective beside the word would not do
    ("diplomatic" also stands beside "shelling" of an embassy)."""
    for cue in cues:
        if cue.payload.kind == "figure" and cue.first_word <= term.last_word and term.first_word <= cue.last_word:
            return f"a figure of speech ('{cue.term.source}')"
    return None


def _clause_bounds(doc: Document, sentence: int) -> list[int]:
    """Offsets where the clauses of ``sentence`` begin (the sentence's start, then one after each
    :data:`_CLAUSE_BREAKS` character; a thousands separator, "8,000", is no break)."""
    start, end = doc.sentence_span(sentence)
    text = doc.text
    bounds = [start]
    for m in _CLAUSE_BREAK_RE.finditer(text, start, end):
        i = m.start()
        if not (text[i] == "," and text[i - 1:i].isdigit() and text[i + 1:i + 2].isdigit()):
            bounds.append(i + 1)
    return bounds


def _clause_of(bounds: list[int], offset: int) -> int:
    """Index of the clause (of :func:`_clause_bounds`) holding normalised ``offset``."""
    return bisect_right(bounds, offset) - 1


def _toll_cues(doc: Document, ms: list[Match[Role]]) -> list[Match[Role]]:
    """A sentence's `earlier_toll` and `running_total` cues, but the running totals a superlative stands
    just before (up to :data:`SUPERLATIVE_WINDOW` words, in the same clause): "the deadliest attack since
    2022" compares today's toll with a war's, it gives no running total. ("The largest hospital had
    earlier reported 30 dead" is still an earlier toll.)"""
    words = doc.words
    # "since 202*" ends in a year, not in a count that begins like one ("Since the weekend, 202 people…")
    cues = [m for m in ms if m.payload.kind in ("earlier_toll", "running_total")
            and not (words[m.last_word].isdigit() and len(words[m.last_word]) != 4)]
    if not cues:
        return cues
    supers = [m for m in ms if m.payload.kind == "superlative"]
    return [c for c in cues if c.payload.kind == "earlier_toll" or not _compared(doc, c, supers)]


def _compared(doc: Document, cue: Match[Role], supers: list[Match[Role]]) -> bool:
    """Whether a superlative stands just before ``cue`` (up to :data:`SUPERLATIVE_WINDOW` words, in the
    same clause): "the deadliest attack since 2022" compares, it counts nothing since then."""
    return any(s.last_word < cue.first_word and cue.first_word - s.last_word <= SUPERLATIVE_WINDOW + 1
               and not _gap(doc, s.last_word, cue.first_word)[1] for s in supers)


def _names_today(doc: Document, bounds: list[int], clause: int, ms: list[Match[Role]]) -> bool:
    """Whether ``clause`` (of ``bounds``, see :func:`_clause_bounds`) names the day of the report
    (`today`: "on Monday", «сьогодні», «اليوم»), or a short fronted clause just before it does (at most
    four words: «lundi, une attaque…»)."""
    return any(m.payload.kind == "today" and (
        _clause_of(bounds, m.start) == clause or (_clause_of(bounds, m.start) == clause - 1
                                                   and doc.words_between(bounds[clause - 1], bounds[clause]) <= 4))
        for m in ms)


def _since_then(doc: Document, num: Number, term: Match[Role], sentence: int, since: list[Match[Role]],
                ms: list[Match[Role]]) -> bool:
    """Whether ``num`` counts over a period up to now: a `since` cue ("since", «depuis le début», «с
    начала», «منذ») in its clause or in its casualty ``term``'s ("more than 500 people, most of them
    combatants, have been killed since the offensive began"), or opening its sentence ("Since the
    offensive began, more than 500…").

    Asked only of a sentence after one that gave a count of the kind, for a count over
    :data:`SINCE_MULTIPLE` times that one: a wire story's lead gives the day's toll, and a later "more
    than 5,000 civilians have been killed since the coup" the conflict's. Not where those clauses name the day of the report (`today`,
    which lists times of day too: "since dawn", «с начала суток», «منذ الصباح»), nor where they say the
    toll rose (`updates`: "the toll has since risen to 31", «число погибших с момента удара выросло до
    40», «ارتفع»: the day's toll updated); not past a relative pronoun ("…killed 3 in the camp where an
    operation has gone on since January"), nor after a superlative ("the deadliest day since 2022")."""
    bounds = _clause_bounds(doc, sentence)
    clause = _clause_of(bounds, doc.word_starts[num.first_word])
    term_clause = _clause_of(bounds, term.start)
    if _names_today(doc, bounds, clause, ms) or any(
            m.payload.kind == "update" and _clause_of(bounds, m.start) in (clause, term_clause) for m in ms):
        return False
    sentence_start = doc.sentence_words(sentence).start
    relatives = [m for m in ms if m.payload.kind == "relative"]
    supers = [m for m in ms if m.payload.kind == "superlative"]
    todays = [m for m in ms if m.payload.kind == "today"]
    for cue in since:
        if _compared(doc, cue, supers) or any(t.start <= cue.start < t.end for t in todays) or \
                _quoted(doc.text, bounds[0], cue.start):
            continue  # "the deadliest day since 2022", "since dawn", a witness's «depuis que le bus a été touché»
        own = _clause_of(bounds, cue.start)
        if own == clause or own == term_clause:
            if _past_a_relative(num, cue, relatives):
                continue
            return True
        if own < clause and cue.first_word - sentence_start <= 1:
            return True
    return False


def _past_a_relative(num: Number, cue: Match[Role], relatives: list[Match[Role]]) -> bool:
    """Whether a relative pronoun stands between ``num`` and a cue after it: the cue describes something
    else ("…killed 3 in the camp where an operation has gone on since January")."""
    return cue.first_word > num.last_word and any(num.last_word < r.first_word < cue.first_word for r in relatives)


_OPENING_QUOTES, _CLOSING_QUOTES = "\u201c\u00ab\u201e", "\u201d\u00bb"


def _quoted(text: str, start: int, offset: int) -> bool:
    """Whether ``offset`` stands inside quotation marks opened since ``start`` (a sentence's start):
    a witness's "since the drone hit we have counted 12 dead" tells of the event just reported."""
    before = text[start:offset]
    opened = sum(before.count(q) for q in _OPENING_QUOTES) - sum(before.count(q) for q in _CLOSING_QUOTES)
    return opened > 0 or before.count('"') % 2 == 1


def _background(doc: Document, num: Number, sentence: int, sentence_start: int, toll_cues: list[Match[Role]],
                cues: list[Match[Role]], ms: list[Match[Role]], counted: list[int]) -> str | None:
    """The kind of cue that makes ``num`` a background toll (`earlier_toll`, `running_total`, `past`,
    `past_year`, `past_of`), or None. An earlier or a past toll is used only where the article gives no
    other count of its kind; a running total is never the event's (see :class:`Casualties`).

    Each cue reaches little, since a wrong reach takes today's toll: two review sessions'
    current-event probes (each with a second, smaller count elsewhere) found every wider reach tried
    costing more tolls than it saved. A cue governs its own clause, and:

    * an `earlier_toll` cue that opens the sentence («Напомним, …», "A similar attack in 2024 killed
      30") the whole sentence, unless its own clause gives the earlier count ("Officials had earlier
      reported 9 dead, which later rose to 14": 14); elsewhere only its clause («…возросло до 15, ранее
      сообщалось о девяти погибших»: the 15 is today's);
    * a `running_total` cue ("since the war began", «с начала года», «منذ بدء الحرب») that opens the
      sentence and ends its own clause (at most two words follow it there) the clause after it too
      ("Since the war began, at least 12,000 civilians…"). A running total after the count, past a
      relative pronoun (`relative`: "the Jenin camp where an operation has been under way since
      January"), describes something else;
    * a `past` cue or a year that opens the sentence's first clause, the clause after it ("Hace un año,
      la ofensiva … dejó más de 80 muertos"; they govern their terms only up to a comma);
    * an anniversary (`past_of`) that ends its clause, a clause after it that a relative pronoun opens
      («الذكرى العشرين لحرب تموز 2006، التي … أسفرت عن مقتل نحو 1200»).

    None reaches a count whose clause names the day of the report (`today`: "on Monday", «сьогодні»,
    «اليوم»; also in a short fronted clause just before it: «lundi, une attaque…»)."""
    bounds = _clause_bounds(doc, sentence)
    starts = doc.word_starts
    clause = _clause_of(bounds, starts[num.first_word])
    today = _names_today(doc, bounds, clause, ms)
    relatives = [m for m in ms if m.payload.kind == "relative"]
    for cue in toll_cues:
        own = _clause_of(bounds, cue.start)
        if own == clause:
            if _past_a_relative(num, cue, relatives):
                continue
            return cue.payload.kind
        if today or own > clause:
            continue
        if cue.payload.kind == "earlier_toll" and cue.first_word == sentence_start and not any(
                _clause_of(bounds, starts[w]) == own for w in counted):
            # not when its own clause gives the earlier count: "…reported 9 dead, which later rose to 14"
            return cue.payload.kind
        if cue.payload.kind == "running_total" and cue.first_word - sentence_start <= PAST_OPENING and \
                clause == own + 1 and doc.words_between(doc.word_ends[cue.last_word], bounds[own + 1] - 1) <= 2:
            return cue.payload.kind
    if today:
        return None
    for cue in cues:
        kind = cue.payload.kind
        if num.first_word <= cue.last_word:
            continue
        own = _clause_of(bounds, cue.start)
        before = doc.words_between(bounds[own], cue.start)  # words of its clause before the cue
        if (kind == "past" and cue.first_word - sentence_start <= PAST_OPENING) or \
                (kind == "past_year" and cue.first_word - sentence_start <= PAST_YEAR_OPENING):
            # the next clause only from the sentence's first clause, which the cue opens ("Hace un año,
            # …"; a year after at most three words: «En mayo de 2025, …»): not from an apposition
            # («Херсон, звільнений у листопаді 2022 року, …») nor after a participle ("Reprise il y a
            # deux ans, la ville a été frappée…")
            if clause == own or (clause == own + 1 and own == 0 and before <= (3 if kind == "past_year" else 0)):
                return kind
        elif kind == "past_of":
            if clause == own:
                return kind
            # a relative clause right after an anniversary that ends its clause (at most four words
            # after the cue) is the remembered event's: «الذكرى العشرين لحرب تموز 2006، التي … أسفرت»; one
            # after a clause that goes on tells today's ("…struck Kyiv, which killed 12")
            if clause == own + 1 and doc.words_between(doc.word_ends[cue.last_word], bounds[clause] - 1) <= 4 \
                    and any(_clause_of(bounds, r.start) == clause and doc.words_between(bounds[clause], r.start) == 0
                            for r in relatives):
                return kind
    return None


def _within_sentences(doc: Document, matches: list[Match[Role]]) -> list[Match[Role]]:
    """Drop the matches of several words that run across a sentence's end: the lexicon searches words
    whatever stands between them, so "drones de combat. Au sol" was «combat au sol» (an armed clash)
    and "a parade of armed men. Attacked by critics" "armed men attacked". A line break after no
    full stop is no such end here: hard-wrapped text ("A Russian drone\nattack") keeps its term. (The
    gazetteer keeps such matches: "St. Petersburg" is split into two sentences and stays one name.)"""
    starts = doc.sentence_starts
    if len(starts) < 2:
        return matches
    text = doc.text
    ends = [s for s in starts[1:] if _after_a_full_stop(text, s)]
    if not ends:
        return matches
    kept = []
    for m in matches:
        if m.first_word != m.last_word:
            i = bisect_right(ends, m.start)
            if i < len(ends) and ends[i] < m.end:
                continue
        kept.append(m)
    return kept


def _opening_subjects(doc: Document, matches: list[Match[Role]],
                      asides: tuple[tuple[str, ...], ...] = ()) -> list[Match[Role]]:
    """Drop the matches of ``^`` terms that do not open their sentence's subject.

    "The death toll from a Russian ballistic missile strike on the centre of the northeastern Ukrainian
    city of Sumy rose to 35": a toll's subject runs to twenty words, and a term that reaches that far
    anywhere took other subjects' rises ("Nine people were killed. The death toll may still rise, as
    the number of residents unaccounted for has reached 30"; two reviews broke 56 of 74 and 36 of 100
    paragraphs so). Such a term (``^toll ~ … ~ rose to``) is kept only where it opens its sentence
    (:func:`_opens_its_sentence`) and its gap holds one subject: no clause punctuation but asides
    between commas (:func:`_asides_only`), no digit word
    but a year's or one a unit follows (a date: «…по будівлі ОДА 29 березня зросла до 37»), no casualty
    term of the other kind («Le bilan est de six morts et le nombre de blessés … est passé à 45») and
    no second subject's head (`toll_subjects`: "…may still rise as the number of residents unaccounted
    for has reached 30"). Number words may stand there: «une école», "two days of fighting"."""
    if not any(m.term.opening for m in matches):
        return matches
    words = doc.words
    before_units = {o.first_word - 1 for o in matches if o.payload.kind == "unit"}
    unit_words = {w for o in matches if o.payload.kind == "unit" for w in range(o.first_word, o.last_word + 1)}
    # where the terms a gap may not hold begin, sorted, with their last word and kind
    inside = sorted((o.first_word, o.last_word, o.payload.kind) for o in matches
                    if o.payload.kind in _OTHER_KIND or o.payload.kind == "toll_subject")
    firsts = [first for first, _, _ in inside]
    kept = []
    seen = _Sentences(doc)
    for m in matches:
        if m.term.opening:
            if not _opens_its_sentence(doc, m, seen):
                continue
            gaps = [i for i, pid in enumerate(m.term.words) if pid == GAP]
            if not gaps:  # a term of plain words (held by the automaton, ``words`` empty): no gap to check
                kept.append(m)
                continue
            lo = m.first_word + gaps[0]  # the gap's words: the term's own words fill its ends
            hi = m.last_word - (len(m.term.words) - gaps[-1] - 1)
            if lo <= hi and (not _asides_only(doc, lo - 1, hi + 1, asides, unit_words) or any(
                    words[w][:1].isdigit() and w not in before_units and not _YEAR.fullmatch(words[w])
                    for w in range(lo, hi + 1))):
                continue
            other = _OTHER_KIND.get(m.payload.kind, None)
            if any(kind in (other, "toll_subject") and last <= hi
                   for first, last, kind in inside[bisect_left(firsts, lo):bisect_right(firsts, hi)]):
                continue
        kept.append(m)
    return kept


def _asides_only(doc: Document, left: int, right: int, asides: tuple[tuple[str, ...], ...],
                 unit_words: set[int]) -> bool:
    """Whether the clause punctuation between word ``left`` and word ``right`` (the verb's first word) is
    only asides set into a toll's subject: pairs of commas, each opening on a word of `asides` ("in",
    «en», «в», "according to": a place or a source), the last closing at most :data:`ASIDE_GAP` words
    before the verb, as the next opens after the one before («…contra el puerto petrolero de Ras Isa, en
    el oeste de Yemen, ascendió a 74»). Any other break ("…is still unclear, officials said, while the
    number of displaced people has risen to 12,000"), or an aside that a clause of its own follows
    ("…, according to officials, remains unknown and the number of displaced rose to 3,000": a review
    broke 33 of 63 paragraphs before the aside had to close by the verb), is a second clause; an aside
    that holds a unit of time (`casualties.units`: "…, in the past week alone, rose to 57", «…, en lo que
    va de año, asciende a…») makes the toll a period's, not the event's."""
    if not _gap(doc, left, right)[1]:
        return True
    text, starts, ends = doc.text, doc.word_starts, doc.word_ends
    opened, opened_at = False, left
    closed = None  # the first word after the last aside's closing comma
    for w in range(left, right):
        between = text[ends[w]:starts[w + 1]]
        if not _CLAUSE_BREAKS.intersection(between):
            continue
        if between.strip() not in (",", "\u060c"):  # a comma, Latin or Arabic
            return False  # a semicolon, a colon, a dash, brackets, or more than a comma
        if opened:
            if not unit_words.isdisjoint(range(opened_at, w + 1)):
                return False
            opened, closed = False, w + 1
        elif (closed is None or w + 1 - closed <= ASIDE_GAP) and any(
                tuple(doc.words[w + 1:w + 1 + len(a)]) == a for a in asides):
            opened, opened_at = True, w + 1
        else:
            return False
    return not opened and (closed is None or right - closed <= ASIDE_GAP)


#: A dateline's dash: " - ", an em or en dash, or one glued to the agency's parenthesis ("(EFE).-").
_DATELINE_DASH = re.compile(r"\s-\s|[\u2014\u2013]|\)\.?-")


def _opens_its_sentence(doc: Document, m: Match[Role], seen: _Sentences | None = None) -> bool:
    """Whether at most :data:`OPENING_SUBJECT` words precede ``m`` in its sentence, or in the part of it
    after a dateline: a dash after a parenthesis ("ADEN, April 18 (Reuters) - The death toll…", "KYIV
    (AP) — …", «México, 2 jul (EFE).- La cifra…») or after at most two words («غزة - …», "GAZA — …"),
    never one later in the sentence ("Nine people were killed on Monday — the toll of damaged homes … has
    reached 300"). The sentence begins after a full stop, not at a line break: hard-wrapped text goes on
    across lines, as in :func:`_within_sentences`. ``seen`` keeps what one article's matches share."""
    seen = seen or _Sentences(doc)
    start = seen.start(m.start)
    if doc.words_between(start, m.start) <= OPENING_SUBJECT:
        return True
    text = doc.text
    dash = seen.first_dash(start, m.start)
    if dash is None or doc.words_between(dash.end(), m.start) > OPENING_SUBJECT:
        return False
    return ")" in dash.group() or text[start:dash.start()].rstrip().endswith(")") or \
        doc.words_between(start, dash.start()) <= 2


class _Sentences:
    """Where each match's sentence begins and its first dateline dash, found once per sentence.

    Why: looked up afresh for each match, both ran from the match back to its sentence's start, and a
    sentence that never ends (a scraped table, a list run together: a 100 KB toll repeated without a
    full stop) made that quadratic: 11 s for 100 KB, past the classification deadline for 1 MiB."""

    #: The longest text :data:`_DATELINE_DASH` matches, less one: a search resumed this far back finds
    #: a dash that the last search's end cut.
    _DASH_REACH = 3

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._starts: dict[int, int] = {}  # a sentence's index -> where the sentence (after a full stop) begins
        self._dashes: dict[int, tuple[int, re.Match[str] | None]] = {}  # start -> (searched to, first dash)

    def start(self, at: int) -> int:
        """Where the sentence holding offset ``at`` begins, after a full stop (not a line break)."""
        text, starts = self.doc.text, self.doc.sentence_starts
        i = bisect_right(starts, at) - 1
        walked = []
        while i > 0 and i not in self._starts and not _after_a_full_stop(text, starts[i]):
            walked.append(i)
            i -= 1
        start = self._starts.get(i, starts[i] if i >= 0 else 0)
        for j in (*walked, i):
            self._starts[j] = start
        return start

    def first_dash(self, start: int, until: int) -> re.Match[str] | None:
        """The first dateline dash in ``text[start:until]``."""
        searched, dash = self._dashes.get(start, (start, None))
        if dash is not None:
            if dash.end() <= until:
                return dash
            return _DATELINE_DASH.search(self.doc.text, start, until)  # an earlier match's end: rare
        if until <= searched:
            return None
        dash = _DATELINE_DASH.search(self.doc.text, max(start, searched - self._DASH_REACH), until)
        self._dashes[start] = (until, dash)
        return dash


def _cause_inside(m: Match[Role], cues: list[Match[Role]]) -> str | None:
    """A category term with a cause outside armed conflict among its own words is that cause's:
    "clashes between protesters and security forces", «enfrentamientos entre manifestantes y fuerzas»
    are a protest's (whose injuries were already not escalation), not an armed clash."""
    if m.payload.kind != "category":
        return None
    cause = next((c for c in cues if c.payload.kind == "non_conflict"
                  and m.first_word <= c.first_word and c.last_word <= m.last_word), None)
    return None if cause is None else f"cause outside armed conflict inside the term ('{cause.term.source}')"


def _framed(frames: list[tuple[int, Match[Role]]], event_sentences: set[int]) -> Match[Role] | None:
    """The `frames` term that makes the article about something other than an event, if any: one that
    stands in a sentence before the first that reports one. A film review, a novel, a game, an
    exhibition or an arms fair opens on what it is about and uses war's words after it ("Nolan's new
    film opened to rave reviews. Dive-bombers scream overhead amid practical explosions"). The caller
    applies it only where no sentence of the events holds a casualty word or names the day of the report:
    "The festival opened with a war film. On Tuesday, airstrikes hit Khartoum" is news. A frame in the
    event's own sentence may be its target ("a drone struck the exhibition hall"): it frames nothing.
    A sentence about people or an occasion around one (`frames_not`: "a crew filming a documentary",
    «Съемки фильма проходили в Донецке», «Le festival du film d'Odessa a ouvert») frames nothing:
    attacks are reported from there.
    Occasions, venues and targets (a museum, an anniversary, a match, exercises) are no frames: a review's
    probes reported attacks after them with neither a count nor a day ("The museum in Kharkiv had
    reopened in May. A Russian missile hit the building.")."""
    if not event_sentences:
        return None
    first = min(event_sentences)
    cancelled = {sentence for sentence, m in frames if m.payload.value == "not"}
    return next((m for sentence, m in frames if sentence < first and sentence not in cancelled
                 and m.payload.value != "not"), None)


def _quarrel(arena: Match[Role]) -> str:
    """Why a truce is a quarrel's, not a war's: the caller drops the ceasefire when its only terms are
    words that quarrels use too (`categories.ceasefire.truces`: "truce", «trêve», «перемирие», «هدنة»),
    the article names an arena of quarrels (`truce_arenas`: a party, a council, a budget, a derby,
    riders, a union), and it names no armed conflict: no other category is kept and no `war_context`
    term stands anywhere (troops, hostilities, an armed group). Four held-out sets of natural paragraphs
    had more false alerts of this one kind than of any other (parties, councils, club presidents,
    ultras, riders). Both conditions, not one: "Lawmakers hailed the Easter truce" without a word of war
    is rare in real reports, and a quarrel's article that borrows war's words ("a war of attrition")
    still alerts on its truce rather than losing a war's truce to an arena word (a peace cup final, a
    parliament's vote). A plain ceasefire term ("ceasefire", «cessez-le-feu», «وقف إطلاق النار») is
    seldom a quarrel's and always counts."""
    return (f"a truce in an article about a quarrel's arena ('{arena.term.source}') that names no armed "
            f"conflict")


def _names_armed_violence(m: Match[Role]) -> bool:
    """Shelling, an airstrike, a clash, or an explosion that names a weapon (see :attr:`Role.generic`)."""
    role = m.payload
    return role.kind == "category" and (role.value in _ARMED or role.value == "explosion" and not role.generic)


def _without_cause_beside_armed_violence(ms: list[Match[Role]], cues: list[Match[Role]], window: int,
                                         doc: Document, sentence_start: int) -> list[Match[Role]]:
    """A sentence that names armed violence itself (shelling, an airstrike, a clash, a weapon), not
    negated or hypothetical, says what killed: a word for a cause outside armed conflict there is
    the strike's doing or a name ("rescue work after the strike", a building collapsing under
    shelling, «РСЗО «Смерч»», "Storm Shadow" missiles, a protest *against* the airstrike) and
    takes nothing away. ``cues`` without the non-conflict ones, then; else ``cues`` unchanged.
    A term that shares a word with a cause's own phrase is the cause's ("fired stun grenades", «lancé
    des grenades lacrymogènes» at a protest: no weapon of war)."""
    causes = [(c.first_word, c.last_word) for c in cues if c.payload.kind == "non_conflict"]
    others = [c for c in cues if c.payload.kind != "non_conflict"]
    if any(_names_armed_violence(m) and _governed(m, others, window, doc, sentence_start) is None
           and not any(m.first_word <= b and a <= m.last_word for a, b in causes) for m in ms):
        return others
    return cues


def _without_words_of_longer_terms(matches: list[Match[Role]]) -> list[Match[Role]]:
    """``matches`` without the category terms that are the first or the last word of a longer term
    of another category: «bombardeo» in «bombardeo de la aviación» is that airstrike's word, not
    shelling as well, and «مفخخة» in «مسيرة مفخخة» the drone's, not a bomb. Each category's terms
    are matched on their own, so no rule file can say this. Ceasefire terms are never dropped."""
    by_first: dict[int, list[Match[Role]]] = defaultdict(list)
    by_last: dict[int, list[Match[Role]]] = defaultdict(list)
    for m in matches:
        if m.payload.kind == "category" and m.last_word > m.first_word:
            by_first[m.first_word].append(m)
            by_last[m.last_word].append(m)
    if not by_first:
        return matches

    def inside_another(m: Match[Role]) -> bool:
        value, length = m.payload.value, m.last_word - m.first_word
        return any(o.payload.value != value and o.last_word - o.first_word > length
                   and o.first_word <= m.first_word and m.last_word <= o.last_word
                   for o in (*by_first.get(m.first_word, ()), *by_last.get(m.last_word, ())))

    return [m for m in matches if m.payload.kind != "category" or m.payload.value == "ceasefire"
            or not inside_another(m)]


class Classifier:
    """Classifies documents with per-language rules; holds no state between articles."""

    def __init__(self, rules: dict[str, LanguageRules], severity: SeverityModel) -> None:
        self.rules = rules
        self.severity = severity

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.rules))

    def classify(self, doc: Document, language: str, reference_year: int | None = None) -> Classification:
        """``reference_year``: the year the article was published, when known; a year well before it
        in a sentence dates that sentence's events (see :func:`_past_years`)."""
        rules = self.rules[language]
        matches = _without_words_of_longer_terms(
            _opening_subjects(doc, _within_sentences(doc, rules.lexicon.find(doc)), rules.asides))
        chrome = chrome_lines(doc, matches)
        suppressed: list[Suppressed] = []

        by_sentence: dict[int, list[Match[Role]]] = defaultdict(list)
        eventful: set[int] = set()  # sentences with a term that can count; the others are skipped
        frames: list[tuple[int, Match[Role]]] = []  # (sentence, frame term) outside page chrome
        arena: Match[Role] | None = None  # the first `truce_arenas` term outside page chrome (see _quarrel)
        at_war = False  # a `war_context` term outside page chrome
        sentence_starts, line_starts = doc.sentence_starts, doc.line_starts
        for m in matches:
            kind = m.payload.kind
            if kind == "chrome":
                continue
            # A match starts where its first word does: Document.sentence_of_word's bisection, inlined
            # (this loop runs for every match).
            sentence = bisect_right(sentence_starts, m.start) - 1
            if chrome and bisect_right(line_starts, m.start) - 1 in chrome:
                if kind not in _CONTEXT_ROLES and kind not in _QUANTITY_ROLES and kind not in _TOLL_CUE_ROLES \
                        and kind not in _ARTICLE_ROLES:
                    suppressed.append(Suppressed(kind, evidence(doc, m, sentence), "page chrome"))
                continue
            if kind in _ARTICLE_ROLES:  # about the whole article, not its sentence (see _framed, _quarrel)
                if kind == "frame":
                    frames.append((sentence, m))
                elif kind == "war_context":
                    at_war = True
                elif arena is None:
                    arena = m
                continue
            by_sentence[sentence].append(m)
            if kind in _EVENT_ROLES:
                eventful.add(sentence)

        hits: dict[str, CategoryHit] = {}
        event_sentences: set[int] = set()
        truce_only: set[int] = set()
        subtypes_seen: set[str] = set()
        armed = False  # any term of _names_armed_violence kept in any sentence
        plain_truce = False  # a kept ceasefire term that is no `truces` word (see _quarrel)
        anchored = False  # a sentence with kept evidence holds a casualty word or names the day (see _framed)
        casualties = Casualties()
        earlier = Casualties()  # counts of sentences with an `earlier_toll` cue: used only if no other
        years: list[tuple[int, int]] | None = None  # found on the first eventful sentence that needs them
        for sentence in sorted(eventful):
            ms = by_sentence[sentence]
            given = {"killed": casualties.killed, "injured": casualties.injured}  # by earlier sentences
            kept: list[Match[Role]] = []
            cues: list[Match[Role]] = []
            bounds: list[tuple[int, int]] = []
            for m in ms:
                kind = m.payload.kind
                if kind in _CONTEXT_ROLES:
                    if kind == "non_conflict" or not first_half_of_compound(doc, m):
                        cues.append(m)
                elif kind == "at_least":
                    bounds.append((m.first_word, m.last_word))
            if bounds:  # a cue inside a lower-bound phrase («не менее», "no fewer than") is not a negation
                cues = [m for m in cues if not any(a <= m.first_word and m.last_word <= b for a, b in bounds)]
            sentence_start = doc.sentence_words(sentence).start if cues or reference_year is not None else 0
            if any(c.payload.kind == "non_conflict" for c in cues):
                cues = _without_cause_beside_armed_violence(ms, cues, rules.negation_window, doc, sentence_start)
            if rules.past_since and any(c.payload.kind == "past" for c in cues):
                cues = [c for c in cues if c.payload.kind != "past"
                        or not _after_since(doc.words, c.first_word, rules.past_since, sentence_start)]
            if reference_year is not None:
                if years is None:
                    years = _years(doc, rules.year_suffixes)
                if years:
                    cues += _past_years(doc, sentence, years, ms, rules.past_since, reference_year)
            for m in ms:
                kind = m.payload.kind
                if kind in _TOLL_CUE_ROLES:
                    continue
                if kind in _CONTEXT_ROLES or kind in _QUANTITY_ROLES or kind == "at_least":
                    kept.append(m)
                    continue
                if not cues:  # nothing can govern it (most sentences)
                    kept.append(m)
                    continue
                # A ceasefire is news whether it holds, is called for or is feared for: only its
                # subtype cues ("violated", "could collapse") are subject to negation and hypotheticals.
                # One signed decades ago is not: past cues govern it too.
                if kind == "category" and m.payload.value == "ceasefire":
                    past = [c for c in cues if c.payload.kind in _PAST_ROLES]
                    why = _governed(m, past, rules.negation_window, doc, sentence_start) if past else None
                    why = why or _truce_of_something_else(doc, m, cues)
                else:
                    why = _cause_inside(m, cues) or (_figure_of_speech(m, cues) if kind == "category" else None)
                    why = why or _governed(m, [c for c in cues if c.payload.kind != "ceasefire_not"],
                                           rules.negation_window, doc, sentence_start)
                if why:
                    label = m.payload.value if kind in ("category", "subtype") else kind
                    suppressed.append(Suppressed(str(label), evidence(doc, m, sentence), why))
                    continue
                kept.append(m)
            has_ceasefire = has_casualty_term = has_violence = False
            for m in kept:
                kind, value = m.payload.kind, m.payload.value
                if kind == "category":
                    event_sentences.add(sentence)
                    armed |= _names_armed_violence(m)
                    hit = hits.get(value)
                    if hit is None:
                        hit = hits[value] = CategoryHit(value)
                    hit.matches += 1
                    if len(hit.evidence) < MAX_EVIDENCE:
                        hit.evidence.append(evidence(doc, m, sentence))
                    if value == "ceasefire":
                        has_ceasefire = True
                        plain_truce |= not m.payload.truce
                    has_violence |= value != "ceasefire"
                elif kind == "killed" or kind == "injured":
                    event_sentences.add(sentence)
                    has_casualty_term = True
                    hit = hits.get("casualties")
                    if hit is None:
                        hit = hits["casualties"] = CategoryHit("casualties")
                    hit.matches += 1
                    if len(hit.evidence) < MAX_EVIDENCE:
                        hit.evidence.append(evidence(doc, m, sentence))
            if has_ceasefire and not has_violence and not has_casualty_term:
                truce_only.add(sentence)
            if has_ceasefire:
                subtypes_seen.update(m.payload.value for m in kept if m.payload.kind == "subtype")
            assigned = extract(doc, doc.sentence_words(sentence), kept, rules.glued_links, rules.articles)[0] \
                if has_casualty_term else ()
            if frames and not anchored and (has_ceasefire or has_violence or has_casualty_term):
                anchored = has_casualty_term or any(m.payload.kind == "today" for m in ms)
            # A count an `earlier_toll` cue, a past cue or an anniversary governs ("had earlier reported 15
            # dead") counts only where no other sentence gives one; one a `running_total` cue governs ("has
            # killed 43,000 since October 2023") is kept apart, never the event's toll (see :func:`_background`).
            toll_cues = _toll_cues(doc, ms) if assigned else []
            dated = bool(toll_cues) or any(c.payload.kind in _PAST_ROLES for c in cues)
            if dated:
                sentence_start = doc.sentence_words(sentence).start
                counted = [n.first_word for _, n, _ in assigned]
            # A period up to now ("since", «منذ») in a sentence after one that gave a count of the kind, with
            # a count an order of magnitude above that one: the conflict's running total, not the day's toll
            # (see :func:`_since_then`). A smaller multiple is rather the day's toll updated ("rescuers have
            # since pulled 23 bodies from the rubble", after "killing 7").
            since = [m for m in ms if m.payload.kind == "since"] if assigned and any(given.values()) else []
            for kind, num, term in assigned:
                background = _background(doc, num, sentence, sentence_start, toll_cues, cues, ms, counted) \
                    if dated else None
                before = given[kind]
                if not background and since and before is not None and num.value > SINCE_MULTIPLE * before \
                        and _since_then(doc, num, term, sentence, since, ms):
                    background = "running_total"
                if background == "running_total":  # never the event's toll: kept apart
                    if kind == "killed":
                        casualties.running_killed = max(num.value, casualties.running_killed or 0)
                    else:
                        casualties.running_injured = max(num.value, casualties.running_injured or 0)
                    continue
                toll = earlier if background else casualties
                current = toll.killed if kind == "killed" else toll.injured
                if current is None or num.value > current:
                    if kind == "killed":
                        toll.killed, toll.killed_at_least = num.value, num.at_least
                    else:
                        toll.injured, toll.injured_at_least = num.value, num.at_least
                    ev = evidence(doc, term, sentence)
                    toll.evidence.append(ev)

        if casualties.killed is None and earlier.killed is not None or \
                casualties.injured is None and earlier.injured is not None:
            if casualties.killed is None:
                casualties.killed, casualties.killed_at_least = earlier.killed, earlier.killed_at_least
            if casualties.injured is None:
                casualties.injured, casualties.injured_at_least = earlier.injured, earlier.injured_at_least
            casualties.evidence += earlier.evidence
        frame = _framed(frames, event_sentences) if frames and hits and not anchored else None
        if frame is not None:
            for category in [c for c in hits if c != "ceasefire"]:
                for ev in hits.pop(category).evidence:
                    suppressed.append(Suppressed(category, ev, f"the article opens on something other than an "
                                                               f"event ('{frame.term.source}'), and no sentence of "
                                                               f"its events holds a casualty word or the day"))
            casualties = Casualties()
        # Deaths, and explosions that name no weapon ("the blast"), with no armed violence named
        # anywhere, in an article that names a cause outside armed conflict (the flood, the bus crash,
        # the furnace, the protest) in any sentence, are not escalation.
        if not armed and ("casualties" in hits or "explosion" in hits):
            cause = next((m for m in matches if m.payload.kind == "non_conflict"
                          and doc.line_of_word(m.first_word) not in chrome), None)
            if cause is not None:
                for category in ("explosion", "casualties"):
                    for ev in hits.pop(category).evidence if category in hits else ():
                        suppressed.append(Suppressed(category, ev, f"cause outside armed conflict in the "
                                                                   f"article ('{cause.term.source}')"))
                casualties = Casualties()
        if "ceasefire" in hits and arena is not None and len(hits) == 1 and not plain_truce and not at_war:
            for ev in hits.pop("ceasefire").evidence:
                suppressed.append(Suppressed("ceasefire", ev, _quarrel(arena)))
        if "ceasefire" in hits:
            hits["ceasefire"].subtype = next((s for s in CEASEFIRE_SUBTYPES if s in subtypes_seen), None)
        ordered = {c: hits[c] for c in CATEGORIES if c in hits}
        score, reasons = self.severity.score({c: h.subtype for c, h in ordered.items()},
                                             casualties.killed, casualties.injured)
        return Classification(language=language, categories=ordered, casualties=casualties, score=score,
                              severity=self.severity.level(score) if ordered else "none",
                              severity_reasons=reasons, suppressed=suppressed, chrome_lines=chrome,
                              event_sentences=event_sentences, truce_only_sentences=truce_only)
