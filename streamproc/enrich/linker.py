"""Find entity mentions in a document, resolve them to gazetteer records, and name the event's place.

**Mentions.** Two finders run over the same :class:`Document`: the curated lexicon (aliases of
``entities/*.yaml``) and the GeoNames / ISO 3166 index (:mod:`streamproc.enrich.geonames`). Page-chrome
lines are skipped. Where spans overlap the longest wins («مجموعة مينسك» is the OSCE Minsk Group, not
Minsk; the OSCE's Arabic name contains «أوروبا», which is not a mention of Europe); a name never matches
inside a longer word.

**Ambiguity.** One span can name several records (Tripoli LY / LB, Paris FR / US, Georgia the country /
the US state, the country Armenia / the Colombian city). The article decides, in this order:

1. a curated person or organisation beats an imported place;
2. *sub-national context*: the candidate whose country has the most other cities or regions named
   unambiguously in the article ("Atlanta, Georgia" → the US state; "Tripoli ... Misrata" → Libya);
3. a country beats a city or region of the same name (Georgia, Armenia, Jordan);
4. curated records beat imported ones (not where the span was found only by a GeoNames name or
   stem: curated Toretsk also bears its old name «Дзержинск», which is Dzerzhinsk in Russia);
   before national context, because the attacker's nationality is named as often as the victim's:
   "Russian troops shelled Pokrovsk" is Pokrovsk in Ukraine, not the Russian town GeoNames once
   called so, and "U.S. forces near Damascus" is no Damascus, Maryland;
5. *national context*: the candidate whose country is otherwise named most (country names,
   demonyms, people and organisations of that country: "Libyan", "Haftar");
6. the record whose own curated alias found the span, over one that a GeoNames name merged into a
   curated record found (bare "Gaza" is the Strip's alias; GeoNames also names Gaza City so);
7. the larger population (Tripoli LY > LB, Paris FR > TX).

**Coordination.** «Донецької та Луганської областей», "the Donetsk and Luhansk regions": the word
before the conjunction (``coordination`` cues) shares the region's noun and is that region too.

**Person or place.** A Latin-script city or region name, or any place name that is case-sensitive
(``=Jordan``) or imported, is dropped when a capitalised word that is no entity stands right before or after it ("Michael Jordan",
"Jordan Peterson", "Paris Saint-Germain"); prepositions, compass words and place nouns
(``support/cues.yaml``: ``name_neighbours``) do not count, and a lower-case name particle joined to a
capitalised word counts as one ("Khalil al-Hayya" is no Hebron). A lower-case Cyrillic alias (a
demonym: «поляк*») matched by a capitalised word inside a sentence is a surname («Военкор Поляков»),
and a country's definite adjective after an Arabic given name a family name («أحمد المصري»).

**Arabic** has no capitals to tell a name from a word: an imported (GeoNames) place smaller than
:data:`SMALL_ARABIC_PLACE` counts only right after a place cue («في», «قرب», «مدينة», «بلدة» ...).

**Event location and primary country.** Each place mention gets a weight:

* 1, plus 2 when its sentence carries escalation evidence (an *event sentence*), plus 1 when a place
  preposition stands right before it ("in", «في», «в», "près de");
* 0.2 and no event credit after a *source cue* ("according to", "information from", «الواردة من»,
  «по данным»; up to four words before the place, six when a place preposition precedes it, no
  punctuation and no other city or region between: "according to the Ministry of Defence in Baku"):
  the place a report came from;
* 0.3 and no event credit for a national capital in a *diplomatic* sentence ("urged Baku and Yerevan",
  "Moscow is concerned"), right before a verb of speech ("Baku said") or right after one that comes
  first (``speaker_before``: «dijo Ereván», «وأعلنت موسكو»): the capital stands for its government;
  not right after a ``target`` cue ("an attack on Kyiv", «удар по Киеву»): that capital was hit;
* no event credit in a diplomatic sentence whose only evidence is a ceasefire ("a round of truce talks
  ended in Istanbul"): where talks are held;
* 0.5 and no event credit for a *dateline* ("KYIV, March 3 (Reuters) -", «موسكو -»): where the
  reporter was.

The location is the city or region with the highest total weight among those with event credit (a
region yields to a city of the same country weighing at least half as much: the more precise place;
not to the national capital when that lies in another first-level region); the primary country is
the location's country, or, for a location with none (the Red Sea), that of the next place with event
credit that has one. **Border rule**: when the two best places are in neighbouring countries
(GeoNames land borders), share an event sentence and weigh within half of each other (Tovuz AZ and Tavush AM on the
Armenia–Azerbaijan border), the location is the one named first in that sentence, and the primary
country stays the location's: an alert must not say "Tovuz, Azerbaijan" and "primary country Armenia"
at once (it did when the side with the most event weight won, and «the Armenian army shelled» made
that Armenia). Both countries are in ``countries``.
Without any place with event credit the primary country is the one with the most weight overall and
the location is ``None``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from streamproc.enrich.gazetteer import EntityRecord, Gazetteer
from streamproc.enrich.geonames import is_form_of
from streamproc.text.document import Document, build_document
from streamproc.text.lexicon import longest_non_overlapping

#: Imported places smaller than this, named in Arabic script, need a place cue right before them.
SMALL_ARABIC_PLACE = 100000


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class LinkedEntity:
    record: EntityRecord
    mentions: list[Mention] = field(default_factory=list)
    in_event_sentences: int = 0
    weight: float = 0.0             # location weight (see module docstring)
    event_weight: float = 0.0       # part of the weight earned in event sentences

    def to_dict(self, max_mentions: int | None = None) -> dict[str, object]:
        """The alert's entity object: the first ``max_mentions`` mentions (all when None) and their total."""
        r = self.record
        out: dict[str, object] = {"id": r.id, "type": r.type, "name": r.name, "country": r.country}
        if r.is_place:
            out.update(geonames_id=r.geonames_id, lat=r.lat, lon=r.lon, admin1=r.admin1)
        out["mentions"] = [{"start": m.start, "end": m.end, "text": m.text} for m in self.mentions[:max_mentions]]
        out["mention_count"] = len(self.mentions)
        return out


