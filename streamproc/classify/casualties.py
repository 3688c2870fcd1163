"""Casualty counts: attach numbers to "killed"/"injured" terms in the same sentence.

Each number goes to the casualty term nearest to it (so in "three soldiers were killed and five
wounded", five belongs to *wounded*; on a tie, to the term it directly follows, else the next one),
only if it is next to the term or followed by a word for people ("three soldiers"). A comma or
semicolon between a number and a term ends a clause: a term on the number's own side of it comes
first ("two soldiers were killed, five were wounded": five belongs to *wounded*, not to the *killed*
it directly follows). A lower-bound cue before a number counts as part of it: in "killed at least
five civilians and wounded 12", five is right after *killed*. A range ("between 10 and 15", "10-15")
counts as its lower figure with a lower-bound cue, the conservative estimate conflict-event datasets
such as ACLED code. Groups joined by a link word in one sentence add up: "killed three soldiers and
five civilians" counts eight, as do "three soldiers and five civilians were killed" and Arabic «مقتل 3
جنود و5 مدنيين» (the link glued to the number). Only groups: each number must be followed by a word for
people, so "killed 10 people, including 3 soldiers" stays 10. A number right after such a link opens
a clause of its own when a term follows it closely: in "three were killed and 12 others were injured"
12 are injured, not killed (the nearer term). Across the article the largest count
per kind wins: articles repeat the same deaths ("five killed" in the lead, "the five dead" later), so
adding them up would double count.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from types import MappingProxyType

from streamproc.classify.rules import Role
from streamproc.text.document import Document
from streamproc.text.lexicon import GAP, Match

MAX_DISTANCE = 6        # words between a number and its casualty term
ADJACENT = 2            # a number this close to the term needs no people word
PEOPLE_AFTER = 3        # how far after a number a people word may stand
PEOPLE_REACH = 4        # further words a number followed by its people word may stand before its term
ONE_AFTER = 3           # how far after its term a singular people word counts as one ("killed a Palestinian man")
_YEARS = range(1900, 2101)
_MULTIPLIERS = {100, 1000, 1_000_000}
INSIDE_GAP = 3          # a number inside a term's gap of up to this many words is the term's count
FEW_TERMS = 16          # up to this many casualty terms in a sentence, each number looks at every one
CLAUSE_REACH = 5        # "and 12 others were injured": how far the term of a coordinated clause may be
AT_LEAST_AFTER = 3      # «قتل 12 شخصا على الأقل»: a lower-bound cue may also follow the number
#: Punctuation that ends a clause (Latin and Arabic comma and semicolon): a number across one from a
#: casualty term goes to that term only when no term on the number's side of it is in reach.
_CLAUSE_BREAKS = frozenset(",;،؛")
#: What may stand between two digit numbers of a range written without words: "10-15", "10–15".
_RANGE_DASHES = frozenset({"-", "\u2013"})
_NO_LINKS: Mapping[str, frozenset[str]] = MappingProxyType({})


@dataclass(slots=True)
class Number:
    value: int
    first_word: int
    last_word: int
    at_least: bool = False
    glued_link: frozenset[str] = frozenset()  # what the link glued before it joins: Arabic «و15»
    group_link_at: int = -1   # first word of the group link right before it (or its cue), -1: none


def find_numbers(doc: Document, words: range, word_numbers: dict[int, tuple[int, int]],
                 tails: frozenset[int] | set[int] = frozenset(), glued: Mapping[str, frozenset[str]] = _NO_LINKS,
                 people: frozenset[int] | set[int] = frozenset(), term_ends: list[int] | None = None
                 ) -> list[Number]:
    """Numbers in a sentence: digit words (with thousands separators) and number words.

    Four digits from 1900 to 2100 (no separator) are a year, not a count, unless a word for people
    follows them directly (first words in ``people``) and a casualty term ends shortly before them
    (last words in ``term_ends``): "the death toll rose to 1950 people", «ارتفع عدد القتلى إلى 2015
    شخصا», «число погибших возросло до 1950 человек»; "In 1995 civilians were killed" is a year.

    Digits right before a multiplier word make one number ("5 thousand", «5 тысяч»: 5,000). Number
    words in ``tails`` (``only_after_a_number`` in the data) count only after another number: «две
    тысячи» is 2,000, a lone «тысячи» is "thousands", no count at all. Digits behind a link word of
    ``glued`` are numbers marked with what that link joins: Arabic writes «و15» as one word.

    Only the sentence's digit words and number-word matches are visited, not every word. The digit
    words are picked out with ``str.isdigit`` in C over this sentence's words alone: finding them
    across the whole article cost more than the few sentences that hold a casualty term need. (A
    word of other digits that survived normalisation is a candidate too, and is skipped below.)
    """
    text, tokens = doc.text, doc.words
    lo, hi = words.start, words.stop
    candidates = sorted({*compress(words, map(str.isdigit, tokens[lo:hi])),
                         *(k for k in word_numbers if lo <= k < hi)})
    glued_at: dict[int, str] = {}  # word -> the link glued before its digits
    if glued:
        for i in words:
            token = tokens[i]
            for link in glued:
                rest = token[len(link):]
                if token.startswith(link) and rest.isdigit() and rest.isascii():
                    glued_at[i] = link
                    break
        if glued_at:
            candidates = sorted({*candidates, *glued_at})
    out: list[Number] = []
    ends = set(term_ends or ())  # a set: a sentence may hold thousands of terms and years
    free = lo  # the first word not yet part of a number
    for i in candidates:
        if i < free:
            continue
        token = tokens[i]
        link = glued_at.get(i, "")
        if link or token.isdigit() and token.isascii():
            j = i
            digits = token[len(link):]
            # "12,000" / "12.000" / "12 000": following groups of exactly three digits.
            while j + 1 < hi:
                nxt = tokens[j + 1]
                sep = text[doc.word_ends[j]:doc.word_starts[j + 1]]
                if sep in {",", ".", " ", "\u00a0", "\u202f", "٬"} and len(nxt) == 3 and nxt.isdigit() \
                        and len(digits) <= 3 + 4 * (j - i):
                    digits += nxt
                    j += 1
                else:
                    break
            after = text[doc.word_ends[j]:doc.word_ends[j] + 1]
            value = _digits_value(digits)
            fraction = _fraction(doc, j, hi)
            if fraction is not None:  # "1.5", «1,5», «١٫٥»: a count only before a multiplier
                multiplier = word_numbers.get(j + 2) if j + 2 < hi else None
                free = j + 2
                if multiplier is not None and multiplier[0] in _MULTIPLIERS and \
                        text[doc.word_ends[j + 1]:doc.word_starts[j + 2]].isspace():
                    scaled = round((value + fraction) * multiplier[0])
                    if scaled < 1_000_000:
                        out.append(Number(scaled, i, multiplier[1], glued_link=glued[link] if link else frozenset()))
                    free = multiplier[1] + 1
                continue
            is_year = j == i and len(digits) == 4 and value in _YEARS and not (
                j + 1 in people and text[doc.word_ends[j]:doc.word_starts[j + 1]].isspace()
                and not ends.isdisjoint(range(i - MAX_DISTANCE, i)))
            multiplier = word_numbers.get(j + 1) if j + 1 < hi else None
            if multiplier is not None and multiplier[0] in _MULTIPLIERS and \
                    text[doc.word_ends[j]:doc.word_starts[j + 1]].isspace():
                value, j, is_year = value * multiplier[0], multiplier[1], False
                value, j = _remainder(value, multiplier[0], j, hi, tokens, glued_at)
                after = text[doc.word_ends[j]:doc.word_ends[j] + 1]
            if not is_year and after not in {":", "%", "/"} and value < 1_000_000 \
                    and not _clock_minutes(doc, i, lo) and not _percent_after(text, doc.word_ends[j]):
                out.append(Number(value, i, j, glued_link=glued[link] if link else frozenset()))
            free = j + 1
            continue
        if i in word_numbers:
            if i in tails:  # a lone «тысячи»: "thousands", not a count
                free = word_numbers[i][1] + 1
                continue
            # Adjacent number words make one number: "twenty five", «ثلاثة عشر», «dix-sept» add up;
            # "two hundred" multiplies, and so does "one" before a collective («une dizaine» = 10), but
            # not before a word joined by a glued «و»: «واحد وعشرون» is 21.
            # Never across punctuation: in "killed eight, three of them children" eight stays 8. A
            # dozen multiplies like a multiplier ("two dozen": 24; a teen is never written "two twelve").
            value, j = word_numbers[i]
            while j + 1 < hi and j + 1 in word_numbers and \
                    text[doc.word_ends[j]:doc.word_starts[j + 1]] in _NUMBER_WORD_JOINS:
                nxt_value, last = word_numbers[j + 1]
                joined = bool(glued) and tokens[j + 1].startswith(tuple(glued))
                if value == 2 and nxt_value == 2:
                    pass  # a dual and its agreeing dual («جنديين اثنين», «شابان فلسطينيان»): still two
                elif (nxt_value in _MULTIPLIERS and value < nxt_value) or (value == 1 and nxt_value >= 10 and not joined) \
                        or (nxt_value == _DOZEN and value < _DOZEN):
                    value *= nxt_value
                else:
                    value += nxt_value
                j = last
                if nxt_value in _MULTIPLIERS:
                    value, j = _remainder(value, nxt_value, j, hi, tokens, glued_at)
            if value in _MULTIPLIERS:  # «ألف و200 شخص»: a lone thousand, then the rest
                value, j = _remainder(value, value, j, hi, tokens, glued_at)
            out.append(Number(value, i, j))
            free = j + 1
    return out


#: What may stand between two number words of one number: "twenty five", «dix-sept», «quatre-vingt-dix».
_NUMBER_WORD_JOINS = frozenset({" ", "-", "\u00a0", "\u2011"})
_DOZEN = 12


def _clock_minutes(doc: Document, i: int, lo: int) -> bool:
    """Whether the digits at word ``i`` are a time's minutes ("at 05:30", «о 04:30»): the hour was
    already skipped for the colon after it, and the minutes must not count either."""
    return i > lo and doc.text[doc.word_ends[i - 1]:doc.word_starts[i]] == ":" and doc.words[i - 1].isdigit()


def _percent_after(text: str, end: int) -> bool:
    """Whether a percent sign follows a number, spaced the French way («40 %», «40\u202f%»)."""
    return text[end:end + 3].lstrip(" \u00a0\u202f")[:1] in ("%", "\u066a")


#: Decimal marks between a number's whole and fractional digits: "1.5", «1,5», Arabic «١٫٥».
_DECIMAL_MARKS = frozenset({".", ",", "\u066b"})


def _fraction(doc: Document, j: int, hi: int) -> float | None:
    """The fractional part when the digit word at ``j`` is followed by a decimal mark and digits
    that are no thousands group (not exactly three of them): "1.5 million", «1,5 тыс.», «2.25 ألف».
    Such a number is a count only before a multiplier; alone it is a measure or a date ("13.07"),
    and its two halves were once read as two counts."""
    if j + 1 >= hi:
        return None
    nxt = doc.words[j + 1]
    if len(nxt) == 3 or not (nxt.isdigit() and nxt.isascii()) or \
            doc.text[doc.word_ends[j]:doc.word_starts[j + 1]] not in _DECIMAL_MARKS:
        return None
    return _digits_value(nxt[:15]) / 10 ** len(nxt[:15])


#: Digits beyond which a number is read as this (no count is that large, every use compares it with a bound).
TOO_MANY_DIGITS = 10 ** 15


def _digits_value(digits: str) -> int:
    """The number ASCII ``digits`` write, or :data:`TOO_MANY_DIGITS` for a longer one. Why: Python's
    ``int()`` refuses over 4,300 digits, and "killed 1111…" (a scraped page, a fuzzer) dead-lettered its
    article as a processing error."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 15 else TOO_MANY_DIGITS


