"""``streamproc demo`` (what ``make demo`` runs) end to end: its own embedded broker, a worker, the
bundled samples and a seed article, every alert read back and every webhook verified.

The seed is the founding article when ``../shared`` is there, otherwise the fixture retelling it.
The bundled samples include another report of the same event, so this also checks that the seed,
not that sample, is the one that raises the event's alert (it used to be a coin toss, and the demo
then failed).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEED

pytestmark = pytest.mark.integration


def test_demo_alerts_on_the_seed_and_every_sample_that_escalates(tmp_path: Path) -> None:
    seed = SEED
    if not seed.is_file():
        seed = tmp_path / "article-ar-2020-07-13.txt"
        seed.write_text(json.loads((FIXTURES / "articles" / "ar-seed-retold.json").read_text("utf-8"))["text"],
                        "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMPROC_")}
    done = subprocess.run([sys.executable, "-m", "streamproc", "demo", "--seed", str(seed), "--timeout", "120"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    seed_alert = re.search(r"^ALERT seed-article-ar-2020-07-13 \[ar\] (high|critical) .*\n"
                           r"    categories: (.*)\n    killed: (\d+) .* country: (\w+)$", out, re.MULTILINE)
    assert seed_alert, out
    assert {"ceasefire/call", "shelling"} <= set(seed_alert.group(2).split(", "))
    assert (seed_alert.group(3), seed_alert.group(4)) == ("3", "AZ")
    summary = re.search(r"^(\d+) articles, (\d+) alerts on 'alerts', (\d+) webhook deliveries \(all signatures "
                        r"verified\), (\d+) duplicate\(s\) of an event already alerted, (\d+) without escalation$",
                        out, re.MULTILINE)
    assert summary, out
    articles, alerts, deliveries, duplicates, quiet = map(int, summary.groups())
    assert alerts == deliveries == len(re.findall(r"^ALERT ", out, re.MULTILINE))
    assert articles == alerts + duplicates + quiet
    assert alerts >= 8
