"""Load and validate the per-language rule files into compiled lexicons.

Validation happens at start-up and reports *every* problem with file and line, so a broken lexicon
never reaches a running worker and whoever edits it sees all mistakes at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamproc.classify import CATEGORIES, CEASEFIRE_SUBTYPES
from streamproc.data import DATA_DIR, DataError, DataErrors, line_of, load_yaml
from streamproc.text.lexicon import Lexicon, TermSyntaxError, parse_term
from streamproc.text.normalize import fold

RULES_DIR = DATA_DIR / "rules"


#: Optional top-level lists of cues about a sentence's counts, as (key, role kind), in lexicon order.
_TOLL_LISTS = (("earlier_toll", "earlier_toll"), ("running_total", "running_total"), ("since", "since"),
               ("updates", "update"), ("superlatives", "superlative"), ("today", "today"), ("relative", "relative"),
               ("toll_subjects", "toll_subject"))
_CASUALTY_KEYS = frozenset({"killed", "injured", "people", "at_least", "units", "range_open", "range_link",
                            "group_link", "partitive", "numbers", "only_after_a_number", "articles",
                            "one", "other_fates"})


@dataclass(frozen=True, slots=True)
class Role:
    """What a matched term means: ``kind`` is one of the keys below, ``value`` its detail."""

    kind: str            # category | subtype | killed | injured | people | at_least | unit | range_open |
                         # link | partitive | number | number_after | one | other_fate |
                         # neg_before | neg_after | hypothetical | hypothetical_end | past | past_of |
                         # chrome | non_conflict | ceasefire_not | earlier_toll | running_total |
                         # since | update | superlative | today | relative | frame | year_of |
                         # truce_arena | war_context | figure
    value: Any = None    # category name, ceasefire subtype, number value, or what a link joins
                         # (frozenset of "range", "group")
    #: An explosion term that names no weapon ("explosion", "blast", «انفجار»): a furnace or a gas
    #: main explodes too, so on its own it does not show armed violence (see the classifier).
    generic: bool = False
    #: A ceasefire term that quarrels use too ("truce", «trêve», «перемирие», «هدنة»): a party's, a
    #: council's, two riders'. It counts only where the article is not about such a quarrel (see the
    #: classifier's :func:`_quarrel`).
    truce: bool = False


#: Optional lists that qualify what an article or a term is about, and the role each gives its terms:
_QUALIFIER_LISTS = (
    # a made work or a display before the article's first sentence of events (a film, a book, a game, a
    # play, an exhibition, an arms fair; see the classifier's _framed) ...
    ("frames", Role("frame")),
    # ... unless that sentence is about people or an occasion around the work (a film crew at work, a
    # shoot, a film festival): attacks are reported from there, so it frames nothing
    ("frames_not", Role("frame", "not")),
    # a quarrel's arena (a party, a council, a budget, a derby, riders, a union), and what names armed
    # conflict (troops, hostilities, an armed group): a `truces` word counts where the second holds or the
    # first is missing (see the classifier's _quarrel)
    ("truce_arenas", Role("truce_arena")),
    ("war_context", Role("war_context")),
    # figures of speech that hold a category's word ("charm offensive", "explosion of joy", «bombardeo de
    # críticas», «قصف إعلامي»): a category term sharing a word with one is no event
    ("figures_of_speech", Role("figure")),
    # words right beside a ceasefire term that make it a truce of something else (trade, tariffs, prices,
    # evictions): "tariff truce", «trêve hivernale»
    ("ceasefire_not", Role("ceasefire_not")),
)


@dataclass(frozen=True, slots=True)
class LanguageRules:
    language: str
    lexicon: Lexicon[Role]
    negation_window: int
    path: Path
    term_count: int
    #: Link words of ranges and groups that are also proclitics, so written glued to the number
    #: after them: Arabic «بين 10 و15», «3 جنود و5 مدنيين» (one word «و15», «و5»). Each maps to
    #: what it links, like its :class:`Role`'s value: "range", "group" or both.
    glued_links: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Words (folded) that make a year after them the start of a period up to now ("since 2014"):
    #: such a year dates nothing (see the classifier's _past_years).
    past_since: frozenset[str] = frozenset()
    #: Letters written glued to a year's digits to say it is a year (folded): Arabic «1995م»
    #: (ميلادي, of the Common Era), Russian «1995г.», Ukrainian «2014р.».
    year_suffixes: frozenset[str] = frozenset()
    #: Number words that are also indefinite articles (folded): French «une frappe», Spanish «un
    #: ataque». They count only with a people word of their own after them («un soldat tué»).
    articles: frozenset[str] = frozenset()
    #: Words (folded) written with a full stop that ends no sentence: «ул. Ленина», "St. Petersburg"
    #: (see :func:`streamproc.text.document.build_document`).
    abbreviations: frozenset[str] = frozenset()
    #: Word sequences (folded) that open an aside between commas in a toll's subject ("in", «según»,
    #: "according to"): compared with the document's words, never searched for, since "in", «en», «в»
    #: are everywhere (see the classifier's _asides_only).
    asides: tuple[tuple[str, ...], ...] = ()


def _terms(path: Path, value: Any, where: str, errors: list[DataError], parent_line: int | None,
           role: Role) -> list[tuple[str, Role]]:
    """Validate a list of terms; collect errors instead of stopping at the first."""
    if not isinstance(value, list):
        errors.append(DataError(path, line_of(value, parent_line), f"{where}: expected a list of terms"))
        return []
    out: list[tuple[str, Role]] = []
    for item in value:
        if not isinstance(item, str):
            errors.append(DataError(path, line_of(value, parent_line),
                                    f"{where}: term {item!r} is not a string"))
            continue
        try:
            parse_term(item)
        except TermSyntaxError as exc:
            errors.append(DataError(path, line_of(item, parent_line), f"{where}: {exc}"))
            continue
        out.append((item, role))
    return out


def _require(path: Path, mapping: Any, key: str, errors: list[DataError], where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        errors.append(DataError(path, line_of(mapping), f"{where}: missing required key '{key}'"))
        return None
    return mapping[key]


def parse_language_rules(path: Path, errors: list[DataError]) -> LanguageRules | None:
    """Parse one ``rules/<lang>.yaml``; append problems to ``errors``."""
    try:
        doc = load_yaml(path)
    except DataError as exc:
        errors.append(exc)
        return None
    if not isinstance(doc, dict):
        errors.append(DataError(path, 1, "the file must be a mapping"))
        return None
    before = len(errors)
    lang = _require(path, doc, "language", errors, "top level")
    if lang is not None and lang != path.stem:
        errors.append(DataError(path, line_of(lang), f"language '{lang}' does not match the file name"))
    allowed = {"language", "proclitics", "article_contractions", "categories", "casualties", "negation", "hypothetical",
               "hypothetical_ends", "past", "past_of", "past_since", "year_suffixes", "chrome", "chrome_lists",
               "ceasefire_not", "earlier_toll", "running_total", "since", "updates", "superlatives", "today",
               "relative", "toll_subjects", "asides", "frames", "frames_not", "eras", "year_of",
               "abbreviations", "truce_arenas", "war_context", "figures_of_speech",
               "non_conflict"}
    for key in doc:
        if key not in allowed:
            errors.append(DataError(path, line_of(key), f"unknown key '{key}'"))
    terms: list[tuple[str, Role]] = []
    proclitics = doc.get("proclitics") or []
    if not isinstance(proclitics, list) or not all(isinstance(p, str) for p in proclitics):
        errors.append(DataError(path, line_of(proclitics), "proclitics: expected a list of strings"))
        proclitics = []

    cats = _require(path, doc, "categories", errors, "top level")
    if isinstance(cats, dict):
        for key in cats:
            if key not in CATEGORIES or key == "casualties":
                errors.append(DataError(path, line_of(key), f"categories: unknown category '{key}' "
                                        f"(casualties go under the 'casualties' key)"))
        for cat in CATEGORIES:
            if cat == "casualties":
                continue
            spec = _require(path, cats, cat, errors, "categories")
            if spec is None:
                continue
            if cat == "ceasefire":
                for key in spec if isinstance(spec, dict) else ():
                    if key not in ("terms", "truces", "subtypes"):
                        errors.append(DataError(path, line_of(key), f"unknown key 'categories.ceasefire.{key}'"))
                terms += _terms(path, _require(path, spec, "terms", errors, "categories.ceasefire"),
                                "categories.ceasefire.terms", errors, line_of(spec), Role("category", cat))
                # Optional: ceasefire terms that quarrels use too ("truce"): see Role.truce.
                terms += _terms(path, (spec.get("truces") or []) if isinstance(spec, dict) else [],
                                "categories.ceasefire.truces", errors, line_of(spec),
                                Role("category", cat, truce=True))
                subtypes = _require(path, spec, "subtypes", errors, "categories.ceasefire") or {}
                for sub in CEASEFIRE_SUBTYPES:
                    terms += _terms(path, _require(path, subtypes, sub, errors, "ceasefire.subtypes"),
                                    f"categories.ceasefire.subtypes.{sub}", errors, line_of(subtypes),
                                    Role("subtype", sub))
            elif cat == "explosion" and isinstance(spec, dict):
                for key in spec:
                    if key not in ("terms", "generic"):
                        errors.append(DataError(path, line_of(key), f"unknown key 'categories.explosion.{key}'"))
                terms += _terms(path, _require(path, spec, "terms", errors, "categories.explosion"),
                                "categories.explosion.terms", errors, line_of(spec), Role("category", cat))
                terms += _terms(path, spec.get("generic") or [], "categories.explosion.generic", errors,
                                line_of(spec), Role("category", cat, generic=True))
            else:
                terms += _terms(path, spec, f"categories.{cat}", errors, line_of(cats), Role("category", cat))
    elif cats is not None:
        errors.append(DataError(path, line_of(cats), "categories: expected a mapping"))

    cas = _require(path, doc, "casualties", errors, "top level")
    glued_links: dict[str, frozenset[str]] = {}
    article_words: set[str] = set()
    if isinstance(cas, dict):
        for key in cas:  # a misspelt optional key would otherwise be ignored without a word
            if key not in _CASUALTY_KEYS:
                errors.append(DataError(path, line_of(key), f"unknown key 'casualties.{key}'"))
        for key in ("killed", "injured", "people", "at_least"):
            terms += _terms(path, _require(path, cas, key, errors, "casualties"), f"casualties.{key}",
                            errors, line_of(cas), Role(key))
        # Optional: words that make the number before them a measure, not a count of people
        # ("killed two weeks ago", "within 3 km").
        terms += _terms(path, cas.get("units") or [], "casualties.units", errors, line_of(cas), Role("unit"))
        # Optional: fates other than death or injury ("displaced", «نزوح»): a second number a term took
        # that counts one of these is no casualty count (see casualties._without_other_fates).
        terms += _terms(path, cas.get("other_fates") or [], "casualties.other_fates", errors, line_of(cas),
                        Role("other_fate"))
        # Optional: a range of counts, "between 10 and 15": the words before its first number and
        # between its two numbers. The count is the lower figure (the conservative estimate).
        terms += _terms(path, cas.get("range_open") or [], "casualties.range_open", errors, line_of(cas),
                        Role("range_open"))
        # Optional: the word joining two groups of one count, "3 soldiers and 5 civilians": 8 killed.
        # A word that links both (most languages' "and") is one term whose role says so: two terms
        # would make two matches of every "and" in every article.
        uses: dict[str, set[str]] = {}
        for key in ("range_link", "group_link"):
            for term, _ in _terms(path, cas.get(key) or [], f"casualties.{key}", errors, line_of(cas), Role(key)):
                uses.setdefault(term, set()).add(key.removesuffix("_link"))
        terms += [(term, Role("link", frozenset(used))) for term, used in uses.items()]
        folded_proclitics = {fold(p) for p in proclitics}
        glued_links = {fold(w.strip()): frozenset(used) for w, used in uses.items()
                       if fold(w.strip()) in folded_proclitics}
        # Optional: words right after a number that make it part of a count already given, "4 of the
        # victims", «3 منهم»: never a group added to another.
        terms += _terms(path, cas.get("partitive") or [], "casualties.partitive", errors, line_of(cas),
                        Role("partitive"))
        # Optional: singular words for a person, one person when right by a term of a kind the
        # sentence gives no count of ("A soldier was killed", «مقتل جندي»).
        terms += _terms(path, cas.get("one") or [], "casualties.one", errors, line_of(cas), Role("one"))
        numbers = _require(path, cas, "numbers", errors, "casualties")
        # Optional: number words that count only after another number («две тысячи»: 2,000; a lone
        # «тысячи» is "thousands", no count). Each must be a key of numbers.
        tails = cas.get("only_after_a_number") or []
        if not isinstance(tails, list):
            errors.append(DataError(path, line_of(cas), "casualties.only_after_a_number: expected a list"))
            tails = []
        articles = cas.get("articles") or []
        if not isinstance(articles, list):
            errors.append(DataError(path, line_of(cas), "casualties.articles: expected a list"))
            articles = []
        if isinstance(numbers, dict):
            for word in articles:
                if word not in numbers:
                    errors.append(DataError(path, line_of(cas), f"casualties.articles: {word!r} "
                                            "is not a key of casualties.numbers"))
                else:
                    article_words.add(fold(str(word)))
            for word in tails:
                if word not in numbers:
                    errors.append(DataError(path, line_of(cas), f"casualties.only_after_a_number: {word!r} "
                                            "is not a key of casualties.numbers"))
            for word, value in numbers.items():
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    errors.append(DataError(path, line_of(word), f"casualties.numbers: {word!r} must map "
                                            f"to a non-negative integer, not {value!r}"))
                    continue
                terms += _terms(path, [word], "casualties.numbers", errors, line_of(numbers),
                                Role("number_after" if word in tails else "number", value))
        elif numbers is not None:
            errors.append(DataError(path, line_of(numbers), "casualties.numbers: expected a mapping"))

    window = 4
    neg = _require(path, doc, "negation", errors, "top level")
    if isinstance(neg, dict):
        for key in neg:
            if key not in ("window", "before", "after"):
                errors.append(DataError(path, line_of(key), f"unknown key 'negation.{key}'"))
        window = neg.get("window", 4)
        if not isinstance(window, int) or not 1 <= window <= 12:
            errors.append(DataError(path, line_of(neg), "negation.window must be an integer from 1 to 12"))
            window = 4
        terms += _terms(path, _require(path, neg, "before", errors, "negation"), "negation.before", errors,
                        line_of(neg), Role("neg_before"))
        terms += _terms(path, neg.get("after") or [], "negation.after", errors, line_of(neg),
                        Role("neg_after"))
    terms += _terms(path, doc.get("hypothetical") or [], "hypothetical", errors, line_of(doc),
                    Role("hypothetical"))
    terms += _terms(path, doc.get("hypothetical_ends") or [], "hypothetical_ends", errors, line_of(doc),
                    Role("hypothetical_end"))
    # Optional: what dates a clause years back ("years ago", «лет назад»), and what names a past
    # event right after it ("anniversary of", «ذكرى»): see the classifier's _past.
    terms += _terms(path, doc.get("past") or [], "past", errors, line_of(doc), Role("past"))
    terms += _terms(path, doc.get("past_of") or [], "past_of", errors, line_of(doc), Role("past_of"))
    # Optional: what dates the noun right before it to an old war ("a bomb from World War II",
    # «авиабомбу времен Великой Отечественной»): that noun only ("shelling damaged a memorial from
    # World War II" is today's shelling).
    terms += _terms(path, doc.get("eras") or [], "eras", errors, line_of(doc), Role("past", "era"))
    # Optional: words right before or after a year that make it a person's birth year or a building's
    # («1952 года рождения», "born in 1948", «من مواليد 1938»): such a year dates no event.
    terms += _terms(path, doc.get("year_of") or [], "year_of", errors, line_of(doc), Role("year_of"))
    # Optional: words that make a year after them the start of a period up to now ("since 2014"): one
    # word each, compared with the document's words (not searched for: «с», "since" are everywhere).
    past_since: set[str] = set()
    for term, _ in _terms(path, doc.get("past_since") or [], "past_since", errors, line_of(doc), Role("past")):
        words, _ = parse_term(term)
        if len(words) != 1 or words[0] is None or words[0][1]:
            errors.append(DataError(path, line_of(term, line_of(doc)), f"past_since: {term!r} must be one "
                                    "word, not a stem"))
            continue
        past_since.add(words[0][0])
    # Optional: what opens an aside between commas in a toll's subject; words compared with the
    # document's, like past_since («в», "in" are everywhere: searching for them cost 3 % of the pipeline).
    asides: list[tuple[str, ...]] = []
    for term, _ in _terms(path, doc.get("asides") or [], "asides", errors, line_of(doc), Role("aside")):
        words, _ = parse_term(term)
        if any(w is None or w[1] for w in words):
            errors.append(DataError(path, line_of(term, line_of(doc)), f"asides: {term!r} must be plain words, "
                                    "no stem nor '~'"))
            continue
        asides.append(tuple(w[0] for w in words))  # type: ignore[index]
    year_suffixes = _letter_words(path, doc, "year_suffixes", errors, 3, "one to three letters")
    # Optional: words whose full stop ends no sentence (one word each, compared with the text's words).
    abbreviations = _letter_words(path, doc, "abbreviations", errors, None,
                                  "one word of letters, without its full stop")
    terms += _terms(path, _require(path, doc, "chrome", errors, "top level") or [], "chrome", errors,
                    line_of(doc), Role("chrome"))
    # Optional: chrome phrases that head a list (``value``: "related" or "comments"): the short lines
    # under them are chrome too (see the classifier's :func:`chrome_lines`).
    chrome_lists = doc.get("chrome_lists") or {}
    if not isinstance(chrome_lists, dict) or not set(chrome_lists) <= {"related", "comments"}:
        errors.append(DataError(path, line_of(chrome_lists, line_of(doc)), "chrome_lists: expected a mapping with "
                                "the keys related and comments"))
        chrome_lists = {}
    for kind, phrases in chrome_lists.items():
        terms += _terms(path, phrases or [], f"chrome_lists.{kind}", errors, line_of(doc), Role("chrome", kind))
    terms += _terms(path, doc.get("non_conflict") or [], "non_conflict", errors, line_of(doc),
                    Role("non_conflict"))
    # Optional lists that say what an article, or a term's neighbours, are about (see _QUALIFIER_LISTS).
    for key, role in _QUALIFIER_LISTS:
        terms += _terms(path, doc.get(key) or [], key, errors, line_of(doc), role)
    # Optional lists that only qualify a sentence's counts (see the classifier's _background): an
    # earlier or background toll ("had earlier reported 15 dead", «Напомним»); a war's or a year's
    # running total ("since the war began", «с начала года»), which a superlative just before makes a
    # comparison ("killed 12 in the deadliest attack since 2022"); words opening a period up to now
    # ("since", «с начала», «منذ»), a running total after the lead's count, unless a word for a toll's
    # rise ("risen", «выросло», «ارتفع») makes it the day's toll updated; words naming the day of the
    # report ("on Monday", «сьогодні»); relative pronouns ("which", «التي»).
    for key, kind in _TOLL_LISTS:
        terms += _terms(path, doc.get(key) or [], key, errors, line_of(doc), Role(kind))
    if len(errors) > before:
        return None
    terms = list(dict.fromkeys(terms))  # a term listed twice for one role would double its evidence
    contractions = doc.get("article_contractions") or {}
    if not isinstance(contractions, dict) or not all(
            isinstance(a, str) and isinstance(cs, list) and all(isinstance(c, str) and c in proclitics for c in cs)
            for a, cs in contractions.items()):
        errors.append(DataError(path, line_of(contractions, line_of(doc)), "article_contractions: expected a "
                                "mapping of an article to a list of proclitics it fuses with"))
        contractions = {}
    if len(errors) > before:
        return None
    return LanguageRules(language=str(lang), lexicon=Lexicon(terms, proclitics=proclitics, contractions=contractions),
                         negation_window=window, path=path, term_count=len(terms), glued_links=glued_links,
                         past_since=frozenset(past_since), year_suffixes=frozenset(year_suffixes),
                         asides=tuple(dict.fromkeys(asides)),
                         articles=frozenset(article_words), abbreviations=frozenset(abbreviations))


def _letter_words(path: Path, doc: dict[str, Any], key: str, errors: list[DataError], longest: int | None,
                  what: str) -> set[str]:
    """An optional list of single words of letters (``year_suffixes``, ``abbreviations``), folded; a
    bad entry is reported with its line as ``"<key>: <entry> must be <what>"``."""
    out: set[str] = set()
    listed = doc.get(key) or []
    if not isinstance(listed, list):
        errors.append(DataError(path, line_of(listed, line_of(doc)), f"{key}: expected a list"))
        return out
    for word in listed:
        folded = fold(word).strip() if isinstance(word, str) else ""
        if not folded.isalpha() or (longest is not None and len(folded) > longest):
            errors.append(DataError(path, line_of(word, line_of(doc)), f"{key}: {word!r} must be {what}"))
            continue
        out.add(folded)
    return out


def load_rules(directory: Path = RULES_DIR) -> dict[str, LanguageRules]:
    """Load every ``<lang>.yaml`` in ``directory``; raise :class:`DataErrors` listing all problems."""
    errors: list[DataError] = []
    rules: dict[str, LanguageRules] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.stem == "severity":
            continue
        parsed = parse_language_rules(path, errors)
        if parsed is not None:
            rules[parsed.language] = parsed
    if not rules and not errors:
        errors.append(DataError(directory, None, "no rule files found"))
    if errors:
        raise DataErrors(errors)
    return rules