def _remainder(value: int, unit: int, j: int, hi: int, tokens: list[str],
               glued_at: dict[int, str]) -> tuple[int, int]:
    """Add the rest of a number written as thousands *and* a remainder with a glued link: Arabic
    «43 ألفا و391 شهيدا» is 43,391 and «ألف و200» 1,200 (the remainder smaller than the unit)."""
    if j + 1 < hi and j + 1 in glued_at:
        rest = _digits_value(tokens[j + 1][len(glued_at[j + 1]):])
        if rest < unit:
            return value + rest, j + 1
    return value, j


def _join_ranges(doc: Document, numbers: list[Number], opens: dict[int, int], links: dict[int, int],
                 at_least_ends: dict[int, int]) -> list[Number]:
    """Make each range one number, its lower figure marked as a lower bound: "between 10 and 15"
    (an opening cue, the first number, a link word, the second) and "10-15" (digits and a dash).
    The opening cue then leads the number the way a lower-bound cue does ("killed between 10 and
    15": 10 is right after *killed*). A change of count ("rose from 5 to 10") has no opening cue:
    its numbers stay apart, and the larger wins as usual."""
    out: list[Number] = []
    i = 0
    while i < len(numbers):
        a = numbers[i]
        b = numbers[i + 1] if i + 1 < len(numbers) else None
        if b is not None:
            opened = a.first_word - 1 in opens and (links.get(a.last_word + 1, -2) + 1 == b.first_word or
                                                    "range" in b.glued_link and b.first_word == a.last_word + 1)
            dashed = b.first_word == a.last_word + 1 and a.value < b.value and \
                doc.text[doc.word_ends[a.last_word]:doc.word_starts[b.first_word]] in _RANGE_DASHES and \
                doc.words[a.last_word].isdigit() and doc.words[b.first_word].isdigit()
            if opened or dashed:
                if opened:
                    at_least_ends.setdefault(a.first_word - 1, opens[a.first_word - 1])
                out.append(Number(min(a.value, b.value), a.first_word, b.last_word, at_least=True))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def extract(doc: Document, sentence_words: range, matches: list[Match[Role]],
            glued: Mapping[str, frozenset[str]] = _NO_LINKS, articles: frozenset[str] = frozenset()
            ) -> tuple[list[tuple[str, Number, Match[Role]]], list[Number]]:
    """Assign numbers in one sentence to its casualty terms.

    ``matches`` are this sentence's non-suppressed matches; ``glued`` the link words written glued
    to a number (:attr:`~streamproc.classify.rules.LanguageRules.glued_links`); ``articles`` the
    number words that are also indefinite articles (:attr:`~streamproc.classify.rules.LanguageRules.articles`),
    a count only with a people word of their own after them. Returns ``(kind,
    number, term match)`` triples, groups of one term added up, and every number found (for
    `explain`).
    """
    terms: list[Match[Role]] = []
    # Number terms may span words («اثنا عشر»): per first word, the longest wins.
    word_numbers: dict[int, tuple[int, int]] = {}
    people: set[int] = set()
    units: set[int] = set()  # first words of measures: "two weeks", "3 km"
    unit_words: set[int] = set()  # every word of a measure: a number word inside one («في المئة») is no count
    at_least_ends: dict[int, int] = {}  # last word of a lower-bound cue -> its first word
    at_least_starts: set[int] = set()
    tails: set[int] = set()  # first words of number words that count only after another number
    range_opens: dict[int, int] = {}  # last word of "between" -> its first word
    range_links: dict[int, int] = {}  # first word of "and" (between two numbers) -> its last word
    group_links: dict[int, int] = {}  # last word of "and" (between two groups) -> its first word
    partitive_starts: set[int] = set()  # first words of "of the", «منهم»: a part of a count already given
    ones: dict[int, int] = {}  # first -> last word of singular people words: "soldier", «جندي»
    fates: dict[int, int] = {}  # first -> last word of another fate than death or injury: "displaced"
    for m in matches:  # one pass sorts the sentence's matches by role
        kind = m.payload.kind
        if kind == "killed" or kind == "injured":
            terms.append(m)
        elif kind == "number" or kind == "number_after":
            if m.first_word not in word_numbers or m.last_word > word_numbers[m.first_word][1]:
                word_numbers[m.first_word] = (m.payload.value, m.last_word)
                if kind == "number_after":
                    tails.add(m.first_word)
                else:
                    tails.discard(m.first_word)
        elif kind == "people":
            people.add(m.first_word)
        elif kind == "unit":
            units.add(m.first_word)
            unit_words.update(range(m.first_word, m.last_word + 1))
        elif kind == "at_least":
            # «ما لا يقل عن» and «لا يقل عن» end together: the longer cue is the one before the number
            at_least_ends[m.last_word] = min(m.first_word, at_least_ends.get(m.last_word, m.first_word))
            at_least_starts.add(m.first_word)
        elif kind == "range_open":
            range_opens[m.last_word] = m.first_word
        elif kind == "link":
            if "range" in m.payload.value:
                range_links[m.first_word] = max(m.last_word, range_links.get(m.first_word, m.last_word))
            if "group" in m.payload.value:
                group_links[m.last_word] = min(m.first_word, group_links.get(m.last_word, m.first_word))
        elif kind == "partitive":
            partitive_starts.add(m.first_word)
        elif kind == "one":
            ones[m.first_word] = max(m.last_word, ones.get(m.first_word, m.last_word))
        elif kind == "other_fate":
            fates[m.first_word] = max(m.last_word, fates.get(m.first_word, m.last_word))
    assigned: list[tuple[str, Number, Match[Role]]] = []
    objects: set[int] = set()  # terms a count of people follows ("killed three soldiers"): see _without_labels
    if not terms:
        return assigned, []
    numbers = find_numbers(doc, sentence_words, word_numbers, tails, glued, people, [t.last_word for t in terms])
    text, word_starts, word_ends = doc.text, doc.word_starts, doc.word_ends
    if len(numbers) > 1:
        numbers = _join_ranges(doc, numbers, range_opens, range_links, at_least_ends)
        # A cue that leads the next number is that number's, not one after this number: in "3
        # soldiers and at least 5 civilians" the 3 is exact.
        # A number with a link glued on («و20») is led by that link, not by the cue before it.
        starts = {n.first_word for n in numbers if not n.glued_link}
        at_least_starts = at_least_starts - {first for last, first in at_least_ends.items() if last + 1 in starts}
    blockers = {n.first_word for n in numbers} | {t.first_word for t in terms}  # where a number's own words end
    measured = _measured_by_a_linked_number(numbers, units, range_links, group_links,
                                            {t.last_word for t in terms} | set(at_least_ends))
    near = _terms_near(terms)
    for num in numbers:
        if num.last_word + 1 in units or not unit_words.isdisjoint(range(num.first_word, num.last_word + 1)) \
                or num.first_word in measured:
            continue  # "killed two weeks ago", "more than 20 years ago": a measure, not a count
        # A lower-bound cue before the number is part of it: "killed at least five" is as near to
        # "killed" as "killed five" (counted from the number, five went to a later "wounded").
        cue = -1 if num.glued_link else at_least_ends.get(num.first_word - 1, at_least_ends.get(num.first_word - 2, -1))
        num.at_least = num.at_least or cue >= 0 or \
            not at_least_starts.isdisjoint(range(num.last_word + 1, num.last_word + AT_LEAST_AFTER + 1))
        # A number of people right after "and" ("and another", «y otras») that a term soon follows
        # opens a clause of its own: "three were killed and 12 others were injured" (12 went to the
        # nearer *killed*).
        lead_word = cue if 0 <= cue < num.first_word else num.first_word
        num.group_link_at = _group_link_before(doc, num, lead_word, group_links, glued)
        coordinated = (num.group_link_at >= 0 or lead_word - 2 in group_links) and \
            not people.isdisjoint((num.last_word + 1, num.last_word + 2))
        best: tuple[tuple[bool, bool, int, int, bool, int, int], Match[Role]] | None = None
        nearby = near((cue if cue >= 0 else num.first_word) - MAX_DISTANCE, num.last_word + MAX_DISTANCE + PEOPLE_REACH)
        for term in nearby:
            if num.last_word < term.first_word:
                dist = term.first_word - num.last_word
                side = 1            # "five wounded": the term after the number
                between = text[word_ends[num.last_word]:word_starts[term.first_word]]
            elif num.first_word > term.last_word:
                lead = cue if cue > term.last_word else num.first_word
                dist = lead - term.last_word
                side = 0 if dist == 1 else 2   # "killed three", "killed at least three": right after the term
                between = text[word_ends[term.last_word]:word_starts[lead]]
            else:
                continue  # the number is inside the term ("لقي ثلاثة جنود مصرعهم"): handled below
            # A number with its people word right after it reaches further to a term after it: French and
            # Spanish passives («Trois soldats et cinq civils ont été tués»).
            if dist > (MAX_DISTANCE + PEOPLE_REACH if side == 1 and num.last_word + 1 in people else MAX_DISTANCE):
                continue
            # A term on the number's side of a clause break first (a term after the number that "and"
            # begins is past one: "killed 3 soldiers and 5 civilians and injured 12"); then the term
            # soon after a number that opens a coordinated clause; then the nearest; on a tie ("tués
            # et cinq autres blessés") the term the number directly follows, else the term after it.
            broken = not _CLAUSE_BREAKS.isdisjoint(between) or \
                (side == 1 and (term.first_word - 1 in group_links or _linked_term(doc, term, glued)))
            # Last, a term that runs across no clause break: «двое погибших, число раненых выросло до
            # семи» matches «погибших ~ ~ выросло до» and «раненых выросло до», and the seven are wounded.
            # Two terms still level share the word next to the number («resultaron heridos», «herid*»):
            # the longer one, then the earlier, so that the lexicon's order of matches never decides.
            key = (broken, not (coordinated and side == 1 and dist <= CLAUSE_REACH), dist, side,
                   not _CLAUSE_BREAKS.isdisjoint(text[word_starts[term.first_word]:word_ends[term.last_word]]),
                   term.first_word - term.last_word, term.first_word)
            if best is None or key < best[0]:
                best = (key, term)
        # A number inside a term is its count («لقي ثلاثة جنود مصرعهم»), but not inside a long gap: "the
        # toll from a strike on a school sheltering 200 families rose to 14" is 14.
        inside = [t for t in nearby if t.first_word < num.first_word and num.last_word < t.last_word
                  and _longest_gap(t.term.words) <= INSIDE_GAP]
        if inside:
            best = ((False, False, 0, 0, False, 0, 0), min(inside, key=lambda t: (t.first_word - t.last_word, t.first_word)))
        if best is None:
            continue
        (broken, _, dist, *_), term = best
        # The people word must be this number's own: before the next number or term, no clause break
        # between ("On March 28, gunmen killed 11": gunmen are not 28's).
        own = -1
        for w in range(num.last_word + 1, num.last_word + 1 + PEOPLE_AFTER):
            if w in blockers:
                break
            if w in people:
                own = w
                break
        # An indefinite article that is also "one" («tués par une frappe»: `articles`) counts only with
        # a people word right after it («un soldat tué»): «heridos en un ataque yihadista» is no one
        # jihadist wounded.
        article = num.first_word == num.last_word and doc.words[num.first_word] in articles
        followed_by_people = own >= 0 and (not article or own == num.last_word + 1) and \
            _CLAUSE_BREAKS.isdisjoint(text[word_ends[num.last_word]:word_starts[own]])
        # Next to a term, across no clause break ("Two men, aged 45 and 62, were killed": not 62), and
        # not an article.
        if (dist <= ADJACENT and not broken and not article) or followed_by_people:
            assigned.append((term.payload.kind, num, term))
            # the term's object: "killed three soldiers", «mató a tres soldados» (at most a short word
            # between), not "killed, including 3 children" nor «20 شهيدا بينهم 3 أطفال» ("among them")
            if followed_by_people and num.first_word > term.last_word and not broken and (
                    dist == 1 or (dist == 2 and len(doc.words[term.last_word + 1]) <= 2)):
                objects.add(id(term))
    if objects:
        assigned = _without_labels(assigned, objects)
    if len(assigned) > 1 and (group_links or glued):
        assigned = _join_groups(doc, assigned, people, partitive_starts)
    if len(assigned) > 1 and fates:
        assigned = _without_other_fates(doc, assigned, fates, blockers)
    if ones:
        # a singular word right after a number is that number's counted noun («مقتل 100 جندي»,
        # «استشهد 25 فلسطينيا»: Arabic counts 11 and up take a singular noun), not one more person
        # (or a vague one: «ألفا شخص», «آلاف»: no count, not one)
        after_a_number = {n.last_word + 1 for n in numbers} | {last + 1 for _, last in word_numbers.values()}
        ones = {first: last for first, last in ones.items() if first not in after_a_number}
        # a measure between the term and the word takes no room: "shot dead a 34-year-old man"
        measures = unit_words | {w for n in numbers if n.last_word + 1 in units
                                 for w in range(n.first_word, n.last_word + 1)}
        assigned += _singular_people(doc, ones, terms, {kind for kind, _, _ in assigned}, measures)
    return assigned, numbers


