"""``streamproc bench``: whole-article throughput of the pure pipeline on one core, and stage costs.

Articles are the bundled samples (or JSON-lines files given as arguments) padded to ~3 KB by
repeating their paragraphs, so the figure is per realistic article, not per sentence.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from streamproc.config import Settings
from streamproc.ingest.decode import decode_article
from streamproc.text.language import detect_language

if TYPE_CHECKING:
    from streamproc.pipeline import Pipeline


def padded_articles(paths: list[str], size: int) -> list[dict[str, object]]:
    """Articles from JSON-lines files (default: the bundled samples), padded with their own
    paragraphs to about ``size`` bytes. Shared with ``bench/pipeline.py``."""
    lines: list[str] = []
    if paths:
        for p in paths:
            lines += Path(p).read_text("utf-8").splitlines()
    else:
        lines = resources.files("streamproc").joinpath("samples/articles.jsonl").read_text("utf-8").splitlines()
    out = []
    for line in lines:
        if not line.strip():
            continue
        a = orjson.loads(line)
        paragraphs = [p for p in a["text"].split("\n") if p.strip()] or [a["text"]]
        text, i = a["text"], 0
        while len(text.encode()) < size:  # whole paragraphs, one at a time: ~size, not 2x size
            text += "\n\n" + paragraphs[i % len(paragraphs)]
            i += 1
        out.append({**a, "text": text})
    return out


def measure_pipeline(pipeline: Pipeline, payloads: list[bytes], seconds: float
                     ) -> tuple[int, float, dict[str, float]]:
    """Run the whole pure pipeline over ``payloads`` (in a loop) for ``seconds``: articles processed,
    time taken, and seconds spent per stage. Shared with ``bench/pipeline.py``."""
    stages: dict[str, float] = defaultdict(float)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for p in payloads:
            outcome = pipeline.process(p)
            for k, v in outcome.timings.items():
                stages[k] += v
            n += 1
    return n, time.perf_counter() - start, stages


def run_bench(settings: Settings, paths: list[str], seconds: float, size: int) -> int:
    from streamproc.worker.run import build_pipeline

    t0 = time.perf_counter()
    pipeline = build_pipeline(settings)
    load = time.perf_counter() - t0
    articles = padded_articles(paths, size)
    declared = [orjson.dumps({**a, "language": a.get("language") or detect_language(a["text"])[0]})
                for a in articles]
    undeclared = [orjson.dumps({k: v for k, v in a.items() if k != "language"}) for a in articles]
    avg_bytes = statistics.mean(len(p) for p in declared)
    for p in declared:  # warm caches (translate table, automaton)
        pipeline.process(p)

    def measure(payloads: list[bytes]) -> tuple[int, float, dict[str, float]]:
        return measure_pipeline(pipeline, payloads, seconds)

    def measure_classifier(payloads: list[bytes]) -> tuple[int, float, float, list[float]]:
        """The classifier alone: decode, normalise, classify each article, nothing else in between.
        Also the rate in each window of about 0.2 s (whole passes over the articles): on a shared VM
        the mean moves with the neighbours' load, so the median window (the typical speed) and the
        best one (the code's own speed, what ``timeit`` reports as its minimum) are printed too.
        And the CPU time the thread used: per core means per second *on* the core, which excludes
        the time other processes of this machine had it (it cannot exclude a neighbouring VM's)."""
        classify, max_bytes = pipeline.classifier.classify, pipeline.max_bytes
        n = 0
        windows: list[float] = []
        cpu = time.thread_time()
        start = window = time.perf_counter()
        in_window = 0
        while time.perf_counter() - start < seconds:
            for p in payloads:
                article = decode_article(p, max_bytes)
                language = pipeline.resolve_language(article)[0]
                classify(pipeline.document(article.text, language), language)
                n += 1
            in_window += len(payloads)
            now = time.perf_counter()
            if now - window >= 0.2:
                windows.append(in_window / (now - window))
                window, in_window = now, 0
        if not windows:  # a run shorter than one window
            windows.append(in_window / (time.perf_counter() - window))
        return n, time.perf_counter() - start, time.thread_time() - cpu, windows

    n, elapsed, stages = measure(declared)
    classifier = sum(stages.get(k, 0.0) for k in ("decode", "normalise", "classify"))
    print(f"python {platform.python_version()} ({sys.executable} -> {Path(sys.executable).resolve()})")
    print(f"rules+gazetteer load: {load * 1000:.0f} ms")
    print(f"articles: {len(articles)} distinct, average {avg_bytes / 1024:.1f} KB, {n} processed in {elapsed:.1f}s")
    print(f"classifier inside the pipeline (its decode + normalise + classify stages, language declared): "
          f"{n / classifier:,.0f} articles/s on one core")
    print(f"whole pure pipeline (+ enrich and build for the alerting ones): {n / elapsed:,.0f} articles/s "
          f"on one core")
    for stage, total in stages.items():
        print(f"  {stage:<10} {total / n * 1e6:8.1f} µs/article")
    n1, elapsed1, cpu1, windows = measure_classifier(declared)
    print(f"classifier alone (decode + normalise + classify in a loop, language declared): "
          f"{n1 / elapsed1:,.0f} articles/s on one core (per CPU second: {n1 / cpu1:,.0f}/s; 0.2 s windows: "
          f"median {statistics.median(windows):,.0f}/s, best {max(windows):,.0f}/s)")
    n2, elapsed2, _ = measure(undeclared)
    print(f"whole pure pipeline, language detected: {n2 / elapsed2:,.0f} articles/s on one core")
    t = time.perf_counter()
    for a in articles * 20:
        detect_language(a["text"])
    print(f"  language detection alone: {(time.perf_counter() - t) / (len(articles) * 20) * 1e6:.1f} µs/article")
    return 0