@dataclass(slots=True)
class Linking:
    entities: list[LinkedEntity]
    primary_country: str | None
    location: LinkedEntity | None

    @property
    def countries(self) -> list[str]:
        """ISO codes of the places named, primary first, then by weight."""
        weight: Counter[str] = Counter()
        for e in self.entities:
            if e.record.is_place and e.record.country:
                weight[e.record.country] += e.weight + 1e-3
        out = [self.primary_country] if self.primary_country else []
        out += [c for c, _ in weight.most_common() if c not in out]
        return out

    @property
    def places(self) -> list[str]:
        """Names of the places named: the location first, then in order of appearance."""
        out = [self.location.record.name] if self.location else []
        out += [e.record.name for e in self.entities if e.record.is_place and e.record.name not in out]
        return out


@dataclass(slots=True)
class _Span:
    first_word: int
    last_word: int
    start: int
    end: int
    candidates: list[int]
    strict: bool            # case-sensitive curated alias or imported name: subject to the neighbour rule
    payload: int = -1
    imported_only: bool = False  # found by the GeoNames index only
    chosen: set[int] = field(default_factory=set)  # candidates found by one of their own curated aliases


def _spans(doc: Document, gazetteer: Gazetteer, skip_lines: set[int]) -> list[_Span]:
    by_words: dict[tuple[int, int], _Span] = {}
    for m in gazetteer.lexicon.find(doc):
        if skip_lines and doc.line_of_word(m.first_word) in skip_lines:
            continue
        first_letter = m.term.source[:2].lstrip("=")[:1]  # a lower-case Cyrillic alias: rare, checked further
        if "\u0430" <= first_letter <= "\u0491" and gazetteer.records[m.payload].is_place \
                and _capitalised_lowercase_alias(doc, m.first_word, m.term.source):
            continue
        span = by_words.get((m.first_word, m.last_word))
        if span is None:
            span = by_words[(m.first_word, m.last_word)] = _Span(m.first_word, m.last_word, m.start, m.end, [],
                                                                 m.term.case_sensitive)
        if m.payload not in span.candidates:
            span.candidates.append(m.payload)
        span.chosen.add(m.payload)
        span.strict = span.strict and m.term.case_sensitive
    if gazetteer.geo is not None:
        starts, ends = doc.word_starts, doc.word_ends
        for first, last, candidates in gazetteer.geo.find(doc):
            if skip_lines and doc.line_of_word(first) in skip_lines:
                continue
            span = by_words.get((first, last))
            if span is None:
                span = by_words[(first, last)] = _Span(first, last, starts[first], ends[last], [], True,
                                                       imported_only=True)
            for c in candidates:
                if c not in span.candidates:
                    span.candidates.append(c)
    return longest_non_overlapping(list(by_words.values()))  # type: ignore[arg-type]


