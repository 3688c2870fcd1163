"""Bundled data files (lexicons, rules, gazetteers) and the YAML loader that keeps line numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent


class DataError(ValueError):
    """A data file that cannot be used: says which file, which line and why."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class DataErrors(ValueError):
    """Every problem found across the data files, reported together."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class LineStr(str):
    """A YAML string that remembers the line it came from (for error messages)."""

    line: int = 0


class LineDict(dict[Any, Any]):
    line: int = 0


class LineList(list[Any]):
    line: int = 0


#: libyaml's parser when PyYAML was built with it (its wheels are): parsing the bundled rules and
#: gazetteers took ~2.5 s of a worker's start-up in pure Python, and about a tenth of that in C.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """PyYAML's safe loader (libyaml's when there) with YAML 1.2 booleans: only true/false, so the
    negation cue ``no`` (and "on", "off", "yes" in any lexicon) stays a string instead of silently
    becoming a boolean."""


_LineLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))


def _str(loader: _LineLoader, node: yaml.ScalarNode) -> LineStr:
    s = LineStr(loader.construct_scalar(node))
    s.line = node.start_mark.line + 1
    return s


def _map(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    d = LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    return d


def _seq(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_sequence(node, deep=True))
    items.line = node.start_mark.line + 1
    return items


_LineLoader.add_constructor("tag:yaml.org,2002:str", _str)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _seq)


def line_of(value: object, default: int | None = None) -> int | None:
    """The source line of a loaded YAML value, if it carries one."""
    return getattr(value, "line", None) or default


def load_yaml(path: Path) -> Any:
    """Load a YAML file keeping line numbers; a syntax error becomes a :class:`DataError`."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DataError(path, line, f"YAML syntax: {exc.problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, None, f"cannot read: {exc}") from exc
