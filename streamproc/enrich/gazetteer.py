"""Load the curated entity files (``data/entities/*.yaml``) into one compiled lexicon."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from streamproc.data import DATA_DIR, DataError, DataErrors, line_of, load_yaml
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
class Gazetteer:
    records: tuple[EntityRecord, ...]
    lexicon: Lexicon[int]   # payload: index into ``records``

    def __len__(self) -> int:
        return len(self.records)


def _parse_entity(path: Path, item: Any, errors: list[DataError]) -> tuple[EntityRecord, list[str]] | None:
    line = line_of(item)
    if not isinstance(item, dict):
        errors.append(DataError(path, line, "each entity must be a mapping"))
        return None
    missing = [k for k in ("id", "type", "name", "aliases") if k not in item]
    if missing:
        errors.append(DataError(path, line, f"entity missing {', '.join(missing)}"))
        return None
    if item["type"] not in ENTITY_TYPES:
        errors.append(DataError(path, line_of(item["type"], line),
                                f"type must be one of {', '.join(ENTITY_TYPES)}, not {item['type']!r}"))
        return None
    country = item.get("country")
    if country is not None and (not isinstance(country, str) or len(country) != 2 or not country.isupper()):
        errors.append(DataError(path, line_of(country, line), f"country must be an ISO 3166-1 alpha-2 code"))
        return None
    lat, lon = item.get("lat"), item.get("lon")
    if item["type"] in PLACE_TYPES:
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or \
                not (-90 <= lat <= 90 and -180 <= lon <= 180):
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


def load_gazetteer(directory: Path = ENTITIES_DIR, proclitics: Sequence[str] = ()) -> Gazetteer:
    """Load and validate every entity file; raise :class:`DataErrors` listing all problems."""
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
    return Gazetteer(records=tuple(records), lexicon=Lexicon(alias_terms, proclitics=proclitics))