def _terms_near(terms: list[Match[Role]]) -> Callable[[int, int], list[Match[Role]]]:
    """A function giving the terms that reach words ``lo`` to ``hi`` (from the last word of one to the
    first of another), in their order in ``terms``: the only ones a number there can take.

    Why: a sentence that never ends (a scraped table, a list run together: "shelling killed 3 soldiers
    and …" for 100 KB) holds thousands of numbers and terms, and every number looking at every term took
    15 s for 100 KB and grew with the square of its length: past the classification deadline, an article
    a scraper could send was dead-lettered. Few terms are simply all looked at."""
    if len(terms) <= FEW_TERMS:
        return lambda lo, hi: terms
    order = sorted(range(len(terms)), key=lambda i: terms[i].first_word)
    firsts = [terms[i].first_word for i in order]
    span = max(t.last_word - t.first_word for t in terms)  # a term reaching lo starts at lo - span at the earliest

    def near(lo: int, hi: int) -> list[Match[Role]]:
        return [terms[i] for i in sorted(order[bisect_left(firsts, lo - span):bisect_right(firsts, hi)])]

    return near


def _singular_people(doc: Document, ones: dict[int, int], terms: list[Match[Role]], counted: set[str],
                     measures: set[int] = frozenset()) -> list[tuple[str, Number, Match[Role]]]:  # type: ignore[assignment]
    """One person for each kind the sentence gives no count of, when a singular word for a person
    (``casualties.one``) stands right by its term with no comma between: "A Ukrainian soldier was
    killed", «загинула 72-річна жінка», «مقتل جندي». Right before the term, at most
    :data:`ADJACENT` words away; after it, at most :data:`ONE_AFTER` ("killed a Palestinian man"), not
    counting the words of ``measures`` between ("a 34-year-old man": a number and its unit)."""
    text, starts, ends = doc.text, doc.word_starts, doc.word_ends
    out: list[tuple[str, Number, Match[Role]]] = []
    # The first near term in the text takes the word («قتل شخص وأصيب آخرون»: the one killed), whatever
    # order the lexicon reported the terms in.
    in_text_order = sorted(terms, key=lambda t: (t.first_word, t.last_word, t.payload.kind))
    for first, last in sorted(ones.items()):
        for term in in_text_order:
            kind = term.payload.kind
            if kind in counted:
                continue
            if last < term.first_word:
                near = term.first_word - last <= ADJACENT
                between = text[ends[last]:starts[term.first_word]]
            elif first > term.last_word:
                gap = first - term.last_word
                if measures:
                    gap -= sum(1 for w in range(term.last_word + 1, first) if w in measures)
                near = gap <= ONE_AFTER
                between = text[ends[term.last_word]:starts[first]]
            else:
                continue
            if near and _CLAUSE_BREAKS.isdisjoint(between):
                out.append((kind, Number(1, first, last), term))
                counted.add(kind)
                break
    return out


