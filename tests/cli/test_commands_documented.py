"""Every command the CLI has is in the README's Commands table: a new one cannot land undocumented."""

from __future__ import annotations

import argparse
from pathlib import Path

from streamproc.cli.main import _parser

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(parser: argparse.ArgumentParser, prefix: str = "streamproc") -> list[str]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [prefix]
    return [c for name, sub in subs[0].choices.items() for c in _commands(sub, f"{prefix} {name}")]


def test_every_command_is_in_the_readme_table():
    table = README.read_text("utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
    commands = _commands(_parser())
    assert "streamproc dlq replay" in commands and "streamproc worker" in commands
    missing = [c for c in commands if f"| `{c}" not in table]
    assert not missing, f"commands missing from the README's Commands table: {missing}"