def _arabic_family_name(doc: Document, span: _Span, gazetteer: Gazetteer) -> bool:
    """Whether a country's definite adjective («المصري») follows an Arabic given name («أحمد»,
    «وأحمد», «عبد الله»): a family name (``arabic_given_names`` in ``support/cues.yaml``)."""
    names = gazetteer.cues.arabic_given_names if gazetteer.cues else frozenset()
    w = span.first_word
    if not names or w == 0 or span.last_word != w or not doc.words[w].startswith("\u0627\u0644"):
        return False
    before = doc.words[w - 1]
    pair = f"{doc.words[w - 2]} {before}" if w >= 2 else ""  # a two-word given name
    return any(name in names or (name[:1] == "\u0648" and name[1:] in names) for name in (before, pair) if name)


def _capitalised_lowercase_alias(doc: Document, word: int, source: str) -> bool:
    """Whether a Cyrillic alias written in lower case (an adjective or a demonym: «поляк*»,
    «немецк*») matched a capitalised word inside a sentence: Russian and Ukrainian capitalise neither,
    so that word is a name, most often a surname («Алексей Поляков», «Немцов»). Not when it opens a
    sentence, a line or a quotation («Поляки и литовцы осудили…», «сказав: «Російські війська…»»), nor
    in a name of several capitalised words («Сирийской Арабской Республике», «Збройні сили Російської
    Федерації»); a word in capitals says nothing. For places only (callers check)."""
    first = source.lstrip("=")[:1]
    if not ("\u0430" <= first <= "\u044f" or first in "\u0451\u0456\u0457\u0454\u0491"):  # ё і ї є ґ
        return False
    orig = doc.original
    s, e = doc.original_span(doc.word_starts[word], doc.word_ends[word])
    if not orig[s:s + 1].isupper() or orig[s:e].isupper():  # capitals say nothing
        return False
    if orig[:s].rstrip(" ")[-1:] in _OPENERS:
        return False
    if word + 1 < len(doc.words):
        ns, _ = doc.original_span(doc.word_starts[word + 1], doc.word_ends[word + 1])
        if orig[ns:ns + 1].isupper() and "\u0400" <= orig[ns] <= "\u04ff" and not orig[e:ns].strip(" "):
            return False
    return doc.sentence_words(doc.sentence_of_word(word)).start != word \
        and doc.line_words(doc.line_of_word(word)).start != word


#: After these (and spaces), a word opens a quotation or a clause of its own and may be capitalised.
_OPENERS = frozenset(':«"\u201e\u201c(\u2014\u2013-')


def _with_coordinated_regions(doc: Document, gazetteer: Gazetteer, spans: list[_Span],
                              conjunctions: set[int]) -> list[_Span]:
    """Coordinated adjectives share their noun: in «Донецької та Луганської областей» and
    «Харьковской и Сумской областям» the first adjective names an oblast too (alone, «Донецької» had
    stemmed to the city of Donetsk, «Харьковской» to nothing). For a region span of two or more words
    right after a conjunction (``coordination`` cues), the word before the conjunction, when it can be
    a coordinated adjective (:func:`_coordinated`), is tried with the span's last word (the noun); when
    that pair is a region's curated alias, the word is that region. English "the Donetsk and Luhansk
    regions" works the same way."""
    records = gazetteer.records
    by_first = {s.first_word: s for s in spans}
    covering = {w: s for s in spans for w in range(s.first_word, s.last_word + 1)}
    added: list[_Span] = []
    tried: dict[str, list[int]] = {}
    for span in spans:
        conj, word = span.first_word - 1, span.first_word - 2
        if span.last_word == span.first_word or conj not in conjunctions or word < 0 \
                or not any(records[i].type == "region" for i in span.candidates):
            continue
        there = covering.get(word)
        if there is not None and there.last_word > there.first_word:
            continue  # a multi-word name stands there
        if not _coordinated(doc.words[word], doc.words[span.first_word], doc.words[span.last_word]):
            continue
        s1, e1 = doc.original_span(doc.word_starts[word], doc.word_ends[word])
        s2, e2 = doc.original_span(doc.word_starts[span.last_word], doc.word_ends[span.last_word])
        text = f"{doc.original[s1:e1]} {doc.original[s2:e2]}"
        regions = tried.get(text)
        if regions is None:  # a long article repeats its pairs: each is looked up once
            pair = build_document(text)
            regions = tried[text] = [m.payload for m in gazetteer.lexicon.find(pair)
                                     if m.first_word == 0 and m.last_word == 1 and records[m.payload].type == "region"]
        if regions:
            if there is not None:
                by_first.pop(there.first_word, None)
            added.append(_Span(word, word, doc.word_starts[word], doc.word_ends[word], regions, False,
                               chosen=set(regions)))
    if not added:
        return spans
    return sorted([*by_first.values(), *added], key=lambda s: s.start)