@lru_cache(maxsize=4096)
def _longest_gap(words: tuple[int, ...]) -> int:
    """The longest run of ``~`` in a term's words (:data:`~streamproc.text.lexicon.GAP`)."""
    run = longest = 0
    for w in words:
        run = run + 1 if w == GAP else 0
        longest = max(longest, run)
    return longest


def _without_labels(assigned: list[tuple[str, Number, Match[Role]]], objects: set[int]
                    ) -> list[tuple[str, Number, Match[Role]]]:
    """``assigned`` without a number written right before a term that a count of people follows: the
    term's count is that one, and the number before it a name's ("Shelling on Highway 14 killed 3
    people", «el ataque contra el puesto 12 mató a tres soldados», "the blast at Gate 7 killed two
    guards"). ``objects``: the ``id`` of each such term."""
    return [(kind, num, term) for kind, num, term in assigned
            if not (id(term) in objects and num.last_word + 1 == term.first_word)]


def _measured_by_a_linked_number(numbers: list[Number], units: set[int], range_links: dict[int, int],
                                 group_links: dict[int, int], counted_after: set[int]) -> set[int]:
    """First words of numbers that a link joins to a measure after them: «Загиблим було 47 і 52 роки»,
    "the victims were 47 and 52 years old": the unit after the second number measures the first too.
    Not a number right after a casualty term or a lower-bound cue (``counted_after``, their last
    words): "killed 12 and 40 percent of the homes lost power", "killed 5 and 3 days later…" count."""
    link_ends = dict(range_links)  # first word -> last word of a link ("and", «і», «و»)
    for last, first in group_links.items():
        link_ends[first] = max(last, link_ends.get(first, last))
    measured: set[int] = set()
    starts = {n.first_word: n for n in numbers}
    for num in reversed(numbers):
        if num.first_word - 1 in counted_after:
            continue
        end = link_ends.get(num.last_word + 1)
        after = starts.get(end + 1) if end is not None else None
        if after is not None and (after.last_word + 1 in units or after.first_word in measured):
            measured.add(num.first_word)
    return measured


