"""Classification time grows with an article's length, not with its square, on the shapes that once did.

A sentence that never ends (a scraped table, a list run together) held thousands of numbers and
casualty terms, and every number was weighed against every term: 100 KB of one took 15 s, 1 MiB would
have taken half an hour, past the classification process's deadline (the article was dead-lettered
as `classifier_died`). ``bench/worst_case.py`` prints the figures for these shapes and more; this test
keeps the shapes that were quadratic or worse under a bound ten times what they take now (~0.1–0.3 s
each). Sentences are also cut every 150 words (`streamproc.text.document.MAX_SENTENCE_WORDS`), so
whatever a sentence's terms cost against each other stays bounded.
"""

from __future__ import annotations

import time

import orjson
import pytest

BODY = ("Shelling killed three soldiers and wounded twelve civilians in the eastern town of Kharkiv on Monday, "
        "regional officials said, and the toll may rise further in the coming days.\n")
RUN_ONS = {  # text before, text repeated, size
    "numbers and terms": ("", "shelling killed 3 soldiers and ", 100_000),  # casualties.extract: 15 s before
    "rising tolls": ("", "The death toll from the strike on the town rose to 35 ", 100_000),  # opening subjects: 11 s
    "years among counts": ("", "In 1995, 2000 2001 2002 people were killed ", 100_000),  # find_numbers: 6.5 s
    # each term against each negation cue of its sentence: 7.8 s
    "denials": ("", "shelling denied and ", 100_000),
    # each term against each later past cue, the text between them read each time: over a minute for 50 KB
    "far past cues": ("", "shelling hit the area where soldiers were based several years ago and ", 100_000),
    # each list head walking every list line after it: 2 s for 100 KB, ~8 s for 200 KB
    "comment heads": (BODY, "Comments\nnice one\n", 200_000),
}


@pytest.mark.parametrize(("before", "unit", "size"), RUN_ONS.values(), ids=RUN_ONS.keys())
def test_a_run_on_shape_is_classified_in_about_a_second(pipeline, before, unit, size):
    text = before + (unit * (size // len(unit) + 1))[:size]
    t0 = time.perf_counter()
    outcome = pipeline.process(orjson.dumps({"id": "run-on", "text": text, "language": "en"}))
    took = time.perf_counter() - t0
    assert outcome.kind in ("alert", "no_alert")
    assert took < 3.0, f"{took:.1f} s for {size // 1000} KB: something is quadratic again (bench/worst_case.py)"


@pytest.mark.parametrize("count", ["1" * 5000, ",".join(["1"] + ["000"] * 2000), "0" * 5000, "0.0"])
def test_a_number_of_thousands_of_digits_is_no_count_and_no_error(pipeline, count):
    """Python's int() refuses strings of over 4,300 digits: "killed 1111…" was a processing error."""
    outcome = pipeline.process(orjson.dumps({"id": "digits", "text": f"Shelling killed {count} soldiers in Donetsk.",
                                             "language": "en"}))
    assert outcome.kind == "alert", (outcome.reason, outcome.error)
    assert outcome.alert is not None and outcome.alert["casualties"]["killed"] in (None, 0)
