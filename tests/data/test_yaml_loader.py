"""The YAML loader behind every data file: line numbers kept, YAML 1.2 booleans, clear syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from streamproc.data import DataError, _LineLoader, line_of, load_yaml


def test_strings_lists_and_mappings_remember_their_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("language: xx\ncategories:\n  shelling: [shelling, mortar fire]\n", encoding="utf-8")
    data = load_yaml(path)
    assert line_of(data) == 1 and line_of(data["language"]) == 1
    assert line_of(data["categories"]) == 3 and line_of(data["categories"]["shelling"]) == 3
    assert line_of(data["categories"]["shelling"][1]) == 3


def test_only_true_and_false_are_booleans(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("negation: [no, off, yes, on]\nflag: true\n", encoding="utf-8")
    data = load_yaml(path)
    assert data["negation"] == ["no", "off", "yes", "on"] and data["flag"] is True


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: [1, 2]\nb: [3\nc: 4\n", encoding="utf-8")
    with pytest.raises(DataError, match="YAML syntax") as exc:
        load_yaml(path)
    assert exc.value.path == str(path) and exc.value.line is not None and exc.value.line >= 2


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_libyaml_parses_when_pyyaml_has_it() -> None:
    # Start-up speed: the pure-Python parser took ~2.5 s of a worker's start-up on the bundled files.
    assert issubclass(_LineLoader, yaml.CSafeLoader)
