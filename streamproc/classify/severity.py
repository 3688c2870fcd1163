"""Severity: a documented, data-driven function of categories and casualty counts.

Analysts need to be able to predict the severity from the alert itself, so the function is simple
and its weights live in ``data/rules/severity.yaml`` (the formula is written at the top of that file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamproc.classify import CATEGORIES, CEASEFIRE_SUBTYPES, VIOLENT_CATEGORIES
from streamproc.classify.rules import RULES_DIR
from streamproc.data import DataError, line_of, load_yaml

SEVERITY_FILE = RULES_DIR / "severity.yaml"
MEMO_SIZE = 4096


@dataclass(frozen=True, slots=True)
class SeverityModel:
    weights: dict[str, float]
    ceasefire_subtypes: dict[str, float]
    breadth: float
    killed: tuple[tuple[int, float], ...]
    injured: tuple[tuple[int, float], ...]
    levels: tuple[tuple[str, float], ...]
    #: Scores already worked out, by their arguments: articles repeat a few combinations of categories
    #: and counts, and formatting the reasons cost ~7 µs an article. Cleared when it reaches
    #: :data:`MEMO_SIZE`, so a long-running worker's memory stays bounded.
    _memo: dict[tuple[object, ...], tuple[float, tuple[str, ...]]] = field(
        default_factory=dict, compare=False, repr=False)

    def score(self, categories: dict[str, str | None], killed: int | None, injured: int | None
              ) -> tuple[float, list[str]]:
        """Return the score in [0, 1] and the reasons, one line per term of the formula."""
        key = (*categories.items(), killed, injured)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            score, reasons = self._score(categories, killed, injured)
            found = self._memo[key] = (score, tuple(reasons))
        return found[0], list(found[1])

    def _score(self, categories: dict[str, str | None], killed: int | None, injured: int | None
               ) -> tuple[float, list[str]]:
        if not categories:
            return 0.0, []
        reasons: list[str] = []
        weights = {}
        for cat, subtype in categories.items():
            w = self.weights[cat]
            if cat == "ceasefire" and subtype:
                w = self.ceasefire_subtypes.get(subtype, w)
            weights[cat] = w
        top = max(weights, key=lambda c: weights[c])
        score = weights[top]
        reasons.append(f"base {score:.2f} from {top}")
        others = [c for c in categories if c in VIOLENT_CATEGORIES and c != top]
        if others:
            score += self.breadth * len(others)
            reasons.append(f"+{self.breadth * len(others):.2f} breadth ({', '.join(others)})")
        for label, count, table in (("killed", killed, self.killed), ("injured", injured, self.injured)):
            bonus = max((b for threshold, b in table if count is not None and count >= threshold), default=0.0)
            if bonus:
                score += bonus
                reasons.append(f"+{bonus:.2f} for {count} {label}")
        return round(min(1.0, score), 4), reasons

    def level(self, score: float) -> str:
        name = self.levels[0][0]
        for level, minimum in self.levels:
            if score >= minimum:
                name = level
        return name


def load_severity(path: Path = SEVERITY_FILE) -> SeverityModel:
    doc: Any = load_yaml(path)

    def need(key: str) -> Any:
        if not isinstance(doc, dict) or key not in doc:
            raise DataError(path, line_of(doc), f"missing required key '{key}'")
        return doc[key]

    weights = {str(k): float(v) for k, v in need("weights").items()}
    missing = [c for c in CATEGORIES if c not in weights]
    if missing:
        raise DataError(path, line_of(doc["weights"]), f"weights: missing {', '.join(missing)}")
    subtypes = {str(k): float(v) for k, v in need("ceasefire_subtypes").items()}
    unknown = [s for s in subtypes if s not in CEASEFIRE_SUBTYPES]
    if unknown:
        raise DataError(path, line_of(doc["ceasefire_subtypes"]), f"unknown ceasefire subtypes {unknown}")

    def table(key: str) -> tuple[tuple[int, float], ...]:
        rows = need(key)
        try:
            return tuple(sorted((int(r["min"]), float(r["bonus"])) for r in rows))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(path, line_of(rows), f"{key}: each row needs integer 'min' and 'bonus'") from exc

    try:
        levels = tuple(sorted(((str(r["name"]), float(r["min_score"])) for r in need("levels")),
                              key=lambda x: x[1]))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(path, line_of(doc.get("levels")), "levels: each needs 'name' and 'min_score'") from exc
    return SeverityModel(weights=weights, ceasefire_subtypes=subtypes, breadth=float(need("breadth")),
                         killed=table("killed"), injured=table("injured"), levels=levels)
