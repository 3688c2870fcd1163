"""Per-subscription alert filters (pure).

A filter document has up to five keys; every key present must match (AND), and a list matches when
any of its values does (OR). Absent keys and empty lists match everything.

* ``min_severity``: ``low`` < ``medium`` < ``high`` < ``critical``; the alert's severity must be at least this.
* ``categories``: category names (``shelling``, ``ceasefire``, ...); any of the alert's categories. Only
  names an alert can carry are accepted: a misspelt one (``air_strike``) would otherwise be stored and
  silently match nothing.
* ``countries``: ISO 3166-1 alpha-2 codes; the alert's ``primary_country``, its ``location`` country or
  the country of any entity it names.
* ``languages``: ISO 639-1 codes; the alert's language.
* ``entities``: Wikidata ids (``Q159``); any entity the alert names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from streamproc.classify import CATEGORIES

SEVERITIES = ("low", "medium", "high", "critical")
KEYS = ("min_severity", "categories", "countries", "languages", "entities")

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_ENTITY = re.compile(r"^Q[1-9][0-9]*$")
MAX_VALUES = 500


class FilterError(ValueError):
    pass


def _strings(name: str, value: Any, pattern: re.Pattern[str] | tuple[str, ...], fold: str | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FilterError(f"filters.{name} must be a list of strings")
    if len(value) > MAX_VALUES:
        raise FilterError(f"filters.{name}: at most {MAX_VALUES} values")
    out: list[str] = []
    for v in value:
        v = v.strip()
        v = v.upper() if fold == "upper" else v.lower() if fold == "lower" else v
        if isinstance(pattern, tuple):
            if v not in pattern:
                raise FilterError(f"filters.{name}: unknown value {v!r} (known: {', '.join(pattern)})")
        elif not pattern.match(v):
            raise FilterError(f"filters.{name}: invalid value {v!r}")
        if v not in out:
            out.append(v)
    return out


def normalise_filters(doc: Any) -> dict[str, Any]:
    """Validate a filter document and return it in canonical form (raises :class:`FilterError`)."""
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise FilterError("filters must be an object")
    unknown = sorted(set(doc) - set(KEYS))
    if unknown:
        raise FilterError(f"unknown filter(s): {', '.join(unknown)} (known: {', '.join(KEYS)})")
    out: dict[str, Any] = {}
    if doc.get("min_severity") is not None:
        sev = doc["min_severity"]
        if sev not in SEVERITIES:
            raise FilterError(f"filters.min_severity must be one of {', '.join(SEVERITIES)}")
        out["min_severity"] = sev
    specs: dict[str, tuple[re.Pattern[str] | tuple[str, ...], str]] = {
        "categories": (CATEGORIES, "lower"), "countries": (_COUNTRY, "upper"),
             "languages": (_LANGUAGE, "lower"), "entities": (_ENTITY, "upper")}
    for key, (pattern, fold) in specs.items():
        if doc.get(key) is not None:
            values = _strings(key, doc[key], pattern, fold)
            if values:
                out[key] = values
    return out


def alert_countries(alert: Mapping[str, Any]) -> set[str]:
    countries = {alert.get("primary_country")}
    location = alert.get("location") or {}
    countries.add(location.get("country"))
    countries.update(e.get("country") for e in alert.get("entities") or ())
    return {c for c in countries if c}


def matches(filters: Mapping[str, Any], alert: Mapping[str, Any]) -> bool:
    """Whether ``alert`` passes ``filters`` (already normalised)."""
    sev = filters.get("min_severity")
    if sev is not None:
        level = alert.get("severity")
        if level not in SEVERITIES or SEVERITIES.index(level) < SEVERITIES.index(sev):
            return False
    cats = filters.get("categories")
    if cats and not {c.get("name") for c in alert.get("categories") or ()} & set(cats):
        return False
    countries = filters.get("countries")
    if countries and not alert_countries(alert) & set(countries):
        return False
    langs = filters.get("languages")
    if langs and alert.get("language") not in langs:
        return False
    ents = filters.get("entities")
    return not ents or bool({e.get("id") for e in alert.get("entities") or ()} & set(ents))