def _coordinated(before: str, adjective: str, noun: str) -> bool:
    """Whether ``before`` can be an adjective sharing ``noun`` with ``adjective``: in Cyrillic, when
    both end alike («Донецької та Луганської», not «Донецька та Донецької области»: the city and its
    oblast); elsewhere, when the noun is plural ("the Donetsk and Luhansk regions", not "Kyiv and
    Odesa region")."""
    if "\u0400" <= adjective[:1] <= "\u04ff":
        return before[-2:] == adjective[-2:]
    return noun.endswith("s")


def _is_latin_word(word: str) -> bool:
    return bool(word) and word[0].isascii() and word[0].isalpha() or "\u00c0" <= word[:1] <= "\u024f"


def _neighbour_is_name(doc: Document, span: _Span, taken: set[int], gazetteer: Gazetteer) -> bool:
    """A capitalised non-entity word right before or after a Latin place name: likely a person or a brand."""
    cues = gazetteer.cues
    before_ok = cues.before_ok if cues else frozenset()
    after_ok = cues.after_ok if cues else frozenset()
    orig = doc.original
    s, e = doc.original_span(span.start, span.end)
    if not _is_latin_word(orig[s:e]):
        return False
    for w, ok in ((span.first_word - 1, before_ok), (span.last_word + 1, after_ok)):
        if w < 0 or w >= len(doc.words) or w in taken or doc.words[w] in ok:
            continue
        ws, we = doc.original_span(doc.word_starts[w], doc.word_ends[w])
        gap = orig[we:s] if w < span.first_word else orig[e:ws]
        if gap.strip(" ") or not gap:   # only plain spaces between: a punctuation mark separates names
            continue
        word = orig[ws:we]
        if word[:1].isupper() and not word.isupper() and _is_latin_word(word):
            return True
        if w > span.last_word and cues is not None and doc.words[w] in cues.name_particles \
                and _particle_opens_name(doc, w, doc.words[w] in cues.hyphen_particles):
            return True
    return False


def _particle_opens_name(doc: Document, w: int, hyphen_only: bool) -> bool:
    """Whether the particle at word ``w`` ("al", "bin") is joined by a hyphen or a space (only a
    hyphen, ``hyphen_only``: Spanish "el", "al" are articles) to a capitalised Latin word: a family
    name ("al-Hayya", "bin Ali")."""
    if w + 1 >= len(doc.words):
        return False
    orig = doc.original
    _, pe = doc.original_span(doc.word_starts[w], doc.word_ends[w])
    ns, ne = doc.original_span(doc.word_starts[w + 1], doc.word_ends[w + 1])
    word = orig[ns:ne]
    joins = ("-", "\u2010") if hyphen_only else ("-", "\u2010", " ")
    return orig[pe:ns] in joins and word[:1].isupper() and not word.isupper() and _is_latin_word(word)


def _in_person_name(doc: Document, span: _Span, gazetteer: Gazetteer, solid: set[int]) -> bool:
    """An imported place at either word of a Cyrillic given name and the capitalised word after it: a
    person («Сергій Лисак» is no Kadiyivka, once named Серго; «Анна Иванова» no Anna and no Ivanovo).
    Capitals say nothing of a Cyrillic word before a given name (a sentence's first word is
    capitalised), so a place before one stays («мэр Никополя Александр Саюк»)."""
    cues = gazetteer.cues
    if cues is None or not cues.given_name_stems or span.first_word != span.last_word:
        return False
    w = span.first_word
    return any(0 <= first and first + 1 < len(doc.words) and first + 1 not in solid
               and _given_then_capitalised(doc, first, cues.given_name_stems) for first in (w, w - 1))


