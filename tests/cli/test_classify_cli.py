"""`streamproc classify` (one article, TSV batch) and `rules` commands, run as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FIXTURES


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streamproc", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_classify_tsv_prints_one_json_line_per_row(tmp_path):
    tsv = tmp_path / "batch.tsv"
    tsv.write_text("id\ttext\tlang\n"
                   "1\tArtillery shelling killed three soldiers near Donetsk.\ten\n"
                   "2\tThe council approved the library budget.\t\n"
                   "3\tلقي خمسة مدنيين مصرعهم في قصف مدفعي على حلب\tar\n", encoding="utf-8")
    out = run("classify", "--tsv", str(tsv))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    for r in rows:
        assert set(r) >= {"id", "categories", "severity", "killed", "injured", "countries", "places"}
    assert "shelling" in rows[0]["categories"] and rows[0]["killed"] == 3
    assert rows[1]["categories"] == [] and rows[1]["killed"] is None
    assert "shelling" in rows[2]["categories"] and rows[2]["killed"] == 5


def test_classify_tsv_takes_an_optional_publication_column(tmp_path):
    tsv = tmp_path / "dated.tsv"
    tsv.write_text("id\ttext\tlang\tpublished\n"
                   "1\tIn July 1995, Serb forces shelled the town and killed 8,000 men.\ten\t2025\n"
                   "2\tIn July 1995, Serb forces shelled the town and killed 8,000 men.\ten\t\n"
                   "3\tIn July 1995, Serb forces shelled the town and killed 8,000 men.\ten\t1996-03-01\n",
                   encoding="utf-8")
    out = run("classify", "--tsv", str(tsv))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["killed"] for r in rows] == [None, 8000, 8000]


def test_classify_one_article_human_readable():
    out = run("classify", str(FIXTURES / "articles" / "ar-seed-retold.json"))
    assert out.returncode == 0, out.stderr
    assert "escalation: yes" in out.stdout and "killed: 3" in out.stdout


def test_rules_check_and_explain():
    out = run("rules", "check")
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr
    out = run("rules", "explain", "Officials denied any shelling. No casualties were reported.", "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert "categories: none" in out.stdout and "suppressed" in out.stdout


def test_rules_explain_dates_a_text_by_its_publication():
    text = "In July 1995, Serb forces shelled the town and killed 8,000 men."
    dated = run("rules", "explain", text, "--lang", "en", "--published", "2025-07-11")
    assert dated.returncode == 0, dated.stderr
    assert "categories: none" in dated.stdout and "past event ('1995')" in dated.stdout
    undated = run("rules", "explain", text, "--lang", "en")
    assert "killed: 8000" in undated.stdout
    bad = run("rules", "explain", text, "--lang", "en", "--published", "last year")
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr


def test_rules_check_reports_a_broken_file(tmp_path):
    (tmp_path / "en.yaml").write_text("language: en\ncategories: [oops\n", encoding="utf-8")
    import os
    env = {**os.environ, "STREAMPROC_RULES_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "streamproc", "rules", "check"], capture_output=True, text=True,
                         env=env, timeout=60, check=False)
    assert out.returncode == 2
    assert "en.yaml:" in out.stderr and "YAML syntax" in out.stderr


def test_a_missing_or_binary_input_file_is_one_line_exit_2(tmp_path):
    missing = run("classify", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().endswith(f"No such file or directory: {tmp_path / 'nope.txt'}")
    binary = tmp_path / "article.txt"
    binary.write_bytes(b"\xff\xfe shelling")
    out = run("classify", str(binary))
    assert out.returncode == 2 and "Traceback" not in out.stderr and "not UTF-8" in out.stderr
