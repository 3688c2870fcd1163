"""Load the curated entity files (``data/entities/*.yaml``) into one compiled lexicon, and add the
GeoNames / ISO 3166 layer (:mod:`streamproc.enrich.geonames`) when the folder has
``support/geonames.yaml``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamproc.data import DATA_DIR, DataError, DataErrors, line_of, load_yaml
from streamproc.enrich.geonames import GeoIndex, given_name_stem, key_of, load_config, merge, read_generated
from streamproc.text.lexicon import Lexicon, TermSyntaxError, parse_term

ENTITIES_DIR = DATA_DIR / "entities"
ENTITY_TYPES = ("country", "region", "city", "organisation", "person")
PLACE_TYPES = ("country", "region", "city")


@dataclass(frozen=True, slots=True)
class EntityRecord:
    id: str
    type: str
    name: str
    country: str | None
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None

    @property
    def is_place(self) -> bool:
        return self.type in PLACE_TYPES


@dataclass(frozen=True, slots=True)
class Cues:
    """Words around place mentions (``support/cues.yaml``), compiled."""

    lexicon: Lexicon[str]       # every cue; payload: its kind (source, diplomatic, target, at, speaker, speaker_before,
                                # coordination)
    before_ok: frozenset[str]   # capitalised words allowed right before a Latin place name (folded)
    after_ok: frozenset[str]
    given_name_stems: frozenset[str] = frozenset()  # Cyrillic given names (:func:`given_name_stem`)
    name_particles: frozenset[str] = frozenset()    # "al", "bin": open a family name after a given name
    hyphen_particles: frozenset[str] = frozenset()  # of those, the ones that must be hyphen-joined ("al-")
    arabic_given_names: frozenset[str] = frozenset()  # folded: before a country's nisba, a family name
    #: One language's cues, for an article in that language: French «à» folds to the Spanish "a" of
    #: «pidió a Cúcuta habilitar albergues», no place cue there. ``lexicon`` (all of them) otherwise.
    by_language: Mapping[str, Lexicon[str]] = field(default_factory=dict)

    def for_language(self, language: str | None) -> Lexicon[str]:
        return self.by_language.get(language or "", self.lexicon)


_CUE_KINDS = ("source", "diplomatic", "target", "at", "speaker", "speaker_before", "coordination")


def load_cues(directory: Path, proclitics: Sequence[str] = (),
              contractions: Mapping[str, Sequence[str]] | None = None) -> Cues | None:
    path = directory / "support" / "cues.yaml"
    if not path.is_file():
        return None
    doc = load_yaml(path)
    errors: list[DataError] = []
    if not isinstance(doc, dict):
        raise DataErrors([DataError(path, 1, "cues.yaml is a mapping")])
    terms: list[tuple[str, str]] = []
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind in _CUE_KINDS:
        per_lang = doc.get(kind) or {}
        if not isinstance(per_lang, dict):
            errors.append(DataError(path, line_of(per_lang, 1), f"{kind} maps language codes to lists"))
            per_lang = {}
        for lang, words in per_lang.items():
            if not isinstance(words, list):
                errors.append(DataError(path, line_of(words, 1), f"{kind}.{lang} must be a list"))
                continue
            for w in words:
                try:
                    parse_term(w)
                except TermSyntaxError as exc:
                    errors.append(DataError(path, line_of(w, 1), f"{kind}.{lang}: {exc}"))
                    continue
                terms.append((str(w), kind))
                by_language[str(lang)].append((str(w), kind))
    for key in doc:  # a misspelt section would otherwise be ignored without a word
        if key not in _CUE_KINDS + ("name_neighbours", "given_names", "arabic_given_names"):
            errors.append(DataError(path, line_of(key, 1), f"unknown key {key!r}"))
    neighbours = doc.get("name_neighbours") or {}
    if not isinstance(neighbours, dict) or not set(neighbours) <= {"before", "after", "particles"} or not all(
            isinstance(v, list) and all(isinstance(w, str) for w in v) for v in neighbours.values()):
        errors.append(DataError(path, line_of(neighbours, 1), "name_neighbours maps before, after and particles "
                                                              "to lists of words"))
        neighbours = {}
    arabic_given = doc.get("arabic_given_names") or []
    if not isinstance(arabic_given, list) or not all(isinstance(w, str) and w.strip() for w in arabic_given):
        errors.append(DataError(path, line_of(arabic_given, 1), "arabic_given_names must be a list of names"))
        arabic_given = []
    given: set[str] = set()
    per_lang = doc.get("given_names") or {}
    for lang, names in per_lang.items() if isinstance(per_lang, dict) else ():
        for name in names if isinstance(names, list) else ():
            key = key_of(name) if isinstance(name, str) else ""
            stem = given_name_stem(key) if key and " " not in key and _is_cyrillic(key) else None
            if stem is None:
                errors.append(DataError(path, line_of(name, 1), f"given_names.{lang}: {name!r} must be one "
                                                                 "Cyrillic word of at least 3 letters"))
                continue
            given.add(stem)
    if not isinstance(per_lang, dict) or not all(isinstance(v, list) for v in per_lang.values()):
        errors.append(DataError(path, line_of(per_lang, 1), "given_names maps language codes to lists"))
    if errors:
        raise DataErrors(errors)
    return Cues(lexicon=Lexicon(terms, proclitics=proclitics, contractions=contractions),
                by_language={lang: Lexicon(ts, proclitics=proclitics, contractions=contractions)
                             for lang, ts in by_language.items()},
                before_ok=frozenset(key_of(w) for w in neighbours.get("before") or ()),
                after_ok=frozenset(key_of(w) for w in neighbours.get("after") or ()),
                given_name_stems=frozenset(given),
                name_particles=frozenset(key_of(w.rstrip("-")) for w in neighbours.get("particles") or ()),
                hyphen_particles=frozenset(key_of(w.rstrip("-")) for w in neighbours.get("particles") or ()
                                           if w.endswith("-")),
                arabic_given_names=frozenset(key_of(w) for w in arabic_given))


@dataclass(frozen=True, slots=True)
class Gazetteer:
    records: tuple[EntityRecord, ...]
    lexicon: Lexicon[int]   # curated aliases; payload: index into ``records``
    geo: GeoIndex | None = None          # imported names (GeoNames, ISO 3166); payloads: ``records`` indices
    curated: int = -1                    # records[:curated] come from the curated files (-1: all)
    population: tuple[int, ...] = ()     # prior per record (0 where unknown)
    capitals: frozenset[int] = frozenset()  # national capitals (metonymy: "Moscow said")
    cues: Cues | None = None             # support/cues.yaml: source, diplomatic and place-preposition cues
    neighbours: dict[str, frozenset[str]] | None = None  # ISO -> land neighbours (None: unknown)

    def __len__(self) -> int:
        return len(self.records)

    def is_curated(self, index: int) -> bool:
        return self.curated < 0 or index < self.curated

    def prior(self, index: int) -> int:
        return self.population[index] if index < len(self.population) else 0


_ENTITY_KEYS = frozenset({"id", "type", "name", "aliases", "country", "lat", "lon", "geonames_id", "admin1"})


def _parse_entity(path: Path, item: Any, errors: list[DataError]) -> tuple[EntityRecord, list[str]] | None:
    line = line_of(item)
    if not isinstance(item, dict):
        errors.append(DataError(path, line, "each entity must be a mapping"))
        return None
    missing = [k for k in ("id", "type", "name", "aliases") if k not in item]
    if missing:
        errors.append(DataError(path, line, f"entity missing {', '.join(missing)}"))
        return None
    unknown = [str(k) for k in item if k not in _ENTITY_KEYS]
    if unknown:  # a misspelt "contry:" would give a place with no country, without a word
        errors.append(DataError(path, line_of(unknown[0], line), f"entity {item['name']!r}: unknown key(s) "
                                f"{', '.join(map(repr, unknown))}; expected {', '.join(sorted(_ENTITY_KEYS))}"))
        return None
    if item["type"] not in ENTITY_TYPES:
        errors.append(DataError(path, line_of(item["type"], line),
                                f"type must be one of {', '.join(ENTITY_TYPES)}, not {item['type']!r}"))
        return None
    country = item.get("country")
    if country is not None and (not isinstance(country, str) or len(country) != 2 or not country.isupper()):
        errors.append(DataError(path, line_of(country, line), "country must be an ISO 3166-1 alpha-2 code"))
        return None
    lat, lon = item.get("lat"), item.get("lon")
    if item["type"] in PLACE_TYPES and (
            not isinstance(lat, (int, float)) or not isinstance(lon, (int, float))
            or not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        errors.append(DataError(path, line, f"place {item['name']!r} needs numeric lat/lon in range"))
        return None
    aliases = item["aliases"]
    if not isinstance(aliases, dict) or not aliases:
        errors.append(DataError(path, line_of(aliases, line), "aliases must map language codes to lists"))
        return None
    terms: list[str] = []
    for lang, names in aliases.items():
        if not isinstance(names, list):
            errors.append(DataError(path, line_of(names, line), f"aliases.{lang} must be a list"))
            continue
        for name in names:
            try:
                parse_term(name)
            except TermSyntaxError as exc:
                errors.append(DataError(path, line_of(name, line), f"alias of {item['name']!r}: {exc}"))
                continue
            terms.append(name)
    geonames = item.get("geonames_id")
    record = EntityRecord(id=str(item["id"]), type=str(item["type"]), name=str(item["name"]),
                          country=country, geonames_id=int(geonames) if geonames else None,
                          lat=float(lat) if lat is not None else None,
                          lon=float(lon) if lon is not None else None,
                          admin1=str(item["admin1"]) if item.get("admin1") else None)
    return record, terms


def _is_cyrillic(name: str) -> bool:
    return "\u0400" <= name[:1] <= "\u04ff"


def load_gazetteer(directory: Path = ENTITIES_DIR, proclitics: Sequence[str] = (),
                   contractions: Mapping[str, Sequence[str]] | None = None) -> Gazetteer:
    """Load and validate every entity file; raise :class:`DataErrors` listing all problems.
    ``proclitics`` and ``contractions`` are the rule files' (Arabic «و», «بال», «لل» …)."""
    errors: list[DataError] = []
    records: list[EntityRecord] = []
    alias_terms: list[tuple[str, int]] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            doc = load_yaml(path)
        except DataError as exc:
            errors.append(exc)
            continue
        if doc is None:
            continue
        if not isinstance(doc, list):
            errors.append(DataError(path, 1, "an entity file is a list of entities"))
            continue
        for item in doc:
            parsed = _parse_entity(path, item, errors)
            if parsed is None:
                continue
            record, terms = parsed
            if record.id in seen:
                errors.append(DataError(path, line_of(item), f"duplicate id {record.id} (also in {seen[record.id].name})"))
                continue
            seen[record.id] = path
            index = len(records)
            records.append(record)
            alias_terms.extend((t, index) for t in terms)
    if errors:
        raise DataErrors(errors)
    lexicon = Lexicon(alias_terms, proclitics=proclitics, contractions=contractions)
    cues = load_cues(directory, proclitics, contractions)
    if load_config(directory) is None:
        return Gazetteer(records=tuple(records), lexicon=lexicon, cues=cues)
    curated_keys: dict[int, set[str]] = {}
    for term, index in alias_terms:
        curated_keys.setdefault(index, set()).add(key_of(term.lstrip("=").replace("*", "")))
    data = read_generated(directory)
    layer = merge(data, records, curated_keys)
    n_curated = len(records)
    population = [layer.curated_population.get(i, 0) for i in range(n_curated)]
    capitals = set(layer.curated_capitals)
    for place in layer.places:
        if place.capital:
            capitals.add(len(records))
        records.append(EntityRecord(id=place.id, type=place.type, name=place.name, country=place.country,
                                    geonames_id=place.geonames_id, lat=place.lat, lon=place.lon,
                                    admin1=place.admin1))
        population.append(place.population)
    names = [(key, script, target[1] if target[0] == "curated" else n_curated + target[1])
             for key, script, target in layer.names]
    # Curated Cyrillic place names written out as one form («=Дніпро», «=Покровськ») also match their
    # other case forms through the index's stems; a stem alias («Краматорськ*») needs no help.
    stem_only = [(key_of(term.lstrip("=")), index) for term, index in alias_terms
                 if records[index].is_place and not term.endswith("*") and _is_cyrillic(term.lstrip("="))]
    return Gazetteer(records=tuple(records), lexicon=lexicon,
                     geo=GeoIndex(names, proclitics=proclitics, stem_only=stem_only, contractions=contractions),
                     curated=n_curated, population=tuple(population), capitals=frozenset(capitals),
                     cues=cues, neighbours=data.neighbours)
