"""``streamproc bench`` prints every figure it promises (a smoke run: the figures themselves are not tested)."""

from __future__ import annotations

import re

import pytest

from streamproc.cli.bench import run_bench
from streamproc.config import Settings


def test_bench_prints_the_classifier_alone_and_inside_the_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bench(Settings(), [], seconds=0.05, size=3000) == 0
    out = capsys.readouterr().out
    for label in ("classifier inside the pipeline", "classifier alone", "whole pure pipeline (",
                  "whole pure pipeline, language detected", "language detection alone"):
        assert re.search(re.escape(label) + r".*?[\d,.]+ (articles/s|µs/article)", out), label
    assert re.search(r"per CPU second: [\d,]+/s; 0\.2 s windows: median [\d,]+/s, best [\d,]+/s", out)
    assert out.startswith("python 3.")
    for stage in ("decode", "normalise", "classify", "enrich", "build"):
        assert re.search(rf"^  {stage}\s+[\d.]+ µs/article$", out, re.MULTILINE), stage