def _given_then_capitalised(doc: Document, first: int, stems: frozenset[str]) -> bool:
    """Whether word ``first`` is a given name's form and the next word, after plain spaces, a
    capitalised Cyrillic word (both capitalised in the original) that is no given name itself: a
    place named like one, before a person's name, is a place («голова Олександрії Сергій …»)."""
    word = doc.words[first]
    if not ("\u0400" <= word[:1] <= "\u04ff") or not is_form_of(word, stems) \
            or is_form_of(doc.words[first + 1], stems):
        return False
    orig = doc.original
    s1, e1 = doc.original_span(doc.word_starts[first], doc.word_ends[first])
    s2, _ = doc.original_span(doc.word_starts[first + 1], doc.word_ends[first + 1])
    gap = orig[e1:s2]
    return bool(gap) and not gap.strip(" ") and orig[s1].isupper() and orig[s2].isupper() \
        and "\u0400" <= orig[s2] <= "\u04ff"


#: How many words a source cue may stand before the place it names: four, or six when a place
#: preposition stands right before the place ("according to the Ministry of Defence in Baku": where the
#: source sits; "according to the head of the Kherson regional administration" is an official of the
#: place the news is about). Never across clause or sentence punctuation.
SOURCE_REACH = 4
SOURCE_REACH_TO_IN = 6
_CLAUSE_PUNCTUATION = frozenset(",;:()\u060c\u061b.!?\u061f\u2026")


def _after_source_cue(doc: Document, span: _Span, source_ends: set[int], at_ends: set[int],
                      place_ends: set[int]) -> bool:
    """Whether a source cue ends close enough before the place (see :data:`SOURCE_REACH`), in the
    same clause, with no other place between: "According to officials, shelling hit Kherson" is news
    from Kherson, and in "said in Kyiv that shelling near Pokrovsk killed three" the cue names Kyiv
    only (``place_ends``: the last words of the place spans)."""
    reach = SOURCE_REACH_TO_IN if span.first_word - 1 in at_ends else SOURCE_REACH
    for end in range(span.first_word - 1, max(span.first_word - 1 - reach, -1), -1):
        if end in place_ends:
            return False
        if end in source_ends:
            return _CLAUSE_PUNCTUATION.isdisjoint(doc.text[doc.word_ends[end]:span.start])
    return False


def _adjacent_cue(doc: Document, place_word: int, cue_word: int, cues: set[int]) -> bool:
    """Whether ``cue_word``, right beside the place, is one of ``cues`` with no punctuation between:
    "Baku said" and «dijo Ereván» speak for a government; «en Kiev, afirmó el alcalde» does not."""
    if cue_word not in cues:
        return False
    a, b = sorted((place_word, cue_word))
    return not doc.text[doc.word_ends[a]:doc.word_starts[b]].strip()


def _resolve(spans: list[_Span], gazetteer: Gazetteer) -> None:
    """Choose one record per span (module docstring: *Ambiguity*)."""
    records = gazetteer.records
    sub_ctx: Counter[str] = Counter()
    nat_ctx: Counter[str] = Counter()
    for span in spans:
        cands = [records[i] for i in span.candidates]
        if len({r.country for r in cands}) == 1 and len({r.type == "country" for r in cands}) == 1:
            r = cands[0]   # unambiguous as to the country (three US towns named Atlanta still say US)
            # A national capital says as little as the country's name: "…near Donetsk, Moscow said"
            # is no Donetsk of Rostov Oblast.
            sub = r.type in ("city", "region") and not any(i in gazetteer.capitals for i in span.candidates)
            if r.country:
                (sub_ctx if sub else nat_ctx)[r.country] += 1
    for span in spans:
        if len(span.candidates) == 1:
            span.payload = span.candidates[0]
            continue

        # A span only the GeoNames index found names a curated place by a GeoNames name or stem, not
        # by one the curated file chose: there the curated record wins no tie (Toretsk's old name
        # «Дзержинск» is also Dzerzhinsk, 230,000 people, in Russia). Where national context does not
        # decide either, the record whose own curated alias found the span beats one that a GeoNames
        # name merged into a curated record found: the Strip's curated "Gaza", not GeoNames' "Gaza"
        # on Gaza City, bigger as it is. (National context still beats that alias: "Tripoli" is the
        # Libyan one, unless the article is about Lebanon.)
        chosen = not span.imported_only

        def key(i: int, chosen: bool = chosen, own: set[int] = span.chosen) -> tuple[object, ...]:
            r = records[i]
            curated = gazetteer.is_curated(i)
            return (curated and not r.is_place, sub_ctx[r.country or ""], r.type == "country",
                    curated and chosen, nat_ctx[r.country or ""], i in own, gazetteer.prior(i), -i)

        span.payload = max(span.candidates, key=key)


