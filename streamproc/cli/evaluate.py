"""``streamproc eval FILE.tsv...``: precision, recall, F1 and FPR per file and language."""

from __future__ import annotations

from pathlib import Path

from streamproc.config import Settings
from streamproc.evaluation import GoldRow, Prediction, evaluate
from streamproc.ingest.article import Article


def _fmt(v: object) -> str:
    return "  n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def run_eval(settings: Settings, paths: list[str], detect: bool) -> int:
    from streamproc.worker.run import build_pipeline

    pipeline = build_pipeline(settings)

    def predict(row: GoldRow) -> Prediction:
        lang = None if detect or not row.lang else row.lang
        article = Article(id=row.id, text=row.text, language=lang)
        language, _ = pipeline.resolve_language(article)
        if language not in pipeline.classifier.rules:
            return Prediction(set(), None)
        c, _, _ = pipeline.analyse(article, language)
        return Prediction(set(c.categories), c.casualties.killed)

    for path in paths:
        for lang, scores in sorted(evaluate(Path(path), predict).items(), key=lambda kv: kv[0] != "all"):
            s = scores.summary()
            print(f"{Path(path).name} [{lang}] rows={s['rows']} pos={s['positives']} neg={s['negatives']} "
                  f"P={_fmt(s['precision'])} R={_fmt(s['recall'])} F1={_fmt(s['f1'])} FPR={_fmt(s['fpr'])}")
            if lang != "all":
                continue
            for cat, cs in s["categories"].items():  # type: ignore[union-attr]
                if cs["gold"]:
                    print(f"    {cat:<12} gold={cs['gold']:<4} recall={_fmt(cs['recall'])} "
                          f"precision={_fmt(cs['precision'])}")
            fat = s["fatalities"]
            if fat["rows"]:  # type: ignore[index]
                print(f"    fatalities rows={fat['rows']} exact={_fmt(fat['exact'])} "  # type: ignore[index]
                      f"within20%={_fmt(fat['within_20pct'])}")  # type: ignore[index]
    return 0
