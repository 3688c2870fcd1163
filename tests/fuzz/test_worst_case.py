"""Classification time grows with an article's length, not with its square, on the shapes that once did.

A sentence that never ends (a scraped table, a list run together) held thousands of numbers and
casualty terms, and every number was weighed against every term: 100 KB of one took 15 s, 1 MiB would
have taken half an hour, past the classification process's deadline (the article was dead-lettered
as `classifier_died`). ``bench/worst_case.py`` prints the figures for these shapes and more; this test
keeps the three that were quadratic under a bound ten times what they take now (~0.1 s each).
"""

from __future__ import annotations

import time

import orjson
import pytest

RUN_ONS = {
    "numbers and terms": "shelling killed 3 soldiers and ",  # casualties.extract: 15 s for 100 KB
    "rising tolls": "The death toll from the strike on the town rose to 35 ",  # opening subjects: 11 s
    "years among counts": "In 1995, 2000 2001 2002 people were killed ",  # find_numbers: 6.5 s
}


@pytest.mark.parametrize("unit", RUN_ONS.values(), ids=RUN_ONS.keys())
def test_a_100_kb_run_on_sentence_is_classified_in_about_a_second(pipeline, unit):
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    t0 = time.perf_counter()
    outcome = pipeline.process(orjson.dumps({"id": "run-on", "text": text, "language": "en"}))
    took = time.perf_counter() - t0
    assert outcome.kind == "alert"
    assert took < 3.0, f"{took:.1f} s for 100 KB: something is quadratic again (bench/worst_case.py)"


@pytest.mark.parametrize("count", ["1" * 5000, ",".join(["1"] + ["000"] * 2000), "0" * 5000, "0.0"])
def test_a_number_of_thousands_of_digits_is_no_count_and_no_error(pipeline, count):
    """Python's int() refuses strings of over 4,300 digits: "killed 1111…" was a processing error."""
    outcome = pipeline.process(orjson.dumps({"id": "digits", "text": f"Shelling killed {count} soldiers in Donetsk.",
                                             "language": "en"}))
    assert outcome.kind == "alert", (outcome.reason, outcome.error)
    assert outcome.alert is not None and outcome.alert["casualties"]["killed"] in (None, 0)