def _without_other_fates(doc: Document, assigned: list[tuple[str, Number, Match[Role]]], fates: dict[int, int],
                         blockers: set[int]) -> list[tuple[str, Number, Match[Role]]]:
    """Drop a count of another fate (`casualties.other_fates`: displaced, evacuated, arrested) that a
    term already counted took as a second number: «dejó 8 muertos y unos 600 desplazados», "8 dead and
    some 600 displaced people", «مقتل 8 أشخاص ونزوح 600 عائلة» are 8 dead, not 600. The fate word
    stands right before the number, or follows it (up to :data:`PEOPLE_AFTER` words, before the next
    number or term) where the term stands between the two numbers. A term's only number stays, whatever
    follows it: "killed 30 displaced people" are 30 of the displaced."""
    per_term: dict[int, int] = {}
    firsts: dict[int, int] = {}  # per term, the first word of its first number
    for _, num, term in assigned:
        per_term[id(term)] = per_term.get(id(term), 0) + 1
        firsts[id(term)] = min(num.first_word, firsts.get(id(term), num.first_word))
    fate_ends = set(fates.values())

    def of_another_fate(num: Number, term: Match[Role]) -> bool:
        if num.first_word - 1 in fate_ends and \
                doc.text[doc.word_ends[num.first_word - 1]:doc.word_starts[num.first_word]].isspace():
            return True  # «ونزوح 600»; not "a school sheltering displaced: 20 killed"
        # A fate word after the number only where the term stands between the numbers ("8 dead and 600
        # displaced"): «mató a 4 soldados y a 9 desplazados» killed displaced people too.
        if not firsts[id(term)] < term.first_word < num.first_word:
            return False
        for w in range(num.last_word + 1, num.last_word + 1 + PEOPLE_AFTER):
            if w in blockers:
                return False
            if w in fates:
                return fates[w] + 1 not in blockers  # «5 déplacés tués»: displaced people were killed
        return False

    return [a for a in assigned if per_term[id(a[2])] < 2 or not of_another_fate(a[1], a[2])]


