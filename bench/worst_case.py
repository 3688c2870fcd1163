"""How classification time grows with an article's length, on the shapes that made it grow fastest.

Why: classification runs in a process with a deadline (``STREAMPROC_CLASSIFY_TIMEOUT`` seconds per MiB
of a batch, 20 by default); an article whose time grows with the square of its length passes every
test at 3 KB and is dead-lettered at 1 MiB. Run-on sentences were such shapes: a scraped table or a
list run together without a full stop, thousands of numbers and casualty terms in one sentence (before
they were fixed, 100 KB of one took 15 s, and of others over a minute). Each shape is classified at two sizes; ``growth`` is how much
more time per byte the larger took (1.0: linear; 2 and up: look at it).

    python bench/worst_case.py                 # 100 KB and 900 KB of each shape
    python bench/worst_case.py --sizes 20000 200000
"""

from __future__ import annotations

import argparse
import time

import orjson

from streamproc.config import Settings
from streamproc.worker.run import build_pipeline

#: A body line: list heads after it mark their lists as page chrome.
BODY = ("Shelling killed three soldiers and wounded twelve civilians in the eastern town of Kharkiv on Monday, "
        "regional officials said, and the toll may rise further in the coming days.\n")

#: Language, text repeated to the size wanted, and text before it. Sentences without a full stop, plain
#: runs, and pages of list heads.
SHAPES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "run-on toll (en)": ("en", "shelling killed 3 soldiers and wounded 12 civilians and "),
    "run-on rising toll (en)": ("en", "the death toll from the strike on the town rose to 35 "),
    "run-on years (en)": ("en", "In 1995, 2000 2001 2002 people were killed "),
    "run-on commas (en)": ("en", "killed, injured, 4, "),
    "run-on toll (ar)": ("ar", "أسفر القصف عن مقتل 3 جنود وإصابة 12 مدنيا و"),
    "run-on toll (ru)": ("ru", "обстрел унес жизни трех военных и ранил 12 мирных жителей и "),
    "run-on toll (fr)": ("fr", "les frappes ont tué trois soldats et blessé 12 civils et "),
    "run-on denials (en)": ("en", "no shelling was reported and "),
    "run-on hypotheticals (en)": ("en", "could strike after the shelling and "),
    "run-on far past cues (en)": ("en", "shelling hit the area where soldiers were based several years ago and "),
    "run-on toll after 'Ten years ago' (en)": ("en", "shelling killed 3 soldiers and ", "Ten years ago, "),
    "run-on singular people (en)": ("en", "killed, the soldier "),
    "comment heads and comments (en)": ("en", "Comments\nnice one\n", BODY),
    "truce and quarrel words (en)": ("en", "truce derby deputies budget ceasefire "),
    "place names (en)": ("en", "Kyiv Kharkiv Donetsk Gaza Beirut Tovuz Tavush "),
    "short lines (en)": ("en", "Share\n"),
    "one long word": ("en", "a"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs=2, type=int, default=[100_000, 900_000], metavar=("SMALL", "LARGE"),
                        help="article sizes in bytes of text (default 100000 900000; the worker's limit is 1 MiB)")
    args = parser.parse_args()
    pipeline = build_pipeline(Settings(max_message_bytes=4 * 2**20))
    small, large = args.sizes
    print(f"{'shape':40s} {'small s':>8s} {'large s':>8s} {'µs/KB large':>12s} {'growth':>7s}  outcome")
    for name, (language, unit, *before) in SHAPES.items():
        seconds = []
        kind = ""
        for size in (small, large):
            prefix = before[0] if before else ""
            text = prefix + (unit * (size // len(unit.encode()) + 1)).encode()[:size].decode(errors="ignore")
            value = orjson.dumps({"id": "worst", "text": text, "language": language})
            t0 = time.perf_counter()
            outcome = pipeline.process(value)
            seconds.append(time.perf_counter() - t0)
            kind = outcome.kind if outcome.reason is None else f"{outcome.kind} ({outcome.reason.value})"
        growth = (seconds[1] / large) / (seconds[0] / small) if seconds[0] > 0 else float("nan")
        print(f"{name:40s} {seconds[0]:8.2f} {seconds[1]:8.2f} {seconds[1] * 1e6 / (large / 1000):12.0f} "
              f"{growth:7.2f}  {kind}", flush=True)


if __name__ == "__main__":
    main()
