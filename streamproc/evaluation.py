"""Score the classifier on human-labelled TSV files, by the rules of ``shared/eval/README.md``.

Gold columns: ``id, lang, text, categories, fatalities, ...``; ``categories`` is ``|``-joined.
- Escalation (binary): gold positive = any of the violent categories or ``violent_unspecified``;
  gold negative = exactly ``not_escalation``; other rows are left out. Predicted positive = any
  violent category.
- Per category: recall on rows carrying it; precision over rows with a fine label.
- Casualties: on rows with a death count, exact match and within 20 %.
- Repeated texts are scored once.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from streamproc.classify import VIOLENT_CATEGORIES

FINE = set(VIOLENT_CATEGORIES)
GOLD_POSITIVE = FINE | {"violent_unspecified"}
NEGATIVE = "not_escalation"


@dataclass
class GoldRow:
    id: str
    lang: str
    text: str
    categories: set[str]
    fatalities: int | None


@dataclass
class Prediction:
    categories: set[str]
    killed: int | None


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    cat_tp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cat_gold: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cat_pred: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counts: int = 0
    counts_exact: int = 0
    counts_close: int = 0
    rows: int = 0

    def add(self, gold: GoldRow, pred: Prediction) -> None:
        self.rows += 1
        predicted = bool(pred.categories & FINE)
        if gold.categories & GOLD_POSITIVE:
            self.tp += predicted
            self.fn += not predicted
        elif gold.categories == {NEGATIVE}:
            self.fp += predicted
            self.tn += not predicted
        has_fine = bool(gold.categories & FINE) or gold.categories == {NEGATIVE}
        for cat in FINE:
            if cat in gold.categories:
                self.cat_gold[cat] += 1
                self.cat_tp[cat] += cat in pred.categories
            if has_fine and cat in pred.categories:
                self.cat_pred[cat] += 1
        if gold.fatalities is not None:
            self.counts += 1
            if pred.killed == gold.fatalities:
                self.counts_exact += 1
            if pred.killed is not None and abs(pred.killed - gold.fatalities) <= 0.2 * gold.fatalities:
                self.counts_close += 1

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    def summary(self) -> dict[str, object]:
        p = self._ratio(self.tp, self.tp + self.fp)
        r = self._ratio(self.tp, self.tp + self.fn)
        f1 = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
        out: dict[str, object] = {
            "rows": self.rows, "positives": self.tp + self.fn, "negatives": self.fp + self.tn,
            "precision": p, "recall": r, "f1": f1, "fpr": self._ratio(self.fp, self.fp + self.tn),
            "categories": {
                cat: {"gold": self.cat_gold[cat], "recall": self._ratio(self.cat_tp[cat], self.cat_gold[cat]),
                      "precision": self._ratio(self.cat_tp[cat], self.cat_pred[cat])}
                for cat in VIOLENT_CATEGORIES},
            "fatalities": {"rows": self.counts, "exact": self._ratio(self.counts_exact, self.counts),
                           "within_20pct": self._ratio(self.counts_close, self.counts)},
        }
        return out


def read_gold(path: Path) -> Iterable[GoldRow]:
    csv.field_size_limit(sys.maxsize)
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = row.get("text") or ""
            key = " ".join(text.split())
            if key in seen:
                continue
            seen.add(key)
            fat = (row.get("fatalities") or "").strip()
            yield GoldRow(id=row["id"], lang=(row.get("lang") or "").strip(), text=text,
                          categories={c for c in (row.get("categories") or "").split("|") if c},
                          fatalities=int(float(fat)) if fat else None)


def evaluate(path: Path, predict: Callable[[GoldRow], Prediction]) -> dict[str, Scores]:
    """Scores per language (and ``all``) for one file."""
    scores: dict[str, Scores] = defaultdict(Scores)
    for gold in read_gold(path):
        pred = predict(gold)
        scores["all"].add(gold, pred)
        if gold.lang:
            scores[gold.lang].add(gold, pred)
    return scores