def _group_link_before(doc: Document, num: Number, lead: int, links: dict[int, int],
                       glued: Mapping[str, frozenset[str]]) -> int:
    """The first word of the group link ("and", «و») right before a number or its lower-bound cue
    (``lead``), or -1: the link may be a word of its own or glued on («و5», «وما لا يقل عن 5»)."""
    if lead == num.first_word and "group" in num.glued_link:
        return lead
    if lead < num.first_word and _glued_group_link(doc.words[lead], glued):
        return lead
    return links.get(lead - 1, -1)


def _join_groups(doc: Document, assigned: list[tuple[str, Number, Match[Role]]], people: set[int],
                 partitive_starts: set[int]) -> list[tuple[str, Number, Match[Role]]]:
    """Add up the groups of one casualty term: "killed three soldiers and five civilians" is eight.

    Two numbers of the same term match are groups when the first is followed by a word for people
    and then a link word ("and", «و», glued or not) right before the second (or before its
    lower-bound cue: "3 soldiers and at least 5 civilians"; :attr:`Number.group_link_at`), which is
    followed by a word for people too, with no clause break between them. Not when the term stands
    between them ("ten soldiers were killed and five civilians were wounded": the five are the next
    clause's), nor when the second is a part of a count already given ("12 people and 4 of the
    victims"). A total and its breakdown ("killed 10 people, including 3 soldiers and 5 civilians")
    give 10 and 8, and the larger wins."""
    out: list[tuple[str, Number, Match[Role]]] = []
    text, word_ends, word_starts = doc.text, doc.word_ends, doc.word_starts
    for kind, num, term in assigned:
        if out and out[-1][2] is term:
            prev = out[-1][1]
            between = range(prev.last_word + 1, num.group_link_at)
            if 0 < len(between) <= PEOPLE_AFTER and not people.isdisjoint(between) and \
                    not people.isdisjoint(range(num.last_word + 1, num.last_word + 1 + PEOPLE_AFTER)) and \
                    num.last_word + 1 not in partitive_starts and \
                    not prev.last_word < term.first_word < num.first_word and \
                    _CLAUSE_BREAKS.isdisjoint(text[word_ends[prev.last_word]:word_starts[num.first_word]]):
                out[-1] = (kind, Number(prev.value + num.value, prev.first_word, num.last_word,
                                        prev.at_least or num.at_least), term)
                continue
        out.append((kind, num, term))
    return out


def _linked_term(doc: Document, term: Match[Role], glued: Mapping[str, frozenset[str]]) -> bool:
    """A term written with a group link glued on («وأصيب»): it begins a clause of its own."""
    return bool(glued) and _glued_group_link(doc.words[term.first_word], glued) and \
        not any(term.term.source.lstrip("=").startswith(link) for link in glued)


def _glued_group_link(word: str, glued: Mapping[str, frozenset[str]]) -> bool:
    return any(len(word) > len(link) and word.startswith(link) and "group" in uses for link, uses in glued.items())