def _lines_with_words(doc: Document, n: int) -> set[int]:
    """The lines holding any of the first ``n`` words: every line from the first word's to the
    ``n``-th word's that holds a word (two bisections per line instead of one per word)."""
    if n <= 0:
        return set()
    return {line for line in range(doc.line_of_word(0), doc.line_of_word(n - 1) + 1) if doc.line_words(line)}


def _is_dateline(doc: Document, span: _Span, first_lines: set[int]) -> bool:
    line = doc.line_of_word(span.first_word)
    if line not in first_lines:
        return False
    line_start = doc.line_starts[line]
    if doc.words_between(line_start, span.start):
        return False
    _, e = doc.original_span(span.start, span.end)
    rest = doc.original[e:e + 40].lstrip(" ")
    return rest[:1] in (",", "(", "-", "—", "–", "/", ":") and not rest.startswith("-based")


def link(doc: Document, gazetteer: Gazetteer, skip_lines: set[int] = frozenset(),  # type: ignore[assignment]
         event_sentences: set[int] = frozenset(),  # type: ignore[assignment]
         language: str | None = None, truce_only: set[int] = frozenset()) -> Linking:  # type: ignore[assignment]
    """``language``: the article's, whose cue words (``support/cues.yaml``) are the ones looked for;
    every language's when not given. ``truce_only``: event sentences whose only evidence is a
    ceasefire; in a diplomatic one they give no event credit (where truce talks are held)."""
    cues = gazetteer.cues
    cue_matches = cues.for_language(language).find(doc) if cues else []
    spans = _spans(doc, gazetteer, skip_lines)
    conjunctions = {m.first_word for m in cue_matches if m.payload == "coordination"}
    if conjunctions:
        spans = _with_coordinated_regions(doc, gazetteer, spans, conjunctions)
    _resolve(spans, gazetteer)
    records = gazetteer.records
    taken = {w for s in spans for w in range(s.first_word, s.last_word + 1)}
    spans = [s for s in spans if not ((s.strict and records[s.payload].is_place or records[s.payload].type in
                                       ("city", "region")) and _neighbour_is_name(doc, s, taken, gazetteer))]
    # Words of a curated or multi-word name: never a surname («Олександрії Кіровоградської області»).
    solid = {w for s in spans if not s.imported_only or s.last_word > s.first_word
             for w in range(s.first_word, s.last_word + 1)}
    spans = [s for s in spans if not (s.imported_only and _in_person_name(doc, s, gazetteer, solid)
                                      or records[s.payload].type == "country" and _arabic_family_name(doc, s, gazetteer))]

    source_ends: set[int] = set()
    at_ends: set[int] = set()
    speaker_starts: set[int] = set()
    speaker_ends: set[int] = set()  # a verb of speech before its subject: «dijo Ereván», «وأعلنت باكو»
    diplomatic: set[int] = set()
    diplomatic_words: set[int] = set()
    target_ends: set[int] = set()   # a capital right after one was hit ("an attack on Kyiv")
    for m in cue_matches:
        kind = m.payload
        if kind == "coordination":
            continue
        if kind == "target":
            target_ends.add(m.last_word)
        elif kind == "source":
            source_ends.add(m.last_word)
        elif kind == "at":
            at_ends.add(m.last_word)
        elif kind == "speaker":
            speaker_starts.add(m.first_word)
        elif kind == "speaker_before":
            speaker_ends.add(m.last_word)
        else:
            diplomatic.add(doc.sentence_of_word(m.first_word))
            diplomatic_words.update(range(m.first_word, m.last_word + 1))
    target_ends -= diplomatic_words  # "called on Moscow to stop": no target
    # Arabic has no capitals: a small imported place needs a place word or preposition right before it.
    spans = [s for s in spans if not (s.imported_only and "\u0600" <= doc.words[s.first_word][0] <= "\u06ff"
                                      and gazetteer.prior(s.payload) < SMALL_ARABIC_PLACE
                                      and s.first_word - 1 not in at_ends)]
    content_lines = sorted({doc.line_of_word(s.first_word) for s in spans} |
                           _lines_with_words(doc, min(len(doc.words), 60)) - set(skip_lines))
    first_lines = set(content_lines[:2])

    found: dict[int, LinkedEntity] = {}
    sentence_places: dict[int, list[int]] = defaultdict(list)   # event sentence -> place payloads in order
    place_ends = {s.last_word for s in spans if records[s.payload].type in ("city", "region")}
    for span in spans:
        record = records[span.payload]
        entity = found.setdefault(span.payload, LinkedEntity(record))
        s, e = doc.original_span(span.start, span.end)
        entity.mentions.append(Mention(s, e, doc.original[s:e]))
        sentence = doc.sentence_of_word(span.first_word)
        in_event = sentence in event_sentences and not (sentence in truce_only and sentence in diplomatic)
        if in_event:
            entity.in_event_sentences += 1
        if not record.is_place:
            continue
        if _is_dateline(doc, span, first_lines):
            w, credit = 0.5, False
        elif _after_source_cue(doc, span, source_ends, at_ends, place_ends):
            w, credit = 0.2, False
        elif span.payload in gazetteer.capitals and span.first_word - 1 not in target_ends and (
                sentence in diplomatic or _adjacent_cue(doc, span.last_word, span.last_word + 1, speaker_starts)
                or _adjacent_cue(doc, span.first_word, span.first_word - 1, speaker_ends)):
            w, credit = 0.3, False
        else:
            credit = in_event
            w = 1.0 + (2.0 if in_event else 0.0) + (1.0 if span.first_word - 1 in at_ends else 0.0)
        entity.weight += w
        if credit:
            entity.event_weight += w
            if record.type in ("city", "region"):
                sentence_places[sentence].append(span.payload)
    entities = sorted(found.values(), key=lambda x: x.mentions[0].start)

    country_weight: Counter[str] = Counter()
    for ent in entities:
        if ent.record.is_place and ent.record.country:
            country_weight[ent.record.country] += ent.weight
    places = [e for e in entities if e.record.type in ("city", "region") and e.event_weight > 0]
    places.sort(key=lambda e: (-e.weight, e.mentions[0].start))
    location = places[0] if places else None
    if location is not None and location.record.type == "region":
        # A city of the same country with event credit is the more precise location ("Jenin" in the West
        # Bank); not the national capital of another first-level region, more often its government than a
        # place in the region (Yerevan, for shelling in Tavush).
        region_admin1 = location.record.admin1
        city = next((e for e in places if e.record.type == "city" and e.record.country == location.record.country
                     and e.weight >= 0.5 * location.weight
                     and not (e.record.admin1 != region_admin1
                              and any(records[i] is e.record for i in gazetteer.capitals))), None)
        if city is not None:
            places.remove(city)
            places.insert(0, city)
            location = city
    primary = location.record.country if location else None
    if location is not None and len(places) > 1:
        second = places[1]
        neighbours = gazetteer.neighbours
        if second.record.country != location.record.country and second.weight >= 0.5 * location.weight and (
                neighbours is None or second.record.country in neighbours.get(location.record.country or "", ())):
            a, b = location.record, second.record
            shared = [s for s, ids in sentence_places.items()
                      if any(records[i] is a for i in ids) and any(records[i] is b for i in ids)]
            if shared:
                ids = sentence_places[min(shared)]
                first = next(i for i in ids if records[i] is a or records[i] is b)
                location = found[first]
                primary = location.record.country
    if primary is None:
        # A location with no country (the Red Sea): the best event place that has one speaks for it.
        primary = next((e.record.country for e in places if e.record.country), None)
    if primary is None and country_weight:
        primary = max(sorted(country_weight), key=lambda c: country_weight[c])
    return Linking(entities=entities, primary_country=primary, location=location)
